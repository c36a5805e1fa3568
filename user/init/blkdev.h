/* init's block devices (blkdev.c): a virtio_blk driver per virtio-blk function, and badged client endpoints. */
#ifndef INIT_BLKDEV_H
#define INIT_BLKDEV_H

#include <stdbool.h>

#include "init.h"

#define BLKDEV_MAX 4
#define PCI_MAX_BARS_INIT 6

struct blkdev {
    char location[8]; /* "BB:DD.F" */
    uint32_t pci; /* init's PciDevice capability of the function */
    uint32_t dma; /* init's copy of the driver's DMA memory (0 once it is dropped) */
    uint32_t ep; /* the block endpoint, every right (0 once revoked) */
    struct mn_child child;
    volatile bool dead; /* the driver ended and the watcher has cleaned up */
};

extern struct blkdev blkdevs[BLKDEV_MAX];
extern int nblkdevs;

/* Starts a driver for every virtio-blk function init holds; `options` (may be NULL) is blkdrv='s value. */
void blkdev_start_all(const char *options);

/* A new badged copy (derived, every right init has) of device `index`'s endpoint in a fresh slot, or 0 (no such device,
 * or dead). */
uint32_t blkdev_client_cap(int index);

#endif
