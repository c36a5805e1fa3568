/*
 * ELF64 validation (see elf.h). Headers are copied out of the buffer before
 * use, so the image may be unaligned and is read only inside its bounds;
 * every sum of untrusted values is checked for overflow before it is used.
 */
#include "loader/elf.h"

#include <mnos/errors.h>
#include <mnos/layout.h>

#include "lib/string.h"

#define PAGE 0x1000ull

enum {
    EI_CLASS = 4,
    EI_DATA = 5,
    EI_VERSION = 6,
    EI_OSABI = 7,
    ELFCLASS64 = 2,
    ELFDATA2LSB = 1,
    EV_CURRENT = 1,
    ELFOSABI_SYSV = 0,
    ELFOSABI_GNU = 3,
    ET_EXEC = 2,
    EM_X86_64 = 62,
    PT_LOAD = 1,
    PT_INTERP = 3,
    PF_X = 1,
    PF_W = 2,
};

typedef struct {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} elf64_ehdr_t;

typedef struct {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
} elf64_phdr_t;

_Static_assert(sizeof(elf64_ehdr_t) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(elf64_phdr_t) == 56, "ELF64 program header is 56 bytes");

static const char *const messages[] = {
#define ELF_ERROR_MSG_(name, msg) msg,
    ELF_ERROR_TABLE(ELF_ERROR_MSG_)
#undef ELF_ERROR_MSG_
};

const char *elf_error_message(enum elf_error code)
{
    if ((unsigned)code >= ELF_ERR_COUNT)
        return "unknown ELF error";
    return messages[code];
}

static int reject(elf_error_info_t *err, enum elf_error code, int phdr)
{
    if (err) {
        err->code = code;
        err->phdr = phdr;
    }
    return MN_ERR_BAD_FORMAT;
}

static enum elf_error check_ehdr(const elf64_ehdr_t *eh, size_t size)
{
    if (eh->ident[0] != 0x7F || eh->ident[1] != 'E' || eh->ident[2] != 'L' || eh->ident[3] != 'F')
        return ELF_ERR_MAGIC;
    if (eh->ident[EI_CLASS] != ELFCLASS64)
        return ELF_ERR_CLASS;
    if (eh->ident[EI_DATA] != ELFDATA2LSB)
        return ELF_ERR_ENDIAN;
    if (eh->ident[EI_VERSION] != EV_CURRENT)
        return ELF_ERR_IDENT_VERSION;
    if (eh->ident[EI_OSABI] != ELFOSABI_SYSV && eh->ident[EI_OSABI] != ELFOSABI_GNU)
        return ELF_ERR_OSABI;
    if (eh->type != ET_EXEC)
        return ELF_ERR_TYPE;
    if (eh->machine != EM_X86_64)
        return ELF_ERR_MACHINE;
    if (eh->version != EV_CURRENT)
        return ELF_ERR_VERSION;
    if (eh->ehsize != sizeof(elf64_ehdr_t))
        return ELF_ERR_EHSIZE;
    if (eh->phentsize != sizeof(elf64_phdr_t))
        return ELF_ERR_PHENTSIZE;
    if (eh->phnum == 0)
        return ELF_ERR_NO_PHDRS;
    if (eh->phnum > ELF_MAX_PHDRS)
        return ELF_ERR_TOO_MANY_PHDRS;
    /* phnum <= 64, so the table size cannot overflow; the offset is checked first. */
    if (eh->phoff > size || size - eh->phoff < (uint64_t)eh->phnum * sizeof(elf64_phdr_t))
        return ELF_ERR_PHDRS_OUTSIDE;
    return ELF_ERR_OK;
}

static enum elf_error check_load(const elf64_phdr_t *ph, size_t size, const elf_limits_t *lim)
{
    if ((ph->flags & PF_W) && (ph->flags & PF_X))
        return ELF_ERR_WRITE_EXEC;
    if (ph->filesz > ph->memsz)
        return ELF_ERR_FILESZ_GT_MEMSZ;
    if (ph->offset > size || size - ph->offset < ph->filesz)
        return ELF_ERR_SEGMENT_OUTSIDE_FILE;
    if (ph->vaddr + ph->memsz < ph->vaddr)
        return ELF_ERR_VADDR_OVERFLOW;
    if (ph->vaddr >= lim->user_end || ph->vaddr + ph->memsz > lim->user_end)
        return ELF_ERR_VADDR_HIGH;
    if (ph->vaddr < lim->user_min)
        return ELF_ERR_VADDR_LOW;
    if (ph->align > 1) {
        if (ph->align & (ph->align - 1))
            return ELF_ERR_ALIGN_NOT_POWER;
        if (ph->vaddr % ph->align != ph->offset % ph->align)
            return ELF_ERR_ALIGN_MISMATCH;
    }
    if (ph->vaddr % PAGE != ph->offset % PAGE)
        return ELF_ERR_PAGE_MISMATCH;
    return ELF_ERR_OK;
}

