/*
 * lib/virtio against the simulated virtio-blk device (virtio_sim.c) in
 * both register layouts, modern (capabilities, disable-legacy=on) and
 * legacy (the transitional I/O block, with and without MSI-X): device
 * initialization and feature negotiation (FEATURES_OK refused, features
 * whose config is missing refused, vectors refused), reading the whole
 * stamped disk, writing a range and checking the image byte for byte,
 * flush, get-id, scatter-gather and size_max splitting, a full queue of
 * requests completed out of order, error mapping, requests rejected before
 * the device sees them, a small queue filling up, notification and
 * interrupt suppression, configuration changes, hostile used-ring entries,
 * and reset with re-initialization. The simulator checks every register
 * access, chain and barrier; each case ends by requiring it saw nothing
 * wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_test.h"
#include "virtio/virtio.h"
#include "virtio_sim.h"

#define MEM_SIZE (8u << 20)
#define PHYS_BASE 0x140000000ull /* above 4 GiB: the high halves of addresses matter */
#define DMA_SIZE (64u << 10)
#define DATA_OFF (1u << 20) /* data buffers start here in guest memory */

static uint8_t *mem;
static struct vsim *sim;
static struct virtio_ops ops;
static pci_virtio_cap_t caps[4];
static virtio_blk_params_t params;
static virtio_blk_t dev;

struct done_log {
    unsigned n;
    virtio_blk_done_t d[4096];
};
static struct done_log done;

static void collect(void *arg, const virtio_blk_done_t *d)
{
    struct done_log *l = arg;
    if (l->n < sizeof l->d / sizeof l->d[0])
        l->d[l->n] = *d;
    l->n++;
}

/* The latest completion (a zeroed one when there is none). */
static const virtio_blk_done_t *last(void)
{
    static const virtio_blk_done_t none;
    return done.n && done.n <= sizeof done.d / sizeof done.d[0] ? &done.d[done.n - 1] : &none;
}

/* A device with config c over fresh guest memory full of garbage (the driver must zero what it uses). */
static void setup(const struct vsim_config *c)
{
    vsim_free(sim);
    memset(mem, 0xA5, MEM_SIZE);
    sim = vsim_new(c, mem, MEM_SIZE, PHYS_BASE);
    ops = vsim_ops(sim);
    vsim_caps(sim, caps);
    memset(&params, 0, sizeof params);
    params.ops = &ops;
    params.legacy = c->legacy;
    params.legacy_bar = VSIM_LEGACY_BAR;
    params.legacy_bar_size = c->bar_size;
    params.caps = caps;
    params.ncaps = 4;
    params.msix_table_size = c->msix ? c->msix_table : 0;
    params.config_vector = c->msix ? 0 : VIRTIO_NO_VECTOR;
    params.queue_vector = c->msix ? 1 : VIRTIO_NO_VECTOR;
    params.dma = mem;
    params.dma_phys = PHYS_BASE;
    params.dma_size = DMA_SIZE;
    done.n = 0;
}

static void setup_default(bool legacy)
{
    struct vsim_config c;
    vsim_default_config(&c, legacy);
    setup(&c);
}

static uint8_t *buf(size_t off)
{
    return mem + DATA_OFF + off;
}

static uint64_t buf_phys(size_t off)
{
    return PHYS_BASE + DATA_OFF + off;
}

/* The simulator saw no driver misbehaviour. */
static int sim_clean(void)
{
    if (sim->errors)
        printf("  sim: %u errors; first: %s\n", sim->errors, sim->first_error);
    return sim->errors == 0;
}

/* Submits one request, kicks, lets the device finish everything, polls; returns the completion's result. */
static int run(unsigned type, uint64_t lba, uint64_t phys, uint32_t n)
{
    unsigned before = done.n, got = 0;
    int err = virtio_blk_submit(&dev, type, lba, phys, n, 1000 + before);
    if (err != MN_ERR_OK)
        return err;
    virtio_blk_kick(&dev);
    vsim_fetch(sim);
    vsim_complete(sim, ~0u, VSIM_FIFO);
    err = virtio_blk_poll(&dev, collect, &done, &got);
    if (err != MN_ERR_OK)
        return err;
    if (got != 1 || done.n != before + 1)
        return 1;
    return done.d[before].cookie == 1000 + before ? done.d[before].result : 2;
}

static const char *layout(bool legacy)
{
    return legacy ? "legacy" : "modern";
}

/* Case names live until the next case has started (host_test.h prints a case's line then): a few rotate. */
static char names[4][64];
static unsigned name_next;

static const char *name(const char *what, bool legacy)
{
    char *n = names[name_next++ % 4];
    snprintf(n, sizeof names[0], "%s_%s", what, layout(legacy));
    return n;
}

/* ---- initialization --------------------------------------------------------------- */

