/*
 * Thread context switch. Only the callee-saved registers and RSP need
 * saving: everything else is either caller-saved (the C caller spilled what
 * it needs) or lives in the interrupt frame further up the stack of a
 * preempted thread. RFLAGS is handled by the C caller (interrupts are off
 * across the switch).
 *
 *   void arch_switch(uint64_t *save_rsp, uint64_t load_rsp);
 *
 * A new thread's stack is prepared by arch_thread_stack_init (sched code)
 * so that the pops below find zeroes, with r12 = entry, r13 = argument, and
 * the return address arch_thread_entry.
 */
        .section .text
        .global arch_switch
        .type arch_switch, @function
arch_switch:
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret
        .size arch_switch, . - arch_switch

/* First code of every new thread: finish the switch, then entry(arg), then exit. */
        .global arch_thread_entry
        .type arch_thread_entry, @function
arch_thread_entry:
        xorl %ebp, %ebp                 /* backtraces stop here */
        call sched_thread_first_run
        movq %r13, %rdi
        call *%r12
        call thread_exit
        ud2
        .size arch_thread_entry, . - arch_thread_entry
