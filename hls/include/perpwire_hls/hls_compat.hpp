// The HLS types the kernels use: ap_uint / ap_int, hls::stream and the AXI-Stream beat ap_axiu.
// Under Vitis HLS (synthesis, or a C-simulation with the Vitis headers on the include path) these
// are the vendor's own headers. Everywhere else a small project-owned implementation stands in, so
// that the kernels compile and run as plain C++17 (C-simulation) with g++ or clang:
//   * ap_uint<W> for 1 <= W <= 1024 (one to sixteen 64-bit words), ap_int<W> for 1 <= W <= 64;
//     values are kept masked (unsigned) or sign-extended (signed) to W bits; bit select [i],
//     range(hi, lo) read and write (a range is at most 64 bits wide), arithmetic and comparison
//     through conversion to a 64-bit integer (narrow types), shifts and ~ that keep the width.
//   * hls::stream<T>: an unbounded FIFO (optional DEPTH only answers full()). Reading an empty
//     stream is what would stall the hardware forever; here it is detected: counted on the
//     stream and globally, flagged, and T{} is returned — never undefined behaviour.
//   * ap_axiu<D, U, TI, TD> / ap_axis: data, keep, strb, user, last, id, dest.
// Misuse that would be undefined in C++ (a range outside the width, a bit index out of range) is
// counted in hls_compat::diagnostics() and yields 0 / no write.
// Define PERPWIRE_HLS_FORCE_COMPAT to use the project types even where Vitis headers exist.
#pragma once

#if !defined(PERPWIRE_HLS_FORCE_COMPAT)
#if defined(__SYNTHESIS__)
#define PERPWIRE_HLS_VENDOR 1
#elif defined(__has_include)
#if __has_include(<ap_int.h>) && __has_include(<hls_stream.h>) && __has_include(<ap_axi_sdata.h>)
#define PERPWIRE_HLS_VENDOR 1
#endif
#endif
#endif

#if defined(PERPWIRE_HLS_VENDOR)

#include <ap_axi_sdata.h>
#include <ap_int.h>
#include <hls_stream.h>

#else  // project-owned C-simulation types

#define PERPWIRE_HLS_COMPAT 1

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <type_traits>

namespace hls_compat {

// Counts of misuse detected while running C-simulation. Tests read them; they are never reset
// implicitly.
struct Diagnostics {
  uint64_t empty_reads = 0;    // hls::stream read while empty
  uint64_t bad_ranges = 0;     // range(hi, lo) with hi < lo, hi >= W or wider than 64 bits
  uint64_t bad_bit_index = 0;  // [i] with i outside 0..W-1
};

inline Diagnostics& diagnostics() {
  static Diagnostics d;
  return d;
}

inline void reset_diagnostics() { diagnostics() = Diagnostics{}; }

constexpr uint64_t low_mask(int bits) { return bits >= 64 ? ~uint64_t(0) : ((uint64_t(1) << bits) - 1); }

inline bool range_ok(int w, int hi, int lo) {
  if (lo < 0 || hi < lo || hi >= w || hi - lo + 1 > 64) {
    ++diagnostics().bad_ranges;
    return false;
  }
  return true;
}

inline bool bit_ok(int w, int i) {
  if (i < 0 || i >= w) {
    ++diagnostics().bad_bit_index;
    return false;
  }
  return true;
}

// Reads `len` (<= 64) bits starting at bit `lo` of a little-endian word array.
inline uint64_t get_bits(const uint64_t* words, int lo, int len) {
  const int wi = lo / 64, sh = lo % 64;
  uint64_t v = words[wi] >> sh;
  if (sh != 0 && sh + len > 64) v |= words[wi + 1] << (64 - sh);
  return v & low_mask(len);
}

// Writes the low `len` (<= 64) bits of `v` at bit `lo`.
inline void set_bits(uint64_t* words, int lo, int len, uint64_t v) {
  const uint64_t m = low_mask(len);
  v &= m;
  const int wi = lo / 64, sh = lo % 64;
  words[wi] = (words[wi] & ~(m << sh)) | (v << sh);
  if (sh != 0 && sh + len > 64) {
    const int spill = sh + len - 64;
    const uint64_t m2 = low_mask(spill);
    words[wi + 1] = (words[wi + 1] & ~m2) | (v >> (64 - sh));
  }
}

// Proxy for x[i]: reads as bool, assignable.
template <typename Owner>
class bit_ref {
 public:
  bit_ref(Owner& o, int i) : o_(o), i_(i) {}
  bit_ref(const bit_ref&) = default;
  operator bool() const { return o_.get_bit(i_); }
  bit_ref& operator=(bool b) {
    o_.set_bit(i_, b);
    return *this;
  }
  bit_ref& operator=(const bit_ref& other) { return *this = (bool)other; }
  bool operator~() const { return !(bool)*this; }

