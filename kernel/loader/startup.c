/* The kernel's startup pages (see startup.h). */
#include "loader/startup.h"

#include "lib/string.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "sched/process.h"

int startup_page_build(struct process *p, const char *const *argv, int argc, const struct mn_startup_cap *caps,
                       int ncaps, uint64_t initrd_size)
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
