/* Fault probes (see <arch/probe.h>): setjmp-style recovery from exceptions. */
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/probe.h>

#include "lib/string.h"

struct probe_jmp {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};

struct probe_ctx {
    struct probe_jmp jmp;
    struct fault_info *out;
    struct probe_ctx *prev;
    bool user; /* catches Ring 3 faults (arch_probe_user) instead of Ring 0 ones */
};

__attribute__((returns_twice)) int probe_setjmp(struct probe_jmp *buf);
__attribute__((noreturn)) void probe_enter_user(uint64_t rip, uint64_t rsp);

/*
 * The innermost active probe of each CPU, by initial APIC ID (CPUID leaf 1;
 * it needs neither the LAPIC nor per-CPU data, so probes work from the
 * first instruction of every CPU). Machines with more than 256 APIC IDs
 * would need leaf 0xB here.
 */
static struct probe_ctx *active[256];

static struct probe_ctx **my_slot(void)
{
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    return &active[b >> 24];
}

int arch_probe(void (*fn)(void *), void *arg, struct fault_info *out)
{
    /* Interrupts off: no preemption, so the probe ends on the CPU (and slot) it began on. */
    volatile uint64_t flags = irq_save();
    struct probe_ctx **slot = my_slot();
    struct probe_ctx ctx = {.out = out, .prev = *slot};
    if (probe_setjmp(&ctx.jmp)) {
        /* Back from an exception: probe_recover() already unlinked us. */
        irq_restore(flags);
        return 1;
    }
    *(struct probe_ctx *volatile *)slot = &ctx;
    __asm__ volatile("" ::: "memory");
    fn(arg);
    __asm__ volatile("" ::: "memory");
    *(struct probe_ctx *volatile *)slot = ctx.prev;
    irq_restore(flags);
    return 0;
}

/* This CPU's TSS, found through the GDT it has loaded. */
static struct tss *current_tss(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    const uint64_t *d = (const uint64_t *)(uintptr_t)gdtr.base + GDT_TSS / 8;
    uint64_t base = ((d[0] >> 16) & 0xFFFFFF) | ((d[0] >> 56) & 0xFF) << 24 | d[1] << 32;
    return (struct tss *)(uintptr_t)base;
}

int arch_probe_user(uint64_t rip, uint64_t user_rsp, struct fault_info *out)
{
    struct probe_ctx **slot = my_slot();
    struct probe_ctx ctx = {.out = out, .prev = *slot, .user = true};
    struct tss *volatile tss = current_tss();
    volatile uint64_t old_rsp0 = tss->rsp[0];
    if (probe_setjmp(&ctx.jmp)) {
        tss->rsp[0] = old_rsp0;
        return 1;
    }
    /* The trap from Ring 3 lands below everything live on this stack. */
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    tss->rsp[0] = (sp - 256) & ~(uintptr_t)15;
    *(struct probe_ctx *volatile *)slot = &ctx;
    __asm__ volatile("" ::: "memory");
    probe_enter_user(rip, user_rsp);
}

bool probe_recover(struct int_frame *frame, uint64_t cr2)
{
    struct probe_ctx **slot = my_slot();
    struct probe_ctx *ctx = *slot;
    unsigned v = frame->vector;
    if (!ctx || (frame->cs & 3) != (ctx->user ? 3u : 0u) || v == 2 || v == 8 || v == 18)
        return false;
    struct fault_info *out = ctx->out;
    out->vector = v;
    out->error = frame->error;
    out->addr = v == 14 ? cr2 : 0;
    out->rip = frame->rip;
    memcpy(&out->frame, frame, sizeof *frame);
    *slot = ctx->prev;

    frame->rbx = ctx->jmp.rbx;
    frame->rbp = ctx->jmp.rbp;
    frame->r12 = ctx->jmp.r12;
    frame->r13 = ctx->jmp.r13;
    frame->r14 = ctx->jmp.r14;
    frame->r15 = ctx->jmp.r15;
    frame->rsp = ctx->jmp.rsp;
    frame->rip = ctx->jmp.rip;
    frame->rflags = ctx->jmp.rflags;
    frame->rax = 1;
    frame->cs = GDT_KERNEL_CODE;
    frame->ss = GDT_KERNEL_DATA;
    return true;
}
