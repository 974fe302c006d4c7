#!/usr/bin/env python3
"""Compile each HLS kernel top to LLVM IR (clang -O2 -emit-llvm, the hls/include compatibility
types) and fail on the constructs Vitis refuses or builds badly: memcmp/bcmp, constructors of
namespace-scope state (llvm.global_ctors), overflow builtins on __int128 and divisions, in any
function reachable from the top (the top's body is its per-item loop; a call from it runs per item).

Findings still expected while a kernel is being made clean are listed in hls/csynth/ir_known.tsv
(top, function, kind, count, reason). A finding not listed, or more of one than listed, fails; a
listed finding that has gone (or shrunk) also fails, naming the line to edit, so the list only
shrinks. Prints the operation counts of each top.

usage: ir_check.py [--repo DIR] [--clang clang++-14] [--known FILE] [--top NAME=SOURCE ...]
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOPS = {
    "feed_decode": "hls/feed_decode/feed_decode.cpp",
    "feed_decode_mm": "hls/feed_decode/feed_decode_mm.cpp",
    "market_state": "hls/market_state/market_state.cpp",
    "risk_merge": "hls/risk_merge/risk_merge.cpp",
    "pretrade_risk": "hls/pretrade_risk/pretrade_risk.cpp",
}

DEFINE = re.compile(r'^define [^@]*@("?[^"(\s]+"?)\(')
CALLEE = re.compile(r'\b(?:call|invoke)\b[^@]*@("?[\w.$"]+"?)\(')
OPCODE = re.compile(r'^\s+(?:%[\w.]+ = )?([a-z][a-z0-9_]*)\b')
COMPAT_PREFIXES = ("std::", "void std::", "hls::", "void hls::")
DIV_CALLS = ("__divti3", "__udivti3", "__modti3", "__umodti3", "__divdi3", "__udivdi3",
             "__moddi3", "__umoddi3")


def parse(ir):
    """Function name -> list of body lines."""
    funcs, name = {}, None
    for line in ir.splitlines():
        m = DEFINE.match(line)
        if m:
            name = m.group(1).strip('"')
            funcs[name] = []
        elif name is not None:
            if line.startswith("}"):
                name = None
            else:
                funcs[name].append(line)
    return funcs


def reachable(funcs, top):
    seen, todo = set(), [top]
    while todo:
        f = todo.pop()
        if f in seen or f not in funcs:
            continue
        seen.add(f)
        for line in funcs[f]:
            for c in CALLEE.findall(line):
                todo.append(c.strip('"'))
    return seen


def findings_of(line):
    kinds = []
    for c in CALLEE.findall(line):
        c = c.strip('"')
        if c in ("memcmp", "bcmp"):
            kinds.append("memcmp")
        elif c in DIV_CALLS:
            kinds.append("division")
        elif "with.overflow.i128" in c:
            kinds.append("with.overflow.i128")
    m = OPCODE.match(line)
    if m and m.group(1) in ("sdiv", "udiv", "srem", "urem"):
        kinds.append("division")
    return kinds


def demangle(names):
    tool = shutil.which("llvm-cxxfilt-14") or shutil.which("c++filt")
    if not tool or not names:
        return {n: n for n in names}
    out = subprocess.run([tool], input="\n".join(names), capture_output=True, text=True).stdout
    return dict(zip(names, out.splitlines()))


def load_known(path):
    known = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 5 or not cols[3].isdigit():
                sys.exit(f"{path}:{n}: expected top<TAB>function<TAB>kind<TAB>count<TAB>reason")
            known[(cols[0], cols[1], cols[2])] = (int(cols[3]), n)
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--clang", default="clang++-14")
    ap.add_argument("--known", default=None)
    ap.add_argument("--top", action="append", metavar="NAME=SOURCE",
                    help="check these tops instead of the kernels (source relative to --repo)")
    a = ap.parse_args()
    repo = os.path.abspath(a.repo)
    known_path = a.known or os.path.join(repo, "hls/csynth/ir_known.tsv")
    if not shutil.which(a.clang):
        sys.exit(f"ir_check: {a.clang} not found (scripts/setup.sh installs clang-14)")
    known = load_known(known_path)
    shown = os.path.relpath(known_path, repo) if known_path.startswith(repo + os.sep) else known_path
    found = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        tops = dict(t.split("=", 1) for t in a.top) if a.top else TOPS
        for top, src in tops.items():
            ll = os.path.join(tmp, top + ".ll")
            cmd = [a.clang, "-std=c++17", "-O2", "-S", "-emit-llvm", "-I", repo,
                   "-I", os.path.join(repo, "hls/include"), "-Wno-unknown-pragmas",
                   "-Wno-unused-label", os.path.join(repo, src), "-o", ll]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                sys.stderr.write(r.stderr)
                sys.exit(f"ir_check: {top}: clang failed")
            with open(ll) as f:
                ir = f.read()
            funcs = parse(ir)
            if top not in funcs:
                sys.exit(f"ir_check: {top}: no function @{top} in the IR (not extern \"C\"?)")
            live = reachable(funcs, top)
            names = demangle(sorted(live))
            ops = collections.Counter()
            for fn in live:
                # The compatibility types' own code (std::deque behind hls::stream, ...) is
                # replaced by Vitis' libraries in synthesis: neither counted nor a finding.
                if names[fn].startswith(COMPAT_PREFIXES):
                    continue
                for line in funcs[fn]:
                    m = OPCODE.match(line)
                    if m:
                        ops[m.group(1)] += 1
                    for k in findings_of(line):
                        found[(top, names[fn], k)] += 1
            if "@llvm.global_ctors" in ir:
                found[(top, "llvm.global_ctors", "global_ctors")] += 1
            interesting = ("mul", "add", "sub", "icmp", "select", "load", "store", "br", "switch",
                           "call", "sdiv", "udiv", "srem", "urem", "phi")
            print(f"{top}: {len(live)} functions reachable; "
                  + " ".join(f"{o}={ops[o]}" for o in interesting if ops[o]))
    bad = 0
    for key in sorted(found):
        want = known.get(key, (0, None))[0]
        if found[key] > want:
            bad += 1
            print(f"NEW: {key[0]}: {key[2]} x{found[key] - want} in {key[1]}"
                  + (f" (listed: {want})" if want else ""))
    for key, (want, line) in sorted(known.items(), key=lambda kv: kv[1][1]):
        if found[key] < want:
            bad += 1
            print(f"GONE: {key[0]}: {key[2]} in {key[1]} now x{found[key]}, listed x{want}: "
                  f"update {shown}:{line}")
    for key in sorted(found):
        if key in known and found[key] == known[key][0]:
            print(f"known: {key[0]}: {key[2]} x{found[key]} in {key[1]}")
    if bad:
        print(f"ir_check: FAIL ({bad} difference(s) from {shown})")
        return 1
    print("ir_check: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
