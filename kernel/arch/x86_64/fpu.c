/* FPU/SSE/AVX state management (see arch/fpu.h). */
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/string.h"

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE (1ull << 18)

#define XCR0_X87 1ull
#define XCR0_SSE 2ull
#define XCR0_AVX 4ull

bool fpu_use_xsave, fpu_use_xsaveopt;
uint64_t fpu_xcr0;
#define use_xsave fpu_use_xsave
#define use_xsaveopt fpu_use_xsaveopt
#define xcr0 fpu_xcr0
static size_t state_size = 512;
/* The state right after fninit, captured once; new threads start from it. */
static uint8_t initial_state[4096] __attribute__((aligned(64)));

static inline uint64_t read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static inline uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

void fpu_init_cpu(void)
{
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    bool xsave = (c >> 26) & 1, avx = (c >> 28) & 1;

    __asm__ volatile("mov %0, %%cr0" ::"r"((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE));
    uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
    if (xsave)
        cr4 |= CR4_OSXSAVE;
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4));

    if (xsave) {
        uint64_t want = XCR0_X87 | XCR0_SSE | (avx ? XCR0_AVX : 0);
        __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)want), "d"((uint32_t)(want >> 32)));
        cpuid(0xD, 0, &a, &b, &c, &d);
        uint32_t sub_b;
        cpuid(0xD, 1, &a, &sub_b, &c, &d);
        use_xsaveopt = a & 1;
        cpuid(0xD, 0, &a, &b, &c, &d);
        if (b <= sizeof initial_state) { /* b: size for the features enabled in XCR0 */
            use_xsave = true;
            xcr0 = want;
            state_size = (b + 63) & ~63u;
        }
    }
    __asm__ volatile("fninit");
    static bool captured;
    if (!captured) {
        memset(initial_state, 0, sizeof initial_state);
        fpu_save(initial_state);
        captured = true;
    }
}

size_t fpu_state_size(void)
{
    return state_size;
}

const char *fpu_mechanism(void)
{
    if (!use_xsave)
        return "FXSAVE";
    if (xcr0 & XCR0_AVX)
        return use_xsaveopt ? "XSAVEOPT (x87, SSE, AVX)" : "XSAVE (x87, SSE, AVX)";
    return use_xsaveopt ? "XSAVEOPT (x87, SSE)" : "XSAVE (x87, SSE)";
}

void fpu_state_init(void *area)
{
    memcpy(area, initial_state, state_size);
}