 private:
  Owner& o_;
  int i_;
};

// Proxy for x.range(hi, lo) (at most 64 bits): reads as uint64_t, assignable.
template <typename Owner>
class range_ref {
 public:
  range_ref(Owner& o, int hi, int lo) : o_(o), hi_(hi), lo_(lo) {}
  range_ref(const range_ref&) = default;
  uint64_t get() const { return o_.get_range(hi_, lo_); }
  operator uint64_t() const { return get(); }
  uint64_t to_uint64() const { return get(); }
  unsigned to_uint() const { return (unsigned)get(); }
  int64_t to_int64() const { return (int64_t)get(); }
  int length() const { return hi_ - lo_ + 1; }
  range_ref& operator=(uint64_t v) {
    o_.set_range(hi_, lo_, v);
    return *this;
  }
  range_ref& operator=(const range_ref& other) { return *this = other.get(); }

 private:
  Owner& o_;
  int hi_, lo_;
};

}  // namespace hls_compat

template <int W>
class ap_uint;
template <int W>
class ap_int;

namespace hls_compat {

// ap_uint of 1..64 bits: a masked uint64_t.
template <int W>
class narrow_uint {
  static_assert(W >= 1 && W <= 64, "narrow_uint holds 1..64 bits");

 public:
  static constexpr uint64_t kMask = low_mask(W);
  constexpr narrow_uint() : v_(0) {}
  constexpr narrow_uint(uint64_t v) : v_(v & kMask) {}

  constexpr operator uint64_t() const { return v_; }
  constexpr uint64_t to_uint64() const { return v_; }
  constexpr int64_t to_int64() const { return (int64_t)v_; }
  constexpr unsigned to_uint() const { return (unsigned)v_; }
  constexpr int to_int() const { return (int)v_; }
  constexpr unsigned long to_ulong() const { return (unsigned long)v_; }
  constexpr bool to_bool() const { return v_ != 0; }
  static constexpr int length() { return W; }

  bool get_bit(int i) const { return bit_ok(W, i) && ((v_ >> i) & 1u); }
  void set_bit(int i, bool b) {
    if (!bit_ok(W, i)) return;
    v_ = b ? (v_ | (uint64_t(1) << i)) : (v_ & ~(uint64_t(1) << i));
  }
  uint64_t get_range(int hi, int lo) const { return range_ok(W, hi, lo) ? get_bits(&v_, lo, hi - lo + 1) : 0; }
  void set_range(int hi, int lo, uint64_t v) {
    if (range_ok(W, hi, lo)) set_bits(&v_, lo, hi - lo + 1, v);
    v_ &= kMask;
  }

 protected:
  uint64_t v_;
};

// ap_uint of 65..1024 bits: little-endian 64-bit words, the top word masked.
template <int W>
class wide_uint {
  static_assert(W > 64 && W <= 1024, "wide_uint holds 65..1024 bits");

 public:
  static constexpr int kWords = (W + 63) / 64;
  static constexpr uint64_t kTopMask = low_mask(W - 64 * (kWords - 1));

  constexpr wide_uint() : w_{} {}
  constexpr wide_uint(uint64_t v) : w_{} { w_[0] = v; }

  uint64_t to_uint64() const { return w_[0]; }
  unsigned to_uint() const { return (unsigned)w_[0]; }
  static constexpr int length() { return W; }
  uint64_t word(int i) const { return w_[i]; }
  void set_word(int i, uint64_t v) {
    w_[i] = v;
    w_[kWords - 1] &= kTopMask;
  }

