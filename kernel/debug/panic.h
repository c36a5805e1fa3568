/* Fatal errors: panic, assert, and the symbolized backtrace they print. */
#ifndef DEBUG_PANIC_H
#define DEBUG_PANIC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Prints "PANIC: <message>", the registers and a symbolized backtrace, stops
 * the machine, and in test mode makes QEMU exit with the failure status.
 * Safe to call from any context; a nested panic only stops the CPU.
 */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* True once some CPU has entered panic(). */
bool panic_in_progress(void);

#define assert(cond) \
    do { \
        if (!(cond)) \
            panic("assertion failed: %s (%s:%d, %s)", #cond, __FILE__, __LINE__, __func__); \
    } while (0)

/* Prints the call chain starting at frame pointer `rbp` (0: the caller's). */
void backtrace_print(uintptr_t rbp);

/* The kernel's symbol table: name of the function containing `addr`, or NULL. */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);

#endif
