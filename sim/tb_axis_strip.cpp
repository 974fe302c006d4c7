// axis_strip: every strip offset, with and without trimming, drops by reason, short and
// truncated frames, aborted input; random tvalid gaps and output backpressure.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "Vaxis_strip.h"
#include "tb_common.hpp"

using namespace pw_sim;

namespace {

struct Ctl {
    unsigned strip = 0;
    bool trim = false;
    unsigned len = 0;
    unsigned reason = 0;
    unsigned sb = 0;
};

struct Case {
    Bytes frame;
    uint8_t user = 0;
    Ctl c;
};

// Expected output: the bytes after `strip` (trimmed to `len`), or nothing for a dropped frame;
// `fault` frames (aborted input or fewer than `len` bytes after the strip) leave nothing or
// leave aborted.
struct Want {
    bool out = false;
    bool fault = false;
    Bytes bytes;
    unsigned sb = 0;
};

bool is_prefix(const Bytes& a, const Bytes& b) {
    return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

Want expect(const Case& k) {
    Want w;
    w.sb = k.c.sb;
    if (k.c.reason != 0 || k.frame.size() <= k.c.strip) return w;
    Bytes rest(k.frame.begin() + k.c.strip, k.frame.end());
    if (k.c.trim) {
        if (rest.size() < k.c.len) w.fault = true;
        else rest.resize(k.c.len);
    }
    if (k.user) w.fault = true;
    w.out = !w.fault;
    w.bytes = rest;
    return w;
}

struct Bench {
    Harness<Vaxis_strip> h{"axis_strip"};
    AxisSource src;
    AxisSink sink;
    uint64_t stat_frames = 0;
    explicit Bench(const Profile& p)
        : src(h.m->s_axis_tdata, h.m->s_axis_tkeep, h.m->s_axis_tvalid, h.m->s_axis_tready,
              h.m->s_axis_tlast, &h.m->s_axis_tuser, p.seed, p.idle),
          sink(h.m->m_axis_tdata, h.m->m_axis_tkeep, h.m->m_axis_tvalid, h.m->m_axis_tready,
               h.m->m_axis_tlast, [this] { return h.m->m_axis_tuser != 0; },
               [this] { return std::vector<uint64_t>{h.m->m_axis_sb}; }, p.seed + 5, p.stall) {
        h.add(&src);
        h.add(&sink);
        // stat_valid is combinational from this cycle's inputs: settle them, then count
        h.before_edge.push_back([this](uint64_t) {
            h.m->eval();
            stat_frames += h.m->stat_valid;
        });
        h.reset();
    }
    void push(const Case& k) {
        Ctl c = k.c;
        src.push(k.frame, k.user, [this, c] {
            h.m->ctl_strip = uint8_t(c.strip);
            h.m->ctl_trim = c.trim;
            h.m->ctl_len = uint16_t(c.len);
            h.m->ctl_reason = uint8_t(c.reason);
            h.m->ctl_sb = uint8_t(c.sb);
        });
    }
};

Case random_case(Rng& r, unsigned strip) {
    Case k;
    size_t n = 1 + r.below(140);
    if (r.chance(0.7)) n = strip + 1 + r.below(120);  // mostly frames that reach the strip
    k.frame.resize(n);
    for (auto& b : k.frame) b = uint8_t(r.below(256));
    k.c.strip = strip;
    k.c.trim = r.chance(0.5);
    size_t rest = n > strip ? n - strip : 0;
    // trimmed length: mostly inside the frame (padding removed), sometimes past its end
    k.c.len = unsigned(r.chance(0.85) && rest > 0 ? 1 + r.below(rest) : 1 + r.below(rest + 16));
    k.c.reason = r.chance(0.1) ? unsigned(1 + r.below(7)) : 0;
    k.c.sb = unsigned(r.below(2));
    k.user = r.chance(0.08) ? 1 : 0;
    return k;
}

}  // namespace

TEST_CASE("axis_strip: every strip offset, trims, drops and faults under gaps and backpressure") {
    for (const auto& p : profiles()) {
        CAPTURE(std::string(p.name));
        Bench b(p);
        Rng r(p.seed * 7 + 1);
        std::vector<Case> cases;
        for (int rep = 0; rep < 6; ++rep)
            for (unsigned strip = 0; strip < 64; ++strip) cases.push_back(random_case(r, strip));
        for (const auto& k : cases) b.push(k);
        REQUIRE(b.h.run_until_idle(400000));
        check_sink_protocol(b.sink);
        CHECK(b.stat_frames == cases.size());
        size_t o = 0, good = 0, faults_out = 0;
        for (size_t i = 0; i < cases.size(); ++i) {
            Want w = expect(cases[i]);
            CAPTURE(i);
            CAPTURE(cases[i].c.strip);
            CAPTURE(cases[i].frame.size());
            if (w.out) {
                REQUIRE(o < b.sink.frames.size());
                const auto& f = b.sink.frames[o++];
                CHECK(!f.abort);
                CHECK(hex(f.bytes, 4096) == hex(w.bytes, 4096));
                REQUIRE(f.sb.size() == 1);
                CHECK(f.sb[0] == w.sb);
                ++good;
            } else if (w.fault && o < b.sink.frames.size() && b.sink.frames[o].abort &&
                       is_prefix(b.sink.frames[o].bytes, w.bytes)) {
                // a fault frame leaves nothing, or aborted with a prefix of its bytes after
                // the strip (an aborted output that is no such prefix stays unmatched: fails)
                ++o;
                ++faults_out;
            }
        }
        CHECK(o == b.sink.frames.size());
        CHECK(good > cases.size() / 2);
        MESSAGE(std::string(p.name) << ": " << good << " frames out, " << faults_out << " aborted, of " << cases.size());
    }
}
