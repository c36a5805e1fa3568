/*
 * virtio: the portable core of the virtio-blk driver. Three layers, one
 * file each:
 *   virtio_pci.c   the PCI transport, modern (virtio 1.x structures found
 *                  through vendor capabilities) and legacy (the I/O-port
 *                  register block of transitional devices, BAR 0)
 *   virtqueue.c    split virtqueues: descriptor free list, chains, the
 *                  available and used rings with their barriers
 *   virtio_blk.c   the block device: initialization (virtio 1.x 3.1),
 *                  feature negotiation, read/write/flush/get-id requests,
 *                  completions and their errors
 *
 * Freestanding and allocation-free: the device is reached only through the
 * caller's struct virtio_ops (register access by BAR and offset, barriers,
 * an optional delay), and the memory the device reads and writes is one
 * area of DMA-able memory the caller passes in (virtual and physical
 * address). The same code runs in the driver process and against the
 * simulated device of the host tests and the fuzzer.
 *
 * The device is untrusted: every register value it presents is checked
 * before use (structure lengths, queue sizes, notify offsets, config
 * fields), every used-ring entry is checked against what is in flight, and
 * the library only ever touches registers inside the structures the device
 * described and memory inside the DMA area. Nothing a device does makes the
 * library loop without bound.
 *
 * Limits: one request queue (queue 0; VIRTIO_BLK_F_MQ is not negotiated),
 * split rings only, no indirect descriptors (VIRTIO_F_INDIRECT_DESC), no
 * VIRTIO_F_EVENT_IDX (notification suppression uses the flags words), at
 * most VIRTQ_MAX_DESC descriptors in use per queue. The CPU must be little
 * endian (modern devices are little endian; legacy ones use the CPU's
 * order, which makes them little endian too). Not thread-safe: the caller
 * serializes calls on one device. See docs/virtio.md.
 *
 * Specification: virtio 1.x (OASIS), sections 2 (basic facilities), 3.1
 * (initialization), 4.1 (PCI transport, legacy interface 4.1.4.10), 5.2
 * (block device).
 */
#ifndef VIRTIO_VIRTIO_H
#define VIRTIO_VIRTIO_H

#include <mnos/errors.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci/pci.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "lib/virtio assumes a little-endian CPU");

/* Descriptors a queue uses at most (its private bookkeeping is sized by this; a bigger ring is used partly). */
#define VIRTQ_MAX_DESC 256u
/* The largest queue size the split ring allows. */
#define VIRTQ_MAX_SIZE 32768u
/* Ring parts are aligned to this (the legacy layout, which satisfies the modern 16/2/4 alignments too). */
#define VIRTQ_ALIGN 4096u

/* ---- device status (2.1) --------------------------------------------------- */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* ---- feature bits (6, 5.2.3) ----------------------------------------------- */
#define VIRTIO_F_ANY_LAYOUT 27
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ 12

#define VIRTIO_BIT(f) (1ull << (f))

/* What the block driver accepts when offered; everything else is refused (left out of the driver features). */
#define VIRTIO_BLK_FEATURES \
    (VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_GEOMETRY) | \
     VIRTIO_BIT(VIRTIO_BLK_F_RO) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | \
     VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY))

