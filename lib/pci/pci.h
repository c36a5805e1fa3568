/*
 * PCI enumeration: finds every function reachable from one root bus through
 * PCI-to-PCI and CardBus bridges, decodes its configuration header, sizes
 * its BARs and walks its capability lists (MSI, MSI-X, PCI Express, virtio
 * vendor capabilities, the PCIe extended list). Portable and freestanding:
 * the hardware is reached only through the caller's struct pci_config_ops
 * (legacy port I/O at 0xCF8/0xCFC, or ECAM from the ACPI MCFG table), so the
 * same code runs in the kernel and against the simulated config spaces of
 * the host tests and the fuzzer. No allocation: the caller supplies the
 * device array.
 *
 * Config space is untrusted: a vendor ID of 0xFFFF (or 0) means absent,
 * bridges are followed only to buses not yet scanned and numbered above
 * their own, capability lists are walked with loop detection and bounds
 * checks, and every access stays 4-byte aligned and within max_offset.
 * What looks wrong is recorded in pci_device.flags, never trusted.
 *
 * Specifications: PCI Local Bus 3.0 (ch. 6, configuration space), PCI-to-PCI
 * Bridge Architecture 1.2, PCI Express Base (capability structures), PCI
 * Code and ID Assignment (class codes), virtio 1.x section 4.1.4.
 */
#ifndef PCI_PCI_H
#define PCI_PCI_H

#include <mnos/errors.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_BARS 6
#define PCI_MAX_CAPS 16 /* standard and extended capabilities recorded per function */
#define PCI_MAX_VIRTIO_CAPS 8
/* A buffer this big always holds a pci_format_device line (a real device needs about 300; the worst case the
 * struct allows, 16 capabilities all decorated, about 1000). */
#define PCI_FORMAT_MAX 1536

/* ---- configuration header (type 0 unless marked) ---------------------------- */
#define PCI_CFG_VENDOR_ID 0x00
#define PCI_CFG_DEVICE_ID 0x02
#define PCI_CFG_COMMAND 0x04
#define PCI_CFG_STATUS 0x06
#define PCI_CFG_REVISION 0x08
#define PCI_CFG_PROG_IF 0x09
#define PCI_CFG_SUBCLASS 0x0A
#define PCI_CFG_CLASS 0x0B
#define PCI_CFG_HEADER_TYPE 0x0E
#define PCI_CFG_BAR0 0x10
#define PCI_CFG_PRIMARY_BUS 0x18 /* types 1 and 2 */
#define PCI_CFG_SECONDARY_BUS 0x19
#define PCI_CFG_SUBORDINATE_BUS 0x1A
#define PCI_CFG_SEC_STATUS 0x1E /* type 1 */
#define PCI_CFG_SUBSYS_VENDOR 0x2C
#define PCI_CFG_SUBSYS_ID 0x2E
#define PCI_CFG_ROM 0x30
#define PCI_CFG_CAP_PTR 0x34
#define PCI_CFG_BRIDGE_ROM 0x38 /* type 1 */
#define PCI_CFG_IRQ_LINE 0x3C
#define PCI_CFG_IRQ_PIN 0x3D
#define PCI_CFG_CARDBUS_CAP_PTR 0x14 /* type 2 */
#define PCI_CFG_CARDBUS_SUBSYS 0x40

#define PCI_HEADER_DEVICE 0
#define PCI_HEADER_BRIDGE 1
#define PCI_HEADER_CARDBUS 2
#define PCI_HEADER_MULTIFUNCTION 0x80

#define PCI_CMD_IO 0x0001u
#define PCI_CMD_MEMORY 0x0002u
#define PCI_CMD_BUS_MASTER 0x0004u
#define PCI_CMD_INTX_DISABLE 0x0400u
#define PCI_STATUS_CAP_LIST 0x0010u

/* ---- capability IDs -------------------------------------------------------- */
#define PCI_CAP_PM 0x01
#define PCI_CAP_MSI 0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_SSVID 0x0D /* bridge subsystem vendor/device */
#define PCI_CAP_PCIE 0x10
#define PCI_CAP_MSIX 0x11
#define PCI_CAP_SATA 0x12
#define PCI_EXT_CAP_AER 0x0001
#define PCI_EXT_CAP_DSN 0x0003
#define PCI_EXT_CAP_ARI 0x000E

