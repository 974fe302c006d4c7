// perpwire's configuration: one TOML file (toml++) describing instruments, feed lines, the order-entry
// session, accounts with their limits, risk settings, the backend, the control plane and the output
// folder. Every money, price and rate value is parsed exactly into int64 ×1e-9 (no binary floating
// point on the way); durations into nanoseconds. Validation collects every error, each naming the
// file, the line, the key and what was expected:
//
//   config/perpwire.toml:14: instruments[0].limits.max_order_qty: expected a positive integer, got -5
//
// Unknown keys are errors too, so a typo never passes silently. Reference: docs/configuration.md.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/risk_types.hpp"

namespace pw {

// Capacities of the risk engine the pipeline instantiates (core/risk_engine.hpp defaults).
constexpr int kConfigMaxInstruments = 8;
constexpr int kConfigMaxAccounts = 16;

// One validation problem. `line` is 0 when the problem is not tied to a place in the file
// (missing file, unreadable file).
struct ConfigError {
  std::string file;
  int line = 0;
  std::string key;      // dotted path, e.g. "instruments[0].limits.max_order_qty"; empty for file-level errors
  std::string message;  // "expected a positive integer, got -5"
  // "file:line: key: message" (the parts that are empty are left out).
  std::string to_string() const;
};

// ---------------------------------------------------------------------------------------------
// Sections

// Known mark/funding presets (the formulas' parameters per venue live with the mark/funding stage;
// the config names one and may override single parameters).
inline constexpr std::string_view kMarkPresets[] = {"coinbase", "binance", "bitmex", "hyperliquid", "kalshi", "kraken",
                                                    "bybit",    "okx",     "bitnomial"};

// Overrides of the preset's parameters; unset = the preset's value.
struct MarkFundingOverrides {
  std::optional<int64_t> funding_interval_ns;
  std::optional<int64_t> sample_interval_ns;
  std::optional<int64_t> impact_notional;  // money ×1e-9
  std::optional<int64_t> interest_rate;    // per funding interval ×1e-9 (0.0001 = 0.01 %)
  std::optional<int64_t> clamp;            // ×1e-9
  std::optional<int64_t> cap;              // ×1e-9, |F| ≤ cap
  std::optional<int64_t> ma_window_ns;     // moving average of (mid − index) in the mark price
  std::optional<int64_t> ma_sample_ns;     // spacing of that moving average's samples
  bool operator==(const MarkFundingOverrides&) const = default;
};

struct InstrumentConfig {
  std::string symbol;       // "BIP-20DEC30-CDE"
  int32_t id = 0;           // the exchange's instrument id
  uint16_t channel = 0;     // feed channel carrying it (one of feeds.channels)
  int64_t contract_size = 0;  // underlying units per contract ×1e-9
  int64_t tick = 0;           // price increment ×1e-9
  std::string preset;         // one of kMarkPresets
  MarkFundingOverrides mark;
  InstrumentLimits limits{};  // the risk gate's per-instrument limits (core/risk_types.hpp)
};

struct AccountConfig {
  std::string name;
  std::string owner;       // accounts of one owner may not trade with each other ("": none); limits.owner numbers it
  int64_t cash = 0;        // starting collateral, money ×1e-9
  AccountLimits limits{};  // the risk gate's per-account limits (core/risk_types.hpp)
};

enum class FeedSourceKind : uint8_t { pcap, dpdk };

struct FeedLineConfig {
  bool enabled = false;  // line B is optional
  FeedSourceKind source = FeedSourceKind::pcap;  // dpdk whenever dpdk_port is set
  std::string pcap;       // capture replayed by libpcap; with dpdk_port, the replay used when DPDK cannot start
  std::string dpdk_port;  // DPDK device name ("net_pcap0", "0000:3b:00.0") or port number ("0")
  bool operator==(const FeedLineConfig&) const = default;
};

struct McastEndpoint {
  uint32_t group = 0;  // IPv4, host order
  uint16_t port = 0;
  std::string to_string() const;  // "239.255.10.1:41001"
  bool operator==(const McastEndpoint&) const = default;
};

struct FeedChannelConfig {
  uint16_t id = 0;
  McastEndpoint line_a;
  std::optional<McastEndpoint> line_b;
  bool operator==(const FeedChannelConfig&) const = default;
};

struct FeedsConfig {
  FeedLineConfig line_a, line_b;
  std::vector<FeedChannelConfig> channels;
  int64_t reorder_wait_ns = 1000000;  // how long a hole may wait for the other line before it is a gap
  bool operator==(const FeedsConfig&) const = default;
};

enum class OrderEntryProtocol : uint8_t { sbe, fix };

struct OrderEntryConfig {
  bool enabled = false;  // the [order_entry] section is present
  std::string host;
  uint16_t port = 0;
  std::string username;      // ≤ 16 characters (the protocol's field width)
  std::string password;      // ≤ 32 characters; from the file or from the environment (password_env)
  std::string password_env;  // name of the environment variable it came from, if any
  int64_t heartbeat_ns = 10LL * 1000000000;  // whole seconds on the wire
  SessionLimits limits{100, 200};            // the session's order-rate token bucket
  bool simulator = false;  // run the simulated exchange in-process on host:port (replay and demo)
  // Simulator only: feed time from an order reaching the simulated exchange to its answer.
  int64_t ack_latency_ns = 50000;
  // After a drop, the orders open at the drop are canceled by the gate once the session is logged
  // on again and reconciled (new orders are refused in between either way).
  bool cancel_on_disconnect = true;
  // Wire protocol of the session: Orders SBE (the binary order entry) or FIX 4.4 on QuickFIX.
  OrderEntryProtocol protocol = OrderEntryProtocol::sbe;
  // FIX only. Paths are resolved against the config file's directory.
  std::string fix_dictionary;       // QuickFIX data dictionary (required with protocol = "fix")
  std::string fix_store_dir;        // QuickFIX file store; empty: a fresh temporary directory per run
  std::string fix_sender_comp_id;   // SenderCompID; default: username
  std::string fix_target_comp_id = "COIND";
  std::string fix_account;          // Account (1) of every order; default: username
};

// Where market data comes from: the SBE multicast feed ([feeds]) or Kalshi's FIX market-data
// session KalshiMD (host/fix/kalshi_md_client.hpp).
enum class MarketDataSource : uint8_t { sbe, kalshi_fix };

struct MarketDataConfig {
  MarketDataSource source = MarketDataSource::sbe;
  // kalshi_fix only. Paths are resolved against the config file's directory.
  std::string host;
  uint16_t port = 0;
  std::string sender_comp_id;                // the FIX API key
  std::string target_comp_id = "KalshiMD";
  std::vector<std::string> symbols;          // of [[instruments]] to subscribe to; empty: all of them
  std::string transport_dictionary;          // QuickFIX FIXT.1.1 dictionary (config/fix/kalshi_md_fixt11.xml)
  std::string app_dictionary;                // QuickFIX FIX 5.0 SP2 dictionary (config/fix/kalshi_md_fix50sp2.xml)
  std::string store_dir;                     // QuickFIX file store; empty: a fresh temporary directory per run
  int64_t heartbeat_ns = 30LL * 1000000000;  // whole seconds on the wire
  int32_t qty_decimals = 2;                  // decimals of MDEntrySize: book quantities in 10^-n contracts
  // Run the simulated KalshiMD publisher in-process on host:port (loopback), replaying a generated
  // session's line A capture (`perpwire gen`) as W/X of the first symbol; the run ends with it.
  bool simulator = false;
  std::string simulator_capture;
  bool operator==(const MarketDataConfig&) const = default;
};

enum class FundingSource : uint8_t { own, exchange };
enum class BackendKind : uint8_t { software, hls_csim, verilator, xrt };

struct RiskConfig {
  // Whose mark and funding rate the risk gate uses; unset = the instrument's preset decides
  // (Coinbase: the exchange's, which is what the exchange margins and charges with).
  std::optional<FundingSource> funding_source;
  // An instrument's book unsynced for longer than this (feed time): the gate cancels the
  // instrument's open orders. 0: off.
  int64_t cancel_after_ns = 0;
  bool operator==(const RiskConfig&) const = default;
};

struct BackendConfig {
  BackendKind kind = BackendKind::software;
  bool strict = false;  // true: fail when the backend cannot start instead of running the software path
  std::string xclbin;   // kind = xrt
  bool operator==(const BackendConfig&) const = default;
};

struct ControlConfig {
  bool enabled = true;
  std::string bind = "127.0.0.1";
  uint16_t port = 8686;  // 0: any free port
  bool allow_remote = false;  // a non-loopback bind must say so explicitly; needs TLS
  // The bearer token of the POST endpoints: read at load from token_file (mode 0600). Both empty:
  // perpwire run generates one into <out>/control.token at start.
  std::string token_file;
  std::string token;
  std::string tls_cert, tls_key;  // PEM files; both or neither (HTTPS)
  bool operator==(const ControlConfig&) const = default;
};

// Firm-wide limits shared with the firm's other hosts over NATS JetStream (host/firm/, docs/firm.md).
// A group's position limit is in underlying units (BTC ×1e-9) over instruments of every venue; this
// host holds slices of each limit and enforces only those, locally.
struct FirmGroupConfig {
  std::string name;                      // "BTC"
  std::vector<std::string> instruments;  // symbols of this config in the group
  int64_t max_position = 0;              // underlying units ×1e-9, firm-wide, per account's worst-case side
  int64_t slice = 0;                     // asked for per grant, underlying units ×1e-9
  bool operator==(const FirmGroupConfig&) const = default;
};

struct FirmConfig {
  bool enabled = false;                // the [firm] section is present
  std::vector<std::string> servers;    // "nats://127.0.0.1:4222", ...
  std::string credentials_file;        // NATS .creds; empty = none
  std::string host_id;                 // unique per host: names its slices (its lease)
  std::string venue;                   // names its fills: venue + execution id identify a fill firm-wide
  std::string bucket = "perpwire_firm";
  std::string stream = "PERPWIRE_FILLS";
  int replicas = 1;                    // of the bucket and the stream (3 on a 3-node cluster)
  int64_t daily_notional_limit = 0;    // firm-wide gross notional per day, money ×1e-9 (0: none)
  int64_t notional_slice = 0;          // asked for per grant, money ×1e-9
  int64_t low_water = 250000000;       // ask for more when headroom < low_water × slice (×1e-9: 25 %)
  std::vector<FirmGroupConfig> groups;
  bool operator==(const FirmConfig&) const = default;
};

// The risk journal (docs/risk.md, "Journal and restart"): off while dir is empty.
struct JournalConfig {
  std::string dir;                   // holds risk.journal; an existing one is replayed at start
  int64_t sync_within_ns = 1000000;  // records are made durable (fdatasync) in batches within about this
  bool operator==(const JournalConfig&) const = default;
};

struct OutputConfig {
  std::string dir = "out/run";
  bool operator==(const OutputConfig&) const = default;
};

struct Config {
  std::string path;  // the file it came from
  std::vector<InstrumentConfig> instruments;  // index in this vector = the risk engine's instrument index
  FeedsConfig feeds;                 // source = sbe only
  MarketDataConfig market_data;
  OrderEntryConfig order_entry;
  std::vector<AccountConfig> accounts;  // index = the risk engine's account index
  RiskConfig risk;
  BackendConfig backend;
  ControlConfig control;
  FirmConfig firm;
  JournalConfig journal;
  OutputConfig output;
  // Where each key and table was defined (dotted path → line), for errors found after parsing.
  std::map<std::string, int, std::less<>> source_lines;

