// The control plane's bearer token: read from a file only its owner can read (mode 0600), or
// generated at start into one, and compared in constant time. The same file serves the server
// (`[control] token_file`, or `<out>/control.token`) and the client (`perpwire kill --token-file`).
// Reference: docs/control_plane.md "Authentication".
#pragma once
#include <string>
#include <string_view>

namespace pw {

constexpr size_t kMinControlTokenLength = 16;   // characters: at least 64 bits of a hex token
constexpr size_t kMaxControlTokenLength = 256;

// A token's text: 16 to 256 characters, each printable ASCII other than a space (what an HTTP
// header carries unchanged). Empty when valid, else what is wrong.
std::string control_token_problem(std::string_view token);

// Reads the token from `path`: a regular file, mode 0600 or stricter (no group or other bits), one
// line (a trailing newline is allowed). False with a one-line `error` naming the file.
bool read_control_token_file(const std::string& path, std::string& token, std::string& error);

// 32 bytes from the kernel's random source as 64 lowercase hex digits. False with `error` when the
// random source fails (never a predictable token).
bool generate_control_token(std::string& token, std::string& error);

// Writes `token` and a newline to `path`, created afresh with mode 0600 (an existing file, or a
// symlink in its place, is removed first, so no other mode or owner survives). False with `error`.
bool write_control_token_file(const std::string& path, const std::string& token, std::string& error);

// Compares a presented token with the expected one; the time taken depends only on the expected
// token's length, never on how many leading characters match.
bool control_token_matches(std::string_view expected, std::string_view presented);

}  // namespace pw
