// Helpers shared by the testbenches: traffic profiles and frame-list comparison.
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "axis_driver.hpp"
#include "tb_frames.hpp"

namespace pw_sim {

// Input idle probability / output stall probability; every module runs under each of these.
struct Profile {
    const char* name;
    double idle;
    double stall;
    uint64_t seed;
};
inline const std::vector<Profile>& profiles() {
    static const std::vector<Profile> p = {
        {"back-to-back", 0.0, 0.0, 11},
        {"light gaps", 0.2, 0.2, 23},
        {"heavy gaps", 0.6, 0.5, 37},
        {"heavy backpressure", 0.1, 0.85, 41},
    };
    return p;
}

inline std::string hex(const Bytes& b, size_t max = 96) {
    std::ostringstream o;
    for (size_t i = 0; i < b.size() && i < max; ++i) {
        char t[4];
        std::snprintf(t, sizeof t, "%02x", b[i]);
        o << t;
    }
    if (b.size() > max) o << "...";
    return o.str();
}

inline void check_sink_protocol(const AxisSink& s) {
    for (const auto& e : s.errors) FAIL_CHECK("AXI-Stream protocol: " << e);
}

}  // namespace pw_sim
