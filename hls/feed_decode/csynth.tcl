# vitis_hls -f hls/feed_decode/csynth.tcl: C-synthesis of feed_decode (scripts/csynth.sh sets the environment).
set ::env(PW_KERNEL) feed_decode
source [file join [file dirname [info script]] .. csynth kernel.tcl]
