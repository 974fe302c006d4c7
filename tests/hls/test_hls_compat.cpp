// The project-owned HLS types that stand in for Vitis headers in C-simulation: widths are kept,
// ranges and bits read and write where they should, streams are FIFOs that detect reads of an
// empty stream, and an event record survives the 1024-bit stream word bit for bit.
#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include "hls/common/event_pack.hpp"
#include "perpwire_hls/hls_compat.hpp"

#if defined(PERPWIRE_HLS_COMPAT)

TEST_CASE("ap_uint keeps W bits: construction, wrap-around, arithmetic and compare") {
  ap_uint<8> a = 300;
  CHECK(a == 44);
  ap_uint<8> b = -1;
  CHECK(b == 255);
  b += 1;
  CHECK(b == 0);
  b -= 1;
  CHECK(b == 255);
  ap_uint<12> c = 0xABC;
  c *= 16;
  CHECK(c == 0xBC0);
  c /= 3;
  CHECK(c == 0xBC0 / 3);
  ap_uint<64> big = ~uint64_t(0);
  CHECK(big.to_uint64() == ~uint64_t(0));
  ap_uint<1> bit = 3;
  CHECK(bit == 1);
  ap_uint<16> s = 0x00F0;
  CHECK((s << 4) == 0x0F00);
  CHECK((s << 12) == 0);  // shifted out: the width stays 16
  CHECK((s >> 4) == 0x000F);
  CHECK((~s) == 0xFF0F);
  ap_uint<5> i = 31;
  CHECK(i++ == 31);
  CHECK(i == 0);
  CHECK(--i == 31);
  CHECK(ap_uint<8>(200) > ap_uint<8>(100));
  CHECK(ap_uint<8>(7) + ap_uint<8>(9) == 16);
  ap_uint<4> narrowed = ap_uint<16>(0x1234);
  CHECK(narrowed == 4);
  ap_uint<32> widened = ap_uint<8>(0xFE);
  CHECK(widened == 0xFE);
  CHECK(ap_uint<13>::length() == 13);
}

TEST_CASE("ap_int sign-extends to W bits") {
  ap_int<8> a = 200;
  CHECK(a == -56);
  ap_int<8> b = 127;
  b += 1;
  CHECK(b == -128);
  ap_int<4> c = -1;
  CHECK(c.to_int() == -1);
  CHECK(c.range(3, 0).to_uint64() == 0xF);
  ap_int<12> d = -2048;
  CHECK((d >> 4) == -128);
  ap_int<64> e = INT64_MIN;
  CHECK(e.to_int64() == INT64_MIN);
  ap_int<16> from_u = ap_uint<16>(0xFFFF);
  CHECK(from_u == -1);
  ap_uint<16> from_s = ap_int<8>(-1);
  CHECK(from_s == 0xFFFF);
  ap_int<6> r = 0;
  r.range(5, 0) = 0x3F;
  CHECK(r == -1);
  r[5] = false;
  CHECK(r == 31);
}

TEST_CASE("bit select and range read and write") {
  ap_uint<32> x = 0;
  x[0] = true;
  x[31] = 1;
  CHECK(x == 0x80000001u);
  CHECK(x[31]);
  CHECK(!x[30]);
  x.range(15, 8) = 0xAB;
  CHECK(x.range(15, 8) == 0xAB);
  CHECK(x == 0x8000AB01u);
  ap_uint<8> byte = x.range(15, 8);
  CHECK(byte == 0xAB);
  x.range(11, 4) = 0x1FF;  // wider value: truncated to the range
  CHECK(x.range(11, 4) == 0xFF);
  const ap_uint<32> cx = x;
  CHECK(cx.range(31, 28).to_uint64() == 8);
  CHECK(cx[0]);
}

TEST_CASE("wide ap_uint: ranges across words, shifts, compare") {
  ap_uint<1024> w = 0;
  CHECK(w.is_zero());
  w.range(1023, 960) = 0xDEADBEEFCAFEF00DULL;
  w.range(99, 36) = 0x0123456789ABCDEFULL;  // straddles words 0 and 1
  CHECK(w.range(1023, 960) == 0xDEADBEEFCAFEF00DULL);
  CHECK(w.range(99, 36) == 0x0123456789ABCDEFULL);
  CHECK(w.range(67, 36) == 0x89ABCDEFu);
  CHECK(w.range(35, 0) == 0);
  w[1000] = false;
  CHECK(!w[1000]);
  ap_uint<1024> v = w;
  CHECK(v == w);
  v[5] = 1;
  CHECK(v != w);
  ap_uint<200> s = 1;
  s <<= 150;
  CHECK(s[150]);
  CHECK(s.range(199, 0 + 136) == (uint64_t(1) << 14));
  s >>= 149;
  CHECK(s == ap_uint<200>(2));
  ap_uint<65> top = 0;
  top = ~top;
  CHECK(top.word(1) == 1);  // the 65th bit only
  top += 1;
  CHECK(top.is_zero());
}

