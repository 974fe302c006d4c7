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


// Kept out of line: a rare path that would otherwise crowd the common one's code.
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
#define PW_NOINLINE __attribute__((noinline))
#else
#define PW_NOINLINE
#endif

// Every call inside inlined into the function (the CPU's order path: one body, no call overhead or
// spills of 128-bit values between the checks and the commit; synthesis inlines on its own).
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
#define PW_FLATTEN __attribute__((flatten))
#else
#define PW_FLATTEN
#endif
