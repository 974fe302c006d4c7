// QuickFIX settings of one KalshiMD session (FIXT.1.1 transport, FIX 5.0 SP2 application), shared
// by the client (host/fix/kalshi_md_client) and the simulated publisher (host/fix/kalshi_md_sim).
// KalshiMD keeps no messages for retransmission: every Logon resets both directions
// (ResetSeqNumFlag 141 = Y) and the venue persists nothing (a hole in its MsgSeqNum can only be
// gap-filled, never resent). The client keeps its own few requests (`persist`), so that a request
// the venue missed is resent rather than gap-filled away. Included by .cpp files only.
#pragma once
#include <string>

#include "host/fix/fix_engine.hpp"

namespace pw::fix {

constexpr const char* kFixtBeginString = "FIXT.1.1";
constexpr const char* kFix50Sp2 = "FIX.5.0SP2";

inline FIX::Dictionary kalshi_md_settings(const std::string& connection_type, const std::string& transport_dictionary,
                                          const std::string& app_dictionary, const std::string& store_dir,
                                          int heartbeat_seconds, bool persist) {
  FIX::Dictionary d = common_session_settings(connection_type, kFixtBeginString, store_dir, heartbeat_seconds);
  d.setString("DefaultApplVerID", kFix50Sp2);
  d.setString("TransportDataDictionary", transport_dictionary);
  d.setString("AppDataDictionary", app_dictionary);
  d.setString("PersistMessages", persist ? "Y" : "N");
  d.setString("ResetOnLogon", "Y");
  d.setString("ResetOnLogout", "Y");
  d.setString("ResetOnDisconnect", "Y");
  return d;
}

}  // namespace pw::fix
