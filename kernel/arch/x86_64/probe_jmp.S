/*
 * probe_setjmp(struct probe_jmp *buf): records the callee-saved registers,
 * the caller's stack pointer, return address and RFLAGS, and returns 0.
 * probe_recover() (probe.c) later "returns 1 from it a second time" by
 * rewriting an exception frame with these values, so iretq lands there.
 */
        .section .text
        .global probe_setjmp
probe_setjmp:
        movq %rbx, 0(%rdi)
        movq %rbp, 8(%rdi)
        movq %r12, 16(%rdi)
        movq %r13, 24(%rdi)
        movq %r14, 32(%rdi)
        movq %r15, 40(%rdi)
        leaq 8(%rsp), %rax
        movq %rax, 48(%rdi)
        movq (%rsp), %rax
        movq %rax, 56(%rdi)
        pushfq
        popq %rax
        movq %rax, 64(%rdi)
        xorl %eax, %eax
        ret

/*
 * probe_enter_user(rip, rsp): iretq to Ring 3 at rip/rsp with IF off and
 * no kernel values left in registers. swapgs first: the entry stubs swap
 * back when the user code traps.
 */
        .global probe_enter_user
probe_enter_user:
        cli
        swapgs
        pushq $0x23                     /* SS: user data, RPL 3 */
        pushq %rsi                      /* RSP */
        pushq $0x2                      /* RFLAGS: IF off */
        pushq $0x2B                     /* CS: user code, RPL 3 */
        pushq %rdi                      /* RIP */
        xorl %eax, %eax
        xorl %ebx, %ebx
        xorl %ecx, %ecx
        xorl %edx, %edx
        xorl %esi, %esi
        xorl %edi, %edi
        xorl %ebp, %ebp
        xorl %r8d, %r8d
        xorl %r9d, %r9d
        xorl %r10d, %r10d
        xorl %r11d, %r11d
        xorl %r12d, %r12d
        xorl %r13d, %r13d
        xorl %r14d, %r14d
        xorl %r15d, %r15d
        iretq
