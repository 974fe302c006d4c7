#!/usr/bin/env bash
# Resource and timing report of the RTL: yosys `synth_xilinx` on each module (flattened, no I/O
# buffers); LUT / FF / carry / LUTRAM / BRAM / DSP counts and the longest path into a register in
# LUT levels (scripts/lut_levels.py over the JSON netlist), written as markdown to docs/resources.md.
#
#   scripts/synth_report.sh              all modules, family xcup (Alveo UltraScale+)
#   scripts/synth_report.sh --check      no report: fail when a module's longest path into a
#                                        register exceeds MAX_LEVELS (7: ~3.1 ns at 322.27 MHz)
#   FAMILY=xc7 scripts/synth_report.sh   another yosys synth_xilinx family
#   OUT=/tmp/r.md JOBS=1 scripts/synth_report.sh
#   MODULES="egress_gate axis_strip" scripts/synth_report.sh --check
set -euo pipefail
cd "$(dirname "$0")/.."

FAMILY=${FAMILY:-xcup}
OUT=${OUT:-docs/resources.md}
JOBS=${JOBS:-2}
MAX_LEVELS=${MAX_LEVELS:-7}
# Modules allowed above MAX_LEVELS, reported but not failing --check (none: every module closes).
LEVELS_EXEMPT=()
check=0
[ "${1:-}" = "--check" ] && check=1
command -v yosys >/dev/null || { echo "synth_report: yosys not found (scripts/setup.sh installs it)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "synth_report: python3 not found" >&2; exit 2; }

# module: the files it needs (helpers first)
declare -A SRC=(
  [axis_strip]="axis_skid.sv axis_strip.sv"
  [axis_frame_gate]="axis_skid.sv axis_frame_gate.sv"
  [eth_vlan_parser]="axis_skid.sv axis_strip.sv eth_vlan_parser.sv"
  [ipv4_udp_parser]="axis_skid.sv axis_strip.sv ipv4_udp_parser.sv"
  [mcast_filter]="axis_skid.sv mcast_filter.sv"
  [ab_arbiter]="axis_skid.sv axis_frame_gate.sv ab_arbiter.sv"
  [timestamper]="axis_skid.sv timestamper.sv"
  [egress_gate]="axis_skid.sv axis_frame_gate.sv egress_gate.sv"
  [perpwire_nic_top]="axis_skid.sv axis_strip.sv axis_frame_gate.sv eth_vlan_parser.sv ipv4_udp_parser.sv mcast_filter.sv ab_arbiter.sv timestamper.sv egress_gate.sv perpwire_nic_top.sv"
)
# the longest first, so that two jobs finish together
ORDER=(perpwire_nic_top ipv4_udp_parser ab_arbiter eth_vlan_parser mcast_filter egress_gate axis_strip axis_frame_gate timestamper)
if [ -n "${MODULES:-}" ]; then read -r -a ORDER <<< "$MODULES"; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(yosys -V | head -1)

synth_one() {
  local m=$1 files=""
  for f in ${SRC[$m]}; do files+=" rtl/$f"; done
  echo "synth_report: $m" >&2
  yosys -q -l "$tmp/$m.log" \
    -p "read_verilog -sv$files; synth_xilinx -family $FAMILY -top $m -flatten -noiopad; stat; write_json $tmp/$m.json" \
    >/dev/null
  python3 scripts/lut_levels.py "$tmp/$m.json" "$m" > "$tmp/$m.levels"
  rm -f "$tmp/$m.json"
}
running=0
for m in "${ORDER[@]}"; do
  [ -n "${SRC[$m]:-}" ] || { echo "synth_report: unknown module $m" >&2; exit 2; }
  synth_one "$m" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
while [ "$running" -gt 0 ]; do wait -n; running=$((running - 1)); done
for m in "${ORDER[@]}"; do
  [ -s "$tmp/$m.levels" ] || { echo "synth_report: $m failed (see yosys output above)" >&2; exit 1; }
done

# levels <module> <kind>: "<levels> <from> -> <to>" of reg->reg / in->reg
lv() { awk -v k="$2" '$1 == k {print $2}' "$tmp/$1.levels"; }
lv_path() { awk -v k="$2" '$1 == k {$1 = ""; $2 = ""; sub(/^  /, ""); print}' "$tmp/$1.levels"; }

if [ $check = 1 ]; then
  fail=0
  for m in "${ORDER[@]}"; do
    worst=$(lv "$m" reg-\>reg); inr=$(lv "$m" in-\>reg)
    [ "$inr" -gt "$worst" ] && worst=$inr
    exempt=0
    for e in "${LEVELS_EXEMPT[@]}"; do [ "$e" = "$m" ] && exempt=1; done
    if [ "$worst" -le "$MAX_LEVELS" ]; then status="ok  "
    elif [ $exempt = 1 ]; then status="exempt"
    else status="FAIL"; fail=1; fi
    echo "$status $m: $(lv "$m" reg-\>reg) levels reg->reg ($(lv_path "$m" reg-\>reg)), $(lv "$m" in-\>reg) in->reg ($(lv_path "$m" in-\>reg))"
  done
  [ $fail = 0 ] && echo "synth_report: every module within $MAX_LEVELS LUT levels${LEVELS_EXEMPT[*]:+ (exempt: ${LEVELS_EXEMPT[*]})}"
  exit $fail
fi

rows=""
lrows=""
for m in "${ORDER[@]}"; do
  # the last statistics block of the log: "<cell>  <count>" lines
  awk '/Printing statistics/ {n=0; delete c} /^ +[A-Za-z0-9_$]+ +[0-9]+$/ {c[$1]=$2} END {for (k in c) print k, c[k]}' \
    "$tmp/$m.log" > "$tmp/$m.cells"
  sum() { awk -v re="$1" '$1 ~ re {s += $2} END {print s + 0}' "$tmp/$m.cells"; }
  lut=$(sum '^LUT[1-6](_2)?$')
  ff=$(sum '^FD[RSCP]E$')
  carry=$(sum '^CARRY[48]$')
  muxf=$(sum '^MUXF[789]$')
  lutram=$(sum '^RAM(32|64|128|256)(M|M16|M8|X1D|X1S|X2S|X8S)?[0-9]*$')
  bram36=$(sum '^RAMB36E[12]$')
  bram18=$(sum '^RAMB18E[12]$')
  dsp=$(sum '^DSP48E[12]$')
  bram=$(awk -v a="$bram36" -v b="$bram18" 'BEGIN {printf "%g", a + b / 2}')
  rows+="| \`$m\` | $lut | $ff | $carry | $muxf | $lutram | $bram | $dsp |"$'\n'
  lrows+="| \`$m\` | $(lv "$m" reg-\>reg) | \`$(lv_path "$m" reg-\>reg)\` | $(lv "$m" in-\>reg) | $(lv "$m" reg-\>out) |"$'\n'
done

cat > "$OUT" <<MD
# RTL resources and logic depth

Generated by \`scripts/synth_report.sh\` — do not edit by hand; rerun it after an RTL change
(\`scripts/synth_report.sh --check\`, ctest \`rtl_lut_levels\`, fails when a module exceeds
$MAX_LEVELS LUT levels).

- Tool: $version, \`synth_xilinx -family $FAMILY\` (Alveo cards are UltraScale+), per module:
  \`yosys -p "read_verilog -sv <files>; synth_xilinx -family $FAMILY -top <module> -flatten -noiopad; stat; write_json <netlist>"\`
- Each row includes the helper modules the module instantiates (\`axis_skid\`, \`axis_strip\`,
  \`axis_frame_gate\`). \`perpwire_nic_top\` holds two parser chains (lines A and B), two multicast
  filters, the arbiter, the timestamper and the egress gate, plus the counter read mux.
- LUT = LUT1..LUT6; FF = FDRE/FDSE/FDCE/FDPE; carry = CARRY4/CARRY8 cells; MUXF = MUXF7/8/9;
  LUTRAM = distributed-RAM cells (the frame FIFOs); BRAM in RAMB36 equivalents; DSP = DSP48E2.
- yosys does no timing-driven optimisation; Vivado's figures will differ (usually fewer LUTs).

| module | LUT | FF | carry | MUXF | LUTRAM | BRAM | DSP |
|---|---:|---:|---:|---:|---:|---:|---:|
$rows
Parameters: defaults of each module (64-bit datapath; mcast_filter 8 entries; ab_arbiter 4
channel slots, 64-number history window, 8-beat FIFO; egress_gate 32-beat FIFO; 32-bit counters).
The egress gate's DSPs are the exact 64 x 31-bit notional product, with their input, product
and output registers.

## Logic depth (timing at 322.27 MHz)

Longest path in LUT levels, by \`scripts/lut_levels.py\` over the netlist: a LUT (or a LUTRAM
read) is one level; INV, MUXF7/8/9 and carry cells count zero (in-slice); a DSP48E2 stage that has
no pipeline register counts two. reg->reg: flip-flop to flip-flop; in->reg: module input to
flip-flop (every module's AXI-Stream outputs come from flip-flops, so in a chain of modules this
is a flip-flop-to-flip-flop path too); reg->out: flip-flop to module output (the ready chains
between modules). At 3.1 ns per cycle on UltraScale+ about 6-7 levels fit with routing; the CI
check allows $MAX_LEVELS${LEVELS_EXEMPT[*]:+ (exempt, still being re-pipelined: ${LEVELS_EXEMPT[*]})}.

| module | reg->reg | worst path | in->reg | reg->out |
|---|---:|---|---:|---:|
$lrows
MD
echo "synth_report: wrote $OUT" >&2
