// `perpwire run` with market_data.source = "kalshi_fix": the KalshiMD client (host/fix/
// kalshi_md_client) feeding the run's event sink in place of the feed lines, and with
// market_data.simulator the simulated publisher in-process, replaying a generated session's
// line A as W/X of the first symbol (the run ends when it has all been published and read).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "host/config/config.hpp"
#include "host/pipeline/feed_pipeline.hpp"

namespace pw {

namespace fix {
class KalshiMdClient;
class KalshiMdSim;
struct KalshiScript;
}  // namespace fix

class KalshiFeed {
 public:
  KalshiFeed();
  ~KalshiFeed();  // stops both sessions; removes the temporary stores
  KalshiFeed(const KalshiFeed&) = delete;
  KalshiFeed& operator=(const KalshiFeed&) = delete;

  // False with a reason: no symbols, an unreadable capture, a dictionary or a store QuickFIX refuses.
  bool start(const Config& c, EventSink& sink, std::string& error);
  // One round of both sessions; with the simulator, the next steps of the session once the client
  // has read everything sent so far (never more than `batch` ahead).
  void poll(int64_t now_ns);
  // Simulator only: everything is published and read.
  bool finished() const;
  std::string describe() const;  // "Kalshi FIX 127.0.0.1:8233 (simulated publisher, 12345 steps)"
  std::string summary() const;   // the client's counters, one line

 private:
  const Config* config_ = nullptr;
  std::unique_ptr<fix::KalshiScript> script_;
  std::unique_ptr<fix::KalshiMdSim> sim_;
  std::unique_ptr<fix::KalshiMdClient> client_;
  std::string temp_dir_;  // removed at the end (the stores when none is configured)
};

}  // namespace pw
