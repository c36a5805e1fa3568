# kernel/pci: configuration access (ECAM or port I/O), the boot-time census
# and device registry, device capabilities, the configuration-write policy,
# INTx routing and MSI-X programming on top of lib/pci. The system calls are
# kernel/syscall/sys_pci.c; the port accessor kernel/arch/x86_64/pci_io.c.
KERNEL_SRCS += \
    kernel/pci/pci_kernel.c \
    kernel/pci/pci_assign.c \
    kernel/pci/pci_policy.c \
    kernel/pci/pci_devcaps.c \
    kernel/pci/pci_intx.c \
    kernel/pci/pci_msix.c \
    kernel/test/test_pci.c

# The portable enumerator; its build.mk has the object rule.
include lib/pci/build.mk
KERNEL_SRCS += $(PCI_SRCS)
