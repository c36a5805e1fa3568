/*
 * int arch_copy_user(void *dst, const void *src, size_t n)
 * The only instruction that touches user memory is the rep movsb at
 * uaccess_copy_insn; a fault there resumes at uaccess_copy_fixup (see
 * uaccess_fixup in uaccess_fixup.c), which returns -1.
 */
        .section .text
        .global arch_copy_user
        .type arch_copy_user, @function
arch_copy_user:
        movq %rdx, %rcx
        .global uaccess_copy_insn
uaccess_copy_insn:
        rep movsb
        xorl %eax, %eax
        ret
        .global uaccess_copy_fixup
uaccess_copy_fixup:
        movl $-1, %eax
        ret
        .size arch_copy_user, . - arch_copy_user
