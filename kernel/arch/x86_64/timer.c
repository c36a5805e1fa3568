/*
 * LAPIC timer calibration and timer events. Calibration counts LAPIC timer
 * ticks (and TSC ticks) across a fixed span of a reference clock with
 * interrupts off.
 */
#include <arch/cpu.h>
#include <arch/hpet.h>
#include <arch/idt.h>
#include <arch/lapic.h>
#include <arch/pit.h>
#include <arch/rtc.h>
#include <arch/time.h>
#include <arch/timer.h>

#include "debug/log.h"

#define CAL_MS 20

static uint64_t lapic_hz;
static const char *ref_name = "none";
/* One event per CPU, by APIC ID (IDs above TIMER_MAX_APIC_ID cannot arm timers). */
#define TIMER_MAX_APIC_ID 255
/* How early a one-shot may fire and still count as its own (calibration error). */
#define ONESHOT_EARLY_NS 200000

static struct timer_event {
    timer_fn fn;
    void *arg;
    bool periodic;
    uint64_t due_ns; /* one-shot: ktime_ns() when it may fire */
} events[TIMER_MAX_APIC_ID + 1];

/* This CPU's event slot, or NULL. Interrupts must be off (no migration). */
static struct timer_event *my_event(void)
{
    uint32_t id = lapic_id();
    return id <= TIMER_MAX_APIC_ID ? &events[id] : NULL;
}

static uint64_t read_hpet(void)
{
    return hpet_counter();
}
static uint64_t read_tsc(void)
{
    return rdtsc();
}
static uint64_t read_pit(void)
{
    return pit_ticks();
}
static uint64_t read_rtc(void)
{
    return rtc_seconds();
}

struct refclock {
    const char *name;
    uint64_t (*read)(void);
    uint64_t hz;
};

static bool pick_reference(struct refclock *r)
{
    if (hpet_present()) {
        *r = (struct refclock){"HPET", read_hpet, hpet_hz()};
    } else if (time_tsc_precise()) {
        *r = (struct refclock){"TSC (cpuid)", read_tsc, time_tsc_hz()};
    } else if (pit_present()) {
        pit_ticks_start();
        *r = (struct refclock){"PIT", read_pit, PIT_HZ};
    } else if (rtc_present()) {
        log_warn("lapic: no HPET, no PIT, no CPUID TSC rate: calibrating against the RTC's seconds (takes 1-2 s)\n");
        rtc_seconds_start();
        *r = (struct refclock){"RTC", read_rtc, 1};
    } else if (time_tsc_hz()) {
        log_warn("lapic: no HPET, no PIT, no CPUID TSC rate: calibrating against the boot TSC estimate\n");
        *r = (struct refclock){"TSC (estimate)", read_tsc, time_tsc_hz()};
    } else {
        return false;
    }
    return true;
}

static void timer_irq(struct int_frame *f, void *ctx)
{
    (void)f, (void)ctx;
    struct timer_event *e = my_event();
    if (!e)
        return;
    /*
     * An interrupt of the event this one replaced may already have been
     * latched when arm() reprogrammed the timer (bug timer-stale-oneshot: a
     * 5 ms one-shot "fired" after 67 us). A one-shot is not due before its
     * time; such an early interrupt belongs to the old event and is dropped.
     */
    if (!e->periodic && e->fn && ktime_ns() + ONESHOT_EARLY_NS < e->due_ns)
        return;
    timer_fn fn = e->fn;
    void *arg = e->arg;
    if (!e->periodic)
        e->fn = NULL;
    if (fn)
        fn(arg);
}

