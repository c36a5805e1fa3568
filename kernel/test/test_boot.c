/* In-kernel tests for the boot phase: boot info, formatting, panic. */
#include "boot/boot_info.h"
#include "debug/panic.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/hhdm.h"
#include "test/ktest.h"

const struct boot_info *kernel_boot_info(void);

KTEST(boot_info)
{
    const struct boot_info *bi = kernel_boot_info();
    uint64_t usable = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++)
        if (bi->mmap[i].type == MEM_USABLE)
            usable += bi->mmap[i].length;
    KTEST_CHECK(usable >= (64u << 20), "less than 64 MiB of usable RAM in the memory map");
    char sel[64];
    KTEST_CHECK(boot_cmdline_get(bi, "test", sel, sizeof sel), "command line lacks the test= selection");
    KTEST_CHECK(bi->rsdp_size == 20 || bi->rsdp_size == 36, "no ACPI RSDP");
    KTEST_CHECK(memcmp(bi->rsdp, "RSD PTR ", 8) == 0, "RSDP copy lacks its signature");
    return NULL;
}

/* The test harness always passes the initrd; it is a USTAR archive. */
KTEST(boot_initrd)
{
    const struct boot_info *bi = kernel_boot_info();
    KTEST_CHECK(bi->module_count >= 1, "no boot module (initrd)");
    const struct boot_module *m = &bi->modules[0];
    KTEST_CHECK(m->size >= 512, "initrd smaller than one tar block");
    const char *tar = hhdm_read(m->phys, 512);
    KTEST_CHECK(tar, "initrd outside mapped memory");
    KTEST_CHECK(memcmp(tar + 257, "ustar", 5) == 0, "initrd is not a USTAR archive");
    return NULL;
}

KTEST(kprintf_format)
{
    char buf[64];
    ksnprintf(buf, sizeof buf, "%d|%5u|%-4x|%08lX|%s|%c|%zu|%llx|%%", -42, 7u, 0xabu, 0xdeadbeeful, "ok", 'z',
              (size_t)12, 0x123456789abcdefull);
    KTEST_CHECK(strcmp(buf, "-42|    7|ab  |DEADBEEF|ok|z|12|123456789abcdef|%") == 0, "formatted output differs");
    KTEST_CHECK(ksnprintf(buf, 4, "%s", "truncate") == 8, "ksnprintf length not C99");
    KTEST_CHECK(strcmp(buf, "tru") == 0, "ksnprintf truncation wrong");
    return NULL;
}

KTEST(ksyms)
{
    uintptr_t off = 1;
    const char *name = ksyms_lookup((uintptr_t)kernel_boot_info + 3, &off);
    KTEST_CHECK(name && strcmp(name, "kernel_boot_info") == 0, "symbol lookup failed");
    KTEST_CHECK(off == 3, "symbol offset wrong");
    return NULL;
}

/* Selected explicitly by the harness: a panic must fail the run with a backtrace. */
KTEST_MANUAL(panic)
{
    panic("ktest: deliberate panic");
}
