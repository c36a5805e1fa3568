/*
 * In-kernel tests of the CPU tables and exceptions: every exception path
 * reports the right vector and details through a fault probe, and the
 * kernel's W^X mapping (kernel/mm's page tables) makes .text/.rodata
 * unwritable and .data unexecutable. (Timer and IRQ tests: test_timer.c.)
 */
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/probe.h>

#include "debug/log.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "debug/panic.h"
#include "lib/string.h"
#include "sched/cpu.h"
#include "test/ktest.h"

#define PF_P (1u << 0)
#define PF_W (1u << 1)
#define PF_U (1u << 2)
#define PF_I (1u << 4)

static bool contains(const char *s, const char *sub)
{
    size_t n = strlen(sub);
    for (; *s; s++)
        if (strncmp(s, sub, n) == 0)
            return true;
    return false;
}

__attribute__((noinline)) static void do_divide_error(void *arg)
{
    (void)arg;
    __asm__ volatile("xorl %%ecx, %%ecx; movl $1, %%eax; xorl %%edx, %%edx; divl %%ecx" ::: "rax", "rcx", "rdx");
}

__attribute__((noinline)) static void do_invalid_opcode(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

__attribute__((noinline)) static void do_breakpoint(void *arg)
{
    (void)arg;
    __asm__ volatile("int3");
}

__attribute__((noinline)) static void do_general_protection(void *arg)
{
    (void)arg;
    /* A non-canonical address (not on the stack, so #GP rather than #SS). */
    volatile uint64_t *p = (volatile uint64_t *)0x8000000000000000ull;
    (void)*p;
}

#define UNMAPPED_ADDR 0xFFFF900000000000ull /* PML4 slot 288: nothing maps it */

__attribute__((noinline)) static void do_read_unmapped(void *arg)
{
    (void)arg;
    (void)*(volatile uint64_t *)UNMAPPED_ADDR;
}

__attribute__((noinline)) static void do_write_byte(void *arg)
{
    volatile uint8_t *p = arg;
    *p = *p; /* harmless if it does not fault */
}

__attribute__((noinline)) static void do_nothing(void *arg)
{
    *(int *)arg = 42;
}

static const char *expect_fault(void (*fn)(void *), void *arg, unsigned vector, struct fault_info *fi)
{
    memset(fi, 0, sizeof *fi);
    if (!arch_probe(fn, arg, fi))
        return "no exception was raised";
    if (fi->vector != vector) {
        log_error("ktest: expected vector %u, got %u (%s)\n", vector, fi->vector, exception_name(fi->vector));
        return "wrong exception vector";
    }
    uintptr_t off;
    /* #BP reports the address after int3, still inside fn; a fetch fault reports the target. */
    if (!(vector == 14 && (fi->error & (1u << 4))) && !ksyms_lookup(fi->rip, &off))
        return "faulting RIP is not inside a known function";
    return NULL;
}

KTEST(intr_probe_no_fault)
{
    struct fault_info fi;
    int x = 0;
    KTEST_CHECK(arch_probe(do_nothing, &x, &fi) == 0, "probe reported a fault for a clean call");
    KTEST_CHECK(x == 42, "probed function did not run");
    return NULL;
}

KTEST(intr_divide_error)
{
    struct fault_info fi;
    const char *err = expect_fault(do_divide_error, NULL, 0, &fi);
    return err;
}

KTEST(intr_invalid_opcode)
{
    struct fault_info fi;
    const char *err = expect_fault(do_invalid_opcode, NULL, 6, &fi);
    if (err)
        return err;
    KTEST_CHECK(*(const uint16_t *)fi.rip == 0x0B0F, "#UD RIP does not point at ud2");
    return NULL;
}

KTEST(intr_breakpoint)
{
    struct fault_info fi;
    const char *err = expect_fault(do_breakpoint, NULL, 3, &fi);
    if (err)
        return err;
    KTEST_CHECK(*(const uint8_t *)(fi.rip - 1) == 0xCC, "#BP RIP is not just after int3");
    return NULL;
}

KTEST(intr_general_protection)
{
    struct fault_info fi;
    const char *err = expect_fault(do_general_protection, NULL, 13, &fi);
    if (err)
        return err;
    KTEST_CHECK(fi.error == 0, "#GP on a non-canonical address has a non-zero error code");
    return NULL;
}

KTEST(intr_page_fault_unmapped)
{
    struct fault_info fi;
    const char *err = expect_fault(do_read_unmapped, NULL, 14, &fi);
    if (err)
        return err;
    KTEST_CHECK(fi.addr == UNMAPPED_ADDR, "#PF CR2 is not the faulting address");
    KTEST_CHECK((fi.error & (PF_P | PF_W | PF_U | PF_I)) == 0, "#PF error code is not 'kernel read, not present'");
    return NULL;
}

/* The register dump names the faulting function (ksyms over the frame's RIP). */
KTEST(intr_dump_symbol)
{
    struct fault_info fi;
    const char *err = expect_fault(do_invalid_opcode, NULL, 6, &fi);
    if (err)
        return err;
    char line[160];
    exception_format_rip(&fi.frame, line, sizeof line);
    KTEST_CHECK(contains(line, "do_invalid_opcode+0x"), "register dump lacks the faulting function's name");
    return NULL;
}

/* Nested probes, and the callee-saved registers survive the unwind. */
KTEST(intr_probe_nested)
{
    struct fault_info outer, inner;
    volatile int step = 0;
    memset(&outer, 0, sizeof outer);
    if (arch_probe(do_breakpoint, NULL, &inner) != 1)
        return "inner probe missed #BP";
    step = 1;
    if (arch_probe(do_nothing, (void *)&step, &outer) != 0)
        return "clean probe after a fault reported a fault";
    KTEST_CHECK(step == 42, "state lost across probes");
    return NULL;
}

extern char __text_start[], __rodata_start[];
static uint8_t data_code[16] __attribute__((aligned(16))) = {0xC3}; /* ret, if it runs */

KTEST(intr_write_text)
{
    struct fault_info fi;
    uint8_t *target = (uint8_t *)do_nothing;
    const char *err = expect_fault(do_write_byte, target, 14, &fi);
    if (err)
        return err[0] == 'n' ? "writing .text did not fault (W^X not in force: the VMM's page tables are not in)" : err;
    KTEST_CHECK(fi.addr == (uint64_t)(uintptr_t)target, "#PF CR2 is not the .text address");
    KTEST_CHECK((fi.error & (PF_P | PF_W | PF_U)) == (PF_P | PF_W), "#PF error is not 'present, write, kernel'");
    return NULL;
}

static const uint8_t rodata_byte = 0x5A;

KTEST(intr_write_rodata)
{
    struct fault_info fi;
    uint8_t *target = (uint8_t *)&rodata_byte;
    const char *err = expect_fault(do_write_byte, target, 14, &fi);
    if (err)
        return err[0] == 'n' ? "writing .rodata did not fault (W^X not in force: the VMM's page tables are not in)"
                             : err;
    KTEST_CHECK(fi.addr == (uint64_t)(uintptr_t)target, "#PF CR2 is not the .rodata address");
    KTEST_CHECK((fi.error & (PF_P | PF_W | PF_U)) == (PF_P | PF_W), "#PF error is not 'present, write, kernel'");
    return NULL;
}

static void do_exec_data(void *arg)
{
    ((void (*)(void))arg)();
}

KTEST(intr_exec_data)
{
    uint32_t a, b, c, d;
    cpuid(0x80000001, 0, &a, &b, &c, &d);
    KTEST_CHECK(d & (1u << 20), "CPU has no NX: cannot make .data non-executable");
    KTEST_CHECK(rdmsr(0xC0000080) & (1u << 11), "EFER.NXE is off");
    struct fault_info fi;
    const char *err = expect_fault(do_exec_data, data_code, 14, &fi);
    if (err)
        return err[0] == 'n' ? "executing .data did not fault (NX not applied: the VMM's page tables are not in)" : err;
    KTEST_CHECK(fi.addr == (uint64_t)(uintptr_t)data_code, "#PF CR2 is not the .data address");
    KTEST_CHECK(fi.rip == (uint64_t)(uintptr_t)data_code, "#PF RIP is not the .data address");
    KTEST_CHECK((fi.error & (PF_P | PF_I | PF_U)) == (PF_P | PF_I), "#PF error is not 'present, fetch, kernel'");
    return NULL;
}

KTEST(intr_gdt_layout)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr;
    uint16_t cs, tr;
    /* Interrupts off: no migration between reading GDTR and finding this CPU's tables. */
    uint64_t flags = irq_save();
    __asm__ volatile("sgdt %0; movw %%cs, %1; str %2" : "=m"(gdtr), "=r"(cs), "=r"(tr));
    struct cpu_tables *mine = this_cpu()->arch;
    irq_restore(flags);
    KTEST_CHECK(mine && gdtr.base == (uint64_t)(uintptr_t)mine->gdt, "GDTR is not this CPU's table");
    KTEST_CHECK(cs == GDT_KERNEL_CODE && tr == GDT_TSS, "CS or TR not the documented selectors");
    /* SYSRET: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8 (RPL 3). */
    KTEST_CHECK((((GDT_STAR_VALUE >> 48) + 16) | 3) == GDT_USER_CODE, "STAR does not give the user code selector");
    KTEST_CHECK((((GDT_STAR_VALUE >> 48) + 8) | 3) == GDT_USER_DATA, "STAR does not give the user data selector");
    for (int i = 0; i < IST_COUNT; i++)
        KTEST_CHECK(bsp_tables.tss.ist[i] && bsp_tables.tss.ist[i] % 16 == 0, "an IST stack is missing or unaligned");
    return NULL;
}

