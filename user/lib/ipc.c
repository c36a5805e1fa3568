/* libmnos: the server loop (see libmnos.h). */
#include "libmnos.h"

int64_t mn_serve(uint32_t ep, mn_handler_fn handler, void *ctx)
{
    mn_msg_t m;
    int64_t r = mn_sys_RECV(ep, (uint64_t *)&m);
    while (r == 0) {
        handler(&m, ctx);
        r = mn_sys_REPLY_RECV(ep, m.label, m.data0, m.data1, (uint64_t *)&m);
    }
    return r;
}
