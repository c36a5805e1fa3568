# lib/pci: PCI enumeration (bus walk, BAR sizing, capability lists, names,
# the census line), freestanding: it reaches config space only through the
# caller's struct pci_config_ops. Host-tested by tests/host/test_pci.c,
# fuzzed by tests/fuzz/fuzz_pci.c. Users include "pci/pci.h" with -Ilib.
#
# For the kernel: KERNEL_SRCS += $(PCI_SRCS) and add -Ilib to KERNEL_CFLAGS;
# the rule below builds the objects where kernel/build.mk expects them.
PCI_SRCS := lib/pci/pci.c lib/pci/pci_bars.c lib/pci/pci_caps.c lib/pci/pci_names.c lib/pci/pci_format.c
PCI_HEADERS := lib/pci/pci.h lib/pci/pci_internal.h

$(BUILD)/lib/pci/%.c.o: lib/pci/%.c $(PCI_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -Ilib -c $< -o $@
