/*
 * CPU exceptions (vectors 0-31): a probe may claim the fault (see probe.c);
 * otherwise the full register state, the page-fault details and a symbolized
 * backtrace are printed and the kernel panics. A fault at a user-access
 * instruction becomes an error return (uaccess_fixup); a fault from Ring 3
 * kills only the faulting process (user_fault_hook).
 */
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/nmi.h>
#include <arch/probe.h>
#include <arch/uaccess.h>

#include "debug/log.h"
#include "debug/panic.h"
#include "lib/format.h"

void (*user_fault_hook)(const struct int_frame *frame, uint64_t addr);

static const char *const names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved (15)",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
    "reserved (22)",
    "reserved (23)",
    "reserved (24)",
    "reserved (25)",
    "reserved (26)",
    "reserved (27)",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved (31)",
};

const char *exception_name(unsigned vector)
{
    return vector < 32 ? names[vector] : "interrupt";
}

static uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

/* "read of a non-present page from kernel mode" and friends, for #PF. */
static void describe_pf(uint64_t err, uint64_t cr2)
{
    const char *access = (err & (1u << 4)) ? "instruction fetch" : (err & (1u << 1)) ? "write" : "read";
    kprintf("  page fault: %s at %016lx, %s page, from %s mode%s%s%s\n", access, cr2,
            (err & 1) ? "present (protection violation)" : "non-present", (err & 4) ? "user" : "kernel",
            (err & 8) ? ", reserved bit set" : "", (err & 32) ? ", protection key" : "",
            (err & 64) ? ", shadow stack" : "");
}

void exception_dump(const struct int_frame *f)
{
    uintptr_t off = 0;
    const char *sym = ksyms_lookup(f->rip, &off);
    kprintf("  rip=%04lx:%016lx %s+0x%lx\n", f->cs, f->rip, sym ? sym : "?", (unsigned long)off);
    kprintf("  rsp=%04lx:%016lx rflags=%016lx error=%lx vector=%lu\n", f->ss, f->rsp, f->rflags, f->error, f->vector);
    kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("  r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("  r13=%016lx r14=%016lx r15=%016lx\n", f->r13, f->r14, f->r15);
    kprintf("  cr2=%016lx cr3=%016lx\n", read_cr2(), read_cr3());
    if ((f->cs & 3) == 0) {
        kprintf("  backtrace:\n");
        kprintf("  #- %p %s+0x%lx (faulting instruction)\n", (void *)f->rip, sym ? sym : "?", (unsigned long)off);
        backtrace_print(f->rbp);
    }
}

int exception_format_rip(const struct int_frame *f, char *buf, size_t size)
{
    uintptr_t off = 0;
    const char *sym = ksyms_lookup(f->rip, &off);
    return ksnprintf(buf, size, "rip=%04lx:%016lx %s+0x%lx", f->cs, f->rip, sym ? sym : "?", (unsigned long)off);
}

void exception_handle(struct int_frame *frame)
{
    uint64_t cr2 = read_cr2(); /* before anything else can fault */
    unsigned v = frame->vector;
    if (v == 2) {
        nmi_handle(frame); /* a halt after a panic, or a snapshot request */
        return;
    }
    if (probe_recover(frame, cr2))
        return;
    if (uaccess_fixup(frame))
        return; /* a fault in copy_from_user/copy_to_user: the copy returns an error */
    bool user = frame->cs & 3;
    if (user && user_fault_hook)
        user_fault_hook(frame, v == 14 ? cr2 : 0);
    log_break_lock();
    log_error("exception: %s (vector %u, error %lx) in %s mode\n", exception_name(v), v, frame->error,
              user ? "user" : "kernel");
    if (v == 14)
        describe_pf(frame->error, cr2);
    exception_dump(frame);
    if (user)
        panic("exception: %s from Ring 3 outside any process", exception_name(v));
    panic("exception: %s in the kernel", exception_name(v));
}
