/*
 * Host tests of the x86-64 page-table walker (kernel/arch/x86_64/paging.c).
 * Built with HHDM_BASE = 0, so a table's "physical address" is simply a
 * host pointer to a 4 KiB-aligned page: the walker runs unchanged on host
 * memory under ASan. Checks map/translate/unmap/protect for every page size,
 * large-page splitting, the entry bits (NX, G, U, cache modes), and that
 * tearing a user half down frees every table and frame, against a model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arch/cpu_features.h>
#include <arch/paging.h>

#include "host_test.h"
#include "mm/vmm.h"

struct cpu_features cpu_features = {.nx = true, .pge = true, .pat = true, .gbpages = true, .phys_bits = 46};

static long tables_live, frames_freed;

static uint64_t alloc_table(void)
{
    void *p = aligned_alloc(4096, 4096);
    memset(p, 0, 4096);
    tables_live++;
    return (uint64_t)(uintptr_t)p;
}

static void free_table(uint64_t phys, uint64_t count)
{
    (void)count;
    tables_live--;
    free((void *)(uintptr_t)phys);
}

static void free_frame(uint64_t phys, uint64_t count)
{
    (void)phys;
    frames_freed += (long)count;
}

static uint64_t raw_leaf(uint64_t root, uint64_t va, int level)
{
    uint64_t *t = (uint64_t *)(uintptr_t)root;
    for (int l = 4; l > level; l--)
        t = (uint64_t *)(uintptr_t)(t[pt_index(va, l)] & PTE_ADDR);
    return t[pt_index(va, level)];
}

static uint64_t rng_state = 0x853C49E6748FEA9Bull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void destroy_all(uint64_t root)
{
    /* Kernel half too: tear down through a copy whose kernel entries moved to the user half. */
    uint64_t *t = (uint64_t *)(uintptr_t)root;
    for (int i = 256; i < 512; i++) {
        if (t[i]) {
            uint64_t tmp = alloc_table();
            ((uint64_t *)(uintptr_t)tmp)[0] = t[i];
            pt_destroy_user(tmp, free_table, NULL);
            free_table(tmp, 1);
            t[i] = 0;
        }
    }
    pt_destroy_user(root, free_table, NULL);
    free_table(root, 1);
}

