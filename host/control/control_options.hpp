// From [control] to what the control server and its client need: the token (read from token_file,
// or generated into <out>/control.token), TLS files, the refusal counters. Kept here so that
// `perpwire run` and the tests build the server the same way.
#pragma once
#include <string>

#include "host/config/config.hpp"
#include "host/control/control_server.hpp"

namespace pw {

class MetricsRegistry;

// Fills `options` from `cc`. Without a token_file, generates a token and writes it to
// `<out_dir>/control.token` (mode 0600); `token_path` says which file holds the token in force.
// `registry` (may be null) gets perpwire_control_refused_total{reason} for every reason.
// False with a one-line `error`.
bool control_server_options(const ControlConfig& cc, const std::string& out_dir, MetricsRegistry* registry,
                            ControlServerOptions& options, std::string& token_path, std::string& error);

// The file `perpwire kill` reads its token from: `token_file` when given; else the config's
// [control] token_file, or `<[output] dir>/control.token` of `config_path` when that is given; else
// `<out_dir>/control.token` (`out_dir` defaults to the default [output] dir). Empty with `error` when
// the config cannot be loaded.
std::string client_token_path(const std::string& token_file, const std::string& out_dir, const std::string& config_path,
                              std::string& error);

}  // namespace pw
