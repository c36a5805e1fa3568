/*
 * The SYSCALL/SYSRET entry (syscall.S, syscall.c) and the first entry of a
 * thread into Ring 3. Shared with assembly: the struct cpu offsets the
 * entry stub uses (checked against kernel/sched/cpu.h in syscall.c).
 */
#ifndef ARCH_SYSCALL_H
#define ARCH_SYSCALL_H

#define CPU_OFF_SYSCALL_USER_RSP 16
#define CPU_OFF_SYSCALL_RSP0 24
/* The vector number a SYSCALL frame carries (no IDT vector uses it). */
#define SYSCALL_FRAME_VECTOR 0x1000

#ifndef __ASSEMBLER__
#include <arch/idt.h>
#include <stdint.h>

struct cpu;

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
 * The generic dispatcher (kernel/syscall/dispatch.c): number, six
 * arguments, up to three extra outputs. Returns the value for RAX.
 */
int64_t syscall_dispatch(uint64_t num, const uint64_t args[6], uint64_t outs[3], int *nouts);

/*
 * Called with interrupts off just before any return to Ring 3 (syscall or
 * interrupt): ends the thread instead if it was killed. Set by generic code.
 */
extern void (*user_return_hook)(void);

#endif
#endif
