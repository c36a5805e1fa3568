/*
 * CPU and interrupt bring-up, in the two steps around memory management:
 *   early: this CPU's GDT/TSS (static IST stacks) and the IDT, so that any
 *          fault from here on prints a register dump instead of a triple fault;
 *   late:  guarded IST stacks, ACPI, PIC/LAPIC/I/O APIC, HPET, timers, sti.
 */
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/hpet.h>
#include <arch/idt.h>
#include <arch/init.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/pic.h>
#include <arch/timer.h>

#include "acpi/system.h"
#include "debug/log.h"
#include "mm/kstack.h"

#define EARLY_IST_SIZE 8192

/* Before memory management: static IST stacks (no guard page below them). */
static uint8_t early_ist[IST_COUNT][EARLY_IST_SIZE] __attribute__((aligned(16)));

void arch_early_init(void)
{
    for (int i = 0; i < IST_COUNT; i++)
        gdt_set_ist(&bsp_tables, i + 1, early_ist[i] + EARLY_IST_SIZE);
    gdt_init_cpu(&bsp_tables);
    idt_init_cpu();
    kprintf("cpu: GDT, TSS (IST1 #DF, IST2 NMI, IST3 #MC) and IDT loaded\n");
}

/* The IST stacks move to kstack_alloc'd stacks, each with an unmapped guard page below. */
static void ist_stacks_guarded(void)
{
    for (int i = 0; i < IST_COUNT; i++) {
        void *top = kstack_alloc(IST_STACK_PAGES);
        if (!top) {
            log_warn("cpu: no memory for guarded IST stacks; keeping the static ones\n");
            return;
        }
        gdt_set_ist(&bsp_tables, i + 1, top);
    }
}

void arch_late_init(const struct boot_info *bi)
{
    ist_stacks_guarded();
    acpi_init(bi);
    pic_disable();
    lapic_init_cpu();
    ioapic_init();
    hpet_init();
    timer_init();
    irq_enable();
    kprintf("cpu: interrupts enabled\n");
}
