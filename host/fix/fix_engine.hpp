// The QuickFIX objects behind one session, built the same way for every client and simulated
// venue: its settings, the file store, the file log when `log_dir` is set, and the acceptor or
// initiator that uses them (kept alive together). Included by .cpp files only (it brings in
// QuickFIX).
#pragma once
#include <exception>
#include <memory>
#include <string>
#include <type_traits>

#include "host/fix/quickfix.hpp"

namespace pw::fix {

// The settings every perpwire session shares: always in session (StartTime = EndTime), incoming
// messages validated against the dictionaries (no unknown fields), the file store under
// `store_dir`. The caller adds the dictionaries and its persistence rules.
inline FIX::Dictionary common_session_settings(const std::string& connection_type, const char* begin_string,
                                               const std::string& store_dir, int heartbeat_seconds) {
  FIX::Dictionary d;
  d.setString("ConnectionType", connection_type);
  d.setString("BeginString", begin_string);
  d.setString("StartTime", "00:00:00");
  d.setString("EndTime", "00:00:00");
  d.setString("UseDataDictionary", "Y");
  d.setString("FileStorePath", store_dir);
  d.setString("ValidateUserDefinedFields", "Y");
  d.setString("AllowUnknownMsgFields", "N");
  d.setString("ValidateFieldsOutOfOrder", "N");
  d.setString("CheckLatency", "N");  // feed-time replays stamp nothing from the wall clock
  d.setString("SocketNodelay", "Y");
  d.setInt("HeartBtInt", heartbeat_seconds);
  return d;
}

struct FixEngineParts {
  std::unique_ptr<FIX::SessionSettings> settings;
  std::unique_ptr<FIX::FileStoreFactory> store;
  std::unique_ptr<FIX::FileLogFactory> log;
};

// Engine: FIX::SocketAcceptor or FIX::SocketInitiator. Throws what QuickFIX throws.
template <typename Engine>
std::unique_ptr<Engine> make_fix_engine(FIX::Application& app, const FIX::SessionID& id, const FIX::Dictionary& d,
                                        const std::string& store_dir, const std::string& log_dir, FixEngineParts& parts) {
  parts.settings = std::make_unique<FIX::SessionSettings>();
  if constexpr (std::is_same_v<Engine, FIX::SocketInitiator>)
    parts.settings->set(d);  // the initiator reads ReconnectInterval from the defaults
  parts.settings->set(id, d);
  parts.store = std::make_unique<FIX::FileStoreFactory>(store_dir);
  if (log_dir.empty()) return std::make_unique<Engine>(app, *parts.store, *parts.settings);
  parts.log = std::make_unique<FIX::FileLogFactory>(log_dir);
  return std::make_unique<Engine>(app, *parts.store, *parts.settings, *parts.log);
}

// Stops the engine (logouts sent, sockets closed) at the end of its owner's life; an engine that
// fails to stop cleanly is let go all the same.
template <typename Engine>
void stop_fix_engine(std::unique_ptr<Engine>& engine) {
  if (!engine) return;
  try {
    engine->stop(true);
  } catch (const std::exception&) {
  }
}

}  // namespace pw::fix
