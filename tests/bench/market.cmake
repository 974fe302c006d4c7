add_executable(bench_market ${CMAKE_CURRENT_LIST_DIR}/bench_market.cpp ${CMAKE_CURRENT_LIST_DIR}/session_payloads.cpp)
target_link_libraries(bench_market PRIVATE perpwire_host benchmark::benchmark)
