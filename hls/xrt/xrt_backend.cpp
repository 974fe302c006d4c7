#include "hls/xrt/xrt_backend.hpp"

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>
#include <experimental/xrt_xclbin.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>

#include "hls/common/beat_layout.hpp"

namespace pw {

namespace {

// Arguments of feed_decode_mm (hls/feed_decode/feed_decode.hpp), by position.
enum Arg : int { kArgBeats = 0, kArgLengths = 1, kArgPackets = 2, kArgEvents = 3, kArgMaxEvents = 4, kArgCounters = 5 };

// XRT's exception text on one line.
std::string one_line(const char* what) {
  std::string s = what == nullptr ? "" : what;
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s.empty() ? "unknown error" : s;
}

}  // namespace

struct XrtBackend::Impl {
  xrt::device device;
  xrt::xclbin xclbin;
  xrt::kernel kernel;
};

XrtBackend::XrtBackend() = default;
XrtBackend::~XrtBackend() = default;

bool XrtBackend::is_open() const { return impl_ != nullptr; }

bool XrtBackend::fail(const std::string& what) {
  reason_ = "xrt backend: " + what;
  return false;
}

bool XrtBackend::open(const std::string& xclbin_path, unsigned device_index) {
  impl_.reset();
  reason_.clear();
  device_name_.clear();
  if (xclbin_path.empty())
    return fail("no xclbin given (build one with scripts/build_xclbin.sh --target hw)");
  if (!std::ifstream(xclbin_path, std::ios::binary).good())
    return fail("xclbin '" + xclbin_path + "' not found (build it with scripts/build_xclbin.sh --target hw)");

  auto impl = std::make_unique<Impl>();
  try {
    impl->device = xrt::device(device_index);
  } catch (const std::exception& e) {
    return fail("no usable Alveo device at index " + std::to_string(device_index) + " (XRT: " + one_line(e.what()) +
                ")");
  }
  try {
    device_name_ = impl->device.get_info<xrt::info::device::name>();
  } catch (const std::exception&) {
    device_name_ = "device " + std::to_string(device_index);
  }
  try {
    impl->xclbin = xrt::xclbin(xclbin_path);
  } catch (const std::exception& e) {
    return fail("'" + xclbin_path + "' is not a readable xclbin (XRT: " + one_line(e.what()) + ")");
  }
  bool has_kernel = false;
  try {
    for (const auto& k : impl->xclbin.get_kernels()) has_kernel = has_kernel || k.get_name() == kKernelName;
  } catch (const std::exception& e) {
    return fail("cannot list the kernels of '" + xclbin_path + "' (XRT: " + one_line(e.what()) + ")");
  }
  if (!has_kernel)
    return fail("xclbin '" + xclbin_path + "' has no " + kKernelName +
                " kernel (build it with scripts/build_xclbin.sh, which links the replay kernels)");
  try {
    const xrt::uuid uuid = impl->device.load_xclbin(impl->xclbin);
    impl->kernel = xrt::kernel(impl->device, uuid, kKernelName);
  } catch (const std::exception& e) {
    return fail("cannot load '" + xclbin_path + "' on " + device_name_ + " (XRT: " + one_line(e.what()) + ")");
  }
  impl_ = std::move(impl);
  return true;
}

bool XrtBackend::process(const hlsk::DatagramView* datagrams, size_t n, std::vector<MarketEvent>& events) {
  if (!impl_) {
    if (reason_.empty()) reason_ = "xrt backend: not open (call open() with an xclbin first)";
    return false;  // keep the reason open() gave
  }
  for (size_t first = 0; first < n; first += kBatch) {
    const size_t count = std::min(kBatch, n - first);
    hlsk::MmBatch batch;
    hlsk::layout_batch(datagrams + first, count, batch);
    uint32_t counters[hlsk::kFeedCounterCount] = {};
    try {
      xrt::kernel& k = impl_->kernel;
      const size_t beat_bytes = std::max<size_t>(8, batch.beats.size() * sizeof(uint64_t));
      const size_t length_bytes = std::max<size_t>(4, batch.lengths.size() * sizeof(uint32_t));
      const size_t event_bytes = std::max<size_t>(hlsk::kEventBytes, (size_t)batch.max_events * hlsk::kEventBytes);
      xrt::bo beats(impl_->device, beat_bytes, k.group_id(kArgBeats));
      xrt::bo lengths(impl_->device, length_bytes, k.group_id(kArgLengths));
      xrt::bo out(impl_->device, event_bytes, k.group_id(kArgEvents));
      xrt::bo ctr(impl_->device, sizeof counters, k.group_id(kArgCounters));
      if (!batch.beats.empty()) beats.write(batch.beats.data(), batch.beats.size() * sizeof(uint64_t), 0);
      if (!batch.lengths.empty()) lengths.write(batch.lengths.data(), batch.lengths.size() * sizeof(uint32_t), 0);
      beats.sync(XCL_BO_SYNC_BO_TO_DEVICE);
      lengths.sync(XCL_BO_SYNC_BO_TO_DEVICE);
      xrt::run run = k(beats, lengths, (uint32_t)count, out, batch.max_events, ctr);
      const ert_cmd_state state = run.wait(std::chrono::milliseconds(10000));
      if (state != ERT_CMD_STATE_COMPLETED)
        return fail(std::string(kKernelName) + " did not complete (command state " + std::to_string((int)state) + ")");
      ctr.sync(XCL_BO_SYNC_BO_FROM_DEVICE);
      ctr.read(counters, sizeof counters, 0);
      const uint32_t stored = std::min(counters[hlsk::kCtrEvents], batch.max_events);
      if (stored > 0) {
        out.sync(XCL_BO_SYNC_BO_FROM_DEVICE, (size_t)stored * hlsk::kEventBytes, 0);
        const size_t at = events.size();
        events.resize(at + stored);
        // The kernel writes each 1024-bit word little-endian: its bytes are the record's bytes.
        out.read(events.data() + at, (size_t)stored * hlsk::kEventBytes, 0);
      }
    } catch (const std::exception& e) {
      return fail(std::string(kKernelName) + " run failed (XRT: " + one_line(e.what()) + ")");
    }
    counts_.add(counters);
    if (counters[hlsk::kCtrEventsDropped] != 0) return fail("event buffer too small: events were dropped");
  }
  return true;
}

bool XrtBackend::process(const std::vector<std::vector<uint8_t>>& payloads, std::vector<MarketEvent>& events) {
  std::vector<hlsk::DatagramView> v;
  v.reserve(payloads.size());
  for (const auto& p : payloads) v.push_back({p.data(), (uint32_t)p.size()});
  return process(v.data(), v.size(), events);
}

}  // namespace pw
