// feed_decode: Coinbase Derivatives market-data datagrams (UDP payloads as 64-bit AXI-Stream beats)
// -> normalized MarketEvent records (one 1024-bit word each), at one beat per clock.
//
// The decoder walks the 24-byte packet header and each 10-byte message header as the bytes go by,
// keeps the message body in a fixed buffer as long as the largest block of the schema, and when a
// message's last byte has arrived it produces the event with pw::md::normalize — the very function
// the software path calls — so there is one definition of the field mapping. The framing checks
// are those of pw::md::PacketReader, in the same order, with the same DecodeError reasons: a fault
// that breaks the framing ends the datagram (its remaining beats are consumed and ignored), a
// well-framed message the decoder does not know is skipped by its FrameLength.
//
// Stream contract (input): one datagram = one AXI-Stream packet; byte i of the datagram travels in
// beat i/8, lane i%8 (bits 8*lane+7 .. 8*lane); tlast marks the datagram's last beat; tkeep marks
// the valid lanes, contiguous from lane 0 (a beat's bytes end at its first clear tkeep bit). Only
// the first 65535 bytes of a datagram are read (as PacketReader does); the rest are consumed.
// At most one message completes per beat (a message is at least 10 bytes), so at most one event
// leaves per beat.
#pragma once
#include <cstdint>

#include "core/events.hpp"
#include "core/md_decode.hpp"
#include "core/md_normalize.hpp"
#include "core/md_schema.hpp"
#include "hls/common/event_pack.hpp"
#include "perpwire_hls/hls_compat.hpp"

namespace pw {
namespace hlsk {

constexpr int kBeatBytes = 8;
typedef ap_axiu<64, 0, 0, 0> FeedBeat;

// Datagram bytes the decoder reads (PacketReader reads at most 0xFFFF).
constexpr uint32_t kMaxDatagramBytes = 0xFFFF;

// Largest BlockLength of any template in the schema: the body buffer. Longer bodies (a newer
// schema version) are consumed; only fields inside the known layout are ever read.
constexpr uint16_t max_block_length() {
  uint16_t m = 0;
  for (const TemplateDef* t : md::kTemplates) m = t->block_length > m ? t->block_length : m;
  return m;
}
constexpr int kMaxBody = max_block_length();
static_assert(kMaxBody == 216, "EndOfSnapshot is the longest block of schema 1201 v1.9");

// min_block of every template id below 256 (0xFFFF: not a template of the schema), built at
// compile time from the schema tables so the check is a ROM look-up.
constexpr int kTemplateIdSpace = 256;
constexpr uint16_t kNoTemplate = 0xFFFF;
struct MinBlockTable {
  uint16_t v[kTemplateIdSpace];
};
constexpr MinBlockTable make_min_block_table() {
  MinBlockTable t{};
  for (int i = 0; i < kTemplateIdSpace; ++i) t.v[i] = kNoTemplate;
  for (const TemplateDef* d : md::kTemplates)
    if (d->id < kTemplateIdSpace) t.v[d->id] = d->min_block;
  return t;
}
inline constexpr MinBlockTable kMinBlock = make_min_block_table();

// Counter lanes (32 bits each) of one call, written at the end of the call.
enum FeedCounter : int {
  kCtrPackets = 0,          // datagrams (tlast seen)
  kCtrBeats = 1,            // beats read
  kCtrMessages = 2,         // well-framed messages that passed every check
  kCtrEvents = 3,           // events written (RetransmitRequest passes the checks but has none)
  kCtrFaultedPackets = 4,   // datagrams with at least one fault
  kCtrErrorBase = 4,        // + DecodeError (1..10): faults by reason, lanes 5..14
  kCtrEventsDropped = 15,   // feed_decode_mm only: events beyond the output buffer
  // The stream kernel's wire stage (feed_wire.hpp):
  kCtrAborted = 16,         // datagrams the front end aborted (tuser abort): their events discarded
  kCtrGapNotices = 17,      // packet-gap notices emitted in-band
  kCtrHeldOverflow = 18,    // datagrams with more events than the hold buffer had room for: dropped
  kCtrGapFlagMismatch = 19, // datagrams whose tuser gap bit disagrees with their sequence number
  kFeedCounterCount = 20,
};
static_assert(kCtrErrorBase + (int)md::DecodeError::count_ - 1 < kCtrEventsDropped, "counter lanes overlap");

typedef ap_uint<32 * kFeedCounterCount> FeedCounterWord;

inline int error_lane(md::DecodeError e) { return kCtrErrorBase + (int)e; }

// Bytes of a datagram up to the end of its SeqNum and ChannelId (what sequencing needs).
constexpr uint32_t kNumberedBytes = PW_FIELD(md::kPacketHeader, channel_id)::offset + PW_FIELD(md::kPacketHeader, channel_id)::size;
static_assert(PW_FIELD(md::kPacketHeader, seq_num)::offset + PW_FIELD(md::kPacketHeader, seq_num)::size <= kNumberedBytes,
              "SeqNum precedes ChannelId");

// Where the decoder is inside the current datagram.
enum FeedStage : uint8_t {
  kStagePacketHeader = 0,  // the 24-byte packet header
  kStageMessage = 1,       // inside message `index`
  kStageTrailing = 2,      // MessageCount messages done: any further byte is trailing
  kStageDead = 3,          // framing broken: the rest of the datagram is consumed unread
};

// The beat-by-beat state machine. Plain struct, fixed arrays, no heap: synthesizable as the state
// of a pipelined loop, and used by both kernel tops (stream and memory-mapped).
struct FeedDecoder {
  uint32_t counters[kFeedCounterCount];

