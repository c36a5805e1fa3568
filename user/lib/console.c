/*
 * libmnos: console output and input. With a "console" endpoint (serial_drv,
 * <mnos/console.h>) bytes go there, 16 per call; without one (init before
 * serial_drv runs, programs started by the kernel's tests) output goes to
 * the kernel log through SYS_DEBUG_WRITE, a line at a time.
 */
#include <mnos/console.h>

#include "libmnos.h"
#include "string.h"

static uint32_t out_ep, in_ep;
static mn_mutex_t out_lock = MN_MUTEX_INIT;

void mn_console_init(void)
{
    out_ep = mn_cap(MN_ROLE_CONSOLE);
    in_ep = mn_cap(MN_ROLE_CONSOLE_IN);
}

void mn_console_attach(uint32_t out_slot, uint32_t in_slot)
{
    out_ep = out_slot;
    in_ep = in_slot;
}

/* The kernel log takes whole lines (it prefixes each write): cut at newlines, 256 bytes at most. */
static void debug_write(const char *s, size_t n)
{
    while (n) {
        size_t k = 0;
        while (k < n && k < 256 && s[k] != '\n')
            k++;
        if (k)
            mn_sys_DEBUG_WRITE((uint64_t)(uintptr_t)s, k);
        if (k < n && s[k] == '\n')
            k++;
        s += k;
        n -= k;
    }
}

void mn_console_write(const char *s, size_t n)
{
    if (!out_ep) {
        debug_write(s, n);
        return;
    }
    mn_mutex_lock(&out_lock); /* one thread's text stays together */
    while (n) {
        size_t k = n < MN_CONSOLE_MAX ? n : MN_CONSOLE_MAX;
        uint64_t w[2] = {0, 0};
        memcpy(w, s, k);
        uint64_t m[3];
        if (mn_sys_CALL(out_ep, MN_CONSOLE_WRITE | (uint64_t)k << 8, w[0], w[1], m) != 0) {
            out_ep = 0; /* the console server is gone: fall back to the kernel log */
            mn_mutex_unlock(&out_lock);
            debug_write(s, n);
            return;
        }
        s += k;
        n -= k;
    }
    mn_mutex_unlock(&out_lock);
}

int64_t mn_console_read(char *buf, size_t max)
{
    if (!in_ep)
        return MN_ERR_INVALID_SLOT;
    if (max == 0)
        return 0;
    if (max > MN_CONSOLE_MAX)
        max = MN_CONSOLE_MAX;
    uint64_t m[3];
    int64_t r = mn_sys_CALL(in_ep, MN_CONSOLE_READ | (uint64_t)max << 8, 0, 0, m);
    if (r != 0)
        return r;
    if ((int64_t)m[0] < 0 || m[0] > max)
        return (int64_t)m[0] < 0 ? (int64_t)m[0] : MN_ERR_BAD_FORMAT;
    uint64_t w[2] = {m[1], m[2]};
    memcpy(buf, w, m[0]);
    return (int64_t)m[0];
}
