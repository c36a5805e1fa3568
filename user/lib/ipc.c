/* libmnos: the server loop (see libmnos.h). */
#include "libmnos.h"

int64_t mn_serve_badged(uint32_t ep, mn_badged_handler_fn handler, void *ctx)
{
    mn_msg_t m;
    int64_t r = mn_sys_RECV(ep, (uint64_t *)&m);
    while (r >= 0) { /* r: the badge of the sender's capability */
        handler(&m, (uint64_t)r, ctx);
        r = mn_sys_REPLY_RECV(ep, m.label, m.data0, m.data1, (uint64_t *)&m);
    }
    return r;
}

struct plain {
    mn_handler_fn fn;
    void *ctx;
};

static void unbadged(mn_msg_t *m, uint64_t badge, void *ctx)
{
    (void)badge;
    struct plain *p = ctx;
    p->fn(m, p->ctx);
}

int64_t mn_serve(uint32_t ep, mn_handler_fn handler, void *ctx)
{
    struct plain p = {handler, ctx};
    return mn_serve_badged(ep, unbadged, &p);
}
