# The id map (core/id_map.hpp): find hit/miss, insert and erase at the book's and the host's sizes.
add_executable(bench_id_map ${CMAKE_CURRENT_LIST_DIR}/bench_id_map.cpp)
target_link_libraries(bench_id_map PRIVATE perpwire_core benchmark::benchmark)