__attribute__((noinline)) static void do_read(void *arg)
{
    (void)*(volatile uint64_t *)arg;
}

/* Each IST stack has an unmapped guard page right below it (kstack_alloc). */
KTEST(intr_ist_guard_pages)
{
    for (int i = 0; i < IST_COUNT; i++) {
        uint64_t top = bsp_tables.tss.ist[i];
        uint64_t guard = top - IST_STACK_PAGES * 4096ull - 8;
        struct fault_info fi;
        const char *err = expect_fault(do_read, (void *)guard, 14, &fi);
        if (err)
            return err[0] == 'n' ? "the page below an IST stack is mapped (no guard page)" : err;
        KTEST_CHECK(!(fi.error & PF_P), "IST guard page fault is not 'not present'");
        (void)*(volatile uint64_t *)(top - 8); /* the stack itself is mapped */
    }
    return NULL;
}

/*
 * Manual (it panics on purpose): an unprobed kernel page fault must print
 * the register dump, the page-fault decoding and a symbolized backtrace.
 * `test=intr_fault_panic`; the boot is expected to end in a PANIC.
 */
KTEST_MANUAL(intr_fault_panic)
{
    do_write_byte((void *)UNMAPPED_ADDR);
    return "the write to an unmapped address did not fault";
}

#define USER_CODE 0x400000ull
#define USER_STACK 0x7FFFFFFFE000ull

