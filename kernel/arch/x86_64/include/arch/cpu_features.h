/*
 * CPU features memory protection relies on: detected once on the boot CPU,
 * enabled on every CPU (cpu_features_init on the boot CPU, then
 * cpu_features_enable on each AP). NX (EFER.NXE), WP, PGE, SMEP, SMAP and UMIP are
 * turned on when CPUID reports them; PCID and 1 GiB pages are only detected.
 */
#ifndef ARCH_CPU_FEATURES_H
#define ARCH_CPU_FEATURES_H

#include <stdbool.h>

struct cpu_features {
    bool nx, pge, pat, smep, smap, umip, pcid, invpcid, gbpages;
    unsigned phys_bits, virt_bits;
};

/* Filled by cpu_features_init(); read-only afterwards. */
extern struct cpu_features cpu_features;

/* Boot CPU: detects the features, enables them, logs what is on and missing. */
void cpu_features_init(void);

/*
 * Any other CPU, once it runs 64-bit code: enables what the boot CPU found
 * and programs the PAT the way paging.c encodes cache modes.
 */
void cpu_features_enable(void);

/*
 * Brackets for kernel code that deliberately touches user memory: with SMAP
 * on, such accesses fault outside a user_access_begin/end pair.
 */
static inline void user_access_begin(void)
{
    if (cpu_features.smap)
        __asm__ volatile("stac" ::: "memory");
}

static inline void user_access_end(void)
{
    if (cpu_features.smap)
        __asm__ volatile("clac" ::: "memory");
}

#endif
