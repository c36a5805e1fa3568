/*
 * Per-CPU descriptor tables: the GDT (kernel and user segments, laid out for
 * SYSCALL/SYSRET) and the 64-bit TSS with its interrupt stacks (IST).
 *
 * Selector layout and the SYSRET arithmetic (Intel SDM vol. 2, SYSRET):
 *   0x00 null
 *   0x08 kernel code (64-bit)      SYSCALL: CS = STAR[47:32]       = 0x08
 *   0x10 kernel data               SYSCALL: SS = STAR[47:32] + 8   = 0x10
 *   0x18 user code (32-bit, unused) SYSRET to 32-bit: CS = STAR[63:48] | 3
 *   0x20 user data                 SYSRET: SS = STAR[63:48] + 8  | 3 = 0x23
 *   0x28 user code (64-bit)        SYSRET: CS = STAR[63:48] + 16 | 3 = 0x2B
 *   0x30 TSS (16 bytes, two slots)
 * so STAR = (0x18 << 48) | (0x08 << 32).
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#include <stddef.h>
#include <stdint.h>

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_CODE32 0x1B /* RPL 3 */
#define GDT_USER_DATA 0x23
#define GDT_USER_CODE 0x2B
#define GDT_TSS 0x30
#define GDT_ENTRIES 8
/* The value of the STAR MSR that matches this layout. */
#define GDT_STAR_VALUE ((0x18ull << 48) | ((uint64_t)GDT_KERNEL_CODE << 32))

/* IST slots (1-based as in the IDT gate's IST field). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3
#define IST_STACK_PAGES 4 /* 16 KiB each, from kstack_alloc (guard page below) */

/* The 64-bit task state segment (Intel SDM vol. 3, 8.7). */
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3]; /* stack for a switch to ring 0..2 */
    uint64_t reserved1;
    uint64_t ist[7]; /* IST1..IST7 */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");
_Static_assert(offsetof(struct tss, rsp) == 4, "TSS.RSP0 at 4");
_Static_assert(offsetof(struct tss, ist) == 36, "TSS.IST1 at 36");
_Static_assert(offsetof(struct tss, iomap_base) == 102, "TSS I/O map base at 102");

/* One CPU's tables; each CPU loads its own (SMP gives every CPU one). */
struct cpu_tables {
    uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
    struct tss tss __attribute__((aligned(16)));
    uint64_t ist_top[IST_COUNT]; /* what tss.ist[] was set to, for diagnostics */
};

_Static_assert(sizeof(((struct cpu_tables *)0)->gdt) == GDT_ENTRIES * 8, "GDT entries are 8 bytes");

/* The boot CPU's tables (static: usable before memory management). */
extern struct cpu_tables bsp_tables;

/*
 * Fills `t` (GDT with a TSS descriptor pointing at t->tss), loads it with
 * lgdt, reloads CS/DS/ES/SS and loads the task register. FS and GS are
 * left alone: a selector load could clear the GS base that per-CPU data
 * (<arch/percpu.h>) keeps in an MSR. The TSS's IST entries are whatever
 * gdt_set_ist() put there (they may be set before or after this call).
 * Must run on the CPU that will use the tables, with interrupts off.
 */
void gdt_init_cpu(struct cpu_tables *t);

/* Sets IST slot `ist` (1..7) of t's TSS to the stack whose top is `top`. */
void gdt_set_ist(struct cpu_tables *t, int ist, void *top);

/* Sets RSP0, the stack the CPU switches to on an interrupt from Ring 3. */
static inline void gdt_set_rsp0(struct cpu_tables *t, void *top)
{
    t->tss.rsp[0] = (uint64_t)(uintptr_t)top;
}

#endif
