// Writes the fuzz targets' seed corpus from the real captures, at build time:
//   md/      every UDP payload of tests/data/coinbase/md/*.pcap, every whole Ethernet frame, and a
//            datagram per market-data template (current layout, fields zero but the lengths)
//   orders/  every TCP payload of tests/data/coinbase/orders/*.pcap, each direction's stream of a
//            capture concatenated, and a message per order-entry template
// Usage: fuzz_seed_corpus <tests/data/coinbase> <output directory>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/md_encode.hpp"
#include "core/orders_codec.hpp"
#include "host/io/pcap_source.hpp"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const uint8_t* data, size_t len) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), (std::streamsize)len);
}

std::vector<fs::path> captures(const fs::path& dir) {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".pcap") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

// Returns the number of seeds written, or -1 when a capture cannot be read.
int from_captures(const fs::path& dir, bool tcp, const fs::path& out) {
  int n = 0;
  for (const fs::path& pcap : captures(dir)) {
    pw::PcapSource src;
    if (!src.open(pcap.string())) {
      std::fprintf(stderr, "fuzz_seed_corpus: %s\n", src.error().c_str());
      return -1;
    }
    const std::string stem = pcap.stem().string();
    std::map<std::tuple<uint32_t, uint16_t, uint32_t, uint16_t>, std::vector<uint8_t>> streams;
    pw::Frame fr;
    pw::L4View v;
    while (src.next(fr)) {
      if (src.parse(fr, tcp, v) != pw::NetError::none || v.payload_len == 0) continue;
      const std::string name = stem + "_" + std::to_string(fr.number);
      write(out / (name + ".bin"), v.payload, v.payload_len);
      ++n;
      if (!tcp) {
        write(out / (name + "_frame.bin"), fr.data, fr.caplen);
        ++n;
      } else {
        auto& s = streams[{v.src_ip, v.src_port, v.dst_ip, v.dst_port}];
        s.insert(s.end(), v.payload, v.payload + v.payload_len);
      }
    }
    int k = 0;
    for (const auto& [key, bytes] : streams) {
      write(out / (stem + "_stream_" + std::to_string(k++) + ".bin"), bytes.data(), bytes.size());
      ++n;
    }
  }
  return n;
}

int synthetic_md(const fs::path& out) {
  int n = 0;
  for (const pw::TemplateDef* t : pw::md::kTemplates) {
    uint8_t buf[512];
    pw::md::PacketBuilder b;
    b.begin(buf, sizeof buf, 1700000000000000000LL, 1, 1, 0x01 /* incremental */, 0);
    if (b.add(*t) == nullptr) continue;
    write(out / ("template_" + std::to_string(t->id) + ".bin"), buf, b.length());
    ++n;
  }
  return n;
}

int synthetic_orders(const fs::path& out) {
  int n = 0;
  auto one = [&](const pw::TemplateDef* t, uint16_t schema) {
    uint8_t buf[512];
    const pw::orders::SendHeader sh{1, 0, 1700000000000000000LL, 0};
    const size_t len = pw::orders::begin_message(buf, sizeof buf, *t, schema, sh, t->var_data ? 4 : 0);
    if (len == 0) return;
    write(out / ("template_" + std::to_string(schema) + "_" + std::to_string(t->id) + ".bin"), buf, len);
    ++n;
  };
  for (const pw::TemplateDef* t : pw::orders::kSessionTemplates) one(t, pw::orders::kSessionSchemaId);
  for (const pw::TemplateDef* t : pw::orders::kApplicationTemplates) one(t, pw::orders::kApplicationSchemaId);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_seed_corpus <tests/data/coinbase> <output directory>\n");
    return 2;
  }
  const fs::path data = argv[1], out = argv[2];
  fs::create_directories(out / "md");
  fs::create_directories(out / "orders");
  const int md = from_captures(data / "md", false, out / "md");
  const int orders = from_captures(data / "orders", true, out / "orders");
  if (md <= 0 || orders <= 0) {
    std::fprintf(stderr, "fuzz_seed_corpus: no seeds from the captures under %s\n", data.string().c_str());
    return 1;
  }
  const int md_syn = synthetic_md(out / "md");
  const int orders_syn = synthetic_orders(out / "orders");
  std::printf("fuzz seed corpus: %d market-data seeds (%d from captures), %d order-entry seeds (%d from captures)\n",
              md + md_syn, md, orders + orders_syn, orders);
  return 0;
}