static uint64_t page_down(uint64_t a)
{
    return a & ~(PAGE - 1);
}

/* Only called on addresses below the user end, so this cannot overflow. */
static uint64_t page_up(uint64_t a)
{
    return (a + PAGE - 1) & ~(PAGE - 1);
}

int elf_parse(const void *file, size_t size, const elf_limits_t *limits, elf_segment_t *segs, uint32_t max_segs,
              elf_image_t *out, elf_error_info_t *err)
{
    static const elf_limits_t defaults = {MN_USER_MIN, MN_USER_END};
    const uint8_t *bytes = file;
    const elf_limits_t *lim = limits ? limits : &defaults;
    elf64_ehdr_t eh;
    enum elf_error e;

    if (!file || size < sizeof eh)
        return reject(err, ELF_ERR_TRUNCATED_HEADER, -1);
    memcpy(&eh, bytes, sizeof eh);
    if ((e = check_ehdr(&eh, size)) != ELF_ERR_OK)
        return reject(err, e, -1);

    uint32_t n = 0;
    for (int i = 0; i < eh.phnum; i++) {
        elf64_phdr_t ph;
        memcpy(&ph, bytes + eh.phoff + (uint64_t)i * sizeof ph, sizeof ph);
        if (ph.type == PT_INTERP)
            return reject(err, ELF_ERR_INTERP, i);
        if (ph.type != PT_LOAD)
            continue;
        /* Empty segments map nothing: ignored wherever they claim to be (as elf.h says). */
        if (ph.memsz == 0 && ph.filesz == 0)
            continue;
        if ((e = check_load(&ph, size, lim)) != ELF_ERR_OK)
            return reject(err, e, i);
        uint64_t lo = page_down(ph.vaddr), hi = page_up(ph.vaddr + ph.memsz);
        for (uint32_t k = 0; k < n; k++)
            if (lo < page_up(segs[k].vaddr + segs[k].memsz) && page_down(segs[k].vaddr) < hi)
                return reject(err, ELF_ERR_OVERLAP, i);
        if (n >= max_segs || n >= ELF_MAX_SEGMENTS)
            return reject(err, ELF_ERR_TOO_MANY_SEGMENTS, i);
        segs[n].vaddr = ph.vaddr;
        segs[n].memsz = ph.memsz;
        segs[n].offset = ph.offset;
        segs[n].filesz = ph.filesz;
        segs[n].prot = ELF_PROT_R | (ph.flags & PF_W ? ELF_PROT_W : 0) | (ph.flags & PF_X ? ELF_PROT_X : 0);
        n++;
    }
    if (n == 0)
        return reject(err, ELF_ERR_NO_LOAD, -1);

    int entry_ok = 0;
    uint64_t lowest = UINT64_MAX, highest = 0;
    for (uint32_t k = 0; k < n; k++) {
        const elf_segment_t *s = &segs[k];
        if ((s->prot & ELF_PROT_X) && eh.entry >= s->vaddr && eh.entry - s->vaddr < s->filesz)
            entry_ok = 1;
        if (page_down(s->vaddr) < lowest)
            lowest = page_down(s->vaddr);
        if (page_up(s->vaddr + s->memsz) > highest)
            highest = page_up(s->vaddr + s->memsz);
    }
    if (!entry_ok)
        return reject(err, ELF_ERR_ENTRY, -1);

    out->entry = eh.entry;
    out->nsegments = n;
    out->lowest = lowest;
    out->highest = highest;
    if (err) {
        err->code = ELF_ERR_OK;
        err->phdr = -1;
    }
    return MN_ERR_OK;
}

void elf_segment_pages(const elf_segment_t *seg, uint64_t *first, uint64_t *count)
{
    *first = page_down(seg->vaddr);
    *count = (page_up(seg->vaddr + seg->memsz) - *first) / PAGE;
}

bool elf_page_contents(const elf_segment_t *seg, uint64_t page, uint64_t *file_off, uint64_t *page_off, uint64_t *len)
{
    uint64_t first, count;
    elf_segment_pages(seg, &first, &count);
    if (page % PAGE || page < first || (page - first) / PAGE >= count)
        return false;
    /* The file bytes cover [vaddr, vaddr + filesz); intersect that with the page. */
    uint64_t lo = seg->vaddr > page ? seg->vaddr : page;
    uint64_t file_end = seg->vaddr + seg->filesz;
    uint64_t hi = file_end < page + PAGE ? file_end : page + PAGE;
    *page_off = lo - page;
    if (hi <= lo) {
        *file_off = 0;
        *len = 0;
        return true;
    }
    *file_off = seg->offset + (lo - seg->vaddr);
    *len = hi - lo;
    return true;
}