static void test_init(bool legacy, bool msix)
{
    struct vsim_config c;
    vsim_default_config(&c, legacy);
    c.msix = msix;
    setup(&c);
    HT_CASE(name(msix ? "init_msix" : "init", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init failed");
        uint8_t want = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK |
                       (legacy ? 0 : VIRTIO_STATUS_FEATURES_OK);
        HT_CHECK(sim->status == want, "device status %#x, want %#x", sim->status, want);
        uint64_t accepted = c.features & (VIRTIO_BLK_FEATURES | VIRTIO_BIT(VIRTIO_F_VERSION_1));
        HT_CHECK(sim->driver_features == accepted, "driver features %#llx, want %#llx",
                 (unsigned long long)sim->driver_features, (unsigned long long)accepted);
        HT_CHECK(dev.info.features == accepted, "info.features");
        HT_CHECK(!(sim->driver_features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX)) &&
                     !(sim->driver_features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC)),
                 "refused features were accepted");
        HT_CHECK(dev.info.capacity == 2048 && dev.info.blk_size == 512 && dev.info.seg_max == 254, "config values");
        HT_CHECK(dev.info.has_geometry && dev.info.cylinders == 2 && dev.info.heads == 16 && dev.info.sectors == 63,
                 "geometry");
        HT_CHECK(dev.info.has_topology && dev.info.min_io_size == 1, "topology");
        HT_CHECK(dev.info.flush && !dev.info.read_only, "flush/ro");
        HT_CHECK(dev.info.queue_size == 256 && dev.info.max_segments == 254, "queue %u segs %u", dev.info.queue_size,
                 dev.info.max_segments);
        HT_CHECK(sim->queue_enable && sim->queue_size == 256, "queue not enabled");
        HT_CHECK(sim->resets == 1, "%u resets", sim->resets);
        if (msix)
            HT_CHECK(sim->config_vector == 0 && sim->queue_vector == 1, "vectors %u %u", sim->config_vector,
                     sim->queue_vector);
        else
            HT_CHECK(sim->config_vector == VIRTIO_NO_VECTOR && sim->queue_vector == VIRTIO_NO_VECTOR,
                     "vectors written without MSI-X");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_negotiation(void)
{
    struct vsim_config c;
    HT_CASE("features_ok_refused")
    {
        vsim_default_config(&c, false);
        c.refuse_features_ok = true;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NOT_FOUND, "init should fail");
        HT_CHECK((sim->status & VIRTIO_STATUS_FAILED) && !(sim->status & VIRTIO_STATUS_DRIVER_OK), "status %#x",
                 sim->status);
        HT_CHECK(!dev.ready && virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 0, buf_phys(0), 1, 0) == MN_ERR_DEAD,
                 "usable after failure");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("feature_required_not_implemented")
    {
        /* A device that insists on VIRTIO_F_ACCESS_PLATFORM (an IOMMU): the driver does not take it. */
        vsim_default_config(&c, false);
        c.features |= VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
        c.required = VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NOT_FOUND, "init should fail");
        HT_CHECK(!(sim->driver_features & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM)), "accepted ACCESS_PLATFORM");
        HT_CHECK(sim->status & VIRTIO_STATUS_FAILED, "FAILED not set");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("no_version_1")
    {
        vsim_default_config(&c, false);
        c.features &= ~VIRTIO_BIT(VIRTIO_F_VERSION_1);
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NOT_FOUND, "init should fail");
        HT_CHECK(sim->driver_features == 0 && (sim->status & VIRTIO_STATUS_FAILED), "wrote features anyway");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("feature_without_config_refused")
    {
        /* The device config is too short for the geometry, block size and topology fields it offers. */
        vsim_default_config(&c, false);
        c.features |= VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX);
        c.size_max = 65536;
        c.device_len = 16;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init failed");
        uint64_t got = sim->driver_features;
        HT_CHECK((got & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX)) && (got & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)),
                 "fields that fit were refused");
        HT_CHECK(!(got & (VIRTIO_BIT(VIRTIO_BLK_F_GEOMETRY) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
                          VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY))),
                 "features %#llx include ones whose config is missing", (unsigned long long)got);
        HT_CHECK(dev.info.blk_size == 512 && !dev.info.has_geometry && dev.info.size_max == 65536, "info");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("read_only_device")
    {
        vsim_default_config(&c, false);
        c.features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK && dev.info.read_only, "init");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_OUT, 0, buf_phys(0), 1, 0) == MN_ERR_NO_RIGHTS, "write allowed");
        HT_CHECK(run(VIRTIO_BLK_T_IN, 5, buf_phys(0), 1) == MN_ERR_OK && vsim_is_stamped(buf(0), 5), "read");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_vectors(void)
{
    struct vsim_config c;
    for (int legacy = 0; legacy < 2; legacy++) {
        vsim_default_config(&c, legacy);
        c.msix = true;
        c.msix_table = 1; /* the device has one vector; the driver asks for vector 1 for the queue */
        setup(&c);
        params.msix_table_size = 2;
        HT_CASE(name("msix_vector_refused", legacy))
        {
            HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NOT_FOUND, "init should fail");
            HT_CHECK(sim->status & VIRTIO_STATUS_FAILED, "FAILED not set");
            HT_CHECK(sim_clean(), "device saw a violation");
        }
    }
    HT_CASE("msix_vector_past_table")
    {
        vsim_default_config(&c, false);
        c.msix = true;
        setup(&c);
        params.queue_vector = 2; /* table size 2 */
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_ARG, "accepted a vector past the table");
        HT_CHECK(sim->reads == 0 && sim->writes == 0, "touched the device");
        params.queue_vector = VIRTIO_NO_VECTOR; /* interrupts for the queue disabled, config on vector 0 */
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "NO_VECTOR refused");
        HT_CHECK(sim->queue_vector == VIRTIO_NO_VECTOR && sim->config_vector == 0, "vectors");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_bad_devices(void)
{
    struct vsim_config c;
    HT_CASE("reset_waits")
    {
        vsim_default_config(&c, false);
        c.reset_reads = 5;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init failed");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("reset_timeout")
    {
        vsim_default_config(&c, false);
        c.reset_reads = 100000;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_TIMEOUT, "init should time out");
        HT_CHECK(sim->reads <= 200, "%u reads waiting for the reset", sim->reads);
    }
    HT_CASE("config_never_stable")
    {
        vsim_default_config(&c, false);
        c.unstable_generation = true;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_FORMAT, "init should fail");
        HT_CHECK(sim->status & VIRTIO_STATUS_FAILED, "FAILED not set");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("missing_isr_cap")
    {
        setup_default(false);
        caps[1].cfg_type = 9; /* vendor-specific instead of ISR */
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NOT_FOUND, "init should fail");
        HT_CHECK(sim->reads == 0 && sim->writes == 0, "touched the device");
    }
    HT_CASE("short_common_cap")
    {
        setup_default(false);
        caps[0].length = 20;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_FORMAT, "init should fail");
        caps[0].length = 56;
        caps[0].bar = 6;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_FORMAT, "BAR 6 accepted");
        HT_CHECK(sim->reads == 0 && sim->writes == 0, "touched the device");
    }
    HT_CASE("first_usable_cap_wins")
    {
        setup_default(false);
        pci_virtio_cap_t more[6];
        more[0] = caps[0];
        more[0].length = 8; /* unusable: skipped */
        memcpy(&more[1], caps, sizeof caps);
        more[5] = caps[3];
        more[5].offset = 0x100000; /* a later notify structure is ignored */
        params.caps = more;
        params.ncaps = 6;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init failed");
        HT_CHECK(run(VIRTIO_BLK_T_IN, 7, buf_phys(0), 1) == MN_ERR_OK && vsim_is_stamped(buf(0), 7), "read");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("notify_offset_outside")
    {
        vsim_default_config(&c, false);
        c.queue_notify_off = 0x400; /* * 4 = 0x1000: just past the notify structure */
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_FORMAT, "init should fail");
        HT_CHECK(!sim->queue_enable && (sim->status & VIRTIO_STATUS_FAILED), "queue enabled anyway");
        HT_CHECK(sim_clean(), "device saw a violation");
        vsim_default_config(&c, false);
        c.queue_notify_off = 0x3FF; /* the last slot: fine */
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "last notify slot refused");
        HT_CHECK(run(VIRTIO_BLK_T_IN, 1, buf_phys(0), 1) == MN_ERR_OK && sim->notifies == 1, "notify");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("no_queue")
    {
        vsim_default_config(&c, false);
        c.num_queues = 0;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NOT_FOUND, "no queues accepted");
        vsim_default_config(&c, true);
        c.queue_max = 0;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NOT_FOUND, "queue size 0 accepted");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_queue_sizes(void)
{
    struct vsim_config c;
    HT_CASE("queue_size_choice")
    {
        vsim_default_config(&c, false);
        c.queue_max = 100; /* not a power of two: the driver picks 64 */
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK && dev.info.queue_size == 64, "queue %u",
                 dev.info.queue_size);
        setup_default(false);
        params.max_queue_size = 16;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK && sim->queue_size == 16, "max_queue_size ignored");
        setup_default(false);
        params.dma_size = virtio_blk_dma_size(32) + 100; /* room for 32 entries, not 64 */
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK && dev.info.queue_size == 32, "queue %u in a small area",
                 dev.info.queue_size);
        HT_CHECK(dev.dma_needed == virtio_blk_dma_size(32), "dma_needed");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("legacy_queue_size")
    {
        vsim_default_config(&c, true);
        c.queue_max = 100;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_FORMAT, "legacy queue of 100 accepted");
        vsim_default_config(&c, true);
        setup(&c);
        params.dma_size = 4096;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NO_MEMORY, "small DMA area accepted");
        HT_CHECK(dev.dma_needed == virtio_blk_dma_size(256), "dma_needed %zu", dev.dma_needed);
        vsim_default_config(&c, true);
        setup(&c);
        params.dma_phys = 1ull << 44; /* the page number no longer fits the 32-bit PFN register */
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_NO_MEMORY, "DMA above 2^44 accepted");
        vsim_default_config(&c, true);
        c.queue_max = 2;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_FORMAT, "queue of 2 accepted");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("legacy_ring_larger_than_descriptors")
    {
        /* A 1024-entry legacy ring: the driver uses 256 descriptors of it. */
        vsim_default_config(&c, true);
        c.queue_max = 1024;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init failed");
        HT_CHECK(dev.info.queue_size == 1024 && dev.vq.ndesc == 256 && dev.info.max_segments == 254, "sizes");
        unsigned n = 0;
        while (virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, n, buf_phys(n * 512), 1, n) == MN_ERR_OK)
            n++;
        HT_CHECK(n == 85, "%u requests fit", n);
        virtio_blk_kick(&dev);
        HT_CHECK(vsim_fetch(sim) == n, "fetch");
        vsim_complete(sim, ~0u, VSIM_SHUFFLE);
        unsigned got = 0;
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_OK && got == n, "poll %u", got);
        for (unsigned i = 0; i < n; i++)
            HT_CHECK(vsim_is_stamped(buf(i * 512), i), "sector %u", i);
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("params_checked")
    {
        setup_default(false);
        HT_CHECK(virtio_blk_init(NULL, &params) == MN_ERR_BAD_ARG && virtio_blk_init(&dev, NULL) == MN_ERR_BAD_ARG,
                 "NULL");
        params.dma_phys += 512;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_ARG, "unaligned DMA");
        params.dma_phys -= 512;
        params.ops = NULL;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_ARG, "no ops");
        struct virtio_ops no_barrier = ops;
        no_barrier.barrier = NULL;
        params.ops = &no_barrier;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_ARG, "no barrier");
        params.ops = &ops;
        params.legacy = true;
        params.legacy_bar_size = 20;
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_BAD_ARG, "legacy BAR too small");
        HT_CHECK(sim->reads == 0 && sim->writes == 0, "touched the device");
        HT_CHECK(virtio_blk_reset(&dev, NULL, NULL) == MN_ERR_BAD_ARG, "reset of a never-opened device");
    }
}