/* ---- PCI transport registers ---------------------------------------------- */
/* Modern common configuration structure (4.1.4.3): byte offsets and widths. */
#define VIRTIO_PCI_DEVICE_FEATURE_SELECT 0 /* 32 */
#define VIRTIO_PCI_DEVICE_FEATURE 4 /* 32, read-only */
#define VIRTIO_PCI_DRIVER_FEATURE_SELECT 8 /* 32 */
#define VIRTIO_PCI_DRIVER_FEATURE 12 /* 32 */
#define VIRTIO_PCI_CONFIG_MSIX_VECTOR 16 /* 16 */
#define VIRTIO_PCI_NUM_QUEUES 18 /* 16, read-only */
#define VIRTIO_PCI_DEVICE_STATUS 20 /* 8 */
#define VIRTIO_PCI_CONFIG_GENERATION 21 /* 8, read-only */
#define VIRTIO_PCI_QUEUE_SELECT 22 /* 16 */
#define VIRTIO_PCI_QUEUE_SIZE 24 /* 16 */
#define VIRTIO_PCI_QUEUE_MSIX_VECTOR 26 /* 16 */
#define VIRTIO_PCI_QUEUE_ENABLE 28 /* 16 */
#define VIRTIO_PCI_QUEUE_NOTIFY_OFF 30 /* 16, read-only */
#define VIRTIO_PCI_QUEUE_DESC 32 /* 64, as two 32-bit halves, low first */
#define VIRTIO_PCI_QUEUE_DRIVER 40 /* 64, the available ring */
#define VIRTIO_PCI_QUEUE_DEVICE 48 /* 64, the used ring */
#define VIRTIO_PCI_COMMON_MIN_LENGTH 56 /* the fields above; virtio 1.2 appends more */

/* Legacy register block in the I/O BAR (4.1.4.10), guest byte order. */
#define VIRTIO_LEGACY_HOST_FEATURES 0 /* 32, read-only */
#define VIRTIO_LEGACY_GUEST_FEATURES 4 /* 32 */
#define VIRTIO_LEGACY_QUEUE_PFN 8 /* 32: physical address >> 12 */
#define VIRTIO_LEGACY_QUEUE_SIZE 12 /* 16, read-only */
#define VIRTIO_LEGACY_QUEUE_SELECT 14 /* 16 */
#define VIRTIO_LEGACY_QUEUE_NOTIFY 16 /* 16 */
#define VIRTIO_LEGACY_DEVICE_STATUS 18 /* 8 */
#define VIRTIO_LEGACY_ISR 19 /* 8, read clears */
#define VIRTIO_LEGACY_CONFIG_MSIX_VECTOR 20 /* 16, only while MSI-X is enabled */
#define VIRTIO_LEGACY_QUEUE_MSIX_VECTOR 22 /* 16, only while MSI-X is enabled */
#define VIRTIO_LEGACY_CONFIG 20 /* device config without MSI-X; VIRTIO_LEGACY_CONFIG_MSIX with it */
#define VIRTIO_LEGACY_CONFIG_MSIX 24
#define VIRTIO_LEGACY_PFN_SHIFT 12

#define VIRTIO_ISR_QUEUE 0x01
#define VIRTIO_ISR_CONFIG 0x02
#define VIRTIO_NO_VECTOR 0xFFFFu

/* ---- block device (5.2) ---------------------------------------------------- */
#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_ID_BYTES 20u
/* Sectors per request at most: a chain (header, data, status) stays under 4 GiB (2.7.5.1). */
#define VIRTIO_BLK_MAX_SECTORS (UINT32_MAX / VIRTIO_BLK_SECTOR)

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

/* Status bytes: the three the device writes, and two of the library's that it never does. */
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_S_ABORTED 0xFE /* the device was reset with the request in flight */
#define VIRTIO_BLK_S_NONE 0xFF /* the device did not write the status byte (it is preset to this) */

/* Device config layout (5.2.4): byte offsets. */
#define VIRTIO_BLK_CFG_CAPACITY 0 /* 64 */
#define VIRTIO_BLK_CFG_SIZE_MAX 8 /* 32 */
#define VIRTIO_BLK_CFG_SEG_MAX 12 /* 32 */
#define VIRTIO_BLK_CFG_CYLINDERS 16 /* 16 */
#define VIRTIO_BLK_CFG_HEADS 18 /* 8 */
#define VIRTIO_BLK_CFG_SECTORS 19 /* 8 */
#define VIRTIO_BLK_CFG_BLK_SIZE 20 /* 32 */
#define VIRTIO_BLK_CFG_PHYS_BLOCK_EXP 24 /* 8 */
#define VIRTIO_BLK_CFG_ALIGN_OFFSET 25 /* 8 */
#define VIRTIO_BLK_CFG_MIN_IO_SIZE 26 /* 16 */
#define VIRTIO_BLK_CFG_OPT_IO_SIZE 28 /* 32 */

