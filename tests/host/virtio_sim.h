/*
 * A simulated virtio-blk PCI device for the lib/virtio host tests and
 * fuzzer, in either register layout: modern (common, notify, ISR and
 * device-config structures in a memory BAR, found through the capabilities
 * vsim_caps returns) or legacy (the transitional I/O-port block in BAR 0).
 *
 * It behaves like a device where the driver depends on it: feature
 * negotiation with FEATURES_OK, reset, queue registers, MSI-X vector
 * registers that refuse vectors past the table, read-to-clear ISR, config
 * generation. It really processes the rings in "guest memory" (a buffer
 * the test owns, mapped at a physical base: phys = base + offset): fetching
 * chains from the available ring, executing them against a RAM disk whose
 * sectors are stamped with their LBA, writing the status byte and filling
 * the used ring, in order or not.
 *
 * It also checks the driver, recording the first violation in first_error:
 * every register access must hit one field at its own width and offset, in
 * the order the spec allows (features before FEATURES_OK, queues before
 * DRIVER_OK, status bits only added); rings must be aligned and inside
 * guest memory; every chain must be a well-formed block request (header,
 * data in the right direction, status; no loops, no descriptor of a chain
 * still in flight, inside the negotiated seg_max/size_max, inside the
 * disk); the available index may only move between a WRITE and a FULL
 * barrier, and whatever it publishes must have been in place at the WRITE
 * barrier.
 */
#ifndef VIRTIO_SIM_H
#define VIRTIO_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio/virtio.h"

#define VSIM_MODERN_BAR 4
#define VSIM_LEGACY_BAR 0
#define VSIM_MAX_QUEUE 32768

enum vsim_order { VSIM_FIFO, VSIM_LIFO, VSIM_SHUFFLE };

/* What the device is: features, sizes, config values, register layout. */
struct vsim_config {
    bool legacy;
    bool msix; /* MSI-X enabled on the function */
    uint16_t msix_table; /* vectors below this are accepted; others read back VIRTIO_NO_VECTOR */
    uint64_t features; /* offered */
    uint64_t required; /* FEATURES_OK does not stick unless the driver accepted all of these */
    bool refuse_features_ok; /* FEATURES_OK never sticks */
    uint16_t queue_max; /* queue 0's size after reset */
    uint16_t num_queues;
    uint64_t capacity; /* sectors */
    uint32_t size_max, seg_max, blk_size;
    uint16_t cylinders;
    uint8_t heads, sectors;
    uint8_t phys_block_exp, align_offset;
    uint16_t min_io;
    uint32_t opt_io;
    char id[VIRTIO_BLK_ID_BYTES];
    /* Modern layout inside BAR VSIM_MODERN_BAR (offsets and lengths as the capabilities describe them). */
    uint32_t common_off, common_len, isr_off, isr_len, device_off, device_len, notify_off, notify_len;
    uint32_t notify_multiplier;
    uint16_t queue_notify_off;
    uint32_t bar_size; /* modern: the memory BAR; legacy: the I/O BAR */
    unsigned reset_reads; /* status reads after a reset that still show it in progress */
    uint32_t disk_sectors; /* sectors the RAM disk holds (0: the capacity, at most 65536); reads past are I/O errors */
    bool unstable_generation; /* config_generation changes on every read */
};

/* A request fetched from the available ring and not yet completed. */
struct vsim_req {
    uint16_t head;
    uint32_t type;
    uint64_t sector;
    uint32_t data_bytes;
    unsigned ndesc, ndata;
    uint64_t status_phys;
    uint64_t *data_phys; /* ndata entries */
    uint32_t *data_len;
    uint16_t *descs; /* ndesc descriptor indices */
};

struct vsim {
    struct vsim_config cfg;
    uint8_t *mem; /* guest memory */
    size_t mem_size;
    uint64_t phys_base;
    uint8_t *disk; /* capacity * 512 bytes */
    size_t disk_bytes;

    /* registers */
    uint8_t status;
    uint32_t dfselect, gfselect;
    uint64_t driver_features;
    uint16_t config_vector, queue_vector;
    uint16_t queue_select;
    uint16_t queue_size; /* queue 0 */
    uint16_t queue_enable;
    uint64_t queue_desc, queue_avail, queue_used;
    uint32_t queue_pfn;
    uint8_t isr;
    uint8_t generation;
    unsigned reset_reads_left;