/* ---- data ---------------------------------------------------------------------------- */

static void test_read_all(bool legacy)
{
    setup_default(legacy);
    HT_CASE(name("read_all_sectors", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        const unsigned chunk = 64;
        for (unsigned lba = 0; lba < 2048; lba += chunk)
            HT_CHECK(run(VIRTIO_BLK_T_IN, lba, buf_phys(lba * 512), chunk) == MN_ERR_OK, "read at %u", lba);
        unsigned bad = 0;
        for (unsigned lba = 0; lba < 2048; lba++)
            bad += !vsim_is_stamped(buf(lba * 512), lba);
        HT_CHECK(bad == 0, "%u sectors wrong", bad);
        HT_CHECK(sim->sectors_read == 2048, "device read %llu sectors", (unsigned long long)sim->sectors_read);
        HT_CHECK(run(VIRTIO_BLK_T_IN, 2047, buf_phys(0), 1) == MN_ERR_OK && vsim_is_stamped(buf(0), 2047),
                 "last sector");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_write_range(bool legacy)
{
    setup_default(legacy);
    HT_CASE(name("write_range_exact", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        uint8_t *expect = malloc(sim->disk_bytes);
        memcpy(expect, sim->disk, sim->disk_bytes);
        /* Sectors 300..427: one 64-sector write, then 64 single-sector writes, each a distinct pattern. */
        for (unsigned i = 0; i < 128 * 512; i++)
            buf(0)[i] = (uint8_t)(i * 13 + (i >> 9) * 101 + 7);
        memcpy(expect + 300 * 512, buf(0), 128 * 512);
        HT_CHECK(run(VIRTIO_BLK_T_OUT, 300, buf_phys(0), 64) == MN_ERR_OK, "big write");
        for (unsigned i = 64; i < 128; i++)
            HT_CHECK(run(VIRTIO_BLK_T_OUT, 300 + i, buf_phys(i * 512), 1) == MN_ERR_OK, "write %u", i);
        HT_CHECK(run(VIRTIO_BLK_T_FLUSH, 0, 0, 0) == MN_ERR_OK && sim->flushes == 1, "flush");
        HT_CHECK(memcmp(sim->disk, expect, sim->disk_bytes) == 0, "disk image differs from what was written");
        size_t first = 0;
        while (first < sim->disk_bytes && sim->disk[first] == expect[first])
            first++;
        HT_CHECK(first == sim->disk_bytes, "first difference at byte %zu", first);
        /* Read it back through the driver too. */
        memset(buf(1 << 20), 0, 128 * 512);
        HT_CHECK(run(VIRTIO_BLK_T_IN, 300, buf_phys(1 << 20), 128) == MN_ERR_OK, "read back");
        HT_CHECK(memcmp(buf(1 << 20), expect + 300 * 512, 128 * 512) == 0, "read back differs");
        HT_CHECK(vsim_is_stamped(sim->disk + 299 * 512, 299) && vsim_is_stamped(sim->disk + 428 * 512, 428),
                 "neighbours touched");
        free(expect);
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_flush_and_id(void)
{
    struct vsim_config c;
    HT_CASE("flush_without_feature")
    {
        vsim_default_config(&c, false);
        c.features &= ~VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK && !dev.info.flush, "init");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0) == MN_ERR_BAD_ARG, "flush accepted");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("get_id")
    {
        setup_default(false);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        memset(buf(3), 0xEE, 32);
        HT_CHECK(run(VIRTIO_BLK_T_GET_ID, 0, buf_phys(3), 0) == MN_ERR_OK, "get id");
        HT_CHECK(memcmp(buf(3), sim->cfg.id, VIRTIO_BLK_ID_BYTES) == 0 && buf(3)[VIRTIO_BLK_ID_BYTES] == 0xEE,
                 "id bytes");
        sim->unsupp_types = 1u << VIRTIO_BLK_T_GET_ID;
        HT_CHECK(run(VIRTIO_BLK_T_GET_ID, 0, buf_phys(3), 0) == VIRTIO_BLK_ERR_UNSUPP, "UNSUPP not mapped");
        HT_CHECK(last()->status == VIRTIO_BLK_S_UNSUPP, "status");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_segments(void)
{
    struct vsim_config c;
    HT_CASE("scatter_gather")
    {
        setup_default(false);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        virtio_blk_seg_t segs[3] = {{buf_phys(0x30000), 1024}, {buf_phys(0x10000), 512}, {buf_phys(0x20000), 2048}};
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 40, segs, 3, 7) == MN_ERR_OK, "submitv");
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        vsim_complete(sim, 1, VSIM_FIFO);
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, NULL) == MN_ERR_OK && done.n == 1 &&
                     done.d[0].result == MN_ERR_OK,
                 "completion");
        HT_CHECK(vsim_is_stamped(buf(0x30000), 40) && vsim_is_stamped(buf(0x30200), 41) &&
                     vsim_is_stamped(buf(0x10000), 42),
                 "first segments");
        for (unsigned i = 0; i < 4; i++)
            HT_CHECK(vsim_is_stamped(buf(0x20000 + i * 512), 43 + i), "sector %u", 43 + i);
        HT_CHECK(done.d[0].len == 3584 + 1, "used length %u", done.d[0].len);
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    HT_CASE("size_max_split")
    {
        vsim_default_config(&c, false);
        c.features |= VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX);
        c.size_max = 4096;
        c.seg_max = 4;
        setup(&c);
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK && dev.info.max_segments == 4, "init");
        HT_CHECK(run(VIRTIO_BLK_T_IN, 100, buf_phys(0), 32) == MN_ERR_OK, "16 KiB read in 4 pieces");
        for (unsigned i = 0; i < 32; i++)
            HT_CHECK(vsim_is_stamped(buf(i * 512), 100 + i), "sector %u", 100 + i);
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 100, buf_phys(0), 33, 0) == MN_ERR_BAD_ARG,
                 "5 pieces accepted");
        virtio_blk_seg_t segs[5];
        for (unsigned i = 0; i < 5; i++)
            segs[i] = (virtio_blk_seg_t){buf_phys(i * 4096), 512};
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 5, 0) == MN_ERR_BAD_ARG, "5 segments accepted");
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 4, 0) == MN_ERR_OK, "4 segments refused");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

