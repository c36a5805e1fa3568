/*
 * Interrupt and exception entry stubs. Every vector has a stub that makes the
 * stack look the same: vectors without a CPU error code push a zero, then
 * each stub pushes its vector number and jumps to isr_common, which saves
 * all fifteen general registers (struct int_frame in <arch/idt.h>) and calls
 * interrupt_dispatch(frame). swapgs runs on entry and exit exactly when the
 * interrupted code was in Ring 3 (CS's RPL), so the kernel's GS base is live
 * inside the kernel once per-CPU data uses it.
 *
 * Vectors with an error code: 8, 10-14, 17, 21, 29, 30.
 */
        .section .text

.macro ISR_NOERR n
        .align 16
isr_\n:
        pushq $0
        pushq $\n
        jmp isr_common
.endm

.macro ISR_ERR n
        .align 16
isr_\n:
        pushq $\n
        jmp isr_common
.endm

isr_common:
        testb $3, 24(%rsp)              /* CS of the interrupted code */
        jz 1f
        swapgs
1:      pushq %rax
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
        cld
        movq %rsp, %rdi                 /* 176-byte frame: rsp stays 16-aligned */
        call interrupt_dispatch
        .global isr_return
isr_return:
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        testb $3, 24(%rsp)
        jz 2f
        swapgs
2:      addq $16, %rsp                  /* vector and error code */
        iretq

/* The 256 stubs. */
        .altmacro
.macro ISR_ANY n
  .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
        ISR_ERR %n
  .else
        ISR_NOERR %n
  .endif
.endm

        .set i, 0
        .rept 256
        ISR_ANY %i
        .set i, i + 1
        .endr

/* The table of stub addresses idt.c builds the gates from. */
.macro ISR_ADDR n
        .quad isr_\n
.endm
        .section .rodata
        .align 8
        .global isr_stubs
isr_stubs:
        .set i, 0
        .rept 256
        ISR_ADDR %i
        .set i, i + 1
        .endr
