/*
 * In-kernel tests of memory management: the PMM's free-frame counter proves
 * nothing leaks, mappings round-trip, address spaces tear down to baseline,
 * the heap survives a random stress with its contents intact, and kernel
 * stacks have their guard page.
 */
#include <arch/cpu.h>
#include <arch/cpu_features.h>
#include <arch/paging.h>
#include <arch/probe.h>

#include "lib/string.h"
#include "mm/heap.h"
#include "mm/hhdm.h"
#include "mm/kstack.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "test/ktest.h"

extern const char __text_start[], __rodata_start[], __data_start[], __kernel_end[];

/* An otherwise unused kernel address for mapping tests (its tables stay once made). */
#define TEST_VA ((uintptr_t)0xFFFFFD0000000000ull)

/* The flags a mapping reports: without NX every page is executable. */
static unsigned eff(unsigned flags)
{
    return cpu_features.nx ? flags : flags | VMM_EXEC;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

KTEST(pmm_all_frames)
{
    uint64_t base = pmm_free_count();
    KTEST_CHECK(base > 0 && base <= pmm_total_count(), "free count out of range");
    uint64_t kstart = (uintptr_t)__text_start - KERNEL_VMA, kend = (uintptr_t)__kernel_end - KERNEL_VMA;
    /*
     * Record every frame in index frames taken from the allocation itself
     * ([0] next index frame, [1] count, [2..511] frames), so the test needs
     * no memory of its own and touches only one frame in 510.
     */
    uint64_t head = 0, n = 0, bad = 0, phys;
    uint64_t *idx = NULL;
    while ((phys = pmm_alloc())) {
        if (phys < 0x100000 || (phys >= kstart && phys < kend) || phys >= pmm_limit())
            bad++;
        n++;
        if (!idx || idx[1] == 510) {
            idx = phys_to_virt(phys);
            idx[0] = head;
            idx[1] = 0;
            head = phys;
            continue;
        }
        idx[2 + idx[1]++] = phys;
    }
    bool empty = pmm_free_count() == 0;
    while (head) {
        const uint64_t *page = phys_to_virt(head);
        uint64_t next = page[0];
        for (uint64_t i = 0; i < page[1]; i++)
            pmm_free(page[2 + i]);
        pmm_free(head);
        head = next;
    }
    KTEST_CHECK(bad == 0, "a frame in low memory, the kernel image or beyond the bitmap was handed out");
    KTEST_CHECK(empty, "free count not 0 with every frame allocated");
    KTEST_CHECK(n == base, "number of frames allocated differs from the free count");
    KTEST_CHECK(pmm_free_count() == base, "free count not back to baseline");
    return NULL;
}

KTEST(pmm_contig_aligned)
{
    uint64_t base = pmm_free_count();
    uint64_t a = pmm_alloc_contig(16, 16);
    uint64_t b = pmm_alloc_contig(1, 512);
    uint64_t c = pmm_alloc_contig(3, 0);
    KTEST_CHECK(a && b && c, "contiguous allocation failed");
    KTEST_CHECK(a % (16 * PAGE_SIZE) == 0, "16-frame alignment not honoured");
    KTEST_CHECK(b % (512 * PAGE_SIZE) == 0, "2 MiB alignment not honoured");
    KTEST_CHECK(pmm_free_count() == base - 20, "free count did not drop by 20");
    KTEST_CHECK(pmm_alloc_contig(0, 1) == 0 && pmm_alloc_contig(1, 3) == 0, "bad count/alignment accepted");
    pmm_free_contig(a, 16);
    pmm_free(b);
    pmm_free_contig(c, 3);
    KTEST_CHECK(pmm_free_count() == base, "free count not back to baseline");

    uint64_t f = pmm_alloc();
    memset(phys_to_virt(f), 0xAA, PAGE_SIZE);
    pmm_free(f);
    uint64_t z = pmm_alloc_zeroed();
    const uint64_t *w = phys_to_virt(z);
    bool zero = true;
    for (int i = 0; i < 512; i++)
        zero &= w[i] == 0;
    pmm_free(z);
    KTEST_CHECK(zero, "pmm_alloc_zeroed returned a dirty frame");
    return NULL;
}

KTEST(vmm_map_roundtrip)
{
    uint64_t frame = pmm_alloc_zeroed(), pa;
    unsigned flags;
    KTEST_CHECK(frame, "out of frames");
    KTEST_CHECK(vmm_map(&kernel_as, TEST_VA, frame, VMM_WRITE) == 0, "vmm_map failed");
    KTEST_CHECK(vmm_map(&kernel_as, TEST_VA, frame, VMM_WRITE) == VMM_EEXIST, "double map not refused");
    KTEST_CHECK(vmm_translate(&kernel_as, TEST_VA + 0x123, &pa, &flags), "mapped page does not translate");
    KTEST_CHECK(pa == frame + 0x123, "translation gives the wrong frame");
    KTEST_CHECK(flags == eff(VMM_WRITE), "mapping flags wrong (expected RW, NX, cached)");
    volatile uint64_t *via_map = (volatile uint64_t *)(TEST_VA + 64);
    *via_map = 0x5EED1234ABCDull;
    KTEST_CHECK(*(volatile uint64_t *)((char *)phys_to_virt(frame) + 64) == 0x5EED1234ABCDull,
                "write through the mapping not seen through the HHDM");
    KTEST_CHECK(vmm_protect(&kernel_as, TEST_VA, 0) == 0, "vmm_protect failed");
    KTEST_CHECK(vmm_translate(&kernel_as, TEST_VA, NULL, &flags) && flags == eff(0), "protect did not apply");
    KTEST_CHECK(vmm_unmap(&kernel_as, TEST_VA, &pa) == 0 && pa == frame, "unmap failed or gave the wrong frame");
    KTEST_CHECK(!vmm_translate(&kernel_as, TEST_VA, NULL, NULL), "page still translates after unmap");
    KTEST_CHECK(vmm_unmap(&kernel_as, TEST_VA, NULL) == VMM_ENOENT, "second unmap not refused");
    KTEST_CHECK(vmm_map(&kernel_as, 0x400000, frame, VMM_WRITE) == VMM_EINVAL, "user address in kernel_as accepted");
    KTEST_CHECK(vmm_map(&kernel_as, TEST_VA + 1, frame, 0) == VMM_EINVAL, "misaligned address accepted");
    pmm_free(frame);
    return NULL;
}

KTEST(vmm_kernel_wx)
{
    unsigned f;
    KTEST_CHECK(vmm_translate(&kernel_as, (uintptr_t)__text_start, NULL, &f) && f == VMM_EXEC, ".text is not R+X");
    KTEST_CHECK(vmm_translate(&kernel_as, (uintptr_t)__rodata_start, NULL, &f) && f == eff(0), ".rodata is not R+NX");
    KTEST_CHECK(vmm_translate(&kernel_as, (uintptr_t)__data_start, NULL, &f) && f == eff(VMM_WRITE),
                ".data is not RW+NX");
    uint64_t text_phys = (uintptr_t)__text_start - KERNEL_VMA;
    KTEST_CHECK(vmm_translate(&kernel_as, HHDM_BASE + text_phys, NULL, &f) && f == eff(0),
                "the HHDM alias of .text is writable or executable");
    KTEST_CHECK(!vmm_translate(&kernel_as, 0x100000, NULL, NULL), "the identity map is still there");
    /* All usable RAM is in the HHDM, up to the last frame. */
    KTEST_CHECK(hhdm_read(pmm_limit() - PAGE_SIZE, PAGE_SIZE), "the last usable frame is not in the HHDM");
    KTEST_CHECK(vmm_translate(&kernel_as, HHDM_BASE + pmm_limit() - 8, NULL, &f) && f == eff(VMM_WRITE),
                "HHDM RAM is not RW+NX write-back");
    return NULL;
}

KTEST(vmm_hhdm_map)
{
    /* Far above any RAM the test machines have: not mapped until asked for. */
    const uint64_t dev = 0x7F00000000ull;
    KTEST_CHECK(!hhdm_read(dev, 8), "an unrequested device range reads as mapped");
    unsigned f;
    void *p = hhdm_map(dev, 3 * PAGE_SIZE, CACHE_UC);
    KTEST_CHECK(p == phys_to_virt(dev), "hhdm_map did not return HHDM_BASE + phys");
    KTEST_CHECK(hhdm_read(dev, 3 * PAGE_SIZE), "mapped device range not readable");
    KTEST_CHECK(vmm_translate(&kernel_as, HHDM_BASE + dev + 2 * PAGE_SIZE, NULL, &f) && f == eff(VMM_WRITE | VMM_UC),
                "device range not RW, NX, uncached");
    KTEST_CHECK(hhdm_map(dev, PAGE_SIZE, CACHE_UC) == p, "hhdm_map is not idempotent");
    KTEST_CHECK(hhdm_map(dev, PAGE_SIZE, CACHE_WC) == p, "changing the cache mode failed");
    KTEST_CHECK(vmm_translate(&kernel_as, HHDM_BASE + dev, NULL, &f) && f == eff(VMM_WRITE | VMM_WC),
                "cache mode not switched to write-combining");
    /* RAM requested as WB stays as it is. */
    KTEST_CHECK(hhdm_map(0x200000, PAGE_SIZE, CACHE_WB) == phys_to_virt(0x200000), "hhdm_map of RAM failed");

    /* One RAM page made uncached splits the large HHDM page around it and keeps every address. */
    uint64_t run = pmm_alloc_contig(3, 0);
    KTEST_CHECK(run, "out of frames");
    uint64_t *w = phys_to_virt(run);
    for (int i = 0; i < 3 * 512; i++)
        w[i] = run + i;
    KTEST_CHECK(hhdm_map(run + PAGE_SIZE, PAGE_SIZE, CACHE_UC) == phys_to_virt(run + PAGE_SIZE), "UC remap failed");
    KTEST_CHECK(vmm_translate(&kernel_as, HHDM_BASE + run + PAGE_SIZE, NULL, &f) && f == eff(VMM_WRITE | VMM_UC),
                "RAM page not switched to uncached");
    KTEST_CHECK(vmm_translate(&kernel_as, HHDM_BASE + run, NULL, &f) && f == eff(VMM_WRITE), "neighbour page changed");
    bool same = true;
    for (int i = 0; i < 3 * 512; i++)
        same &= w[i] == run + i;
    KTEST_CHECK(same, "splitting the HHDM page moved memory");
    hhdm_map(run + PAGE_SIZE, PAGE_SIZE, CACHE_WB);
    KTEST_CHECK(vmm_translate(&kernel_as, HHDM_BASE + run + PAGE_SIZE, NULL, &f) && f == eff(VMM_WRITE),
                "RAM page not back to write-back");
    pmm_free_contig(run, 3);
    return NULL;
}

KTEST(vmm_addr_space_lifecycle)
{
    /* Warm up: the heap may take an arena for the first struct addr_space. */
    struct addr_space *as = addr_space_create();
    KTEST_CHECK(as, "addr_space_create failed");
    addr_space_destroy(as, true);

    uint64_t base = pmm_free_count();
    as = addr_space_create();
    KTEST_CHECK(as, "addr_space_create failed");
    static const uintptr_t spots[] = {0x400000,   0x401000,       0x600000,       0x40000000,
                                      0x10000000, 0x7FFFFFFFD000, 0x7FFFFFFFE000, 0x123456789000};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        uint64_t f = pmm_alloc();
        KTEST_CHECK(f && vmm_map(as, spots[i], f, VMM_USER | VMM_WRITE) == 0, "user mapping failed");
    }
    for (int i = 0; i < 64; i++) {
        uint64_t f = pmm_alloc();
        KTEST_CHECK(f && vmm_map(as, 0x800000 + i * PAGE_SIZE, f, VMM_USER | VMM_EXEC) == 0, "user mapping failed");
    }
    uint64_t pa;
    unsigned fl;
    KTEST_CHECK(vmm_translate(as, 0x7FFFFFFFE010, &pa, &fl) && fl == eff(VMM_USER | VMM_WRITE) && (pa & 0xFFF) == 0x10,
                "user mapping does not translate");
    KTEST_CHECK(!vmm_translate(&kernel_as, 0x400000, NULL, NULL), "user mapping leaked into the kernel space");
    KTEST_CHECK(vmm_translate(as, (uintptr_t)__text_start, NULL, NULL), "kernel half not shared");
    KTEST_CHECK(vmm_map(as, TEST_VA, pa & ~0xFFFull, 0) == VMM_EINVAL, "kernel address in a user space accepted");
    KTEST_CHECK(pmm_free_count() < base - 72, "frames for pages and tables not taken");
    addr_space_destroy(as, true);
    KTEST_CHECK(pmm_free_count() == base, "destroy did not return every frame");
    return NULL;
}