/* Many requests in flight, completed in scrambled order, refilled as they finish. */
static void test_many_in_flight(bool legacy)
{
    setup_default(legacy);
    HT_CASE(name("many_in_flight_out_of_order", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        /* Fill the queue: 3 descriptors per read, 256 descriptors: 85 requests. */
        unsigned n = 0;
        while (virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 2047 - n, buf_phys(n * 512), 1, n) == MN_ERR_OK)
            n++;
        HT_CHECK(n == 85 && dev.vq.num_free == 1, "%u requests, %u free", n, dev.vq.num_free);
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 0, buf_phys(0), 1, 0) == MN_ERR_WOULD_BLOCK,
                 "queue full not reported");
        HT_CHECK(sim->notifies == 0 && vsim_fetch(sim) == 0, "device saw requests before the kick");
        virtio_blk_kick(&dev);
        HT_CHECK(sim->notifies == 1 && vsim_fetch(sim) == 85 && sim->npending == 85, "one kick for all");
        vsim_complete(sim, ~0u, VSIM_SHUFFLE);
        unsigned got = 0;
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_OK && got == 85, "poll %u", got);
        bool seen[85] = {false}, order_scrambled = false;
        for (unsigned i = 0; i < done.n && i < 85; i++) {
            uint64_t k = done.d[i].cookie;
            HT_CHECK(k < 85 && !seen[k] && done.d[i].result == MN_ERR_OK, "completion %u cookie %llu", i,
                     (unsigned long long)k);
            if (k < 85)
                seen[k] = true;
            order_scrambled |= k != i;
        }
        HT_CHECK(order_scrambled, "completions came in submission order");
        for (unsigned i = 0; i < 85; i++)
            HT_CHECK(vsim_is_stamped(buf(i * 512), 2047 - i), "buffer %u", i);
        HT_CHECK(dev.vq.num_free == 256 && dev.vq.in_flight == 0, "descriptors leaked");

        /* A long run: random sizes and places, the device finishing random subsets in random order. */
        srand(legacy ? 7 : 11);
        unsigned issued = 0;
        done.n = 0;
        uint64_t lba_of[4096];
        uint32_t len_of[4096];
        for (unsigned rounds = 0; issued < 3000 && rounds < 100000; rounds++) {
            uint32_t sectors = 1 + rand() % 16;
            uint64_t lba = rand() % (2048 - sectors);
            int err = virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, lba, buf_phys((issued % 512) * 8192), sectors, issued);
            if (err == MN_ERR_OK) {
                lba_of[issued % 4096] = lba;
                len_of[issued % 4096] = sectors;
                issued++;
                if (rand() % 4)
                    continue;
            } else {
                HT_CHECK(err == MN_ERR_WOULD_BLOCK, "submit: %s", mn_error_name(err));
            }
            virtio_blk_kick(&dev);
            vsim_fetch(sim);
            vsim_complete(sim, rand() % 40, VSIM_SHUFFLE);
            unsigned before = done.n;
            HT_CHECK(virtio_blk_poll(&dev, collect, &done, NULL) == MN_ERR_OK, "poll");
            for (unsigned i = before; i < done.n; i++) {
                uint64_t k = done.d[i % 4096].cookie;
                const uint8_t *b = buf((k % 512) * 8192);
                for (unsigned s = 0; s < len_of[k % 4096]; s++)
                    HT_CHECK(vsim_is_stamped(b + s * 512, lba_of[k % 4096] + s), "request %llu sector %u",
                             (unsigned long long)k, s);
            }
            if (done.n > 3500)
                done.n = 0;
        }
        HT_CHECK(issued == 3000, "only %u requests issued", issued);
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        vsim_complete(sim, ~0u, VSIM_LIFO);
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, NULL) == MN_ERR_OK, "final poll");
        HT_CHECK(dev.vq.in_flight == 0 && dev.vq.num_free == 256, "left in flight: %u", dev.vq.in_flight);
        HT_CHECK(sim->max_pending >= 80, "only %u in flight at most", sim->max_pending);
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_small_queue(void)
{
    struct vsim_config c;
    vsim_default_config(&c, true);
    c.queue_max = 8;
    setup(&c);
    HT_CASE("queue_full_small_queue")
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK && dev.info.queue_size == 8, "init");
        HT_CHECK(dev.info.max_segments == 6, "max_segments %u", dev.info.max_segments);
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 0, buf_phys(0), 1, 1) == MN_ERR_OK, "1st");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 1, buf_phys(512), 1, 2) == MN_ERR_OK, "2nd");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 2, buf_phys(1024), 1, 3) == MN_ERR_WOULD_BLOCK, "3rd read");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 4) == MN_ERR_OK, "flush fits in 2");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 5) == MN_ERR_WOULD_BLOCK, "queue over full");
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        vsim_complete(sim, 1, VSIM_LIFO); /* the flush */
        unsigned got = 0;
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_OK && got == 1 && done.d[0].cookie == 4,
                 "flush first");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 6) == MN_ERR_OK, "room again");
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        vsim_complete(sim, ~0u, VSIM_FIFO);
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_OK && got == 3, "rest");
        HT_CHECK(vsim_is_stamped(buf(0), 0) && vsim_is_stamped(buf(512), 1), "data");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

