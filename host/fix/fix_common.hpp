// What the FIX client session and the simulated FIX venue share: the QuickFIX settings of one
// session, wire client order ids, symbols, and field access that never throws. Included by .cpp
// files only (it brings in QuickFIX).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "host/fix/fix_decimal.hpp"
#include "host/fix/fix_engine.hpp"
#include "host/fix/quickfix.hpp"

namespace pw::fix {

constexpr const char* kBeginString = "FIX.4.4";

// QuickFIX settings of one FIX 4.4 session: the shared ones, the data dictionary, every message
// kept for resends, no log files.
inline FIX::Dictionary session_dictionary(const std::string& connection_type, const std::string& dictionary,
                                          const std::string& store_dir, int heartbeat_seconds) {
  FIX::Dictionary d = common_session_settings(connection_type, kBeginString, store_dir, heartbeat_seconds);
  d.setString("DataDictionary", dictionary);
  d.setString("PersistMessages", "Y");
  return d;
}

// Wire ClOrdID: "<id>" for the order itself, "<id>.<n>" for its n-th replace or cancel.
inline std::string wire_cl_ord_id(int64_t cid, uint32_t version) {
  std::string s = std::to_string(cid);
  if (version != 0) {
    s += '.';
    s += std::to_string(version);
  }
  return s;
}
inline bool parse_cl_ord_id(std::string_view s, int64_t& cid, uint32_t& version) {
  const size_t dot = s.find('.');
  int64_t v = 0;
  if (!parse_int(s.substr(0, dot), cid)) return false;
  if (dot == std::string_view::npos) {
    version = 0;
    return true;
  }
  if (!parse_int(s.substr(dot + 1), v) || v <= 0 || v > UINT32_MAX) return false;
  version = (uint32_t)v;
  return true;
}

using SymbolMap = std::vector<std::pair<int32_t, std::string>>;
inline std::string symbol_of(const SymbolMap& m, int32_t id) {
  for (const auto& kv : m)
    if (kv.first == id) return kv.second;
  return std::to_string(id);
}
inline bool instrument_of(const SymbolMap& m, std::string_view symbol, int32_t& id) {
  for (const auto& kv : m)
    if (kv.second == symbol) {
      id = kv.first;
      return true;
    }
  int64_t v = 0;
  if (!parse_int(symbol, v) || v > INT32_MAX) return false;
  id = (int32_t)v;
  return true;
}

// Field text, or empty when absent.
inline std::string_view field(const FIX::FieldMap& m, int tag) {
  if (!m.isSetField(tag)) return std::string_view();
  return std::string_view(m.getFieldRef(tag).getString());
}
inline char field_char(const FIX::FieldMap& m, int tag) {
  const std::string_view s = field(m, tag);
  return s.size() == 1 ? s[0] : '\0';
}
inline bool field_e9(const FIX::FieldMap& m, int tag, int64_t& out) { return parse_e9(field(m, tag), out); }
inline bool field_int(const FIX::FieldMap& m, int tag, int64_t& out) { return parse_int(field(m, tag), out); }
// Quantities are integers on this venue; a decimal quantity with a zero fraction is accepted.
inline bool field_qty(const FIX::FieldMap& m, int tag, int32_t& out) {
  int64_t v = 0;
  if (!parse_e9(field(m, tag), v) || v < 0 || v % 1'000'000'000 != 0 || v / 1'000'000'000 > INT32_MAX) return false;
  out = (int32_t)(v / 1'000'000'000);
  return true;
}
inline void set_e9(FIX::FieldMap& m, int tag, int64_t v) {
  char buf[32];
  format_e9(v, buf);
  m.setField(tag, buf);
}

}  // namespace pw::fix
