// perpwire: market-data and pre-trade risk pipeline for perpetual futures.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "host/decode/capture_decoder.hpp"
#include "host/gen/session_generator.hpp"
#include "host/pipeline/replay.hpp"
#ifdef PERPWIRE_HAVE_HLS_CSIM_BACKEND
#include "hls/replay/replay_hls_csim.hpp"
#endif

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

// Backends `perpwire replay` can run: the software path always; the others when built.
std::map<std::string, pw::ReplayBackend> replay_backends() {
  std::map<std::string, pw::ReplayBackend> b;
  b["software"] = pw::replay_software;
#ifdef PERPWIRE_HAVE_HLS_CSIM_BACKEND
  b["hls-csim"] = pw::replay_hls_csim;
#endif
  return b;
}

struct ReplayCli {
  std::string pcap_a, pcap_b, jsonl, config, backend = "software";
  bool quiet = false;
};

int cmd_replay(const ReplayCli& cli) {
  const auto backends = replay_backends();
  const auto it = backends.find(cli.backend);
  if (it == backends.end()) {
    std::string known;
    for (const auto& [name, fn] : backends) known += (known.empty() ? "" : ", ") + name;
    std::fprintf(stderr, "perpwire replay: backend '%s' is not built into this program (available: %s)\n",
                 cli.backend.c_str(), known.c_str());
    return 2;
  }
  pw::ReplayOptions opt;
  opt.inputs.pcap_a = cli.pcap_a;
  opt.inputs.pcap_b = cli.pcap_b;
  opt.state_log = cli.jsonl;
  opt.progress = !cli.quiet;
  std::string error;
  if (!cli.config.empty()) {
    const pw::ConfigResult c = pw::load_config(cli.config);
    if (!c.ok()) {
      std::fprintf(stderr, "%s", c.error_text().c_str());
      return 2;
    }
    if (!pw::inputs_from_config(*c.config, opt.inputs, error)) {
      std::fprintf(stderr, "perpwire replay: %s\n", error.c_str());
      return 2;
    }
  }
  if (opt.inputs.pcap_a.empty()) {
    std::fprintf(stderr, "perpwire replay: no capture: give --pcap or a --config with feeds.line_a.pcap\n");
    return 2;
  }
  pw::ReplaySummary summary;
  if (!pw::run_replay(opt, it->second, summary, error)) {
    std::fprintf(stderr, "perpwire replay: %s\n", error.c_str());
    return 1;
  }
  std::printf("backend %s\n%s", cli.backend.c_str(), summary.text.c_str());
  if (!cli.jsonl.empty()) std::printf("state log: %s (%llu records)\n", cli.jsonl.c_str(), (unsigned long long)summary.records);
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

  ReplayCli rc;
  CLI::App* replay = app.add_subcommand("replay", "Replay feed captures through a backend: books, mark, funding, gaps and recoveries");
  replay->add_option("--pcap", rc.pcap_a, "capture of feed line A (pcap or pcapng)");
  replay->add_option("--pcap-b", rc.pcap_b, "capture of feed line B (optional)");
  replay->add_option("--config", rc.config, "configuration: instruments, presets and overrides, reorder wait, captures");
  replay->add_option("--jsonl", rc.jsonl, "write every book-top, mark, funding and sync change here (the state log)");
  replay->add_option("--backend", rc.backend, "software, hls-csim or verilator")->capture_default_str();
  replay->add_flag("-q,--quiet", rc.quiet, "no progress line");
  replay->callback([&] { std::exit(cmd_replay(rc)); });

  CLI11_PARSE(app, argc, argv);
  return 0;
}
