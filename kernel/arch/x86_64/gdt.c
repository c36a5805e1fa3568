/* GDT and TSS: building and loading one CPU's descriptor tables. */
#include <arch/gdt.h>

#include "lib/string.h"

struct cpu_tables bsp_tables;

/* Access byte and flags of the flat code/data descriptors (base 0, limit max). */
#define SEG_CODE64(dpl) (0x00AF9A000000FFFFull | ((uint64_t)(dpl) << 45))
#define SEG_CODE32(dpl) (0x00CF9A000000FFFFull | ((uint64_t)(dpl) << 45))
#define SEG_DATA(dpl) (0x00CF92000000FFFFull | ((uint64_t)(dpl) << 45))

/* A 64-bit available TSS descriptor (type 9) spans two GDT slots. */
static void tss_descriptor(uint64_t *slot, const struct tss *tss)
{
    uint64_t base = (uint64_t)(uintptr_t)tss;
    uint64_t limit = sizeof *tss - 1;
    slot[0] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 | ((limit >> 16) & 0xF) << 48 |
              ((base >> 24) & 0xFF) << 56;
    slot[1] = base >> 32;
}

void gdt_init_cpu(struct cpu_tables *t)
{
    t->gdt[0] = 0;
    t->gdt[GDT_KERNEL_CODE / 8] = SEG_CODE64(0);
    t->gdt[GDT_KERNEL_DATA / 8] = SEG_DATA(0);
    t->gdt[GDT_USER_CODE32 / 8] = SEG_CODE32(3);
    t->gdt[GDT_USER_DATA / 8] = SEG_DATA(3);
    t->gdt[GDT_USER_CODE / 8] = SEG_CODE64(3);
    t->tss.iomap_base = sizeof t->tss; /* no I/O permission bitmap */
    tss_descriptor(&t->gdt[GDT_TSS / 8], &t->tss);

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) ptr = {sizeof t->gdt - 1, (uint64_t)(uintptr_t)t->gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(ptr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
                     : "rax", "memory");
}

void gdt_set_ist(struct cpu_tables *t, int ist, void *top)
{
    if (ist < 1 || ist > 7)
        return;
    t->tss.ist[ist - 1] = (uint64_t)(uintptr_t)top;
    if (ist <= IST_COUNT)
        t->ist_top[ist - 1] = (uint64_t)(uintptr_t)top;
}
