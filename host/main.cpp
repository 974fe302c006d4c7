// perpwire: market-data and pre-trade risk pipeline for perpetual futures.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "host/decode/capture_decoder.hpp"

namespace {

int cmd_decode(const std::string& pcap, const std::string& protocol, const std::string& output, bool summary) {
  pw::WireProtocol proto = protocol == "orders" ? pw::WireProtocol::orders : pw::WireProtocol::market_data;
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!output.empty()) {
    file.open(output);
    if (!file) {
      std::fprintf(stderr, "perpwire decode: cannot write '%s'\n", output.c_str());
      return 1;
    }
    out = &file;
  }
  const bool write_lines = !summary || !output.empty();
  pw::DecodeCounts counts;
  std::string error;
  const bool ok = pw::decode_capture(
      pcap, proto,
      [&](const std::string& line) {
        if (write_lines) *out << line << '\n';
      },
      counts, error);
  if (!ok) {
    std::fprintf(stderr, "perpwire decode: %s\n", error.c_str());
    return 1;
  }
  out->flush();
  if (summary) std::cout << pw::format_summary(pcap, counts);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"perpwire: market data, mark price, funding and pre-trade risk for perpetual futures"};
  app.require_subcommand(1);

  std::string pcap, protocol = "md", output;
  bool summary = false;
  CLI::App* decode = app.add_subcommand("decode", "Decode a capture to JSON Lines, one object per SBE message");
  decode->add_option("--pcap", pcap, "capture file (pcap or pcapng)")->required();
  decode->add_option("--protocol", protocol, "md (market data over UDP) or orders (order entry over TCP)")
      ->check(CLI::IsMember({"md", "orders"}));
  decode->add_option("-o,--output", output, "write the JSON Lines here instead of standard output");
  decode->add_flag("--summary", summary, "print counts per template and per error reason");
  decode->callback([&] { std::exit(cmd_decode(pcap, protocol, output, summary)); });

  CLI11_PARSE(app, argc, argv);
  return 0;
}
