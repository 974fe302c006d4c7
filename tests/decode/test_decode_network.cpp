// The network layer under the decoders (core/net_parse.hpp): each damaged Ethernet/IPv4/UDP/TCP
// field is rejected with its own reason, headers cut at every byte are caught, VLAN tags, IPv4 and
// TCP options and Ethernet padding are handled — directly and through `perpwire decode`, whose
// error lines and --summary counts are checked per reason.
#include <doctest/doctest.h>

#include "core/md_decode.hpp"
#include "core/net_parse.hpp"
#include "tests/decode/capture_helpers.hpp"
#include "tests/decode/wire_model.hpp"

using namespace pw;
using namespace pw::test;

namespace {

MdDatagram datagram() {
  Rng rng(0x1e7);
  return make_md_datagram(rng, {MdShape{&md::kOrderPut}, MdShape{&md::kTrade}});
}

std::vector<uint8_t> orders_payload() {
  Rng rng(0x7c9);
  return make_orders_stream(rng, {OrdersShape{&orders::kNewOrder}, OrdersShape{&orders::kHeartbeat}}).bytes;
}

NetError parse(const std::vector<uint8_t>& frame, bool tcp, L4View& v) {
  const std::vector<uint8_t> exact(frame);  // exactly sized: an overread fails under ASan
  const NetError e = parse_ethernet(exact.data(), exact.size(), tcp, v);
  if (e == NetError::none) {  // make the view point into `frame` for the callers' comparisons
    v.payload = frame.data() + (v.payload - exact.data());
  }
  return e;
}

struct NetCase {
  std::string name;
  std::vector<uint8_t> frame;
  NetError want;
  bool tcp = false;  // parsed as order entry (TCP accepted)
};

BuiltFrame udp(const std::vector<uint8_t>& payload, FrameSpec fs = {}) { return build_frame(fs, payload); }

BuiltFrame tcp(const std::vector<uint8_t>& payload, FrameSpec fs = {}) {
  fs.ip_protocol = 6;
  return build_frame(fs, payload);
}

std::vector<uint8_t> prefix(const std::vector<uint8_t>& v, size_t n) {
  return std::vector<uint8_t>(v.begin(), v.begin() + (long)n);
}

template <typename Edit>
std::vector<uint8_t> damaged(BuiltFrame f, Edit edit, bool fix_checksum = true) {
  edit(f);
  if (fix_checksum) fix_ipv4_checksum(f);
  return f.bytes;
}

}  // namespace

TEST_CASE("IPv4 header checksum of the frame builder agrees with core/net_parse") {
  for (uint8_t words = 0; words <= 10; ++words) {
    FrameSpec fs;
    fs.ip_option_words = words;
    fs.ip_id = (uint16_t)(words * 7919);
    const BuiltFrame f = udp(datagram().bytes, fs);
    const size_t ihl = 20 + 4u * words;
    CHECK(ipv4_checksum(f.bytes.data() + f.ip, ihl) == 0);
    CHECK(ipv4_header_checksum(f.bytes.data() + f.ip, ihl) == load_be16(f.bytes.data() + f.ip + 10));
  }
}