int main(void)
{
    HT_BEGIN("paging");

    HT_CASE("map_translate_unmap_4k")
    {
        uint64_t root = alloc_table(), pa;
        unsigned flags;
        uint64_t size;
        HT_CHECK(pt_map(root, 0x400000, 0x1234000, PAGE_4K, VMM_USER | VMM_WRITE, alloc_table) == 0, "map");
        HT_CHECK(tables_live == 4, "expected PML4 + PDPT + PD + PT, have %ld tables", tables_live);
        HT_CHECK(pt_translate(root, 0x400abc, &pa, &flags, &size), "translate");
        HT_CHECK(pa == 0x1234abc && flags == (VMM_USER | VMM_WRITE) && size == PAGE_4K, "translation wrong");
        HT_CHECK(pt_map(root, 0x400000, 0x5000, PAGE_4K, 0, alloc_table) == VMM_EEXIST, "double map accepted");
        uint64_t e = raw_leaf(root, 0x400000, 1);
        HT_CHECK((e & PTE_NX) && (e & PTE_U) && !(e & PTE_G), "user leaf bits wrong: %lx", (unsigned long)e);
        HT_CHECK(pt_unmap(root, 0x400000, &pa) == 0 && pa == 0x1234000, "unmap");
        HT_CHECK(!pt_translate(root, 0x400000, NULL, NULL, NULL), "still mapped");
        HT_CHECK(pt_unmap(root, 0x400000, NULL) == VMM_ENOENT, "second unmap accepted");
        destroy_all(root);
        HT_CHECK(tables_live == 0, "%ld tables leaked", tables_live);
    }

    HT_CASE("kernel_half_bits_and_cache_modes")
    {
        uint64_t root = alloc_table();
        const uint64_t kva = 0xFFFFFE0000000000ull;
        pt_map(root, kva, 0x10000, PAGE_4K, VMM_EXEC, alloc_table);
        pt_map(root, kva + 0x1000, 0x11000, PAGE_4K, VMM_WRITE | VMM_UC, alloc_table);
        pt_map(root, kva + 0x2000, 0x12000, PAGE_4K, VMM_WRITE | VMM_WC, alloc_table);
        uint64_t e0 = raw_leaf(root, kva, 1), e1 = raw_leaf(root, kva + 0x1000, 1),
                 e2 = raw_leaf(root, kva + 0x2000, 1);
        HT_CHECK((e0 & PTE_G) && !(e0 & PTE_NX) && !(e0 & PTE_W) && !(e0 & PTE_U), "kernel text leaf bits wrong");
        HT_CHECK((e1 & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT) && (e1 & PTE_NX), "UC leaf bits wrong");
        HT_CHECK((e2 & (PTE_PCD | PTE_PWT)) == PTE_PWT, "WC leaf bits wrong");
        unsigned f;
        pt_translate(root, kva + 0x1000, NULL, &f, NULL);
        HT_CHECK(f == (VMM_WRITE | VMM_UC), "UC flags not reported");
        pt_translate(root, kva + 0x2000, NULL, &f, NULL);
        HT_CHECK(f == (VMM_WRITE | VMM_WC), "WC flags not reported");
        HT_CHECK(pt_top_present(root, kva) && !pt_top_present(root, 0), "top-level presence wrong");
        cpu_features.nx = false;
        pt_map(root, kva + 0x3000, 0x13000, PAGE_4K, 0, alloc_table);
        HT_CHECK(!(raw_leaf(root, kva + 0x3000, 1) & PTE_NX), "NX bit set on a CPU without NX");
        cpu_features.nx = true;
        destroy_all(root);
        HT_CHECK(tables_live == 0, "%ld tables leaked", tables_live);
    }

    HT_CASE("large_pages_and_split")
    {
        uint64_t root = alloc_table(), pa, size;
        unsigned f;
        const uint64_t hhdm = 0xFFFF800000000000ull;
        HT_CHECK(pt_map(root, hhdm, 0, PAGE_1G, VMM_WRITE, alloc_table) == 0, "1 GiB map");
        HT_CHECK(pt_map(root, hhdm + PAGE_1G, PAGE_1G, PAGE_2M, VMM_WRITE, alloc_table) == 0, "2 MiB map");
        HT_CHECK(pt_map(root, hhdm + 0x1000, 0x1000, PAGE_4K, 0, alloc_table) == VMM_EEXIST, "4K inside 1G accepted");
        HT_CHECK(pt_map(root, hhdm + PAGE_1G, 0, PAGE_1G, 0, alloc_table) == VMM_EEXIST, "1G over a PD accepted");
        HT_CHECK(pt_translate(root, hhdm + 0x12345678, &pa, &f, &size) && pa == 0x12345678 && size == PAGE_1G,
                 "1 GiB translation wrong");
        HT_CHECK(pt_unmap(root, hhdm + 0x5000, NULL) == VMM_ENOENT, "4K unmap inside a large page accepted");
        HT_CHECK(pt_split(root, hhdm + 0x12345678, alloc_table) == 0, "split 1G");
        HT_CHECK(pt_translate(root, hhdm + 0x12345678, &pa, &f, &size) && pa == 0x12345678 && size == PAGE_2M &&
                     f == VMM_WRITE,
                 "after 1G split");
        HT_CHECK(pt_split(root, hhdm + 0x12345678, alloc_table) == 0, "split 2M");
        HT_CHECK(pt_translate(root, hhdm + 0x12345678, &pa, &f, &size) && pa == 0x12345678 && size == PAGE_4K &&
                     f == VMM_WRITE,
                 "after 2M split");
        HT_CHECK(pt_split(root, hhdm + 0x12345678, alloc_table) == VMM_ENOENT, "split of a 4K page accepted");
        HT_CHECK(pt_protect(root, hhdm + 0x12345000, VMM_UC | VMM_WRITE) == 0, "protect");
        pt_translate(root, hhdm + 0x12346000, NULL, &f, NULL);
        HT_CHECK(f == VMM_WRITE, "protect leaked to the neighbour");
        int ok = 1;
        for (int i = 0; i < 2000; i++) {
            uint64_t off = rng() % PAGE_1G;
            ok &= pt_translate(root, hhdm + off, &pa, NULL, NULL) && pa == off;
        }
        HT_CHECK(ok, "splitting changed some translation");
        HT_CHECK(!(raw_leaf(root, hhdm + 0x12345000, 1) & PTE_PS), "4 KiB leaf carries PS (the PAT bit)");
        destroy_all(root);
        HT_CHECK(tables_live == 0, "%ld tables leaked", tables_live);
    }

    HT_CASE("random_user_space_vs_model")
    {
        enum { SLOTS = 300 };
        static struct {
            uint64_t va, pa;
            unsigned flags;
            int mapped;
        } m[SLOTS];
        uint64_t root = alloc_table();
        for (int i = 0; i < SLOTS; i++) {
            m[i].va = (rng() % (USER_SPACE_END >> 12)) << 12;
            if (i % 3 == 0 && i)
                m[i].va = m[i - 1].va ^ 0x1000; /* neighbours share tables */
            for (int k = 0; k < i; k++)
                if (m[k].va == m[i].va)
                    m[i].va = 0x1000ull * (uint64_t)(i + 1); /* keep them distinct */
            m[i].mapped = 0;
        }
        static const unsigned choices[] = {
            0, VMM_WRITE, VMM_EXEC, VMM_USER | VMM_WRITE, VMM_USER | VMM_UC, VMM_USER | VMM_WC | VMM_WRITE};
        long mapped = 0;
        for (int op = 0; op < 20000; op++) {
            int i = (int)(rng() % SLOTS);
            unsigned fl = choices[rng() % 6];
            if (!m[i].mapped) {
                m[i].pa = (rng() % (1ull << 34)) << 12;
                HT_CHECK(pt_map(root, m[i].va, m[i].pa, PAGE_4K, fl, alloc_table) == 0, "map");
                m[i].flags = fl;
                m[i].mapped = 1;
                mapped++;
            } else if (rng() % 2) {
                uint64_t pa = 0;
                HT_CHECK(pt_unmap(root, m[i].va, &pa) == 0 && pa == m[i].pa, "unmap");
                m[i].mapped = 0;
                mapped--;
            } else {
                HT_CHECK(pt_protect(root, m[i].va, fl) == 0, "protect");
                m[i].flags = fl;
            }
            if (op % 250 == 0)
                for (int k = 0; k < SLOTS; k++) {
                    uint64_t pa;
                    unsigned f;
                    int found = pt_translate(root, m[k].va + 0x10, &pa, &f, NULL);
                    HT_CHECK(found == m[k].mapped, "op %d: slot %d mapped=%d, walker says %d", op, k, m[k].mapped,
                             found);
                    HT_CHECK(!found || (pa == m[k].pa + 0x10 && f == m[k].flags), "op %d: slot %d translation", op, k);
                }
        }
        frames_freed = 0;
        pt_destroy_user(root, free_table, free_frame);
        HT_CHECK(frames_freed == mapped, "destroy freed %ld frames, %ld mapped", frames_freed, mapped);
        HT_CHECK(tables_live == 1, "%ld tables left besides the PML4", tables_live - 1);
        const uint64_t *t = (const uint64_t *)(uintptr_t)root;
        int clear = 1;
        for (int i = 0; i < 256; i++)
            clear &= t[i] == 0;
        HT_CHECK(clear, "user half of the PML4 not cleared");
        free_table(root, 1);
    }
    return HT_END();
}
