/*
 * System-call stubs for Ring 3, generated from the ABI table
 * (<mnos/syscalls.h>): for every call NAME taking n arguments there is
 *     int64_t mn_sys_NAME(uint64_t a0, ..., uint64_t a(n-1))
 * and, for calls with outputs, a last `uint64_t out[3]` parameter that
 * receives RDI, RSI, RDX. The result is RAX: >= 0, or an MN_ERR_* code.
 * (A minimal start; libmnos proper is the next issue.)
 */
#ifndef USER_MN_SYSCALL_H
#define USER_MN_SYSCALL_H

#include <mnos/errors.h>
#include <mnos/syscalls.h>
#include <stdint.h>

/*
 * The kernel preserves every register except RAX (the result), RCX and R11
 * (SYSCALL's), and, for calls with outputs, RDI, RSI, RDX (the outputs).
 * mn_syscall6 is the general form (every argument register set, outputs
 * stored to `out` when it is not NULL); the stubs below load only the
 * registers a call uses.
 */
static inline int64_t mn_syscall6(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                  uint64_t a5, uint64_t *out)
{
    register uint64_t r10 __asm__("r10") = a3;
    register uint64_t r8 __asm__("r8") = a4;
    register uint64_t r9 __asm__("r9") = a5;
    uint64_t rax = num;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+D"(a0), "+S"(a1), "+d"(a2)
                     : "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    if (out) {
        out[0] = a0;
        out[1] = a1;
        out[2] = a2;
    }
    return (int64_t)rax;
}

#define MN_SC_IN0_
#define MN_SC_IN1_ , "D"(a0)
#define MN_SC_IN2_ , "D"(a0), "S"(a1)
#define MN_SC_IN3_ , "D"(a0), "S"(a1), "d"(a2)
#define MN_SC_IN4_ , "D"(a0), "S"(a1), "d"(a2), "r"(r10)
#define MN_SC_IN5_ , "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
#define MN_SC_PARAMS0_ void
#define MN_SC_PARAMS1_ uint64_t a0
#define MN_SC_PARAMS2_ uint64_t a0, uint64_t a1
#define MN_SC_PARAMS3_ uint64_t a0, uint64_t a1, uint64_t a2
#define MN_SC_PARAMS4_ uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3
#define MN_SC_PARAMS5_ uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4
/* A call without outputs: only the argument registers it takes are loaded. */
#define MN_STUB_NOOUT_(name, num, n) \
    static inline int64_t mn_sys_##name(MN_SC_PARAMS##n##_) \
    { \
        MN_SC_DECL##n##_ int64_t rax = (num); \
        __asm__ volatile("syscall" : "+a"(rax) : "i"(0)MN_SC_IN##n##_ : "rcx", "r11", "memory"); \
        return rax; \
    }
#define MN_SC_DECL0_
#define MN_SC_DECL1_
#define MN_SC_DECL2_
#define MN_SC_DECL3_
#define MN_SC_DECL4_ register uint64_t r10 __asm__("r10") = a3;
#define MN_SC_DECL5_ \
    register uint64_t r10 __asm__("r10") = a3; \
    register uint64_t r8 __asm__("r8") = a4;

/* A call with three outputs (RDI, RSI, RDX), stored to out[0..2] on return. */
#define MN_STUB_OUT_(name, num, n) \
    static inline int64_t mn_sys_##name(MN_SC_OPARAMS##n##_ uint64_t out[3]) \
    { \
        return mn_syscall6((num), MN_SC_OARGS##n##_, out); \
    }
#define MN_SC_OPARAMS1_ uint64_t a0,
#define MN_SC_OPARAMS2_ uint64_t a0, uint64_t a1,
#define MN_SC_OPARAMS4_ uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
#define MN_SC_OARGS1_ a0, 0, 0, 0, 0, 0
#define MN_SC_OARGS2_ a0, a1, 0, 0, 0, 0
#define MN_SC_OARGS4_ a0, a1, a2, a3, 0, 0

#define MN_STUB_SEL_0_(name, num, args) MN_STUB_NOOUT_(name, num, args)
#define MN_STUB_SEL_3_(name, num, args) MN_STUB_OUT_(name, num, args)
#define MN_STUB_(name, num, args, outs, doc) MN_STUB_SEL_##outs##_(name, num, args)
MN_SYSCALL_TABLE(MN_STUB_)
#undef MN_STUB_

/* Writes a NUL-terminated string to the kernel log (SYS_DEBUG_WRITE). */
static inline int64_t mn_debug(const char *s)
{
    uint64_t n = 0;
    while (s[n])
        n++;
    return mn_sys_DEBUG_WRITE((uint64_t)(uintptr_t)s, n);
}

#endif