TEST_CASE("well-formed frames: VLAN tags, IPv4 and TCP options, Ethernet padding") {
  const MdDatagram d = datagram();
  for (int vlan : {-1, 0, 17, 4095}) {
    for (uint8_t opt : {0, 1, 10}) {
      FrameSpec fs;
      fs.vlan_id = vlan;
      fs.ip_option_words = opt;
      const BuiltFrame f = udp(d.bytes, fs);
      L4View v{};
      REQUIRE(parse(f.bytes, false, v) == NetError::none);
      CHECK(v.vlan_id == (vlan < 0 ? 0xFFFF : vlan));
      CHECK(v.protocol == kIpProtoUdp);
      CHECK(v.src_ip == fs.src_ip);
      CHECK(v.dst_ip == fs.dst_ip);
      CHECK(v.src_port == fs.src_port);
      CHECK(v.dst_port == fs.dst_port);
      CHECK(v.payload == f.bytes.data() + f.payload);
      CHECK(v.payload_len == d.bytes.size());
    }
  }
  const std::vector<uint8_t> op = orders_payload();
  for (uint8_t opt : {0, 3, 10}) {
    FrameSpec fs;
    fs.tcp_option_words = opt;
    fs.tcp_seq = 0xFFFFFFF0u;
    fs.vlan_id = opt == 3 ? 100 : -1;
    const BuiltFrame f = tcp(op, fs);
    L4View v{};
    REQUIRE(parse(f.bytes, true, v) == NetError::none);
    CHECK(v.protocol == kIpProtoTcp);
    CHECK(v.tcp_seq == 0xFFFFFFF0u);
    CHECK(v.payload == f.bytes.data() + f.payload);
    CHECK(v.payload_len == op.size());
    CHECK(parse(f.bytes, false, v) == NetError::not_udp);  // the feed takes UDP only
  }
  // Short payloads in a frame padded to the 60-byte Ethernet minimum: the padding is not payload.
  for (size_t n : {0, 1, 10, 17, 18}) {
    const std::vector<uint8_t> payload(n, 0xAA);
    const BuiltFrame f = udp(payload);
    CHECK(f.bytes.size() == 60);
    L4View v{};
    REQUIRE(parse(f.bytes, false, v) == NetError::none);
    CHECK(v.payload_len == n);
    const BuiltFrame t = tcp(std::vector<uint8_t>(n > 6 ? 6 : n, 0xAA));
    REQUIRE(parse(t.bytes, true, v) == NetError::none);
    CHECK(v.payload_len == (n > 6 ? 6 : n));
  }
  // A UDP length shorter than the IPv4 payload bounds the datagram (as Linux trims it).
  {
    BuiltFrame f = udp(d.bytes);
    store_be16(f.bytes.data() + f.l4 + 4, (uint16_t)(8 + d.bytes.size() - 40));
    L4View v{};
    REQUIRE(parse(f.bytes, false, v) == NetError::none);
    CHECK(v.payload_len == d.bytes.size() - 40);
  }
}

