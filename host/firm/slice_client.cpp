#include "host/firm/slice_client.hpp"

#include <chrono>
#include <random>
#include <thread>

#include <fmt/format.h>

namespace pw::firm {

namespace {
constexpr int kMaxAttempts = 64;  // conflicts only happen while other hosts write the same record
}

bool SliceClient::ensure(const std::string& key, int64_t limit, int64_t& limit_in_bucket, std::string& error) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    std::string text;
    uint64_t rev = 0;
    KvResult r = link_.get(key, text, rev, error);
    if (r == KvResult::ok) {
      auto a = Allocation::decode(text, error);
      if (!a) {
        error = fmt::format("firm limit {} in the bucket is not a valid record: {}", key, error);
        return false;
      }
      limit_in_bucket = a->limit;
      return true;
    }
    if (r == KvResult::error) return false;
    Allocation fresh;
    fresh.limit = limit;
    uint64_t new_rev = 0;
    r = link_.put_if(key, fresh.encode(), 0, new_rev, error);
    if (r == KvResult::ok) {
      limit_in_bucket = limit;
      return true;
    }
    if (r == KvResult::error) return false;
    // conflict: another host created it first; read theirs
  }
  error = fmt::format("firm limit {}: too many concurrent updates", key);
  return false;
}

template <class Change>
GrantResult SliceClient::update(const std::string& key, const std::string& holder, Change change) {
  GrantResult g;
  thread_local std::minstd_rand jitter{std::random_device{}()};
  for (g.attempts = 1; g.attempts <= kMaxAttempts; ++g.attempts) {
    std::string text;
    uint64_t rev = 0;
    KvResult r = link_.get(key, text, rev, g.error);
    if (r == KvResult::not_found) {
      g.error = fmt::format("firm limit {} is not in the bucket", key);
      return g;
    }
    if (r != KvResult::ok) return g;
    auto a = Allocation::decode(text, g.error);
    if (!a) {
      g.error = fmt::format("firm limit {} in the bucket is not a valid record: {}", key, g.error);
      return g;
    }
    g.added = change(*a);
    g.held = a->held_by(holder);
    g.free = a->free();
    if (g.added == 0) {  // nothing to write: the answer stands as read
      g.ok = true;
      return g;
    }
    uint64_t new_rev = 0;
    r = link_.put_if(key, a->encode(), rev, new_rev, g.error);
    if (r == KvResult::ok) {
      g.ok = true;
      return g;
    }
    if (r == KvResult::error) return g;
    std::this_thread::sleep_for(std::chrono::microseconds(50 + jitter() % 500));
  }
  g.error = fmt::format("firm limit {}: too many concurrent updates", key);
  g.added = 0;
  return g;
}

GrantResult SliceClient::set_limit(const std::string& key, int64_t limit) {
  return update(key, "", [&](Allocation& a) {
    const int64_t moved = limit - a.limit;
    a.limit = limit;
    return moved;
  });
}

GrantResult SliceClient::grant(const std::string& key, const std::string& holder, int64_t want, int64_t min_amount) {
  return update(key, holder, [&](Allocation& a) { return a.grant(holder, want, min_amount); });
}

GrantResult SliceClient::release(const std::string& key, const std::string& holder, int64_t amount) {
  return update(key, holder, [&](Allocation& a) { return a.release(holder, amount); });
}

bool SliceClient::read(const std::string& key, Allocation& out, std::string& error) {
  std::string text;
  uint64_t rev = 0;
  KvResult r = link_.get(key, text, rev, error);
  if (r == KvResult::not_found) {
    error = fmt::format("firm limit {} is not in the bucket", key);
    return false;
  }
  if (r != KvResult::ok) return false;
  auto a = Allocation::decode(text, error);
  if (!a) return false;
  out = *a;
  return true;
}

}  // namespace pw::firm
