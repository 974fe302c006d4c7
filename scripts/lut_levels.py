#!/usr/bin/env python3
"""Longest register-to-register path of a yosys `synth_xilinx` netlist, in LUT levels.

    lut_levels.py NETLIST.json TOP        prints "<levels> <from> -> <to>" for the worst
                                          register-to-register path, then the same for
                                          input -> register and register -> output paths

Delay model (why: yosys does no timing analysis; LUT levels are what decides closure at
322 MHz on UltraScale+, ~6-7 levels in 3.1 ns with routing):
  LUT1..LUT6, LUT6_2, LUTRAM read (address -> data)   1 level each
  SRL16E/SRLC32E shift registers: storage, like flip-flops (their address is constant here)
  INV (folded into the next LUT by Vivado), MUXF7/8/9, CARRY4/8, BUFG   0 levels
  DSP48E2: every pipeline register the cell has enabled (AREG/BREG/CREG/DREG/ADREG, MREG,
           PREG) is a path end / start like a flip-flop; each unregistered stage a path
           crosses counts 2 levels (pre-adder, multiplier, ALU) - an estimate, on the safe side.
Path starts: flip-flop outputs, enabled DSP registers, module inputs; path ends: every
flip-flop input (D, CE, set/reset), LUTRAM write ports, enabled DSP registers, module outputs.
Any cell type outside the model stops the script, so a new primitive cannot hide a path.
"""
import json
import sys

