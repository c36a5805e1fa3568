/*
 * Port I/O through an IoPort capability (data0 = first port, data1 = count):
 * PORT_OUT needs WRITE, PORT_IN READ; the whole access (port .. port +
 * width) must lie inside the capability's range. IOPL stays 0, so Ring 3
 * cannot use in/out directly.
 */
#include <arch/cpu.h>

#include "cap/cspace.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"

/* Looks up and checks the capability for `width` bytes at `port`; cap_lock is taken and released here. */
static int check(uint64_t slot, uint64_t port, uint64_t width, uint8_t need)
{
    if (width != 1 && width != 2 && width != 4)
        return MN_ERR_BAD_ARG;
    if (port > 0xFFFF)
        return MN_ERR_BAD_ARG;
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(sched_current()->process, slot, MN_CAP_IO_PORT, need, &s);
    if (r == MN_ERR_OK && (port < s->data[0] || port + width > s->data[0] + s->data[1]))
        r = MN_ERR_NO_RIGHTS;
    spin_unlock(&cap_lock);
    return r;
}

/* ioport slot, port, value, width */
int64_t sys_PORT_OUT(uint64_t a[6])
{
    int r = check(a[0], a[1], a[3], MN_RIGHT_WRITE);
    if (r != MN_ERR_OK)
        return r;
    uint16_t port = (uint16_t)a[1];
    if (a[3] == 1)
        outb(port, (uint8_t)a[2]);
    else if (a[3] == 2)
        outw(port, (uint16_t)a[2]);
    else
        outl(port, (uint32_t)a[2]);
    return MN_ERR_OK;
}

/* ioport slot, port, width -> value */
int64_t sys_PORT_IN(uint64_t a[6])
{
    int r = check(a[0], a[1], a[2], MN_RIGHT_READ);
    if (r != MN_ERR_OK)
        return r;
    uint16_t port = (uint16_t)a[1];
    if (a[2] == 1)
        return inb(port);
    if (a[2] == 2)
        return inw(port);
    return inl(port);
}
