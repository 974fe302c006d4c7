// The journal's records on disk: what is written reads back, a damaged last record is ignored at
// every byte it can be cut at, damage in the middle refuses the file, a full ring fails closed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "host/journal/crc32c.hpp"
#include "core/risk_engine.hpp"
#include "host/journal/journal_reader.hpp"
#include "host/journal/journal_replay.hpp"
#include "host/journal/journal_writer.hpp"

namespace fs = std::filesystem;
using namespace pw;
using namespace pw::journal;

namespace {

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("pw_journal_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<uint8_t> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::vector<uint8_t>& b, size_t n) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(b.data()), (std::streamsize)n);
}

struct Seen {
  std::vector<RecordType> types;
  std::vector<uint64_t> offsets;
  std::vector<int64_t> ids;
};

ReadResult read_all(const fs::path& p, Seen& s) {
  return read_journal(p.string(), [&](const RecordView& v, std::string&) {
    s.types.push_back(v.type);
    s.offsets.push_back(v.offset);
    if (v.type == RecordType::fill) {
      FillRec f;
      std::memcpy(&f, v.payload, sizeof(f));
      s.ids.push_back(f.client_order_id);
    }
    return true;
  });
}

// A journal of `n` fills (ids 1..n), written through the writer.
fs::path write_fills(const fs::path& dir, int n) {
  const fs::path p = dir / kFileName;
  JournalWriter w;
  std::string error;
  REQUIRE_MESSAGE(w.open(p.string(), 0, WriterOptions{}, error), error);
  for (int k = 1; k <= n; ++k) REQUIRE(w.append(RecordType::fill, FillRec{k, k * 2, 1000 + k, 5000 + k}));
  REQUIRE(w.flush());
  w.close();
  const WriterCounters c = w.counters();
  CHECK(c.records == (uint64_t)n);
  CHECK(c.dropped == 0);
  CHECK(c.bytes == sizeof(FileHeader) + (uint64_t)n * encoded_size(sizeof(FillRec)));
  return p;
}

}  // namespace

TEST_CASE("CRC32C matches the standard check value") {
  const char* s = "123456789";
  CHECK(crc32c(s, 9) == 0xE3069283u);
}

TEST_CASE("records written by the writer read back in order, and a reopened journal is appended to") {
  const fs::path dir = temp_dir("roundtrip");
  const fs::path p = write_fills(dir, 50);
  Seen s;
  ReadResult r = read_all(p, s);
  REQUIRE(r.ok);
  CHECK(r.exists);
  CHECK(r.records == 50);
  CHECK(r.torn.empty());
  CHECK(r.valid_bytes == fs::file_size(p));
  for (int k = 0; k < 50; ++k) CHECK(s.ids[(size_t)k] == k + 1);

  JournalWriter w;
  std::string error;
  REQUIRE(w.open(p.string(), 0, WriterOptions{}, error));
  REQUIRE(w.append(RecordType::fill, FillRec{51, 1, 1}));
  REQUIRE(w.flush());
  w.close();
  Seen s2;
  r = read_all(p, s2);
  REQUIRE(r.ok);
  CHECK(r.records == 51);
  CHECK(s2.ids.back() == 51);
}

TEST_CASE("a last record cut at every byte offset is reported and ignored; appending continues after the last whole one") {
  const fs::path dir = temp_dir("torn");
  const fs::path p = write_fills(dir, 5);
  const std::vector<uint8_t> whole = slurp(p);
  Seen s;
  REQUIRE(read_all(p, s).ok);
  const size_t last = (size_t)s.offsets.back();
  const fs::path cut = dir / "cut.journal";
  for (size_t n = last; n < whole.size(); ++n) {
    CAPTURE(n);
    spit(cut, whole, n);
    Seen c;
    const ReadResult r = read_all(cut, c);
    REQUIRE(r.ok);
    CHECK(r.records == 4);
    CHECK(r.valid_bytes == last);
    CHECK(r.torn_bytes == n - last);
    CHECK((n == last) == r.torn.empty());
  }
  // The writer cuts the torn tail off and the next record follows the last whole one.
  spit(cut, whole, last + 7);
  Seen c;
  const ReadResult r = read_all(cut, c);
  JournalWriter w;
  std::string error;
  REQUIRE(w.open(cut.string(), r.valid_bytes, WriterOptions{}, error));
  REQUIRE(w.append(RecordType::fill, FillRec{99, 1, 1}));
  REQUIRE(w.flush());
  w.close();
  Seen after;
  const ReadResult r2 = read_all(cut, after);
  REQUIRE(r2.ok);
  CHECK(r2.torn.empty());
  CHECK(after.ids == std::vector<int64_t>{1, 2, 3, 4, 99});
}