  uint8_t stage;
  uint32_t pos;         // datagram bytes taken so far (<= kMaxDatagramBytes)
  uint32_t m_pos;       // bytes of the current message taken so far
  uint32_t m_start;     // datagram offset of the current message header
  uint8_t index;        // position of the current message in the datagram
  uint8_t pending;      // DecodeError found in the current message header, reported at its end
  bool trailing_seen;
  bool faulted;
  // The packet's SeqNum and ChannelId, latched in the beat their last byte arrives (numbered_now
  // for that beat only) and kept until the next datagram starts: what the wire stage needs at the
  // datagram's end, after reset_packet. The front end's arbiter sequences a datagram as soon as
  // these bytes are there, so a datagram cut inside the rest of its header is numbered too.
  bool numbered_now;
  bool numbered;
  int64_t packet_seq;
  uint16_t packet_channel;

  uint8_t ph[md::kPacketHeaderSize];
  uint8_t mh[md::kMessageHeaderSize];
  uint8_t body[kMaxBody];

  void reset_counters() {
  reset_counters:
    for (int i = 0; i < kFeedCounterCount; ++i) {
#pragma HLS UNROLL
      counters[i] = 0;
    }
  }

  void reset_packet() {
    stage = kStagePacketHeader;
    pos = 0;
    m_pos = 0;
    m_start = md::kPacketHeaderSize;
    index = 0;
    pending = 0;
    trailing_seen = false;
    faulted = false;
  }
  void reset_numbering() {
    numbered_now = false;
    numbered = false;
    packet_seq = 0;
    packet_channel = 0;
  }

  void reset() {
#pragma HLS ARRAY_PARTITION variable=counters complete
#pragma HLS ARRAY_PARTITION variable=ph complete
#pragma HLS ARRAY_PARTITION variable=mh complete
#pragma HLS ARRAY_PARTITION variable=body complete
    reset_counters();
    reset_packet();
    reset_numbering();
  clear_ph:
    for (int i = 0; i < md::kPacketHeaderSize; ++i) {
#pragma HLS UNROLL
      ph[i] = 0;
    }
  clear_mh:
    for (int i = 0; i < md::kMessageHeaderSize; ++i) {
#pragma HLS UNROLL
      mh[i] = 0;
    }
  clear_body:
    for (int i = 0; i < kMaxBody; ++i) {
#pragma HLS UNROLL
      body[i] = 0;
    }
  }

