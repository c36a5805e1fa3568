/*
 * Dies of the CPU exception chosen by `arg`; the kernel must kill this
 * process alone and report it. A return value means the fault did not happen.
 */
#include <stdint.h>

#include "mn_syscall.h"

static volatile uint64_t sink;
/* Addresses through volatile variables: the compiler must not reason about them. */
static volatile uint64_t *volatile null_page = (volatile uint64_t *)8;
static volatile uint64_t *volatile non_canonical = (volatile uint64_t *)0x8000000000000000ull;

/* Each level takes 4 KiB of stack, so the recursion reaches the guard page. */
static uint64_t recurse(uint64_t n)
{
    volatile uint8_t frame[4096];
    frame[0] = (uint8_t)n;
    frame[4095] = (uint8_t)n;
    if (n > (1u << 20)) /* never: 4 GiB of stack; keeps the compiler from calling it infinite */
        return n;
    return recurse(n + 1) + frame[0];
}

int64_t main(uint64_t arg)
{
    switch (arg) {
    case 0: /* #PF: a NULL-page write */ *null_page = 1; break;
    case 1: /* #GP: a non-canonical address */ sink = *non_canonical; break;
    case 2: /* #UD */ __asm__ volatile("ud2"); break;
    case 3: { /* #DE */
        uint64_t zero = 0, hi = 0, lo = 1;
        __asm__ volatile("divq %2" : "+a"(lo), "+d"(hi) : "r"(zero));
        sink = lo;
        break;
    }
    case 4: /* stack overflow into the guard page: #PF */ sink = recurse(0); break;
    case 5: /* port I/O without an IoPort capability (IOPL 0): #GP */
        __asm__ volatile("outb %%al, $0x80" ::"a"(0));
        break;
    case 6: /* a write to its own code (read-only): #PF */ *(volatile uint8_t *)(uintptr_t)main = 0xC3; break;
    case 7: /* a jump into the kernel half: #PF */ ((void (*)(void))0xFFFFFFFF80100000ull)(); break;
    }
    return 1;
}
