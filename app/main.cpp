// perpwire: market-data and pre-trade risk pipeline for perpetual futures.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "app/run/run_app.hpp"
#include "hls/replay/replay_hls_csim.hpp"
#include "host/control/control_client.hpp"
#include "host/control/control_options.hpp"
#include "host/control/control_token.hpp"
#include "host/dump/capture_decoder.hpp"
#include "host/firm/firm_view.hpp"
#include "host/funding/funding_replay.hpp"
#include "host/io/pcap_source.hpp"
#include "host/pipeline/replay.hpp"
#include "host/sessiongen/session_generator.hpp"
#ifdef PERPWIRE_HAVE_VERILATOR_BACKEND
#include "sim/cosim/replay_verilator.hpp"
#endif
#ifdef PERPWIRE_HAVE_XRT_BACKEND
#include "hls/xrt/xrt_backend.hpp"
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

// Backends `perpwire replay` can run: the software path and the HLS kernels in C-simulation always;
// the RTL front end in Verilator when the simulation models are built (-DPERPWIRE_SIM=ON).
std::map<std::string, pw::ReplayBackend> replay_backends() {
  std::map<std::string, pw::ReplayBackend> b;
  b["software"] = pw::replay_software;
  b["hls-csim"] = pw::replay_hls_csim;
#ifdef PERPWIRE_HAVE_VERILATOR_BACKEND
  b["verilator"] = pw::replay_verilator;
#endif
  return b;
}

struct ReplayCli {
  std::string pcap_a, pcap_b, jsonl, config, backend = "software";
  double reorder_wait_ms = -1;
  bool quiet = false;
};