TEST_CASE("a last record failing its checksum, or a zero-filled tail, is torn; damage before more records is refused") {
  const fs::path dir = temp_dir("corrupt");
  const fs::path p = write_fills(dir, 5);
  std::vector<uint8_t> b = slurp(p);
  Seen s;
  REQUIRE(read_all(p, s).ok);
  const fs::path f = dir / "f.journal";

  std::vector<uint8_t> last_flipped = b;
  last_flipped[(size_t)s.offsets.back() + sizeof(RecordHead) + 3] ^= 0x40;
  spit(f, last_flipped, last_flipped.size());
  Seen c1;
  ReadResult r = read_all(f, c1);
  REQUIRE(r.ok);
  CHECK(r.records == 4);
  CHECK(r.torn.find("checksum") != std::string::npos);

  std::vector<uint8_t> zeros = b;
  zeros.resize(b.size() + 100, 0);
  spit(f, zeros, zeros.size());
  Seen c2;
  r = read_all(f, c2);
  REQUIRE(r.ok);
  CHECK(r.records == 5);
  CHECK(r.torn_bytes == 100);

  for (size_t k = 0; k + 1 < s.offsets.size(); ++k) {
    std::vector<uint8_t> mid = b;
    mid[(size_t)s.offsets[k] + sizeof(RecordHead) + 1] ^= 0x01;
    spit(f, mid, mid.size());
    Seen c3;
    r = read_all(f, c3);
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("corrupt in the middle") != std::string::npos);
    CHECK(c3.types.size() == k);  // nothing after the damage was applied
  }

  // A length no record can have, with more than the longest record after it: corrupt. (Within
  // the longest record of the end it is a torn last record: a crash can leave any bytes there.)
  const fs::path dir20 = temp_dir("corrupt20");
  const fs::path p20 = write_fills(dir20, 20);
  std::vector<uint8_t> bad_length = slurp(p20);
  Seen s20;
  REQUIRE(read_all(p20, s20).ok);
  const uint32_t huge = 100000;
  std::memcpy(bad_length.data() + s20.offsets[1], &huge, 4);
  spit(f, bad_length, bad_length.size());
  Seen c4;
  r = read_all(f, c4);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("record length of 100000") != std::string::npos);

  std::vector<uint8_t> other = b;
  other[8] = 9;  // the format version, with the header's checksum made right
  const uint32_t hcrc = crc32c(other.data(), offsetof(FileHeader, crc));
  std::memcpy(other.data() + offsetof(FileHeader, crc), &hcrc, 4);
  spit(f, other, other.size());
  Seen c5;
  r = read_all(f, c5);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("format version 9") != std::string::npos);
}

TEST_CASE("no journal is a first start; an unknown record type is refused") {
  const fs::path dir = temp_dir("missing");
  Seen s;
  ReadResult r = read_all(dir / "none.journal", s);
  CHECK(r.ok);
  CHECK_FALSE(r.exists);
  CHECK(r.records == 0);

  const fs::path p = write_fills(dir, 2);
  std::vector<uint8_t> b = slurp(p);
  Seen s2;
  REQUIRE(read_all(p, s2).ok);
  // Record 1 rewritten with type 200 and a valid checksum, record 2 after it.
  uint8_t rec[64];
  FillRec fr{1, 2, 3};
  const size_t n = encode_record((RecordType)200, &fr, sizeof(fr), rec);
  std::memcpy(b.data() + s2.offsets[0], rec, n);
  spit(p, b, b.size());
  Seen s3;
  r = read_all(p, s3);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("unknown type 200") != std::string::npos);
}

