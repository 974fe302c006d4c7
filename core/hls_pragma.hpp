// Vitis reads `#pragma HLS`; GCC warns on it under -Wall, so core headers spell it
// PW_HLS_PRAGMA(HLS ...), which only synthesis expands.
#pragma once

#if defined(__SYNTHESIS__)
#define PW_HLS_PRAGMA(x) _Pragma(#x)
#else
#define PW_HLS_PRAGMA(x)
#endif
