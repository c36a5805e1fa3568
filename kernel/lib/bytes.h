/*
 * Unaligned little-endian reads from untrusted byte buffers (boot info, ACPI
 * tables). The caller has already checked that the bytes are in bounds.
 */
#ifndef LIB_BYTES_H
#define LIB_BYTES_H

#include <stdint.h>

static inline uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    __builtin_memcpy(&v, p, 2);
    return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
}

#endif