/* Random map/unmap/protect in a user space, checked against a model after every step. */
KTEST(vmm_random_model)
{
    enum { SLOTS = 96, OPS = 1500 };
    static struct {
        uintptr_t va;
        uint64_t pa;
        unsigned flags;
        bool mapped;
    } m[SLOTS];
    addr_space_destroy(addr_space_create(), true); /* warm up the heap */
    uint64_t base = pmm_free_count();
    struct addr_space *as = addr_space_create();
    KTEST_CHECK(as, "addr_space_create failed");
    for (int i = 0; i < SLOTS; i++) {
        /* Neighbours, other page tables, other PDs, other PML4 entries. */
        static const uintptr_t regions[] = {0x400000, 0x7FF000000000, 0x40000000, 0x123400000000};
        m[i].va = regions[i % 4] + (uintptr_t)(i / 4) * (i % 2 ? 0x201000 : PAGE_SIZE);
        m[i].mapped = false;
    }
    static const unsigned choices[] = {VMM_USER,  VMM_USER | VMM_WRITE,          VMM_USER | VMM_EXEC,
                                       VMM_WRITE, VMM_USER | VMM_UC | VMM_WRITE, VMM_USER | VMM_WC};
    const char *err = NULL;
    for (int op = 0; op < OPS && !err; op++) {
        int i = (int)(rng() % SLOTS);
        unsigned flags = choices[rng() % 6];
        if (!m[i].mapped) {
            uint64_t f = pmm_alloc();
            if (!f || vmm_map(as, m[i].va, f, flags) != 0)
                err = "map failed";
            m[i].pa = f;
            m[i].flags = flags;
            m[i].mapped = true;
        } else if (rng() % 2) {
            uint64_t pa;
            if (vmm_map(as, m[i].va, m[i].pa, flags) != VMM_EEXIST)
                err = "mapping over a mapped page not refused";
            if (vmm_unmap(as, m[i].va, &pa) != 0 || pa != m[i].pa)
                err = "unmap failed or returned the wrong frame";
            pmm_free(pa);
            m[i].mapped = false;
        } else {
            if (vmm_protect(as, m[i].va, flags) != 0)
                err = "protect failed";
            m[i].flags = flags;
        }
        for (int k = 0; k < SLOTS && !err; k++) {
            uint64_t pa;
            unsigned f;
            bool found = vmm_translate(as, m[k].va + 8, &pa, &f);
            if (found != m[k].mapped)
                err = "translate disagrees with the model about a page being mapped";
            else if (found && (pa != m[k].pa + 8 || f != eff(m[k].flags)))
                err = "translate gives the wrong frame or flags";
        }
    }
    addr_space_destroy(as, true);
    KTEST_CHECK(!err, err);
    KTEST_CHECK(pmm_free_count() == base, "frames leaked");
    return NULL;
}

