/*
 * Benchmarks of the interrupt paths (instructions under -icount): a software
 * interrupt through the stubs and dispatcher to a registered handler and
 * back (the IRQ entry/exit cost without the device), and a CPU exception
 * recovered by a fault probe (the kernel-side cost of a fault).
 */
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/probe.h>

#include "test/kbench.h"

#define ROUNDS 1000
#define BENCH_VECTOR 0xDE

static void nop_handler(struct int_frame *f, void *ctx)
{
    (void)f, (void)ctx;
}

static uint64_t soft_ints(void *arg)
{
    (void)arg;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        __asm__ volatile("int $0xDE" ::: "memory");
    return (rdtsc() - t0) / ROUNDS;
}

KBENCH(intr_soft_roundtrip, "intr.soft_int_roundtrip")
{
    if (irq_register(BENCH_VECTOR, nop_handler, NULL))
        return 0;
    uint64_t v = kbench_median(soft_ints, NULL, 5);
    irq_unregister(BENCH_VECTOR);
    return v;
}

static void raise_ud(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

static uint64_t probed_faults(void *arg)
{
    (void)arg;
    struct fault_info fi;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        arch_probe(raise_ud, NULL, &fi);
    return (rdtsc() - t0) / ROUNDS;
}

KBENCH(intr_probe_fault, "intr.probe_fault")
{
    return kbench_median(probed_faults, NULL, 5);
}
