/*
 * TarFS (see tarfs.h). Every header is parsed by one function that checks
 * it completely; tarfs_open runs it over the whole archive, and the lookups
 * run it again, so they too never trust a byte they have not checked.
 */
#include "tarfs.h"

/* ustar header layout: offsets and widths of the fields used. */
enum {
    H_NAME = 0,
    H_NAME_LEN = 100,
    H_MODE = 100,
    H_MODE_LEN = 8,
    H_SIZE = 124,
    H_SIZE_LEN = 12,
    H_CHKSUM = 148,
    H_CHKSUM_LEN = 8,
    H_TYPE = 156,
    H_MAGIC = 257,
    H_VERSION = 263,
    H_PREFIX = 345,
    H_PREFIX_LEN = 155,
};

static const char *const messages[] = {
#define TARFS_ERROR_MSG_(name, msg) msg,
    TARFS_ERROR_TABLE(TARFS_ERROR_MSG_)
#undef TARFS_ERROR_MSG_
};

const char *tarfs_error_message(enum tarfs_error code)
{
    if ((unsigned)code >= TARFS_ERR_COUNT)
        return "unknown tarfs error";
    return messages[code];
}

/*
 * Parses an octal field of `len` bytes: optional leading spaces, at least
 * one digit, then only NUL or space to the end of the field. False for
 * anything else (including GNU's base-256 form and values over 2^63).
 */
static bool parse_octal(const uint8_t *f, size_t len, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < len && f[i] == ' ')
        i++;
    size_t digits = 0;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
        if (v >> 60)
            return false;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    if (digits == 0)
        return false;
    for (; i < len; i++)
        if (f[i] != 0 && f[i] != ' ')
            return false;
    *out = v;
    return true;
}

static bool all_zero(const uint8_t *b)
{
    for (unsigned i = 0; i < TARFS_BLOCK; i++)
        if (b[i])
            return false;
    return true;
}

static bool checksum_ok(const uint8_t *h)
{
    uint64_t want;
    if (!parse_octal(h + H_CHKSUM, H_CHKSUM_LEN, &want))
        return false;
    uint64_t sum = 0;
    int64_t ssum = 0; /* some old tars summed signed chars */
    for (unsigned i = 0; i < TARFS_BLOCK; i++) {
        uint8_t c = (i >= H_CHKSUM && i < H_CHKSUM + H_CHKSUM_LEN) ? ' ' : h[i];
        sum += c;
        ssum += (int8_t)c;
    }
    return sum == want || (uint64_t)ssum == want;
}

/* Appends field f[0..strnlen(f, len)) to out at *n; false on a control character. */
static bool append_field(char *out, size_t *n, const uint8_t *f, size_t len)
{
    for (size_t i = 0; i < len && f[i]; i++) {
        if (f[i] < 0x20 || f[i] == 0x7F)
            return false;
        out[(*n)++] = (char)f[i];
    }
    return true;
}

/*
 * Normalizes path[0..n) in place: drops leading "./" and "/" (repeatedly),
 * a lone ".", and trailing "/". Returns the new length.
 */
static size_t normalize(char *path, size_t n)
{
    size_t start = 0;
    for (;;) {
        if (n - start >= 1 && path[start] == '/')
            start++;
        else if (n - start >= 2 && path[start] == '.' && path[start + 1] == '/')
            start += 2;
        else
            break;
    }
    if (n - start == 1 && path[start] == '.')
        start = n;
    while (n > start && path[n - 1] == '/')
        n--;
    for (size_t i = start; i < n; i++)
        path[i - start] = path[i];
    return n - start;
}

/*
 * Parses the header at `off`. Returns TARFS_ERR_OK with *out filled and
 * *next set to the following header's offset; TARFS_ERR_OK with *next = 0
 * when `off` holds the end-of-archive block; or the problem.
 */
static enum tarfs_error parse_header(const tarfs_t *fs, size_t off, tarfs_entry_t *out, size_t *next)
{
    if (off > fs->size || fs->size - off < TARFS_BLOCK)
        return TARFS_ERR_TRUNCATED;
    const uint8_t *h = fs->base + off;
    if (all_zero(h)) {
        *next = 0;
        return TARFS_ERR_OK;
    }
    if (!checksum_ok(h))
        return TARFS_ERR_CHECKSUM;
    static const char magic[8] = {'u', 's', 't', 'a', 'r', 0, '0', '0'};
    for (unsigned i = 0; i < 8; i++)
        if (h[H_MAGIC + i] != (uint8_t)magic[i])
            return TARFS_ERR_MAGIC;
    uint64_t size, mode;
    if (!parse_octal(h + H_SIZE, H_SIZE_LEN, &size) || !parse_octal(h + H_MODE, H_MODE_LEN, &mode))
        return TARFS_ERR_NUMBER;
    char type = (char)h[H_TYPE];
    if (type == 0)
        type = TARFS_FILE;
    if (type < TARFS_FILE || type > TARFS_CONTIGUOUS)
        return TARFS_ERR_TYPE;

