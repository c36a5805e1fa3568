/*
 * TarFS (lib/tarfs/): archives written by GNU tar at build time
 * (tests/host/test_tarfs.mk), every truncation of them, single-byte
 * corruptions, hand-built headers with one defect each, and random
 * mutations, all under ASan: nothing may be read outside the buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_test.h"
#include "tarfs/tarfs.h"

extern const unsigned char tarfs_sample[], tarfs_plain[];
extern const unsigned long tarfs_sample_len, tarfs_plain_len;

#define LONG_DIR "very/long/directory/name/that/keeps/going/and/going/past/the/hundred/byte/ustar/name/field"

static tarfs_t fs;
static tarfs_error_info_t err;

/* Opens an exact-size heap copy (so ASan catches any overread) and returns the tarfs error code. */
static enum tarfs_error open_copy(const void *buf, size_t len, uint8_t **copy_out)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, buf, len);
    memset(&err, 0xAA, sizeof err);
    int rc = tarfs_open(&fs, copy, len, &err);
    if ((rc == MN_ERR_OK) != (err.code == TARFS_ERR_OK)) {
        free(copy);
        return TARFS_ERR_COUNT;
    }
    if (copy_out)
        *copy_out = copy;
    else
        free(copy);
    return err.code;
}

/* Walks every entry of an opened archive and checks each one's data lies inside the buffer. */
static int entries_in_bounds(const uint8_t *buf, size_t len)
{
    tarfs_entry_t e;
    size_t cursor = 0;
    uint32_t n = 0;
    while (tarfs_next(&fs, &cursor, &e) == MN_ERR_OK) {
        const uint8_t *d = e.data;
        if (d < buf || d > buf + len || e.size > (size_t)(buf + len - d) || strlen(e.path) >= TARFS_PATH_MAX)
            return 0;
        n++;
    }
    return n == fs.count;
}

/* ---- hand-built archives ------------------------------------------------- */

static uint8_t arch[8 * 512];