/*
 * Completion errors: how a request's outcome maps to the ABI's codes.
 *   VIRTIO_BLK_S_OK                         MN_ERR_OK
 *   VIRTIO_BLK_S_IOERR (the device failed)  VIRTIO_BLK_ERR_IO      = MN_ERR_IO
 *   VIRTIO_BLK_S_UNSUPP                     VIRTIO_BLK_ERR_UNSUPP  = MN_ERR_UNSUPPORTED
 *   any other byte, no status written, or a used length that does not fit the request
 *                                           VIRTIO_BLK_ERR_PROTOCOL = MN_ERR_BAD_FORMAT
 *   reset with the request in flight        VIRTIO_BLK_ERR_ABORTED = MN_ERR_DEAD
 * The ABI has no I/O-error code yet; these names are where it would go.
 */
#define VIRTIO_BLK_ERR_IO MN_ERR_IO
#define VIRTIO_BLK_ERR_UNSUPP MN_ERR_UNSUPPORTED
#define VIRTIO_BLK_ERR_PROTOCOL MN_ERR_BAD_FORMAT
#define VIRTIO_BLK_ERR_ABORTED MN_ERR_DEAD

/* ---- what the caller provides ---------------------------------------------- */

/* Barrier kinds: order the library's stores to DMA memory, its loads from it, or both (stores before loads). */
enum virtio_barrier {
    VIRTIO_BARRIER_WRITE,
    VIRTIO_BARRIER_READ,
    VIRTIO_BARRIER_FULL,
};

/*
 * How the library reaches the device. read and write access the width-byte
 * (1, 2 or 4) register at byte `off` of BAR `bar` (0..5); the library only
 * passes offsets that are a multiple of the width and lie inside a
 * structure the device described (modern) or the legacy register block.
 * Values are in the CPU's byte order. 64-bit fields are always accessed as
 * two 32-bit halves, low first (4.1.3.1), so there is no 64-bit access; an
 * x86 I/O BAR could not do one either. A register write must reach the
 * device after the library's earlier stores to DMA memory (true of x86
 * uncached MMIO and port I/O; the library also puts a FULL barrier before
 * every notification).
 *
 * barrier(kind) orders the library's accesses to DMA memory as the device
 * sees them: on x86 with coherent DMA, WRITE and READ need only stop the
 * compiler (the call itself does) and FULL is an MFENCE or a locked
 * instruction. delay_us may be NULL (the library then re-reads at once);
 * it is only used while waiting for a reset to finish.
 */
struct virtio_ops {
    uint32_t (*read)(void *ctx, uint8_t bar, uint32_t off, unsigned width);
    void (*write)(void *ctx, uint8_t bar, uint32_t off, unsigned width, uint32_t value);
    void (*barrier)(void *ctx, enum virtio_barrier kind);
    void (*delay_us)(void *ctx, uint32_t us);
    void *ctx;
};

/* ---- transport (virtio_pci.c) ---------------------------------------------- */

/* A structure inside a BAR. */
typedef struct virtio_region {
    uint8_t bar;
    uint32_t offset, length;
} virtio_region_t;

typedef struct virtio_pci {
    const struct virtio_ops *ops;
    bool legacy;
    bool msix; /* MSI-X vectors in use (legacy: the vector registers exist and the device config moved) */
    virtio_region_t common; /* modern: common config; legacy: the register block up to the device config */
    virtio_region_t notify, isr, device;
    uint32_t notify_multiplier;
    uint8_t status; /* the status bits the driver has set since the last reset */
} virtio_pci_t;

