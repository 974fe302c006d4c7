// Finding and running an external program (gnuplot for the report's and `perpwire funding`'s
// plots) without a shell: the file names never pass through one.
#pragma once
#include <string>

namespace pw {

// `name` if it holds a '/' and is executable, else the first executable match in PATH; empty when
// absent.
std::string find_program(const std::string& name);

// Runs `program script` with stdout and stderr into `log` and stdin from /dev/null; returns the
// exit status (−1: not started or killed).
int run_program(const std::string& program, const std::string& script, const std::string& log);

}  // namespace pw
