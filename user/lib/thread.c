/*
 * libmnos: threads and the mutex. A new thread runs on a stack from
 * mn_map_pages; its first code (thread_entry) calls fn(arg) and ends the
 * thread when fn returns. The stack is not reclaimed when the thread ends
 * (a thread cannot unmap the stack it runs on): a program that makes many
 * short-lived threads should reuse them.
 */
#include "libmnos.h"

struct thread_start {
    void (*fn)(void *arg);
    void *arg;
};

__attribute__((noreturn)) static void thread_entry(struct thread_start *ts)
{
    ts->fn(ts->arg);
    mn_sys_EXIT();
    for (;;)
        __asm__ volatile("ud2");
}

int64_t mn_thread_create(void (*fn)(void *arg), void *arg, unsigned stack_order)
{
    uint32_t self = mn_self();
    if (!self)
        return MN_ERR_INVALID_SLOT;
    uint8_t *stack = mn_map_pages(stack_order, NULL);
    if (!stack)
        return MN_ERR_NO_MEMORY;
    uint64_t top = (uint64_t)(uintptr_t)stack + (MN_PAGE_SIZE << stack_order);
    /* The start record at the top; the thread's RSP below it stays 16-aligned minus 8, as after a call. */
    struct thread_start *ts = (struct thread_start *)(uintptr_t)(top - 16);
    ts->fn = fn;
    ts->arg = arg;
    uint64_t rsp = top - 32 - 8;
    return mn_sys_THREAD_CREATE(self, (uint64_t)(uintptr_t)thread_entry, rsp, (uint64_t)(uintptr_t)ts, 0);
}

void mn_mutex_lock(mn_mutex_t *m)
{
    while (__atomic_exchange_n(&m->locked, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&m->locked, __ATOMIC_RELAXED))
            mn_sys_YIELD();
    }
}

void mn_mutex_unlock(mn_mutex_t *m)
{
    __atomic_store_n(&m->locked, 0, __ATOMIC_RELEASE);
}
