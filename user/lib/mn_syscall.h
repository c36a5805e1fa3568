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

static inline int64_t mn_syscall6(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                  uint64_t a5, uint64_t *out)
{
    register uint64_t r10 __asm__("r10") = a3;
    register uint64_t r8 __asm__("r8") = a4;
    register uint64_t r9 __asm__("r9") = a5;
    uint64_t rax = num;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    if (out) {
        out[0] = a0;
        out[1] = a1;
        out[2] = a2;
    }
    return (int64_t)rax;
}

#define MN_STUB_0_0(name, num) \
    static inline int64_t mn_sys_##name(void) \
    { \
        return mn_syscall6(num, 0, 0, 0, 0, 0, 0, 0); \
    }
#define MN_STUB_1_0(name, num) \
    static inline int64_t mn_sys_##name(uint64_t a0) \
    { \
        return mn_syscall6(num, a0, 0, 0, 0, 0, 0, 0); \
    }
#define MN_STUB_2_0(name, num) \
    static inline int64_t mn_sys_##name(uint64_t a0, uint64_t a1) \
    { \
        return mn_syscall6(num, a0, a1, 0, 0, 0, 0, 0); \
    }
#define MN_STUB_3_0(name, num) \
    static inline int64_t mn_sys_##name(uint64_t a0, uint64_t a1, uint64_t a2) \
    { \
        return mn_syscall6(num, a0, a1, a2, 0, 0, 0, 0); \
    }
#define MN_STUB_4_0(name, num) \
    static inline int64_t mn_sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) \
    { \
        return mn_syscall6(num, a0, a1, a2, a3, 0, 0, 0); \
    }
#define MN_STUB_1_3(name, num) \
    static inline int64_t mn_sys_##name(uint64_t a0, uint64_t out[3]) \
    { \
        return mn_syscall6(num, a0, 0, 0, 0, 0, 0, out); \
    }
#define MN_STUB_2_3(name, num) \
    static inline int64_t mn_sys_##name(uint64_t a0, uint64_t a1, uint64_t out[3]) \
    { \
        return mn_syscall6(num, a0, a1, 0, 0, 0, 0, out); \
    }
#define MN_STUB_4_3(name, num) \
    static inline int64_t mn_sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t out[3]) \
    { \
        return mn_syscall6(num, a0, a1, a2, a3, 0, 0, out); \
    }

#define MN_STUB_(name, num, args, outs, doc) MN_STUB_##args##_##outs(name, num)
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
