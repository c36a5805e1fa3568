/*
 * A simulated PCI configuration space for the lib/pci host tests and fuzzer.
 * It behaves like hardware where the library depends on it: each function
 * has a write mask (BARs keep their address bits below the size and their
 * type bits read-only, so writing all-ones reads back the size mask; the
 * command register and interrupt line are writable; everything else is
 * read-only), write-1-to-clear status bits, and absent functions read
 * 0xFFFFFFFF. It also checks the library: every access must be aligned,
 * inside max_offset and inside the bus range, and once armed
 * (sim_snapshot) no BAR or ROM may differ from its snapshot while the
 * function's I/O or memory decoding is on.
 *
 * The byte form (sim_load/sim_save) is what the fuzzer reads:
 *   4 bytes   flags (bit 0: ECAM, max_offset 0xFFF), array size selector, first bus, last bus
 *   records   bus, devfn, 7 size orders (log2 of BAR0-5 and ROM sizes; 0: not implemented),
 *             256 config bytes, and with ECAM 256 more for 0x100-0x1FF (the rest reads 0)
 * A short last record is padded with zeros.
 */
#ifndef PCI_SIM_H
#define PCI_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci/pci.h"

#define SIM_MAX_LOAD_RECORDS 128
#define SIM_HEADER_BYTES 4
#define SIM_RECORD_BYTES(ecam) (2 + 7 + 256 + ((ecam) ? 256 : 0))

/* BAR kinds for sim_bar. */
#define SIM_IO 1
#define SIM_MEM32 2
#define SIM_MEM64 3
#define SIM_PREF 0x10

struct sim_fn {
    uint8_t bus, dev, fn;
    uint8_t order[7]; /* log2 of BAR0-5 and ROM sizes, 0: not implemented */
    uint8_t *cfg, *wmask, *w1c, *orig;
    unsigned writes, command_writes;
};

struct pci_sim {
    uint16_t max_offset;
    uint16_t segment;
    uint8_t bus_lo, bus_hi; /* accesses outside are errors (an unmapped ECAM window) */
    uint8_t load_flags, load_max; /* header bytes of the last sim_load */
    struct sim_fn **index; /* [bus << 8 | dev << 3 | fn] */
    struct sim_fn **fns;
    size_t count, capacity;
    bool armed;
    unsigned long reads, writes;
    unsigned bad_accesses; /* misaligned, past max_offset, wrong segment, dev/fn/bus out of range */
    unsigned decode_violations; /* a BAR or ROM not at its snapshot while decoding was on */
    unsigned all_ones_probes; /* all-ones written to a BAR or ROM register while decoding was off */
    char first_error[160];
};

struct pci_sim *sim_new(uint16_t max_offset);
void sim_free(struct pci_sim *s);
/* Drops every function (and the counters); max_offset stays. */
void sim_reset(struct pci_sim *s);

/* Adds (or replaces) a function: IDs, class (class << 16 | subclass << 8 | prog-IF), revision, header type byte. */
struct sim_fn *sim_add(struct pci_sim *s, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                       uint32_t class24, uint8_t revision, uint8_t header_type);
struct sim_fn *sim_find(struct pci_sim *s, uint8_t bus, uint8_t dev, uint8_t fn);

void sim_w8(struct sim_fn *f, uint16_t off, uint8_t v);
void sim_w16(struct sim_fn *f, uint16_t off, uint16_t v);
void sim_w32(struct sim_fn *f, uint16_t off, uint32_t v);
uint32_t sim_r32(const struct sim_fn *f, uint16_t off);

/* BAR i (a 64-bit one takes i + 1 too): kind SIM_IO/SIM_MEM32/SIM_MEM64 (| SIM_PREF), its base and power-of-two size.
 */
void sim_bar(struct sim_fn *f, unsigned i, unsigned kind, uint64_t base, uint64_t size);
void sim_rom(struct sim_fn *f, uint32_t base, uint32_t size);
void sim_bridge(struct sim_fn *f, uint8_t primary, uint8_t secondary, uint8_t subordinate);
void sim_subsys(struct sim_fn *f, uint16_t vendor, uint16_t id);
void sim_irq(struct sim_fn *f, uint8_t line, uint8_t pin);

/*
 * Appends a capability at `off` to the end of the list (sets the status
 * bit and the pointer register): byte 0 the ID, byte 1 the next pointer
 * (0), then body[0..len) from byte 2.
 */
void sim_cap(struct sim_fn *f, uint8_t off, uint8_t id, const uint8_t *body, size_t len);
/* Appends an extended capability (header: id, version 1, next) at `off` >= 0x100. */
void sim_ext_cap(struct sim_fn *f, uint16_t off, uint16_t id);

/* Remembers every function's current config space as the expected one, and arms the decode check. */
void sim_snapshot(struct pci_sim *s);
/* How many functions' config spaces differ from the snapshot. */
size_t sim_changed(const struct pci_sim *s);

struct pci_config_ops sim_ops(struct pci_sim *s);

/* Replaces the functions by those in data (format above); also snapshots. */
void sim_load(struct pci_sim *s, const uint8_t *data, size_t size);
/* Writes the functions in that format; returns the bytes needed (writes nothing past cap). */
size_t sim_save(const struct pci_sim *s, uint8_t max_sel, uint8_t first_bus, uint8_t last_bus, uint8_t *buf,
                size_t cap);

#endif
