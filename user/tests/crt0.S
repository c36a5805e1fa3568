/*
 * The entry of every test program: the kernel starts the main thread here
 * with RSP 16-byte aligned at the top of its stack and an argument in RDI.
 * main(arg)'s return value becomes the process's exit status.
 */
        .section .text
        .global _start
_start:
        xorl %ebp, %ebp
        call main
        movq %rax, %rdi
        movl $37, %eax                  /* SYS_PROCESS_EXIT */
        syscall
        ud2
