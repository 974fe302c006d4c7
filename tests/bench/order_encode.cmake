# An order handed to the session over each order-entry protocol — encode + write to the loopback
# socket — Orders SBE against FIX 4.4 on QuickFIX (host/fix/). Figures: docs/performance.md.
add_executable(bench_order_encode ${CMAKE_CURRENT_LIST_DIR}/bench_order_encode.cpp)
target_link_libraries(bench_order_encode PRIVATE perpwire_host benchmark::benchmark)
target_compile_definitions(bench_order_encode PRIVATE PERPWIRE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