  void fault(md::DecodeError e) {
    ++counters[error_lane(e)];
    faulted = true;
  }

  // Fields of the message header and packet header as they stand in the buffers.
  uint16_t frame_length() const { return load_field<uint16_t, PW_FIELD(md::kMessageHeader, frame_length)>(mh); }
  uint8_t message_count() const { return load_field<uint8_t, PW_FIELD(md::kPacketHeader, message_count)>(ph); }

  // The checks PacketReader::next makes once a message header is complete and FrameLength is at
  // least the header, in its order; the first failing one is reported when the frame ends.
  md::DecodeError header_checks() const {
    md::Message m;
    md::read_message_header(mh, m);
    if ((uint32_t)md::kMessageHeaderSize + m.block_length > m.frame_length) return md::DecodeError::block_past_frame;
    if (m.schema_id != md::kSchemaId) return md::DecodeError::wrong_schema;
    const uint16_t min_block = m.template_id < kTemplateIdSpace ? kMinBlock.v[m.template_id] : kNoTemplate;
    if (min_block == kNoTemplate) return md::DecodeError::unknown_template;
    if (m.block_length < min_block) return md::DecodeError::block_too_short;
    return md::DecodeError::none;
  }

  // A message whose frame has fully arrived and passed the checks: the software path's normalize.
  bool finish_message(EventWord& out) {
    const md::PacketHeader h = md::read_packet_header(ph);
    md::Message m;
    m.header = mh;
    md::read_message_header(mh, m);
    m.body = body;
    m.layout = md::find_template(m.template_id);
    m.offset = (uint16_t)m_start;
    m.index = index;
    MarketEvent e;
    if (!md::normalize(h, m, e)) return false;
    out = pack_event(e);
    return true;
  }

