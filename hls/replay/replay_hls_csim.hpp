// `perpwire replay --backend hls-csim`: the card's feed path with the HLS kernels run as C++.
// Frames of lines A and B → the software FeedPipeline's framing checks and A/B arbitration (the RTL
// front end does that on the card) → feed_decode (C-simulation) → market_state (C-simulation),
// packet-gap notices in-band between the events → StateRecords into the sink. The state log must
// equal replay_software's record for record (tests/hls/test_market_state_csim.cpp).
#pragma once
#include <string>

#include "host/pipeline/replay.hpp"

namespace pw {

bool replay_hls_csim(const ReplayInputs& in, RecordSink& sink, BackendReport& report, std::string& error);

}  // namespace pw