/* ---- errors -------------------------------------------------------------------------- */

static void test_errors(bool legacy)
{
    setup_default(legacy);
    HT_CASE(name("error_mapping", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        sim->fail_lo = 500;
        sim->fail_hi = 510;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 495, buf_phys(0), 8) == VIRTIO_BLK_ERR_IO, "IOERR read");
        HT_CHECK(last()->status == VIRTIO_BLK_S_IOERR, "status %u", last()->status);
        HT_CHECK(run(VIRTIO_BLK_T_OUT, 509, buf_phys(0), 1) == VIRTIO_BLK_ERR_IO, "IOERR write");
        HT_CHECK(run(VIRTIO_BLK_T_IN, 510, buf_phys(0), 1) == MN_ERR_OK, "next to the bad range");
        sim->fail_lo = sim->fail_hi = 0;
        sim->unsupp_types = 1u << VIRTIO_BLK_T_FLUSH;
        HT_CHECK(run(VIRTIO_BLK_T_FLUSH, 0, 0, 0) == VIRTIO_BLK_ERR_UNSUPP, "UNSUPP");
        sim->unsupp_types = 0;
        sim->status_override = 7;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 1, buf_phys(0), 1) == VIRTIO_BLK_ERR_PROTOCOL, "status 7");
        HT_CHECK(last()->status == 7, "raw status");
        sim->status_override = VIRTIO_BLK_S_ABORTED;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 1, buf_phys(0), 1) == VIRTIO_BLK_ERR_PROTOCOL, "device wrote ABORTED");
        sim->status_override = -1;
        sim->skip_status = true;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 1, buf_phys(0), 1) == VIRTIO_BLK_ERR_PROTOCOL, "no status written");
        HT_CHECK(last()->status == VIRTIO_BLK_S_NONE, "status %u", last()->status);
        sim->skip_status = false;
        /* Used lengths: checked on the modern transport, ignored on the legacy one (5.2.6.3). */
        int want = legacy ? MN_ERR_OK : VIRTIO_BLK_ERR_PROTOCOL;
        sim->len_delta = 1;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 1, buf_phys(0), 2) == want, "used length too long");
        sim->len_delta = -1;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 1, buf_phys(0), 2) == want, "used length short of an OK read");
        HT_CHECK(run(VIRTIO_BLK_T_OUT, 1, buf_phys(0), 2) == want, "used length 0 for an OK write");
        sim->fail_lo = 0;
        sim->fail_hi = 10;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 1, buf_phys(0), 2) == VIRTIO_BLK_ERR_IO, "short length with IOERR");
        sim->fail_hi = 0;
        sim->len_delta = 0;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 1, buf_phys(0), 2) == MN_ERR_OK, "back to normal");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

