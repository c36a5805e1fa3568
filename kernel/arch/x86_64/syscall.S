/*
 * SYSCALL entry and the way back to Ring 3.
 *
 * SYSCALL leaves the user RIP in RCX and RFLAGS in R11, masks RFLAGS with
 * SFMASK (IF, DF, TF, AC off) and does not touch RSP. The stub swaps to the
 * kernel GS base, parks the user RSP in the per-CPU block, takes the
 * running thread's kernel stack top from the per-CPU pointer to TSS.RSP0
 * (arch_switch_to keeps RSP0 current), and builds the same struct int_frame
 * an interrupt would (<arch/idt.h>), so the C side, fault reports and the
 * IRETQ path all share one layout.
 *
 * The way out is SYSRET when the frame still returns to a canonical user
 * RIP with the user selectors, else IRETQ through isr_return: SYSRET with a
 * non-canonical RCX raises #GP in Ring 0 on Intel CPUs with the user RSP
 * already loaded (the SYSRET hazard).
 */
#include <arch/syscall.h>

        .section .text
        .global syscall_entry
        .type syscall_entry, @function
        .align 16
syscall_entry:
        swapgs
        movq %rsp, %gs:CPU_OFF_SYSCALL_USER_RSP
        movq %gs:CPU_OFF_SYSCALL_RSP0, %rsp
        movq (%rsp), %rsp
        pushq $0x23                             /* SS: user data */
        pushq %gs:CPU_OFF_SYSCALL_USER_RSP      /* RSP */
        pushq %r11                              /* RFLAGS */
        pushq $0x2B                             /* CS: user code */
        pushq %rcx                              /* RIP */
        pushq $0                                /* error code */
        pushq $SYSCALL_FRAME_VECTOR
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        xorl %ebp, %ebp                         /* backtraces stop here */
        movq %rsp, %rdi
        call syscall_handle                     /* returns with interrupts off */
        movq 17*8(%rsp), %rcx                   /* RIP */
        movq %rcx, %r11
        shrq $47, %r11
        jnz 1f                                  /* not a canonical lower-half address */
        cmpq $0x2B, 18*8(%rsp)
        jne 1f
        cmpq $0x23, 21*8(%rsp)
        jne 1f
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11                               /* reloaded below */
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx                               /* reloaded below */
        popq %rbx
        popq %rax
        movq 16(%rsp), %rcx                     /* RIP */
        movq 32(%rsp), %r11                     /* RFLAGS */
        orq $0x200, %r11                        /* IF on in user mode */
        movq 40(%rsp), %rsp                     /* user RSP: no kernel stack from here on */
        swapgs
        sysretq
1:      jmp isr_return
        .size syscall_entry, . - syscall_entry

/* arch_enter_user(rip, rsp, arg, kstack_top): see <arch/syscall.h>. */
        .global arch_enter_user
        .type arch_enter_user, @function
arch_enter_user:
        cli
        movq %rcx, %rsp
        pushq $0x23                             /* SS */
        pushq %rsi                              /* RSP */
        pushq $0x202                            /* RFLAGS: IF */
        pushq $0x2B                             /* CS */
        pushq %rdi                              /* RIP */
        movq %rdx, %rdi                         /* the argument */
        xorl %eax, %eax
        xorl %ebx, %ebx
        xorl %ecx, %ecx
        xorl %edx, %edx
        xorl %esi, %esi
        xorl %ebp, %ebp
        xorl %r8d, %r8d
        xorl %r9d, %r9d
        xorl %r10d, %r10d
        xorl %r11d, %r11d
        xorl %r12d, %r12d
        xorl %r13d, %r13d
        xorl %r14d, %r14d
        xorl %r15d, %r15d
        swapgs
        iretq
        .size arch_enter_user, . - arch_enter_user