/* PCI Express device/port types (PCIe capabilities register bits 7:4). */
#define PCI_PCIE_ENDPOINT 0x0
#define PCI_PCIE_LEGACY_ENDPOINT 0x1
#define PCI_PCIE_ROOT_PORT 0x4
#define PCI_PCIE_UPSTREAM_PORT 0x5
#define PCI_PCIE_DOWNSTREAM_PORT 0x6
#define PCI_PCIE_TO_PCI_BRIDGE 0x7
#define PCI_PCI_TO_PCIE_BRIDGE 0x8
#define PCI_PCIE_RC_ENDPOINT 0x9
#define PCI_PCIE_RC_EVENT_COLLECTOR 0xA

/* virtio: vendor 0x1AF4, device IDs 0x1000-0x107F; cfg_type of a vendor capability. */
#define PCI_VENDOR_VIRTIO 0x1AF4
#define PCI_VIRTIO_COMMON_CFG 1
#define PCI_VIRTIO_NOTIFY_CFG 2
#define PCI_VIRTIO_ISR_CFG 3
#define PCI_VIRTIO_DEVICE_CFG 4
#define PCI_VIRTIO_PCI_CFG 5
#define PCI_VIRTIO_SHARED_MEMORY_CFG 8
#define PCI_VIRTIO_VENDOR_CFG 9

/* pci_device.flags: what enumeration found wrong (the record is still usable). */
#define PCI_DEV_CAPS_BROKEN 0x0001u /* capability list loops, points into the header, or a capability is cut off */
#define PCI_DEV_CAPS_TRUNCATED 0x0002u /* more capabilities than caps[] or virtio[] hold */
#define PCI_DEV_BAR_BROKEN 0x0004u /* a 64-bit BAR in the last BAR slot (its upper half is missing) */
#define PCI_DEV_BARS_UNSIZED 0x0008u /* host bridge: BARs decoded but not sized (decoding is never turned off) */
#define PCI_DEV_BRIDGE_SKIPPED 0x0010u /* secondary bus not scanned: 0, not above this bus, out of range, or seen */
#define PCI_DEV_UNKNOWN_HEADER 0x0020u /* header type above 2: only the first 16 bytes were decoded */

/*
 * How the library reaches config space. read32/write32 access the 32-bit
 * register at byte offset `off` of function seg:bus:dev.fn; the library only
 * ever passes dev < 32, fn < 8, off a multiple of 4 and off + 3 <= max_offset.
 * 8- and 16-bit accesses are done on top of them. max_offset is 0xFF for
 * legacy port I/O and 0xFFF for ECAM (which is also what enables the walk of
 * PCIe extended capabilities). Absent functions must read as 0xFFFFFFFF.
 * The library does not serialize: the caller locks around calls if needed.
 */
