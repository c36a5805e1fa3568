/*
 * libFuzzer target for TarFS (lib/tarfs/). The input is the archive; an
 * accepted archive is listed, every entry looked up by its path, and every
 * data byte read, so ASan sees any access outside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tarfs/tarfs.h"

/* A broken promise of the parser: say which, then crash so libFuzzer keeps the input. */
#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "invariant broken: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            __builtin_trap(); \
        } \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarfs_t fs;
    tarfs_error_info_t err;
    if (tarfs_open(&fs, data, size, &err) != MN_ERR_OK) {
        CHECK(err.code > TARFS_ERR_OK && err.code < TARFS_ERR_COUNT && err.offset <= size);
        return 0;
    }
    CHECK(fs.end <= size && size - fs.end >= TARFS_BLOCK);
    tarfs_entry_t e, found;
    size_t cursor = 0;
    uint32_t n = 0;
    while (tarfs_next(&fs, &cursor, &e) == MN_ERR_OK) {
        n++;
        CHECK(strlen(e.path) < TARFS_PATH_MAX);
        const uint8_t *d = e.data;
        CHECK(d >= data && (size_t)(d - data) <= size && e.size <= size - (size_t)(d - data));
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < e.size; i++)
            sink ^= d[i];
        (void)sink;
        CHECK(tarfs_find(&fs, e.path, &found) == MN_ERR_OK && strcmp(found.path, e.path) == 0);
        CHECK(found.offset >= e.offset); /* the last copy of a path wins */
    }
    CHECK(n == fs.count);
    const void *p;
    size_t len;
    (void)tarfs_read(&fs, "init", &p, &len);
    (void)tarfs_read(&fs, "./etc/release", &p, &len);
    return 0;
}
