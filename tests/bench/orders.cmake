# Order-entry message encode and decode (host/orders/order_messages.hpp over core/orders_codec.hpp):
# what the session pays per NewOrder sent and per OrderFilled received. Figures: docs/performance.md.
add_executable(bench_orders ${CMAKE_CURRENT_LIST_DIR}/bench_orders.cpp)
target_link_libraries(bench_orders PRIVATE perpwire_core benchmark::benchmark)
