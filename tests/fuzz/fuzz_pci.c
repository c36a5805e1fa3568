/*
 * libFuzzer target for PCI enumeration (lib/pci/). The input is a config
 * space in the simulator's byte form (tests/host/pci_sim.h): legacy or ECAM,
 * the device array size and bus window, then the functions that exist with
 * their config bytes and BAR/ROM size masks. The simulator checks every
 * access (aligned, within max_offset and the bus window) and that no BAR is
 * off its value while decoding is on; afterwards the whole space must be as
 * it was, and every stored device must be well formed and formattable.
 * Seeds: the host test's q35 and pc machines (test_pci --seeds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../host/pci_sim.h"

/* A broken promise of the library: say which, then crash so libFuzzer keeps the input. */
#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "invariant broken: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            __builtin_trap(); \
        } \
    } while (0)

#define MAX_DEVS 64

static struct pci_sim *sim;
static struct pci_device devs[MAX_DEVS];

static bool pow2_or_zero(uint64_t v)
{
    return (v & (v - 1)) == 0;
}

static void check_bars(const struct pci_device *d)
{
    CHECK(d->bar_count <= PCI_MAX_BARS);
    for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
        const pci_bar_t *b = &d->bars[i];
        CHECK(b->type <= PCI_BAR_MEM64_HIGH);
        CHECK(i < d->bar_count || b->type == PCI_BAR_NONE);
        CHECK(pow2_or_zero(b->size));
        if (b->size)
            CHECK(b->base % b->size == 0);
        if (b->type == PCI_BAR_MEM64)
            CHECK(i + 1 < d->bar_count && d->bars[i + 1].type == PCI_BAR_MEM64_HIGH);
        if (b->type == PCI_BAR_MEM64_HIGH)
            CHECK(i > 0 && d->bars[i - 1].type == PCI_BAR_MEM64);
        if (b->type == PCI_BAR_IO || b->type == PCI_BAR_MEM32)
            CHECK(b->base <= 0xFFFFFFFFu && b->size <= 0x80000000u);
        if (b->type != PCI_BAR_NONE && b->type != PCI_BAR_MEM64_HIGH && !b->size)
            CHECK(d->flags & PCI_DEV_BARS_UNSIZED);
    }
    CHECK(pow2_or_zero(d->rom_size) && (!d->rom_size || d->rom_base % d->rom_size == 0));
}

static void check_caps(const struct pci_device *d, uint16_t max_offset)
{
    CHECK(d->cap_count <= PCI_MAX_CAPS && d->virtio_count <= PCI_MAX_VIRTIO_CAPS);
    for (unsigned i = 0; i < d->cap_count; i++) {
        const pci_cap_t *c = &d->caps[i];
        CHECK(c->offset % 4 == 0);
        if (c->extended)
            CHECK(c->offset >= 0x100 && c->offset + 3u <= max_offset && d->pcie.cap);
        else
            CHECK(c->offset >= 0x40 && c->offset <= 0xFC && (i == 0 || !d->caps[i - 1].extended));
        for (unsigned j = 0; j < i; j++)
            CHECK(d->caps[j].offset != c->offset);
    }
    for (unsigned i = 0; i < d->virtio_count; i++) {
        const pci_virtio_cap_t *v = &d->virtio[i];
        CHECK(v->bar <= 5 && pci_virtio_cfg_name(v->cfg_type)[0] != '?' && d->vendor_id == PCI_VENDOR_VIRTIO);
        bool listed = false;
        for (unsigned j = 0; j < d->cap_count; j++)
            listed |= d->caps[j].offset == v->cap && d->caps[j].id == PCI_CAP_VENDOR && !d->caps[j].extended;
        CHECK(listed || (d->flags & PCI_DEV_CAPS_TRUNCATED));
    }
    if (d->msi.cap)
        CHECK(d->msi.vectors >= 1 && d->msi.vectors <= 32 && pow2_or_zero(d->msi.vectors));
    if (d->msix.cap)
        CHECK(d->msix.table_size >= 1 && d->msix.table_size <= 2048 && d->msix.cap <= 0xF4);
    if (d->pcie.cap)
        CHECK(d->pcie.cap >= 0x40 && d->pcie.port_type <= 0xF);
}

