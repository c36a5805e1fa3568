/* The initrd through TarFS (see initrd.h). The archive is checked once, on first use. */
#include "loader/initrd.h"

#include "boot/boot_info.h"
#include "debug/log.h"
#include "lib/spinlock.h"
#include "mm/hhdm.h"
#include "tarfs/tarfs.h"

const struct boot_info *kernel_boot_info(void);

static spinlock_t lock = SPINLOCK_INIT("initrd");
static tarfs_t fs;
static int state; /* 0 unopened, 1 open, -1 unusable */

int initrd_read(const char *path, const void **data, size_t *size)
{
    spin_lock(&lock);
    if (state == 0) {
        const struct boot_info *bi = kernel_boot_info();
        state = -1;
        const void *buf = bi->module_count ? hhdm_read(bi->modules[0].phys, bi->modules[0].size) : NULL;
        tarfs_error_info_t err;
        if (!buf)
            log_warn("loader: no initrd\n");
        else if (tarfs_open(&fs, buf, bi->modules[0].size, &err) != MN_ERR_OK)
            log_warn("loader: initrd: %s at offset %zu\n", tarfs_error_message(err.code), err.offset);
        else
            state = 1;
    }
    int st = state;
    spin_unlock(&lock);
    if (st < 0)
        return MN_ERR_NOT_FOUND;
    return tarfs_read(&fs, path, data, size);
}

bool initrd_region(uint64_t *phys, uint64_t *size)
{
    const struct boot_info *bi = kernel_boot_info();
    if (!bi->module_count)
        return false;
    *phys = bi->modules[0].phys;
    *size = bi->modules[0].size;
    return true;
}