KTEST(kheap_stress)
{
    enum { SLOTS = 192, OPS = 6000 };
    static struct {
        unsigned char *p;
        size_t size;
        unsigned char seed;
    } s[SLOTS];
    const size_t base = kheap_stats().bytes_in_use;
    const uint64_t frames = pmm_free_count();
    const char *err = NULL;
    for (int op = 0; op < OPS && !err; op++) {
        unsigned i = rng() % SLOTS;
        if (s[i].p) {
            for (size_t k = 0; k < s[i].size; k++)
                if (s[i].p[k] != (unsigned char)(s[i].seed + k)) {
                    err = "block contents changed";
                    break;
                }
        }
        size_t size = 1 + (rng() % 100 < 3 ? 16384 + rng() % 60000 : rng() % (rng() % 8 ? 256 : 4200));
        unsigned r = rng() % 3;
        if (r == 0 && s[i].p) {
            kfree(s[i].p);
            s[i].p = NULL;
            continue;
        }
        unsigned char *n = r == 1 && s[i].p ? krealloc(s[i].p, size) : kmalloc(size);
        if (!n) {
            err = "out of memory";
            break;
        }
        if ((uintptr_t)n % 16)
            err = "block not 16-byte aligned";
        if (r == 1 && s[i].p) {
            for (size_t k = 0; k < size && k < s[i].size; k++)
                if (n[k] != (unsigned char)(s[i].seed + k))
                    err = "krealloc lost contents";
        } else if (s[i].p) {
            kfree(s[i].p);
        }
        s[i].p = n;
        s[i].size = size;
        s[i].seed = (unsigned char)rng();
        for (size_t k = 0; k < size; k++)
            n[k] = (unsigned char)(s[i].seed + k);
    }
    const char *check = kheap_check();
    for (int i = 0; i < SLOTS; i++) {
        kfree(s[i].p);
        s[i].p = NULL;
    }
    KTEST_CHECK(!err, err);
    KTEST_CHECK(!check, check);
    KTEST_CHECK(kheap_stats().bytes_in_use == base, "heap usage not back to baseline");
    KTEST_CHECK(!kheap_check(), "heap invariants broken after freeing everything");
    /* Large blocks went back to the PMM; only arenas (never returned) may have been added. */
    KTEST_CHECK(pmm_free_count() + kheap_stats().arena_bytes / PAGE_SIZE >= frames, "large blocks leaked frames");
    uint64_t *z = kzalloc(1000);
    KTEST_CHECK(z, "kzalloc failed");
    bool zero = true;
    for (int i = 0; i < 125; i++)
        zero &= z[i] == 0;
    kfree(z);
    KTEST_CHECK(zero, "kzalloc memory not zeroed");
    return NULL;
}

