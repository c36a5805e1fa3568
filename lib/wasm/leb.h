/* leb.h - a bounds-checked reader of the WebAssembly binary format.
 *
 * Every read checks the end of the buffer; LEB128 reads enforce the spec's
 * maximum length and the rule that unused bits of the last byte are zero (or
 * sign bits).  On failure the reader records one error with its position and
 * returns false; callers simply propagate false. */
#ifndef WASM_LEB_H
#define WASM_LEB_H

#include "internal.h"

typedef struct wasm_reader {
    const uint8_t *start; /* beginning of the module: offsets are from here */
    const uint8_t *p, *end;
    wasm_error_t *err;
    const char *section; /* name for messages, e.g. "code section" */
    int64_t func; /* function index, or -1 */
    bool failed;
    int code; /* WASM_E_... of the recorded error */
} wasm_reader_t;

/* Records an error ("<section>, function N, offset 0xX: <msg>") unless one is
 * already recorded.  code is WASM_E_MALFORMED, WASM_E_INVALID ...  Returns false. */
bool wasm_fail(wasm_reader_t *r, int code, const char *fmt, ...);

#define MALFORMED(r, ...) wasm_fail((r), WASM_E_MALFORMED, __VA_ARGS__)
#define INVALID(r, ...) wasm_fail((r), WASM_E_INVALID, __VA_ARGS__)

static inline bool rd_u8(wasm_reader_t *r, uint8_t *v)
{
    *v = 0;
    if (r->p >= r->end)
        return MALFORMED(r, "unexpected end");
    *v = *r->p++;
    return true;
}

static inline bool rd_bytes(wasm_reader_t *r, uint32_t n, const uint8_t **out)
{
    *out = r->p;
    if ((size_t)(r->end - r->p) < n)
        return MALFORMED(r, "unexpected end");
    *out = r->p;
    r->p += n;
    return true;
}

static inline bool rd_uleb(wasm_reader_t *r, unsigned bits, uint64_t *v)
{
    uint64_t result = 0;
    unsigned shift = 0;
    *v = 0;
    for (;;) {
        uint8_t b;
        if (r->p >= r->end)
            return MALFORMED(r, "unexpected end of LEB128 integer");
        b = *r->p++;
        if (shift + 7 >= bits && shift < 64) {
            /* last permitted byte: no continuation, unused bits zero */
            unsigned used = bits - shift;
            if (b & 0x80)
                return MALFORMED(r, "integer representation too long");
            if (used < 7 && (b >> used) != 0)
                return MALFORMED(r, "integer too large");
            result |= (uint64_t)b << shift;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    *v = result;
    return true;
}

static inline bool rd_sleb(wasm_reader_t *r, unsigned bits, int64_t *v)
{
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t b;
    *v = 0;
    for (;;) {
        if (r->p >= r->end)
            return MALFORMED(r, "unexpected end of LEB128 integer");
        b = *r->p++;
        if (shift + 7 >= bits) {
            unsigned used = bits - shift; /* value bits in this byte, incl. sign */
            if (b & 0x80)
                return MALFORMED(r, "integer representation too long");
            if (used < 7) {
                uint8_t rest = (uint8_t)((b & 0x7f) >> (used - 1)); /* sign + unused */
                if (rest != 0 && rest != (0x7f >> (used - 1)))
                    return MALFORMED(r, "integer too large");
            }
            result |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    if (shift < 64 && (b & 0x40))
        result |= ~(uint64_t)0 << shift;
    *v = (int64_t)result;
    return true;
}

static inline bool rd_u32(wasm_reader_t *r, uint32_t *v)
{
    uint64_t x = 0;
    *v = 0;
    if (!rd_uleb(r, 32, &x))
        return false;
    *v = (uint32_t)x;
    return true;
}

static inline bool rd_s32(wasm_reader_t *r, int32_t *v)
{
    int64_t x = 0;
    *v = 0;
    if (!rd_sleb(r, 32, &x))
        return false;
    *v = (int32_t)x;
    return true;
}

static inline bool rd_s64(wasm_reader_t *r, int64_t *v)
{
    return rd_sleb(r, 64, v);
}

static inline uint32_t rd_offset(const wasm_reader_t *r)
{
    return (uint32_t)(r->p - r->start);
}

#endif