FF = {"FDRE", "FDSE", "FDCE", "FDPE"}
SRL = {"SRL16E", "SRLC16E", "SRLC32E"}   # shift registers: storage like flip-flops
LUT = {"LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "LUT6_2"}
FREE = {"INV", "MUXF7", "MUXF8", "MUXF9", "CARRY4", "CARRY8", "BUFG"}
LUTRAM_PREFIX = ("RAM32M", "RAM64M", "RAM32X1", "RAM64X1", "RAM128X1", "RAM256X1", "RAM16X1")
DSP_STAGE = 2

# DSP48E2 stages: input group -> (register parameter, stages between that input and M/P)
DSP_IN = {
    "A": "AREG", "ACIN": "AREG", "B": "BREG", "BCIN": "BREG", "C": "CREG", "D": "DREG",
}


def on(params, name):
    v = params.get(name, "0")
    try:
        return int(str(v), 2) != 0 if set(str(v)) <= {"0", "1"} else int(v) != 0
    except ValueError:
        return False


def dsp_arcs(params, in_port):
    """(ends_at_register, levels before the end or the output) for a DSP input port."""
    reg = DSP_IN.get(in_port)
    if reg is None:
        # control inputs (OPMODE, ALUMODE, INMODE, CARRYIN...) and cascades into the ALU
        if in_port in ("PCIN", "CARRYIN", "CARRYCASCIN", "MULTSIGNIN"):
            return (on(params, "PREG"), DSP_STAGE)
        return (True, 0) if any(on(params, r) for r in ("OPMODEREG", "ALUMODEREG", "INMODEREG",
                                                        "CARRYINREG", "CARRYINSELREG")) else (False, DSP_STAGE)
    if on(params, reg):
        return (True, 0)
    levels = 0
    if in_port in ("A", "ACIN", "D"):
        if on(params, "ADREG"):
            return (True, DSP_STAGE)
        levels += DSP_STAGE if in_port == "D" else 0
    if in_port == "C":
        return (on(params, "PREG"), DSP_STAGE)
    levels += DSP_STAGE                       # multiplier
    if on(params, "MREG"):
        return (True, levels)
    levels += DSP_STAGE                       # ALU
    return (on(params, "PREG"), levels)


def dsp_out_start(params):
    """Levels already spent at a DSP output when the path starts inside the cell."""
    if on(params, "PREG"):
        return 0
    if on(params, "MREG"):
        return DSP_STAGE
    return None                               # combinational from the inputs


def main():
    path, top = sys.argv[1], sys.argv[2]
    mod = json.load(open(path))["modules"][top]
    names = {}
    for n, info in mod["netnames"].items():
        for i, b in enumerate(info["bits"]):
            if isinstance(b, int):
                label = n if len(info["bits"]) == 1 else f"{n}[{i}]"
                old = names.get(b)
                if old is None or (old.startswith("$") and not n.startswith("$")) or \
                        (old.startswith("$") == n.startswith("$") and len(label) < len(old)):
                    names[b] = label

    driver = {}                               # bit -> (kind, data)
    sinks = []                                # (bit, label) of path ends
    for pname, p in mod["ports"].items():
        for i, b in enumerate(p["bits"]):
            if not isinstance(b, int):
                continue
            if p["direction"] == "input":
                driver[b] = ("in", f"{pname}[{i}]")
            else:
                sinks.append((b, f"out {pname}[{i}]", "out"))

    comb = {}                                 # cell name -> (cost, [input bits])
    for cname, c in mod["cells"].items():
        t = c["type"]
        conns, dirs, params = c["connections"], c["port_directions"], c.get("parameters", {})
        ins = [(p, b) for p, bits in conns.items() if dirs.get(p) == "input" for b in bits
               if isinstance(b, int)]
        outs = [(p, b) for p, bits in conns.items() if dirs.get(p) == "output" for b in bits
                if isinstance(b, int)]
        label = names.get(outs[0][1], cname) if outs else cname
        if t in FF or t in SRL or t.startswith("RAMB"):
            for p, b in outs:
                driver[b] = ("reg", names.get(b, cname))
            for p, b in ins:
                if p not in ("C", "CLK"):
                    sinks.append((b, names.get(outs[0][1], cname) if outs else cname, "reg"))
        elif t in LUT or t in FREE:
            comb[cname] = (1 if t in LUT else 0, [b for _, b in ins])
            for p, b in outs:
                driver[b] = ("comb", cname)
        elif t.startswith(LUTRAM_PREFIX):
            rd = [b for p, b in ins if p.startswith("ADDR") or p in ("A", "DPRA") or
                  (p.startswith("A") and p[1:].isdigit()) or (p.startswith("DPRA") and p[4:].isdigit())]
            comb[cname] = (1, rd)
            for p, b in outs:
                driver[b] = ("comb", cname)
            for p, b in ins:
                if p not in ("WCLK",):
                    sinks.append((b, f"lutram {cname}", "reg"))
        elif t == "DSP48E2":
            start = dsp_out_start(params)
            comb_ins = []
            for p, b in ins:
                ends, lv = dsp_arcs(params, p)
                if p == "CLK":
                    continue
                if ends:
                    sinks.append((b, f"dsp {cname}.{p}", "reg", lv))
                else:
                    comb_ins.append((b, lv))
            comb[cname] = ("dsp", comb_ins, start)
            for p, b in outs:
                driver[b] = ("comb", cname)
        else:
            sys.exit(f"lut_levels: cell type {t} ({cname}) is outside the delay model")

    sys.setrecursionlimit(100000)
    memo = {}                                 # bit -> {kind: (levels, origin)}

    def depth(b):
        """Worst (levels, origin label) per origin kind ('reg' / 'in') at bit b."""
        if b in memo:
            return memo[b]
        memo[b] = {}                          # cycle guard (a combinational loop would show 0)
        d = driver.get(b)
        res = {}
        if d is None:
            res = {}
        elif d[0] == "reg":
            res = {"reg": (0, d[1])}
        elif d[0] == "in":
            res = {"in": (0, d[1])}
        else:
            cell = comb[d[1]]
            if cell[0] == "dsp":
                _, cins, start = cell
                if start is not None:
                    res = {"reg": (start, f"dsp {d[1]}")}
                else:
                    for ib, lv in cins:
                        for k, (l, o) in depth(ib).items():
                            if k not in res or l + lv > res[k][0]:
                                res[k] = (l + lv, o)
            else:
                cost, cins = cell
                for ib in cins:
                    for k, (l, o) in depth(ib).items():
                        if k not in res or l + cost > res[k][0]:
                            res[k] = (l + cost, o)
        memo[b] = res
        return res

    worst = {}
    for s in sinks:
        b, label, kind = s[0], s[1], s[2]
        extra = s[3] if len(s) > 3 else 0
        for k, (l, o) in depth(b).items():
            key = (k, kind)
            if key not in worst or l + extra > worst[key][0]:
                worst[key] = (l + extra, o, label)
    for key, title in ((("reg", "reg"), "reg->reg"), (("in", "reg"), "in->reg"),
                       (("reg", "out"), "reg->out"), (("in", "out"), "in->out")):
        if key in worst:
            l, o, t = worst[key]
            print(f"{title} {l} {o} -> {t}")
        else:
            print(f"{title} 0 - -> -")


if __name__ == "__main__":
    main()
