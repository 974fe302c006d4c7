// JSON rendering of decoded wire messages (table-driven from the layouts in core/) and
// human-readable descriptions of decode faults.
#pragma once
#include <cstdint>
#include <string>
#include "core/md_decode.hpp"
#include "core/net_parse.hpp"
#include "core/orders_codec.hpp"

namespace pw {

// Appends `,"name":value` for every field of the layout; fields past `block_length` are null.
void append_fields(std::string& out, const TemplateDef& t, const uint8_t* body, uint32_t block_length);
void append_json_string(std::string& out, const char* s, size_t n);

std::string describe(const md::DecodeFault& f);
std::string describe(const orders::DecodeFault& f);
std::string describe(NetError e, uint32_t caplen);

}  // namespace pw