bool timer_init(void)
{
    struct refclock ref;
    if (!lapic_ready() || !pick_reference(&ref)) {
        log_warn("lapic: timer not calibrated (no LAPIC or no reference clock)\n");
        return false;
    }
    uint64_t flags = irq_save();
    uint64_t span = ref.hz * CAL_MS / 1000;
    if (span == 0)
        span = 1; /* a slow reference: one whole tick */
    uint64_t r0 = ref.read(), give_up = rdtsc() + (1ull << 34); /* seconds at any TSC rate */
    while (ref.read() == r0) { /* start on a tick edge */
        if (rdtsc() > give_up) {
            irq_restore(flags);
            log_warn("lapic: the %s reference clock does not tick: timer not calibrated\n", ref.name);
            return false;
        }
        cpu_relax();
    }
    lapic_timer_oneshot(IRQ_VECTOR_TIMER, 0xFFFFFFFFu);
    uint64_t t0 = rdtsc();
    r0 = ref.read();
    uint64_t r1;
    do
        r1 = ref.read();
    while (r1 - r0 < span && rdtsc() < give_up);
    if (r1 - r0 < span) {
        lapic_timer_stop();
        irq_restore(flags);
        log_warn("lapic: the %s reference clock stalled: timer not calibrated\n", ref.name);
        return false;
    }
    uint32_t left = lapic_timer_current();
    uint64_t t1 = rdtsc();
    lapic_timer_stop();
    irq_restore(flags);

    uint64_t elapsed = r1 - r0;
    lapic_hz = (uint64_t)(0xFFFFFFFFu - left) * ref.hz / elapsed;
    ref_name = ref.name;
    /* A 20 ms measurement beats the entry's 5 ms PIT one (or its guess). */
    if (!time_tsc_precise() && ref.read != read_tsc)
        time_set_tsc_hz((t1 - t0) * ref.hz / elapsed, ref.name);
    irq_register(IRQ_VECTOR_TIMER, timer_irq, NULL);
    kprintf("lapic: timer %lu Hz (after /16) against %s over %lu ms; TSC %lu kHz (%s)\n", lapic_hz, ref.name,
            (span * 1000 + ref.hz / 2) / ref.hz, time_tsc_hz() / 1000, time_tsc_source());
    return lapic_hz != 0;
}

static uint32_t ns_to_ticks(uint64_t ns)
{
    uint64_t t = ns / 1000 * lapic_hz / 1000000 + (ns % 1000) * lapic_hz / 1000000000u;
    if (t == 0)
        t = 1;
    if (t > 0xFFFFFFFFu)
        t = 0xFFFFFFFFu;
    return (uint32_t)t;
}

static int arm(uint64_t ns, timer_fn fn, void *arg, bool periodic)
{
    if (!fn)
        return MN_ERR_BAD_ARG;
    if (!lapic_hz)
        return MN_ERR_NOT_FOUND;
    uint64_t flags = irq_save();
    struct timer_event *e = my_event();
    if (!e) {
        irq_restore(flags);
        return MN_ERR_NOT_FOUND;
    }
    lapic_timer_stop();
    e->fn = fn;
    e->arg = arg;
    e->periodic = periodic;
    e->due_ns = ktime_ns() + ns;
    if (periodic)
        lapic_timer_periodic(IRQ_VECTOR_TIMER, ns_to_ticks(ns));
    else
        lapic_timer_oneshot(IRQ_VECTOR_TIMER, ns_to_ticks(ns));
    irq_restore(flags);
    return 0;
}

int timer_oneshot(uint64_t ns, timer_fn fn, void *arg)
{
    return arm(ns, fn, arg, false);
}

int timer_periodic(uint64_t ns, timer_fn fn, void *arg)
{
    return arm(ns, fn, arg, true);
}

void timer_cancel(void)
{
    uint64_t flags = irq_save();
    if (lapic_ready()) {
        lapic_timer_stop();
        struct timer_event *e = my_event();
        if (e)
            e->fn = NULL;
    }
    irq_restore(flags);
}

uint64_t timer_lapic_hz(void)
{
    return lapic_hz;
}

const char *timer_reference(void)
{
    return ref_name;
}

uint64_t timer_reference_ns(void)
{
    if (hpet_present()) {
        uint64_t c = hpet_counter(), hz = hpet_hz();
        return c / hz * 1000000000u + c % hz * 1000000000u / hz;
    }
    return ktime_ns();
}
