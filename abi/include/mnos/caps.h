/*
 * Capability types and rights, shared by the kernel and userspace.
 * Userspace names a capability only by its slot number in the process's
 * CNode; slot 0 is always empty. Rights only ever shrink when a capability
 * is copied, delegated or transferred.
 */
#ifndef MNOS_CAPS_H
#define MNOS_CAPS_H

#include <stdint.h>

/*
 * X(NAME, value): the roadmap's types, then the device-work extensions
 * (MmioRegion: data phys base and size; Notification; PciDevice: the
 * configuration space of one PCI function, data segment:bus:dev.fn).
 */
#define MN_CAP_TYPE_TABLE(X) \
    X(EMPTY, 0) \
    X(PMM_ALLOCATOR, 1) \
    X(MEMORY_FRAME, 2) \
    X(IO_PORT, 3) \
    X(PROCESS, 4) \
    X(THREAD, 5) \
    X(ENDPOINT, 6) \
    X(IRQ_LINE, 7) \
    X(MMIO_REGION, 8) \
    X(NOTIFICATION, 9) \
    X(PCI_DEVICE, 10)

enum mn_cap_type {
#define MN_CAP_TYPE_ENUM_(name, value) MN_CAP_##name = (value),
    MN_CAP_TYPE_TABLE(MN_CAP_TYPE_ENUM_)
#undef MN_CAP_TYPE_ENUM_
        MN_CAP_TYPE_COUNT
};

/* The type's name as in the table ("ENDPOINT"), or "?" for a value out of range. */
static inline const char *mn_cap_type_name(uint64_t type)
{
    switch (type) {
#define MN_CAP_TYPE_NAME_(name, value) \
    case (value): return #name;
        MN_CAP_TYPE_TABLE(MN_CAP_TYPE_NAME_)
#undef MN_CAP_TYPE_NAME_
    }
    return "?";
}

/* Rights bits. */
#define MN_RIGHT_READ 0x01u
#define MN_RIGHT_WRITE 0x02u
#define MN_RIGHT_EXEC 0x04u
#define MN_RIGHT_GRANT 0x08u /* may be delegated or transferred over IPC */
#define MN_RIGHT_REVOKE 0x10u /* may revoke what was derived from it */
#define MN_RIGHTS_ALL 0x1Fu

/* Flags of SYS_MAP_MEMORY / SYS_MAP_MMIO (absent bits: read-only, no execute). */
#define MN_MAP_WRITE 0x1u
#define MN_MAP_EXEC 0x2u

/* The result of SYS_INSPECT: type in bits 0-7, rights in bits 8-15. */
#define MN_INSPECT_TYPE(v) ((uint64_t)(v)&0xFFu)
#define MN_INSPECT_RIGHTS(v) (((uint64_t)(v) >> 8) & 0xFFu)
#define MN_INSPECT_MAKE(type, rights) ((uint64_t)(type) | ((uint64_t)(rights) << 8))

_Static_assert(MN_CAP_TYPE_COUNT <= 256, "capability types fit in a byte");
_Static_assert((MN_RIGHTS_ALL & ~0xFFu) == 0, "rights fit in a byte");

#endif
