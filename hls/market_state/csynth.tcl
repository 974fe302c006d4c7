# vitis_hls -f hls/market_state/csynth.tcl: C-synthesis of market_state (scripts/csynth.sh sets the environment).
set ::env(PW_KERNEL) market_state
source [file join [file dirname [info script]] .. csynth kernel.tcl]
