// `perpwire run --config FILE [-- EAL arguments]`: the program a trading firm runs on the colocated
// server. Feed lines A and B from DPDK ports (or libpcap replay) → the software feed path and market
// state → the pre-trade risk gate → the order-entry session (to the exchange or the in-process
// simulated one), with the control plane on loopback, metrics, and at the end a report with plots.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace pw {

struct LatencySeries;

// Where a run's rx_to_order stage ends. socket: when the packet's orders have been handed to the
// order-entry socket (the send call included) — what a trader sees. memory: when they are encoded
// in the session's send buffer; the socket write follows at once, outside the stage (the software
// path's own cost, for bench_tick_to_trade).
enum class OrderSink { socket, memory };

struct RunOptions {
  std::string config_path;
  std::vector<std::string> eal_args;  // everything after `--`
  std::string output_dir;             // overrides [output] dir
  std::string backend;                // overrides [backend] kind
  bool strict_backend = false;        // fail instead of running the software path
  std::string state_log;              // every book-top/mark/funding/sync record as JSON Lines
  std::string orders_file;            // orders from a file (JSON Lines or CSV)
  bool demo = true;                   // the built-in demo strategy
  bool progress = true;
  bool print = true;                  // the start lines and the summary on stdout
  OrderSink order_sink = OrderSink::socket;
  // When set, receives every latency stage with samples at the end of the run.
  std::vector<LatencySeries>* latency = nullptr;
  // Kill-switch drill: the global kill switch engaged `kill_drill_start_ns` of feed time after the
  // first event, for `kill_drill_ns` (0: no drill) — shows the block and the mass cancel in a replay.
  int64_t kill_drill_start_ns = 0;
  int64_t kill_drill_ns = 0;
  double speed = 0;                   // replay pace: 1 = as captured, 10 = ten times faster, 0 = as fast as possible
  // Tries to start the xrt backend; false with a one-line reason (no card, no xclbin…).
  std::function<bool(const std::string& xclbin, std::string& reason)> open_xrt;
};

// Returns the exit status: 0 after a complete run (also when stopped by SIGINT/SIGTERM, with the
// report written), 1 when the run failed, 2 for a bad configuration or command line.
int run_main(const RunOptions& options);

}  // namespace pw
