/*
 * kmain: the boot sequence after the entry stub, in the roadmap's phases.
 *   1. Deaf and blind: COM1 and the log.
 *   2. Can see: boot info from either protocol, framebuffer console.
 *   3. Can remember: PMM, the kernel's page tables, heap (mm_init).
 *   4. Can think: CPU tables, ACPI, APICs, timers (arch_*_init), the
 *      scheduler, the other CPUs.
 *   5. Alive: a "main" kernel thread says "kernel alive", then runs the
 *      in-kernel tests or benchmarks the command line selects, or else
 *      starts init (PID 1) in Ring 3, which says "init ready".
 * The boot context becomes CPU 0's idle thread.
 */
#include <arch/cpu.h>
#include <arch/init.h>
#include <arch/serial.h>
#include <arch/smp.h>
#include <arch/syscall.h>
#include <arch/time.h>

#include "boot/boot_info.h"
#include "console/console.h"
#include "debug/log.h"
#include "debug/panic.h"
#include "loader/init.h"
#include "mm/hhdm.h"
#include "mm/mm.h"
#include "pci/pci_kernel.h"
#include "sched/sched.h"
#include "sched/uthread.h"
#include "test/kbench.h"
#include "test/ktest.h"
#include "version.h"

static struct boot_info boot_info;

const struct boot_info *kernel_boot_info(void)
{
    return &boot_info;
}

static const char *mem_type_name(uint32_t type)
{
    switch (type) {
    case MEM_USABLE: return "usable";
    case MEM_ACPI_RECLAIM: return "ACPI reclaimable";
    case MEM_ACPI_NVS: return "ACPI NVS";
    case MEM_BAD: return "bad";
    default: return "reserved";
    }
}

static void log_boot_info(const struct boot_info *bi)
{
    kprintf("boot: protocol %s%s%s, command line \"%s\"\n", bi->protocol, bi->loader[0] ? ", loader " : "", bi->loader,
            bi->cmdline);
    uint64_t usable = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mem_region *r = &bi->mmap[i];
        kprintf("boot: mem %016lx-%016lx %s\n", r->base, r->base + r->length - 1, mem_type_name(r->type));
        if (r->type == MEM_USABLE)
            usable += r->length;
    }
    kprintf("boot: %lu MiB usable RAM\n", usable >> 20);
    for (uint32_t i = 0; i < bi->module_count; i++)
        kprintf("boot: module %u at %lx, %lu bytes \"%s\"\n", i, bi->modules[i].phys, bi->modules[i].size,
                bi->modules[i].name);
    if (bi->fb.present)
        kprintf("boot: framebuffer %ux%u, %u bpp, pitch %u, at %lx\n", bi->fb.width, bi->fb.height, bi->fb.bpp,
                bi->fb.pitch, bi->fb.phys);
    else
        kprintf("boot: no linear framebuffer\n");
    if (bi->rsdp_size)
        kprintf("boot: ACPI RSDP revision %u (%s)\n", bi->rsdp[15], bi->rsdp_size == 36 ? "XSDT" : "RSDT");
}

static void apply_cmdline(const struct boot_info *bi)
{
    char value[BOOT_CMDLINE_MAX];
    enum log_level level;
    if (boot_cmdline_get(bi, "loglevel", value, sizeof value)) {
        if (log_level_from_name(value, &level))
            log_set_level(level);
        else
            log_warn("boot: unknown loglevel '%s' (debug, info, warn, error)\n", value);
    }
    if (boot_cmdline_get(bi, "test", value, sizeof value))
        ktest_select(value);
    if (boot_cmdline_get(bi, "bench", value, sizeof value))
        kbench_select(value);
}

__attribute__((no_stack_protector)) static void stack_guard_init(void)
{
    extern uintptr_t __stack_chk_guard;
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    uint64_t seed = rdtsc() * 0x9E3779B97F4A7C15ull;
    if (c & (1u << 30)) { /* RDRAND */
        uint64_t r;
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
        if (ok)
            seed ^= r;
    }
    __stack_chk_guard = seed & ~0xFFull; /* a zero low byte stops string overruns */
}

/* The first kernel thread: the end of the boot, then tests or benchmarks. */
static void kernel_main(void *arg)
{
    (void)arg;
    kprintf("kernel alive (%lu TSC ticks since entry)\n", ktime_ticks());
    if (ktest_mode())
        ktest_run();
    if (kbench_mode())
        kbench_run();
    init_start(&boot_info);
}

__attribute__((noreturn, no_stack_protector)) void kmain(uint32_t entry_eax, uint32_t entry_ebx, uint64_t boot_tsc)
{
    stack_guard_init();
    serial_init();
    time_init(boot_tsc);
    kprintf("MinimalOS " MINIMALOS_VERSION " (x86_64) booting\n");

    /* Tell the protocols apart by the structure's own magic (see boot.S). */
    const uint32_t *magic = (const uint32_t *)hhdm_read(entry_ebx, 4);
    const char *err;
    if (magic && *magic == PVH_START_MAGIC)
        err = pvh_parse(entry_ebx, hhdm_read, &boot_info);
    else if (entry_eax == MB2_BOOTLOADER_MAGIC)
        err = multiboot2_parse(entry_ebx, hhdm_read, &boot_info);
    else
        err = "unknown boot protocol (neither PVH nor Multiboot2)";
    if (err)
        panic("boot: malformed boot information: %s", err);
    apply_cmdline(&boot_info);

    console_start_framebuffer(&boot_info.fb);
    log_boot_info(&boot_info);
    kprintf("time: TSC %lu kHz (%s)\n", time_tsc_hz() / 1000, time_tsc_source());

    arch_early_init();
    mm_init(&boot_info);
    arch_late_init(&boot_info);
    pci_init();

    sched_init_bsp();
    smp_init_bsp();
    syscall_init_cpu(&cpus[0]);
    userspace_init();
    smp_start_tick();
    smp_init();

    struct thread *main_thread = thread_create("main", kernel_main, NULL, 1, 0);
    if (!main_thread)
        panic("kmain: cannot create the main thread");
    thread_start(main_thread);
    thread_put(main_thread);
    sched_idle_loop();
}
