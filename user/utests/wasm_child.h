/*
 * What the Wasm test programs (wasm_wasi, wasm_limits, wasm_many) share:
 * running bin/wasmrun as a child whose console this test serves itself.
 * The test makes three endpoints and serves each on a thread of its own,
 * speaking the console protocol (<mnos/console.h>): the child's "console"
 * (stdout) and "stderr" are kept in buffers, its "console-in" is fed from
 * a string and then answered with 0 bytes (the end of the stream). So a
 * test sees exactly what the module wrote, stream by stream, as wasi-tests.sh
 * does on the host.
 */
#ifndef UTESTS_WASM_CHILD_H
#define UTESTS_WASM_CHILD_H

#include <mnos/console.h>

#include "libmnos.h"
#include "stdio.h"
#include "string.h"

#define WC_BUF 8192

struct wc_stream {
    uint32_t ep;
    char buf[WC_BUF + 1]; /* output received (NUL-terminated), or the input to give */
    size_t len, pos; /* bytes in buf; input: bytes given so far */
    size_t dropped; /* output beyond WC_BUF */
};

static struct wc_stream wc_out, wc_err, wc_in;

static inline void wc_on_write(mn_msg_t *m, void *ctx)
{
    struct wc_stream *s = ctx;
    uint32_t n = MN_CONSOLE_LEN(m->label);
    if (MN_CONSOLE_OP(m->label) != MN_CONSOLE_WRITE || n < 1 || n > MN_CONSOLE_MAX) {
        m->label = (uint64_t)MN_ERR_BAD_ARG;
        return;
    }
    uint8_t bytes[MN_CONSOLE_MAX];
    memcpy(bytes, &m->data0, 8);
    memcpy(bytes + 8, &m->data1, 8);
    for (uint32_t i = 0; i < n; i++) {
        if (s->len < WC_BUF)
            s->buf[s->len++] = (char)bytes[i];
        else
            s->dropped++;
    }
    s->buf[s->len] = 0;
    m->label = n;
    m->data0 = m->data1 = 0;
}

static inline void wc_on_read(mn_msg_t *m, void *ctx)
{
    struct wc_stream *s = ctx;
    uint32_t max = MN_CONSOLE_LEN(m->label);
    if (MN_CONSOLE_OP(m->label) != MN_CONSOLE_READ || max < 1 || max > MN_CONSOLE_MAX) {
        m->label = (uint64_t)MN_ERR_BAD_ARG;
        return;
    }
    uint8_t bytes[MN_CONSOLE_MAX] = {0};
    size_t n = s->len - s->pos < max ? s->len - s->pos : max;
    memcpy(bytes, s->buf + s->pos, n);
    s->pos += n;
    m->label = n; /* 0 once everything was given: the end of the stream */
    memcpy(&m->data0, bytes, 8);
    memcpy(&m->data1, bytes + 8, 8);
}

static inline void wc_serve_write(void *arg)
{
    mn_serve(((struct wc_stream *)arg)->ep, wc_on_write, arg);
}

static inline void wc_serve_read(void *arg)
{
    mn_serve(((struct wc_stream *)arg)->ep, wc_on_read, arg);
}

/* The three endpoints and their server threads, once per test program. Returns 0 or an error. */
static inline int wc_setup(void)
{
    struct wc_stream *s[3] = {&wc_out, &wc_err, &wc_in};
    for (int i = 0; i < 3; i++) {
        s[i]->ep = mn_slot_alloc();
        if (!s[i]->ep || mn_sys_ENDPOINT_CREATE(s[i]->ep) != 0)
            return MN_ERR_NO_SPACE;
        int64_t r = mn_thread_create(i < 2 ? wc_serve_write : wc_serve_read, s[i], 1);
        if (r < 0)
            return (int)r;
    }
    return MN_ERR_OK;
}

/*
 * Runs bin/wasmrun argv[0..argc) (argv[0] "bin/wasmrun") with the served
 * streams, `input` on its stdin (NULL: empty), an allocator with a budget
 * of budget_pages drawn on this program's, and the initrd; waits for it.
 * Afterwards wc_out/wc_err hold what it wrote. Returns MN_ERR_OK with its
 * status and reason, or why it could not run.
 */
static inline int wc_run(const char *const *argv, int argc, const char *input, uint64_t budget_pages, int64_t *status,
                         int *reason)
{
    wc_out.len = wc_err.len = wc_out.dropped = wc_err.dropped = 0;
    wc_out.buf[0] = wc_err.buf[0] = 0;
    wc_in.len = input ? strlen(input) : 0;
    wc_in.pos = 0;
    if (wc_in.len > WC_BUF)
        return MN_ERR_BAD_ARG;
    memcpy(wc_in.buf, input ? input : "", wc_in.len);
    uint32_t budget = mn_slot_alloc();
    if (!budget || mn_sys_ALLOCATOR_CREATE(mn_cap(MN_ROLE_ALLOCATOR), budget, budget_pages) != 0) {
        if (budget)
            mn_slot_free(budget);
        return MN_ERR_NO_MEMORY;
    }
    struct mn_spawn_cap caps[] = {
        {wc_out.ep, MN_RIGHT_WRITE, 0, MN_ROLE_CONSOLE},
        {wc_err.ep, MN_RIGHT_WRITE, 0, "stderr"},
        {wc_in.ep, MN_RIGHT_WRITE, 0, MN_ROLE_CONSOLE_IN},
        {budget, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, MN_ROLE_ALLOCATOR},
        {mn_cap("initrd"), MN_RIGHT_READ, 0, "initrd"},
    };
    struct mn_child child;
    int r = mn_spawn("bin/wasmrun", argv, argc, caps, 5, MN_SPAWN_GIVE_SELF, &child);
    if (r == MN_ERR_OK) {
        r = mn_wait(&child, status, reason);
        mn_release(&child);
    }
    mn_sys_DROP_CAP(budget);
    mn_slot_free(budget);
    return r;
}

/* Prints a captured stream, each line prefixed (so that the serial log shows it without mistaking it for ours). */
static inline void wc_show(const char *who, const char *stream, const struct wc_stream *s)
{
    const char *p = s->buf;
    while (*p) {
        const char *e = strchr(p, '\n');
        int n = e ? (int)(e - p) : (int)strlen(p);
        printf("%s: %s| %.*s\n", who, stream, n, p);
        p += n + (e ? 1 : 0);
    }
}

#endif
