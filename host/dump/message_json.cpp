#include "host/dump/message_json.hpp"

#include <fmt/format.h>

namespace pw {

void append_json_string(std::string& out, const char* s, size_t n) {
  out += '"';
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c >= 0x7F) fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        else out += (char)c;
    }
  }
  out += '"';
}

static void append_value(std::string& out, const FieldDef& f, const uint8_t* body) {
  switch (f.kind) {
    case FieldKind::text: {
      const size_t n = text_length(body, f);
      if (n == 0) out += "null";
      else append_json_string(out, reinterpret_cast<const char*>(body + f.offset), n);
      return;
    }
    case FieldKind::character: {
      const char c = (char)body[f.offset];
      if (c == 0) out += "null";
      else append_json_string(out, &c, 1);
      return;
    }
    case FieldKind::price: {
      const int64_t v = read_field(body, f);
      if (is_null_value(f, v)) {
        out += "null";
      } else {
        char buf[24];
        out.append(buf, (size_t)format_fixed9(v, buf));
      }
      return;
    }
    default: {
      const int64_t v = read_field(body, f);
      if (is_null_value(f, v)) out += "null";
      else if (f.kind == FieldKind::uint_ && f.size == 8) fmt::format_to(std::back_inserter(out), "{}", (uint64_t)v);
      else fmt::format_to(std::back_inserter(out), "{}", v);
    }
  }
}

void append_fields(std::string& out, const TemplateDef& t, const uint8_t* body, uint32_t block_length) {
  for (uint8_t i = 0; i < t.field_count; ++i) {
    const FieldDef& f = t.fields[i];
    out += ",\"";
    out += f.name;
    out += "\":";
    if (!field_present(f, (uint16_t)(block_length > 0xFFFF ? 0xFFFF : block_length))) out += "null";
    else append_value(out, f, body);
  }
}

std::string describe(const md::DecodeFault& f) {
  using md::DecodeError;
  const char* name = md::decode_error_name(f.error);
  const unsigned msg = f.index + 1u;
  switch (f.error) {
    case DecodeError::packet_truncated:
      return fmt::format("{}: UDP payload of {} bytes is shorter than the {}-byte packet header", name, f.value, f.limit);
    case DecodeError::header_truncated:
      return fmt::format("{}: message {} at offset {}: only {} bytes left for the {}-byte message header", name, msg, f.offset, f.value, f.limit);
    case DecodeError::frame_length_too_small:
      return fmt::format("{}: message {} at offset {}: FrameLength {} is shorter than the {}-byte message header", name, msg, f.offset, f.value, f.limit);
    case DecodeError::frame_past_end:
      return fmt::format("{}: message {} at offset {}: FrameLength {} runs past the datagram ({} bytes left)", name, msg, f.offset, f.value, f.limit);
    case DecodeError::block_past_frame:
      return fmt::format("{}: message {} at offset {}: BlockLength {} exceeds the {} body bytes of its frame", name, msg, f.offset, f.value, f.limit);
    case DecodeError::block_too_short:
      return fmt::format("{}: message {} at offset {}: BlockLength {} is shorter than the {} bytes of required fields", name, msg, f.offset, f.value, f.limit);
    case DecodeError::wrong_schema:
      return fmt::format("{}: message {} at offset {}: SchemaId {} is not {}", name, msg, f.offset, f.value, f.limit);
    case DecodeError::unknown_template:
      return fmt::format("{}: message {} at offset {}: TemplateId {} is not in schema 1201", name, msg, f.offset, f.value);
    case DecodeError::message_count_too_large:
      return fmt::format("{}: MessageCount {} but the datagram ends after {} messages", name, f.value, f.limit);
    case DecodeError::trailing_bytes:
      return fmt::format("{}: {} bytes after the last of the announced messages at offset {}", name, f.value, f.offset);
    default:
      return name;
  }
}

std::string describe(const orders::DecodeFault& f) {
  using orders::DecodeError;
  const char* name = orders::decode_error_name(f.error);
  switch (f.error) {
    case DecodeError::message_length_too_small:
      return fmt::format("{}: at offset {}: MessageLength {} is shorter than the {}-byte header", name, f.offset, f.value, f.limit);
    case DecodeError::block_past_message:
      return fmt::format("{}: at offset {}: BlockLength {} exceeds the {} body bytes of the message", name, f.offset, f.value, f.limit);
    case DecodeError::var_data_past_message:
      return fmt::format("{}: at offset {}: data ends at byte {} of a {}-byte body", name, f.offset, f.value, f.limit);
    case DecodeError::unknown_schema:
      return fmt::format("{}: at offset {}: SchemaId {} is neither 1100 (session) nor 1101 (application)", name, f.offset, f.value);
    case DecodeError::unknown_template:
      return fmt::format("{}: at offset {}: TemplateId {} is not in schema {}", name, f.offset, f.value, f.limit);
    case DecodeError::block_too_short:
      return fmt::format("{}: at offset {}: BlockLength {} is shorter than the {} bytes of required fields", name, f.offset, f.value, f.limit);
    default:
      return name;
  }
}

std::string describe(NetError e, uint32_t caplen) {
  return fmt::format("{}: frame of {} bytes rejected by the Ethernet/IPv4/UDP checks", net_error_name(e), caplen);
}

}  // namespace pw
