// The feed's retransmit path: packets lost on both lines can be asked for again with
// RetransmitRequest (template 200: BeginSeqNum, RequestMessageCount ≤ 255 packets per request),
// under a request budget — a token bucket in feed time, and a largest gap worth asking for. A gap
// beyond either is left to the snapshot cycle (the books stay unsynced until it comes round).
// Header-only C++17, no heap.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/md_encode.hpp"
#include "core/md_schema.hpp"

namespace pw {

constexpr int64_t kRetransmitMaxPerRequest = 255;  // RequestMessageCount is a uint8

struct RetransmitPolicy {
  int64_t max_gap_packets = 1000;      // larger gaps go to snapshot recovery at once
  int64_t requests_per_second = 10;    // token refill in feed time
  int64_t burst = 20;                  // bucket size in requests
};

struct RetransmitCounters {
  uint64_t gaps;              // gaps offered
  uint64_t requests;          // RetransmitRequests encoded
  uint64_t packets;           // packets asked for
  uint64_t too_large;         // gaps beyond max_gap_packets: snapshot recovery
  uint64_t over_budget;       // gaps refused by the bucket: snapshot recovery
};

// Encodes one RetransmitRequest datagram for `count` (1 … 255) packets from `begin_seq` of
// `channel`. Returns its length, or 0 when `cap` is too small or the count out of range.
inline size_t encode_retransmit_request(uint8_t* buf, size_t cap, int64_t sending_time, uint16_t channel, int64_t begin_seq,
                                        int64_t count) {
  if (count < 1 || count > kRetransmitMaxPerRequest || begin_seq < 1) return 0;
  if (cap < md::kPacketHeaderSize + md::PacketBuilder::frame_size(md::kRetransmitRequest.block_length)) return 0;
  md::PacketBuilder b;
  b.begin(buf, cap, sending_time, 0, channel, 0, 0);
  uint8_t* body = b.add(md::kRetransmitRequest);
  if (body == nullptr) return 0;
  write_field<PW_FIELD(md::kRetransmitRequest, begin_seq_num)>(body, begin_seq);
  write_field<PW_FIELD(md::kRetransmitRequest, request_message_count)>(body, count);
  return b.length();
}

// Decides, gap by gap, whether to ask for it again and splits it into requests.
class RetransmitPlanner {
 public:
  static constexpr int64_t kTokenScale = 1000000000;  // tokens ×1e9, refilled per ns of feed time

  explicit RetransmitPlanner(const RetransmitPolicy& p = RetransmitPolicy{}) { reset(p); }

  void reset(const RetransmitPolicy& p) {
    policy_ = p;
    tokens_ = p.burst * kTokenScale;
    last_ = kNullTime;
    counters_ = RetransmitCounters{};
  }

  // Packets first … last were lost on every line at feed time `now`. Returns the number of
  // requests needed (0: left to the snapshot cycle, counted why); each covers up to 255 packets:
  // request k starts at first + 255·k.
  int64_t plan(int64_t first, int64_t last, int64_t now) {
    ++counters_.gaps;
    const int64_t n = last - first + 1;
    if (n < 1 || n > policy_.max_gap_packets) {
      ++counters_.too_large;
      return 0;
    }
    refill(now);
    const int64_t requests = (n + kRetransmitMaxPerRequest - 1) / kRetransmitMaxPerRequest;
    if (tokens_ < requests * kTokenScale) {
      ++counters_.over_budget;
      return 0;
    }
    tokens_ -= requests * kTokenScale;
    counters_.requests += (uint64_t)requests;
    counters_.packets += (uint64_t)n;
    return requests;
  }

  const RetransmitCounters& counters() const { return counters_; }

 private:
  static constexpr int64_t kNullTime = INT64_MIN;

  void refill(int64_t now) {
    if (last_ != kNullTime && now > last_) {
      const int64_t cap = policy_.burst * kTokenScale;
      // rate × elapsed ns, saturating at the bucket size (elapsed capped so the product fits).
      const int64_t elapsed = now - last_ > 1000000000000LL ? 1000000000000LL : now - last_;
      const int64_t add = policy_.requests_per_second * elapsed;
      tokens_ = tokens_ + add > cap || tokens_ + add < tokens_ ? cap : tokens_ + add;
    }
    if (last_ == kNullTime || now > last_) last_ = now;
  }

  RetransmitPolicy policy_;
  int64_t tokens_;
  int64_t last_;
  RetransmitCounters counters_;
};

}  // namespace pw
