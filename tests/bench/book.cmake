# Order book update, impact price and market_step (book + mark/funding) cost per operation
# (core/book.hpp, core/impact_price.hpp, core/mark_funding.hpp). Figures: docs/performance.md.
add_executable(bench_book ${CMAKE_CURRENT_LIST_DIR}/bench_book.cpp)
target_link_libraries(bench_book PRIVATE perpwire_core benchmark::benchmark)
