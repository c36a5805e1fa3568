/*
 * The application processor (AP) start-up trampoline. smp.c copies this
 * blob to physical TRAMP_BASE (below 1 MiB, page aligned: the SIPI vector is
 * TRAMP_BASE >> 12), fills in its data slots, and sends INIT/SIPI/SIPI. The
 * AP starts here in 16-bit real mode at CS:IP = (TRAMP_BASE >> 4):0, goes
 * through 32-bit protected mode into long mode
 * using page tables that identity-map the trampoline and share the kernel
 * half, then jumps to ap_entry(cpu) on its own stack in the higher half.
 */
#define TRAMP_BASE 0x8000
#define REL(x) (TRAMP_BASE + (x) - trampoline_start)

        .section .rodata
        .balign 16
        .global trampoline_start, trampoline_end
        .global tr_cr3, tr_efer, tr_stack, tr_cpu, tr_entry
        .code16
trampoline_start:
        cli
        cld
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        lgdtl REL(tr_gdt_ptr)
        movl %cr0, %eax
        orl $1, %eax
        movl %eax, %cr0
        ljmpl $0x08, $REL(tr_pm32)

        .code32
tr_pm32:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl %cr4, %eax
        orl $0xA0, %eax                 /* PAE, PGE */
        movl %eax, %cr4
        movl REL(tr_cr3), %eax
        movl %eax, %cr3
        movl $0xC0000080, %ecx          /* EFER: LME (+ NXE when the BSP has it) */
        rdmsr
        orl REL(tr_efer), %eax
        wrmsr
        movl %cr0, %eax
        orl $0x80010000, %eax           /* PG, WP */
        movl %eax, %cr0
        ljmp $0x18, $REL(tr_lm64)

        .code64
tr_lm64:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorl %eax, %eax
        movw %ax, %fs
        movw %ax, %gs
        movq REL(tr_stack), %rsp
        movq REL(tr_cpu), %rdi
        movq REL(tr_entry), %rax
        xorl %ebp, %ebp
        jmp *%rax

        .balign 8
tr_gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF                /* 0x08: 32-bit code */
        .quad 0x00CF92000000FFFF                /* 0x10: data */
        .quad 0x00AF9A000000FFFF                /* 0x18: 64-bit code */
tr_gdt_ptr:
        .short tr_gdt_ptr - tr_gdt - 1
        .long REL(tr_gdt)
        .balign 8
tr_cr3:   .long 0
tr_efer:  .long 0
tr_stack: .quad 0
tr_cpu:   .quad 0
tr_entry: .quad 0
trampoline_end:
