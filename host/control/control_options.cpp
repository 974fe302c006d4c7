#include "host/control/control_options.hpp"

#include "host/control/control_token.hpp"
#include "host/metrics/metrics.hpp"

namespace pw {

bool control_server_options(const ControlConfig& cc, const std::string& out_dir, MetricsRegistry* registry,
                            ControlServerOptions& o, std::string& token_path, std::string& error) {
  o.bind = cc.bind;
  o.port = cc.port;
  o.allow_remote = cc.allow_remote;
  o.tls_cert = cc.tls_cert;
  o.tls_key = cc.tls_key;
  if (!cc.token_file.empty()) {
    o.token = cc.token;
    token_path = cc.token_file;
  } else {
    token_path = (out_dir.empty() ? std::string(".") : out_dir) + "/control.token";
    if (!generate_control_token(o.token, error) || !write_control_token_file(token_path, o.token, error)) return false;
  }
  if (registry)
    for (int r = 0; r < kControlRefusalCount; ++r)
      o.refused_metrics[(size_t)r] = &registry->counter("perpwire_control_refused_total", "Control-plane requests refused before their handler, by reason.",
                                                        {{"reason", control_refusal_name((ControlRefusal)r)}});
  return true;
}

std::string client_token_path(const std::string& token_file, const std::string& out_dir, const std::string& config_path, std::string& error) {
  if (!token_file.empty()) return token_file;
  if (!out_dir.empty()) return out_dir + "/control.token";
  if (!config_path.empty()) {
    const ConfigResult r = load_config(config_path);
    if (!r.ok()) {
      error = "cannot take the token from " + config_path + ":\n" + r.error_text();
      return {};
    }
    return r.config->control.token_file.empty() ? r.config->output.dir + "/control.token" : r.config->control.token_file;
  }
  return OutputConfig{}.dir + "/control.token";
}

}  // namespace pw
