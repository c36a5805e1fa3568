/* Benchmarks of memory management: per-operation cost of the hot paths. */
#include <arch/cpu.h>

#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "test/kbench.h"

#define ROUNDS 1000
#define BENCH_VA ((uintptr_t)0xFFFFFD0000100000ull)

static uint64_t pmm_pairs(void *arg)
{
    (void)arg;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        pmm_free(pmm_alloc());
    return (rdtsc() - t0) / ROUNDS;
}

KBENCH(pmm_alloc_free, "pmm.alloc_free")
{
    return kbench_median(pmm_pairs, NULL, 5);
}

static uint64_t kmalloc_pairs(void *arg)
{
    size_t size = (size_t)(uintptr_t)arg;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        kfree(kmalloc(size));
    return (rdtsc() - t0) / ROUNDS;
}

KBENCH(kmalloc_free_32, "heap.kmalloc_free.32")
{
    return kbench_median(kmalloc_pairs, (void *)32, 5);
}

KBENCH(kmalloc_free_256, "heap.kmalloc_free.256")
{
    return kbench_median(kmalloc_pairs, (void *)256, 5);
}

KBENCH(kmalloc_free_4096, "heap.kmalloc_free.4096")
{
    return kbench_median(kmalloc_pairs, (void *)4096, 5);
}

static uint64_t map_pairs(void *arg)
{
    uint64_t frame = (uint64_t)(uintptr_t)arg;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < ROUNDS; i++) {
        vmm_map(&kernel_as, BENCH_VA, frame, VMM_WRITE);
        vmm_unmap(&kernel_as, BENCH_VA, NULL);
    }
    return (rdtsc() - t0) / ROUNDS;
}

KBENCH(vmm_map_unmap, "vmm.map_unmap")
{
    uint64_t frame = pmm_alloc();
    /* The first map builds the page tables; keep them out of the figure. */
    vmm_map(&kernel_as, BENCH_VA, frame, VMM_WRITE);
    vmm_unmap(&kernel_as, BENCH_VA, NULL);
    uint64_t v = kbench_median(map_pairs, (void *)(uintptr_t)frame, 5);
    pmm_free(frame);
    return v;
}
