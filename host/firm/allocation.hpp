// One firm-wide limit as it sits in the JetStream key-value bucket: the limit itself and the slice
// each holder (a host's account, or a host's account × instrument) has been granted. The record is
// only ever replaced by a revision-checked update, so two hosts asking at the same moment cannot
// both be granted the last free amount: the sum of the grants never exceeds the limit.
//
// Text form, one `key=value` per line (readable with `nats kv get`):
//   limit=1000000000000
//   grant.host-a/acct0=250000000000
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pw::firm {

struct Allocation {
  int64_t limit = 0;                       // the firm limit (money or underlying units ×1e-9)
  std::map<std::string, int64_t> grants;  // holder → slice granted (> 0)

  int64_t granted() const;
  int64_t free() const { return limit - granted(); }
  int64_t held_by(const std::string& holder) const;

  // Grants `holder` up to `want` more (at least `min_amount`, else nothing); returns the amount added.
  int64_t grant(const std::string& holder, int64_t want, int64_t min_amount);
  // Gives back up to `amount` of the holder's slice; returns the amount released.
  int64_t release(const std::string& holder, int64_t amount);

  std::string encode() const;
  // nullopt with `error` set when the text is not a valid record (a bad record is never "empty").
  static std::optional<Allocation> decode(std::string_view text, std::string& error);
};

}  // namespace pw::firm
