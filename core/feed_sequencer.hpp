// A/B line arbitration and packet sequencing per channel. Both lines carry the same packets; the
// first copy of each SeqNum wins and later copies are dropped and counted. A packet that arrives
// ahead of a missing one waits in a small reorder window (the other line usually fills the hole
// within microseconds); when the window is full or the wait exceeds `max_wait_ns`, the missing
// range is declared a gap and delivery goes on — the caller then distrusts the channel's books
// until a snapshot recovers them.
//
// Fixed capacities, no allocation: usable on the host hot path and synthesizable in style.
#pragma once
#include <cstdint>
#include <cstddef>

namespace pw {

struct SequencerCounters {
  uint64_t delivered = 0;     // packets handed on, in order
  uint64_t duplicates = 0;    // a copy of a packet already delivered or buffered (A/B redundancy, resends)
  uint64_t late = 0;          // arrived after its SeqNum had been declared lost
  uint64_t reordered = 0;     // arrived ahead of a missing packet and waited in the window
  uint64_t gaps = 0;          // gap declarations
  uint64_t missing = 0;       // packets declared lost
  uint64_t oversize = 0;      // payload larger than a window slot (dropped, counted; never on this feed)
  uint64_t no_channel = 0;    // more channels than configured capacity
};

// Sink requirements (duck-typed so calls inline):
//   void deliver(uint8_t line, int64_t seq, int64_t time_ns, const uint8_t* data, uint32_t len);
//   void gap(uint16_t channel, int64_t first_missing, int64_t last_missing, int64_t time_ns);
template <int kChannels = 8, int kWindow = 32, int kSlotBytes = 1472>
class FeedSequencer {
 public:
  explicit FeedSequencer(int64_t max_wait_ns = 100000) : max_wait_ns_(max_wait_ns) {}

  // Offers one datagram (already known to be a well-formed packet of `channel` with `seq`).
  template <typename Sink>
  void offer(uint8_t line, uint16_t channel, int64_t seq, int64_t time_ns, const uint8_t* data, uint32_t len,
             Sink& sink) {
    Channel* c = find(channel);
    if (c == nullptr) {
      ++counters_.no_channel;
      return;
    }
    if (!c->started) {
      c->started = true;
      c->expected = seq;
    }
    if (seq < c->expected) {
      if (seq >= c->lost_first && seq <= c->lost_last) ++counters_.late;
      else ++counters_.duplicates;
      return;
    }
    if (seq == c->expected) {
      ++counters_.delivered;
      sink.deliver(line, seq, time_ns, data, len);
      ++c->expected;
      drain(*c, sink);
      return;
    }
    // Ahead of a hole: keep it until the hole is filled or given up.
    if (len > (uint32_t)kSlotBytes) {
      ++counters_.oversize;
      return;
    }
    for (int i = 0; i < kWindow; ++i) {
      if (c->slots[i].used && c->slots[i].seq == seq) {
        ++counters_.duplicates;
        return;
      }
    }
    int free_slot = free_slot_of(*c);
    if (free_slot < 0) {  // window full: give up on the hole now, then place this packet again
      declare_gap(*c, time_ns, sink);
      if (seq < c->expected) {
        ++counters_.late;
        return;
      }
      if (seq == c->expected) {
        ++counters_.delivered;
        sink.deliver(line, seq, time_ns, data, len);
        ++c->expected;
        drain(*c, sink);
        return;
      }
      free_slot = free_slot_of(*c);
    }
    Slot& s = c->slots[free_slot];
    s.used = true;
    s.seq = seq;
    s.line = line;
    s.time_ns = time_ns;
    s.len = len;
    for (uint32_t i = 0; i < len; ++i) s.data[i] = data[i];
    ++c->buffered;
    ++counters_.reordered;
    if (c->buffered == 1) c->oldest_wait_start = time_ns;
  }

