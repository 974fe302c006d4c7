// Sequence numbers of one direction of an order-entry session, shared by the client session and
// the simulated exchange so that both sides follow the same rules (docs/order_entry.md):
//
// - one sequence space per direction for session and application messages alike;
// - a receiver processes exactly the expected number; a lower one is a duplicate (ignored,
//   counted); a higher one is a gap: it asks for [expected, received] to be sent again and drops
//   the message (session messages in a gap are still acted on, then gap-filled by the peer);
// - a sender keeps its recent application messages by sequence number and answers a
//   ResendRequest with those copies (possible-resend flag) and GapFill for everything else.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>

#include "host/orders/order_messages.hpp"

namespace pw::oe {

enum class SeqCheck : uint8_t { in_order, duplicate, gap };

// Incoming side.
class InboundSequence {
 public:
  // A new stream (logon with reset) starts at 1; a resumed one keeps `expected`. Outstanding
  // resend requests belong to the old connection and are forgotten.
  void reset(uint32_t expected) {
    expected_ = expected;
    requested_to_ = 0;
  }
  void new_connection() { requested_to_ = 0; }

  uint32_t expected() const { return expected_; }
  uint32_t last_processed() const { return expected_ - 1; }

  SeqCheck check(uint32_t seq) const {
    if (seq == expected_) return SeqCheck::in_order;
    return seq < expected_ ? SeqCheck::duplicate : SeqCheck::gap;
  }
  void advance() { ++expected_; }

  // For a message `seq` above the expected one: the range to ask for, or false when an earlier
  // request already covers it (the peer answers every request in full, in order).
  bool resend_range(uint32_t seq, uint32_t& from, uint32_t& to) {
    from = expected_ > requested_to_ + 1 ? expected_ : requested_to_ + 1;
    if (from > seq) return false;
    to = seq;
    requested_to_ = seq;
    return true;
  }

  // GapFill sent as message `seq` saying the next message is `new_seq`. Returns false when the
  // GapFill itself lies beyond a gap (the caller then treats it like any message in a gap).
  bool apply_gap_fill(uint32_t seq, uint32_t new_seq) {
    if (seq > expected_) return false;
    if (new_seq > expected_) expected_ = new_seq;
    return true;
  }

 private:
  uint32_t expected_ = 1;
  uint32_t requested_to_ = 0;
};

// Outgoing side: the last `capacity` application messages, slot = sequence number mod capacity.
class ResendStore {
 public:
  explicit ResendStore(uint32_t capacity) : capacity_(capacity < 1 ? 1 : capacity), slots_(new Slot[capacity_]) { clear(); }

  void clear() {
    for (uint32_t i = 0; i < capacity_; ++i) slots_[i].seq = 0;
  }

  void put(uint32_t seq, const uint8_t* msg, size_t len) {
    if (len > kMaxMessageSize) return;  // larger messages are gap-filled on a resend request
    Slot& s = slots_[seq % capacity_];
    s.seq = seq;
    s.len = (uint16_t)len;
    std::memcpy(s.bytes, msg, len);
  }

  // The stored copy of message `seq`, or nullptr (a session message, or overwritten since).
  const uint8_t* get(uint32_t seq, uint16_t& len) const {
    const Slot& s = slots_[seq % capacity_];
    if (seq == 0 || s.seq != seq) return nullptr;
    len = s.len;
    return s.bytes;
  }

  uint32_t capacity() const { return capacity_; }

 private:
  struct Slot {
    uint32_t seq;
    uint16_t len;
    uint8_t bytes[kMaxMessageSize];
  };
  uint32_t capacity_;
  std::unique_ptr<Slot[]> slots_;
};

struct ResendAnswer {
  uint32_t messages_resent = 0;
  uint32_t gap_fills = 0;
};

// Answers ResendRequest(from, to) of the peer. `next_out` is the sender's next sequence number;
// `emit(const uint8_t*, size_t)` writes one message and returns false when it could not (the
// answer then stops: the peer will ask again for what is still missing). Resent copies carry the
// possible-resend flag and the current LastProcessedSeqNo; runs without a stored copy become one
// GapFill each, numbered with the first sequence number of the run.
template <typename Emit>
inline ResendAnswer answer_resend(const ResendRequest& req, uint32_t next_out, uint32_t last_processed,
                                  int64_t now, const ResendStore& store, Emit&& emit) {
  ResendAnswer a;
  if (next_out <= 1) return a;
  const uint32_t last_sent = next_out - 1;
  uint32_t from = req.from_sequence_number < 1 ? 1 : req.from_sequence_number;
  uint32_t to = (req.to_sequence_number == 0 || req.to_sequence_number > last_sent) ? last_sent : req.to_sequence_number;
  if (from > to) return a;
  // Nothing older than one store's worth can be held: skip straight over that part.
  const uint32_t oldest = next_out > store.capacity() ? next_out - store.capacity() : 1;

  uint8_t buf[kMaxMessageSize];
  uint32_t run_start = 0;  // first sequence number of a pending gap-fill run, 0 = none
  auto flush_run = [&](uint32_t next) {
    if (run_start == 0) return true;
    SendHeader h{run_start, last_processed, now, kFlagPossibleResend};
    GapFill g;
    g.new_sequence_number = next;
    const size_t n = encode(buf, sizeof buf, h, g);
    if (!emit(buf, n)) return false;
    ++a.gap_fills;
    run_start = 0;
    return true;
  };
  for (uint32_t seq = from; seq <= to && seq != 0; ++seq) {
    uint16_t len = 0;
    const uint8_t* stored = seq >= oldest ? store.get(seq, len) : nullptr;
    if (stored == nullptr) {
      if (run_start == 0) run_start = seq;
      if (seq < oldest) seq = (oldest > to ? to : oldest - 1);  // jump; the loop's ++ lands on oldest
      continue;
    }
    if (!flush_run(seq)) return a;
    std::memcpy(buf, stored, len);
    buf[1] |= kFlagPossibleResend;
    store_le<uint32_t>(buf + 8, last_processed);
    if (!emit(buf, len)) return a;
    ++a.messages_resent;
  }
  flush_run(to + 1);
  return a;
}

}  // namespace pw::oe