  bool get_bit(int i) const { return bit_ok(W, i) && ((w_[i / 64] >> (i % 64)) & 1u); }
  void set_bit(int i, bool b) {
    if (!bit_ok(W, i)) return;
    const uint64_t m = uint64_t(1) << (i % 64);
    w_[i / 64] = b ? (w_[i / 64] | m) : (w_[i / 64] & ~m);
  }
  uint64_t get_range(int hi, int lo) const { return range_ok(W, hi, lo) ? get_bits(w_, lo, hi - lo + 1) : 0; }
  void set_range(int hi, int lo, uint64_t v) {
    if (range_ok(W, hi, lo)) set_bits(w_, lo, hi - lo + 1, v);
    w_[kWords - 1] &= kTopMask;
  }

  bool is_zero() const {
    for (int i = 0; i < kWords; ++i)
      if (w_[i] != 0) return false;
    return true;
  }

 protected:
  uint64_t w_[kWords];
};

template <int W>
using uint_base = typename std::conditional<(W <= 64), narrow_uint<W>, wide_uint<W>>::type;

}  // namespace hls_compat

template <int W>
class ap_uint : public hls_compat::uint_base<W> {
  using Base = hls_compat::uint_base<W>;
  static constexpr bool kNarrow = W <= 64;

 public:
  constexpr ap_uint() : Base() {}
  // Any integer: truncated to W bits (negative values wrap, as in hardware).
  template <typename I, typename std::enable_if<std::is_integral<I>::value, int>::type = 0>
  constexpr ap_uint(I v) : Base((uint64_t)v) {}
  // Another width: truncated or zero-extended.
  template <int W2>
  ap_uint(const ap_uint<W2>& o) : Base() {
    assign_from(o);
  }
  template <int W2>
  ap_uint(const ap_int<W2>& o) : Base((uint64_t)o.to_int64()) {
    if (o.to_int64() < 0)  // sign-extend into the upper words
      for (int i = 1; i < words(); ++i) put(i, ~uint64_t(0));
  }
  // x.range(hi, lo) and x[i] of any value.
  template <typename O>
  ap_uint(const hls_compat::range_ref<O>& r) : Base(r.get()) {}
  template <typename O>
  ap_uint(const hls_compat::bit_ref<O>& b) : Base((uint64_t)(bool)b) {}

  hls_compat::bit_ref<ap_uint> operator[](int i) { return hls_compat::bit_ref<ap_uint>(*this, i); }
  bool operator[](int i) const { return this->get_bit(i); }
  hls_compat::range_ref<ap_uint> range(int hi, int lo) { return hls_compat::range_ref<ap_uint>(*this, hi, lo); }
  hls_compat::range_ref<const ap_uint> range(int hi, int lo) const {
    return hls_compat::range_ref<const ap_uint>(*this, hi, lo);
  }
  hls_compat::range_ref<ap_uint> operator()(int hi, int lo) { return range(hi, lo); }
  hls_compat::range_ref<const ap_uint> operator()(int hi, int lo) const { return range(hi, lo); }

  ap_uint operator~() const {
    ap_uint r;
    for (int i = 0; i < words(); ++i) r.put(i, ~get(i));
    return r;
  }
  ap_uint operator<<(int n) const {
    ap_uint r;
    if (n < 0) return *this >> -n;
    const int ws = n / 64, bs = n % 64;
    for (int i = words() - 1; i >= 0; --i) {
      uint64_t v = 0;
      if (i - ws >= 0) v = get(i - ws) << bs;
      if (bs != 0 && i - ws - 1 >= 0) v |= get(i - ws - 1) >> (64 - bs);
      r.put(i, v);
    }
    return r;
  }
  ap_uint operator>>(int n) const {
    ap_uint r;
    if (n < 0) return *this << -n;
    const int ws = n / 64, bs = n % 64;
    for (int i = 0; i < words(); ++i) {
      uint64_t v = 0;
      if (i + ws < words()) v = get(i + ws) >> bs;
      if (bs != 0 && i + ws + 1 < words()) v |= get(i + ws + 1) << (64 - bs);
      r.put(i, v);
    }
    return r;
  }
  ap_uint& operator<<=(int n) { return *this = *this << n; }
  ap_uint& operator>>=(int n) { return *this = *this >> n; }

