/*
 * init's block devices: one virtio_blk driver process per virtio-blk PCI
 * function (1af4:1001 transitional, 1af4:1042 modern), each given exactly
 * its function's capabilities (docs/devices.md), DMA memory init keeps a
 * copy of, a budgeted allocator and the server end of a new endpoint. init
 * keeps the endpoint with every right and hands clients badged copies
 * (blkdev_client_cap), one badge per client.
 *
 * A watcher thread per driver waits for it to end; then it switches the
 * function's bus mastering off (the device cannot write memory any more),
 * drops the DMA memory, and revokes and drops the endpoint, so every
 * client's call (blocked or future) ends with an error instead of waiting
 * for a driver that is gone. Nothing restarts the driver yet.
 */
#include "blkdev.h"

#include "stdio.h"
#include "string.h"

#define DRIVER_BUDGET 128 /* pages: heap and thread stacks */
#define DMA_ORDER 4 /* 64 KiB: a 256-entry queue with its headers fits (lib/virtio virtio_blk_dma_size) */
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4u

struct blkdev blkdevs[BLKDEV_MAX];
int nblkdevs;
static uint64_t next_badge = 1;

static void watcher(void *arg)
{
    struct blkdev *d = arg;
    int64_t status = 0;
    int reason = 0;
    mn_wait(&d->child, &status, &reason);
    int64_t cmd = mn_sys_PCI_CONFIG_READ(d->pci, PCI_COMMAND, 2);
    if (cmd >= 0)
        mn_sys_PCI_CONFIG_WRITE(d->pci, PCI_COMMAND, (uint64_t)cmd & ~(uint64_t)PCI_COMMAND_MASTER, 2);
    mn_sys_DROP_CAP(d->dma);
    mn_slot_free(d->dma);
    mn_sys_REVOKE(d->ep);
    mn_sys_DROP_CAP(d->ep);
    mn_slot_free(d->ep);
    d->ep = d->dma = 0;
    __atomic_store_n(&d->dead, true, __ATOMIC_RELEASE);
    printf("init: virtio_blk %s ended (%s, status %ld): bus mastering off, its endpoint revoked\n", d->location,
           reason == MN_EXIT_KILLED  ? "killed"
           : reason == MN_EXIT_FAULT ? "fault"
                                     : "exit",
           (long)status);
}

static int start_one(const struct mn_startup_cap *cfg, const char *options)
{
    struct blkdev *d = &blkdevs[nblkdevs];
    memset(d, 0, sizeof *d);
    snprintf(d->location, sizeof d->location, "%s", cfg->name + 4);
    d->pci = cfg->slot;
    struct mn_spawn_cap caps[4 + PCI_MAX_BARS_INIT];
    int n = 0;
    caps[n++] = (struct mn_spawn_cap){cfg->slot, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, "pci"};
    /* Its BARs: the startup page names them "<pci name>/bK". */
    const struct mn_startup *st = mn_startup_info();
    static char roles[PCI_MAX_BARS_INIT][8];
    size_t len = strlen(cfg->name);
    for (uint32_t i = 0; i < st->ncaps && n < 1 + PCI_MAX_BARS_INIT; i++) {
        const char *name = st->caps[i].name;
        if (strncmp(name, cfg->name, len) == 0 && name[len] == '/' && name[len + 1] == 'b') {
            unsigned k = (unsigned)(name[len + 2] - '0');
            if (k >= PCI_MAX_BARS_INIT)
                continue;
            snprintf(roles[k], sizeof roles[k], "bar%u", k);
            caps[n++] = (struct mn_spawn_cap){st->caps[i].slot, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, roles[k]};
        }
    }
    d->dma = mn_slot_alloc();
    d->ep = init_endpoint();
    uint32_t budget = init_allocator(DRIVER_BUDGET);
    if (!d->dma || !d->ep || !budget || mn_sys_ALLOC_PAGES(init.allocator, d->dma, DMA_ORDER) != 0) {
        printf("init: no memory for the virtio_blk driver of %s\n", d->location);
        return MN_ERR_NO_MEMORY;
    }
    caps[n++] = (struct mn_spawn_cap){d->dma, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, "dma"};
    caps[n++] = (struct mn_spawn_cap){d->ep, MN_RIGHT_READ, 0, "blk-srv"};
    caps[n++] = (struct mn_spawn_cap){budget, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, MN_ROLE_ALLOCATOR};
    /* Arguments: the location, then the options of blkdrv= (legacy, intx), comma-separated. */
    static char opts[BLKDEV_MAX][32];
    const char *argv[5] = {"bin/virtio_blk", d->location};
    int argc = 2;
    if (options) {
        snprintf(opts[nblkdevs], sizeof opts[0], "%s", options);
        for (char *p = opts[nblkdevs]; *p && argc < 5;) {
            argv[argc++] = p;
            char *c = strchr(p, ',');
            if (!c)
                break;
            *c = 0;
            p = c + 1;
        }
    }
    int r = mn_spawn("bin/virtio_blk", argv, argc, caps, n, MN_SPAWN_GIVE_SELF, &d->child);
    mn_sys_DROP_CAP(budget);
    mn_slot_free(budget);
    if (r != MN_ERR_OK) {
        printf("init: cannot start virtio_blk for %s: %s\n", d->location, mn_error_name(r));
        return r;
    }
    nblkdevs++;
    if (mn_thread_create(watcher, d, 1) < 0)
        printf("init: no watcher for virtio_blk %s\n", d->location);
    return MN_ERR_OK;
}

void blkdev_start_all(const char *options)
{
    const struct mn_startup *st = mn_startup_info();
    for (uint32_t i = 0; i < st->ncaps && nblkdevs < BLKDEV_MAX; i++) {
        const struct mn_startup_cap *c = &st->caps[i];
        if (c->type != MN_CAP_PCI_DEVICE || strncmp(c->name, "pci-", 4) != 0)
            continue;
        int64_t id = mn_sys_PCI_CONFIG_READ(c->slot, 0, 4);
        if (id == 0x10011AF4 || id == 0x10421AF4)
            start_one(c, options);
    }
}

uint32_t blkdev_client_cap(int index)
{
    if (index < 0 || index >= nblkdevs || __atomic_load_n(&blkdevs[index].dead, __ATOMIC_ACQUIRE))
        return 0;
    uint32_t slot = mn_slot_alloc();
    if (slot && mn_sys_BADGE_CAP(blkdevs[index].ep, slot, next_badge++) != 0) {
        mn_slot_free(slot);
        return 0;
    }
    return slot;
}
