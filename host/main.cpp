// perpwire: market-data and pre-trade risk pipeline for perpetual futures.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "host/decode/capture_decoder.hpp"
#include "host/gen/session_generator.hpp"

namespace {

int cmd_decode(const std::string& pcap, const std::string& protocol, const std::string& output, bool summary) {
  pw::WireProtocol proto = protocol == "orders" ? pw::WireProtocol::orders : pw::WireProtocol::market_data;
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!output.empty()) {
    file.open(output);
    if (!file) {
      std::fprintf(stderr, "perpwire decode: cannot write '%s'\n", output.c_str());
      return 1;
    }
    out = &file;
  }
  const bool write_lines = !summary || !output.empty();
  pw::DecodeCounts counts;
  std::string error;
  const bool ok = pw::decode_capture(
      pcap, proto,
      [&](const std::string& line) {
        if (write_lines) *out << line << '\n';
      },
      counts, error);
  if (!ok) {
    std::fprintf(stderr, "perpwire decode: %s\n", error.c_str());
    return 1;
  }
  out->flush();
  if (summary) std::cout << pw::format_summary(pcap, counts);
  return 0;
}

int cmd_gen(const pw::GenOptions& opt, const std::string& dir) {
  pw::GenResult r;
  std::string error;
  if (!pw::generate_session(opt, dir, r, error)) {
    std::fprintf(stderr, "perpwire gen: %s\n", error.c_str());
    return 1;
  }
  std::printf("session: %llu packets, %llu messages (line A %llu frames, line B %llu frames), %zu faults injected\n",
              (unsigned long long)r.packets, (unsigned long long)r.messages, (unsigned long long)r.frames_a,
              (unsigned long long)r.frames_b, r.faults.size());
  for (const auto& [name, n] : r.per_template) std::printf("  %-40s %12llu\n", name.c_str(), (unsigned long long)n);
  std::printf("wrote %s/feed_a.pcap, %s/feed_b.pcap, %s/manifest.json\n", dir.c_str(), dir.c_str(), dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"perpwire: market data, mark price, funding and pre-trade risk for perpetual futures"};
  app.require_subcommand(1);

  std::string pcap, protocol = "md", output;
  bool summary = false;
  CLI::App* decode = app.add_subcommand("decode", "Decode a capture to JSON Lines, one object per SBE message");
  decode->add_option("--pcap", pcap, "capture file (pcap or pcapng)")->required();
  decode->add_option("--protocol", protocol, "md (market data over UDP) or orders (order entry over TCP)")
      ->check(CLI::IsMember({"md", "orders"}));
  decode->add_option("-o,--output", output, "write the JSON Lines here instead of standard output");
  decode->add_flag("--summary", summary, "print counts per template and per error reason");
  decode->callback([&] { std::exit(cmd_decode(pcap, protocol, output, summary)); });

  pw::GenOptions gen_opt;
  std::string gen_dir = "out/session";
  double minutes = 75;
  CLI::App* gen = app.add_subcommand("gen", "Generate a BTC/ETH perpetual session (SBE v1.9) as A and B feed pcaps");
  gen->add_option("--out", gen_dir, "output folder")->capture_default_str();
  gen->add_option("--seed", gen_opt.seed, "random seed (same seed, same session)")->capture_default_str();
  gen->add_option("--events", gen_opt.events, "order put / delete / trade events")->capture_default_str()->check(CLI::Range(1ULL, 100000000ULL));
  gen->add_option("--minutes", minutes, "session length in event time")->capture_default_str()->check(CLI::Range(1.0, 1440.0));
  gen->add_option("--loss-a", gen_opt.faults.loss_a, "probability a packet is lost on line A")->check(CLI::Range(0.0, 1.0));
  gen->add_option("--loss-b", gen_opt.faults.loss_b, "probability a packet is lost on line B")->check(CLI::Range(0.0, 1.0));
  gen->add_option("--loss-both", gen_opt.faults.loss_both, "packets lost on both lines");
  gen->add_option("--duplicate", gen_opt.faults.duplicate, "probability a packet is duplicated on a line")->check(CLI::Range(0.0, 1.0));
  gen->add_option("--reorder", gen_opt.faults.reorder, "probability a packet swaps with the next on a line")->check(CLI::Range(0.0, 1.0));
  gen->add_option("--truncate", gen_opt.faults.truncate, "datagrams cut short on line A");
  gen->add_option("--corrupt-length", gen_opt.faults.corrupt_length, "messages with a FrameLength past the datagram on line A");
  gen->callback([&] {
    gen_opt.duration_ns = (int64_t)(minutes * 60e9);
    gen_opt.progress = true;
    std::exit(cmd_gen(gen_opt, gen_dir));
  });

  CLI11_PARSE(app, argc, argv);
  return 0;
}