  ap_uint& operator+=(uint64_t v) { return *this = ap_uint(add(v)); }
  ap_uint& operator-=(uint64_t v) { return *this = ap_uint(add(~v + 1)); }
  ap_uint& operator*=(uint64_t v) { return narrow_op([&](uint64_t a) { return a * v; }); }
  ap_uint& operator/=(uint64_t v) { return narrow_op([&](uint64_t a) { return v == 0 ? 0 : a / v; }); }
  ap_uint& operator%=(uint64_t v) { return narrow_op([&](uint64_t a) { return v == 0 ? 0 : a % v; }); }
  ap_uint& operator&=(const ap_uint& o) {
    for (int i = 0; i < words(); ++i) put(i, get(i) & o.get(i));
    return *this;
  }
  ap_uint& operator|=(const ap_uint& o) {
    for (int i = 0; i < words(); ++i) put(i, get(i) | o.get(i));
    return *this;
  }
  ap_uint& operator^=(const ap_uint& o) {
    for (int i = 0; i < words(); ++i) put(i, get(i) ^ o.get(i));
    return *this;
  }
  ap_uint& operator++() { return *this += 1; }
  ap_uint& operator--() { return *this -= 1; }
  ap_uint operator++(int) {
    ap_uint t = *this;
    *this += 1;
    return t;
  }
  ap_uint operator--(int) {
    ap_uint t = *this;
    *this -= 1;
    return t;
  }

  // Word access that works for both storages (narrow: one word).
  static constexpr int words() { return (W + 63) / 64; }
  uint64_t get(int i) const {
    if constexpr (kNarrow) {
      return i == 0 ? this->v_ : 0;
    } else {
      return this->word(i);
    }
  }
  void put(int i, uint64_t v) {
    if constexpr (kNarrow) {
      if (i == 0) this->v_ = v & Base::kMask;
    } else {
      this->set_word(i, v);
    }
  }

  std::string to_string(int radix = 16) const {
    static const char* digits = "0123456789abcdef";
    if (radix != 2) radix = 16;
    std::string s;
    const int step = radix == 2 ? 1 : 4;
    for (int b = ((W + step - 1) / step) * step - step; b >= 0; b -= step) {
      const int len = b + step > W ? W - b : step;
      s += digits[hls_compat::get_bits(words_ptr(), b, len)];
    }
    return (radix == 2 ? "0b" : "0x") + s;
  }

 private:
  template <int W2>
  void assign_from(const ap_uint<W2>& o) {
    for (int i = 0; i < words(); ++i) put(i, i < ap_uint<W2>::words() ? o.get(i) : 0);
  }
  // Adds a 64-bit value with carry across the words.
  ap_uint add(uint64_t v) const {
    ap_uint r = *this;
    uint64_t carry = v;
    for (int i = 0; i < words() && carry != 0; ++i) {
      const uint64_t s = r.get(i) + carry;
      carry = s < carry ? 1 : 0;
      r.put(i, s);
    }
    return r;
  }
  template <typename F>
  ap_uint& narrow_op(F f) {
    static_assert(W <= 64, "multiply/divide are provided for widths up to 64 bits");
    return *this = ap_uint(f(this->v_));
  }
  const uint64_t* words_ptr() const {
    if constexpr (kNarrow) {
      return &this->v_;
    } else {
      return this->w_;
    }
  }
};