KTEST(kstack_guard)
{
    /* Warm up: the first stack may create the area's page tables, which stay. */
    kstack_free(kstack_alloc(1));
    uint64_t base = pmm_free_count();
    char *top = kstack_alloc(4);
    KTEST_CHECK(top && (uintptr_t)top % 16 == 0, "kstack_alloc failed or misaligned");
    unsigned f;
    for (int i = 1; i <= 4; i++)
        KTEST_CHECK(vmm_translate(&kernel_as, (uintptr_t)top - i * PAGE_SIZE, NULL, &f) && f == eff(VMM_WRITE),
                    "stack page not mapped RW+NX");
    KTEST_CHECK(!vmm_translate(&kernel_as, (uintptr_t)top - 5 * PAGE_SIZE, NULL, NULL), "guard page is mapped");
    memset(top - 4 * PAGE_SIZE, 0x5A, 4 * PAGE_SIZE);
    char *top2 = kstack_alloc(2);
    KTEST_CHECK(top2 && !vmm_translate(&kernel_as, (uintptr_t)top2 - 3 * PAGE_SIZE, NULL, NULL),
                "second stack has no guard page");
    kstack_free(top);
    kstack_free(top2);
    KTEST_CHECK(!vmm_translate(&kernel_as, (uintptr_t)top - PAGE_SIZE, NULL, NULL), "freed stack still mapped");
    KTEST_CHECK(pmm_free_count() == base, "stack frames not returned");
    return NULL;
}