struct pci_config_ops {
    uint32_t (*read32)(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
    void (*write32)(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t value);
    void *ctx;
    uint16_t max_offset;
};

enum pci_bar_type {
    PCI_BAR_NONE, /* not implemented (or the upper half of an unimplemented 64-bit pair) */
    PCI_BAR_IO,
    PCI_BAR_MEM32,
    PCI_BAR_MEM64, /* this slot and the next hold one 64-bit address */
    PCI_BAR_MEM64_HIGH, /* the slot consumed by the 64-bit BAR before it */
};

typedef struct pci_bar {
    uint64_t base; /* I/O port or physical address; a multiple of size when sized */
    uint64_t size; /* bytes, a power of two; 0 when not sized (PCI_DEV_BARS_UNSIZED) */
    uint8_t type; /* enum pci_bar_type */
    bool prefetchable;
} pci_bar_t;

/* One entry of a capability list, in list order (standard list first). */
typedef struct pci_cap {
    uint16_t id; /* 8-bit ID, or the 16-bit extended capability ID */
    uint16_t offset; /* config-space offset of the capability header */
    bool extended;
} pci_cap_t;

typedef struct pci_msi {
    uint8_t cap; /* offset of the capability; 0: absent */
    bool is64; /* 64-bit message address */
    bool maskable; /* per-vector masking */
    uint8_t vectors; /* multiple message capable: 1, 2, 4, 8, 16 or 32 */
} pci_msi_t;

typedef struct pci_msix {
    uint8_t cap; /* 0: absent */
    uint16_t table_size; /* vectors, 1..2048 */
    uint8_t table_bar; /* BIR: BAR index 0..7 as the device reports it (6 and 7 are reserved) */
    uint32_t table_offset; /* within that BAR, 8-byte aligned */
    uint8_t pba_bar;
    uint32_t pba_offset;
} pci_msix_t;

typedef struct pci_pcie {
    uint8_t cap; /* 0: absent (a conventional PCI function) */
    uint8_t version; /* capability version */
    uint8_t port_type; /* PCI_PCIE_* */
    bool ari_forwarding; /* downstream/root port: ARI forwarding enabled (Device Control 2) */
} pci_pcie_t;

/* A virtio structure capability (virtio 1.x 4.1.4), valid ones only: bar 0..5, known cfg_type, long enough. */
typedef struct pci_virtio_cap {
    uint8_t cap; /* config-space offset of the capability */
    uint8_t cfg_type; /* PCI_VIRTIO_*_CFG */
    uint8_t bar;
    uint8_t id; /* tells apart several capabilities of one type */
    uint64_t offset; /* within the BAR (64-bit only for shared memory) */
    uint64_t length;
    uint32_t notify_off_multiplier; /* PCI_VIRTIO_NOTIFY_CFG only */
} pci_virtio_cap_t;

/* One function as enumeration found it. */
typedef struct pci_device {
    uint16_t segment;
    uint8_t bus, dev, fn;
    uint16_t vendor_id, device_id;
    uint16_t subsys_vendor_id, subsys_id; /* bridges: from the SSVID capability, if any */
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t header_type; /* layout, bit 7 removed: PCI_HEADER_DEVICE, _BRIDGE, _CARDBUS */
    bool multifunction; /* header type bit 7 (function 0's decides whether functions 1-7 are scanned) */
    uint16_t command, status; /* as found, before enumeration touched anything */
    uint8_t irq_line; /* as firmware left it; 0xFF: not connected or unknown */
    uint8_t irq_pin; /* 0: none, 1..4: INTA#..INTD# */
    uint8_t primary_bus, secondary_bus, subordinate_bus; /* bridges only */
    uint8_t bar_count; /* BAR registers in this header layout: 6, 2 (PCI bridge), 1 (CardBus), 0 */
    pci_bar_t bars[PCI_MAX_BARS];
    uint32_t rom_base, rom_size; /* expansion ROM; size 0: none (or not sized) */
    bool rom_enabled;
    uint8_t cap_count;
    pci_cap_t caps[PCI_MAX_CAPS];
    pci_msi_t msi;
    pci_msix_t msix;
    pci_pcie_t pcie;
    uint8_t virtio_count;
    pci_virtio_cap_t virtio[PCI_MAX_VIRTIO_CAPS];
    uint16_t flags; /* PCI_DEV_* */
} pci_device_t;

/*
 * Enumerates segment `segment` from root bus first_bus, following bridges by
 * their secondary bus numbers to buses within [first_bus, last_bus] (the
 * MCFG range; 0 and 255 for port I/O). Buses are scanned breadth first, each
 * at most once; on a bus, devices 0..31 (only device 0 below a PCIe root or
 * downstream port without ARI), and functions 1..7 only when function 0 is
 * present and multi-function. Each function found is probed as by pci_probe
 * into devs[0..max) in that order.
 *
 * BAR sizing writes to the BARs and command register of each stored device
 * (restoring them), so nothing may use a device's BARs while this runs.
 * Functions that do not fit in devs are counted but only read, never written.
 *
 * Returns MN_ERR_OK with *found functions stored; MN_ERR_NO_SPACE when more
 * than max were found (*found is how many there are, the first max are
 * stored); MN_ERR_BAD_ARG for a NULL or incomplete ops, a max_offset other
 * than 0xFF or 0xFFF, first_bus > last_bus, NULL found, or NULL devs with
 * max > 0 (nothing is accessed then).
 */
int pci_enumerate(const struct pci_config_ops *ops, uint16_t segment, uint8_t first_bus, uint8_t last_bus,
                  struct pci_device *devs, size_t max, size_t *found);

/*
 * Probes one function into *out: header fields, BARs (sized, with decoding
 * off meanwhile, except for host bridges), expansion ROM, capabilities.
 * Returns MN_ERR_OK; MN_ERR_NOT_FOUND when the vendor ID reads 0xFFFF or 0
 * (*out is then zeroed apart from the location); MN_ERR_BAD_ARG for bad ops
 * (as above), dev > 31, fn > 7 or NULL out.
 */
int pci_probe(const struct pci_config_ops *ops, uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn,
              struct pci_device *out);

/*
 * As pci_probe, but only reads: BARs are decoded from their registers and
 * not sized (size 0; a BAR that reads 0, implemented but unassigned, is
 * not seen), and nothing is ever written, so it may run on a function a
 * driver is using. ops->write32 may be NULL (it is never called). For a
 * Ring 3 program that reads configuration space through a PciDevice
 * capability (lspci, drivers). Returns as pci_probe.
 */
int pci_probe_readonly(const struct pci_config_ops *ops, uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn,
                       struct pci_device *out);

/*
 * Reads the `width`-byte (1, 2 or 4) register at `offset` of function *d.
 * Returns MN_ERR_OK with *value (zero-extended); MN_ERR_BAD_ARG for bad ops,
 * NULL d or value, another width, an offset not a multiple of the width, or
 * one whose register ends past ops->max_offset.
 */
int pci_config_read(const struct pci_config_ops *ops, const struct pci_device *d, uint16_t offset, unsigned width,
                    uint32_t *value);

/*
 * Writes the `width`-byte register at `offset` of *d. Narrow writes are a
 * read-modify-write of the containing dword; the write-1-to-clear status
 * halves that can share it (status, bridge secondary status, PCIe device,
 * link and slot status) are written as zero so they are not cleared as a
 * side effect. Other RW1C bits sharing a dword with the target are not
 * known here. Returns MN_ERR_OK or MN_ERR_BAD_ARG as pci_config_read.
 */
int pci_config_write(const struct pci_config_ops *ops, const struct pci_device *d, uint16_t offset, unsigned width,
                     uint32_t value);

/*
 * Sets the command-register bits in `set` and clears those in `clear`
 * (clear wins) in one read-modify-write, and updates d->command. Returns
 * MN_ERR_OK, or MN_ERR_BAD_ARG for bad ops or NULL d.
 */
int pci_command_update(const struct pci_config_ops *ops, struct pci_device *d, uint16_t set, uint16_t clear);

/*
 * Turns decoding on (I/O space if the function has an I/O BAR, memory space
 * if it has a memory BAR or an expansion ROM) or off (both). Errors as
 * pci_command_update.
 */
int pci_set_decoding(const struct pci_config_ops *ops, struct pci_device *d, bool on);

/* Turns bus mastering (DMA and MSI) on or off. Errors as pci_command_update. */
int pci_set_bus_master(const struct pci_config_ops *ops, struct pci_device *d, bool on);

/* The offset of d's first capability `id` (extended: in the PCIe extended list), or 0 when it has none. */
uint16_t pci_find_cap(const struct pci_device *d, uint16_t id, bool extended);

/*
 * The virtio device type (1 net, 2 block, 3 console, 4 entropy, ...) of a
 * virtio PCI device ID, transitional (0x1000-0x103F) or modern (0x1040 +
 * type); 0 when it is not a virtio device or a transitional ID without one.
 */
unsigned pci_virtio_device_type(uint16_t vendor_id, uint16_t device_id);

/*
 * Names, never NULL: the class per the PCI Code and ID Assignment spec (the
 * most specific that is known: prog-IF, then subclass, then base class, else
 * "unknown class"); the vendor ("unknown vendor"); the device (QEMU's
 * devices, the i440FX and Q35 chipsets, every virtio type; virtio IDs of an
 * unknown type get "Virtio 1.0 device" or "Virtio transitional device",
 * others "unknown device"). Short names of capability IDs ("msix", "aer"; "?"
 * when unknown), PCIe port types ("root port") and virtio cfg types ("notify").
 */
const char *pci_class_name(uint8_t class_code, uint8_t subclass, uint8_t prog_if);
const char *pci_vendor_name(uint16_t vendor_id);
const char *pci_device_name(uint16_t vendor_id, uint16_t device_id);
const char *pci_cap_name(uint8_t id);
const char *pci_ext_cap_name(uint16_t id);
const char *pci_pcie_type_name(uint8_t port_type);
const char *pci_virtio_cfg_name(uint8_t cfg_type);

/*
 * Formats one census line for *d into buf (always NUL-terminated when n > 0,
 * cut short if it does not fit), for example
 *   00:04.0 1af4:1001 01.00.00 SCSI storage controller "Virtio block device (transitional)" irq 11 INTA;
 *   BAR0 io 0xc000 [128]; BAR4 mem64 pref 0xfe000000 [16K]; caps msix@98(2 vec) virtio@70(notify BAR4+0x3000 x4)
 * (one line; PCI_FORMAT_MAX always suffices). Returns the length of the whole
 * line, like snprintf: a result >= n means it was cut.
 */
size_t pci_format_device(const struct pci_device *d, char *buf, size_t n);

#endif
