/*
 * int arch_copy_user(void *dst, const void *src, size_t n)
 * The only instructions that touch user memory are the rep movsq at
 * uaccess_copy_insn (eight bytes at a time) and the rep movsb at
 * uaccess_copy_tail_insn (the last n % 8); a fault in either resumes at
 * uaccess_copy_fixup (see uaccess_fixup in uaccess_fixup.c), which returns -1.
 */
        .section .text
        .global arch_copy_user
        .type arch_copy_user, @function
arch_copy_user:
        movq %rdx, %rcx
        shrq $3, %rcx
        .global uaccess_copy_insn
uaccess_copy_insn:
        rep movsq
        movq %rdx, %rcx
        andq $7, %rcx
        .global uaccess_copy_tail_insn
uaccess_copy_tail_insn:
        rep movsb
        xorl %eax, %eax
        ret
        .global uaccess_copy_fixup
uaccess_copy_fixup:
        movl $-1, %eax
        ret
        .size arch_copy_user, . - arch_copy_user
