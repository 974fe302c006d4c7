# vitis_hls -f hls/pretrade_risk/csynth.tcl: C-synthesis of pretrade_risk (scripts/csynth.sh sets the environment).
set ::env(PW_KERNEL) pretrade_risk
source [file join [file dirname [info script]] .. csynth kernel.tcl]
