/* SYSCALL setup and the C side of the entry (see syscall.S, <arch/syscall.h>). */
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/syscall.h>
#include <stddef.h>

#include <mnos/syscalls.h>

#include "sched/cpu.h"

#define MSR_EFER 0xC0000080u
#define MSR_STAR 0xC0000081u
#define MSR_LSTAR 0xC0000082u
#define MSR_SFMASK 0xC0000084u
#define EFER_SCE (1ull << 0)
/* RFLAGS bits SYSCALL clears: TF (8), IF (9), DF (10), AC (18). NT (14) too, as Linux does. */
#define SFMASK_BITS ((1ull << 8) | (1ull << 9) | (1ull << 10) | (1ull << 14) | (1ull << 18))

_Static_assert(offsetof(struct cpu, syscall_user_rsp) == CPU_OFF_SYSCALL_USER_RSP, "syscall.S per-CPU offset");
_Static_assert(offsetof(struct cpu, syscall_rsp0) == CPU_OFF_SYSCALL_RSP0, "syscall.S per-CPU offset");
_Static_assert(GDT_USER_CODE == 0x2B && GDT_USER_DATA == 0x23, "syscall.S hard-codes the user selectors");

extern void syscall_entry(void);

void (*user_return_hook)(void);

void syscall_init_cpu(struct cpu *c)
{
    struct cpu_tables *t = c->arch;
    /* RSP0 sits at offset 4 of the packed TSS: unaligned, which the entry's mov does not mind. */
    c->syscall_rsp0 = (uint64_t *)((char *)&t->tss + offsetof(struct tss, rsp));
    wrmsr(MSR_STAR, GDT_STAR_VALUE);
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_SFMASK, SFMASK_BITS);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

/* Called by syscall.S on the thread's kernel stack, interrupts off; returns with them off. */
void syscall_handle(struct int_frame *f)
{
    irq_enable();
    uint64_t args[6] = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9};
    uint64_t outs[3] = {0, 0, 0};
    int nouts = 0;
    f->rax = (uint64_t)syscall_dispatch(f->rax, args, outs, &nouts);
    if (nouts > 0)
        f->rdi = outs[0];
    if (nouts > 1)
        f->rsi = outs[1];
    if (nouts > 2)
        f->rdx = outs[2];
    irq_disable();
    if (user_return_hook)
        user_return_hook();
}