/*
 * Opens the modern transport from the device's virtio capabilities (as
 * lib/pci decodes them, in capability-list order): the first usable common,
 * notify, ISR and device-config structure each is used (4.1.4.1); one that
 * is too short (common < 56 bytes, notify < 2, ISR < 1, device config < 8),
 * misaligned (common and device config 4, notify 2), past 4 GiB or in
 * BAR > 5 is skipped. msix: MSI-X is enabled on the function, so the
 * vector registers are written. Reads no register. Returns MN_ERR_OK;
 * MN_ERR_BAD_ARG for NULL or incomplete ops, NULL t, or NULL caps with
 * ncaps > 0; MN_ERR_NOT_FOUND when one of the four structures is missing;
 * MN_ERR_BAD_FORMAT when all capabilities of one of them were unusable.
 */
int virtio_pci_open_modern(virtio_pci_t *t, const struct virtio_ops *ops, const pci_virtio_cap_t *caps, unsigned ncaps,
                           bool msix);

/*
 * Opens the legacy transport: the register block at the start of I/O BAR
 * `bar` of `bar_size` bytes; with msix (MSI-X enabled on the function) the
 * vector registers exist and the device config starts at 24, else at 20.
 * Reads no register. Returns MN_ERR_OK, or MN_ERR_BAD_ARG for bad ops, NULL
 * t, bar > 5, or a BAR too small to hold the register block and 8 bytes of
 * device config.
 */
int virtio_pci_open_legacy(virtio_pci_t *t, const struct virtio_ops *ops, uint8_t bar, uint32_t bar_size, bool msix);

/*
 * Resets the device (writes 0 to the status) and waits, up to about 100 ms
 * of delay_us, for the status to read 0 (4.1.4.3.2). Returns MN_ERR_OK or
 * MN_ERR_TIMEOUT.
 */
int virtio_pci_reset(virtio_pci_t *t);

/* The device status register as the device presents it. */
uint8_t virtio_pci_status(virtio_pci_t *t);

/* Adds status bits to those the driver has set and writes them all. */
void virtio_pci_add_status(virtio_pci_t *t, uint8_t bits);

/*
 * Feature negotiation (3.1.1 steps 4-6): reads the device's features (64
 * bits modern, 32 legacy), writes those also in `supported`, and on the
 * modern transport sets FEATURES_OK and checks that it stuck. *accepted
 * gets the features in force. Returns MN_ERR_OK; MN_ERR_NOT_FOUND when the
 * modern device does not offer VIRTIO_F_VERSION_1 (nothing is written
 * then) or did not keep FEATURES_OK (it needs a feature we refused).
 */
int virtio_pci_negotiate(virtio_pci_t *t, uint64_t supported, uint64_t *accepted);

/*
 * The size of queue q as the device offers it (its maximum; 0: no such
 * queue) in *size. Returns MN_ERR_OK, or MN_ERR_NOT_FOUND when the modern
 * device has fewer than q + 1 queues (*size is 0 then).
 */
int virtio_pci_queue_size(virtio_pci_t *t, uint16_t q, uint16_t *size);

/*
 * Configures and enables queue q with `size` entries (modern: any power of
 * two up to the device's maximum; legacy: exactly the device's size) whose
 * parts are at desc/avail/used (legacy: contiguous in the legacy layout,
 * desc 4096-aligned below 2^44), interrupting on MSI-X vector `vector`
 * (VIRTIO_NO_VECTOR: none; ignored without MSI-X). *notify_off gets the
 * queue's byte offset inside the notify structure, for virtio_pci_notify.
 * Returns MN_ERR_OK; MN_ERR_BAD_ARG for a size or address the transport
 * cannot take; MN_ERR_BAD_FORMAT when the device's notify offset lies
 * outside its notify structure; MN_ERR_NOT_FOUND when the device refused
 * the vector (read back another value).
 */
int virtio_pci_queue_enable(virtio_pci_t *t, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
                            uint16_t vector, uint32_t *notify_off);

/* Tells the device that queue q has new buffers (a 16-bit write of q at notify_off). */
void virtio_pci_notify(virtio_pci_t *t, uint16_t q, uint32_t notify_off);

