// The [firm] section: a valid one parsed exactly; each mistake one error naming its key.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "host/config/config.hpp"

namespace {

std::string default_config() {
  std::ifstream in(std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kFirm = R"(
[firm]
servers = ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]
host_id = "cde-host-1"
venue = "coinbase"
replicas = 3
daily_notional_limit = "50000000"
notional_slice = "5000000"
low_water = "20%"

[[firm.groups]]
name = "BTC"
instruments = ["BIP-20DEC30-CDE"]
max_position = "25"
slice = "2.5"
)";

std::string errors_of(const std::string& text) {
  pw::ConfigResult r = pw::parse_config(text, "firm.toml");
  return r.error_text();
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("[firm]: a valid section") {
  pw::ConfigResult r = pw::parse_config(default_config() + kFirm, "firm.toml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const pw::FirmConfig& f = r.config->firm;
  CHECK(f.enabled);
  CHECK(f.servers.size() == 2);
  CHECK(f.host_id == "cde-host-1");
  CHECK(f.venue == "coinbase");
  CHECK(f.replicas == 3);
  CHECK(f.daily_notional_limit == 50000000LL * 1000000000LL);
  CHECK(f.notional_slice == 5000000LL * 1000000000LL);
  CHECK(f.low_water == 200000000);
  REQUIRE(f.groups.size() == 1);
  CHECK(f.groups[0].max_position == 25LL * 1000000000LL);
  CHECK(f.groups[0].slice == 2500000000LL);
  CHECK_FALSE(pw::parse_config(default_config(), "x.toml").config->firm.enabled);
}

TEST_CASE("[firm]: mistakes") {
  const std::string base = default_config() + kFirm;
  CHECK(errors_of(with(base, "\"nats://127.0.0.1:4223\"", "\"127.0.0.1:4223\"")).find("firm.servers") != std::string::npos);
  CHECK(errors_of(with(base, "notional_slice = \"5000000\"", "notional_slice = \"60000000\"")).find("firm.notional_slice") != std::string::npos);
  CHECK(errors_of(with(base, "\"BIP-20DEC30-CDE\"]", "\"NOPE\"]")).find("is not one of the [[instruments]]") != std::string::npos);
  CHECK(errors_of(with(base, "low_water = \"20%\"", "low_water = \"100%\"")).find("firm.low_water") != std::string::npos);
  CHECK(errors_of(with(base, "host_id = \"cde-host-1\"\n", "")).find("firm.host_id") != std::string::npos);
  CHECK(errors_of(with(base, "replicas = 3", "replica = 3")).find("replica") != std::string::npos);  // unknown key
  const std::string no_limit = default_config() + "\n[firm]\nservers = [\"nats://127.0.0.1:4222\"]\nhost_id = \"h\"\nvenue = \"v\"\n";
  CHECK(errors_of(no_limit).find("no firm limit") != std::string::npos);
}
