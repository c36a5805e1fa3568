/*
 * The IPC message: three 64-bit words (label, data0, data1) carried in
 * registers by SYS_SEND/SYS_RECV and the call/reply extensions, and the
 * notification word. The same layout is used when a message is stored in
 * memory (queued kernel-side, or passed to a libmnos helper).
 */
#ifndef MNOS_IPC_H
#define MNOS_IPC_H

#include <stddef.h>
#include <stdint.h>

typedef struct mn_msg {
    uint64_t label; /* what the message means; the protocol's opcode */
    uint64_t data0;
    uint64_t data1;
} mn_msg_t;

_Static_assert(sizeof(mn_msg_t) == 24, "mn_msg_t is three words");
_Static_assert(offsetof(mn_msg_t, label) == 0, "label first");
_Static_assert(offsetof(mn_msg_t, data0) == 8, "data0 second");
_Static_assert(offsetof(mn_msg_t, data1) == 16, "data1 third");

/* A notification is a word of pending bits: signal ORs bits in, wait returns and clears them. */
typedef uint64_t mn_notify_bits_t;

#endif