  // Index by name, or −1.
  int instrument_index(std::string_view symbol) const;
  int account_index(std::string_view name) const;
};

const char* to_string(FeedSourceKind k);
const char* to_string(FundingSource s);
const char* to_string(MarketDataSource s);
const char* to_string(BackendKind k);

// A few lines describing a valid config (start banner, `config check`).
std::string config_summary(const Config& c);

// `perpwire config check FILE`: the summary and "ok" on `out` (returns 0), or every error and
// their count on `err` (returns 1).
int check_config(const std::string& path, std::ostream& out, std::ostream& err);

// ---------------------------------------------------------------------------------------------
// Loading

struct ConfigResult {
  std::shared_ptr<const Config> config;  // set when there are no errors
  std::vector<ConfigError> errors;
  bool ok() const { return errors.empty(); }
  // Every error on its own line ("" when ok).
  std::string error_text() const;
};

// Reads and validates a file. Never throws; a missing or unreadable file is one error.
ConfigResult load_config(const std::string& path);
// Validates TOML text; `file` is the name errors carry.
ConfigResult parse_config(std::string_view toml_text, const std::string& file);

// Differences between two valid configs that only take effect at start (feeds, backend, control
// plane, output, order-entry endpoint, instrument identity, the set of instruments and accounts,
// starting cash). Reload refuses them; limits, margin tiers, mark/funding overrides, the session
// rate and the funding source apply live.
std::vector<ConfigError> restart_only_changes(const Config& running, const Config& next);

// The config in force and its reload. Readers take a snapshot (shared_ptr) and keep it as long as
// they like; reload validates the new file completely and swaps only when it is valid and changes
// nothing that needs a restart — otherwise the old config stays in force and the errors come back.
class ConfigStore {
 public:
  explicit ConfigStore(std::shared_ptr<const Config> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Config> current() const;
  // Re-reads `path` (empty: the path the current config came from).
  ConfigResult reload(const std::string& path = {});
  // Bumped by every successful reload: the hot thread compares it (one relaxed load) and only then
  // takes current() and applies the new limits.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint64_t> generation_{0};
  std::mutex reload_mutex_;  // one reload at a time: each compares against what is in force
  mutable std::mutex mutex_;
  std::shared_ptr<const Config> current_;
};

}  // namespace pw