/*
 * Routes configuration-change interrupts to MSI-X vector `vector` (modern
 * and legacy with MSI-X). Returns MN_ERR_OK; MN_ERR_BAD_ARG without MSI-X;
 * MN_ERR_NOT_FOUND when the device refused it.
 */
int virtio_pci_set_config_vector(virtio_pci_t *t, uint16_t vector);

/* Reads and so acknowledges the ISR status (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG; other bits are reserved). */
uint8_t virtio_pci_isr(virtio_pci_t *t);

/* The configuration generation (modern; always 0 on the legacy transport, which has none). */
uint8_t virtio_pci_config_generation(virtio_pci_t *t);

/*
 * Reads the width-byte field at `off` of the device-specific config into
 * *value. Returns MN_ERR_OK, or MN_ERR_BAD_ARG for a width other than 1, 2
 * or 4, an offset not a multiple of it, or a field not inside the device
 * config (*value is 0 then).
 */
int virtio_pci_config_read(virtio_pci_t *t, uint32_t off, unsigned width, uint32_t *value);

/* ---- split virtqueue (virtqueue.c) ------------------------------------------ */

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[]; /* then used_event, unused without VIRTIO_F_EVENT_IDX */
};
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[]; /* then avail_event */
};
#define VIRTQ_USED_F_NO_NOTIFY 1

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes (2.7.5)");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem is 8 bytes (2.7.8)");
_Static_assert(sizeof(struct virtq_avail) == 4 && sizeof(struct virtq_used) == 4, "ring headers are 4 bytes");

/*
 * One queue. The rings live in DMA memory; everything the library relies
 * on (free list, chains, indices) is kept privately, so a device scribbling
 * on the rings cannot mislead it about which descriptors are free.
 */
typedef struct virtq {
    const struct virtio_ops *ops;
    uint16_t index; /* queue number */
    uint16_t size; /* ring entries: a power of two */
    uint16_t ndesc; /* descriptors used: min(size, VIRTQ_MAX_DESC) */
    uint32_t notify_off;
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint64_t desc_phys, avail_phys, used_phys;
    uint16_t free_head, num_free; /* free list through next[] */
    uint16_t in_flight; /* chains handed to the device and not yet returned */
    uint16_t avail_idx; /* next avail ring slot (free running) */
    uint16_t published; /* avail idx the device has been shown */
    uint16_t last_used; /* next used ring slot to read (free running) */
    uint16_t building; /* descriptors still to add to the chain being built */
    uint16_t build_len, build_head, build_tail; /* the chain being built (head 0xFFFF: none) */
    bool broken; /* the device moved the used index impossibly far: nothing more is trusted */
    uint16_t next[VIRTQ_MAX_DESC]; /* free list and chain links */
    uint16_t chain_len[VIRTQ_MAX_DESC]; /* per chain head: descriptors; 0: not an in-flight head */
    uint16_t avail_slot[VIRTQ_MAX_DESC]; /* per chain head: the avail ring slot (free running) it went into */
} virtq_t;

/* Bytes of a queue of `size` entries in the legacy layout: descriptors and available ring, padding, used ring. */
size_t virtq_ring_bytes(uint16_t size);

/* Offsets of the available and used rings from the start of that layout. */
size_t virtq_avail_offset(uint16_t size);
size_t virtq_used_offset(uint16_t size);

/*
 * Lays queue `index` of `size` entries (a power of two, 1..32768) out in
 * the legacy layout at mem (virtual, 16-byte aligned) = phys (4096-aligned),
 * virtq_ring_bytes(size) bytes, zeroes it and builds the free list. Returns
 * MN_ERR_OK or MN_ERR_BAD_ARG.
 */
int virtq_init(virtq_t *vq, const struct virtio_ops *ops, uint16_t index, uint16_t size, void *mem, uint64_t phys);

