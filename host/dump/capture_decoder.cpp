#include "host/dump/capture_decoder.hpp"

#include <fmt/format.h>

#include <tuple>

#include "core/md_decode.hpp"
#include "core/orders_codec.hpp"
#include "host/dump/message_json.hpp"
#include "host/io/pcap_source.hpp"

namespace pw {
namespace {

std::string error_line(uint64_t frame, const std::string& text) {
  std::string s = fmt::format("{{\"frame\":{},\"error\":", frame);
  append_json_string(s, text.data(), text.size());
  s += '}';
  return s;
}

void count_error(DecodeCounts& c, const char* reason) {
  ++c.errors;
  ++c.per_error[reason];
}

void decode_md_datagram(uint64_t frame, const uint8_t* p, uint32_t len,
                        const std::function<void(const std::string&)>& emit, DecodeCounts& c) {
  md::PacketReader reader;
  md::DecodeFault f = reader.open(p, len);
  if (f.error != md::DecodeError::none) {
    count_error(c, md::decode_error_name(f.error));
    emit(error_line(frame, describe(f)));
    return;
  }
  std::string prefix = fmt::format("{{\"frame\":{}", frame);
  append_fields(prefix, md::kPacketHeader, p, md::kPacketHeaderSize);
  md::Message m;
  for (;;) {
    const md::Step step = reader.next(m, f);
    if (step == md::Step::end) break;
    if (step == md::Step::fault) {
      count_error(c, md::decode_error_name(f.error));
      emit(error_line(frame, describe(f)));
      continue;
    }
    ++c.messages;
    ++c.per_template[m.layout->name];
    std::string line = prefix;
    append_fields(line, md::kMessageHeader, m.header, md::kMessageHeaderSize);
    line += ",\"message\":\"";
    line += m.layout->name;
    line += '"';
    append_fields(line, *m.layout, m.body, m.block_length);
    line += '}';
    emit(line);
  }
}

// Reassembles one direction of a TCP connection: keeps the bytes of a message that spans
// segments, drops retransmitted bytes, and reports a hole in the stream.
struct TcpStream {
  std::string pending;
  uint32_t next_seq = 0;
  bool started = false;
};

void decode_orders_segment(uint64_t frame, TcpStream& s, const L4View& v,
                           const std::function<void(const std::string&)>& emit, DecodeCounts& c) {
  const uint8_t* data = v.payload;
  uint32_t len = v.payload_len;
  if (len == 0) return;
  if (s.started) {
    const int32_t delta = (int32_t)(v.tcp_seq - s.next_seq);
    if (delta < 0) {  // retransmission: skip what was already taken
      const uint32_t seen = (uint32_t)(-delta);
      if (seen >= len) return;
      data += seen;
      len -= seen;
    } else if (delta > 0) {
      count_error(c, "tcp_gap");
      emit(error_line(frame, fmt::format("tcp_gap: {} bytes of the TCP stream are missing before this segment; "
                                         "{} buffered bytes discarded", delta, s.pending.size())));
      s.pending.clear();
    }
  }
  s.started = true;
  s.next_seq = v.tcp_seq + v.payload_len;
  s.pending.append(reinterpret_cast<const char*>(data), len);

  const uint8_t* buf = reinterpret_cast<const uint8_t*>(s.pending.data());
  size_t pos = 0;
  orders::Message m;
  orders::DecodeFault f;
  for (;;) {
    const orders::Step step = orders::read_message(buf, s.pending.size(), pos, m, f);
    if (step == orders::Step::end || step == orders::Step::incomplete) break;
    if (step == orders::Step::fault) {
      count_error(c, orders::decode_error_name(f.error));
      emit(error_line(frame, describe(f)));
      if (f.error == orders::DecodeError::message_length_too_small) {  // cannot re-frame: drop the rest
        pos = s.pending.size();
        break;
      }
      continue;
    }
    ++c.messages;
    ++c.per_template[m.layout->name];
    std::string line = fmt::format("{{\"frame\":{}", frame);
    append_fields(line, orders::kMessageHeader, m.header, orders::kHeaderSize);
    line += ",\"message\":\"";
    line += m.layout->name;
    line += '"';
    append_fields(line, *m.layout, m.body, m.block_length);
    if (m.layout->var_data) {
      line += ",\"data\":\"";
      for (uint8_t i = 0; i < m.var_length; ++i) fmt::format_to(std::back_inserter(line), "{:02x}", m.var_data[i]);
      line += '"';
    }
    line += '}';
    emit(line);
  }
  s.pending.erase(0, pos);
}

}  // namespace

bool decode_capture(const std::string& path, WireProtocol protocol,
                    const std::function<void(const std::string&)>& emit, DecodeCounts& counts,
                    std::string& error) {
  PcapSource src;
  if (!src.open(path)) {
    error = src.error();
    return false;
  }
  std::map<std::tuple<uint32_t, uint16_t, uint32_t, uint16_t>, TcpStream> streams;
  Frame fr;
  L4View v;
  while (src.next(fr)) {
    ++counts.frames;
    const bool want_tcp = protocol == WireProtocol::orders;
    const NetError ne = src.parse(fr, want_tcp, v);
    if (ne != NetError::none) {
      count_error(counts, net_error_name(ne));
      emit(error_line(fr.number, describe(ne, fr.caplen)));
      continue;
    }
    if (protocol == WireProtocol::market_data) {
      decode_md_datagram(fr.number, v.payload, v.payload_len, emit, counts);
    } else if (v.protocol == kIpProtoTcp) {
      decode_orders_segment(fr.number, streams[{v.src_ip, v.src_port, v.dst_ip, v.dst_port}], v, emit, counts);
    } else {
      count_error(counts, "not_tcp");
      emit(error_line(fr.number, "not_tcp: order entry travels over TCP; this frame is UDP"));
    }
  }
  for (const auto& [key, s] : streams) {
    if (!s.pending.empty()) {
      count_error(counts, "message_incomplete");
      emit(error_line(counts.frames, fmt::format("message_incomplete: the capture ends inside a message ({} bytes of it)",
                                                 s.pending.size())));
    }
  }
  if (!src.error().empty()) {
    count_error(counts, "capture_damaged");
    emit(error_line(counts.frames, src.error()));
  }
  return true;
}

std::string format_summary(const std::string& path, const DecodeCounts& c) {
  std::string s = fmt::format("{}: {} frames, {} messages, {} errors\n", path, c.frames, c.messages, c.errors);
  if (!c.per_template.empty()) {
    s += "messages per template:\n";
    for (const auto& [name, n] : c.per_template) s += fmt::format("  {:<40} {:>12}\n", name, n);
  }
  if (!c.per_error.empty()) {
    s += "errors per reason:\n";
    for (const auto& [name, n] : c.per_error) s += fmt::format("  {:<40} {:>12}\n", name, n);
  }
  return s;
}

}  // namespace pw
