// The in-band packet-gap notice: packets first_missing..last_missing of a channel were lost on
// both lines. The software path (host replay), the card's feed_decode (feed_wire.hpp) and the
// market_state kernel's input all use this one encoding.
#pragma once
#include <cstdint>

#include "core/events.hpp"

namespace pw {
namespace hlsk {

// A packet-gap notice as an input word.
inline MarketEvent gap_notice(uint16_t channel, int64_t first_missing, int64_t last_missing, int64_t time_ns) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::sequence_gap;
  e.channel_id = channel;
  e.seq_num = first_missing;
  e.sending_time = time_ns;
  e.transact_time = time_ns;
  e.gap.expected_seq = first_missing;
  e.gap.received_seq = last_missing + 1;
  return e;
}

}  // namespace hlsk
}  // namespace pw
