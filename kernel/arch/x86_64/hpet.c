/* HPET: the main counter only (a fixed-rate reference clock). */
#include <arch/hpet.h>

#include "acpi/system.h"
#include "debug/log.h"
#include "mm/hhdm.h"

#define REG_CAPS 0x000
#define REG_CONFIG 0x010
#define REG_COUNTER 0x0F0
#define CONFIG_ENABLE 1u
#define CAPS_COUNT_64 (1u << 13)

static volatile uint64_t *regs;
static uint64_t freq;
static bool wide;

bool hpet_init(void)
{
    const struct acpi_system *a = acpi_system();
    if (!a->have_hpet) {
        kprintf("hpet: no HPET table: none on this machine\n");
        return false;
    }
    volatile uint64_t *r = hhdm_map_device(a->hpet.addr, 1024);
    if (!r) {
        log_warn("hpet: cannot map %lx\n", a->hpet.addr);
        return false;
    }
    uint64_t caps = r[REG_CAPS / 8];
    uint32_t period_fs = caps >> 32;
    /* The spec allows periods up to 100 ns; 0 or all-ones means nothing answers there. */
    if (period_fs == 0 || period_fs > 100000000u) {
        log_warn("hpet: implausible period %u fs at %lx; ignored\n", period_fs, a->hpet.addr);
        return false;
    }
    wide = caps & CAPS_COUNT_64;
    freq = 1000000000000000ull / period_fs;
    r[REG_CONFIG / 8] = r[REG_CONFIG / 8] | CONFIG_ENABLE;
    regs = r;
    kprintf("hpet: %lu Hz, %s counter, %u comparators\n", freq, wide ? "64-bit" : "32-bit",
            (unsigned)((caps >> 8) & 0x1F) + 1);
    return true;
}

bool hpet_present(void)
{
    return regs != NULL;
}

/*
 * A 32-bit counter is extended in software: it must be read at least once
 * per wrap (about 5 minutes at 14.3 MHz). Not SMP-safe yet; QEMU's HPET is
 * 64-bit, so this path only matters on old hardware.
 */
uint64_t hpet_counter(void)
{
    static uint32_t last, high;
    if (wide)
        return regs[REG_COUNTER / 8];
    uint32_t now = (uint32_t)regs[REG_COUNTER / 8];
    if (now < last)
        high++;
    last = now;
    return (uint64_t)high << 32 | now;
}

uint64_t hpet_hz(void)
{
    return freq;
}
