/*
 * Fault probes: run a function and turn a CPU exception inside it into a
 * return value instead of a panic. For tests (does writing .text fault?) and,
 * later, for copying from addresses that may not be mapped.
 */
#ifndef ARCH_PROBE_H
#define ARCH_PROBE_H

#include <arch/idt.h>
#include <stdint.h>

struct fault_info {
    unsigned vector; /* 0..31 */
    uint64_t error; /* the CPU's error code (0 when the vector has none) */
    uint64_t addr; /* CR2 for #PF, else 0 */
    uint64_t rip; /* where it faulted */
    struct int_frame frame; /* the full register state at the fault */
};

/*
 * Calls fn(arg). If fn (or anything it calls) raises a CPU exception in
 * Ring 0 other than NMI, #DF or #MC, the exception unwinds straight back
 * here: `out` is filled and 1 is returned. Returns 0 when fn returned
 * normally (`out` untouched). Probes nest. fn must not hold locks or have
 * other state to undo when it is abandoned mid-way; the callee-saved
 * registers and the stack pointer are restored as at the call. Each CPU
 * has its own chain of probes; fn must not migrate (interrupts may stay on).
 */
int arch_probe(void (*fn)(void *), void *arg, struct fault_info *out);

/*
 * Enters Ring 3 at `rip` with stack pointer `rsp` (in the address space
 * that is active now, which must map both for user access), interrupts off,
 * and catches the first exception the user code raises: fills `out` (its
 * frame shows the user CS/SS/RIP) and returns 1. The user code cannot come
 * back any other way, so it must fault (ud2, int3, a bad access). While it
 * runs, TSS.RSP0 points just below the caller's stack; the old value is
 * restored. For tests of the Ring 3 paths until processes exist.
 */
int arch_probe_user(uint64_t rip, uint64_t rsp, struct fault_info *out);

/*
 * Called by the exception handler: if a probe is active and can take
 * `frame` (a kernel probe a Ring 0 fault, a user probe a Ring 3 one), records it and rewrites `frame` to resume at the
 * probe's return; returns true. Otherwise returns false and changes nothing.
 */
bool probe_recover(struct int_frame *frame, uint64_t cr2);

#endif
