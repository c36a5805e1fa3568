HOST_TESTS += pci
HOST_TEST_SRCS_pci := lib/pci/pci.c lib/pci/pci_bars.c lib/pci/pci_caps.c lib/pci/pci_names.c lib/pci/pci_format.c \
    tests/host/pci_sim.c tests/host/pci_topo.c
$(HOST)/tests/test_pci: HOST_TEST_CFLAGS += -Ilib
$(HOST)/tests/test_pci: lib/pci/pci.h lib/pci/pci_internal.h tests/host/pci_sim.h tests/host/pci_topo.h

# lib/pci must stay freestanding (it links into the kernel): it compiles with
# no libc headers, needs no symbol from outside, and builds with the kernel's
# code-model flags.
$(HOST)/tests/test_pci: $(HOST)/data/pci/freestanding.ok
$(HOST)/data/pci/freestanding.ok: lib/pci/pci.c lib/pci/pci_bars.c lib/pci/pci_caps.c lib/pci/pci_names.c \
        lib/pci/pci_format.c lib/pci/pci.h lib/pci/pci_internal.h abi/include/mnos/errors.h
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-stack-protector -nostdinc \
	    -isystem $$($(HOST_CC) -print-file-name=include) -Iabi/include -fno-pic -mno-red-zone -mcmodel=kernel \
	    -mgeneral-regs-only -r -nostdlib -o $(@:.ok=.o) $(filter %.c,$^)
	@if nm -u $(@:.ok=.o) | grep -q .; then echo "lib/pci is not freestanding: needs $$(nm -u $(@:.ok=.o) | tr -s ' \n' ' ')"; exit 1; fi
	@touch $@
