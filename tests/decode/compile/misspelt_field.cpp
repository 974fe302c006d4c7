// Compiled by ctest, not linked: with PW_MISSPELT the field name is not in the layout and the
// build must stop at PW_FIELD's static_assert; without it the same source must compile (so a
// failure is about the name, not about the file).
#include "core/md_normalize.hpp"

#if defined(PW_MISSPELT)
int64_t trade_price(const uint8_t* body) { return pw::load_field<int64_t, PW_FIELD(pw::md::kTrade, prise)>(body); }
#else
int64_t trade_price(const uint8_t* body) { return pw::load_field<int64_t, PW_FIELD(pw::md::kTrade, price)>(body); }
#endif
