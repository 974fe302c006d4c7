// The risk journal's file format: a header, then records of length + type + payload + CRC32C.
// Each payload is one of the fixed structs below, copied as bytes; the header names the format
// version and the sizes of the engine's input structs, so a journal written by a build whose
// limits or requests differ in layout is refused instead of misread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "core/risk_types.hpp"

namespace pw::journal {

constexpr char kMagic[8] = {'P', 'W', 'J', 'R', 'N', 'L', '0', '1'};
// 2: fills carry their time; 3: the exchange's answers carry their execution id. A version-2
// journal is still read (its answers have exec id 0: no recovery point, see docs/risk.md).
constexpr uint32_t kFormatVersion = 3;
constexpr uint32_t kOldestReadableVersion = 2;
constexpr const char* kFileName = "risk.journal";

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint16_t account_limits_size;
  uint16_t instrument_limits_size;
  uint16_t session_limits_size;
  uint16_t order_request_size;
  uint16_t market_size;
  uint16_t reserved_;
  uint32_t crc;  // CRC32C of the bytes before it
};
static_assert(sizeof(FileHeader) == 28);

FileHeader make_header();

// On disk: RecordHead, `length` payload bytes, then the CRC32C of head and payload (4 bytes).
struct RecordHead {
  uint32_t length;  // payload bytes
  uint8_t type;     // RecordType
  uint8_t reserved_[3];
};
static_assert(sizeof(RecordHead) == 8);
constexpr size_t kCrcBytes = 4;
constexpr size_t kMaxPayload = 252;  // a ring slot is 256 bytes

enum class RecordType : uint8_t {
  limits_loaded = 1,      // LimitsLoaded + the source path: the start of a limit set (audit trail)
  account_limits = 2,     // AccountLimitsRec
  instrument_limits = 3,  // InstrumentLimitsRec
  session_limits = 4,     // SessionLimitsRec
  cash = 5,               // CashRec: an account's cash set (from the config at the first start)
  kill = 6,               // KillRec
  market = 7,             // MarketRec: the market a following request was checked against
  request = 8,            // RequestRec: a request the engine checked, and its answer
  entered = 9,            // OrderIdRec: the exchange acknowledged the order
  fill = 10,              // FillRec
  canceled = 11,          // OrderIdRec
  rejected = 12,          // OrderIdRec: the exchange (or the session, before sending) refused it
  replaced = 13,          // OrderIdRec
  funding = 14,           // FundingRec
  day_roll = 15,          // DayRollRec: daily usage starts again
  count_
};
const char* record_type_name(RecordType t);

enum class LimitsWhy : uint8_t { start = 0, reload = 1, restart = 2 };
enum class KillWho : uint8_t { control_plane = 0, drill = 1, firm = 2, engine = 3 };
// loss_limit: an account's loss-limit stop. Engaged (who: engine) it is derived from the fills,
// marks and funding before it, and only noted; released (the control plane) it is cleared.
enum class KillScope : uint8_t { global = 0, account = 1, instrument = 2, loss_limit = 3 };
const char* limits_why_name(LimitsWhy w);
const char* kill_who_name(KillWho w);

struct LimitsLoaded {
  int64_t wall_ns;  // when it was loaded (CLOCK_REALTIME)
  uint8_t why;      // LimitsWhy
  uint8_t reserved_[7];
  // followed by the config file's path (up to kMaxPayload − 16 bytes, not terminated)
};
struct AccountLimitsRec {
  int32_t account;
  int32_t reserved_;
  AccountLimits limits;
};
struct InstrumentLimitsRec {
  int32_t instrument;
  int32_t reserved_;
  InstrumentLimits limits;
};
struct SessionLimitsRec {
  int32_t session;
  int32_t reserved_;
  SessionLimits limits;
};
struct CashRec {
  int32_t account;
  int32_t reserved_;
  int64_t cash;
};
struct KillRec {
  int64_t wall_ns;
  int32_t index;  // account or instrument index (-1 for global)
  uint8_t scope;  // KillScope
  uint8_t on;
  uint8_t who;    // KillWho
  uint8_t reserved_;
};
struct MarketRec {
  int32_t instrument;
  int32_t reserved_;
  InstrumentMarket market;
};
struct RequestRec {
  OrderRequest request;
  uint8_t accepted;
  uint8_t reason;  // RejectReason
  uint8_t reserved_[6];
};
// exec_id: the exchange's execution id of the answer (0: none, e.g. a reject or a local release).
// The highest one replayed is where a restarted session asks the exchange to resume from; being
// in the same record as the answer, the two are journaled (or torn) together.
struct OrderIdRec {
  int64_t client_order_id;
  int64_t exec_id;
};
struct FillRec {
  int64_t client_order_id;
  int64_t quantity;
  int64_t price;
  int64_t time;  // the exchange's time of the fill (the fill-rate throttle's window)
  int64_t exec_id;
};
// Their version-2 sizes (no exec id at the end).
constexpr size_t kOrderIdRecV2Size = 8;
constexpr size_t kFillRecV2Size = 32;
struct FundingRec {
  int32_t instrument;
  int32_t reserved_;
  int64_t mark;
  int64_t rate;
};
struct DayRollRec {
  int64_t time;
};

static_assert(sizeof(AccountLimitsRec) <= kMaxPayload && sizeof(InstrumentLimitsRec) <= kMaxPayload &&
                  sizeof(SessionLimitsRec) <= kMaxPayload && sizeof(MarketRec) <= kMaxPayload &&
                  sizeof(RequestRec) <= kMaxPayload,
              "every record fits a ring slot");
static_assert(std::is_trivially_copyable_v<AccountLimits> && std::is_trivially_copyable_v<InstrumentLimits> &&
              std::is_trivially_copyable_v<SessionLimits>);

// The bytes a record takes on disk.
constexpr size_t encoded_size(size_t payload) { return sizeof(RecordHead) + payload + kCrcBytes; }
// Writes head, payload and CRC to `out` (room for encoded_size(n)); returns the bytes written.
size_t encode_record(RecordType type, const void* payload, size_t n, uint8_t* out);

}  // namespace pw::journal
