/* numeric.h - bit-exact float and integer helpers for the interpreter.
 *
 * No libm: rounding functions work on the IEEE-754 representation or through
 * exact conversions, min/max follow the Wasm rules for NaN and signed zeros,
 * and NaN results are made quiet (x + x) as the spec's "arithmetic NaN" asks. */
#ifndef WASM_NUMERIC_H
#define WASM_NUMERIC_H

#include <stdint.h>

static inline uint32_t f32_bits(float f)
{
    uint32_t u;
    __builtin_memcpy(&u, &f, 4);
    return u;
}
static inline float f32_from(uint32_t u)
{
    float f;
    __builtin_memcpy(&f, &u, 4);
    return f;
}
static inline uint64_t f64_bits(double f)
{
    uint64_t u;
    __builtin_memcpy(&u, &f, 8);
    return u;
}
static inline double f64_from(uint64_t u)
{
    double f;
    __builtin_memcpy(&f, &u, 8);
    return f;
}

static inline float f32_copysign(float a, float b)
{
    return f32_from((f32_bits(a) & 0x7fffffffu) | (f32_bits(b) & 0x80000000u));
}
static inline double f64_copysign(double a, double b)
{
    return f64_from((f64_bits(a) & ~(1ull << 63)) | (f64_bits(b) & (1ull << 63)));
}

/* |x| < 2^23 (f32) / 2^52 (f64): fraction bits present; else x is integral. */
static inline float f32_trunc(float x)
{
    if (x != x)
        return x + x;
    if (!(__builtin_fabsf(x) < 8388608.0f))
        return x;
    return f32_copysign((float)(int32_t)x, x);
}
static inline double f64_trunc(double x)
{
    if (x != x)
        return x + x;
    if (!(__builtin_fabs(x) < 4503599627370496.0))
        return x;
    return f64_copysign((double)(int64_t)x, x);
}
static inline float f32_floor(float x)
{
    float t = f32_trunc(x);
    if (t > x)
        t -= 1.0f;
    return t;
}
static inline double f64_floor(double x)
{
    double t = f64_trunc(x);
    if (t > x)
        t -= 1.0;
    return t;
}
static inline float f32_ceil(float x)
{
    float t = f32_trunc(x);
    if (t < x)
        t = f32_copysign(t + 1.0f, x);
    return t;
}
static inline double f64_ceil(double x)
{
    double t = f64_trunc(x);
    if (t < x)
        t = f64_copysign(t + 1.0, x);
    return t;
}
/* Round to nearest, ties to even: adding and subtracting 2^23 (2^52) makes
 * the FPU round in its default mode. */
static inline float f32_nearest(float x)
{
    float a;
    if (x != x)
        return x + x;
    a = __builtin_fabsf(x);
    if (!(a < 8388608.0f))
        return x;
    {
        volatile float big = 8388608.0f;
        a = (a + big) - big;
    }
    return f32_copysign(a, x);
}
static inline double f64_nearest(double x)
{
    double a;
    if (x != x)
        return x + x;
    a = __builtin_fabs(x);
    if (!(a < 4503599627370496.0))
        return x;
    {
        volatile double big = 4503599627370496.0;
        a = (a + big) - big;
    }
    return f64_copysign(a, x);
}
static inline float f32_min(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return f32_from(f32_bits(a) | f32_bits(b));
    return a < b ? a : b;
}
static inline float f32_max(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return f32_from(f32_bits(a) & f32_bits(b));
    return a > b ? a : b;
}
static inline double f64_min(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return f64_from(f64_bits(a) | f64_bits(b));
    return a < b ? a : b;
}
static inline double f64_max(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return f64_from(f64_bits(a) & f64_bits(b));
    return a > b ? a : b;
}

static inline uint32_t popcnt64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (uint32_t)((x * 0x0101010101010101ull) >> 56);
}
static inline uint32_t rotl32(uint32_t x, uint32_t n)
{
    n &= 31;
    return (x << n) | (x >> ((32 - n) & 31));
}
static inline uint32_t rotr32(uint32_t x, uint32_t n)
{
    n &= 31;
    return (x >> n) | (x << ((32 - n) & 31));
}
static inline uint64_t rotl64(uint64_t x, uint64_t n)
{
    n &= 63;
    return (x << n) | (x >> ((64 - n) & 63));
}
static inline uint64_t rotr64(uint64_t x, uint64_t n)
{
    n &= 63;
    return (x >> n) | (x << ((64 - n) & 63));
}

#endif
