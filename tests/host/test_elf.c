/*
 * The ELF64 validator (kernel/loader/elf.c): real linker output built at
 * test time (tests/test_elf.mk), every truncation of it, and hand-built
 * images with one defect each, every one rejected with its own error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mnos/errors.h>

#include "host_test.h"
#include "loader/elf.h"

extern const unsigned char elf_sample[], elf_sample_nosep[], elf_sample_rwx[];
extern const unsigned long elf_sample_len, elf_sample_nosep_len, elf_sample_rwx_len;

static elf_segment_t segs[ELF_MAX_SEGMENTS];
static elf_image_t img;
static elf_error_info_t err;

/* Parses with default limits; returns the ELF error code (ELF_ERR_OK on success). */
static enum elf_error parse(const void *buf, size_t size)
{
    memset(&err, 0xAA, sizeof err);
    int rc = elf_parse(buf, size, NULL, segs, ELF_MAX_SEGMENTS, &img, &err);
    if ((rc == MN_ERR_OK) != (err.code == ELF_ERR_OK) || (rc != MN_ERR_OK && rc != MN_ERR_BAD_FORMAT))
        return ELF_ERR_COUNT; /* inconsistent result */
    return err.code;
}

/* ---- hand-built images ---------------------------------------------------- */

typedef struct {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} ehdr_t;

typedef struct {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
} phdr_t;

#define IMG_SIZE 0x12000
static uint8_t image[IMG_SIZE + 1];
#define EH ((ehdr_t *)image)
#define PH(i) ((phdr_t *)(image + 64 + 56 * (i)))

enum { PF_X = 1, PF_W = 2, PF_R = 4 };

/*
 * A valid image: n PT_LOAD segments, segment i at file offset 0x1000*(i+1)
 * and address 0x400000 + 0x1000*(i+1), one page of file bytes each, segment
 * 0 R+X (holding the entry), the others R+W with a page of BSS.
 */
static void build(int n)
{
    memset(image, 0, sizeof image);
    memcpy(EH->ident,
           "\x7F"
           "ELF\x02\x01\x01",
           7);
    EH->type = 2;
    EH->machine = 62;
    EH->version = 1;
    EH->entry = 0x401010;
    EH->phoff = 64;
    EH->ehsize = 64;
    EH->phentsize = 56;
    EH->phnum = (uint16_t)n;
    for (int i = 0; i < n; i++) {
        phdr_t *p = PH(i);
        p->type = 1;
        p->flags = i == 0 ? PF_R | PF_X : PF_R | PF_W;
        p->offset = 0x1000ull * (uint64_t)(i + 1);
        p->vaddr = p->paddr = 0x400000 + 0x2000ull * (uint64_t)i + 0x1000;
        p->filesz = 0x1000;
        p->memsz = i == 0 ? 0x1000 : 0x2000;
        p->align = 0x1000;
    }
}

#define BUILT_SIZE(n) (0x1000ull * (uint64_t)((n) + 1))

