# Tick to trade: the built-in session through the whole software path of `perpwire run`.
add_executable(bench_tick_to_trade ${CMAKE_CURRENT_LIST_DIR}/bench_tick_to_trade.cpp)
target_link_libraries(bench_tick_to_trade PRIVATE perpwire_app benchmark::benchmark)
target_compile_definitions(bench_tick_to_trade PRIVATE PERPWIRE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
