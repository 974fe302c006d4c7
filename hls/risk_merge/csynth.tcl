# vitis_hls -f hls/risk_merge/csynth.tcl: C-synthesis of risk_merge (scripts/csynth.sh sets the environment).
set ::env(PW_KERNEL) risk_merge
source [file join [file dirname [info script]] .. csynth kernel.tcl]