int main(void)
{
    HT_BEGIN("elf");

    HT_CASE("real-binaries")
    {
        HT_CHECK(parse(elf_sample, elf_sample_len) == ELF_ERR_OK, "sample: %s", elf_error_message(err.code));
        HT_CHECK(img.nsegments == 4 && img.entry >= 0x401000 && img.entry < 0x402000, "4 segments, entry %#lx",
                 (unsigned long)img.entry);
        HT_CHECK(segs[0].vaddr == 0x400000 && segs[0].prot == ELF_PROT_R, "headers R");
        HT_CHECK(segs[1].prot == (ELF_PROT_R | ELF_PROT_X), "text R+X");
        HT_CHECK(segs[3].prot == (ELF_PROT_R | ELF_PROT_W) && segs[3].memsz > segs[3].filesz, "data R+W with BSS");
        HT_CHECK(img.lowest == 0x400000 && img.highest == 0x406000, "extent %#lx-%#lx", (unsigned long)img.lowest,
                 (unsigned long)img.highest);
        HT_CHECK(parse(elf_sample_nosep, elf_sample_nosep_len) == ELF_ERR_OK && img.nsegments == 2,
                 "noseparate-code: %s", elf_error_message(err.code));
        HT_CHECK(parse(elf_sample_rwx, elf_sample_rwx_len) == ELF_ERR_WRITE_EXEC && err.phdr == 0, "-N image: %s",
                 elf_error_message(err.code));
        /* An unaligned copy parses the same. */
        uint8_t *odd = malloc(elf_sample_len + 1);
        memcpy(odd + 1, elf_sample, elf_sample_len);
        HT_CHECK(parse(odd + 1, elf_sample_len) == ELF_ERR_OK && img.nsegments == 4, "unaligned buffer");
        free(odd);
    }

    HT_CASE("every-truncation")
    {
        /* The image needs its header, its program headers and the file bytes of every segment. */
        uint64_t need = 0;
        parse(elf_sample, elf_sample_len);
        for (uint32_t i = 0; i < img.nsegments; i++)
            if (segs[i].offset + segs[i].filesz > need)
                need = segs[i].offset + segs[i].filesz;
        uint64_t phend = 64 + 56 * (uint64_t)((const ehdr_t *)elf_sample)->phnum;
        int bad = 0;
        for (size_t len = 0; len <= elf_sample_len && !bad; len++) {
            uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees any read past it */
            memcpy(copy, elf_sample, len);
            enum elf_error e = parse(copy, len);
            enum elf_error want = len < 64      ? ELF_ERR_TRUNCATED_HEADER
                                  : len < phend ? ELF_ERR_PHDRS_OUTSIDE
                                  : len < need  ? ELF_ERR_SEGMENT_OUTSIDE_FILE
                                                : ELF_ERR_OK;
            free(copy);
            if (e != want) {
                HT_CHECK(0, "length %zu: %s, want %s", len, elf_error_message(e), elf_error_message(want));
                bad = 1;
            }
        }
        HT_CHECK(parse(NULL, 100) == ELF_ERR_TRUNCATED_HEADER, "NULL buffer");
    }

    HT_CASE("header-fields")
    {
        static const struct {
            size_t offset;
            uint8_t value;
            enum elf_error want;
        } cases[] = {
            {0, 0x7E, ELF_ERR_MAGIC},
            {3, 'G', ELF_ERR_MAGIC},
            {4, 1, ELF_ERR_CLASS},
            {5, 2, ELF_ERR_ENDIAN},
            {6, 0, ELF_ERR_IDENT_VERSION},
            {7, 9, ELF_ERR_OSABI},
            {16, 3, ELF_ERR_TYPE},
            {16, 1, ELF_ERR_TYPE},
            {18, 3, ELF_ERR_MACHINE},
            {19, 1, ELF_ERR_MACHINE},
            {20, 2, ELF_ERR_VERSION},
            {52, 63, ELF_ERR_EHSIZE},
            {54, 32, ELF_ERR_PHENTSIZE},
            {56, 0, ELF_ERR_NO_PHDRS},
            {56, 65, ELF_ERR_TOO_MANY_PHDRS},
            {57, 0xFF, ELF_ERR_TOO_MANY_PHDRS},
            {33, 0xFF, ELF_ERR_PHDRS_OUTSIDE},
            {39, 0x80, ELF_ERR_PHDRS_OUTSIDE},
            {25, 0x00, ELF_ERR_ENTRY},
            {27, 0x01, ELF_ERR_ENTRY},
        };
        uint8_t *copy = malloc(elf_sample_len);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            memcpy(copy, elf_sample, elf_sample_len);
            copy[cases[i].offset] = cases[i].value;
            enum elf_error e = parse(copy, elf_sample_len);
            HT_CHECK(e == cases[i].want, "byte %zu = %#x: %s, want %s", cases[i].offset, cases[i].value,
                     elf_error_message(e), elf_error_message(cases[i].want));
        }
        memcpy(copy, elf_sample, elf_sample_len);
        copy[7] = 3; /* ELFOSABI_GNU is fine */
        HT_CHECK(parse(copy, elf_sample_len) == ELF_ERR_OK, "GNU OS ABI");
        free(copy);
    }

    HT_CASE("segment-defects")
    {
        build(3);
        HT_CHECK(parse(image, BUILT_SIZE(3)) == ELF_ERR_OK && img.nsegments == 3, "built image valid: %s",
                 elf_error_message(err.code));
#define DEFECT(what, n, change, want_code, want_phdr) \
    do { \
        build(n); \
        change; \
        enum elf_error e_ = parse(image, BUILT_SIZE(n)); \
        HT_CHECK(e_ == (want_code) && err.phdr == (want_phdr), "%s: got \"%s\" (phdr %d), want \"%s\"", what, \
                 elf_error_message(e_), err.phdr, elf_error_message(want_code)); \
    } while (0)
        /* An empty PT_LOAD is ignored wherever it claims to be (elf.h), e.g. at address 0. */
        build(3);
        PH(2)->vaddr = PH(2)->offset = 0;
        PH(2)->filesz = PH(2)->memsz = 0;
        HT_CHECK(parse(image, BUILT_SIZE(3)) == ELF_ERR_OK && img.nsegments == 2, "empty segment at 0 not ignored: %s",
                 elf_error_message(err.code));
        DEFECT("filesz > memsz", 3, PH(1)->filesz = 0x2001, ELF_ERR_FILESZ_GT_MEMSZ, 1);
        DEFECT("bytes past the file", 3, PH(2)->filesz = 0x1001, ELF_ERR_SEGMENT_OUTSIDE_FILE, 2);
        DEFECT("offset past the file", 3, PH(2)->offset = 0x5000, ELF_ERR_SEGMENT_OUTSIDE_FILE, 2);
        DEFECT("offset + filesz wraps", 3, (PH(1)->offset = UINT64_MAX - 0xFFF, PH(1)->vaddr = 0x403FFF),
               ELF_ERR_SEGMENT_OUTSIDE_FILE, 1);
        DEFECT("huge filesz", 3, (PH(1)->filesz = UINT64_MAX, PH(1)->memsz = UINT64_MAX), ELF_ERR_SEGMENT_OUTSIDE_FILE,
               1);
        DEFECT("vaddr + memsz wraps", 3, (PH(1)->vaddr = 0xFFFFFFFFFFFFF000, PH(1)->memsz = 0x2000),
               ELF_ERR_VADDR_OVERFLOW, 1);
        DEFECT("huge memsz", 3, PH(1)->memsz = 0x0000800000000000, ELF_ERR_VADDR_HIGH, 1);
        DEFECT("kernel address", 3, PH(1)->vaddr = 0xFFFFFFFF80001000, ELF_ERR_VADDR_HIGH, 1);
        DEFECT("HHDM address", 3, PH(2)->vaddr = 0xFFFF800000005000, ELF_ERR_VADDR_HIGH, 2);
        DEFECT("non-canonical", 3, PH(1)->vaddr = 0x0000800000002000, ELF_ERR_VADDR_HIGH, 1);
        DEFECT("ends past the user half", 3, PH(1)->vaddr = 0x00007FFFFFFFF000, ELF_ERR_VADDR_HIGH, 1);
        DEFECT("address 0", 3, PH(1)->vaddr = 0x2000, ELF_ERR_VADDR_LOW, 1);
        DEFECT("below 64 KiB", 3, PH(0)->vaddr = 0xF000, ELF_ERR_VADDR_LOW, 0);
        DEFECT("align not a power of two", 3, PH(1)->align = 0x3000, ELF_ERR_ALIGN_NOT_POWER, 1);
        DEFECT("vaddr/offset differ mod align", 3, PH(1)->vaddr += 0x10, ELF_ERR_ALIGN_MISMATCH, 1);
        DEFECT("vaddr/offset differ mod page", 3, (PH(1)->vaddr += 0x10, PH(1)->align = 0x10), ELF_ERR_PAGE_MISMATCH,
               1);
        DEFECT("W+X", 3, PH(2)->flags = PF_R | PF_W | PF_X, ELF_ERR_WRITE_EXEC, 2);
        DEFECT("W+X text", 1, PH(0)->flags = PF_W | PF_X, ELF_ERR_WRITE_EXEC, 0);
        DEFECT("same address", 3, PH(2)->vaddr = PH(1)->vaddr, ELF_ERR_OVERLAP, 2);
        DEFECT("overlap by one byte", 3, PH(1)->memsz = 0x2001, ELF_ERR_OVERLAP, 2);
        DEFECT("share a page", 3, (PH(2)->vaddr = 0x404000 + 0x800, PH(2)->offset = 0x3800, PH(2)->filesz = 0x800),
               ELF_ERR_OVERLAP, 2);
        DEFECT("inside another", 3, (PH(1)->vaddr = 0x400000, PH(1)->memsz = 0x10000), ELF_ERR_OVERLAP, 1);
        DEFECT("PT_INTERP", 3, PH(1)->type = 3, ELF_ERR_INTERP, 1);
        DEFECT("no PT_LOAD", 3, (PH(0)->type = 4, PH(1)->type = 4, PH(2)->type = 0x6474e551), ELF_ERR_NO_LOAD, -1);
        DEFECT("only empty PT_LOADs", 2, (PH(0)->memsz = PH(0)->filesz = 0, PH(1)->memsz = PH(1)->filesz = 0),
               ELF_ERR_NO_LOAD, -1);
        DEFECT("entry outside", 3, EH->entry = 0x10000000, ELF_ERR_ENTRY, -1);
        DEFECT("entry in data", 3, EH->entry = 0x403010, ELF_ERR_ENTRY, -1);
        DEFECT("entry in BSS of text", 3, (PH(0)->filesz = 0x10, EH->entry = 0x401010), ELF_ERR_ENTRY, -1);
        DEFECT("entry at end of text", 3, EH->entry = 0x402000, ELF_ERR_ENTRY, -1);
        DEFECT("entry 0", 3, EH->entry = 0, ELF_ERR_ENTRY, -1);
        DEFECT("17 segments", 17, (void)0, ELF_ERR_TOO_MANY_SEGMENTS, 16);

        /* What is fine: other header types ignored, empty PT_LOAD skipped, entry on the last text byte. */
        build(4);
        PH(3)->type = 0x6474e551; /* PT_GNU_STACK */
        PH(2)->memsz = PH(2)->filesz = 0;
        EH->entry = 0x401FFF;
        HT_CHECK(parse(image, BUILT_SIZE(4)) == ELF_ERR_OK && img.nsegments == 2 && img.entry == 0x401FFF,
                 "ignored headers: %s", elf_error_message(err.code));
        build(16);
        HT_CHECK(parse(image, BUILT_SIZE(16)) == ELF_ERR_OK && img.nsegments == 16, "16 segments");
        build(3);
        HT_CHECK(elf_parse(image, BUILT_SIZE(3), NULL, segs, 2, &img, &err) == MN_ERR_BAD_FORMAT &&
                     err.code == ELF_ERR_TOO_MANY_SEGMENTS,
                 "caller's array too small");
        elf_limits_t tight = {0x402000, 0x500000};
        HT_CHECK(elf_parse(image, BUILT_SIZE(3), &tight, segs, 16, &img, &err) == MN_ERR_BAD_FORMAT &&
                     err.code == ELF_ERR_VADDR_LOW && err.phdr == 0,
                 "caller's limits");
        HT_CHECK(elf_parse(image, BUILT_SIZE(3), &tight, segs, 16, &img, NULL) == MN_ERR_BAD_FORMAT, "NULL err");
    }

    HT_CASE("page-contents")
    {
        /* Rebuild every segment page by page and compare with the byte-by-byte definition. */
        static const struct {
            const unsigned char *file;
            const unsigned long *len;
        } images[] = {{elf_sample, &elf_sample_len}, {elf_sample_nosep, &elf_sample_nosep_len}};
        static uint8_t page[4096];
        int bad = 0;
        for (int k = 0; k < 2 && !bad; k++) {
            HT_CHECK(parse(images[k].file, *images[k].len) == ELF_ERR_OK, "parse");
            for (uint32_t i = 0; i < img.nsegments && !bad; i++) {
                const elf_segment_t *sg = &segs[i];
                uint64_t first, count, off, poff, len;
                elf_segment_pages(sg, &first, &count);
                HT_CHECK(!elf_page_contents(sg, first - 4096, &off, &poff, &len) &&
                             !elf_page_contents(sg, first + count * 4096, &off, &poff, &len) &&
                             !elf_page_contents(sg, first + 1, &off, &poff, &len),
                         "pages outside the segment");
                for (uint64_t p = 0; p < count && !bad; p++) {
                    uint64_t va = first + p * 4096;
                    HT_CHECK(elf_page_contents(sg, va, &off, &poff, &len), "page %lu", (unsigned long)p);
                    memset(page, 0, sizeof page);
                    if (poff + len > 4096 || off + len > *images[k].len) {
                        bad = 1;
                        break;
                    }
                    memcpy(page + poff, images[k].file + off, len);
                    for (uint64_t b = 0; b < 4096; b++) {
                        uint64_t a = va + b;
                        uint8_t want = a >= sg->vaddr && a < sg->vaddr + sg->filesz
                                           ? images[k].file[sg->offset + (a - sg->vaddr)]
                                           : 0;
                        if (page[b] != want) {
                            HT_CHECK(0, "image %d segment %u address %#lx", k, i, (unsigned long)a);
                            bad = 1;
                            break;
                        }
                    }
                }
            }
        }
        /* An unaligned segment: file bytes start mid-page and end mid-page, then BSS pages. */
        elf_segment_t sg = {0x400123, 0x3000, 0x1123, 0x1F00, ELF_PROT_R};
        uint64_t first, count, off, poff, len;
        elf_segment_pages(&sg, &first, &count);
        HT_CHECK(first == 0x400000 && count == 4, "pages %#lx x %lu", (unsigned long)first, (unsigned long)count);
        HT_CHECK(elf_page_contents(&sg, 0x400000, &off, &poff, &len) && off == 0x1123 && poff == 0x123 &&
                     len == 0x1000 - 0x123,
                 "first page");
        HT_CHECK(elf_page_contents(&sg, 0x401000, &off, &poff, &len) && off == 0x2000 && poff == 0 && len == 0x1000,
                 "second page: all file bytes");
        HT_CHECK(elf_page_contents(&sg, 0x402000, &off, &poff, &len) && off == 0x3000 && poff == 0 && len == 0x23,
                 "third page: the last file bytes, then BSS");
        HT_CHECK(elf_page_contents(&sg, 0x403000, &off, &poff, &len) && len == 0, "last page: BSS only");
    }

    HT_CASE("messages")
    {
        for (int c = 0; c < ELF_ERR_COUNT; c++)
            for (int d = 0; d < c; d++)
                HT_CHECK(strcmp(elf_error_message(c), elf_error_message(d)) != 0, "messages %d and %d equal", c, d);
        HT_CHECK(strcmp(elf_error_message(ELF_ERR_COUNT), "unknown ELF error") == 0, "out of range");
    }
    return HT_END();
}
