#include "host/control/control_token.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pw {

std::string control_token_problem(std::string_view token) {
  if (token.size() < kMinControlTokenLength || token.size() > kMaxControlTokenLength)
    return "a token of " + std::to_string(kMinControlTokenLength) + " to " + std::to_string(kMaxControlTokenLength) +
           " characters is needed, this one has " + std::to_string(token.size());
  for (char c : token)
    if (c <= ' ' || c > '~') return "a token holds printable ASCII characters other than a space only";
  return {};
}

bool read_control_token_file(const std::string& path, std::string& token, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    error = "cannot read the token file " + path + " (" + std::strerror(errno) + ")";
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = "the token file " + path + " is not a regular file";
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", (unsigned)(st.st_mode & 07777));
    error = "the token file " + path + " has mode " + mode + ": it must be readable by its owner only (chmod 600 " + path + ")";
    return false;
  }
  char buf[kMaxControlTokenLength + 3];
  size_t n = 0;
  for (;;) {
    const ssize_t r = ::read(fd, buf + n, sizeof buf - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const int err = errno;
      ::close(fd);
      error = "cannot read the token file " + path + " (" + std::strerror(err) + ")";
      return false;
    }
    if (r == 0 || (n += (size_t)r) == sizeof buf) break;
  }
  ::close(fd);
  std::string_view text(buf, n);
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (const std::string p = control_token_problem(text); !p.empty()) {
    error = "the token file " + path + ": " + p;
    return false;
  }
  token.assign(text);
  return true;
}

bool generate_control_token(std::string& token, std::string& error) {
  unsigned char raw[32];
  size_t n = 0;
  while (n < sizeof raw) {
    const ssize_t r = ::getrandom(raw + n, sizeof raw - n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      error = std::string("cannot generate a control token: getrandom failed (") + std::strerror(errno) + ")";
      return false;
    }
    n += (size_t)r;
  }
  static const char kHex[] = "0123456789abcdef";
  token.clear();
  for (unsigned char b : raw) token += kHex[b >> 4], token += kHex[b & 15];
  return true;
}

bool write_control_token_file(const std::string& path, const std::string& token, std::string& error) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    error = "cannot replace the token file " + path + " (" + std::strerror(errno) + ")";
    return false;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot create the token file " + path + " (" + std::strerror(errno) + ")";
    return false;
  }
  const std::string text = token + "\n";
  // The umask can only remove bits; fchmod makes the mode exactly 0600 whatever it is.
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ok = false;
    else done += (size_t)w;
  }
  const int err = errno;
  if (::close(fd) != 0) ok = false;
  if (!ok) {
    error = "cannot write the token file " + path + " (" + std::strerror(err) + ")";
    ::unlink(path.c_str());
    return false;
  }
  return true;
}

bool control_token_matches(std::string_view expected, std::string_view presented) {
  // Every byte of `expected` is visited whatever `presented` holds; a length difference is folded
  // into the same accumulator instead of returning early.
  unsigned diff = expected.size() == presented.size() ? 0u : 1u;
  for (size_t i = 0; i < expected.size(); ++i) {
    const unsigned char p = i < presented.size() ? (unsigned char)presented[i] : 0;
    diff |= (unsigned)((unsigned char)expected[i] ^ p);
  }
  volatile unsigned sink = diff;  // keeps the compiler from turning the loop into an early exit
  return sink == 0 && !expected.empty();
}

}  // namespace pw