static void set_checksum(uint8_t *h)
{
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

/* One header at block `blk` for `name` with `size` data bytes of type `type`; returns the header. */
static uint8_t *header(int blk, const char *name, unsigned size, char type)
{
    uint8_t *h = arch + 512 * blk;
    memset(h, 0, 512);
    memcpy(h, name, strnlen(name, 100));
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    snprintf((char *)h + 124, 12, "%011o", size);
    memcpy(h + 136, "00000000000", 12);
    h[156] = (uint8_t)type;
    memcpy(h + 257,
           "ustar\0"
           "00",
           8);
    set_checksum(h);
    return h;
}

/* A one-file archive: header, one data block "hello", two zero blocks. */
static void build_one(const char *name)
{
    memset(arch, 0, sizeof arch);
    header(0, name, 5, '0');
    memcpy(arch + 512, "hello", 5);
}

int main(void)
{
    HT_BEGIN("tarfs");

    HT_CASE("gnu-tar-archive")
    {
        HT_CHECK(tarfs_open(&fs, tarfs_sample, tarfs_sample_len, &err) == MN_ERR_OK, "open: %s at %zu",
                 tarfs_error_message(err.code), err.offset);
        HT_CHECK(fs.count == 25, "25 entries, got %u", fs.count);
        const void *data;
        size_t size;
        static const char *const spellings[] = {"etc/release", "./etc/release", "/etc/release", "././etc/release"};
        for (int i = 0; i < 4; i++)
            HT_CHECK(tarfs_read(&fs, spellings[i], &data, &size) == MN_ERR_OK && size == 15 &&
                         memcmp(data, "MinimalOS test\n", 15) == 0,
                     "read %s", spellings[i]);
        HT_CHECK(tarfs_read(&fs, "bin/init", &data, &size) == MN_ERR_OK && size == 1500 &&
                     ((const char *)data)[1499] == 'x',
                 "1500-byte file");
        HT_CHECK(tarfs_read(&fs, "etc/empty", &data, &size) == MN_ERR_OK && size == 0, "empty file");
        HT_CHECK(tarfs_read(&fs, LONG_DIR "/file.txt", &data, &size) == MN_ERR_OK && size == 10 &&
                     memcmp(data, "deep file\n", 10) == 0,
                 "path over 100 bytes (prefix field)");
        tarfs_entry_t e;
        HT_CHECK(tarfs_find(&fs, "etc/", &e) == MN_ERR_OK && e.type == TARFS_DIR && strcmp(e.path, "etc") == 0,
                 "directory with trailing slash");
        HT_CHECK(tarfs_find(&fs, ".", &e) == MN_ERR_OK && e.type == TARFS_DIR && e.path[0] == 0, "root as .");
        HT_CHECK(tarfs_find(&fs, "/", &e) == MN_ERR_OK && e.type == TARFS_DIR, "root as /");
        HT_CHECK(tarfs_find(&fs, "bin/release-link", &e) == MN_ERR_OK && e.type == TARFS_SYMLINK, "symlink");
        HT_CHECK(tarfs_read(&fs, "etc", &data, &size) == MN_ERR_WRONG_TYPE, "read of a directory");
        HT_CHECK(tarfs_find(&fs, "etc/releas", &e) == MN_ERR_NOT_FOUND, "prefix of a name");
        HT_CHECK(tarfs_find(&fs, "etc/release/x", &e) == MN_ERR_NOT_FOUND, "longer than a name");
        HT_CHECK(tarfs_find(&fs, "nothing", &e) == MN_ERR_NOT_FOUND, "missing");
        HT_CHECK(tarfs_find(&fs, NULL, &e) == MN_ERR_BAD_ARG, "NULL path");
        char huge[600];
        memset(huge, 'a', sizeof huge - 1);
        huge[sizeof huge - 1] = 0;
        HT_CHECK(tarfs_find(&fs, huge, &e) == MN_ERR_NOT_FOUND, "599-byte query");
        HT_CHECK(entries_in_bounds(tarfs_sample, tarfs_sample_len), "listing");
        size_t cursor = 0;
        HT_CHECK(tarfs_next(&fs, &cursor, &e) == MN_ERR_OK && e.path[0] == 0 && e.offset == 0, "first is ./");
        HT_CHECK(tarfs_next(&fs, &cursor, &e) == MN_ERR_OK && strcmp(e.path, "bin") == 0, "then bin");

        HT_CHECK(tarfs_open(&fs, tarfs_plain, tarfs_plain_len, &err) == MN_ERR_OK && fs.count == 6,
                 "archive without ./ names: %u", fs.count);
        HT_CHECK(tarfs_read(&fs, "./bin/init", &data, &size) == MN_ERR_OK && size == 1500, "./ query, plain names");
    }

    HT_CASE("every-truncation")
    {
        tarfs_open(&fs, tarfs_sample, tarfs_sample_len, &err);
        size_t need = fs.end + 512;
        int bad = 0;
        for (size_t len = 0; len <= tarfs_sample_len && !bad; len++) {
            enum tarfs_error e = open_copy(tarfs_sample, len, NULL);
            int ok = len >= need;
            if ((e == TARFS_ERR_OK) != ok || (!ok && e != TARFS_ERR_TRUNCATED && e != TARFS_ERR_DATA_PAST_END)) {
                HT_CHECK(0, "length %zu: %s", len, tarfs_error_message(e));
                bad = 1;
            }
        }
        HT_CHECK(tarfs_open(&fs, NULL, 1000, &err) == MN_ERR_BAD_FORMAT && err.code == TARFS_ERR_TRUNCATED, "NULL");
    }

    HT_CASE("every-byte-of-a-header")
    {
        /* Changing any byte outside the checksum field breaks the checksum. */
        tarfs_open(&fs, tarfs_sample, tarfs_sample_len, &err);
        tarfs_entry_t e;
        tarfs_find(&fs, "etc/release", &e);
        size_t h = e.offset;
        uint8_t *copy = malloc(tarfs_sample_len);
        int bad = 0;
        for (size_t i = 0; i < 512 && !bad; i++) {
            for (int delta = 1; delta < 256 && !bad; delta += 37) {
                memcpy(copy, tarfs_sample, tarfs_sample_len);
                copy[h + i] = (uint8_t)(copy[h + i] + delta);
                memset(&err, 0, sizeof err);
                int rc = tarfs_open(&fs, copy, tarfs_sample_len, &err);
                int in_chksum = i >= 148 && i < 156;
                if ((!in_chksum && (rc != MN_ERR_BAD_FORMAT || err.code != TARFS_ERR_CHECKSUM || err.offset != h)) ||
                    (rc == MN_ERR_OK && !entries_in_bounds(copy, tarfs_sample_len))) {
                    HT_CHECK(0, "byte %zu +%d: rc %d, %s", i, delta, rc, tarfs_error_message(err.code));
                    bad = 1;
                }
            }
        }
        free(copy);
    }

    HT_CASE("defects")
    {
#define DEFECT(what, change, want) \
    do { \
        build_one("file.txt"); \
        uint8_t *h = arch; \
        (void)h; \
        change; \
        enum tarfs_error e_ = open_copy(arch, sizeof arch, NULL); \
        HT_CHECK(e_ == (want), "%s: got \"%s\", want \"%s\"", what, tarfs_error_message(e_), \
                 tarfs_error_message(want)); \
    } while (0)
        DEFECT("valid", (void)0, TARFS_ERR_OK);
        DEFECT("bad checksum", h[0] = 'g', TARFS_ERR_CHECKSUM);
        DEFECT("checksum not octal", (memcpy(h + 148, "12345678", 8)), TARFS_ERR_CHECKSUM);
        DEFECT("checksum empty", (memset(h + 148, ' ', 8)), TARFS_ERR_CHECKSUM);
        DEFECT("GNU magic", (memcpy(h + 257, "ustar  \0", 8), set_checksum(h)), TARFS_ERR_MAGIC);
        DEFECT("version 01", (h[264] = '1', set_checksum(h)), TARFS_ERR_MAGIC);
        DEFECT("size not octal", (h[130] = '9', set_checksum(h)), TARFS_ERR_NUMBER);
        DEFECT("size base-256", (h[124] = 0x80, set_checksum(h)), TARFS_ERR_NUMBER);
        DEFECT("size no digits", (memset(h + 124, ' ', 12), set_checksum(h)), TARFS_ERR_NUMBER);
        DEFECT("size garbage after", (h[135] = 'x', set_checksum(h)), TARFS_ERR_NUMBER);
        DEFECT("size huge", (memcpy(h + 124, "77777777777", 11), set_checksum(h)), TARFS_ERR_DATA_PAST_END);
        DEFECT("size past end", (memcpy(h + 124, "00000010000", 11), set_checksum(h)), TARFS_ERR_DATA_PAST_END);
        DEFECT("mode not octal", (h[100] = 'z', set_checksum(h)), TARFS_ERR_NUMBER);
        DEFECT("empty name", (memset(h, 0, 100), set_checksum(h)), TARFS_ERR_NAME);
        DEFECT("name \"./\" for a file", (memcpy(h, "./\0", 3), set_checksum(h)), TARFS_ERR_NAME);
        DEFECT("control character", (h[2] = '\n', set_checksum(h)), TARFS_ERR_NAME);
        DEFECT("control character in prefix", (memcpy(h + 345, "a\x01", 2), set_checksum(h)), TARFS_ERR_NAME);
        DEFECT("GNU long name", (h[156] = 'L', set_checksum(h)), TARFS_ERR_TYPE);
        DEFECT("pax header", (h[156] = 'x', set_checksum(h)), TARFS_ERR_TYPE);
        DEFECT("second header garbage", (memset(arch + 1024, 'A', 512)), TARFS_ERR_CHECKSUM);

        build_one("file.txt");
        HT_CHECK(open_copy(arch, 1024, NULL) == TARFS_ERR_TRUNCATED, "no end-of-archive block");
        HT_CHECK(open_copy(arch, 1024 + 511, NULL) == TARFS_ERR_TRUNCATED, "partial end block");
        HT_CHECK(open_copy(arch, 1024 + 512, NULL) == TARFS_ERR_OK, "one end block is enough");
        HT_CHECK(open_copy(arch, 1000, NULL) == TARFS_ERR_DATA_PAST_END ||
                     open_copy(arch, 1000, NULL) == TARFS_ERR_TRUNCATED,
                 "cut inside the data padding");

        /* Full-width fields without a NUL are valid ustar. */
        char name100[101], prefix155[156], want[257];
        memset(name100, 'n', 100);
        name100[100] = 0;
        memset(prefix155, 'p', 155);
        prefix155[155] = 0;
        build_one(name100);
        memcpy(arch + 345, prefix155, 155);
        set_checksum(arch);
        HT_CHECK(open_copy(arch, sizeof arch, NULL) == TARFS_ERR_OK, "full-width name and prefix");
        snprintf(want, sizeof want, "%s/%s", prefix155, name100);
        tarfs_entry_t e;
        uint8_t *copy;
        open_copy(arch, sizeof arch, &copy);
        HT_CHECK(tarfs_find(&fs, want, &e) == MN_ERR_OK && strlen(e.path) == 256 && e.size == 5, "256-byte path");
        free(copy);

        /* Duplicates: the last copy wins. Typeflag NUL is a regular file. */
        memset(arch, 0, sizeof arch);
        header(0, "./dup", 1, '0');
        arch[512] = '1';
        header(2, "dup", 1, '\0');
        arch[3 * 512] = '2';
        const void *data;
        size_t size;
        HT_CHECK(open_copy(arch, sizeof arch, &copy) == TARFS_ERR_OK && fs.count == 2, "two entries");
        HT_CHECK(tarfs_read(&fs, "dup", &data, &size) == MN_ERR_OK && *(const char *)data == '2', "last wins");
        free(copy);
    }

    HT_CASE("random-mutations")
    {
        uint64_t s = 0x243F6A8885A308D3ull;
        uint8_t *copy = malloc(tarfs_sample_len);
        int opened = 0, bad = 0;
        for (int iter = 0; iter < 3000 && !bad; iter++) {
            memcpy(copy, tarfs_sample, tarfs_sample_len);
            int flips = 1 + iter % 8;
            for (int k = 0; k < flips; k++) {
                s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                size_t at = (size_t)(s % tarfs_sample_len);
                copy[at] = (uint8_t)(s >> 32);
                /* Half the time, repair the checksum of the header we hit so later checks run. */
                if (iter % 2 == 0)
                    set_checksum(copy + at / 512 * 512);
            }
            if (tarfs_open(&fs, copy, tarfs_sample_len, &err) == MN_ERR_OK) {
                opened++;
                if (!entries_in_bounds(copy, tarfs_sample_len))
                    bad = 1;
                tarfs_entry_t e;
                tarfs_find(&fs, "etc/release", &e);
            }
        }
        HT_CHECK(!bad, "an accepted archive listed data outside the buffer");
        printf("  3000 mutated archives, %d still valid\n", opened);
        free(copy);
    }

    HT_CASE("bug-error-offset-past-buffer")
    {
        /* Found by fuzz_tarfs: with the data's padding cut off, the missing next header was reported at an
         * offset past the end of the buffer. It is now reported at the buffer's end. */
        build_one("file.txt");
        HT_CHECK(open_copy(arch, 600, NULL) == TARFS_ERR_TRUNCATED && err.offset == 600, "offset %zu", err.offset);
    }

    HT_CASE("messages")
    {
        for (int c = 0; c < TARFS_ERR_COUNT; c++)
            HT_CHECK(tarfs_error_message(c)[0] != 0, "message %d", c);
        HT_CHECK(strcmp(tarfs_error_message(TARFS_ERR_COUNT), "unknown tarfs error") == 0, "out of range");
    }
    return HT_END();
}