TEST_CASE("each damaged network field is dropped with its own reason, directly and in perpwire decode") {
  const std::vector<uint8_t> p = datagram().bytes;
  const std::vector<uint8_t> op = orders_payload();
  FrameSpec vlan;
  vlan.vlan_id = 7;
  std::vector<NetCase> cases = {
      {"bad IPv4 checksum", damaged(udp(p), [](BuiltFrame& f) { f.bytes[f.ip + 11] ^= 0x01; }, false), NetError::ip_bad_checksum},
      {"bad IPv4 checksum under VLAN", damaged(udp(p, vlan), [](BuiltFrame& f) { f.bytes[f.ip + 10] ^= 0x80; }, false),
       NetError::ip_bad_checksum},
      {"a header byte changed after the checksum", damaged(udp(p), [](BuiltFrame& f) { f.bytes[f.ip + 8] = 1; }, false),
       NetError::ip_bad_checksum},
      {"more fragments", damaged(udp(p), [](BuiltFrame& f) { store_be16(f.bytes.data() + f.ip + 6, 0x2000); }), NetError::ip_fragment},
      {"fragment offset", damaged(udp(p), [](BuiltFrame& f) { store_be16(f.bytes.data() + f.ip + 6, 0x0001); }), NetError::ip_fragment},
      {"fragment offset 0x1000", damaged(udp(p), [](BuiltFrame& f) { store_be16(f.bytes.data() + f.ip + 6, 0x1000); }), NetError::ip_fragment},
      {"last fragment", damaged(udp(p), [](BuiltFrame& f) { store_be16(f.bytes.data() + f.ip + 6, 0x40B9); }), NetError::ip_fragment},
      {"ICMP", damaged(udp(p), [](BuiltFrame& f) { f.bytes[f.ip + 9] = 1; }), NetError::not_udp},
      {"TCP on the feed", tcp(p).bytes, NetError::not_udp},
      {"UDP length below 8", damaged(udp(p), [](BuiltFrame& f) { store_be16(f.bytes.data() + f.l4 + 4, 7); }), NetError::udp_bad_length},
      {"UDP length past the IPv4 payload",
       damaged(udp(p), [&](BuiltFrame& f) { store_be16(f.bytes.data() + f.l4 + 4, (uint16_t)(8 + p.size() + 1)); }),
       NetError::udp_bad_length},
      {"IPv4 payload too short for UDP",
       damaged(udp({}), [](BuiltFrame& f) { store_be16(f.bytes.data() + f.ip + 2, 20 + 7); }), NetError::udp_truncated},
      {"not IPv4 (ARP)", damaged(udp(p), [](BuiltFrame& f) { store_be16(f.bytes.data() + 12, 0x0806); }), NetError::not_ipv4},
      {"IPv6 ethertype", damaged(udp(p), [](BuiltFrame& f) { store_be16(f.bytes.data() + 12, 0x86DD); }), NetError::not_ipv4},
      {"two VLAN tags", damaged(udp(p, vlan), [](BuiltFrame& f) { store_be16(f.bytes.data() + 16, 0x8100); }), NetError::not_ipv4},
      {"IP version 6", damaged(udp(p), [](BuiltFrame& f) { f.bytes[f.ip] = 0x65; }), NetError::ip_bad_version},
      {"IHL 4", damaged(udp(p), [](BuiltFrame& f) { f.bytes[f.ip] = 0x44; }, false), NetError::ip_bad_header_length},
      {"IHL 0", damaged(udp(p), [](BuiltFrame& f) { f.bytes[f.ip] = 0x40; }, false), NetError::ip_bad_header_length},
      {"IHL past the frame", damaged(udp({}), [](BuiltFrame& f) { f.bytes.resize(f.ip + 40); f.bytes[f.ip] = 0x4F; }, false),
       NetError::ip_truncated},
      {"total length shorter than the header",
       damaged(udp(p), [](BuiltFrame& f) { store_be16(f.bytes.data() + f.ip + 2, 19); }), NetError::ip_bad_total_length},
      {"total length past the frame",
       damaged(udp(p), [&](BuiltFrame& f) { store_be16(f.bytes.data() + f.ip + 2, (uint16_t)(28 + p.size() + 1)); }),
       NetError::ip_bad_total_length},
      {"frame of 13 bytes", prefix(udp(p).bytes, 13), NetError::frame_truncated},
      {"VLAN frame of 17 bytes", prefix(udp(p, vlan).bytes, 17),
       NetError::frame_truncated},
      {"IPv4 header cut", prefix(udp(p).bytes, 14 + 19), NetError::ip_truncated},
      {"TCP header cut", damaged(tcp({}), [](BuiltFrame& f) { store_be16(f.bytes.data() + f.ip + 2, 20 + 19); }),
       NetError::tcp_truncated, true},
      {"TCP data offset past the segment", damaged(tcp(op), [&](BuiltFrame& f) {
         store_be16(f.bytes.data() + f.ip + 2, 20 + 40);
         f.bytes[f.l4 + 12] = 0xF0;
       }),
       NetError::tcp_truncated, true},
      {"TCP data offset below 5", damaged(tcp(op), [](BuiltFrame& f) { f.bytes[f.l4 + 12] = 0x40; }), NetError::tcp_truncated, true},
      {"UDP on the order-entry path", udp(op).bytes, NetError::none, true},  // parses; the decoder says not_tcp
  };
  TempPcap md_pcap("net_md"), or_pcap("net_orders");
  std::vector<std::pair<uint64_t, const NetCase*>> md_frames, or_frames;
  std::map<std::string, uint64_t> md_reasons, or_reasons;
  for (const NetCase& c : cases) {
    CAPTURE(c.name);
    L4View v{};
    CHECK(net_error_name(parse(c.frame, c.tcp, v)) == std::string(net_error_name(c.want)));
    if (c.tcp) {
      or_frames.emplace_back(or_pcap.add(c.frame), &c);
      ++or_reasons[c.want == NetError::none ? "not_tcp" : net_error_name(c.want)];
    } else {
      md_frames.emplace_back(md_pcap.add(c.frame), &c);
      ++md_reasons[net_error_name(c.want)];
    }
  }
  // Frames that pass, between the damaged ones: their messages still decode.
  const uint64_t good_md = md_pcap.add(udp(p, vlan).bytes);
  FrameSpec tvlan = vlan;
  tvlan.ip_protocol = 6;
  tvlan.src_port = 1;
  const uint64_t good_or = or_pcap.add(build_frame(tvlan, op).bytes);

  const DecodedCapture md_out = decode_pcap(md_pcap, WireProtocol::market_data);
  for (const auto& frame_case : md_frames) {
    const uint64_t n = frame_case.first;
    const NetCase* c = frame_case.second;
    CAPTURE(c->name);
    const auto lines = md_out.frame(n);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]->size() == 2);
    CHECK(lines[0]->at("error").text == std::string(net_error_name(c->want)) + ": frame of " +
                                            std::to_string(c->frame.size()) +
                                            " bytes rejected by the Ethernet/IPv4/UDP checks");
  }
  CHECK(md_out.frame(good_md).size() == 2);
  CHECK(md_out.counts.messages == 2);
  CHECK(md_out.counts.per_error == md_reasons);
  CHECK(summary_error_counts(md_out.summary) == md_reasons);

  const DecodedCapture or_out = decode_pcap(or_pcap, WireProtocol::orders);
  for (const auto& frame_case : or_frames) {
    const uint64_t n = frame_case.first;
    const NetCase* c = frame_case.second;
    CAPTURE(c->name);
    const auto lines = or_out.frame(n);
    REQUIRE(lines.size() == 1);
    const std::string reason = c->want == NetError::none ? "not_tcp" : net_error_name(c->want);
    CHECK(lines[0]->at("error").text.rfind(reason + ": ", 0) == 0);
  }
  CHECK(or_out.frame(good_or).size() == 2);
  CHECK(or_out.counts.messages == 2);
  CHECK(or_out.counts.per_error == or_reasons);
  CHECK(summary_error_counts(or_out.summary) == or_reasons);
}

