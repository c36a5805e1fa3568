/*
 * Starting init (PID 1): the one program the kernel loads itself. It gets
 * the root of all authority (DESIGN.md section 6, issue 6), in its CNode:
 *   1 PmmAllocator (no budget)       "allocator"
 *   2 IoPort COM1 0x3F8+8            "com1"
 *   3 its own Process                "self"
 *   4 (the virtio-blk I/O BAR when there is one: PCI)
 *   5 IrqLine COM1 (ISA IRQ 4)       "com1-irq"
 *   6 MmioRegion of the initrd (RAM, read-only, mapped cached)  "initrd"
 *   7 IoPort isa-debug-exit 0xF4+4   "debug-exit" (only with utest= on the
 *     command line: init's test mode ends the QEMU run through it)
 *   16 up: every PCI function's capabilities (pci_mint_device_caps: its
 *     PciDevice, then one IoPort or MmioRegion per BAR), named
 *     "pci-BB:DD.F" and "pci-BB:DD.F/bN"; slot 4 also holds the I/O BAR
 *     of the first transitional virtio-blk device ("blk-io"), as the
 *     roadmap's init had
 * and a startup page (<mnos/startup.h>) naming them, with the kernel
 * command line as its arguments after argv[0] = "init".
 */
#ifndef LOADER_INIT_H
#define LOADER_INIT_H

struct boot_info;

/* Loads bin/init from the initrd and starts it; panics when it cannot (there is no system without init). */
void init_start(const struct boot_info *bi);

#endif
