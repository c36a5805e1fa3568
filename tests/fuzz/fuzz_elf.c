/*
 * libFuzzer target for the ELF64 validator (kernel/loader/elf.c). Beyond
 * "no crash, no out-of-bounds read" (ASan), every image it accepts must
 * describe segments that are inside the file and the user half, page-
 * disjoint, W^X, with the entry in the file bytes of an executable one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <mnos/errors.h>
#include <mnos/layout.h>

#include "loader/elf.h"

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
    elf_segment_t segs[ELF_MAX_SEGMENTS];
    elf_image_t img;
    elf_error_info_t err;
    int rc = elf_parse(data, size, NULL, segs, ELF_MAX_SEGMENTS, &img, &err);
    if (rc != MN_ERR_OK) {
        CHECK(rc == MN_ERR_BAD_FORMAT && err.code > ELF_ERR_OK && err.code < ELF_ERR_COUNT);
        CHECK(elf_error_message(err.code) != NULL);
        return 0;
    }
    CHECK(img.nsegments >= 1 && img.nsegments <= ELF_MAX_SEGMENTS);
    int entry_ok = 0;
    for (uint32_t i = 0; i < img.nsegments; i++) {
        const elf_segment_t *s = &segs[i];
        CHECK(s->filesz <= s->memsz && s->memsz > 0);
        CHECK(s->offset <= size && s->filesz <= size - s->offset);
        CHECK(s->vaddr >= MN_USER_MIN && s->vaddr < MN_USER_END && s->memsz <= MN_USER_END - s->vaddr);
        CHECK(!((s->prot & ELF_PROT_W) && (s->prot & ELF_PROT_X)));
        CHECK(s->vaddr % 4096 == s->offset % 4096);
        if ((s->prot & ELF_PROT_X) && img.entry >= s->vaddr && img.entry - s->vaddr < s->filesz)
            entry_ok = 1;
        for (uint32_t j = 0; j < i; j++) {
            const elf_segment_t *t = &segs[j];
            uint64_t a0 = s->vaddr & ~0xFFFull, a1 = (s->vaddr + s->memsz + 0xFFF) & ~0xFFFull;
            uint64_t b0 = t->vaddr & ~0xFFFull, b1 = (t->vaddr + t->memsz + 0xFFF) & ~0xFFFull;
            CHECK(a1 <= b0 || b1 <= a0);
        }
        /* The page-by-page copy plan stays inside the page and the file (first and last pages). */
        uint64_t first, count;
        elf_segment_pages(s, &first, &count);
        CHECK(count >= 1 && first <= s->vaddr);
        for (uint64_t p = 0; p < count; p = (p == 1 && count > 4) ? count - 2 : p + 1) {
            uint64_t off, poff, len;
            CHECK(elf_page_contents(s, first + p * 4096, &off, &poff, &len));
            CHECK(poff < 4096 && len <= 4096 - poff);
            CHECK(len == 0 || (off >= s->offset && off <= size && len <= size - off));
        }
        /* Touch the file bytes the kernel would copy: ASan checks they are inside the input. */
        volatile uint8_t sink = 0;
        if (s->filesz)
            sink ^= data[s->offset] ^ data[s->offset + s->filesz - 1];
        (void)sink;
    }
    CHECK(entry_ok);
    return 0;
}