  // One beat. Returns true with `out` set when a message completed into an event.
  template <typename Beat>
  bool step(const Beat& beat, EventWord& out) {
    ++counters[kCtrBeats];
    if (stage == kStagePacketHeader && pos == 0) numbered = false;  // a new datagram
    numbered_now = false;
    uint8_t b[kBeatBytes];
#pragma HLS ARRAY_PARTITION variable=b complete
    int n = 0;
    bool run = true;
  lanes:
    for (int k = 0; k < kBeatBytes; ++k) {
#pragma HLS UNROLL
      b[k] = (uint8_t)beat.data.range(8 * k + 7, 8 * k).to_uint64();
      run = run && beat.keep[k];
      if (run) n = k + 1;
    }
    if ((uint32_t)n > kMaxDatagramBytes - pos) n = (int)(kMaxDatagramBytes - pos);
    const bool last = beat.last;

    // Bytes left in the current segment (packet header or message); kFar when its end is not
    // in this beat or not known yet (FrameLength not complete, or below the header size).
    const int kFar = 2 * kBeatBytes;
    int rem = kFar;
    if (stage == kStagePacketHeader) {
      rem = md::kPacketHeaderSize - (int)pos;
    } else if (stage == kStageMessage && m_pos >= 2) {
      const uint32_t fl = frame_length();
      if (fl >= md::kMessageHeaderSize && fl - m_pos < (uint32_t)kFar) rem = (int)(fl - m_pos);
    }
    const int here = n < rem ? n : rem;  // lanes of the current segment

    // 1. Bytes of the current segment.
  current_lanes:
    for (int k = 0; k < kBeatBytes; ++k) {
#pragma HLS UNROLL
      if (k < here) {
        if (stage == kStagePacketHeader) {
          ph[pos + k] = b[k];
        } else if (stage == kStageMessage) {
          const uint32_t off = m_pos + k;
          if (off < md::kMessageHeaderSize) mh[off] = b[k];
          else if (off - md::kMessageHeaderSize < (uint32_t)kMaxBody) body[off - md::kMessageHeaderSize] = b[k];
        } else if (stage == kStageTrailing) {
          trailing_seen = true;
        }
      }
    }

    // 2. Header completion and frame end of the current message.
    bool emitted = false;
    bool next_segment = false;  // the current segment ended inside this beat
    if (stage == kStagePacketHeader) {
      next_segment = rem <= n;
      if (pos < kNumberedBytes && pos + here >= kNumberedBytes) {
        numbered_now = numbered = true;
        packet_seq = load_field<int64_t, PW_FIELD(md::kPacketHeader, seq_num)>(ph);
        packet_channel = load_field<uint16_t, PW_FIELD(md::kPacketHeader, channel_id)>(ph);
      }
    } else if (stage == kStageMessage) {
      const bool header_done = m_pos < md::kMessageHeaderSize && md::kMessageHeaderSize - m_pos <= (uint32_t)n;
      if (header_done) {
        if (frame_length() < md::kMessageHeaderSize) {
          fault(md::DecodeError::frame_length_too_small);
          stage = kStageDead;
        } else {
          pending = (uint8_t)header_checks();
        }
      }
      if (stage == kStageMessage && rem <= n) {
        if (pending == (uint8_t)md::DecodeError::none) {
          ++counters[kCtrMessages];
          emitted = finish_message(out);
          if (emitted) ++counters[kCtrEvents];
        } else {
          fault((md::DecodeError)pending);
        }
        ++index;
        next_segment = true;
      }
    }

    // 3. The next segment starts at lane `rem`: message `index`, or trailing bytes when
    //    MessageCount messages are done.
    if (next_segment) {
      const int rest = n - rem;
      m_start = pos + rem;
      pending = 0;
      if (index >= message_count()) {
        stage = kStageTrailing;
        if (rest > 0) trailing_seen = true;
        m_pos = 0;
      } else {
        stage = kStageMessage;
        m_pos = (uint32_t)rest;
      next_lanes:
        for (int k = 0; k < kBeatBytes; ++k) {
#pragma HLS UNROLL
          if (k >= rem && k < n) mh[k - rem] = b[k];
        }
      }
    } else if (stage == kStageMessage) {
      m_pos += n;
    }
    pos += n;

    // 4. End of the datagram: what is still open is a fault, in PacketReader's terms.
    if (last) {
      if (stage == kStagePacketHeader) {
        fault(md::DecodeError::packet_truncated);
      } else if (stage == kStageMessage) {
        if (m_pos == 0) fault(md::DecodeError::message_count_too_large);
        else if (m_pos < md::kMessageHeaderSize) fault(md::DecodeError::header_truncated);
        else fault(md::DecodeError::frame_past_end);
      } else if (stage == kStageTrailing && trailing_seen) {
        fault(md::DecodeError::trailing_bytes);
      }
      ++counters[kCtrPackets];
      if (faulted) ++counters[kCtrFaultedPackets];
      reset_packet();
    }
    return emitted;
  }

  FeedCounterWord pack_counters() const {
    FeedCounterWord w = 0;
  pack_counters:
    for (int i = 0; i < kFeedCounterCount; ++i) {
#pragma HLS UNROLL
      w.range(32 * i + 31, 32 * i) = counters[i];
    }
    return w;
  }
};

inline uint32_t counter_lane(const FeedCounterWord& w, int lane) {
  return (uint32_t)w.range(32 * lane + 31, 32 * lane).to_uint64();
}

}  // namespace hlsk
}  // namespace pw

// The stream kernel feed_decode, free-running on the front end's feed: feed_wire.hpp.

// Memory-mapped form for host-driven runs (XRT replay and tests): datagram i is lengths[i] bytes
// starting at word `sum of beats_for(lengths[j]), j < i` of `beats` (see hls/common/beat_layout.hpp);
// events go to `events` (at most max_events, the rest counted in kCtrEventsDropped), the call's
// counters to counters[0..kFeedCounterCount-1] (the wire-stage lanes stay 0: no sideband here).
extern "C" void feed_decode_mm(const ap_uint<64>* beats, const uint32_t* lengths, uint32_t packets,
                               pw::hlsk::EventWord* events, uint32_t max_events, uint32_t* counters);
