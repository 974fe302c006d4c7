# Pre-trade risk check latency distribution (core/risk_engine.hpp).
add_executable(bench_risk ${CMAKE_CURRENT_LIST_DIR}/bench_risk.cpp)
target_link_libraries(bench_risk PRIVATE perpwire_core benchmark::benchmark)
