#!/usr/bin/env python3
"""Checks one kernel's vitis_hls csynth.xml against hls/csynth/budgets.tsv (scripts/csynth.sh).

usage: csynth_check.py BUDGETS KERNEL CSYNTH_XML
Prints every loop's II and latency; exit 1 when a loop misses its II or a latency its budget."""
import sys
import xml.etree.ElementTree as ET


def budgets(path, kernel):
    out = {}
    for line in open(path):
        f = line.split('#', 1)[0].split()
        if len(f) == 4 and f[0] == kernel:
            out[f[1]] = (None if f[2] == '-' else int(f[2]), None if f[3] == '-' else int(f[3]))
    return out


def num(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None  # "undef", "-" or absent


def main():
    budget_path, kernel, xml_path = sys.argv[1:4]
    want = budgets(budget_path, kernel)
    root = ET.parse(xml_path).getroot()
    found = {}
    total = root.find('./PerformanceEstimates/SummaryOfOverallLatency')
    if total is not None:
        # The top: a free-running kernel's top is the pipelined loop, its interval the II.
        found['-'] = (num(total.findtext('Interval-max')), num(total.findtext('Worst-caseLatency')))
    loops = root.find('./PerformanceEstimates/SummaryOfLoopLatency')
    for loop in (loops.iter() if loops is not None else []):
        if loop is loops or loop.find('PipelineII') is None and loop.find('IterationLatency') is None:
            continue
        ii = num(loop.findtext('PipelineII'))
        lat = num(loop.findtext('IterationLatency')) or num(loop.findtext('PipelineDepth'))
        found[loop.tag] = (ii, lat)
    bad = 0
    for name, (ii, lat) in sorted(found.items()):
        print(f"  {kernel} {name}: II {ii if ii is not None else '-'}, latency {lat if lat is not None else '-'}")
    for name, (want_ii, want_lat) in sorted(want.items()):
        ii, lat = found.get(name, (None, None))
        if name not in found:
            print(f"  {kernel} {name}: not in the report", file=sys.stderr)
            bad = 1
            continue
        if want_ii is not None and ii != want_ii:
            print(f"  {kernel} {name}: II {ii}, budget {want_ii}", file=sys.stderr)
            bad = 1
        if want_lat is not None and (lat is None or lat > want_lat):
            print(f"  {kernel} {name}: latency {lat}, budget {want_lat}", file=sys.stderr)
            bad = 1
    return bad


if __name__ == '__main__':
    sys.exit(main())
