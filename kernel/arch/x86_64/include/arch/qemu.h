/* QEMU's isa-debug-exit device: the test harness's way out of a boot. */
#ifndef ARCH_QEMU_H
#define ARCH_QEMU_H

#include <stdint.h>

/*
 * Exit codes written to isa-debug-exit (port 0xF4); QEMU then exits with
 * status (code << 1) | 1, i.e. 33 for pass and 35 for fail. When the device
 * is absent the write is ignored and the caller carries on.
 */
#define QEMU_EXIT_PASS 0x10
#define QEMU_EXIT_FAIL 0x11

void qemu_exit(uint32_t code);

#endif
