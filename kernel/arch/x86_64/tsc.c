/*
 * TSC-based monotonic clock. The frequency comes from CPUID 0x15 (crystal
 * ratio) or 0x16 (base MHz) when the CPU reports them, else from counting TSC
 * ticks across 1 ms of PIT channel 0, right at entry so that the first log
 * lines have timestamps. timer_init() (timer.c) then measures it again over
 * 20 ms of the HPET (or PIT, or the RTC's seconds) and installs the result
 * with time_set_tsc_hz(), which keeps ktime_ns() continuous.
 */
#include <arch/cpu.h>
#include <arch/time.h>

#define PIT_HZ 1193182u
#define PIT_CAL_MS 1 /* only for early log stamps: the LAPIC calibration re-measures the TSC over 20 ms */

static uint64_t tsc_zero;
static uint64_t tsc_hz;
/* ktime_ns() = ns_base + ticks since tsc_base at tsc_hz (rebased when the rate is refined). */
static uint64_t ns_base, tsc_base;
static const char *tsc_source = "none";

static uint64_t tsc_from_cpuid(void)
{
    uint32_t a, b, c, d;
    cpuid(0, 0, &a, &b, &c, &d);
    uint32_t max = a;
    if (max >= 0x15) {
        cpuid(0x15, 0, &a, &b, &c, &d);
        if (a && b && c) {
            tsc_source = "cpuid 0x15";
            return (uint64_t)c * b / a;
        }
    }
    if (max >= 0x16) {
        cpuid(0x16, 0, &a, &b, &c, &d);
        if (a & 0xFFFF) {
            tsc_source = "cpuid 0x16";
            return (uint64_t)(a & 0xFFFF) * 1000000u;
        }
    }
    return 0;
}

/* Reads PIT channel 0's current count (latched). */
static uint16_t pit_read(void)
{
    outb(0x43, 0x00);
    uint8_t lo = inb(0x40);
    uint8_t hi = inb(0x40);
    return (uint16_t)(lo | hi << 8);
}

/*
 * Counts TSC ticks over PIT_CAL_MS of PIT channel 0, free-running in mode 2
 * over the full 16-bit range and read through latches (this works where
 * channel 2's gate at port 0x61 does not exist, e.g. on microvm). Returns 0
 * if the counter does not move, i.e. there is no PIT.
 */
static uint64_t tsc_from_pit(void)
{
    uint32_t target = PIT_HZ * PIT_CAL_MS / 1000;
    outb(0x43, 0x34); /* channel 0, lo/hi, mode 2 */
    outb(0x40, 0x00);
    outb(0x40, 0x00); /* reload value 65536 */
    uint16_t prev = pit_read();
    uint64_t start = rdtsc();
    uint32_t elapsed = 0;
    while (elapsed < target) {
        uint16_t now = pit_read();
        elapsed += (uint16_t)(prev - now); /* counts down, wraps at 65536 */
        prev = now;
        if (elapsed == 0 && rdtsc() - start > 100000000ull)
            return 0;
    }
    uint64_t ticks = rdtsc() - start;
    tsc_source = "PIT";
    return ticks * PIT_HZ / elapsed;
}

void time_init(uint64_t boot_tsc)
{
    tsc_zero = boot_tsc;
    uint64_t hz = tsc_from_cpuid();
    if (!hz)
        hz = tsc_from_pit();
    if (!hz) {
        hz = 1000000000ull;
        tsc_source = "guess (no PIT, no CPUID leaf)";
    }
    tsc_hz = hz;
    tsc_base = boot_tsc;
    ns_base = 0;
}

bool time_tsc_precise(void)
{
    return tsc_source[0] == 'c'; /* "cpuid 0x15" / "cpuid 0x16" */
}

void time_set_tsc_hz(uint64_t hz, const char *source)
{
    if (!hz)
        return;
    uint64_t flags = irq_save();
    uint64_t now = rdtsc();
    uint64_t t = now - tsc_base;
    ns_base += t / tsc_hz * 1000000000u + t % tsc_hz * 1000000000u / tsc_hz;
    tsc_base = now;
    tsc_hz = hz;
    tsc_source = source;
    irq_restore(flags);
}

uint64_t ktime_boot_tsc(void)
{
    return tsc_zero;
}

uint64_t ktime_ticks(void)
{
    return rdtsc() - tsc_zero;
}

uint64_t ktime_ns(void)
{
    if (!tsc_hz)
        return 0;
    uint64_t t = rdtsc() - tsc_base;
    /* Split so that nothing overflows for TSC rates below 18 GHz. */
    return ns_base + t / tsc_hz * 1000000000u + t % tsc_hz * 1000000000u / tsc_hz;
}

uint64_t time_tsc_hz(void)
{
    return tsc_hz;
}

const char *time_tsc_source(void)
{
    return tsc_source;
}

void ksleep_ns(uint64_t ns)
{
    uint64_t end = ktime_ns() + ns;
    while (ktime_ns() < end)
        cpu_relax();
}
