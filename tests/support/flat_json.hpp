// Reads one flat JSON object ({"k": number|string|null|true|false, ...}) keeping every value as
// the exact text it was written with, so tests compare decimal prices digit for digit.
#pragma once
#include <map>
#include <optional>
#include <string>

namespace pw::test {

struct FlatValue {
  enum Kind { number, string, null, boolean } kind;
  std::string text;  // number/boolean: as written; string: unescaped
};

inline std::optional<std::map<std::string, FlatValue>> parse_flat_json(const std::string& s) {
  std::map<std::string, FlatValue> out;
  size_t i = 0;
  auto ws = [&] { while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i; };
  auto str = [&](std::string& dst) -> bool {
    if (i >= s.size() || s[i] != '"') return false;
    ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\') {
        if (++i >= s.size()) return false;
        char c = s[i];
        if (c == 'u') {
          if (i + 4 >= s.size()) return false;
          dst += (char)std::stoi(s.substr(i + 1, 4), nullptr, 16);
          i += 4;
        } else {
          dst += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
      } else {
        dst += s[i];
      }
      ++i;
    }
    if (i >= s.size()) return false;
    ++i;
    return true;
  };
  ws();
  if (i >= s.size() || s[i++] != '{') return std::nullopt;
  for (;;) {
    ws();
    if (i < s.size() && s[i] == '}') return out;
    std::string key;
    if (!str(key)) return std::nullopt;
    ws();
    if (i >= s.size() || s[i++] != ':') return std::nullopt;
    ws();
    FlatValue v{FlatValue::number, ""};
    if (i < s.size() && s[i] == '"') {
      v.kind = FlatValue::string;
      if (!str(v.text)) return std::nullopt;
    } else {
      size_t start = i;
      while (i < s.size() && s[i] != ',' && s[i] != '}') ++i;
      v.text = s.substr(start, i - start);
      while (!v.text.empty() && v.text.back() == ' ') v.text.pop_back();
      if (v.text == "null") v.kind = FlatValue::null;
      else if (v.text == "true" || v.text == "false") v.kind = FlatValue::boolean;
      else if (v.text.empty()) return std::nullopt;
    }
    out[key] = v;
    ws();
    if (i < s.size() && s[i] == ',') { ++i; continue; }
    if (i < s.size() && s[i] == '}') return out;
    return std::nullopt;
  }
}

}  // namespace pw::test
