/*
 * 32-bit entry stub: from either boot protocol to 64-bit C.
 *
 * Two ways in, one entry point (_start32), both in 32-bit protected mode
 * with paging off:
 *   - GRUB 2, Multiboot2: eax = 0x36d76289, ebx = physical address of the
 *     Multiboot2 information structure;
 *   - PVH (QEMU -kernel, microVM hosts): ebx = physical address of the
 *     hvm_start_info structure (magic 0x336ec578 at offset 0); eax holds
 *     whatever firmware left there, so the C side tells the protocols apart
 *     by the magic at [ebx], not by eax.
 *
 * The stub builds throwaway page tables (identity and HHDM over the first
 * 4 GiB with 2 MiB pages, the kernel image at KERNEL_VMA), turns on PAE,
 * long mode, NX (when present) and paging, and calls
 * kmain(eax_at_entry, ebx_at_entry, tsc_at_entry) on a higher-half stack.
 * The kernel replaces these tables with its own once memory management runs.
 */
#define KERNEL_VMA   0xFFFFFFFF80000000
#define MB2_MAGIC    0xE85250D6
#define PTE_P        0x001
#define PTE_W        0x002
#define PTE_PS       0x080
#define COM1         0x3F8

/* ---- Multiboot2 header (must sit in the first 32 KiB of the file) ------ */
        .section .multiboot2, "a"
        .align 8
mb2_header:
        .long MB2_MAGIC
        .long 0                                 /* architecture: i386 */
        .long mb2_header_end - mb2_header
        .long 0x100000000 - (MB2_MAGIC + (mb2_header_end - mb2_header))
        .align 8                                /* entry address tag */
        .short 3, 0
        .long 12
        .long _start32
        .align 8                                /* modules page aligned */
        .short 6, 0
        .long 8
        .align 8                                /* framebuffer, optional */
        .short 5, 1
        .long 20
        .long 1024, 768, 32
        .align 8                                /* end tag */
        .short 0, 0
        .long 8
mb2_header_end:

/* ---- PVH ELF note: XEN_ELFNOTE_PHYS32_ENTRY (18) ---------------------- */
        .section .note.Xen, "a", @note
        .align 4
        .long 4                                 /* name size */
        .long 8                                 /* descriptor size */
        .long 18                                /* type */
        .asciz "Xen"
        .align 4
        .quad _start32

/* ---- boot data: tables and a stack, identity mapped ------------------- */
        .section .boot.data, "aw"
        .align 4096
boot_pml4:      .fill 512, 8, 0
boot_pdpt_low:  .fill 512, 8, 0
boot_pdpt_high: .fill 512, 8, 0
boot_pd:        .fill 4 * 512, 8, 0             /* 4 GiB in 2 MiB pages */
boot_stack:     .fill 1024, 4, 0
boot_stack_top:
        .align 8
boot_gdt:
        .quad 0
        .quad 0x00AF9A000000FFFF                /* 0x08: 64-bit code */
        .quad 0x00CF92000000FFFF                /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
        .short boot_gdt_end - boot_gdt - 1
        .long boot_gdt
        .global boot_entry_eax, boot_entry_ebx, boot_entry_tsc
boot_entry_eax: .long 0
boot_entry_ebx: .long 0
boot_entry_tsc: .quad 0
no_lm_msg:      .asciz "MinimalOS: this CPU has no long mode (x86_64); halting.\r\n"

/* ---- 32-bit entry ----------------------------------------------------- */
        .section .boot.text, "ax"
        .code32
        .global _start32
_start32:
        movl %eax, %edi
        rdtsc                                   /* instruction-count anchor */
        cli
        cld
        movl %edi, boot_entry_eax
        movl %ebx, boot_entry_ebx
        movl %eax, boot_entry_tsc
        movl %edx, boot_entry_tsc + 4
        movl $boot_stack_top, %esp

        /* Long mode available? */
        movl $0x80000000, %eax
        cpuid
        cmpl $0x80000001, %eax
        jb no_long_mode
        movl $0x80000001, %eax
        cpuid
        testl $(1 << 29), %edx
        jz no_long_mode
        movl %edx, %ebp                         /* bit 20: NX */

        /* PML4: identity (0), HHDM (256), kernel (511). */
        movl $(boot_pdpt_low + PTE_P + PTE_W), boot_pml4
        movl $(boot_pdpt_low + PTE_P + PTE_W), boot_pml4 + 256 * 8
        movl $(boot_pdpt_high + PTE_P + PTE_W), boot_pml4 + 511 * 8
        /* PDPT low: 4 x 1 GiB; PDPT high: entries 510/511 -> first 2 GiB. */
        movl $(boot_pd + PTE_P + PTE_W), boot_pdpt_low
        movl $(boot_pd + 0x1000 + PTE_P + PTE_W), boot_pdpt_low + 8
        movl $(boot_pd + 0x2000 + PTE_P + PTE_W), boot_pdpt_low + 16
        movl $(boot_pd + 0x3000 + PTE_P + PTE_W), boot_pdpt_low + 24
        movl $(boot_pd + PTE_P + PTE_W), boot_pdpt_high + 510 * 8
        movl $(boot_pd + 0x1000 + PTE_P + PTE_W), boot_pdpt_high + 511 * 8
        /* 2048 large pages covering 0..4 GiB. */
        movl $boot_pd, %edi
        xorl %ecx, %ecx
        movl $(PTE_P + PTE_W + PTE_PS), %eax
1:      movl %eax, (%edi, %ecx, 8)
        movl $0, 4(%edi, %ecx, 8)
        addl $0x200000, %eax
        incl %ecx
        cmpl $2048, %ecx
        jb 1b

        /* PAE + PGE, then CR3. */
        movl %cr4, %eax
        orl $0xA0, %eax
        movl %eax, %cr4
        movl $boot_pml4, %eax
        movl %eax, %cr3
        /* EFER: LME, and NXE when the CPU has NX. */
        movl $0xC0000080, %ecx
        rdmsr
        orl $(1 << 8), %eax
        testl $(1 << 20), %ebp
        jz 2f
        orl $(1 << 11), %eax
2:      wrmsr
        /* Paging + write protect. */
        movl %cr0, %eax
        orl $0x80010001, %eax
        movl %eax, %cr0
        lgdt boot_gdt_ptr
        ljmp $0x08, $long_mode_entry

no_long_mode:
        movl $no_lm_msg, %esi
3:      lodsb
        testb %al, %al
        jz 4f
        movw $COM1, %dx
        outb %al, %dx
        jmp 3b
4:      hlt
        jmp 4b

        .code64
long_mode_entry:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorl %eax, %eax
        movw %ax, %fs
        movw %ax, %gs
        movabsq $higher_half_entry, %rax
        jmp *%rax

/* ---- 64-bit, higher half ---------------------------------------------- */
        .section .text
higher_half_entry:
        movabsq $boot_stack64_top, %rsp
        xorl %ebp, %ebp
        movl boot_entry_eax, %edi
        movl boot_entry_ebx, %esi
        movq boot_entry_tsc, %rdx
        call kmain
5:      cli
        hlt
        jmp 5b

        .section .bss
        .align 16
        .global boot_stack64, boot_stack64_top
boot_stack64:
        .skip 16384
boot_stack64_top:
