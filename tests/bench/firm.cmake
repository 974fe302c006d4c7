# The firm-wide limits' network costs on loopback against real nats-server processes: a slice
# grant (revision-checked update), a fill stored in the stream, the firm kill flag reaching three
# hosts. Figures: docs/performance.md.
add_executable(bench_firm ${CMAKE_CURRENT_LIST_DIR}/bench_firm.cpp)
target_link_libraries(bench_firm PRIVATE perpwire_host benchmark::benchmark)