/* The virtqueue layer's own argument checks (the block layer never gets them wrong). */
static void test_virtq_api(void)
{
    HT_CASE("virtq_api")
    {
        static virtq_t vq;
        static uint8_t ring[4 * 4096] __attribute__((aligned(4096)));
        setup_default(false);
        HT_CHECK(virtq_init(&vq, &ops, 0, 6, ring, 0x10000) == MN_ERR_BAD_ARG, "size 6");
        HT_CHECK(virtq_init(&vq, &ops, 0, 8, ring + 8, 0x10000) == MN_ERR_BAD_ARG, "misaligned memory");
        HT_CHECK(virtq_init(&vq, &ops, 0, 8, ring, 0x10100) == MN_ERR_BAD_ARG, "misaligned phys");
        HT_CHECK(virtq_ring_bytes(8) <= sizeof ring && virtq_init(&vq, &ops, 0, 8, ring, 0x10000) == MN_ERR_OK, "init");
        uint16_t head;
        HT_CHECK(virtq_chain_begin(&vq, 0, &head) == MN_ERR_BAD_ARG, "empty chain");
        HT_CHECK(virtq_chain_begin(&vq, 9, &head) == MN_ERR_BAD_ARG, "chain longer than the queue");
        HT_CHECK(virtq_next_head(&vq) == 0 && virtq_chain_begin(&vq, 2, &head) == MN_ERR_OK && head == 0, "begin");
        HT_CHECK(virtq_chain_begin(&vq, 1, &head) == MN_ERR_BAD_ARG, "two chains at once");
        virtq_chain_add(&vq, 0x1000, 16, false);
        virtq_chain_end(&vq); /* one descriptor short: not published */
        HT_CHECK(vq.avail_idx == 0 && vq.in_flight == 0, "half-built chain ended");
        virtq_chain_add(&vq, 0x2000, 1, true);
        virtq_chain_end(&vq);
        virtq_chain_add(&vq, 0x3000, 1, true); /* no chain being built: ignored */
        HT_CHECK(vq.avail_idx == 1 && vq.in_flight == 1 && vq.num_free == 6, "chain");
        HT_CHECK(vq.desc[0].flags == VIRTQ_DESC_F_NEXT && vq.desc[0].next == 1 &&
                     vq.desc[1].flags == VIRTQ_DESC_F_WRITE,
                 "descriptor flags");
        HT_CHECK(virtq_chain_begin(&vq, 7, &head) == MN_ERR_WOULD_BLOCK, "over the free count");
        vq.broken = true;
        HT_CHECK(virtq_chain_begin(&vq, 1, &head) == MN_ERR_DEAD, "broken queue");
        HT_CHECK(virtq_take_in_flight(&vq, &head) && head == 0 && !virtq_take_in_flight(&vq, &head), "take");
        HT_CHECK(vq.num_free == 8 && vq.in_flight == 0, "freed");
        virtio_blk_t *none = NULL;
        HT_CHECK(virtio_blk_poll(none, collect, &done, NULL) == MN_ERR_DEAD && virtio_blk_isr(none) == 0, "NULL dev");
    }
}

static void test_status_table(void)
{
    HT_CASE("status_error_table")
    {
        HT_CHECK(virtio_blk_status_error(VIRTIO_BLK_S_OK) == MN_ERR_OK, "OK");
        HT_CHECK(virtio_blk_status_error(VIRTIO_BLK_S_IOERR) == MN_ERR_IO, "IOERR");
        HT_CHECK(virtio_blk_status_error(VIRTIO_BLK_S_UNSUPP) == MN_ERR_UNSUPPORTED, "UNSUPP");
        HT_CHECK(virtio_blk_status_error(VIRTIO_BLK_S_ABORTED) == MN_ERR_DEAD, "ABORTED");
        for (unsigned s = 3; s < 256; s++)
            if (s != VIRTIO_BLK_S_ABORTED)
                HT_CHECK(virtio_blk_status_error((uint8_t)s) == MN_ERR_BAD_FORMAT, "status %u", s);
    }
}

