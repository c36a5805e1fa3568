/* The initrd (boot module 0, a ustar archive) as a read-only file store for the kernel. */
#ifndef LOADER_INITRD_H
#define LOADER_INITRD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The contents of regular file `path` in the initrd. Returns MN_ERR_OK,
 * MN_ERR_NOT_FOUND (no initrd, or no such file), MN_ERR_WRONG_TYPE or
 * MN_ERR_BAD_FORMAT (the archive is malformed).
 */
int initrd_read(const char *path, const void **data, size_t *size);

/* Where the initrd lies in physical memory (false without one). */
bool initrd_region(uint64_t *phys, uint64_t *size);

#endif