    size_t n = 0;
    if (h[H_PREFIX]) {
        if (!append_field(out->path, &n, h + H_PREFIX, H_PREFIX_LEN))
            return TARFS_ERR_NAME;
        out->path[n++] = '/';
    }
    if (!h[H_NAME] || !append_field(out->path, &n, h + H_NAME, H_NAME_LEN))
        return TARFS_ERR_NAME;
    n = normalize(out->path, n);
    out->path[n] = 0;
    if (n == 0 && type != TARFS_DIR)
        return TARFS_ERR_NAME;

    size_t data_off = off + TARFS_BLOCK;
    if (size > fs->size - data_off)
        return TARFS_ERR_DATA_PAST_END;
    /* size <= fs->size - data_off, so neither sum below can overflow by more than a block's padding. */
    size_t padded = (size_t)size + ((TARFS_BLOCK - (size_t)size % TARFS_BLOCK) % TARFS_BLOCK);
    out->type = type;
    out->mode = (uint32_t)(mode & 07777);
    out->data = fs->base + data_off;
    out->size = (size_t)size;
    out->offset = off;
    *next = data_off + padded;
    if (*next < data_off) /* only when the buffer ends within a block of SIZE_MAX */
        return TARFS_ERR_DATA_PAST_END;
    return TARFS_ERR_OK;
}

int tarfs_open(tarfs_t *fs, const void *buf, size_t size, tarfs_error_info_t *err)
{
    tarfs_t t = {buf, buf ? size : 0, 0, 0};
    tarfs_entry_t e;
    size_t off = 0;
    for (;;) {
        size_t next;
        enum tarfs_error code = parse_header(&t, off, &e, &next);
        if (code != TARFS_ERR_OK) {
            if (err) {
                err->code = code;
                err->offset = off < t.size ? off : t.size; /* a missing header is "at the end" */
            }
            return MN_ERR_BAD_FORMAT;
        }
        if (next == 0)
            break;
        t.count++;
        off = next;
    }
    t.end = off;
    *fs = t;
    if (err) {
        err->code = TARFS_ERR_OK;
        err->offset = off;
    }
    return MN_ERR_OK;
}

int tarfs_next(const tarfs_t *fs, size_t *cursor, tarfs_entry_t *out)
{
    size_t next;
    if (*cursor >= fs->end)
        return MN_ERR_NOT_FOUND;
    if (parse_header(fs, *cursor, out, &next) != TARFS_ERR_OK || next == 0)
        return MN_ERR_NOT_FOUND; /* not reached for an archive tarfs_open accepted */
    *cursor = next;
    return MN_ERR_OK;
}

/* True when the normalized entry path equals `want` (already normalized, length wn). */
static bool path_equal(const char *a, const char *want, size_t wn)
{
    for (size_t i = 0; i < wn; i++)
        if (a[i] != want[i])
            return false;
    return a[wn] == 0;
}

int tarfs_find(const tarfs_t *fs, const char *path, tarfs_entry_t *out)
{
    if (!path)
        return MN_ERR_BAD_ARG;
    char want[TARFS_PATH_MAX];
    size_t n = 0;
    while (path[n]) {
        if (n + 1 >= TARFS_PATH_MAX)
            return MN_ERR_NOT_FOUND; /* longer than any stored path */
        want[n] = path[n];
        n++;
    }
    n = normalize(want, n);
    want[n] = 0;

    tarfs_entry_t e;
    size_t cursor = 0;
    bool found = false;
    while (tarfs_next(fs, &cursor, &e) == MN_ERR_OK) {
        if (path_equal(e.path, want, n)) {
            *out = e;
            found = true;
        }
    }
    return found ? MN_ERR_OK : MN_ERR_NOT_FOUND;
}

int tarfs_read(const tarfs_t *fs, const char *path, const void **data, size_t *size)
{
    tarfs_entry_t e;
    int rc = tarfs_find(fs, path, &e);
    if (rc != MN_ERR_OK)
        return rc;
    if (e.type != TARFS_FILE && e.type != TARFS_CONTIGUOUS)
        return MN_ERR_WRONG_TYPE;
    *data = e.data;
    *size = e.size;
    return MN_ERR_OK;
}