TEST_CASE("a full ring fails the writer closed: later appends are refused and counted") {
  JournalRing ring(4);
  FillRec f{1, 1, 1};
  for (int k = 0; k < 4; ++k) CHECK(ring.push(RecordType::fill, &f, sizeof(f)));
  CHECK_FALSE(ring.push(RecordType::fill, &f, sizeof(f)));
  REQUIRE(ring.front() != nullptr);
  ring.release();
  CHECK(ring.push(RecordType::fill, &f, sizeof(f)));

  const fs::path dir = temp_dir("ring");
  JournalWriter w;
  WriterOptions o;
  o.ring_capacity = 2;
  o.sync_within_ns = 1000000000;  // the writer looks at the ring every 250 ms: it fills first
  std::string error;
  REQUIRE(w.open((dir / kFileName).string(), 0, o, error));
  int taken = 0;
  for (int k = 0; k < 1000; ++k) taken += w.append(RecordType::fill, FillRec{k, 1, 1}) ? 1 : 0;
  CHECK(taken < 1000);
  CHECK_FALSE(w.healthy());
  CHECK(w.failure().find("ring full") != std::string::npos);
  CHECK_FALSE(w.append(RecordType::fill, FillRec{5000, 1, 1}));
  w.close();
  CHECK(w.counters().dropped >= (uint64_t)(1001 - taken));
}

TEST_CASE("a journal on a full device cannot be opened, with the device's error") {
  JournalWriter w;
  std::string error;
  CHECK_FALSE(w.open("/dev/full", 0, WriterOptions{}, error));
  CHECK(error.find("No space left on device") != std::string::npos);
}

namespace {

using SmallEngine = RiskEngine<2, 2, 64, 256, 2>;

// A journal file written by hand: `version` in its header, then the given records.
void write_raw(const fs::path& p, uint32_t version, const std::vector<std::pair<RecordType, std::vector<uint8_t>>>& recs) {
  FileHeader h = make_header();
  h.version = version;
  h.crc = crc32c(&h, offsetof(FileHeader, crc));
  std::vector<uint8_t> b(sizeof(h));
  std::memcpy(b.data(), &h, sizeof(h));
  for (const auto& [type, payload] : recs) {
    uint8_t buf[encoded_size(kMaxPayload)];
    const size_t n = encode_record(type, payload.data(), payload.size(), buf);
    b.insert(b.end(), buf, buf + n);
  }
  spit(p, b, b.size());
}

template <class T>
std::vector<uint8_t> bytes_of(const T& x, size_t n = sizeof(T)) {
  std::vector<uint8_t> v(n);
  std::memcpy(v.data(), &x, n);
  return v;
}

}  // namespace

TEST_CASE("the replay rebuilds the last exchange exec id; a version-2 journal still reads, with none") {
  const fs::path dir = temp_dir("exec_id");
  const fs::path p = dir / kFileName;
  write_raw(p, kFormatVersion,
            {{RecordType::entered, bytes_of(OrderIdRec{1, 40})},
             {RecordType::fill, bytes_of(FillRec{1, 2, 100, 5, 57})},
             {RecordType::rejected, bytes_of(OrderIdRec{2, 0})},  // a reject carries none: the high water stays
             {RecordType::canceled, bytes_of(OrderIdRec{1, 44})}});
  auto engine = std::make_unique<SmallEngine>();
  ReplaySummary sum;
  ReadResult r = replay_journal(p.string(), *engine, sum);
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.records == 4);
  CHECK(sum.last_exec_id == 57);

  // Version 2: the same answers in their shorter layouts read, and name no exec id.
  write_raw(p, 2, {{RecordType::entered, bytes_of(OrderIdRec{1, 40}, kOrderIdRecV2Size)},
                   {RecordType::fill, bytes_of(FillRec{1, 2, 100, 5, 57}, kFillRecV2Size)}});
  ReplaySummary old;
  engine = std::make_unique<SmallEngine>();
  r = replay_journal(p.string(), *engine, old);
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.records == 2);
  CHECK(old.by_type[(int)RecordType::fill] == 1);
  CHECK(old.last_exec_id == 0);

  // A version older than that is refused with one line.
  write_raw(p, 1, {});
  ReplaySummary none;
  r = replay_journal(p.string(), *engine, none);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("format version 1 (this build reads 2 to 3)") != std::string::npos);
}
