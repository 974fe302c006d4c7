// AXI-Stream driver and monitor for the Verilator testbenches.
//
// AxisSource drives a model's slave port with frames as 64-bit beats (byte 0 in tdata[7:0]) and
// inserts random idle cycles between beats; AxisSink drives a master port's tready with random
// backpressure and collects the frames with their sideband, checking the AXI-Stream rules
// (payload held stable while stalled, full tkeep on every beat but the last, contiguous tkeep).
// Both are seeded and deterministic. Harness owns the model, the clock, reset and the optional
// FST trace (PERPWIRE_TRACE=1 -> <build>/traces/<module>[.N].fst).
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace pw_sim {

using Bytes = std::vector<uint8_t>;

class Rng {
public:
    explicit Rng(uint64_t seed) : g_(seed) {}
    bool chance(double p) { return p > 0.0 && std::uniform_real_distribution<double>(0.0, 1.0)(g_) < p; }
    uint64_t below(uint64_t n) { return n == 0 ? 0 : g_() % n; }
    uint64_t next() { return g_(); }

private:
    std::mt19937_64 g_;
};

// A frame's per-beat sideband is read from the model as a list of 64-bit words.
using SidebandFn = std::function<std::vector<uint64_t>()>;

struct OutFrame {
    Bytes bytes;
    std::vector<uint64_t> sb;  // sideband sampled on the first beat
    bool abort = false;        // abort flag sampled on the last beat
    uint64_t first_cycle = 0;  // cycle of the first / last beat handshake
    uint64_t last_cycle = 0;
};

struct InFrameTiming {
    uint64_t first_cycle = 0;
    uint64_t last_cycle = 0;
    size_t index = 0;  // order of submission on this source
};

// Drives one slave port. tuser (optional) is driven with `user_last` on the frame's last beat.
class AxisSource {
public:
    struct Frame {
        Bytes bytes;
        uint8_t user_last = 0;
        std::function<void()> sideband;  // sets the frame's sideband inputs, called every beat
        size_t index = 0;
    };

    AxisSource(QData& tdata, CData& tkeep, CData& tvalid, const CData& tready, CData& tlast,
               CData* tuser, uint64_t seed, double idle_prob)
        : tdata_(tdata), tkeep_(tkeep), tvalid_(tvalid), tready_(tready), tlast_(tlast),
          tuser_(tuser), rng_(seed), idle_prob_(idle_prob) {
        tvalid_ = 0;
    }

    void push(Bytes bytes, uint8_t user_last = 0, std::function<void()> sideband = {}) {
        Frame f{std::move(bytes), user_last, std::move(sideband), submitted_++};
        if (f.bytes.empty()) return;
        queue_.push_back(std::move(f));
    }
    void set_idle_prob(double p) { idle_prob_ = p; }
    bool idle() const { return queue_.empty() && !presenting_; }
    size_t pending() const { return queue_.size(); }

    // Called before the clock edge: put a beat on the bus (or keep the one not yet accepted).
    void drive() {
        if (!presenting_ && !queue_.empty() && !rng_.chance(idle_prob_)) presenting_ = true;
        if (!presenting_) {
            tvalid_ = 0;
            return;
        }
        const Frame& f = queue_.front();
        size_t off = beat_ * 8;
        uint64_t d = 0;
        uint8_t k = 0;
        for (size_t i = 0; i < 8 && off + i < f.bytes.size(); ++i) {
            d |= uint64_t(f.bytes[off + i]) << (8 * i);
            k |= uint8_t(1u << i);
        }
        // bytes beyond the frame carry junk: the DUT must ignore lanes with tkeep = 0
        for (size_t i = 0; i < 8; ++i)
            if (!(k >> i & 1)) d |= uint64_t(0xA5) << (8 * i);
        bool last = off + 8 >= f.bytes.size();
        tdata_ = d;
        tkeep_ = k;
        tlast_ = last;
        if (tuser_) *tuser_ = last ? f.user_last : 0;
        if (f.sideband) f.sideband();
        tvalid_ = 1;
    }
    // Called after eval, before the edge.
    void sample(uint64_t cycle) {
        fired_ = presenting_ && tvalid_ && tready_;
        if (!fired_) return;
        const Frame& f = queue_.front();
        if (beat_ == 0) cur_.first_cycle = cycle;
        if ((beat_ + 1) * 8 >= f.bytes.size()) {
            cur_.last_cycle = cycle;
            cur_.index = f.index;
            done_.push_back(cur_);
        }
    }
    // Called after the edge.
    void advance() {
        if (!fired_) return;
        fired_ = false;
        presenting_ = false;
        const Frame& f = queue_.front();
        ++beat_;
        if (beat_ * 8 >= f.bytes.size()) {
            queue_.pop_front();
            beat_ = 0;
        }
    }
    // Timing of every frame fully accepted so far, in acceptance order.
    const std::vector<InFrameTiming>& accepted() const { return done_; }

private:
    QData& tdata_;
    CData& tkeep_;
    CData& tvalid_;
    const CData& tready_;
    CData& tlast_;
    CData* tuser_;
    Rng rng_;
    double idle_prob_;
    std::deque<Frame> queue_;
    size_t beat_ = 0;
    size_t submitted_ = 0;
    bool presenting_ = false;
    bool fired_ = false;
    InFrameTiming cur_;
    std::vector<InFrameTiming> done_;
};

// Collects frames from one master port.
class AxisSink {
public:
    AxisSink(const QData& tdata, const CData& tkeep, const CData& tvalid, CData& tready,
             const CData& tlast, std::function<bool()> abort, SidebandFn sideband, uint64_t seed,
             double stall_prob)
        : tdata_(tdata), tkeep_(tkeep), tvalid_(tvalid), tready_(tready), tlast_(tlast),
          abort_(std::move(abort)), sideband_(std::move(sideband)), rng_(seed),
          stall_prob_(stall_prob) {
        tready_ = 0;
    }
    void set_stall_prob(double p) { stall_prob_ = p; }

    void drive() { tready_ = rng_.chance(stall_prob_) ? 0 : 1; }
    bool busy() const { return tvalid_ != 0; }

    void sample(uint64_t cycle) {
        if (tvalid_) {
            std::vector<uint64_t> sb = sideband_ ? sideband_() : std::vector<uint64_t>{};
            if (held_) {
                if (tdata_ != h_data_ || tkeep_ != h_keep_ || tlast_ != h_last_ || sb != h_sb_)
                    error("payload changed while stalled at cycle " + std::to_string(cycle));
            }
            held_ = !tready_;
            h_data_ = tdata_;
            h_keep_ = tkeep_;
            h_last_ = tlast_;
            h_sb_ = sb;
        } else if (held_) {
            error("tvalid dropped while stalled at cycle " + std::to_string(cycle));
            held_ = false;
        }
        if (!(tvalid_ && tready_)) return;
        uint8_t k = tkeep_;
        if (!tlast_ && k != 0xff) error("partial tkeep on a beat that is not the last");
        if (k == 0 || (k & (k + 1)) != 0) error("tkeep empty or not contiguous from lane 0");
        if (!in_frame_) {
            cur_ = OutFrame{};
            cur_.first_cycle = cycle;
            cur_.sb = sideband_ ? sideband_() : std::vector<uint64_t>{};
            in_frame_ = true;
        } else if (sideband_ && sideband_() != cur_.sb) {
            error("sideband changed inside a frame at cycle " + std::to_string(cycle));
        }
        for (int i = 0; i < 8; ++i)
            if (k >> i & 1) cur_.bytes.push_back(uint8_t(tdata_ >> (8 * i)));
        if (tlast_) {
            cur_.abort = abort_ ? abort_() : false;
            cur_.last_cycle = cycle;
            frames.push_back(std::move(cur_));
            in_frame_ = false;
        }
    }

    std::deque<OutFrame> frames;
    std::vector<std::string> errors;

private:
    void error(const std::string& s) {
        if (errors.size() < 20) errors.push_back(s);
    }
    const QData& tdata_;
    const CData& tkeep_;
    const CData& tvalid_;
    CData& tready_;
    const CData& tlast_;
    std::function<bool()> abort_;
    SidebandFn sideband_;
    Rng rng_;
    double stall_prob_;
    bool in_frame_ = false;
    OutFrame cur_;
    bool held_ = false;
    QData h_data_ = 0;
    CData h_keep_ = 0, h_last_ = 0;
    std::vector<uint64_t> h_sb_;
};

inline bool trace_requested() {
    const char* t = std::getenv("PERPWIRE_TRACE");
    return t && *t && std::string(t) != "0";
}

// Owns a Verilated model; steps the clock and every registered source/sink.
template <class Model>
class Harness {
public:
    explicit Harness(const std::string& module_name) : ctx_(std::make_unique<VerilatedContext>()) {
        ctx_->randReset(0);
        bool trace = trace_requested();
        if (trace) ctx_->traceEverOn(true);
        m = std::make_unique<Model>(ctx_.get(), module_name.c_str());
        if (trace) {
#ifdef PERPWIRE_TRACE_DIR
            std::filesystem::path dir = PERPWIRE_TRACE_DIR;
#else
            std::filesystem::path dir = "traces";
#endif
            std::filesystem::create_directories(dir);
            static int instance = 0;
            std::string name = module_name;
            if (instance) {
                name.push_back('.');
                name.append(std::to_string(instance));
            }
            name += ".fst";
            ++instance;
            trace_path = (dir / name).string();
            fst_ = std::make_unique<VerilatedFstC>();
            m->trace(fst_.get(), 99);
            fst_->open(trace_path.c_str());
            std::fprintf(stderr, "trace: %s\n", trace_path.c_str());
        }
        m->clk = 0;
        m->rst = 1;
        m->eval();
    }
    ~Harness() {
        if (fst_) fst_->close();
        m->final();
        fst_.reset();
        m.reset();  // before the context it belongs to
    }

    void add(AxisSource* s) { sources_.push_back(s); }
    void add(AxisSink* s) { sinks_.push_back(s); }
    // hooks run before each edge (drive config inputs) and after it (observe)
    std::vector<std::function<void(uint64_t)>> before_edge, after_edge;

    void reset(int cycles = 4) {
        m->rst = 1;
        for (int i = 0; i < cycles; ++i) step();
        m->rst = 0;
    }

    void step() {
        for (auto* s : sources_) s->drive();
        for (auto* s : sinks_) s->drive();
        for (auto& h : before_edge) h(cycle);
        m->clk = 0;
        m->eval();
        for (auto* s : sources_) s->sample(cycle);
        for (auto* s : sinks_) s->sample(cycle);
        if (fst_) fst_->dump(2 * cycle);
        m->clk = 1;
        m->eval();
        if (fst_) fst_->dump(2 * cycle + 1);
        for (auto* s : sources_) s->advance();
        for (auto& h : after_edge) h(cycle);
        ++cycle;
    }

    // Run until every source is drained and no output was valid for `quiet` cycles; false on
    // timeout.
    bool run_until_idle(uint64_t max_cycles, uint64_t quiet = 64) {
        uint64_t idle_for = 0;
        for (uint64_t i = 0; i < max_cycles; ++i) {
            step();
            bool idle = true;
            for (auto* s : sources_) idle = idle && s->idle();
            for (auto* s : sinks_) idle = idle && !s->busy();
            idle_for = idle ? idle_for + 1 : 0;
            if (idle_for >= quiet) return true;
        }
        return false;
    }
    void run(uint64_t n) {
        for (uint64_t i = 0; i < n; ++i) step();
    }

    std::unique_ptr<Model> m;
    uint64_t cycle = 0;
    std::string trace_path;

private:
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<VerilatedFstC> fst_;
    std::vector<AxisSource*> sources_;
    std::vector<AxisSink*> sinks_;
};

}  // namespace pw_sim