/*
 * Runs `code` (n bytes) in Ring 3 in a fresh address space and returns the
 * exception it raised in *fi. NULL or a failure reason.
 */
static const char *run_user(const uint8_t *code, size_t n, struct fault_info *fi)
{
    struct addr_space *as = addr_space_create();
    if (!as)
        return "no memory for an address space";
    uint64_t text = pmm_alloc_zeroed(), stack = pmm_alloc_zeroed();
    const char *err = NULL;
    if (!text || !stack || vmm_map(as, USER_CODE, text, VMM_USER | VMM_EXEC) ||
        vmm_map(as, USER_STACK - 4096, stack, VMM_USER | VMM_WRITE)) {
        err = "cannot map the user pages";
    } else {
        memcpy(phys_to_virt(text), code, n);
        uint64_t flags = irq_save();
        addr_space_activate(as);
        int r = arch_probe_user(USER_CODE, USER_STACK - 64, fi);
        addr_space_activate(&kernel_as);
        irq_restore(flags);
        if (r != 1)
            err = "the user probe did not report an exception";
    }
    addr_space_destroy(as, true);
    return err;
}

/*
 * Ring 3 round trip: the GDT's user selectors (0x2B/0x23), TSS.RSP0, the
 * stubs' swapgs on a user-mode entry, and the error codes of user faults.
 */
KTEST(intr_user_mode_faults)
{
    struct fault_info fi;
    static const uint8_t ud2[] = {0x0F, 0x0B};
    const char *err = run_user(ud2, sizeof ud2, &fi);
    if (err)
        return err;
    KTEST_CHECK(fi.vector == 6, "ud2 in Ring 3 did not raise #UD");
    KTEST_CHECK(fi.frame.cs == GDT_USER_CODE && fi.frame.ss == GDT_USER_DATA, "user CS/SS not 0x2B/0x23");
    KTEST_CHECK(fi.rip == USER_CODE, "#UD RIP is not the user instruction");
    KTEST_CHECK(fi.frame.rsp == USER_STACK - 64, "user RSP not preserved in the frame");

    /* int3 is allowed from Ring 3 (gate DPL 3); int 0x40 is not (#GP, IDT error code). */
    static const uint8_t bp[] = {0xCC};
    if ((err = run_user(bp, sizeof bp, &fi)))
        return err;
    KTEST_CHECK(fi.vector == 3 && fi.rip == USER_CODE + 1, "int3 in Ring 3 did not raise #BP");
    static const uint8_t soft[] = {0xCD, 0x40};
    if ((err = run_user(soft, sizeof soft, &fi)))
        return err;
    /* The error code names the IDT entry: vector << 3 | IDT bit (QEMU's TCG gives vector << 4). */
    KTEST_CHECK(fi.vector == 13 && (fi.error & 3) == 2 && (fi.error >> 3 == 0x40 || fi.error >> 4 == 0x40),
                "int 0x40 from Ring 3 was not refused with #GP naming IDT entry 0x40");

    /* Reading kernel memory: #PF, present, user, read. */
    uint8_t rd[10] = {0x48, 0xA1}; /* movabs rax, [KERNEL_VMA + 0x100000 text] */
    uint64_t target = (uint64_t)(uintptr_t)__text_start;
    memcpy(rd + 2, &target, 8);
    if ((err = run_user(rd, sizeof rd, &fi)))
        return err;
    KTEST_CHECK(fi.vector == 14 && fi.addr == target, "reading kernel text from Ring 3 did not #PF there");
    KTEST_CHECK((fi.error & (PF_P | PF_W | PF_U | PF_I)) == (PF_P | PF_U), "#PF error is not 'present, read, user'");
    return NULL;
}
