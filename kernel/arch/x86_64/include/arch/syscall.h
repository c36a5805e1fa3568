/*
 * The SYSCALL/SYSRET entry (syscall.S, syscall.c) and the first entry of a
 * thread into Ring 3. Shared with assembly: the struct cpu offsets the
 * entry stub uses (checked against kernel/sched/cpu.h in syscall.c).
 */
#ifndef ARCH_SYSCALL_H
#define ARCH_SYSCALL_H

#define CPU_OFF_SYSCALL_USER_RSP 16
#define CPU_OFF_SYSCALL_RSP0 24
#define CPU_OFF_CURRENT 32 /* = PERCPU_OFF_CURRENT */
#define CPU_OFF_NEED_RESCHED 40
#define THREAD_OFF_KILL_PENDING 48
/* Offset of the user RIP in struct syscall_frame. */
#define SYSCALL_FRAME_RIP 56

#ifndef __ASSEMBLER__
#include <arch/idt.h>
#include <stdint.h>

struct cpu;

/*
 * What the SYSCALL entry saves on the thread's kernel stack: the six
 * argument registers (the handler's argument array; a call's outputs are
 * written over a[0..2] and come back in RDI, RSI, RDX), then the user
 * RFLAGS, RIP and RSP.
 */
struct syscall_frame {
    uint64_t a[6]; /* RDI, RSI, RDX, R10, R8, R9 */
    uint64_t rflags;
    uint64_t rip;
    uint64_t rsp;
};

/*
 * Enables SYSCALL on this CPU: EFER.SCE, STAR (selectors, see <arch/gdt.h>),
 * LSTAR (syscall_entry), SFMASK (IF, DF, TF, AC cleared on entry), and
 * points c->syscall_rsp0 at this CPU's TSS.RSP0. Once per CPU, after its
 * GDT/TSS are loaded.
 */
void syscall_init_cpu(struct cpu *c);

/*
 * A thread's first entry into Ring 3: resets the kernel stack to
 * kstack_top (nothing on it survives), then IRETQ to rip with stack rsp,
 * `arg` in RDI, every other register zero, IF on. Interrupts must be off.
 */
__attribute__((noreturn)) void arch_enter_user(uint64_t rip, uint64_t rsp, uint64_t arg, void *kstack_top);

/*
 * The generic dispatcher (kernel/syscall/dispatch.c), called with interrupts
 * on: runs call `num` on the argument array `a` (whose first three words it
 * may overwrite with the call's outputs) and returns the value for RAX.
 */
int64_t syscall_dispatch(uint64_t a[6], uint64_t num);

/*
 * Called with interrupts off just before any return to Ring 3 (syscall or
 * interrupt): ends the thread instead if it was killed. Set by generic code.
 */
extern void (*user_return_hook)(void);

#endif
#endif