// Comparisons of wide values (narrow ones compare through their uint64_t conversion).
template <int W, typename std::enable_if<(W > 64), int>::type = 0>
bool operator==(const ap_uint<W>& a, const ap_uint<W>& b) {
  for (int i = 0; i < ap_uint<W>::words(); ++i)
    if (a.get(i) != b.get(i)) return false;
  return true;
}
template <int W, typename std::enable_if<(W > 64), int>::type = 0>
bool operator!=(const ap_uint<W>& a, const ap_uint<W>& b) {
  return !(a == b);
}
template <int W, typename std::enable_if<(W > 64), int>::type = 0>
ap_uint<W> operator&(ap_uint<W> a, const ap_uint<W>& b) {
  return a &= b;
}
template <int W, typename std::enable_if<(W > 64), int>::type = 0>
ap_uint<W> operator|(ap_uint<W> a, const ap_uint<W>& b) {
  return a |= b;
}
template <int W, typename std::enable_if<(W > 64), int>::type = 0>
ap_uint<W> operator^(ap_uint<W> a, const ap_uint<W>& b) {
  return a ^= b;
}

// ap_int of 1..64 bits: a sign-extended int64_t.
template <int W>
class ap_int {
  static_assert(W >= 1 && W <= 64, "ap_int holds 1..64 bits");

 public:
  constexpr ap_int() : v_(0) {}
  template <typename I, typename std::enable_if<std::is_integral<I>::value, int>::type = 0>
  constexpr ap_int(I v) : v_(extend((uint64_t)v)) {}
  template <int W2>
  ap_int(const ap_int<W2>& o) : v_(extend((uint64_t)o.to_int64())) {}
  template <int W2>
  ap_int(const ap_uint<W2>& o) : v_(extend(o.get(0))) {}
  template <typename O>
  ap_int(const hls_compat::range_ref<O>& r) : v_(extend(r.get())) {}
  template <typename O>
  ap_int(const hls_compat::bit_ref<O>& b) : v_(extend((uint64_t)(bool)b)) {}

  constexpr operator int64_t() const { return v_; }
  constexpr int64_t to_int64() const { return v_; }
  constexpr uint64_t to_uint64() const { return (uint64_t)v_; }
  constexpr int to_int() const { return (int)v_; }
  constexpr unsigned to_uint() const { return (unsigned)v_; }
  constexpr long to_long() const { return (long)v_; }
  constexpr bool to_bool() const { return v_ != 0; }
  static constexpr int length() { return W; }

  bool get_bit(int i) const { return hls_compat::bit_ok(W, i) && (((uint64_t)v_ >> i) & 1u); }
  void set_bit(int i, bool b) {
    if (!hls_compat::bit_ok(W, i)) return;
    uint64_t u = (uint64_t)v_;
    u = b ? (u | (uint64_t(1) << i)) : (u & ~(uint64_t(1) << i));
    v_ = extend(u);
  }
  uint64_t get_range(int hi, int lo) const {
    uint64_t u = (uint64_t)v_ & hls_compat::low_mask(W);
    return hls_compat::range_ok(W, hi, lo) ? hls_compat::get_bits(&u, lo, hi - lo + 1) : 0;
  }
  void set_range(int hi, int lo, uint64_t v) {
    if (!hls_compat::range_ok(W, hi, lo)) return;
    uint64_t u = (uint64_t)v_;
    hls_compat::set_bits(&u, lo, hi - lo + 1, v);
    v_ = extend(u);
  }

  hls_compat::bit_ref<ap_int> operator[](int i) { return hls_compat::bit_ref<ap_int>(*this, i); }
  bool operator[](int i) const { return get_bit(i); }
  hls_compat::range_ref<ap_int> range(int hi, int lo) { return hls_compat::range_ref<ap_int>(*this, hi, lo); }
  hls_compat::range_ref<const ap_int> range(int hi, int lo) const {
    return hls_compat::range_ref<const ap_int>(*this, hi, lo);
  }

