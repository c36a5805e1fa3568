/*
 * ELF64 executable validation: turns an untrusted image in memory into the
 * list of segments the kernel maps, or names what is wrong with it. No
 * allocation, no side effects; the caller maps the segments (page-rounded,
 * file bytes copied, the rest zeroed) and starts a thread at the entry.
 *
 * Accepted: ELFCLASS64, little-endian, EV_CURRENT, OS ABI System V or GNU,
 * ET_EXEC (static, non-PIE; no PT_INTERP), EM_X86_64, at most
 * ELF_MAX_PHDRS program headers and ELF_MAX_SEGMENTS non-empty PT_LOAD
 * segments, each: p_filesz <= p_memsz; file bytes inside the image;
 * [p_vaddr, p_vaddr + p_memsz) inside [limits.user_min, limits.user_end)
 * (by default MN_USER_MIN = 64 KiB, which keeps the low pages unmapped so
 * NULL dereferences fault, up to the end of the canonical lower half);
 * p_align 0, 1 or a power of two with p_vaddr and p_offset congruent modulo
 * it and always modulo the 4 KiB page; never writable and executable at
 * once (W^X); no two segments sharing a page (the kernel maps whole pages
 * with one set of permissions). The entry point must lie in the file bytes
 * of an executable segment. PT_LOAD segments with p_memsz 0 are ignored;
 * other program header types (PT_NOTE, PT_GNU_STACK, PT_TLS...) are
 * ignored too.
 */
#ifndef LOADER_ELF_H
#define LOADER_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_PHDRS 64
#define ELF_MAX_SEGMENTS 16

/* Segment permissions (read is always granted: x86 pages cannot be unreadable). */
#define ELF_PROT_R 0x1u
#define ELF_PROT_W 0x2u
#define ELF_PROT_X 0x4u

typedef struct elf_segment {
    uint64_t vaddr; /* first byte's address (not page-rounded) */
    uint64_t memsz; /* bytes in memory; those past filesz are zero */
    uint64_t offset; /* file offset of the first byte */
    uint64_t filesz; /* bytes taken from the file */
    uint32_t prot; /* ELF_PROT_* */
} elf_segment_t;

typedef struct elf_image {
    uint64_t entry;
    uint32_t nsegments; /* entries filled in the caller's segment array, in file order */
    uint64_t lowest; /* lowest segment address, rounded down to a page */
    uint64_t highest; /* end of the highest segment, rounded up to a page (a heap may start here) */
} elf_image_t;

/* Trusted bounds from the caller: page-aligned, user_end at most MN_USER_END. */
typedef struct elf_limits {
    uint64_t user_min; /* lowest address a segment may use */
    uint64_t user_end; /* first address it may not use */
} elf_limits_t;

/* X(NAME, message) */
#define ELF_ERROR_TABLE(X) \
    X(OK, "valid") \
    X(TRUNCATED_HEADER, "file shorter than the ELF header") \
    X(MAGIC, "bad magic (not an ELF file)") \
    X(CLASS, "not ELFCLASS64") \
    X(ENDIAN, "not little-endian") \
    X(IDENT_VERSION, "bad e_ident version") \
    X(OSABI, "unsupported OS ABI") \
    X(TYPE, "not an executable (e_type is not ET_EXEC)") \
    X(MACHINE, "not x86-64 (e_machine)") \
    X(VERSION, "bad e_version") \
    X(EHSIZE, "bad e_ehsize") \
    X(PHENTSIZE, "bad e_phentsize") \
    X(NO_PHDRS, "no program headers") \
    X(TOO_MANY_PHDRS, "too many program headers") \
    X(PHDRS_OUTSIDE, "program header table outside the file") \
    X(INTERP, "dynamically linked (PT_INTERP)") \
    X(FILESZ_GT_MEMSZ, "segment p_filesz larger than p_memsz") \
    X(SEGMENT_OUTSIDE_FILE, "segment file bytes outside the file") \
    X(VADDR_OVERFLOW, "segment p_vaddr + p_memsz overflows") \
    X(VADDR_LOW, "segment below the lowest user address") \
    X(VADDR_HIGH, "segment outside the user half (kernel address)") \
    X(ALIGN_NOT_POWER, "segment p_align not a power of two") \
    X(ALIGN_MISMATCH, "segment p_vaddr and p_offset differ modulo p_align") \
    X(PAGE_MISMATCH, "segment p_vaddr and p_offset differ modulo the page size") \
    X(WRITE_EXEC, "segment both writable and executable (W^X)") \
    X(OVERLAP, "segments overlap (or share a page)") \
    X(TOO_MANY_SEGMENTS, "too many PT_LOAD segments") \
    X(NO_LOAD, "no loadable segment") \
    X(ENTRY, "entry point not inside an executable segment")

enum elf_error {
#define ELF_ERROR_ENUM_(name, msg) ELF_ERR_##name,
    ELF_ERROR_TABLE(ELF_ERROR_ENUM_)
#undef ELF_ERROR_ENUM_
        ELF_ERR_COUNT
};

typedef struct elf_error_info {
    enum elf_error code;
    int phdr; /* index of the offending program header, or -1 */
} elf_error_info_t;

/*
 * Validates the ELF image file[0..size) and describes it. `limits` may be
 * NULL for the defaults (MN_USER_MIN .. MN_USER_END). `segs` has room for
 * max_segs entries (ELF_MAX_SEGMENTS is always enough). On success returns
 * MN_ERR_OK and fills *out and segs[0 .. out->nsegments). On failure returns
 * MN_ERR_BAD_FORMAT, fills *err (if not NULL) with the first problem found,
 * and leaves *out unspecified. Reads only inside the buffer, which need not
 * be aligned.
 */
int elf_parse(const void *file, size_t size, const elf_limits_t *limits, elf_segment_t *segs, uint32_t max_segs,
              elf_image_t *out, elf_error_info_t *err);

/*
 * The pages a segment occupies: *first is its first page's address and
 * *count the number of pages up to the page holding its last byte.
 * Segments from elf_parse never share a page, so each page gets exactly one
 * segment's permissions.
 */
void elf_segment_pages(const elf_segment_t *seg, uint64_t *first, uint64_t *count);

/*
 * What to put in page `page` (a page-aligned address from elf_segment_pages)
 * of segment `seg`: copy *len bytes from file offset *file_off to byte
 * *page_off of the page and zero everything else (*len may be 0: a page of
 * pure BSS). Returns false, with nothing stored, when `page` is not one of
 * the segment's pages.
 */
bool elf_page_contents(const elf_segment_t *seg, uint64_t page, uint64_t *file_off, uint64_t *page_off, uint64_t *len);

/* The message for an error code ("segment both writable and executable (W^X)"). */
const char *elf_error_message(enum elf_error code);

#endif