static void check_format(const struct pci_device *d)
{
    size_t len = pci_format_device(d, NULL, 0);
    CHECK(len > 0 && len < PCI_FORMAT_MAX);
    char *full = malloc(len + 1); /* exact sizes, so ASan sees any overrun */
    CHECK(pci_format_device(d, full, len + 1) == len && strlen(full) == len);
    size_t cut = len / 2 + 1;
    char *part = malloc(cut);
    CHECK(pci_format_device(d, part, cut) == len && strlen(part) == cut - 1 && strncmp(part, full, cut - 1) == 0);
    free(part);
    free(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sim)
        sim = sim_new(0xFF);
    sim_load(sim, data, size);
    uint8_t first = sim->bus_lo, last = sim->bus_hi;
    size_t max = sim->load_max % (MAX_DEVS + 1);
    if (sim->load_max == 0)
        max = MAX_DEVS;
    struct pci_config_ops ops = sim_ops(sim);
    size_t found = 0xDEAD;
    int rc = pci_enumerate(&ops, 0, first, last, devs, max, &found);
    if (first > last) {
        CHECK(rc == MN_ERR_BAD_ARG && found == 0xDEAD && sim->reads == 0 && sim->writes == 0);
        return 0;
    }
    CHECK(rc == (found > max ? MN_ERR_NO_SPACE : MN_ERR_OK));
    if (sim->bad_accesses || sim->decode_violations)
        fprintf(stderr, "sim: %s\n", sim->first_error);
    CHECK(sim->bad_accesses == 0);
    CHECK(sim->decode_violations == 0);
    CHECK(sim_changed(sim) == 0);
    CHECK(found <= sim->count);

    size_t n = found < max ? found : max;
    for (size_t i = 0; i < n; i++) {
        const struct pci_device *d = &devs[i];
        CHECK(d->segment == 0 && d->bus >= first && d->bus <= last && d->dev < 32 && d->fn < 8);
        struct sim_fn *f = sim_find(sim, d->bus, d->dev, d->fn);
        CHECK(f && sim_r32(f, 0) == ((uint32_t)d->device_id << 16 | d->vendor_id));
        for (size_t j = 0; j < i; j++)
            CHECK(devs[j].bus != d->bus || devs[j].dev != d->dev || devs[j].fn != d->fn);
        if (found <= max) {
            /* Reached properly: the root bus or a followed bridge's secondary; function > 0 only after a
             * multi-function function 0. */
            bool reached = d->bus == first;
            for (size_t j = 0; j < n && !reached; j++)
                reached = (devs[j].header_type == PCI_HEADER_BRIDGE || devs[j].header_type == PCI_HEADER_CARDBUS) &&
                          devs[j].secondary_bus == d->bus && !(devs[j].flags & PCI_DEV_BRIDGE_SKIPPED) &&
                          devs[j].bus < d->bus;
            CHECK(reached);
            bool fn0 = d->fn == 0;
            for (size_t j = 0; j < n && !fn0; j++)
                fn0 = devs[j].bus == d->bus && devs[j].dev == d->dev && devs[j].fn == 0 && devs[j].multifunction;
            CHECK(fn0);
        }
        check_bars(d);
        check_caps(d, sim->max_offset);
        check_format(d);
        CHECK(pci_class_name(d->class_code, d->subclass, d->prog_if)[0] &&
              pci_device_name(d->vendor_id, d->device_id)[0] && pci_vendor_name(d->vendor_id)[0]);
    }

    /* Config reads of a found function stay in bounds whatever the offset and width. */
    if (n) {
        uint32_t v;
        unsigned widths[] = {1, 2, 4, 3};
        for (unsigned k = 0; k < 4 && 2 * k + 1 < size; k++) {
            uint16_t off = (uint16_t)(data[2 * k] | data[2 * k + 1] << 8);
            int r = pci_config_read(&ops, &devs[0], off, widths[k], &v);
            CHECK(r == MN_ERR_OK || r == MN_ERR_BAD_ARG);
        }
        CHECK(sim->bad_accesses == 0);
    }
    return 0;
}
