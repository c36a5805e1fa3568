/* x86_64 side of thread switching (see arch/sched.h). */
#include <arch/fpu.h>
#include <arch/gdt.h>
#include <arch/sched.h>

#include "mm/vmm.h"
#include "sched/cpu.h"
#include "sched/process.h"
#include "sched/thread.h"

extern void arch_thread_entry(void);

void arch_thread_stack_init(struct thread *t)
{
    uint64_t *top = t->kstack_top;
    top[-1] = (uint64_t)(uintptr_t)arch_thread_entry; /* ret target; rsp 16-aligned after it */
    top[-2] = 0; /* rbp */
    top[-3] = 0; /* rbx */
    top[-4] = (uint64_t)(uintptr_t)t->entry; /* r12 */
    top[-5] = (uint64_t)(uintptr_t)t->arg; /* r13 */
    top[-6] = 0; /* r14 */
    top[-7] = 0; /* r15 */
    t->saved_rsp = (uint64_t)(uintptr_t)&top[-7];
}

void arch_switch_to(struct thread *prev, struct thread *next)
{
    if (prev->fpu)
        fpu_save(prev->fpu);
    if (next->fpu)
        fpu_restore(next->fpu);
    /*
     * A process's threads run in its address space, kernel threads in the
     * kernel's: then no CPU keeps a dead process's tables loaded, and the
     * reaper can free them. CR3 is written only when the space changes.
     */
    struct addr_space *from = prev->process ? prev->process->as : &kernel_as;
    struct addr_space *to = next->process ? next->process->as : &kernel_as;
    if (from != to)
        addr_space_activate(to);
    struct cpu *c = this_cpu();
    if (c->arch)
        gdt_set_rsp0(c->arch, next->kstack_top);
    arch_switch(&prev->saved_rsp, next->saved_rsp);
}
