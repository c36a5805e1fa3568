/*
 * System call numbers: the one table both the kernel dispatch and the
 * libmnos stubs are generated from.
 *
 * Convention (SYSCALL): RAX = number; arguments in RDI, RSI, RDX, R10, R8,
 * R9 (R10 instead of RCX, which SYSCALL clobbers, as does R11). On return
 * RAX holds the result: >= 0 on success, a negative MN_ERR_* code
 * (<mnos/errors.h>) on failure. Calls with further outputs ("outs" below)
 * return them in RDI, RSI, RDX in that order (a received message: label,
 * data0, data1).
 *
 * Numbers 0-11 are the roadmap's stable core (DESIGN.md section 7) and never
 * change, arguments included: a call that needed more arguments got a new
 * number (PROCESS_CREATE, ALLOC_PAGES, THREAD_CREATE) and the core one stays
 * as the roadmap defined it. Numbers from 12 up are the extensions; once a
 * number has shipped it is never reused, only retired.
 *
 * X(NAME, number, args, outs, "argument list -> outputs")
 */
#ifndef MNOS_SYSCALLS_H
#define MNOS_SYSCALLS_H

#include <stdint.h>

#define MN_SYSCALL_TABLE(X) \
    /* --- the stable core --- */ \
    X(EXIT, 0, 0, 0, "- (ends the calling thread)") \
    X(SEND, 1, 4, 0, "endpoint slot, label, data0, data1") \
    X(RECV, 2, 1, 3, "endpoint slot -> label, data0, data1; the sender's badge in RAX") \
    X(PORT_OUT, 3, 4, 0, "ioport slot, port, value, width (1, 2 or 4)") \
    X(PORT_IN, 4, 3, 0, "ioport slot, port, width -> value in RAX") \
    X(WAIT_IRQ, 5, 1, 0, "irq slot (acknowledges the previous interrupt, then waits for the next)") \
    X(SPAWN_PROCESS, 6, 0, 0, "- -> slot of the new (empty) Process cap in RAX") \
    X(ALLOC_MEMORY, 7, 2, 0, "allocator slot, target slot (one 4 KiB frame)") \
    X(MAP_MEMORY, 8, 4, 0, "process slot, frame slot, vaddr, flags (MN_MAP_*)") \
    X(DELEGATE, 9, 4, 0, "process slot, source slot, destination slot, rights mask") \
    X(SPAWN_THREAD, 10, 3, 0, "process slot, rip, rsp -> tid in RAX (the thread starts with RDI 0)") \
    X(DROP_CAP, 11, 1, 0, "slot") \
    /* --- IPC extensions --- */ \
    X(CALL, 12, 4, 3, "endpoint slot, label, data0, data1 -> reply label, data0, data1") \
    X(REPLY_RECV, 13, 4, 3, "endpoint slot, reply label, data0, data1 -> label, data0, data1; badge in RAX") \
    X(SEND_NB, 14, 4, 0, "endpoint slot, label, data0, data1 (MN_ERR_WOULD_BLOCK if no receiver)") \
    X(RECV_NB, 15, 1, 3, "endpoint slot -> label, data0, data1, badge in RAX (MN_ERR_WOULD_BLOCK if no sender)") \
    X(REPLY, 16, 3, 0, "reply label, data0, data1 (to the caller this thread received from)") \
    X(SEND_CAP, 17, 5, 0, "endpoint slot, label, data0, cap slot (needs GRANT), rights mask") \
    X(RECV_CAP, 18, 2, 3, \
      "endpoint slot, empty slot -> label, data0, MN_INSPECT of the cap; RAX badge << 1 | 1 if one came") \
    X(NOTIFY_SIGNAL, 19, 2, 0, "notification slot, bits") \
    X(NOTIFY_WAIT, 20, 1, 0, "notification slot -> bits in RAX (cleared)") \
    X(NOTIFY_POLL, 21, 1, 0, "notification slot -> bits in RAX (cleared, never blocks)") \
    X(IRQ_BIND, 22, 3, 0, "irq slot, notification slot (0: unbind), bit number") \
    X(IRQ_ACK, 23, 1, 0, "irq slot (unmasks the line)") \
    /* --- scheduling and time --- */ \
    X(YIELD, 24, 0, 0, "-") \
    X(SLEEP, 25, 1, 0, "nanoseconds") \
    X(CLOCK, 26, 0, 0, "- -> nanoseconds since boot in RAX") \
    /* --- capabilities --- */ \
    X(REVOKE, 27, 1, 0, "slot (needs REVOKE; removes everything derived from it)") \
    X(INSPECT, 28, 1, 0, "slot -> MN_INSPECT_MAKE(type, rights) in RAX") \
    X(COPY_CAP, 29, 3, 0, "source slot, destination slot, rights mask (own CNode)") \
    X(MOVE_CAP, 30, 2, 0, "source slot, destination slot (own CNode)") \
    X(ENDPOINT_CREATE, 31, 1, 0, "target slot") \
    X(NOTIFICATION_CREATE, 32, 1, 0, "target slot") \
    /* --- memory --- */ \
    X(UNMAP, 33, 3, 0, "process slot, vaddr, page count (whole mappings)") \
    X(MAP_MMIO, 34, 4, 0, "process slot, mmio slot, vaddr, flags (MN_MAP_WRITE only)") \
    /* --- processes --- */ \
    X(KILL, 35, 1, 0, "process slot") \
    X(PROCESS_WAIT, 36, 1, 3, "process slot -> exit status, MN_EXIT_* reason, fault vector") \
    X(PROCESS_EXIT, 37, 1, 0, "status (ends every thread of the calling process)") \
    X(DEBUG_WRITE, 38, 2, 0, "user pointer, length (kernel log; for tests before serial_drv)") \
    /* --- the core calls with more arguments --- */ \
    X(PROCESS_CREATE, 39, 2, 0, "name pointer, name length -> slot of the new Process cap (SPAWN_PROCESS, named)") \
    X(ALLOC_PAGES, 40, 3, 0, "allocator slot, target slot, order (2^order contiguous pages, 0-10)") \
    X(THREAD_CREATE, 41, 5, 0, "process slot, rip, rsp, arg (its RDI), Thread cap slot (0: none) -> tid") \
    /* --- devices --- */ \
    X(FRAME_INFO, 42, 1, 3, "frame slot -> physical address, order, 0 (for DMA)") \
    X(PCI_CONFIG_READ, 43, 3, 0, "pci device slot, offset, width (1, 2, 4) -> value in RAX") \
    X(PCI_CONFIG_WRITE, 44, 4, 0, "pci device slot, offset, value, width (BARs and MSI messages are the kernel's)") \
    X(PCI_IRQ_MSIX, 45, 3, 0, "pci device slot, MSI-X table entry, target slot: an IrqLine for that vector") \
    X(PCI_IRQ_INTX, 46, 2, 0, "pci device slot, target slot: an IrqLine for the function's INTx pin") \
    /* --- memory accounting --- */ \
    X(ALLOCATOR_CREATE, 47, 3, 0, "allocator slot, target slot, budget (pages): a PmmAllocator drawing on it") \
    X(MEM_STATS, 48, 1, 3, \
      "allocator slot -> free frames (incl. kept for reuse), kernel heap bytes in use, processes alive") \
    X(FRAME_WRITE, 49, 4, 0, "frame slot (WRITE), offset, user pointer, length: copies into the frame") \
    /* --- threads --- */ \
    X(THREAD_WAIT, 50, 1, 0, "thread slot (READ): blocks until that thread has ended") \
    X(THREAD_KILL, 51, 1, 0, "thread slot (WRITE): ends that thread (the process ends with its last thread)") \
    /* --- badges --- */ \
    X(BADGE_CAP, 52, 3, 0, "endpoint slot (unbadged, GRANT), destination slot, badge: a badged copy") \
    /* --- measurement --- */ \
    X(IDLE_TSC, 53, 0, 0, "- -> TSC ticks all CPUs have spent halted in their idle loops since boot")

enum mn_syscall {
#define MN_SYSCALL_ENUM_(name, num, args, outs, doc) MN_SYS_##name = (num),
    MN_SYSCALL_TABLE(MN_SYSCALL_ENUM_)
#undef MN_SYSCALL_ENUM_
};

/* One more than the highest number in use: the size of a dispatch table. */
#define MN_SYSCALL_COUNT (MN_SYS_IDLE_TSC + 1)
#define MN_SYSCALL_BOUND_(name, num, args, outs, doc) \
    _Static_assert((num) < MN_SYSCALL_COUNT && (args) <= 6 && (outs) <= 3, "syscall " #name " fits");
MN_SYSCALL_TABLE(MN_SYSCALL_BOUND_)
#undef MN_SYSCALL_BOUND_

/* The call's name ("SEND"), or NULL for an unused number. (The switch also
 * makes a duplicated number a compile error.) */
static inline const char *mn_syscall_name(uint64_t num)
{
    switch (num) {
#define MN_SYSCALL_NAME_(name, num, args, outs, doc) \
    case (num): return #name;
        MN_SYSCALL_TABLE(MN_SYSCALL_NAME_)
#undef MN_SYSCALL_NAME_
    }
    return (const char *)0;
}

/* The number of arguments the call takes, or -1 for an unused number. */
static inline int mn_syscall_args(uint64_t num)
{
    switch (num) {
#define MN_SYSCALL_ARGS_(name, num, args, outs, doc) \
    case (num): return (args);
        MN_SYSCALL_TABLE(MN_SYSCALL_ARGS_)
#undef MN_SYSCALL_ARGS_
    }
    return -1;
}

_Static_assert(MN_SYS_EXIT == 0 && MN_SYS_SEND == 1 && MN_SYS_RECV == 2 && MN_SYS_PORT_OUT == 3 &&
                   MN_SYS_PORT_IN == 4 && MN_SYS_WAIT_IRQ == 5 && MN_SYS_SPAWN_PROCESS == 6 &&
                   MN_SYS_ALLOC_MEMORY == 7 && MN_SYS_MAP_MEMORY == 8 && MN_SYS_DELEGATE == 9 &&
                   MN_SYS_SPAWN_THREAD == 10 && MN_SYS_DROP_CAP == 11,
               "the roadmap's numbers 0-11 are stable");

#endif