TEST_CASE("misuse is counted, not undefined") {
  hls_compat::reset_diagnostics();
  ap_uint<16> x = 0xFFFF;
  CHECK(x.range(20, 4) == 0);  // past the width
  CHECK(x.range(3, 8) == 0);   // reversed
  ap_uint<128> y = 0;
  CHECK(y.range(127, 0) == 0);  // wider than 64 bits
  x[16] = 1;                    // out of range: no write
  CHECK(x == 0xFFFF);
  CHECK(hls_compat::diagnostics().bad_ranges == 3);
  CHECK(hls_compat::diagnostics().bad_bit_index == 1);
}

TEST_CASE("hls::stream is a FIFO; reading an empty one is detected and returns T{}") {
  hls::stream<ap_uint<64>> s("s");
  CHECK(s.empty());
  s.write(1);
  s << ap_uint<64>(2);
  CHECK(s.size() == 2);
  CHECK(s.read() == 1);
  ap_uint<64> v;
  s >> v;
  CHECK(v == 2);
  const uint64_t before = hls_compat::diagnostics().empty_reads;
  CHECK(!s.underflowed());
  CHECK(s.read() == 0);
  CHECK(s.underflowed());
  CHECK(s.empty_reads() == 1);
  CHECK(hls_compat::diagnostics().empty_reads == before + 1);
  CHECK(!s.read_nb(v));
  CHECK(s.empty_reads() == 1);  // a non-blocking read of an empty stream is legal

  hls::stream<int, 2> bounded;
  CHECK(bounded.write_nb(1));
  CHECK(bounded.write_nb(2));
  CHECK(bounded.full());
  CHECK(!bounded.write_nb(3));
  CHECK(bounded.size() == 2);
  int x = 0;
  CHECK(bounded.read_nb(x));
  CHECK(x == 1);
}

TEST_CASE("ap_axiu carries data, keep, strb, user, last, id, dest") {
  ap_axiu<64, 4, 2, 3> beat;
  CHECK(beat.data == 0);
  CHECK(beat.last == 0);
  beat.data = 0x0102030405060708ULL;
  beat.keep = 0x0F;
  beat.strb = 0xFF;
  beat.user = 0x1F;  // 4 bits
  beat.last = 1;
  beat.id = 7;       // 2 bits
  beat.dest = 9;     // 3 bits
  CHECK(beat.data.range(7, 0) == 0x08);
  CHECK(beat.keep[3]);
  CHECK(!beat.keep[4]);
  CHECK(beat.user == 0xF);
  CHECK(beat.id == 3);
  CHECK(beat.dest == 1);
  CHECK(decltype(beat.keep)::length() == 8);
  ap_axis<32, 0, 0, 0> sbeat;
  sbeat.data = -5;
  CHECK(sbeat.data == -5);
  hls::stream<ap_axiu<64, 0, 0, 0>> s;
  s.write(ap_axiu<64, 0, 0, 0>{});
  CHECK(s.read().keep == 0);
}

#endif  // PERPWIRE_HLS_COMPAT

TEST_CASE("a MarketEvent survives pack -> 1024-bit word -> unpack, byte i in bits 8i+7..8i") {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 100; ++round) {
    pw::MarketEvent e;
    uint8_t raw[128];
    for (auto& b : raw) b = (uint8_t)rng();
    std::memcpy(&e, raw, sizeof e);
    const pw::hlsk::EventWord w = pw::hlsk::pack_event(e);
    for (int i = 0; i < 128; i += 17) CHECK(w.range(8 * i + 7, 8 * i).to_uint64() == raw[i]);
    pw::MarketEvent back;
    pw::hlsk::unpack_event(w, back);
    CHECK(std::memcmp(&back, &e, sizeof e) == 0);
  }
}
