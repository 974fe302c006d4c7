// perpwire's one connection to the firm's NATS cluster (the NATS C client, JetStream): the
// key-value bucket that holds the firm limits, the slices granted and the firm kill flag, and the
// stream that carries every fill of every host. Reconnects by itself across the servers listed;
// `connected()` says whether it is connected right now (callbacks of the client's own threads).
// Used only off the hot thread.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct __natsConnection;
struct __jsCtx;
struct __kvStore;
struct __kvWatcher;

namespace pw::firm {

struct NatsLinkOptions {
  std::vector<std::string> servers;   // nats://127.0.0.1:4222 ...
  std::string credentials_file;       // NATS .creds file; empty = none
  std::string name = "perpwire";      // connection name the servers show
  std::string bucket = "perpwire_firm";
  std::string stream = "PERPWIRE_FILLS";
  std::string fills_subject = "perpwire.fills";  // the stream holds fills_subject.>
  int replicas = 1;                   // of the bucket and the stream (3 on a 3-node cluster)
  int64_t timeout_ms = 2000;          // connect and request timeout
  int64_t dedup_window_ms = 24 * 3600 * 1000LL;  // the stream drops a repeated message id within this
};

enum class KvResult { ok, not_found, conflict, error };

class NatsLink {
 public:
  NatsLink();
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  // Connects and creates (or binds) the bucket and the stream. False with the reason.
  bool open(const NatsLinkOptions& options, std::string& error);
  void close();
  bool connected() const { return connected_.load(std::memory_order_acquire); }
  uint64_t disconnects() const { return disconnects_.load(std::memory_order_relaxed); }
  const NatsLinkOptions& options() const { return options_; }

  // The key's value and revision; not_found when the key was never written (or deleted).
  KvResult get(const std::string& key, std::string& value, uint64_t& revision, std::string& error);
  // Writes the key only if its revision is still `last_revision` (0: only if the key does not
  // exist); conflict when another writer came first.
  KvResult put_if(const std::string& key, const std::string& value, uint64_t last_revision, uint64_t& revision,
                  std::string& error);
  KvResult put(const std::string& key, const std::string& value, std::string& error);

  // Watches one key: `on_value` gets its current value (if any) and every later one, on the
  // watcher's thread, until close(). False when the watch cannot be set up.
  bool watch(const std::string& key, std::function<void(std::string_view value)> on_value, std::string& error);

  // Publishes to the stream under `subject` with a message id (JetStream drops a repeat of the id
  // within the dedup window: a replayed fill never counts twice). `duplicate` tells which happened.
  bool publish(const std::string& subject, const std::string& msg_id, std::string_view payload, bool& duplicate,
               std::string& error);
  // Every message the stream holds, oldest first.
  bool read_all(const std::function<void(std::string_view subject, std::string_view data)>& on_message,
                std::string& error);

 private:
  static void on_disconnected(__natsConnection*, void* self);
  static void on_reconnected(__natsConnection*, void* self);
  static void on_closed(__natsConnection*, void* self);

  NatsLinkOptions options_;
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
  __kvStore* kv_ = nullptr;
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> disconnects_{0};
  std::atomic<bool> closed_{true};  // the client's closed callback has run: no callback of it is left
  struct Watch;
  std::vector<std::unique_ptr<Watch>> watches_;
};

}  // namespace pw::firm
