// The `verilator` backend of `perpwire replay`: the captures through the card's path in simulation
// — rtl/perpwire_nic_top in Verilator, then the feed_decode and market_state kernels in
// C-simulation (sim/cosim, hls/) — and the kernel's state records into the RecordSink. The co-simulation runs the RTL
// arbiter without its hold window: its state log is specified to equal the software path's with reorder_wait 0.
#pragma once
#include <string>

#include "host/pipeline/replay.hpp"

namespace pw {

bool replay_verilator(const ReplayInputs& in, RecordSink& sink, BackendReport& report, std::string& error);

}  // namespace pw