/*
 * Building a chain: virtq_chain_begin reserves n descriptors (1..ndesc) and
 * gives the head index in *head; exactly n virtq_chain_add calls follow,
 * device-readable buffers before device-writable ones (2.7.4.2); then
 * virtq_chain_end puts the head in the available ring, where the device
 * sees it after the next virtq_publish (before the n-th add it does
 * nothing; extra adds are ignored). Only one chain is built at a time.
 * virtq_chain_begin returns MN_ERR_OK; MN_ERR_WOULD_BLOCK when fewer than
 * n descriptors are free; MN_ERR_BAD_ARG for n of 0 or above ndesc, or
 * while another chain is being built; MN_ERR_DEAD when the queue is broken.
 */
int virtq_chain_begin(virtq_t *vq, unsigned n, uint16_t *head);
void virtq_chain_add(virtq_t *vq, uint64_t phys, uint32_t len, bool device_writes);
void virtq_chain_end(virtq_t *vq);

/* The head index the next virtq_chain_begin will give (valid while a descriptor is free). */
uint16_t virtq_next_head(const virtq_t *vq);

/*
 * Shows the device the chains ended since the last call (a WRITE barrier,
 * then the available index, then a FULL barrier) and returns whether it
 * wants a notification: false when nothing was new or the device set
 * VIRTQ_USED_F_NO_NOTIFY.
 */
bool virtq_publish(virtq_t *vq);

/*
 * Takes the next used-ring entry: *head and *len get its chain head and
 * used length, and the chain's descriptors are freed. Returns MN_ERR_OK;
 * MN_ERR_WOULD_BLOCK when there is none; MN_ERR_BAD_FORMAT when the entry
 * names no chain in flight that the device has been shown (it is skipped;
 * *head and *len get its raw values, the id cut to 16 bits); MN_ERR_DEAD when the queue is broken (the
 * device claimed more entries than the ring holds; it stays broken until
 * virtq_init).
 */
int virtq_get_used(virtq_t *vq, uint16_t *head, uint32_t *len);

/*
 * After a device reset: frees one in-flight chain and gives its head.
 * Returns false when none is left. The device must no longer be running.
 */
bool virtq_take_in_flight(virtq_t *vq, uint16_t *head);

/* Asks the device to interrupt (true) or not (false) when it uses buffers (a hint, 2.7.7). */
void virtq_set_interrupts(virtq_t *vq, bool on);

/* ---- block device (virtio_blk.c) ------------------------------------------ */

/* One data segment of a request: physically contiguous. */
typedef struct virtio_blk_seg {
    uint64_t phys;
    uint32_t len;
} virtio_blk_seg_t;

struct virtio_blk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "virtio_blk_req header is 16 bytes (5.2.6)");

/* What the device is, as negotiated and read from its config. */
typedef struct virtio_blk_info {
    uint64_t features; /* negotiated */
    uint64_t capacity; /* 512-byte sectors */
    uint32_t blk_size; /* logical block size in bytes (512 unless VIRTIO_BLK_F_BLK_SIZE says otherwise) */
    uint32_t size_max; /* largest segment in bytes; 0: no limit */
    uint32_t seg_max; /* data segments per request the device takes; 0: no limit beyond the queue */
    bool read_only;
    bool flush; /* VIRTIO_BLK_F_FLUSH: the device has a write cache and takes flushes; else writes are durable */
    bool has_geometry, has_topology;
    uint16_t cylinders;
    uint8_t heads, sectors;
    uint8_t physical_block_exp, alignment_offset; /* topology */
    uint16_t min_io_size;
    uint32_t opt_io_size;
    uint16_t queue_size; /* ring entries */
    uint16_t max_segments; /* data descriptors per request this library builds: min(seg_max, ndesc - 2) */
} virtio_blk_info_t;

