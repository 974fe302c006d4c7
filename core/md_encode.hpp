// Builds market-data datagrams (packet header + SBE messages) from the layout tables. Used by the
// session generator, the simulated exchange and the tests; frames are padded to 8 bytes as the
// exchange does.
#pragma once
#include <cstdint>
#include <cstddef>
#include "core/md_schema.hpp"

namespace pw {
namespace md {

class PacketBuilder {
 public:
  void begin(uint8_t* buf, size_t cap, int64_t sending_time, int64_t seq_num, uint16_t channel_id,
             uint8_t packet_flags, int32_t snapshot_instrument_id) {
    buf_ = buf;
    cap_ = cap;
    len_ = kPacketHeaderSize;
    count_ = 0;
    store_field<PW_FIELD(kPacketHeader, sending_time)>(buf, sending_time);
    store_field<PW_FIELD(kPacketHeader, seq_num)>(buf, seq_num);
    store_field<PW_FIELD(kPacketHeader, channel_id)>(buf, channel_id);
    store_field<PW_FIELD(kPacketHeader, packet_flags)>(buf, packet_flags);
    store_field<PW_FIELD(kPacketHeader, message_count)>(buf, (uint8_t)0);
    store_field<PW_FIELD(kPacketHeader, snapshot_instrument_id)>(buf, snapshot_instrument_id);
  }

  // Frame length a message of this layout takes (header + block, padded to 8).
  static size_t frame_size(uint16_t block_length) {
    const size_t raw = kMessageHeaderSize + block_length;
    return (raw + 7) & ~(size_t)7;
  }

  // Appends a message and returns its zeroed body, or nullptr when the datagram has no room.
  uint8_t* add(const TemplateDef& t, uint16_t block_length) {
    const size_t frame = frame_size(block_length);
    if (len_ + frame > cap_ || count_ == 255) return nullptr;
    uint8_t* h = buf_ + len_;
    for (size_t i = 0; i < frame; ++i) h[i] = 0;
    store_field<PW_FIELD(kMessageHeader, frame_length)>(h, (uint16_t)frame);
    store_field<PW_FIELD(kMessageHeader, block_length)>(h, block_length);
    store_field<PW_FIELD(kMessageHeader, template_id)>(h, t.id);
    store_field<PW_FIELD(kMessageHeader, schema_id)>(h, kSchemaId);
    store_field<PW_FIELD(kMessageHeader, version)>(h, kSchemaVersion);
    len_ += frame;
    ++count_;
    store_field<PW_FIELD(kPacketHeader, message_count)>(buf_, count_);
    return h + kMessageHeaderSize;
  }
  uint8_t* add(const TemplateDef& t) { return add(t, t.block_length); }

  size_t room() const { return cap_ - len_; }
  size_t length() const { return len_; }
  uint8_t count() const { return count_; }

 private:
  uint8_t* buf_ = nullptr;
  size_t cap_ = 0;
  size_t len_ = 0;
  uint8_t count_ = 0;
};

}  // namespace md
}  // namespace pw
