#include "host/pipeline/feed_pipeline.hpp"

#include "core/md_normalize.hpp"

namespace pw {

FeedPipeline::FeedPipeline(EventSink& sink, int64_t reorder_wait_ns)
    : sink_(sink), seq_(std::make_unique<Sequencer>(reorder_wait_ns)) {}

void FeedPipeline::on_net_drop(uint8_t line, NetError e) {
  ++counters_.frames[line & 1];
  ++counters_.net_drops[(size_t)e];
}

void FeedPipeline::on_datagram(uint8_t line, int64_t time_ns, const uint8_t* payload, uint32_t len) {
  ++counters_.frames[line & 1];
  seq_->poll(time_ns, *this);
  // A damaged copy must not win arbitration: check the framing before offering it.
  const md::DecodeFault f = md::check_framing(payload, len);
  if (f.error != md::DecodeError::none) {
    ++counters_.damaged[(size_t)f.error];
    return;
  }
  ++counters_.datagrams;
  const md::PacketHeader h = md::read_packet_header(payload);
  seq_->offer(line, h.channel_id, h.seq_num, time_ns, payload, len, *this);
}

void FeedPipeline::poll(int64_t now_ns) { seq_->poll(now_ns, *this); }

void FeedPipeline::finish(int64_t now_ns) { seq_->flush(now_ns, *this); }

void FeedPipeline::deliver(uint8_t, int64_t, int64_t time_ns, const uint8_t* data, uint32_t len) {
  if (datagrams_ != nullptr) {
    datagrams_->on_arbitrated(time_ns, data, len);
    return;
  }
  md::PacketReader r;
  md::DecodeFault f = r.open(data, len);
  md::Message m;
  MarketEvent e;
  for (;;) {
    const md::Step s = r.next(m, f);
    if (s == md::Step::end) break;
    if (s == md::Step::fault) {
      ++counters_.skipped[(size_t)f.error];
      continue;
    }
    if (!md::normalize(r.header(), m, e)) continue;
    ++counters_.events;
    sink_.on_event(e);
  }
}

void FeedPipeline::gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) {
  const int64_t requests = retransmit_.plan(first, last, time_ns);
  if (retransmit_send_) {
    uint8_t buf[64];
    for (int64_t k = 0; k < requests; ++k) {
      const int64_t begin = first + k * kRetransmitMaxPerRequest;
      const int64_t count = last - begin + 1 < kRetransmitMaxPerRequest ? last - begin + 1 : kRetransmitMaxPerRequest;
      const size_t n = encode_retransmit_request(buf, sizeof buf, time_ns, channel, begin, count);
      if (n != 0) retransmit_send_(channel, buf, n);
    }
  }
  sink_.on_packet_gap(channel, first, last, time_ns);
}

}  // namespace pw
