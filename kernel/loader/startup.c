/* The kernel's startup pages (see startup.h). */
#include "loader/startup.h"

#include "cap/cspace.h"
#include "debug/log.h"
#include "lib/string.h"
#include "loader/initrd.h"
#include "mm/umem.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "sched/process.h"

int startup_page_build(struct process *p, const char *const *argv, int argc, const struct mn_startup_cap *caps,
                       int ncaps, uint64_t initrd_size, uint64_t boot_tsc)
{
    if (argc < 0 || argc > MN_STARTUP_MAX_ARGS || ncaps < 0 || ncaps > MN_STARTUP_MAX_CAPS)
        return MN_ERR_BAD_ARG;
    uint64_t pa = pmm_alloc_zeroed();
    if (!pa)
        return MN_ERR_NO_MEMORY;
    char *page = phys_to_virt(pa);
    struct mn_startup *st = (struct mn_startup *)page;
    st->magic = MN_STARTUP_MAGIC;
    st->version = MN_STARTUP_VERSION;
    st->initrd_size = initrd_size;
    st->boot_tsc = boot_tsc;
    size_t at = sizeof *st;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        if (at + n > MN_PAGE_SIZE) {
            pmm_free(pa);
            return MN_ERR_BAD_ARG;
        }
        memcpy(page + at, argv[i], n);
        st->argv[i] = (uint32_t)at;
        at += n;
    }
    st->argc = (uint32_t)argc;
    for (int i = 0; i < ncaps; i++)
        st->caps[i] = caps[i];
    st->ncaps = (uint32_t)ncaps;
    int r = vmm_map(p->as, MN_STARTUP_VA, pa, VMM_USER);
    if (r != MN_ERR_OK) {
        pmm_free(pa);
        return r == VMM_ENOMEM ? MN_ERR_NO_MEMORY : MN_ERR_MAP_FAILED;
    }
    return MN_ERR_OK;
}

uint64_t startup_mint_initrd(struct process *p, uint32_t slot, uint8_t rights)
{
    uint64_t phys, size;
    if (!initrd_region(&phys, &size) || (phys & (PAGE_SIZE - 1))) {
        log_warn("loader: no page-aligned initrd to give %s\n", p->name);
        return 0;
    }
    if (cspace_mint(p, slot, MN_CAP_MMIO_REGION, rights, NULL, phys, (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), NULL) !=
        MN_ERR_OK)
        return 0;
    spin_lock(&cap_lock);
    cnode_slot(&p->cnode, slot)->flags |= CAP_MMIO_CACHED;
    spin_unlock(&cap_lock);
    return size;
}
