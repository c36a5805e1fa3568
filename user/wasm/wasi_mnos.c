/*
 * wasi_mnos.c - the MinimalOS binding of the WASI layer (lib/wasm/wasi.c):
 * the wasm_wasi_io_t callbacks. stdout and stderr go to console-protocol
 * endpoints (serial_drv's, or whatever server the parent gave), stdin comes
 * from a console-in endpoint, random bytes from RDRAND. Clocks need nothing
 * here: wasi.c asks the platform layer (platform_mnos.c: SYS_CLOCK).
 */
#include <cpuid.h>
#include <mnos/console.h>
#include <stdarg.h>

#include "libmnos.h"
#include "stdio.h"
#include "string.h"
#include "wasm_mnos.h"

/* Writes n bytes to a console-protocol endpoint, 16 per call; the count written, or an error. */
static long ep_write(uint32_t ep, const char *s, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t k = n - done < MN_CONSOLE_MAX ? n - done : MN_CONSOLE_MAX;
        uint64_t w[2] = {0, 0}, m[3];
        memcpy(w, s + done, k);
        int64_t r = mn_sys_CALL(ep, MN_CONSOLE_WRITE | (uint64_t)k << 8, w[0], w[1], m);
        if (r != 0)
            return done ? (long)done : (long)r;
        done += k;
    }
    return (long)done;
}

static long stream_write(const struct mnw_streams *st, int fd, const char *s, size_t n)
{
    uint32_t ep = fd == 2 && st->err_ep ? st->err_ep : st->out_ep;
    if (!ep) {
        mn_console_write(s, n);
        return (long)n;
    }
    return ep_write(ep, s, n);
}

static long io_write(void *user, int fd, const void *buf, size_t len)
{
    return stream_write(user, fd, buf, len);
}

/* One read call on the input endpoint: at most 16 bytes, CR as LF, ^D (or an empty reply) as the end. */
static long io_read(void *user, void *buf, size_t len)
{
    struct mnw_streams *st = user;
    if (!st->in_ep || st->in_eof || len == 0)
        return 0;
    size_t max = len < MN_CONSOLE_MAX ? len : MN_CONSOLE_MAX;
    uint64_t m[3];
    int64_t r = mn_sys_CALL(st->in_ep, MN_CONSOLE_READ | (uint64_t)max << 8, 0, 0, m);
    if (r != 0 || (int64_t)m[0] < 0 || m[0] > max) {
        st->in_eof = true; /* the server is gone or confused: the stream ends */
        return 0;
    }
    uint64_t w[2] = {m[1], m[2]};
    char *out = buf;
    size_t n = 0;
    const char *in = (const char *)w;
    for (size_t i = 0; i < m[0]; i++) {
        if (in[i] == 0x04) {
            st->in_eof = true;
            break;
        }
        out[n++] = in[i] == '\r' ? '\n' : in[i];
    }
    if (m[0] == 0)
        st->in_eof = true;
    return (long)n;
}

static int io_random(void *user, void *buf, size_t len)
{
    (void)user;
    return mnw_random(buf, len);
}

void mnw_wasi_io(struct mnw_streams *st, wasm_wasi_io_t *io)
{
    io->user = st;
    io->write = io_write;
    io->read = io_read;
    io->random = io_random;
}

void mnw_streams_from_caps(struct mnw_streams *st)
{
    st->out_ep = 0; /* the process's console: libmnos already found "console" */
    st->err_ep = mn_cap("stderr");
    st->in_ep = mn_cap(MN_ROLE_CONSOLE_IN);
    st->in_eof = false;
}

void mnw_write_err(const struct mnw_streams *st, const char *s, size_t n)
{
    if (st)
        stream_write(st, 2, s, n);
    else
        mn_console_write(s, n);
}

void mnw_errorf(const struct mnw_streams *st, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 1)
        n = sizeof line - 1;
    if (n > 0)
        mnw_write_err(st, line, (size_t)n);
}

/* ---- randomness ------------------------------------------------------------------ */

static int rdrand_state; /* 0 unknown, 1 present, -1 absent */
static uint64_t xs_state;

static bool has_rdrand(void)
{
    if (rdrand_state == 0) {
        unsigned a, b, c, d;
        rdrand_state = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_RDRND) ? 1 : -1;
    }
    return rdrand_state > 0;
}

static bool rdrand64(uint64_t *v)
{
    for (int i = 0; i < 10; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok)::"cc");
        if (ok)
            return true;
    }
    return false;
}

static uint64_t xorshift64(void)
{
    if (!xs_state) {
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        xs_state = ((uint64_t)hi << 32 | lo) ^ (uint64_t)mn_sys_CLOCK() ^ 0x9e3779b97f4a7c15ull;
        if (!xs_state)
            xs_state = 1;
    }
    xs_state ^= xs_state >> 12;
    xs_state ^= xs_state << 25;
    xs_state ^= xs_state >> 27;
    return xs_state * 2685821657736338717ull;
}

int mnw_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        uint64_t v;
        if (!has_rdrand() || !rdrand64(&v))
            v = xorshift64();
        size_t k = len < 8 ? len : 8;
        memcpy(p, &v, k);
        p += k;
        len -= k;
    }
    return 0;
}

const char *mnw_random_source(void)
{
    return has_rdrand() ? "rdrand" : "seeded xorshift";
}
