add_executable(bench_decode ${CMAKE_CURRENT_LIST_DIR}/bench_decode.cpp ${CMAKE_CURRENT_LIST_DIR}/session_payloads.cpp)
target_link_libraries(bench_decode PRIVATE perpwire_host benchmark::benchmark)