int cmd_replay(const ReplayCli& cli) {
  const auto backends = replay_backends();
  const auto it = backends.find(cli.backend);
  if (it == backends.end()) {
    std::string known;
    for (const auto& [name, fn] : backends) known += (known.empty() ? "" : ", ") + name;
    std::fprintf(stderr, "perpwire replay: backend '%s' is not built into this program (available: %s; verilator needs -DPERPWIRE_SIM=ON)\n",
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
  if (cli.reorder_wait_ms >= 0) opt.inputs.reorder_wait_ns = (int64_t)(cli.reorder_wait_ms * 1e6);
  if (opt.inputs.pcap_a.empty()) {
    std::fprintf(stderr, "perpwire replay: no capture: give --pcap or a --config with feeds.line_a.pcap\n");
    return 2;
  }
  // A capture that cannot be read, or of a link type perpwire does not parse, is a bad argument.
  for (const std::string& path : {opt.inputs.pcap_a, opt.inputs.pcap_b}) {
    pw::PcapSource src;
    if (!path.empty() && !src.open(path)) {
      std::fprintf(stderr, "perpwire replay: %s\n", src.error().c_str());
      return 2;
    }
  }
  pw::ReplaySummary summary;
  if (!pw::run_replay(opt, it->second, summary, error)) {
    std::fprintf(stderr, "perpwire replay: %s\n", error.c_str());
    return 1;
  }
  std::printf("backend %s\n%s", cli.backend.c_str(), summary.text.c_str());
  if (!cli.jsonl.empty()) std::printf("state log: %s (%llu records)\n", cli.jsonl.c_str(), (unsigned long long)summary.records);
  if (summary.frames > 0 && summary.events == 0) {
    std::fprintf(stderr, "perpwire replay: %llu frames but no market event decoded: every frame was dropped (see the counts above)\n",
                 (unsigned long long)summary.frames);
    return 1;
  }
  return 0;
}

// Where the POST endpoints' token comes from (docs/control_plane.md "Authentication").
struct TokenCli {
  std::string token_file, out_dir, config;
};

int cmd_control(pw::ControlCall call, const TokenCli* token) {
  std::string body, error;
  if (token) {
    const std::string path = pw::client_token_path(token->token_file, token->out_dir, token->config, error);
    if (path.empty() || !pw::read_control_token_file(path, call.token, error)) {
      std::fprintf(stderr, "perpwire: %s\n", error.c_str());
      std::fprintf(stderr, "perpwire: the control plane's POST endpoints need its token: give --token-file FILE, --out DIR of the run, or --config FILE\n");
      return 1;
    }
  }
  const int status = pw::control_call(call, body, error);
  if (status == 0) {
    std::fprintf(stderr, "perpwire: %s\n", error.c_str());
    return 1;
  }
  std::printf("%s%s", body.c_str(), body.empty() || body.back() == '\n' ? "" : "\n");
  return status == 200 ? 0 : 1;
}

}  // namespace

// `perpwire firm status|kill|unkill|reclaim --config FILE`: the firm-wide view from NATS, its kill
// switch, or taking back the slices of a host that is gone.
int cmd_firm(const std::string& action, const std::string& config_path, bool prometheus, const std::string& host,
             int64_t silent_for_ms) {
  pw::ConfigResult cr = pw::load_config(config_path);
  if (!cr.ok()) {
    std::fprintf(stderr, "%s", cr.error_text().c_str());
    return 2;
  }
  const pw::FirmConfig& f = cr.config->firm;
  if (!f.enabled) {
    std::fprintf(stderr, "perpwire firm: %s has no [firm] section\n", config_path.c_str());
    return 2;
  }
  std::string error;
  if (action == "status") {
    pw::firm::FirmView v;
    if (!pw::firm::read_firm_view(f, v, error)) {
      std::fprintf(stderr, "perpwire firm: %s\n", error.c_str());
      return 1;
    }
    std::printf("%s", (prometheus ? pw::firm::firm_view_prometheus(v) : pw::firm::firm_view_text(v)).c_str());
    return 0;
  }
  if (action == "reclaim") {
    if (host.empty()) {
      std::fprintf(stderr, "perpwire firm reclaim: --host names the host whose slices to take back\n");
      return 2;
    }
    std::string report;
    if (!pw::firm::reclaim_lease(f, host, silent_for_ms, report, error)) {
      std::fprintf(stderr, "perpwire firm: %s\n", error.c_str());
      return 1;
    }
    std::printf("%s", report.c_str());
    return 0;
  }
  const bool engage = action == "kill";
  if (!pw::firm::set_firm_kill(f, engage, error)) {
    std::fprintf(stderr, "perpwire firm: %s\n", error.c_str());
    return 1;
  }
  std::printf("firm kill switch %s: every host refuses new orders within milliseconds%s\n", engage ? "engaged" : "released",
              engage ? "" : " (each host's own switches stay as they are)");
  return 0;
}

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
  gen->add_flag("--disjoint-loss", gen_opt.faults.disjoint_loss, "a packet lost on line A is never lost on line B (the lines together carry every packet but --loss-both)");
  gen->add_option_function<std::string>(
         "--skew-b",
         [&](const std::string& text) {
           if (!pw::parse_duration_ns(text, gen_opt.faults.skew_b_ns) || gen_opt.faults.skew_b_ns > pw::kMaxSkewBNs)
             throw CLI::ValidationError("--skew-b", "'" + text + "' is not a duration in 0..500us (e.g. 200us)");
         },
         "line B's copies arrive this much later (0..500us, e.g. 200us)");
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
  replay->add_option("--reorder-wait-ms", rc.reorder_wait_ms, "how long a hole waits for the other line (default 1 ms; the verilator backend gives the RTL arbiter the same hold window)");
  replay->add_flag("-q,--quiet", rc.quiet, "no progress line");
  replay->callback([&] { std::exit(cmd_replay(rc)); });

  pw::FundingCommand fc;
  CLI::App* funding = app.add_subcommand("funding", "Replay a capture and print per funding interval the rate each venue's preset would have charged");
  funding->add_option("--pcap", fc.pcap_a, "capture of feed line A (pcap or pcapng)")->required();
  funding->add_option("--pcap-b", fc.pcap_b, "capture of feed line B (optional)");
  funding->add_option("--preset", fc.preset, "a preset, a comma-separated list, or all (side by side)")->capture_default_str();
  funding->add_option("--set", fc.settings, "key=value: override a parameter of every preset (docs/formulas.md §12)");
  funding->add_option("--out", fc.out_dir, "folder of the plot and its CSV")->capture_default_str();
  funding->callback([&] {
    std::string out, err;
    const int rc_funding = pw::run_funding_command(fc, out, err);
    std::fputs(out.c_str(), stdout);
    std::fputs(err.c_str(), stderr);
    std::exit(rc_funding);
  });

  pw::RunOptions run_opt;
#ifdef PERPWIRE_HAVE_XRT_BACKEND
  // Opens the card once to learn whether it can run (no runtime, no card, no xclbin: one line why).
  run_opt.open_xrt = [](const std::string& xclbin, std::string& reason) {
    pw::XrtBackend card;
    if (card.open(xclbin)) return true;
    reason = card.reason();
    return false;
  };
#endif
  bool no_demo = false, quiet_run = false;
  CLI::App* run = app.add_subcommand("run", "Run the pipeline: feed lines (DPDK or libpcap), market state, risk gate, order entry, control plane, report");
  run->add_option("--config", run_opt.config_path, "configuration file (TOML)")->required();
  run->add_option("--out", run_opt.output_dir, "output folder for the report and decision log (default: [output] dir)");
  run->add_option("--backend", run_opt.backend, "software, hls-csim, verilator or xrt (default: [backend] kind)");
  run->add_flag("--strict-backend", run_opt.strict_backend, "fail when the backend cannot start instead of running the software path");
  run->add_option("--jsonl", run_opt.state_log, "write every book-top, mark, funding and sync change here");
  run->add_option("--orders", run_opt.orders_file, "orders from a file (JSON Lines or CSV), checked and sent at their time");
  run->add_option("--speed", run_opt.speed, "replay pace: 1 = as captured, 10 = ten times faster (default: as fast as possible)")->check(CLI::NonNegativeNumber);
  std::string drill;
  run->add_option("--kill-drill", drill, "kill-switch drill: START,LENGTH in seconds of feed time (global kill switch on, then off)")
      ->check([](const std::string& v) {
        double a = 0, b = 0;
        char tail = 0;
        return std::sscanf(v.c_str(), "%lf,%lf%c", &a, &b, &tail) == 2 && a >= 0 && b > 0 ? std::string() : std::string("expected START,LENGTH in seconds, e.g. 1800,60");
      });
  run->add_flag("--no-demo", no_demo, "without the built-in demo strategy");
  run->add_flag("-q,--quiet", quiet_run, "no progress line");
  run->add_option("eal", run_opt.eal_args, "DPDK EAL arguments, after --");
  run->callback([&] {
    run_opt.demo = !no_demo;
    run_opt.progress = !quiet_run;
    double start = 0, length = 0;
    if (!drill.empty() && std::sscanf(drill.c_str(), "%lf,%lf", &start, &length) == 2) {
      run_opt.kill_drill_start_ns = (int64_t)(start * 1e9);
      run_opt.kill_drill_ns = (int64_t)(length * 1e9);
    }
    std::exit(pw::run_main(run_opt));
  });

  pw::ControlCall call;
  std::string account, instrument;
  TokenCli token;
  for (const char* name : {"kill", "unkill"}) {
    const bool engage = std::string(name) == "kill";
    CLI::App* k = app.add_subcommand(name, engage ? "Engage a kill switch of a running perpwire (global, or one account or instrument)"
                                                  : "Release a kill switch of a running perpwire (--account: its loss-limit stop too)");
    k->add_option("--url", call.url, "control plane address (https://… for one with TLS)")->capture_default_str();
    k->add_option("--account", account, "only this account (name as in the config)");
    k->add_option("--instrument", instrument, "only this instrument (symbol)");
    k->add_option("--token-file", token.token_file, "the bearer token (a file of mode 0600; default: the run's control.token)");
    k->add_option("--out", token.out_dir, "the run's output folder: its control.token");
    k->add_option("--config", token.config, "the run's config: its [control] token_file, or [output] dir/control.token");
    k->add_option("--ca-cert", call.ca_cert, "PEM certificate to verify an https:// control plane with");
    k->callback([&, engage] {
      call.method = "POST";
      call.path = engage ? "/kill" : "/unkill";
      if (!account.empty()) call.query = "account=" + account;
      else if (!instrument.empty()) call.query = "instrument=" + instrument;
      std::exit(cmd_control(call, &token));
    });
  }
  CLI::App* status = app.add_subcommand("status", "Show the status of a running perpwire (JSON)");
  status->add_option("--url", call.url, "control plane address (https://… for one with TLS)")->capture_default_str();
  status->add_option("--ca-cert", call.ca_cert, "PEM certificate to verify an https:// control plane with");
  status->callback([&] { std::exit(cmd_control(call, nullptr)); });

  CLI::App* firm = app.add_subcommand("firm", "The firm-wide limits over NATS: status (slices, fills, positions) and the firm kill switch");
  std::string firm_action, firm_config;
  bool firm_prometheus = false;
  std::string firm_host, firm_silent = "10s";
  firm->add_option("action", firm_action, "status, kill, unkill or reclaim")
      ->required()
      ->check(CLI::IsMember({"status", "kill", "unkill", "reclaim"}));
  firm->add_option("--config", firm_config, "a config with a [firm] section (its servers and names)")->required();
  firm->add_flag("--prometheus", firm_prometheus, "status as Prometheus metrics");
  firm->add_option("--host", firm_host, "reclaim: the host (host_id) that is gone");
  firm->add_option("--silent-for", firm_silent, "reclaim: refuse while the host was seen running this recently")
      ->capture_default_str();
  firm->callback([&] {
    int64_t silent_ns = 0;
    if (!pw::parse_duration_ns(firm_silent, silent_ns) || silent_ns < 0) {
      std::fprintf(stderr, "perpwire firm: --silent-for '%s' is not a duration (e.g. 10s)\n", firm_silent.c_str());
      std::exit(2);
    }
    std::exit(cmd_firm(firm_action, firm_config, firm_prometheus, firm_host, silent_ns / 1000000));
  });

  CLI11_PARSE(app, argc, argv);
  return 0;
}
