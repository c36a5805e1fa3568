/*
 * serial_drv: the COM1 driver, a Ring 3 process holding only the COM1
 * IoPort capability ("com1"), the COM1 IrqLine ("com1-irq"), the server
 * ends of the two console endpoints ("console-srv", "console-in-srv")
 * and what it needs to run threads ("self", "allocator"). It serves the
 * console protocol (<mnos/console.h>):
 *
 *   main thread    output: receives write calls, sends the bytes (polling
 *                  the transmitter-empty bit), replies
 *   irq thread     receive: WAIT_IRQ, drains the UART's receive buffer into
 *                  a ring, signals the input thread (notification)
 *   input thread   input: receives read calls, waits until the ring holds a
 *                  byte, replies with up to 16
 *
 * The ring has one producer (irq thread) and one consumer (input thread):
 * head and tail are each written by one side only. Bytes that arrive while
 * the ring is full are dropped and counted.
 */
#include <mnos/console.h>

#include "libmnos.h"
#include "stdio.h"
#include "string.h"

#define COM1 0x3F8
#define REG_DATA 0
#define REG_IER 1
#define REG_IIR 2
#define REG_FCR 2
#define REG_MCR 4
#define REG_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define IER_RX 0x01

#define RING_SIZE 1024 /* a power of two */
#define SLOT_RX_NOTIFY 40

static uint32_t io, irq;
static uint8_t ring[RING_SIZE];
static volatile uint32_t ring_head, ring_tail; /* head: next write (irq thread); tail: next read (input thread) */
static volatile uint64_t dropped;

static uint8_t in8(unsigned reg)
{
    return (uint8_t)mn_sys_PORT_IN(io, COM1 + reg, 1);
}

static void out8(unsigned reg, uint8_t v)
{
    mn_sys_PORT_OUT(io, COM1 + reg, v, 1);
}

static void put_byte(uint8_t c)
{
    while (!(in8(REG_LSR) & LSR_THR_EMPTY))
        ;
    out8(REG_DATA, c);
}

/* Moves every byte the UART holds into the ring; true when any came. */
static bool drain_rx(void)
{
    bool any = false;
    while (in8(REG_LSR) & LSR_DATA_READY) {
        uint8_t c = in8(REG_DATA);
        uint32_t h = ring_head;
        if (h - ring_tail >= RING_SIZE) {
            dropped++;
            continue;
        }
        ring[h & (RING_SIZE - 1)] = c;
        __atomic_store_n(&ring_head, h + 1, __ATOMIC_RELEASE);
        any = true;
    }
    return any;
}

static void irq_thread(void *arg)
{
    (void)arg;
    for (;;) {
        /* WAIT_IRQ acknowledges the previous interrupt first; the UART may have more by then. */
        int64_t r = mn_sys_WAIT_IRQ(irq);
        if (r != 0) {
            printf("serial_drv: WAIT_IRQ failed: %s\n", mn_error_name(r));
            return;
        }
        (void)in8(REG_IIR);
        if (drain_rx())
            mn_sys_NOTIFY_SIGNAL(SLOT_RX_NOTIFY, 1);
    }
}

static void input_thread(void *arg)
{
    uint32_t ep = (uint32_t)(uintptr_t)arg;
    uint64_t m[3];
    int64_t r = mn_sys_RECV(ep, m);
    while (r == 0) {
        uint64_t reply[3] = {(uint64_t)MN_ERR_BAD_ARG, 0, 0};
        uint32_t max = MN_CONSOLE_LEN(m[0]);
        if (MN_CONSOLE_OP(m[0]) == MN_CONSOLE_READ && max >= 1 && max <= MN_CONSOLE_MAX) {
            while (__atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) == ring_tail)
                mn_sys_NOTIFY_WAIT(SLOT_RX_NOTIFY);
            uint8_t bytes[MN_CONSOLE_MAX] = {0};
            uint32_t n = 0;
            while (n < max && ring_tail != __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE)) {
                bytes[n++] = ring[ring_tail & (RING_SIZE - 1)];
                __atomic_store_n(&ring_tail, ring_tail + 1, __ATOMIC_RELEASE);
            }
            reply[0] = n;
            memcpy(&reply[1], bytes, sizeof bytes);
        }
        r = mn_sys_REPLY_RECV(ep, reply[0], reply[1], reply[2], m);
    }
    printf("serial_drv: input endpoint failed: %s\n", mn_error_name(r));
}

/* Output: the main thread's server loop. */
static void on_write(mn_msg_t *m, void *ctx)
{
    (void)ctx;
    uint32_t n = MN_CONSOLE_LEN(m->label);
    if (MN_CONSOLE_OP(m->label) != MN_CONSOLE_WRITE || n < 1 || n > MN_CONSOLE_MAX) {
        m->label = (uint64_t)MN_ERR_BAD_ARG;
        return;
    }
    uint8_t bytes[MN_CONSOLE_MAX];
    memcpy(bytes, &m->data0, 8);
    memcpy(bytes + 8, &m->data1, 8);
    for (uint32_t i = 0; i < n; i++) {
        if (bytes[i] == '\n')
            put_byte('\r');
        put_byte(bytes[i]);
    }
    m->label = n;
    m->data0 = m->data1 = 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    io = mn_cap("com1");
    irq = mn_cap("com1-irq");
    uint32_t out_ep = mn_cap("console-srv"), in_ep = mn_cap("console-in-srv");
    if (!io || !out_ep) {
        printf("serial_drv: missing capabilities (com1 %u, console-server %u)\n", io, out_ep);
        return 1;
    }
    if (irq && in_ep) {
        if (mn_sys_NOTIFICATION_CREATE(SLOT_RX_NOTIFY) != 0) {
            printf("serial_drv: cannot create its notification\n");
            return 2;
        }
        out8(REG_FCR, 0x07); /* FIFO on, both cleared, trigger at 1 byte */
        out8(REG_MCR, 0x0B); /* DTR, RTS, OUT2 (the IRQ line's gate on PCs) */
        drain_rx();
        out8(REG_IER, IER_RX);
        if (mn_thread_create(irq_thread, NULL, 2) < 0 ||
            mn_thread_create(input_thread, (void *)(uintptr_t)in_ep, 2) < 0) {
            printf("serial_drv: cannot start its threads\n");
            return 3;
        }
    }
    int64_t r = mn_serve(out_ep, on_write, NULL);
    printf("serial_drv: output endpoint failed: %s\n", mn_error_name(r));
    return 4;
}
