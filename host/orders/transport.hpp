// Byte transport under the order-entry session: a non-blocking TCP client over POSIX sockets, and
// an in-memory link with the same interface so that tests can play the exchange byte by byte.
// Nothing here blocks; the session calls these from its poll loop.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>

namespace pw::oe {

class Transport {
 public:
  enum class Connect : uint8_t { connected, in_progress, failed };

  virtual ~Transport() = default;
  // Starts a new connection (closing any previous one).
  virtual Connect start_connect() = 0;
  // Progress of a connection that start_connect left in_progress.
  virtual Connect finish_connect() = 0;
  // Bytes taken (0 when the socket cannot take more now), or -1 when the connection is broken.
  virtual long write(const uint8_t* data, size_t len) = 0;
  // Bytes read (0 when nothing is waiting), or -1 at end of stream or on error.
  virtual long read(uint8_t* data, size_t cap) = 0;
  virtual void close() = 0;
  // Descriptor to wait on (poll/epoll), or -1 when there is none.
  virtual int fd() const { return -1; }
  // Why the last call failed, for log lines and disconnect reasons.
  virtual const std::string& last_error() const = 0;
};

// TCP client to an IPv4 address (dotted form: order entry connects to configured addresses, so
// no name resolution sits on the session's path). TCP_NODELAY is set: every message goes out at once.
class TcpTransport final : public Transport {
 public:
  TcpTransport(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}
  ~TcpTransport() override { close(); }
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  Connect start_connect() override;
  Connect finish_connect() override;
  long write(const uint8_t* data, size_t len) override;
  long read(uint8_t* data, size_t cap) override;
  void close() override;
  int fd() const override { return fd_; }
  const std::string& last_error() const override { return error_; }

  void set_port(uint16_t port) { port_ = port; }

 private:
  Connect fail(const char* what, int err);
  std::string host_;
  uint16_t port_;
  int fd_ = -1;
  std::string error_;
};

// Both ends of an in-memory connection. The session uses `client()`; the test acts as the exchange
// through the peer_* calls. Each start_connect begins a new connection with empty buffers.
class MemoryLink {
 public:
  class End final : public Transport {
   public:
    explicit End(MemoryLink& link) : link_(link) {}
    Connect start_connect() override;
    Connect finish_connect() override { return link_.open_ ? Connect::connected : Connect::failed; }
    long write(const uint8_t* data, size_t len) override;
    long read(uint8_t* data, size_t cap) override;
    void close() override { link_.open_ = false; }
    const std::string& last_error() const override { return link_.error_; }

   private:
    MemoryLink& link_;
  };

  Transport& client() { return end_; }

  bool open() const { return open_; }
  uint32_t connections() const { return connections_; }
  // Bytes the client wrote and the peer has not taken yet.
  std::deque<uint8_t>& to_peer() { return to_peer_; }
  void peer_write(const uint8_t* data, size_t len) { to_client_.insert(to_client_.end(), data, data + len); }
  // The peer closes: the client reads what is buffered, then end of stream.
  void peer_close() { peer_closed_ = true; }
  // Refuse the next connections (a listener that is not there).
  void set_refuse(bool refuse) { refuse_ = refuse; }
  // Accept at most this many bytes per client write (a full socket buffer); -1 = unlimited.
  void set_write_limit(long limit) { write_limit_ = limit; }

 private:
  End end_{*this};
  std::deque<uint8_t> to_peer_;
  std::deque<uint8_t> to_client_;
  bool open_ = false;
  bool peer_closed_ = false;
  bool refuse_ = false;
  long write_limit_ = -1;
  uint32_t connections_ = 0;
  std::string error_;
};

}  // namespace pw::oe