  ap_int operator~() const { return ap_int(~v_); }
  ap_int operator<<(int n) const { return n >= 64 ? ap_int(0) : ap_int((uint64_t)v_ << n); }
  ap_int operator>>(int n) const { return ap_int(v_ >> (n >= 64 ? 63 : n)); }  // arithmetic shift
  ap_int& operator<<=(int n) { return *this = *this << n; }
  ap_int& operator>>=(int n) { return *this = *this >> n; }
  ap_int& operator+=(int64_t v) { return *this = ap_int((uint64_t)v_ + (uint64_t)v); }
  ap_int& operator-=(int64_t v) { return *this = ap_int((uint64_t)v_ - (uint64_t)v); }
  ap_int& operator*=(int64_t v) { return *this = ap_int((uint64_t)v_ * (uint64_t)v); }
  ap_int& operator&=(int64_t v) { return *this = ap_int(v_ & v); }
  ap_int& operator|=(int64_t v) { return *this = ap_int(v_ | v); }
  ap_int& operator^=(int64_t v) { return *this = ap_int(v_ ^ v); }
  ap_int& operator++() { return *this += 1; }
  ap_int& operator--() { return *this -= 1; }
  ap_int operator++(int) {
    ap_int t = *this;
    *this += 1;
    return t;
  }
  ap_int operator--(int) {
    ap_int t = *this;
    *this -= 1;
    return t;
  }

 private:
  static constexpr int64_t extend(uint64_t u) {
    if (W == 64) return (int64_t)u;
    u &= hls_compat::low_mask(W);
    const uint64_t sign = uint64_t(1) << (W - 1);
    return (int64_t)((u ^ sign) - sign);
  }
  int64_t v_;
};

namespace hls {

// FIFO between kernels and processes. DEPTH (0 = unbounded) only answers full(): C-simulation
// never drops a write. A read of an empty stream is an error the hardware would turn into a hang;
// here it is counted, flagged and returns T{}.
template <typename T, int DEPTH = 0>
class stream {
 public:
  stream() = default;
  explicit stream(const char* name) : name_(name ? name : "") {}
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  void write(const T& v) {
    q_.push_back(v);
    ++writes_;
  }
  bool write_nb(const T& v) {
    if (full()) return false;
    write(v);
    return true;
  }
  T read() {
    if (q_.empty()) {
      ++empty_reads_;
      ++hls_compat::diagnostics().empty_reads;
      return T{};
    }
    T v = q_.front();
    q_.pop_front();
    ++reads_;
    return v;
  }
  void read(T& v) { v = read(); }
  bool read_nb(T& v) {
    if (q_.empty()) return false;
    v = read();
    return true;
  }
  stream& operator<<(const T& v) {
    write(v);
    return *this;
  }
  stream& operator>>(T& v) {
    read(v);
    return *this;
  }

  bool empty() const { return q_.empty(); }
  bool full() const { return DEPTH > 0 && q_.size() >= (size_t)DEPTH; }
  size_t size() const { return q_.size(); }

  // C-simulation only.
  uint64_t empty_reads() const { return empty_reads_; }
  bool underflowed() const { return empty_reads_ != 0; }
  uint64_t total_writes() const { return writes_; }
  uint64_t total_reads() const { return reads_; }
  const std::string& name() const { return name_; }

 private:
  std::deque<T> q_;
  std::string name_;
  uint64_t empty_reads_ = 0;
  uint64_t writes_ = 0;
  uint64_t reads_ = 0;
};

}  // namespace hls

namespace hls_compat {
constexpr int at_least_one(int w) { return w < 1 ? 1 : w; }
}  // namespace hls_compat

// AXI4-Stream beat with unsigned data: tdata, tkeep, tstrb, tuser, tlast, tid, tdest. Zero-width
// side channels are kept as one unused bit.
template <int D, int U, int TI, int TD>
struct ap_axiu {
  ap_uint<D> data;
  ap_uint<(D + 7) / 8> keep;
  ap_uint<(D + 7) / 8> strb;
  ap_uint<hls_compat::at_least_one(U)> user;
  ap_uint<1> last;
  ap_uint<hls_compat::at_least_one(TI)> id;
  ap_uint<hls_compat::at_least_one(TD)> dest;
};

// The same with signed data.
template <int D, int U, int TI, int TD>
struct ap_axis {
  ap_int<D> data;
  ap_uint<(D + 7) / 8> keep;
  ap_uint<(D + 7) / 8> strb;
  ap_uint<hls_compat::at_least_one(U)> user;
  ap_uint<1> last;
  ap_uint<hls_compat::at_least_one(TI)> id;
  ap_uint<hls_compat::at_least_one(TD)> dest;
};

#endif  // PERPWIRE_HLS_VENDOR
