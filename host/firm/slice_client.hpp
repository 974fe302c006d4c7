// Grants and returns of slices of one firm limit, by revision-checked updates of its allocation
// record (host/firm/allocation.hpp) in the bucket: read, change, write back only if nobody wrote
// in between, else read again. The slices granted can never add up to more than the limit.
#pragma once
#include <cstdint>
#include <string>

#include "host/firm/allocation.hpp"
#include "host/firm/nats_link.hpp"

namespace pw::firm {

struct GrantResult {
  bool ok = false;       // the bucket answered (false: NATS unreachable or the record is bad)
  int64_t added = 0;     // what the change moved (granted, or given back)
  int64_t held = 0;      // the holder's slice afterwards
  int64_t free = 0;      // what is left of the limit afterwards
  int attempts = 0;      // revision conflicts + 1
  std::string error;
};

class SliceClient {
 public:
  explicit SliceClient(NatsLink& link) : link_(link) {}

  // Creates the limit's record when it does not exist. When it exists the bucket's limit is the
  // firm's: `limit_in_bucket` tells it (a host never overwrites another's grants).
  bool ensure(const std::string& key, int64_t limit, int64_t& limit_in_bucket, std::string& error);
  // Sets the limit (the firm's risk desk: `perpwire firm set-limit`); grants stay as they are.
  GrantResult set_limit(const std::string& key, int64_t limit);
  GrantResult grant(const std::string& key, const std::string& holder, int64_t want, int64_t min_amount);
  GrantResult release(const std::string& key, const std::string& holder, int64_t amount);
  bool read(const std::string& key, Allocation& out, std::string& error);

 private:
  template <class Change>
  GrantResult update(const std::string& key, const std::string& holder, Change change);

  NatsLink& link_;
};

}  // namespace pw::firm
