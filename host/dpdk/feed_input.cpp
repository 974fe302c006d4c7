#include "host/dpdk/feed_input.hpp"

#include <cstring>

namespace pw {

namespace {

const char* line_name(int line) { return line == 0 ? "line A" : "line B"; }

}  // namespace

std::string vdev_rx_pcap(const std::vector<std::string>& eal_args, const std::string& device) {
  // Both "--vdev=net_pcap0,rx_pcap=F" and "--vdev" "net_pcap0,rx_pcap=F".
  for (size_t i = 0; i < eal_args.size(); ++i) {
    std::string spec;
    if (eal_args[i].rfind("--vdev=", 0) == 0) spec = eal_args[i].substr(7);
    else if (eal_args[i] == "--vdev" && i + 1 < eal_args.size()) spec = eal_args[i + 1];
    else continue;
    size_t comma = spec.find(',');
    if (spec.substr(0, comma) != device || comma == std::string::npos) continue;
    size_t at = spec.find("rx_pcap=", comma);
    if (at == std::string::npos) continue;
    size_t end = spec.find(',', at);
    return spec.substr(at + 8, end == std::string::npos ? std::string::npos : end - at - 8);
  }
  return "";
}

std::vector<std::string> take_args_after_double_dash(int& argc, char** argv) {
  std::vector<std::string> rest;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") != 0) continue;
    for (int j = i + 1; j < argc; ++j) rest.emplace_back(argv[j]);
    argc = i;
    break;
  }
  return rest;
}

FeedInput::~FeedInput() {
  for (auto& l : lines_)
    if (l.port) l.port->close();
}

bool FeedInput::open(const FeedsConfig& feeds, const std::vector<std::string>& eal_args, const FeedInputOptions& options,
                     std::string& error, std::vector<std::string>& notes) {
  options_ = options;
  const FeedLineConfig* cfg[2] = {&feeds.line_a, &feeds.line_b};
  std::string pcap_path[2];
  bool want_dpdk = false;
  for (int l = 0; l < 2; ++l) {
    lines_[l] = Line{};
    lines_[l].enabled = cfg[l]->enabled;
    lines_[l].idle = RxIdleDetector(options.idle_ns, 100);
    want_dpdk |= cfg[l]->enabled && cfg[l]->source == FeedSourceKind::dpdk;
  }
  if (!feeds.line_a.enabled) {
    error = "feeds.line_a is not configured";
    return false;
  }

  std::string eal_error;
  if (want_dpdk && !dpdk_eal_initialized()) {
    if (eal_args.empty()) eal_error = "no DPDK EAL arguments were given after --";
    else dpdk_eal_init(eal_args, eal_error);
  }
  for (int l = 0; l < 2; ++l) {
    const FeedLineConfig& c = *cfg[l];
    Line& line = lines_[l];
    if (!c.enabled) continue;
    if (c.source == FeedSourceKind::dpdk) {
      std::string why = eal_error;
      if (why.empty()) {
        auto port = std::make_unique<DpdkPort>();
        DpdkPortOptions po;
        po.device = c.dpdk_port;
        if (port->open(po, why)) {
          line.description = std::string(line_name(l)) + ": DPDK port " + port->name();
          line.port = std::move(port);
          continue;
        }
      }
      // Fall back to replaying the capture: the configured one, or the file the net_pcap device would have read.
      std::string file = !c.pcap.empty() ? c.pcap : vdev_rx_pcap(eal_args, c.dpdk_port);
      if (file.empty()) {
        error = std::string(line_name(l)) + ": " + why + "; no capture to replay instead (set feeds." + (l ? "line_b" : "line_a") + ".pcap)";
        return false;
      }
      notes.push_back(std::string(line_name(l)) + ": DPDK unavailable (" + why + "); replaying " + file + " with libpcap instead");
      pcap_path[l] = file;
    } else {
      pcap_path[l] = c.pcap;
    }
    line.description = std::string(line_name(l)) + ": libpcap " + pcap_path[l];
  }

  if (!lines_[0].port && !lines_[1].port) {
    // Both from captures: one capture-time-ordered stream, as two NIC ports would deliver it.
    merger_ = std::make_unique<LineMerger>();
    if (!merger_->open(pcap_path[0], lines_[1].enabled ? pcap_path[1] : "", error)) return false;
    return true;
  }
  for (int l = 0; l < 2; ++l) {
    if (!lines_[l].enabled || lines_[l].port) continue;
    lines_[l].pcap = std::make_unique<PcapSource>();
    if (!lines_[l].pcap->open(pcap_path[l])) {
      error = std::string(line_name(l)) + ": " + lines_[l].pcap->error();
      return false;
    }
  }
  return true;
}

FeedInput::Poll FeedInput::poll_line(uint8_t l, FeedFrame& f) {
  Line& line = lines_[l];
  if (line.pcap) {
    Frame fr;
    if (!line.pcap->next(fr)) {
      line.ended = true;
      return Poll::end;
    }
    f = FeedFrame{l, line.pcap->link(), fr.timestamp_ns, fr.data, fr.caplen};
    return Poll::frame;
  }
  if (line.burst_pos >= line.burst_size) {
    line.burst_size = line.port->rx_burst(line.burst, DpdkPort::kMaxBurst);
    line.burst_pos = 0;
    if (options_.replay && line.idle.update(line.burst_size, dpdk_monotonic_ns())) {
      line.ended = true;
      return Poll::end;
    }
    if (line.burst_size == 0) return Poll::idle;
  }
  const DpdkFrame& d = line.burst[line.burst_pos++];
  f = FeedFrame{l, LinkType::ethernet, d.timestamp_ns, d.data, d.length};
  return Poll::frame;
}

FeedInput::Poll FeedInput::poll(FeedFrame& f) {
  if (merger_) {
    Frame fr;
    uint8_t line;
    if (!merger_->next(fr, line)) return Poll::end;
    f = FeedFrame{line, merger_->source(line).link(), fr.timestamp_ns, fr.data, fr.caplen};
    return Poll::frame;
  }
  // The line whose turn it is keeps it while its burst lasts, then the other line goes first.
  for (int k = 0; k < 2; ++k) {
    const uint8_t l = (uint8_t)((turn_ + k) & 1);
    Line& line = lines_[l];
    if (!line.enabled || line.ended) continue;
    Poll p = poll_line(l, f);
    if (p == Poll::frame) {
      const bool more = line.port ? line.burst_pos < line.burst_size : false;
      turn_ = more ? l : (uint8_t)(l ^ 1);
      return p;
    }
  }
  for (const auto& line : lines_)
    if (line.enabled && !line.ended) return Poll::idle;
  return Poll::end;
}

bool FeedInput::next(FeedFrame& f) {
  for (;;) {
    Poll p = poll(f);
    if (p == Poll::frame) return true;
    if (p == Poll::end) return false;
  }
}

std::string FeedInput::describe() const {
  std::string s;
  for (const auto& l : lines_)
    if (l.enabled) s += (s.empty() ? "" : "; ") + l.description;
  return s;
}

bool FeedInput::uses_dpdk() const { return lines_[0].port || lines_[1].port; }

DpdkPortStats FeedInput::dpdk_stats(uint8_t line) const { return lines_[line & 1].port ? lines_[line & 1].port->stats() : DpdkPortStats{}; }

}  // namespace pw