/* Requests the driver must refuse: the device sees nothing, and nothing in the queue changes. */
static void test_rejected(bool legacy)
{
    setup_default(legacy);
    HT_CASE(name("rejected_before_device", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        uint64_t cap = dev.info.capacity;
        struct {
            unsigned type;
            uint64_t lba, buf;
            uint32_t n;
            int want;
        } bad[] = {
            {VIRTIO_BLK_T_IN, cap, buf_phys(0), 1, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_IN, cap - 1, buf_phys(0), 2, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_OUT, UINT64_MAX, buf_phys(0), 1, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_IN, UINT64_MAX - 1, buf_phys(0), 4, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_IN, 0, buf_phys(0), 0, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_IN, 0, buf_phys(0) + 1, 1, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_OUT, 0, buf_phys(0) + 256, 1, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_IN, 0, UINT64_MAX & ~511ull, 1, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_IN, 0, buf_phys(0), VIRTIO_BLK_MAX_SECTORS + 1, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_IN, 0, buf_phys(0), UINT32_MAX, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_FLUSH, 1, 0, 0, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_FLUSH, 0, buf_phys(0), 0, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_FLUSH, 0, 0, 1, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_GET_ID, 0, buf_phys(0), 1, MN_ERR_BAD_ARG},
            {VIRTIO_BLK_T_GET_ID, 5, buf_phys(0), 0, MN_ERR_BAD_ARG},
            {2, 0, buf_phys(0), 1, MN_ERR_BAD_ARG}, /* SCSI, legacy only, not implemented */
            {5, 0, 0, 0, MN_ERR_BAD_ARG},
            {11, 0, buf_phys(0), 1, MN_ERR_BAD_ARG}, /* discard */
        };
        for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            int err = virtio_blk_submit(&dev, bad[i].type, bad[i].lba, bad[i].buf, bad[i].n, i);
            HT_CHECK(err == bad[i].want, "case %u: %s", i, mn_error_name(err));
        }
        virtio_blk_seg_t segs[300];
        for (unsigned i = 0; i < 300; i++)
            segs[i] = (virtio_blk_seg_t){buf_phys(i * 512), 512};
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 255, 0) == MN_ERR_BAD_ARG, "255 segments");
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 300, 0) == MN_ERR_BAD_ARG, "300 segments");
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 0, 0) == MN_ERR_BAD_ARG, "0 segments");
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, NULL, 1, 0) == MN_ERR_BAD_ARG, "NULL segments");
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_FLUSH, 0, segs, 1, 0) == MN_ERR_BAD_ARG, "flush by submitv");
        segs[1].len = 100;
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 3, 0) == MN_ERR_BAD_ARG, "100-byte segment");
        segs[1].len = 0;
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 3, 0) == MN_ERR_BAD_ARG, "empty segment");
        segs[1] = (virtio_blk_seg_t){buf_phys(512), 512};
        segs[2].phys += 4;
        HT_CHECK(virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 3, 0) == MN_ERR_BAD_ARG, "misaligned segment");
        segs[2].phys -= 4;
        HT_CHECK(virtio_blk_submit(NULL, VIRTIO_BLK_T_IN, 0, buf_phys(0), 1, 0) == MN_ERR_BAD_ARG, "NULL dev");
        HT_CHECK(dev.vq.num_free == 256 && dev.vq.avail_idx == 0, "queue changed by refused requests");
        virtio_blk_kick(&dev);
        HT_CHECK(sim->notifies == 0 && vsim_fetch(sim) == 0, "device saw a refused request");
        /* The limits themselves are fine: 254 segments, the last sector. */
        int err = virtio_blk_submitv(&dev, VIRTIO_BLK_T_IN, 0, segs, 254, 1);
        HT_CHECK(err == MN_ERR_OK, "254 segments: %s", mn_error_name(err));
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        vsim_complete(sim, ~0u, VSIM_FIFO);
        unsigned got = 0;
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_OK && got == 1, "254 segments done");
        HT_CHECK(run(VIRTIO_BLK_T_IN, cap - 1, buf_phys(0), 1) == MN_ERR_OK, "last sector");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

/* A device returning used entries that name nothing in flight, or moving the index impossibly. */
static void test_bogus_used(bool legacy)
{
    setup_default(legacy);
    HT_CASE(name("bogus_used_entries", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 9, buf_phys(0), 1, 1) == MN_ERR_OK, "submit");
        uint16_t head = (uint16_t)(dev.vq.free_head - 3); /* the chain just built: 0, 1, 2 */
        HT_CHECK(head == 0, "head %u", head);
        vsim_push_used(sim, 0, 513); /* names the chain, but it was never published */
        unsigned got = 9;
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_BAD_FORMAT && got == 0, "unpublished chain");
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        vsim_push_used(sim, 300, 1); /* past the descriptors */
        vsim_push_used(sim, 1, 1); /* inside the chain, not its head */
        vsim_push_used(sim, 70000, 1);
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_BAD_FORMAT && got == 0 && done.n == 0,
                 "bogus ids delivered");
        HT_CHECK(dev.bad_completions == 4, "%u rejected", dev.bad_completions);
        vsim_complete(sim, ~0u, VSIM_FIFO);
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_OK && got == 1 && done.d[0].result == MN_ERR_OK,
                 "the real completion");
        vsim_push_used(sim, 0, 513); /* the same chain again */
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_BAD_FORMAT && got == 0, "duplicate");
        HT_CHECK(dev.vq.num_free == 256 && dev.vq.in_flight == 0, "accounting");
        /* An index more than a ring ahead: nothing is trusted any more. */
        HT_CHECK(run(VIRTIO_BLK_T_IN, 3, buf_phys(0), 1) == MN_ERR_OK, "still working");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 4, buf_phys(0), 1, 77) == MN_ERR_OK, "submit");
        virtio_blk_kick(&dev);
        vsim_set_used_idx(sim, (uint16_t)(sim->used_idx + 257 + 4));
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, &got) == MN_ERR_DEAD && got == 0, "index jump");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 4, buf_phys(0), 1, 0) == MN_ERR_DEAD, "submit after break");
        unsigned before = done.n;
        HT_CHECK(virtio_blk_reset(&dev, collect, &done) == MN_ERR_OK, "reset");
        HT_CHECK(done.n == before + 1 && done.d[before].cookie == 77 && done.d[before].result == VIRTIO_BLK_ERR_ABORTED,
                 "in-flight request not aborted");
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "re-init");
        HT_CHECK(run(VIRTIO_BLK_T_IN, 5, buf_phys(0), 1) == MN_ERR_OK && vsim_is_stamped(buf(0), 5), "after re-init");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_reset(bool legacy)
{
    struct vsim_config c;
    vsim_default_config(&c, legacy);
    c.msix = legacy; /* the legacy run also covers MSI-X moving the device config */
    setup(&c);
    HT_CASE(name("reset_and_reinit", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        for (unsigned i = 0; i < 10; i++)
            HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, i, buf_phys(i * 512), 1, 100 + i) == MN_ERR_OK, "submit");
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        vsim_complete(sim, 3, VSIM_FIFO); /* 3 done before the reset but not yet harvested */
        HT_CHECK(virtio_blk_reset(&dev, collect, &done) == MN_ERR_OK, "reset");
        HT_CHECK(sim->status == 0 && sim->resets == 2 && !dev.ready, "device not reset");
        HT_CHECK(done.n == 10, "%u aborted", done.n);
        for (unsigned i = 0; i < done.n; i++)
            HT_CHECK(done.d[i].result == VIRTIO_BLK_ERR_ABORTED && done.d[i].status == VIRTIO_BLK_S_ABORTED, "abort %u",
                     i);
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 0, buf_phys(0), 1, 0) == MN_ERR_DEAD, "submit after reset");
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, NULL) == MN_ERR_DEAD, "poll after reset");
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "re-init");
        HT_CHECK(dev.info.capacity == 2048, "capacity after re-init (device config offset)");
        done.n = 0;
        HT_CHECK(run(VIRTIO_BLK_T_IN, 77, buf_phys(0), 4) == MN_ERR_OK && vsim_is_stamped(buf(1536), 80),
                 "read after re-init");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

