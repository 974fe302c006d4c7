#include "host/orders/transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pw::oe {

Transport::Connect TcpTransport::fail(const char* what, int err) {
  error_ = std::string(what) + " " + host_ + ":" + std::to_string(port_) + ": " + std::strerror(err);
  close();
  return Connect::failed;
}

Transport::Connect TcpTransport::start_connect() {
  close();
  error_.clear();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
    error_ = "order-entry host '" + host_ + "' is not an IPv4 address in dotted form";
    return Connect::failed;
  }
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail("socket for", errno);
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return Connect::connected;
  if (errno == EINPROGRESS) return Connect::in_progress;
  return fail("connect to", errno);
}

Transport::Connect TcpTransport::finish_connect() {
  if (fd_ < 0) return Connect::failed;
  pollfd p{fd_, POLLOUT, 0};
  const int r = ::poll(&p, 1, 0);
  if (r == 0) return Connect::in_progress;
  if (r < 0) return errno == EINTR ? Connect::in_progress : fail("poll while connecting to", errno);
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return fail("connect to", errno);
  if (err != 0) return fail("connect to", err);
  return Connect::connected;
}

long TcpTransport::write(const uint8_t* data, size_t len) {
  if (fd_ < 0) {
    error_ = "write on a closed connection";
    return -1;
  }
  // MSG_NOSIGNAL: a peer that went away must show up as an error here, not kill the process.
  const ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL);
  if (n >= 0) return (long)n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  error_ = std::string("write to the exchange failed: ") + std::strerror(errno);
  return -1;
}

long TcpTransport::read(uint8_t* data, size_t cap) {
  if (fd_ < 0) {
    error_ = "read on a closed connection";
    return -1;
  }
  const ssize_t n = ::recv(fd_, data, cap, 0);
  if (n > 0) return (long)n;
  if (n == 0) {
    error_ = "connection closed by the exchange";
    return -1;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  error_ = std::string("read from the exchange failed: ") + std::strerror(errno);
  return -1;
}

void TcpTransport::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Transport::Connect MemoryLink::End::start_connect() {
  MemoryLink& l = link_;
  l.to_peer_.clear();
  l.to_client_.clear();
  l.peer_closed_ = false;
  if (l.refuse_) {
    l.open_ = false;
    l.error_ = "connect to memory link: connection refused";
    return Connect::failed;
  }
  l.open_ = true;
  ++l.connections_;
  return Connect::connected;
}

long MemoryLink::End::write(const uint8_t* data, size_t len) {
  MemoryLink& l = link_;
  if (!l.open_ || l.peer_closed_) {
    l.error_ = "write to the exchange failed: connection reset";
    return -1;
  }
  if (l.write_limit_ >= 0 && (long)len > l.write_limit_) len = (size_t)l.write_limit_;
  l.to_peer_.insert(l.to_peer_.end(), data, data + len);
  return (long)len;
}

long MemoryLink::End::read(uint8_t* data, size_t cap) {
  MemoryLink& l = link_;
  if (!l.open_) {
    l.error_ = "read on a closed connection";
    return -1;
  }
  if (l.to_client_.empty()) {
    if (l.peer_closed_) {
      l.error_ = "connection closed by the exchange";
      return -1;
    }
    return 0;
  }
  size_t n = l.to_client_.size() < cap ? l.to_client_.size() : cap;
  for (size_t i = 0; i < n; ++i) data[i] = l.to_client_[i];
  l.to_client_.erase(l.to_client_.begin(), l.to_client_.begin() + (long)n);
  return (long)n;
}

}  // namespace pw::oe
