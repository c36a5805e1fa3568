/*
 * libmnos: process start and end. mn_start (called by crt0.S) checks the
 * startup page, maps the initrd when the process holds one, and runs main;
 * exit, abort and the allocator's corruption hook end the process. Also the
 * capability-by-role lookup and the free-slot allocator.
 */
#include <mnos/startup.h>

#include "libmnos.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"

int main(int argc, char **argv);

static const struct mn_startup *startup;
static char *argv_buf[MN_STARTUP_MAX_ARGS + 1];
static const void *initrd;
static size_t initrd_size;

/* Free-slot bitmap: bit i set = slot MN_SLOT_FIRST_FREE + i is taken. */
#define SLOT_LIMIT 4096
static uint64_t slot_bits[(SLOT_LIMIT - MN_SLOT_FIRST_FREE + 63) / 64];
static mn_mutex_t slot_lock = MN_MUTEX_INIT;

const struct mn_startup *mn_startup_info(void)
{
    return startup;
}

uint32_t mn_cap(const char *role)
{
    if (!startup)
        return 0;
    for (uint32_t i = 0; i < startup->ncaps; i++)
        if (strncmp(startup->caps[i].name, role, MN_STARTUP_CAP_NAME) == 0)
            return startup->caps[i].slot;
    return 0;
}

uint32_t mn_self(void)
{
    static uint32_t self;
    if (!self)
        self = mn_cap(MN_ROLE_SELF);
    return self;
}

uint32_t mn_slot_alloc(void)
{
    mn_mutex_lock(&slot_lock);
    uint32_t found = 0;
    for (uint32_t w = 0; w < sizeof slot_bits / sizeof slot_bits[0] && !found; w++) {
        if (slot_bits[w] == ~0ull)
            continue;
        uint32_t b = (uint32_t)__builtin_ctzll(~slot_bits[w]);
        uint32_t slot = MN_SLOT_FIRST_FREE + w * 64 + b;
        if (slot >= SLOT_LIMIT)
            break;
        slot_bits[w] |= 1ull << b;
        found = slot;
    }
    mn_mutex_unlock(&slot_lock);
    return found;
}

static void slot_mark(uint32_t slot, bool used)
{
    if (slot < MN_SLOT_FIRST_FREE || slot >= SLOT_LIMIT)
        return;
    uint32_t i = slot - MN_SLOT_FIRST_FREE;
    mn_mutex_lock(&slot_lock);
    if (used)
        slot_bits[i / 64] |= 1ull << (i % 64);
    else
        slot_bits[i / 64] &= ~(1ull << (i % 64));
    mn_mutex_unlock(&slot_lock);
}

void mn_slot_free(uint32_t slot)
{
    slot_mark(slot, false);
}

void mn_slot_claim(uint32_t slot)
{
    slot_mark(slot, true);
}

const void *mn_initrd(size_t *size)
{
    if (size)
        *size = initrd_size;
    return initrd;
}

/* Maps the "initrd" region read-only at MN_USER_INITRD_VIEW (once, at start). */
static void map_initrd(void)
{
    uint32_t slot = mn_cap("initrd"), self = mn_self();
    if (!slot || !self || !startup->initrd_size)
        return;
    if (mn_sys_MAP_MMIO(self, slot, MN_USER_INITRD_VIEW, 0) == 0) {
        initrd = (const void *)(uintptr_t)MN_USER_INITRD_VIEW;
        initrd_size = startup->initrd_size;
    }
}

void mn_memory_init(void);
void mn_console_init(void);

/* The stack protector's canary (-fstack-protector-strong, -mstack-protector-guard=global). */
uintptr_t __stack_chk_guard = 0x2F8A6D1B00000000ull;

__attribute__((noreturn)) void __stack_chk_fail(void)
{
    static const char msg[] = "libmnos: stack smashing detected\n";
    mn_console_write(msg, sizeof msg - 1);
    exit(MN_STATUS_ABORTED);
}

/* A fresh canary per process: RDRAND where the CPU has it, mixed with the TSC. */
__attribute__((no_stack_protector)) static void stack_guard_init(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t seed = (((uint64_t)hi << 32) | lo) * 0x9E3779B97F4A7C15ull;
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (c & (1u << 30)) {
        uint64_t r;
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
        if (ok)
            seed ^= r;
    }
    __stack_chk_guard = seed & ~0xFFull; /* a zero low byte stops string overruns */
}

__attribute__((noreturn, no_stack_protector)) void mn_start(const struct mn_startup *st)
{
    stack_guard_init();
    int argc = 0;
    if (st && (uintptr_t)st == MN_STARTUP_VA && st->magic == MN_STARTUP_MAGIC && st->version == MN_STARTUP_VERSION) {
        startup = st;
        for (uint32_t i = 0; i < st->argc && i < MN_STARTUP_MAX_ARGS; i++)
            argv_buf[argc++] = (char *)st + st->argv[i];
    }
    argv_buf[argc] = NULL;
    mn_memory_init();
    mn_console_init();
    map_initrd();
    exit(main(argc, argv_buf));
}

void exit(int status)
{
    mn_sys_PROCESS_EXIT((uint64_t)(int64_t)status);
    for (;;)
        __asm__ volatile("ud2");
}

void abort(void)
{
    static const char msg[] = "abort() called\n";
    mn_console_write(msg, sizeof msg - 1);
    exit(MN_STATUS_ABORTED);
}

void mn_heap_corrupt(const char *why)
{
    printf("libmnos: heap corruption: %s\n", why);
    abort();
}