/* ---- notifications, interrupts, config changes, barriers -------------------------------- */

static void test_notifications(bool legacy)
{
    setup_default(legacy);
    HT_CASE(name("notify_and_interrupt_suppression", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        vsim_set_no_notify(sim, true);
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 1, buf_phys(0), 1, 1) == MN_ERR_OK, "submit");
        virtio_blk_kick(&dev);
        HT_CHECK(sim->notifies == 0, "notified although the device said not to");
        HT_CHECK(vsim_fetch(sim) == 1, "not published");
        vsim_set_no_notify(sim, false);
        virtio_blk_kick(&dev);
        HT_CHECK(sim->notifies == 0, "kick with nothing new notified");
        vsim_complete(sim, 1, VSIM_FIFO);
        HT_CHECK(sim->interrupts == 1, "interrupts %u", sim->interrupts);
        HT_CHECK(virtio_blk_isr(&dev) == VIRTIO_ISR_QUEUE && virtio_blk_isr(&dev) == 0, "ISR not read-to-clear");
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, NULL) == MN_ERR_OK && done.n == 1, "poll");
        virtio_blk_set_interrupts(&dev, false);
        HT_CHECK(run(VIRTIO_BLK_T_IN, 2, buf_phys(0), 1) == MN_ERR_OK, "polled request");
        HT_CHECK(sim->suppressed_interrupts == 1 && sim->interrupts == 1, "interrupt not suppressed");
        virtio_blk_set_interrupts(&dev, true);
        HT_CHECK(run(VIRTIO_BLK_T_IN, 3, buf_phys(0), 1) == MN_ERR_OK && sim->interrupts == 2, "interrupts back");
        HT_CHECK(sim_clean(), "device saw a violation");
    }
    setup_default(legacy);
    HT_CASE(name("config_change", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 2048, buf_phys(0), 1, 0) == MN_ERR_BAD_ARG, "past the end");
        vsim_config_change(sim, 4096);
        HT_CHECK(virtio_blk_isr(&dev) == VIRTIO_ISR_CONFIG, "config interrupt");
        HT_CHECK(virtio_blk_refresh(&dev) == MN_ERR_OK && dev.info.capacity == 4096, "capacity %llu",
                 (unsigned long long)dev.info.capacity);
        HT_CHECK(run(VIRTIO_BLK_T_IN, 4000, buf_phys(0), 1) == VIRTIO_BLK_ERR_IO, "grown part (the RAM disk is 2048)");
        vsim_config_change(sim, 1024);
        HT_CHECK(virtio_blk_refresh(&dev) == MN_ERR_OK && dev.info.capacity == 1024, "shrunk");
        HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, 1024, buf_phys(0), 1, 0) == MN_ERR_BAD_ARG, "old capacity");
        sim->status |= VIRTIO_STATUS_NEEDS_RESET;
        HT_CHECK(virtio_blk_refresh(&dev) == MN_ERR_DEAD, "NEEDS_RESET ignored");
        sim->status &= (uint8_t)~VIRTIO_STATUS_NEEDS_RESET;
        HT_CHECK(sim_clean(), "device saw a violation");
    }
}

static void test_barriers(bool legacy)
{
    setup_default(legacy);
    HT_CASE(name("barriers", legacy))
    {
        HT_CHECK(virtio_blk_init(&dev, &params) == MN_ERR_OK, "init");
        unsigned w = sim->barriers[VIRTIO_BARRIER_WRITE], r = sim->barriers[VIRTIO_BARRIER_READ],
                 f = sim->barriers[VIRTIO_BARRIER_FULL];
        for (unsigned i = 0; i < 5; i++)
            HT_CHECK(virtio_blk_submit(&dev, VIRTIO_BLK_T_IN, i, buf_phys(i * 512), 1, i) == MN_ERR_OK, "submit");
        HT_CHECK(sim->barriers[VIRTIO_BARRIER_WRITE] == w, "barriers while building");
        virtio_blk_kick(&dev);
        HT_CHECK(sim->barriers[VIRTIO_BARRIER_WRITE] == w + 1 && sim->barriers[VIRTIO_BARRIER_FULL] == f + 1,
                 "kick: write %u full %u", sim->barriers[VIRTIO_BARRIER_WRITE] - w,
                 sim->barriers[VIRTIO_BARRIER_FULL] - f);
        vsim_fetch(sim);
        vsim_complete(sim, ~0u, VSIM_FIFO);
        HT_CHECK(virtio_blk_poll(&dev, collect, &done, NULL) == MN_ERR_OK && done.n == 5, "poll");
        HT_CHECK(sim->barriers[VIRTIO_BARRIER_READ] >= r + 1, "no read barrier before the used entries");
        HT_CHECK(sim_clean(), "device saw a violation (including the WRITE-barrier check)");
    }
}

int main(void)
{
    HT_BEGIN("virtio");
    mem = aligned_alloc(4096, MEM_SIZE);
    for (int legacy = 0; legacy < 2; legacy++) {
        test_init(legacy, false);
        test_init(legacy, true);
    }
    test_negotiation();
    test_vectors();
    test_bad_devices();
    test_queue_sizes();
    for (int legacy = 0; legacy < 2; legacy++) {
        test_read_all(legacy);
        test_write_range(legacy);
        test_many_in_flight(legacy);
        test_errors(legacy);
        test_rejected(legacy);
        test_bogus_used(legacy);
        test_reset(legacy);
        test_notifications(legacy);
        test_barriers(legacy);
    }
    test_flush_and_id();
    test_segments();
    test_small_queue();
    test_status_table();
    test_virtq_api();
    vsim_free(sim);
    free(mem);
    return HT_END();
}