    /* queue processing */
    uint16_t last_avail, used_idx;
    uint8_t *owned; /* per descriptor: part of a pending chain */
    struct vsim_req **pending;
    unsigned npending;
    uint8_t *snap; /* desc table and avail ring at the last WRITE barrier */
    bool snap_valid;
    uint16_t avail_idx_seen; /* the avail index at the last FULL barrier: it may only move after a WRITE one */

    /* behaviour */
    bool auto_complete; /* a notify fetches and completes everything, in order */
    bool fetch_on_notify; /* a notify fetches (the test completes) */
    bool no_notify; /* keep VIRTQ_USED_F_NO_NOTIFY set */
    uint64_t fail_lo, fail_hi; /* reads and writes touching [lo, hi) end with IOERR */
    uint32_t unsupp_types; /* bit t: requests of type t end with UNSUPP */
    int status_override; /* >= 0: the status byte written instead */
    int64_t len_delta; /* added to the used length reported */
    bool skip_status; /* complete without writing the status byte */
    uint32_t seed;

    /* counters */
    unsigned notifies, resets, flushes, completions, interrupts, suppressed_interrupts, failed;
    unsigned barriers[3]; /* by enum virtio_barrier */
    unsigned reads, writes; /* register accesses */
    uint64_t sectors_read, sectors_written;
    unsigned max_pending;

    /* A hostile device for the fuzzer: every register value read passes through this (NULL: none). */
    uint32_t (*read_filter)(void *arg, uint8_t bar, uint32_t off, unsigned width, uint32_t value);
    void *filter_arg;

    unsigned errors; /* every violation */
    unsigned access_errors; /* of those, accesses outside the registers (wrong place or width, whatever the values) */
    char first_error[256];
};

/* A QEMU-like device: VERSION_1 (modern), SEG_MAX, GEOMETRY, BLK_SIZE, FLUSH, TOPOLOGY; 256 entries; 2048 sectors. */
void vsim_default_config(struct vsim_config *c, bool legacy);

/* A device over guest memory [mem, mem + mem_size) at physical phys_base, with a stamped disk. */
struct vsim *vsim_new(const struct vsim_config *c, uint8_t *mem, size_t mem_size, uint64_t phys_base);
void vsim_free(struct vsim *s);

struct virtio_ops vsim_ops(struct vsim *s);
/* The modern layout's capabilities, QEMU's order (common, ISR, device, notify); returns how many (4). */
unsigned vsim_caps(const struct vsim *s, pci_virtio_cap_t caps[4]);

/* Guest memory: the host pointer for [phys, phys + len), or NULL when it is not all inside. */
void *vsim_virt(const struct vsim *s, uint64_t phys, size_t len);
uint64_t vsim_phys(const struct vsim *s, const void *p);

/* The disk pattern: sector lba starts with lba (little endian) and continues with bytes derived from it. */
void vsim_stamp(uint8_t *sector, uint64_t lba);
bool vsim_is_stamped(const uint8_t *sector, uint64_t lba);

/* Pulls the chains the driver published into the pending list; returns how many. */
unsigned vsim_fetch(struct vsim *s);
/* Completes up to n pending requests in the given order; returns how many. */
unsigned vsim_complete(struct vsim *s, unsigned n, enum vsim_order order);
/* Writes a raw used entry (a hostile device); a pending request with that head is dropped unexecuted. */
void vsim_push_used(struct vsim *s, uint32_t id, uint32_t len);
/* Forgets the pending request with this head (a device that dropped it); returns whether there was one. */
bool vsim_forget(struct vsim *s, uint16_t head);
/* Writes the used index directly (a hostile device). */
void vsim_set_used_idx(struct vsim *s, uint16_t idx);
/* Sets or clears VIRTQ_USED_F_NO_NOTIFY in the used ring now and after each completion. */
void vsim_set_no_notify(struct vsim *s, bool on);
/* A configuration change: new capacity, the generation moves, the ISR config bit is set. */
void vsim_config_change(struct vsim *s, uint64_t capacity);

#endif