/* How to reach the device and what to give it. */
typedef struct virtio_blk_params {
    const struct virtio_ops *ops;
    bool legacy; /* the legacy register block in I/O BAR legacy_bar; else the modern caps */
    uint8_t legacy_bar;
    uint32_t legacy_bar_size;
    const pci_virtio_cap_t *caps; /* modern: the device's virtio capabilities (pci_device.virtio) */
    unsigned ncaps;
    /* MSI-X table size when MSI-X is enabled on the function (0: INTx, no vectors); the vectors below
     * must be under it or VIRTIO_NO_VECTOR. */
    uint16_t msix_table_size;
    uint16_t config_vector, queue_vector;
    /* DMA memory the device may access: virtual dma (16-byte aligned) = physical dma_phys (4096-aligned). */
    void *dma;
    uint64_t dma_phys;
    size_t dma_size;
    uint16_t max_queue_size; /* modern: use at most this many ring entries (0: as many as fit) */
} virtio_blk_params_t;

/* A finished request as virtio_blk_poll and virtio_blk_reset report it. */
typedef struct virtio_blk_done {
    uint64_t cookie; /* the caller's, from the submit */
    int result; /* MN_ERR_OK or the error mapped from status (see VIRTIO_BLK_ERR_*) */
    uint8_t status; /* VIRTIO_BLK_S_* as the device wrote it (or _NONE, _ABORTED) */
    uint8_t type; /* VIRTIO_BLK_T_* */
    uint32_t len; /* used length the device reported */
} virtio_blk_done_t;

/* Called once per finished request. It may submit new requests; it must not reset or re-initialize. */
typedef void virtio_blk_done_fn(void *arg, const virtio_blk_done_t *done);

typedef struct virtio_blk {
    virtio_pci_t pci;
    virtq_t vq;
    virtio_blk_info_t info;
    bool ready; /* DRIVER_OK set; requests may be submitted */
    volatile struct virtio_blk_req_hdr *hdr; /* one per descriptor: the header of the chain with that head */
    volatile uint8_t *status; /* one per descriptor: the status byte of that chain */
    uint64_t hdr_phys, status_phys;
    size_t dma_needed; /* bytes of DMA memory the queue needs (set by virtio_blk_init, also on MN_ERR_NO_MEMORY) */
    uint32_t bad_completions; /* used-ring entries rejected since init */
    struct {
        uint64_t cookie;
        uint32_t writable; /* device-writable bytes of the chain: data (reads) + the status byte */
        uint8_t type;
    } req[VIRTQ_MAX_DESC]; /* by chain head */
} virtio_blk_t;

/*
 * DMA bytes a queue of `queue_size` entries needs (its rings, then a
 * 16-byte header and a status byte per descriptor).
 */
size_t virtio_blk_dma_size(uint16_t queue_size);

/*
 * Initializes the device per virtio 1.x 3.1: reset, ACKNOWLEDGE, DRIVER,
 * feature negotiation (VIRTIO_BLK_FEATURES that the device offers and whose
 * config fields it has; VIRTIO_F_VERSION_1 required on the modern
 * transport), FEATURES_OK (modern), the device config, MSI-X vectors, queue
 * 0 in the DMA area, DRIVER_OK. *dev is overwritten: reset a device with
 * requests in flight first. On an error after the reset the device gets
 * FAILED. Returns MN_ERR_OK, or:
 *   MN_ERR_BAD_ARG     NULL dev/p/ops, bad DMA alignment, a vector with no MSI-X or past the table,
 *                      transport arguments as virtio_pci_open_*
 *   MN_ERR_NOT_FOUND   a structure or queue 0 missing, no VERSION_1 (modern), FEATURES_OK not kept,
 *                      a vector refused
 *   MN_ERR_BAD_FORMAT  the device's registers are inconsistent (short structures, a legacy queue size not a
 *                      power of two, a queue of fewer than 4 entries, a notify offset outside the structure,
 *                      config that never reads the same twice)
 *   MN_ERR_NO_MEMORY   the DMA area is too small (dev->dma_needed says how big it must be) or, legacy, above 2^44
 *   MN_ERR_TIMEOUT     the reset did not finish
 */
int virtio_blk_init(virtio_blk_t *dev, const virtio_blk_params_t *p);

