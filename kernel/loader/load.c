/* ELF loading into a process (see load.h). */
#include "loader/load.h"

#include <mnos/layout.h>

#include "debug/log.h"
#include "lib/string.h"
#include "loader/elf.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "sched/process.h"

#define STACK_BOTTOM (MN_USER_STACK_TOP - USER_STACK_PAGES * MN_PAGE_SIZE)

/* Maps one zeroed frame at va, filled by `fill` bytes from src at offset `off`. */
static int map_page(struct process *p, uint64_t va, const uint8_t *src, uint64_t off, uint64_t len, unsigned flags)
{
    uint64_t pa = pmm_alloc_zeroed();
    if (!pa)
        return MN_ERR_NO_MEMORY;
    if (len)
        memcpy((uint8_t *)phys_to_virt(pa) + off, src, len);
    int r = vmm_map(p->as, va, pa, flags | VMM_USER);
    if (r != 0) {
        pmm_free(pa);
        return r == VMM_ENOMEM ? MN_ERR_NO_MEMORY : MN_ERR_MAP_FAILED;
    }
    return MN_ERR_OK;
}

int elf_load(struct process *p, const char *name, const void *image, size_t size, uint64_t *entry, uint64_t *stack_top)
{
    /* Segments stay below the stack and its guard page. */
    const elf_limits_t limits = {MN_USER_MIN, STACK_BOTTOM - MN_PAGE_SIZE};
    elf_segment_t segs[ELF_MAX_SEGMENTS];
    elf_image_t img;
    elf_error_info_t err;
    if (elf_parse(image, size, &limits, segs, ELF_MAX_SEGMENTS, &img, &err) != MN_ERR_OK) {
        log_warn("loader: %s: %s (program header %d)\n", name, elf_error_message(err.code), err.phdr);
        return MN_ERR_BAD_FORMAT;
    }
    for (uint32_t i = 0; i < img.nsegments; i++) {
        const elf_segment_t *s = &segs[i];
        unsigned flags = ((s->prot & ELF_PROT_W) ? VMM_WRITE : 0) | ((s->prot & ELF_PROT_X) ? VMM_EXEC : 0);
        uint64_t first, count;
        elf_segment_pages(s, &first, &count);
        for (uint64_t k = 0; k < count; k++) {
            uint64_t page = first + k * MN_PAGE_SIZE, file_off, page_off, len;
            elf_page_contents(s, page, &file_off, &page_off, &len);
            int r = map_page(p, page, (const uint8_t *)image + file_off, page_off, len, flags);
            if (r != MN_ERR_OK)
                return r;
        }
    }
    for (uint64_t va = STACK_BOTTOM; va < MN_USER_STACK_TOP; va += MN_PAGE_SIZE) {
        int r = map_page(p, va, NULL, 0, 0, VMM_WRITE);
        if (r != MN_ERR_OK)
            return r;
    }
    *entry = img.entry;
    *stack_top = MN_USER_STACK_TOP;
    return MN_ERR_OK;
}