/* Selected by the boot table (expect panic): the PMM must catch a double free. */
KTEST_MANUAL(pmm_double_free)
{
    uint64_t f = pmm_alloc();
    pmm_free(f);
    pmm_free(f);
    return "second pmm_free of the same frame returned";
}

/* Same for the heap. */
KTEST_MANUAL(kheap_double_free)
{
    void *p = kmalloc(40);
    kfree(p);
    kfree(p);
    return "second kfree of the same block returned";
}

static void poke(void *addr)
{
    *(volatile uint64_t *)addr = 0x1234;
}

static void call(void *addr)
{
    ((void (*)(void))addr)();
}

KTEST(kstack_guard_faults)
{
    char *top = kstack_alloc(2);
    KTEST_CHECK(top, "kstack_alloc failed");
    struct fault_info fi, fi2;
    char *guard = top - 3 * PAGE_SIZE;
    int faulted = arch_probe(poke, guard + PAGE_SIZE - 8, &fi);
    int clean = arch_probe(poke, top - 3 * PAGE_SIZE / 2, &fi2);
    kstack_free(top);
    KTEST_CHECK(faulted, "writing the guard page did not fault");
    KTEST_CHECK(fi.vector == 14 && fi.addr == (uintptr_t)guard + PAGE_SIZE - 8 && !(fi.error & 1),
                "guard page fault is not a not-present #PF at the address written");
    KTEST_CHECK(!clean, "writing inside the stack faulted");
    return NULL;
}