/*
 * Queues a request; the device sees it after virtio_blk_kick. type is
 * VIRTIO_BLK_T_IN (read nsectors at lba into buf), _OUT (write them from
 * buf), _FLUSH (lba, buf and nsectors 0) or _GET_ID (VIRTIO_BLK_ID_BYTES
 * into buf; lba and nsectors 0). buf is a physical address; for reads and
 * writes it must be 512-byte aligned, and the buffer physically contiguous
 * (else see virtio_blk_submitv). cookie comes back with the completion.
 * Nothing is changed unless it returns MN_ERR_OK; errors:
 *   MN_ERR_BAD_ARG     NULL dev, an unknown type, 0 sectors, lba + nsectors past the capacity, a misaligned
 *                      buffer, more than 4 GiB, more segments than the device takes, a flush the device has no
 *                      command for (info.flush false: its writes are durable already), or flush/get-id with a
 *                      nonzero lba or length
 *   MN_ERR_NO_RIGHTS   a write to a read-only device
 *   MN_ERR_WOULD_BLOCK not enough free descriptors now (poll completions and retry)
 *   MN_ERR_DEAD        the device is not initialized, or broken (reset it)
 */
int virtio_blk_submit(virtio_blk_t *dev, unsigned type, uint64_t lba, uint64_t buf, uint32_t nsectors, uint64_t cookie);

/*
 * As virtio_blk_submit for reads and writes scattered over nsegs segments
 * (each 512-byte aligned, a multiple of 512 bytes long); nsectors is their
 * total. Segments longer than the device's size_max are split. Same errors.
 */
int virtio_blk_submitv(virtio_blk_t *dev, unsigned type, uint64_t lba, const virtio_blk_seg_t *segs, unsigned nsegs,
                       uint64_t cookie);

/* Shows the device the requests submitted since the last kick and notifies it unless it asked not to be. */
void virtio_blk_kick(virtio_blk_t *dev);

/*
 * Harvests finished requests: fn(arg, done) once per request, in the order
 * the device finished them. *completed (may be NULL) gets how many.
 * Returns MN_ERR_OK; MN_ERR_BAD_FORMAT when the device returned a used
 * entry naming no request in flight (skipped and counted in
 * bad_completions; the valid ones are still delivered); MN_ERR_DEAD when
 * the device is not initialized or the queue is broken (reset it).
 */
int virtio_blk_poll(virtio_blk_t *dev, virtio_blk_done_fn *fn, void *arg, unsigned *completed);

/* Reads and acknowledges the ISR status for the INTx path: VIRTIO_ISR_QUEUE means poll, _CONFIG refresh. */
uint8_t virtio_blk_isr(virtio_blk_t *dev);

/*
 * After a configuration-change interrupt: re-reads the config (the
 * capacity may have changed). Returns MN_ERR_OK; MN_ERR_DEAD when the
 * device is not initialized or sets DEVICE_NEEDS_RESET; MN_ERR_BAD_FORMAT
 * when the config never reads the same twice.
 */
int virtio_blk_refresh(virtio_blk_t *dev);

/* Asks the device to interrupt on completions (true, the default) or not (polling). */
void virtio_blk_set_interrupts(virtio_blk_t *dev, bool on);

/*
 * Resets the device and then completes every request in flight with
 * VIRTIO_BLK_S_ABORTED / VIRTIO_BLK_ERR_ABORTED (fn may be NULL). The
 * device is then uninitialized: virtio_blk_init starts it again. Returns
 * MN_ERR_OK; MN_ERR_BAD_ARG for NULL dev; MN_ERR_TIMEOUT when the device
 * did not finish resetting (nothing is aborted then: it may still use the
 * buffers).
 */
int virtio_blk_reset(virtio_blk_t *dev, virtio_blk_done_fn *fn, void *arg);

/* The MN_ERR_* code for a status byte (the table above). */
int virtio_blk_status_error(uint8_t status);

#endif
