// The journal's writer: the trading thread appends fixed records to a lock-free ring (append(),
// no allocation, lock or syscall); a thread of its own encodes them, appends them to the file and
// makes each batch durable with fdatasync, waking at least every quarter of `sync_within`. The
// first failure — ring full, a write or sync error (disk full, permissions, file size limit) —
// is kept: healthy() turns false for good, failure() says why in one line, and the gate refuses
// new orders from then on (the journal no longer holds every input).
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "host/journal/journal_ring.hpp"

namespace pw::journal {

struct WriterOptions {
  int64_t sync_within_ns = 1000000;
  size_t ring_capacity = 1 << 14;  // a power of two
};

struct WriterCounters {
  uint64_t records = 0;       // made durable
  uint64_t bytes = 0;         // of the file, header included
  uint64_t batches = 0;       // fdatasync calls that succeeded
  uint64_t dropped = 0;       // records not written: after a failure, or the ring was full
  uint64_t max_batch_ns = 0;  // the slowest write + fdatasync of a batch
};

class JournalWriter {
 public:
  JournalWriter() = default;
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Opens (creating it with a header when missing or empty) `path` for appending after its first
  // `keep_bytes` bytes (a torn tail beyond them is cut off; 0 with an existing file: keep all),
  // and starts the writer thread. False with `error` when the file cannot be opened or written.
  bool open(const std::string& path, uint64_t keep_bytes, const WriterOptions& options, std::string& error);
  // Writes what the ring still holds, syncs and stops the thread.
  void close();

  // Trading thread. False when the record was not taken (the writer failed, or the ring is full:
  // then the writer is failed from now on).
  bool append(RecordType type, const void* payload, size_t n) {
    if (!healthy_.load(std::memory_order_relaxed)) {
      dropped_hot_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (ring_->push(type, payload, n)) return true;
    dropped_hot_.fetch_add(1, std::memory_order_relaxed);
    fail("the journal writer fell a whole ring behind (ring full)", 0);
    return false;
  }
  template <class T>
  bool append(RecordType type, const T& rec) {
    return append(type, &rec, sizeof(T));
  }

  bool is_open() const { return fd_ >= 0; }
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
  std::string failure() const;  // empty while healthy
  WriterCounters counters() const;
  // Blocks until everything appended so far is durable (or the writer failed); tests and the end of a run.
  bool flush();
  const std::string& path() const { return path_; }

 private:
  void run();
  void fail(const char* what, int err);
  bool write_all(const uint8_t* p, size_t n);

  std::string path_;
  int fd_ = -1;
  WriterOptions options_;
  std::unique_ptr<JournalRing> ring_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> healthy_{true};
  std::atomic<uint64_t> dropped_hot_{0};
  std::atomic<bool> busy_{false};               // a batch taken from the ring is not yet durable
  std::atomic<const char*> failure_what_{nullptr};  // the first failure (a static text) and its errno
  std::atomic<int> failure_errno_{0};
  mutable std::mutex mu_;  // the counters: the writer thread and readers of the report, never the trading thread
  WriterCounters counters_;
};

}  // namespace pw::journal
