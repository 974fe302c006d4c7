// The command-line side of the control plane: `perpwire kill` / `unkill` / `status` talk to a
// running perpwire over its loopback HTTP endpoint (or HTTPS, verified, for a remote one).
#pragma once
#include <string>

namespace pw {

struct ControlCall {
  std::string url = "http://127.0.0.1:8686";
  std::string method = "GET";  // GET or POST
  std::string path = "/status";
  std::string query;           // "account=main", without '?'
  std::string token;           // sent as Authorization: Bearer (the POST endpoints need it)
  std::string ca_cert;         // PEM file to verify an https:// server with (empty: the system's)
};

// Performs the call; the response body goes to `body`. Returns the HTTP status, or 0 with `error`
// when nothing answered.
int control_call(const ControlCall& call, std::string& body, std::string& error);

}  // namespace pw
