/*
 * FPU/SSE/AVX state for threads: XSAVE (XSAVEOPT when present) where the CPU
 * has it, FXSAVE otherwise. The kernel itself never touches these registers
 * (-mgeneral-regs-only), so only threads that own a state area pay for the
 * save and restore on a switch.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stddef.h>

/* Enables x87/SSE (and XSAVE with AVX when present) on this CPU. */
void fpu_init_cpu(void);

/* Bytes of a state area (64-byte aligned), and the mechanism name for the log. */
size_t fpu_state_size(void);
const char *fpu_mechanism(void);

/* Fills a fresh area with the power-on state (what a new thread starts with). */
void fpu_state_init(void *area);
void fpu_save(void *area);
void fpu_restore(const void *area);

#endif
