/*
 * FPU/SSE/AVX state for threads: XSAVE (XSAVEOPT when present) where the CPU
 * has it, FXSAVE otherwise. The kernel itself never touches these registers
 * (-mgeneral-regs-only), so only threads that own a state area pay for the
 * save and restore on a switch.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enables x87/SSE (and XSAVE with AVX when present) on this CPU. */
void fpu_init_cpu(void);

/* Bytes of a state area (64-byte aligned), and the mechanism name for the log. */
size_t fpu_state_size(void);
const char *fpu_mechanism(void);

/* Fills a fresh area with the power-on state (what a new thread starts with). */
void fpu_state_init(void *area);
/* What fpu_init_cpu found (the same on every CPU): for the inline save and restore below. */
extern bool fpu_use_xsave, fpu_use_xsaveopt;
extern uint64_t fpu_xcr0;

/* Saves / restores this CPU's FPU state to / from a 64-byte aligned area (inline: every context switch does both). */
static inline void fpu_save(void *area)
{
    uint32_t lo = (uint32_t)fpu_xcr0, hi = (uint32_t)(fpu_xcr0 >> 32);
    if (fpu_use_xsaveopt)
        __asm__ volatile("xsaveopt64 (%0)" ::"r"(area), "a"(lo), "d"(hi) : "memory");
    else if (fpu_use_xsave)
        __asm__ volatile("xsave64 (%0)" ::"r"(area), "a"(lo), "d"(hi) : "memory");
    else
        __asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

static inline void fpu_restore(const void *area)
{
    uint32_t lo = (uint32_t)fpu_xcr0, hi = (uint32_t)(fpu_xcr0 >> 32);
    if (fpu_use_xsave)
        __asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"(lo), "d"(hi) : "memory");
    else
        __asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

#endif
