// Sequence numbers of one direction of an order-entry session, shared by the client session and
// the simulated exchange so that both sides follow the same rules (docs/order_entry.md):
//
// - one sequence space per direction for session and application messages alike;
// - a receiver processes exactly the expected number; a lower one is a duplicate (ignored,
//   counted); a higher one means numbers are missing: the message is held until its turn, and the
//   numbers below it that never arrived are asked for with one ResendRequest(from, to). Session
//   messages that arrive early are acted on at once (a ResendRequest must be answered even while
//   the answerer waits for its own gap to be filled, or both sides would wait for ever);
// - a sender keeps its recent application messages by sequence number and answers a
//   ResendRequest with those copies (possible-resend flag) and GapFill for everything else.
//
// Only numbers that truly never arrived are asked for — never the message that revealed the gap,
// nor one already held — so two sides with gaps at the same time cannot keep asking each other.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>

#include "host/orders/order_messages.hpp"

namespace pw::oe {

enum class SeqCheck : uint8_t { in_order, duplicate, gap };

// A message kept until the numbers before it have been processed.
struct HeldMessage {
  static constexpr size_t kMaxSize = 256;  // longer (unknown) messages are asked for again instead
  uint32_t seq;
  uint16_t len;
  bool acted_on;  // its content was handled on arrival (session messages): only its number is left
  uint8_t bytes[kMaxSize];
};

// Incoming side.
class InboundSequence {
 public:
  explicit InboundSequence(uint32_t hold_capacity = 1024)
      : capacity_(hold_capacity < 1 ? 1 : hold_capacity), held_(new HeldMessage[capacity_]) {
    clear_held();
  }

  // A new stream (logon with reset, or a peer that restarted) continues at `expected`.
  void reset(uint32_t expected) {
    expected_ = expected;
    highest_ = expected - 1;
    clear_held();
  }
  // Held messages and requests belong to the old connection: whatever is still missing will be
  // asked for again on the new one.
  void new_connection() {
    highest_ = expected_ - 1;
    clear_held();
  }

  uint32_t expected() const { return expected_; }
  uint32_t last_processed() const { return expected_ - 1; }

  SeqCheck check(uint32_t seq) const {
    if (seq == expected_) return SeqCheck::in_order;
    return seq < expected_ ? SeqCheck::duplicate : SeqCheck::gap;
  }
  void advance() {
    ++expected_;
    if (highest_ < expected_ - 1) highest_ = expected_ - 1;
  }

  // Keeps message `seq` (above the expected number) until its turn. False when it cannot be kept
  // (too far ahead, too long): it then counts as missing and is asked for again.
  bool hold(uint32_t seq, const uint8_t* msg, size_t len, bool acted_on) {
    if (seq - expected_ >= capacity_ || len > HeldMessage::kMaxSize) return false;
    HeldMessage& h = held_[seq % capacity_];
    h.seq = seq;
    h.len = (uint16_t)len;
    h.acted_on = acted_on;
    std::memcpy(h.bytes, msg, len);
    return true;
  }

  // After message `seq` arrived above the expected number (and was held or not): the numbers
  // below it that never arrived and were not asked for yet. False when there are none.
  bool missing(uint32_t seq, bool held, uint32_t& from, uint32_t& to) {
    const uint32_t lo = expected_ > highest_ + 1 ? expected_ : highest_ + 1;
    const uint32_t hi = held ? seq - 1 : seq;
    if (seq > highest_) highest_ = seq;
    if (lo > hi) return false;
    from = lo;
    to = hi;
    return true;
  }

  // The held message whose turn it is, or nullptr.
  const HeldMessage* next_held() const {
    const HeldMessage& h = held_[expected_ % capacity_];
    return h.seq == expected_ && h.seq != 0 ? &h : nullptr;
  }

  // GapFill sent as message `seq` saying the next message is `new_seq`. Returns false when the
  // GapFill itself lies beyond a gap (the caller then holds it like any message in a gap).
  bool apply_gap_fill(uint32_t seq, uint32_t new_seq) {
    if (seq > expected_) return false;
    if (new_seq > expected_) {
      expected_ = new_seq;
      if (highest_ < expected_ - 1) highest_ = expected_ - 1;
    }
    return true;
  }

 private:
  void clear_held() {
    for (uint32_t i = 0; i < capacity_; ++i) held_[i].seq = 0;
  }

  uint32_t expected_ = 1;
  uint32_t highest_ = 0;  // highest number received or asked for
  uint32_t capacity_;
  std::unique_ptr<HeldMessage[]> held_;
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
