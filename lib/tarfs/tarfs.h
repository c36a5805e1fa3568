/*
 * TarFS: read-only access to a POSIX ustar archive held in memory (the
 * initrd). Shared by the kernel (which loads init from it) and Ring 3 (init
 * maps the archive and reads it). Freestanding: no allocation, no libc.
 *
 * The archive is untrusted: tarfs_open checks every header (checksum, magic,
 * octal fields, name, type, data bounds) before anything is listed, and no
 * function ever reads outside [buf, buf + size). Paths are normalized the
 * same way for stored names and lookups: the ustar prefix and name joined
 * with '/', leading "./" and "/" removed, a trailing "/" removed; the root
 * directory ("./") is the empty path.
 */
#ifndef TARFS_TARFS_H
#define TARFS_TARFS_H

#include <mnos/errors.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TARFS_BLOCK 512u
/* prefix (155) + '/' + name (100) + NUL */
#define TARFS_PATH_MAX 257u

/* Entry types (the ustar typeflag; '\0' is reported as TARFS_FILE). */
#define TARFS_FILE '0'
#define TARFS_HARDLINK '1'
#define TARFS_SYMLINK '2'
#define TARFS_CHARDEV '3'
#define TARFS_BLOCKDEV '4'
#define TARFS_DIR '5'
#define TARFS_FIFO '6'
#define TARFS_CONTIGUOUS '7'

/* X(NAME, message) */
#define TARFS_ERROR_TABLE(X) \
    X(OK, "valid") \
    X(TRUNCATED, "archive ends inside a header or has no end-of-archive block") \
    X(CHECKSUM, "header checksum mismatch") \
    X(MAGIC, "not a POSIX ustar header (magic/version)") \
    X(NUMBER, "malformed octal field (size, mode or checksum)") \
    X(NAME, "empty name or a name with control characters") \
    X(TYPE, "unsupported entry type") \
    X(DATA_PAST_END, "entry data runs past the end of the archive")

enum tarfs_error {
#define TARFS_ERROR_ENUM_(name, msg) TARFS_ERR_##name,
    TARFS_ERROR_TABLE(TARFS_ERROR_ENUM_)
#undef TARFS_ERROR_ENUM_
        TARFS_ERR_COUNT
};

typedef struct tarfs {
    const uint8_t *base;
    size_t size; /* bytes of the buffer */
    size_t end; /* offset of the end-of-archive block */
    uint32_t count; /* entries */
} tarfs_t;

typedef struct tarfs_entry {
    char path[TARFS_PATH_MAX]; /* normalized, NUL-terminated */
    char type; /* TARFS_* */
    uint32_t mode; /* permission bits */
    const void *data; /* inside the archive buffer */
    size_t size; /* bytes at data */
    size_t offset; /* the header's offset in the archive */
} tarfs_entry_t;

typedef struct tarfs_error_info {
    enum tarfs_error code;
    size_t offset; /* the offending header's offset (the buffer size when it is missing) */
} tarfs_error_info_t;

/*
 * Checks the whole archive buf[0..size) and prepares *fs for the functions
 * below. Returns MN_ERR_OK, or MN_ERR_BAD_FORMAT with the first problem and
 * the offset of its header in *err (if not NULL). Bytes after the
 * end-of-archive block (tar's record padding) are ignored.
 */
int tarfs_open(tarfs_t *fs, const void *buf, size_t size, tarfs_error_info_t *err);

/*
 * Iterates over the entries in archive order. Start with *cursor = 0; each
 * call fills *out and advances *cursor. Returns MN_ERR_OK, or
 * MN_ERR_NOT_FOUND after the last entry.
 */
int tarfs_next(const tarfs_t *fs, size_t *cursor, tarfs_entry_t *out);

/*
 * Finds `path` (normalized as above: "init", "./init" and "/init" are the
 * same). When the archive holds the path more than once the last copy wins,
 * as when tar extracts. Returns MN_ERR_OK with *out filled, MN_ERR_NOT_FOUND,
 * or MN_ERR_BAD_ARG for a NULL path.
 */
int tarfs_find(const tarfs_t *fs, const char *path, tarfs_entry_t *out);

/*
 * The contents of regular file `path`: *data points into the archive and
 * *size is its length. Returns MN_ERR_OK, MN_ERR_NOT_FOUND, or
 * MN_ERR_WRONG_TYPE when the path is not a regular file.
 */
int tarfs_read(const tarfs_t *fs, const char *path, const void **data, size_t *size);

/* The message for an error code. */
const char *tarfs_error_message(enum tarfs_error code);

#endif
