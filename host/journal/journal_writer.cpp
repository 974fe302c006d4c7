#include "host/journal/journal_writer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace pw::journal {
namespace {

int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

JournalWriter::~JournalWriter() { close(); }

bool JournalWriter::open(const std::string& path, uint64_t keep_bytes, const WriterOptions& options, std::string& error) {
  close();
  // A file size limit (RLIMIT_FSIZE) must come back as EFBIG from write(), a failure the gate
  // reports, not as SIGXFSZ ending the process.
  ::signal(SIGXFSZ, SIG_IGN);
  path_ = path;
  options_ = options;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("journal {}: cannot open for writing: {}", path, std::strerror(errno));
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = fmt::format("journal {}: {}", path, std::strerror(errno));
    ::close(fd);
    return false;
  }
  uint64_t size = (uint64_t)st.st_size;
  if (keep_bytes > 0 && keep_bytes < size) {
    // The torn tail the reader ignored: cut off, so the next record follows a whole one.
    if (::ftruncate(fd, (off_t)keep_bytes) != 0) {
      error = fmt::format("journal {}: cannot cut off the torn last record: {}", path, std::strerror(errno));
      ::close(fd);
      return false;
    }
    size = keep_bytes;
  }
  fd_ = fd;
  if (::lseek(fd_, (off_t)size, SEEK_SET) < 0) {
    error = fmt::format("journal {}: {}", path, std::strerror(errno));
    close();
    return false;
  }
  if (size == 0) {
    const FileHeader h = make_header();
    if (!write_all(reinterpret_cast<const uint8_t*>(&h), sizeof(h)) || ::fdatasync(fd_) != 0) {
      error = fmt::format("journal {}: cannot write the header: {}", path, std::strerror(errno));
      close();
      return false;
    }
    size = sizeof(h);
  }
  counters_ = WriterCounters{};
  counters_.bytes = size;
  healthy_.store(true);
  failure_what_.store(nullptr);
  failure_errno_.store(0);
  dropped_hot_.store(0);
  ring_ = std::make_unique<JournalRing>(options_.ring_capacity);
  stop_.store(false);
  thread_ = std::thread([this] { run(); });
  return true;
}

void JournalWriter::close() {
  if (thread_.joinable()) {
    stop_.store(true);
    thread_.join();
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void JournalWriter::fail(const char* what, int err) {
  const char* expected = nullptr;
  if (failure_what_.compare_exchange_strong(expected, what)) failure_errno_.store(err);
  healthy_.store(false);
}

std::string JournalWriter::failure() const {
  const char* what = failure_what_.load();
  if (what == nullptr) return {};
  const int err = failure_errno_.load();
  if (err == 0) return fmt::format("journal {}: {}", path_, what);
  return fmt::format("journal {}: {}: {}", path_, what, std::strerror(err));
}

WriterCounters JournalWriter::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  WriterCounters c = counters_;
  c.dropped += dropped_hot_.load(std::memory_order_relaxed);
  return c;
}

bool JournalWriter::write_all(const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

bool JournalWriter::flush() {
  if (!ring_) return false;
  while (healthy() && (!ring_->empty() || busy_.load())) std::this_thread::sleep_for(std::chrono::microseconds(50));
  return healthy();
}

void JournalWriter::run() {
  std::vector<uint8_t> buffer;
  buffer.reserve(1 << 20);
  const int64_t idle_ns = options_.sync_within_ns / 4 > 20000 ? options_.sync_within_ns / 4 : 20000;
  for (;;) {
    busy_.store(true);
    buffer.clear();
    uint64_t taken = 0;
    while (const RingEntry* e = ring_->front()) {
      if (buffer.size() + encoded_size(kMaxPayload) > buffer.capacity()) break;
      const size_t at = buffer.size();
      buffer.resize(at + encoded_size(e->length));
      encode_record((RecordType)e->type, e->payload, e->length, buffer.data() + at);
      ring_->release();
      ++taken;
    }
    if (taken > 0) {
      if (!healthy()) {
        std::lock_guard<std::mutex> lock(mu_);
        counters_.dropped += taken;
      } else {
        const int64_t t0 = mono_ns();
        if (!write_all(buffer.data(), buffer.size())) {
          fail("cannot append", errno);
        } else if (::fdatasync(fd_) != 0) {
          fail("cannot make the records durable (fdatasync)", errno);
        }
        const uint64_t took = (uint64_t)(mono_ns() - t0);
        std::lock_guard<std::mutex> lock(mu_);
        if (healthy()) {
          counters_.records += taken;
          counters_.bytes += buffer.size();
          ++counters_.batches;
          if (took > counters_.max_batch_ns) counters_.max_batch_ns = took;
        } else {
          counters_.dropped += taken;
        }
      }
      busy_.store(false);
      continue;
    }
    busy_.store(false);
    if (stop_.load()) break;
    std::this_thread::sleep_for(std::chrono::nanoseconds(idle_ns));
  }
}

}  // namespace pw::journal
