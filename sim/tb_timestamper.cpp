// timestamper: fractional nanosecond clock, stamp on the first beat, load, pass-through.
#include <doctest/doctest.h>

#include "Vtimestamper.h"
#include "tb_common.hpp"

using namespace pw_sim;

namespace {

constexpr uint64_t kIncQ32 = 0x31A6031A6ull;  // 1e9 / 322.265625e6 ns in Q32.32

uint64_t ts_after(uint64_t posedges) {
    return uint64_t((unsigned __int128)posedges * kIncQ32 >> 32);
}

struct Bench {
    Harness<Vtimestamper> h{"timestamper"};
    AxisSource src;
    AxisSink sink;
    uint64_t c0 = 0;  // first cycle whose posedge counts
    explicit Bench(const Profile& p)
        : src(h.m->s_axis_tdata, h.m->s_axis_tkeep, h.m->s_axis_tvalid, h.m->s_axis_tready,
              h.m->s_axis_tlast, &h.m->s_axis_tuser, p.seed, p.idle),
          sink(h.m->m_axis_tdata, h.m->m_axis_tkeep, h.m->m_axis_tvalid, h.m->m_axis_tready,
               h.m->m_axis_tlast, [this] { return (h.m->m_axis_tuser[2] & 1) != 0; },
               [this] {
                   return std::vector<uint64_t>{uint64_t(h.m->m_axis_tuser[1]) << 32 |
                                                h.m->m_axis_tuser[0]};
               },
               p.seed + 5, p.stall) {
        h.add(&src);
        h.add(&sink);
        h.reset();
        c0 = h.cycle;
    }
};

}  // namespace

TEST_CASE("timestamper: every frame carries the clock value of its first beat's acceptance") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            Bench b(p);
            Rng r(p.seed);
            std::vector<std::pair<Bytes, bool>> sent;
            for (int i = 0; i < 300; ++i) {
                Bytes f(1 + r.below(r.chance(0.1) ? 900 : 70));
                for (auto& x : f) x = uint8_t(r.next());
                bool u = r.chance(0.3);
                b.src.push(f, u);
                sent.emplace_back(f, u);
            }
            REQUIRE(b.h.run_until_idle(5000000));
            check_sink_protocol(b.sink);
            REQUIRE(b.sink.frames.size() == sent.size());
            const auto& acc = b.src.accepted();
            for (size_t i = 0; i < sent.size(); ++i) {
                INFO("frame " << i);
                CHECK(b.sink.frames[i].bytes == sent[i].first);
                CHECK(b.sink.frames[i].abort == sent[i].second);
                CHECK(b.sink.frames[i].sb[0] == ts_after(acc[i].first_cycle - b.c0));
            }
        }
    }
}

TEST_CASE("timestamper: the counter keeps exact fractional time and reloads") {
    Bench b(profiles()[0]);
    const uint64_t n = 3'000'000;  // ~9.3 ms of 322.265625 MHz cycles
    b.h.run(n);
    // in the cycle after n posedges the counter reads ts_after(n)
    b.h.m->eval();
    CHECK(b.h.m->ts_now == ts_after(n));
    double exact = double(n) * 1e9 / 322.265625e6;
    CHECK(double(b.h.m->ts_now) <= exact);
    CHECK(double(b.h.m->ts_now) > exact - 1.0);

    // load a wall-clock time; then it counts on from there, and stamps frames with it
    const uint64_t t0 = 1624882449052899830ull;
    b.h.m->ts_load = 1;
    b.h.m->ts_load_ns = t0;
    b.h.step();
    b.h.m->ts_load = 0;
    const uint64_t load_edge = b.h.cycle;  // first posedge counting from t0
    b.h.run(1000);
    b.h.m->eval();
    CHECK(b.h.m->ts_now == t0 + ts_after(1000));
    b.src.push(Bytes(30, 7));
    REQUIRE(b.h.run_until_idle(1000));
    REQUIRE(b.sink.frames.size() == 1);
    CHECK(b.sink.frames[0].sb[0] == t0 + ts_after(b.src.accepted()[0].first_cycle - load_edge));
}

TEST_CASE("timestamper: latency stated in the module header") {
    Bench b(profiles()[0]);
    b.src.push(Bytes(100, 1));
    REQUIRE(b.h.run_until_idle(1000));
    REQUIRE(b.sink.frames.size() == 1);
    CHECK(b.sink.frames[0].first_cycle - b.src.accepted()[0].first_cycle == 1u);
    CHECK(b.sink.frames[0].last_cycle - b.src.accepted()[0].last_cycle == 1u);
}