KTEST(cpu_protection_enabled)
{
    uint64_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0; mov %%cr4, %1" : "=r"(cr0), "=r"(cr4));
    KTEST_CHECK(cr0 & (1u << 16), "CR0.WP is off");
    KTEST_CHECK(!cpu_features.nx || (rdmsr(0xC0000080) & (1u << 11)), "NX present but EFER.NXE off");
    KTEST_CHECK(!cpu_features.smep || (cr4 & (1u << 20)), "SMEP present but off");
    KTEST_CHECK(!cpu_features.smap || (cr4 & (1u << 21)), "SMAP present but off");
    KTEST_CHECK(!cpu_features.umip || (cr4 & (1u << 11)), "UMIP present but off");
    KTEST_CHECK(!cpu_features.pge || (cr4 & (1u << 7)), "PGE present but off");
    KTEST_CHECK(!cpu_features.pat || rdmsr(0x277) == 0x0007010600070106ull, "PAT not programmed");
    return NULL;
}

/* With SMAP and SMEP, the kernel touches user pages only inside user_access_begin/end and never runs them. */
KTEST(vmm_user_access_smap_smep)
{
    struct addr_space *as = addr_space_create();
    uint64_t data = pmm_alloc_zeroed(), code = pmm_alloc_zeroed();
    KTEST_CHECK(as && data && code, "out of memory");
    *(uint8_t *)phys_to_virt(code) = 0xC3; /* ret */
    KTEST_CHECK(vmm_map(as, 0x400000, code, VMM_USER | VMM_EXEC) == 0, "map code failed");
    KTEST_CHECK(vmm_map(as, 0x401000, data, VMM_USER | VMM_WRITE) == 0, "map data failed");

    struct fault_info plain, bracketed, exec;
    uint64_t flags = irq_save();
    uint64_t old_cr3 = cr3_read();
    addr_space_activate(as);
    int f_plain = arch_probe(poke, (void *)0x401010, &plain);
    user_access_begin();
    int f_bracketed = arch_probe(poke, (void *)0x401018, &bracketed);
    user_access_end();
    int f_exec = arch_probe(call, (void *)0x400000, &exec);
    cr3_write(old_cr3);
    irq_restore(flags);
    uint64_t seen = ((uint64_t *)phys_to_virt(data))[3];
    addr_space_destroy(as, true);

    KTEST_CHECK(!f_bracketed && seen == 0x1234, "user_access_begin/end did not allow the write");
    if (cpu_features.smap)
        KTEST_CHECK(f_plain && plain.vector == 14 && (plain.error & 1),
                    "SMAP: kernel write to a user page did not fault");
    else
        KTEST_CHECK(!f_plain, "kernel write to a user page faulted without SMAP");
    if (cpu_features.smep)
        KTEST_CHECK(f_exec && exec.vector == 14 && (exec.error & 0x11) == 0x11,
                    "SMEP: running a user page in the kernel did not fault");
    return NULL;
}
