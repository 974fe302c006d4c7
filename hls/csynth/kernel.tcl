# C-synthesis (and C-simulation when the kernel has a testbench) of one perpwire kernel, driven by
# scripts/csynth.sh through the environment: PW_ROOT, PW_KERNEL, PW_OUT, PW_PART, PW_CLOCK_NS.
set root   $::env(PW_ROOT)
set kernel $::env(PW_KERNEL)
set cflags "-std=c++17 -I$root -I$root/hls/include"

open_project -reset $::env(PW_OUT)/$kernel
set_top $kernel
foreach f [glob -nocomplain $root/hls/$kernel/*.cpp] {
  if {![string match *_tb.cpp $f]} { add_files $f -cflags $cflags }
}
set tb [glob -nocomplain $root/hls/$kernel/*_tb.cpp]
foreach f $tb { add_files -tb $f -cflags $cflags }
open_solution -reset solution -flow_target vitis
set_part $::env(PW_PART)
create_clock -period $::env(PW_CLOCK_NS) -name default
if {[llength $tb] > 0} { csim_design }
csynth_design
exit
