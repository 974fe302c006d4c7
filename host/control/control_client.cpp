#include "host/control/control_client.hpp"

#include <httplib.h>

namespace pw {

int control_call(const ControlCall& call, std::string& body, std::string& error) {
  httplib::Client client(call.url);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  if (!call.token.empty()) client.set_bearer_token_auth(call.token.c_str());
  if (call.url.rfind("https://", 0) == 0) {
    client.enable_server_certificate_verification(true);
    if (!call.ca_cert.empty()) client.set_ca_cert_path(call.ca_cert.c_str());
  }
  const std::string target = call.query.empty() ? call.path : call.path + "?" + call.query;
  httplib::Result r = call.method == "POST" ? client.Post(target, "", "text/plain") : client.Get(target);
  if (!r) {
    error = "no answer from " + call.url + ": " + httplib::to_string(r.error());
    return 0;
  }
  body = r->body;
  return r->status;
}

}  // namespace pw
