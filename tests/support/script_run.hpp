// Runs a command from the repository root the way a machine without Vitis or XRT looks (no
// XILINX_VITIS, no XILINX_XRT, PATH of the system only): for the tests of the hardware scripts'
// no-tools paths.
#pragma once
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace pw::test {

struct ScriptRun {
  int code;
  std::string out;  // stdout and stderr
};

inline ScriptRun run_without_vitis(const std::string& env_and_args) {
  const std::string cmd = "cd '" PERPWIRE_SOURCE_DIR "' && env -u XILINX_VITIS -u XILINX_XRT PATH=/usr/bin:/bin " +
                          env_and_args + " 2>&1";
  ScriptRun r{-1, ""};
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) r.out += buf;
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline int line_count(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace pw::test
