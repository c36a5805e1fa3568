/*
 * SYSCALL entry and the way back to Ring 3.
 *
 * SYSCALL leaves the user RIP in RCX and RFLAGS in R11, masks RFLAGS with
 * SFMASK (IF, DF, TF, AC off) and does not touch RSP. The stub swaps to the
 * kernel GS base, parks the user RSP in the per-CPU block, takes the
 * running thread's kernel stack top from the per-CPU pointer to TSS.RSP0
 * (arch_switch_to keeps RSP0 current) and saves only what the return needs
 * (struct syscall_frame in <arch/syscall.h>): the user RSP, RIP and RFLAGS,
 * and the six argument registers, which double as the handler's argument
 * array. Nothing else needs saving: RBX, RBP and R12-R15 are callee-saved in
 * the C ABI, so the handler hands them back unchanged; RDI, RSI and RDX come
 * back from the array (the call's outputs, or the caller's own values); R8,
 * R9, R10 are restored as they came; RAX is the result. No kernel value is
 * left in a register the user sees.
 *
 * The way out is SYSRET. SYSRET with a non-canonical RCX raises #GP in Ring
 * 0 with the user RSP already loaded (the SYSRET hazard), so a frame whose
 * RIP is not a canonical lower-half address never gets there: the thread's
 * process is killed instead (syscall_bad_return). Work that must happen
 * before any return to Ring 3 — a kill, a due reschedule — is checked with
 * interrupts off and handled in C (syscall_exit_work), then checked again.
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
        pushq %gs:CPU_OFF_SYSCALL_USER_RSP      /* user RSP */
        pushq %rcx                              /* user RIP */
        pushq %r11                              /* user RFLAGS */
        pushq %r9                               /* a[5] */
        pushq %r8                               /* a[4] */
        pushq %r10                              /* a[3] */
        pushq %rdx                              /* a[2]: output 2 */
        pushq %rsi                              /* a[1]: output 1 */
        pushq %rdi                              /* a[0]: output 0 */
        movq %rsp, %rdi                         /* a: 72 bytes below a 16-aligned top, so RSP % 16 == 8 */
        movq %rax, %rsi                         /* the number */
        subq $8, %rsp                           /* align the call */
        sti
        call syscall_dispatch
        cli
1:      movq %gs:CPU_OFF_CURRENT, %rcx
        cmpb $0, THREAD_OFF_KILL_PENDING(%rcx)
        jne 3f
        cmpb $0, %gs:CPU_OFF_NEED_RESCHED
        jne 3f
        movq 8+SYSCALL_FRAME_RIP(%rsp), %rcx
        shrq $47, %rcx
        jnz 4f                                  /* not a canonical lower-half RIP */
        addq $8, %rsp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %r10
        popq %r8
        popq %r9
        popq %r11                               /* RFLAGS */
        popq %rcx                               /* RIP */
        orq $0x200, %r11                        /* IF on in user mode, whatever the frame says */
        popq %rsp                               /* user RSP: no kernel stack from here on */
        swapgs
        sysretq
3:      movq %rax, (%rsp)                       /* the result survives the C call */
        call syscall_exit_work                  /* may switch threads or end this one */
        cli
        movq (%rsp), %rax
        jmp 1b
4:      leaq 8(%rsp), %rdi
        call syscall_bad_return                 /* does not return */
        ud2
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
