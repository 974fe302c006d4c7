// The software feed path: UDP payloads of lines A and B → framing checks → A/B arbitration and
// sequencing → decode → normalized events → the market-state stage. Drops are counted by reason.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/events.hpp"
#include "core/feed_sequencer.hpp"
#include "core/md_decode.hpp"
#include "core/net_parse.hpp"
#include "core/retransmit.hpp"

namespace pw {

// Receives the pipeline's output: one call per normalized event and per declared packet gap.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const MarketEvent& e) = 0;
  virtual void on_packet_gap(uint16_t channel, int64_t first_missing, int64_t last_missing, int64_t time_ns) = 0;
};

// Takes the arbitrated datagrams in place of the software decoder (a backend that decodes them
// itself, e.g. the feed_decode kernel); `data` is valid during the call only.
class DatagramSink {
 public:
  virtual ~DatagramSink() = default;
  virtual void on_arbitrated(int64_t time_ns, const uint8_t* data, uint32_t len) = 0;
};

struct FeedCounters {
  uint64_t frames[2] = {0, 0};           // per line
  uint64_t datagrams = 0;                // well-framed datagrams offered to arbitration
  uint64_t events = 0;
  std::array<uint64_t, (size_t)NetError::count_> net_drops{};
  std::array<uint64_t, (size_t)md::DecodeError::count_> damaged{};  // copies rejected before arbitration
  std::array<uint64_t, (size_t)md::DecodeError::count_> skipped{};  // messages skipped after arbitration
};

class FeedPipeline {
 public:
  using Sequencer = FeedSequencer<16, 64, 1472>;

  FeedPipeline(EventSink& sink, int64_t reorder_wait_ns);

  // One frame from line 0 (A) or 1 (B) as it came off the port or out of the capture: parsed
  // (core/net_parse.hpp parse_frame) to its UDP payload and offered to arbitration, or counted as a
  // drop by reason. Every input of every command comes in here. Returns the parse result.
  NetError on_frame(uint8_t line, int64_t time_ns, LinkType link, const uint8_t* frame, uint32_t len) {
    L4View v;
    const NetError e = parse_frame(link, frame, len, false, v);
    if (e != NetError::none) on_net_drop(line, e);
    else on_datagram(line, time_ns, v.payload, v.payload_len);
    return e;
  }
  // A datagram already parsed to its UDP payload (generated payloads, the RTL front end's output).
  void on_datagram(uint8_t line, int64_t time_ns, const uint8_t* payload, uint32_t len);
  void on_net_drop(uint8_t line, NetError e);
  // Gives up on holes older than the reorder wait (call as time passes) or all of them (end of data).
  void poll(int64_t now_ns);
  void finish(int64_t now_ns);

  // Arbitrated datagrams go to `d` instead of the decoder (nullptr: decode in software). Packet
  // gaps still reach the EventSink, in their place between the datagrams.
  void set_datagram_sink(DatagramSink* d) { datagrams_ = d; }

  // The retransmit path: each gap is offered to the planner (budget, largest gap); the requests it
  // allows are encoded and handed to `send` (channel, datagram) — the exchange's retransmit
  // endpoint in a live run. Without `send` they are counted only; recovery is then the snapshot
  // cycle either way.
  using RetransmitSend = std::function<void(uint16_t channel, const uint8_t* data, size_t len)>;
  void set_retransmit(const RetransmitPolicy& policy, RetransmitSend send) {
    retransmit_.reset(policy);
    retransmit_send_ = std::move(send);
  }
  const RetransmitCounters& retransmit() const { return retransmit_.counters(); }

  const FeedCounters& counters() const { return counters_; }
  const SequencerCounters& sequencing() const { return seq_->counters(); }

  // Sequencer callbacks.
  void deliver(uint8_t line, int64_t seq, int64_t time_ns, const uint8_t* data, uint32_t len);
  void gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns);

 private:
  EventSink& sink_;
  std::unique_ptr<Sequencer> seq_;
  FeedCounters counters_;
  DatagramSink* datagrams_ = nullptr;
  RetransmitPlanner retransmit_;
  RetransmitSend retransmit_send_;
};

}  // namespace pw