TEST_CASE("frames cut at every byte of their headers are rejected, never overread") {
  const std::vector<uint8_t> p = datagram().bytes;
  const std::vector<uint8_t> op = orders_payload();
  struct Shape {
    const char* name;
    BuiltFrame f;
    bool tcp;
  };
  FrameSpec vlan_opts;
  vlan_opts.vlan_id = 3;
  vlan_opts.ip_option_words = 2;
  FrameSpec tcp_opts;
  tcp_opts.tcp_option_words = 3;
  tcp_opts.ip_protocol = 6;
  const Shape shapes[] = {{"udp", udp(p), false},
                          {"udp vlan options", udp(p, vlan_opts), false},
                          {"tcp options", build_frame(tcp_opts, op), true}};
  for (const Shape& s : shapes) {
    CAPTURE(std::string(s.name));
    for (size_t n = 0; n < s.f.bytes.size(); ++n) {
      CAPTURE(n);
      const std::vector<uint8_t> cut(s.f.bytes.begin(), s.f.bytes.begin() + (long)n);
      NetError want;
      if (n < s.f.ip) want = NetError::frame_truncated;
      else if (n < s.f.l4) want = NetError::ip_truncated;  // shorter than the header IHL announces
      else want = NetError::ip_bad_total_length;            // the IPv4 total length runs past the frame
      L4View v{};
      CHECK(net_error_name(parse(cut, s.tcp, v)) == std::string(net_error_name(want)));
    }
  }
}