  // Declares gaps for holes that have waited longer than max_wait_ns; call with the current time.
  template <typename Sink>
  void poll(int64_t now_ns, Sink& sink) {
    for (int i = 0; i < used_channels_; ++i) {
      Channel& c = channels_[i];
      if (c.buffered > 0 && now_ns - c.oldest_wait_start > max_wait_ns_) declare_gap(c, now_ns, sink);
    }
  }

  // Gives up on every hole (end of input).
  template <typename Sink>
  void flush(int64_t now_ns, Sink& sink) {
    for (int i = 0; i < used_channels_; ++i)
      while (channels_[i].buffered > 0) declare_gap(channels_[i], now_ns, sink);
  }

  const SequencerCounters& counters() const { return counters_; }
  // Next SeqNum expected on a channel (0 when the channel has not been seen).
  int64_t expected(uint16_t channel) const {
    for (int i = 0; i < used_channels_; ++i)
      if (channels_[i].id == channel) return channels_[i].expected;
    return 0;
  }

 private:
  struct Slot {
    bool used;
    uint8_t line;
    uint32_t len;
    int64_t seq;
    int64_t time_ns;
    uint8_t data[kSlotBytes];
  };
  struct Channel {
    uint16_t id;
    bool started;
    int64_t expected;
    int64_t lost_first;
    int64_t lost_last;
    int buffered;
    int64_t oldest_wait_start;
    Slot slots[kWindow];
  };

  int free_slot_of(const Channel& c) const {
    for (int i = 0; i < kWindow; ++i)
      if (!c.slots[i].used) return i;
    return -1;
  }

  Channel* find(uint16_t id) {
    // Compared without a branch per channel (a select): which channel a packet belongs to varies
    // from packet to packet, and an early exit would mispredict on it.
    int hit = -1;
    for (int i = kChannels - 1; i >= 0; --i)
      if (i < used_channels_) hit = channels_[i].id == id ? i : hit;
    if (hit >= 0) return &channels_[hit];
    if (used_channels_ == kChannels) return nullptr;
    Channel& c = channels_[used_channels_++];
    c.id = id;
    c.started = false;
    c.expected = 0;
    c.lost_first = 1;
    c.lost_last = 0;
    c.buffered = 0;
    c.oldest_wait_start = 0;
    for (int i = 0; i < kWindow; ++i) c.slots[i].used = false;
    return &c;
  }

  // Delivers buffered packets that have become next in line.
  template <typename Sink>
  void drain(Channel& c, Sink& sink) {
    bool progressed = true;
    while (progressed && c.buffered > 0) {
      progressed = false;
      for (int i = 0; i < kWindow; ++i) {
        Slot& s = c.slots[i];
        if (s.used && s.seq == c.expected) {
          ++counters_.delivered;
          sink.deliver(s.line, s.seq, s.time_ns, s.data, s.len);
          s.used = false;
          --c.buffered;
          ++c.expected;
          progressed = true;
          break;
        }
      }
    }
    if (c.buffered > 0) c.oldest_wait_start = oldest_time(c);
  }

  int64_t oldest_time(const Channel& c) const {
    int64_t t = INT64_MAX;
    for (int i = 0; i < kWindow; ++i)
      if (c.slots[i].used && c.slots[i].time_ns < t) t = c.slots[i].time_ns;
    return t;
  }

  // The hole before the lowest buffered packet is lost: report it and resume from there.
  template <typename Sink>
  void declare_gap(Channel& c, int64_t now_ns, Sink& sink) {
    int64_t lowest = INT64_MAX;
    for (int i = 0; i < kWindow; ++i)
      if (c.slots[i].used && c.slots[i].seq < lowest) lowest = c.slots[i].seq;
    if (lowest == INT64_MAX) return;
    ++counters_.gaps;
    counters_.missing += (uint64_t)(lowest - c.expected);
    c.lost_first = c.expected;
    c.lost_last = lowest - 1;
    sink.gap(c.id, c.expected, lowest - 1, now_ns);
    c.expected = lowest;
    drain(c, sink);
  }

  int64_t max_wait_ns_;
  int used_channels_ = 0;
  SequencerCounters counters_;
  Channel channels_[kChannels];
};

}  // namespace pw
