// Vitis reads `#pragma HLS`; GCC warns on it under -Wall, so core headers spell it
// PW_HLS_PRAGMA(HLS ...), which only synthesis expands.
#pragma once

#if defined(__SYNTHESIS__)
#define PW_HLS_PRAGMA(x) _Pragma(#x)
#else
#define PW_HLS_PRAGMA(x)
#endif

// Inlining the fast path into its caller (the CPU's order path; synthesis inlines on its own).
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
#define PW_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PW_ALWAYS_INLINE inline
#endif

// A read the slow path issues ahead of the order path's need (the CPU's caches; nothing on the
// card, where every memory answers in a fixed number of clocks).
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
#define PW_PREFETCH_WRITE(addr) __builtin_prefetch((addr), 1, 3)
#else
#define PW_PREFETCH_WRITE(addr) ((void)0)
#endif
