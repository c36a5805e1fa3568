/* panic(): the one way the kernel gives up. */
#include "debug/panic.h"

#include <arch/cpu.h>
#include <arch/qemu.h>
#include <arch/smp.h>
#include <stdarg.h>
#include <stdbool.h>

#include "debug/log.h"
#include "lib/format.h"
#include "sched/cpu.h"
#include "sched/thread.h"
#include "test/ktest.h"

extern const char __text_start[], __text_end[];

static volatile int panicking;

void backtrace_print(uintptr_t rbp)
{
    if (!rbp)
        rbp = read_rbp();
    /* The running thread's stack top, when known: no frame is read past it. */
    uintptr_t top = 0;
    if (percpu_ready && this_cpu()->current)
        top = (uintptr_t)this_cpu()->current->kstack_top;
    for (int depth = 0; depth < 32 && rbp; depth++) {
        /* Frames live on kernel stacks in the higher half; anything else ends the walk. */
        if (rbp % 8 || rbp < 0xFFFF800000000000ull || (top && rbp + 16 > top && rbp < top))
            break;
        const uintptr_t *frame = (const uintptr_t *)rbp;
        uintptr_t ret = frame[1];
        if (ret <= (uintptr_t)__text_start || ret - 1 >= (uintptr_t)__text_end)
            break;
        uintptr_t off = 0;
        const char *name = ksyms_lookup(ret - 1, &off);
        kprintf("  #%d %p %s+0x%lx\n", depth, (void *)ret, name ? name : "?", (unsigned long)off + 1);
        if (frame[0] <= rbp)
            break; /* stacks grow down: the caller's frame is above ours */
        rbp = frame[0];
    }
}

static void dump_registers(void)
{
    uint64_t r[8], cr0, cr2, cr3, cr4, rflags;
    __asm__ volatile("mov %%rax, 0(%0); mov %%rbx, 8(%0); mov %%rcx, 16(%0); mov %%rdx, 24(%0);"
                     "mov %%rsi, 32(%0); mov %%rdi, 40(%0); mov %%rsp, 48(%0); mov %%rbp, 56(%0)"
                     :
                     : "r"(r)
                     : "memory");
    __asm__ volatile("mov %%cr0, %0; mov %%cr2, %1; mov %%cr3, %2; mov %%cr4, %3"
                     : "=r"(cr0), "=r"(cr2), "=r"(cr3), "=r"(cr4));
    __asm__ volatile("pushfq; popq %0" : "=r"(rflags));
    kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", r[0], r[1], r[2], r[3]);
    kprintf("  rsi=%016lx rdi=%016lx rsp=%016lx rbp=%016lx\n", r[4], r[5], r[6], r[7]);
    kprintf("  cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx rflags=%016lx\n", cr0, cr2, cr3, cr4, rflags);
}

bool panic_in_progress(void)
{
    return panicking;
}

void panic(const char *fmt, ...)
{
    irq_disable();
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
        cpu_stop();
    smp_halt_others();
    log_break_lock();

    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    log_error("PANIC: %s\n", msg);
    dump_registers();
    kprintf("backtrace:\n");
    backtrace_print(0);
    if (ktest_mode())
        kprintf("ktest: run ended by panic\n");
    log_error("system halted\n");
    qemu_exit(QEMU_EXIT_FAIL);
    cpu_stop();
}

/* -fstack-protector-strong: a smashed canary ends here. */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ull;

__attribute__((noreturn)) void __stack_chk_fail(void)
{
    panic("stack smashing detected");
}
