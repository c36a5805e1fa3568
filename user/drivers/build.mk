# user/drivers: Ring 3 device drivers and what they share.
#
#   bin/virtio_blk       the virtio-blk driver (user/drivers/virtio_blk): lib/virtio's core, lib/pci's read-only
#                        decoder and pcidev (user/drivers/common) around it; init starts one per virtio-blk function
#
# PCI_USER_OBJS: lib/pci built for Ring 3 (portable core flags); PCIDEV_OBJ: user/drivers/common/pcidev.c.
# Programs that look at PCI functions through PciDevice capabilities (drivers, lspci) link both.

include lib/virtio/build.mk

PCI_USER_SRCS := lib/pci/pci.c lib/pci/pci_bars.c lib/pci/pci_caps.c lib/pci/pci_names.c lib/pci/pci_format.c
PCI_USER_OBJS := $(patsubst lib/pci/%.c,$(UBUILD)/lib/pci/%.o,$(PCI_USER_SRCS))
PCIDEV_OBJ := $(UBUILD)/drivers/common/pcidev.o
# Built by user/build.mk's rule for user/*.c; they include "pci/pci.h" and "virtio/virtio.h" from lib/.
$(PCIDEV_OBJ) $(UBUILD)/drivers/virtio_blk/virtio_blk.o $(UBUILD)/apps/lspci/lspci.o: USER_CFLAGS += -Ilib

$(UBUILD)/lib/pci/%.o: lib/pci/%.c lib/pci/pci.h lib/pci/pci_internal.h
	@mkdir -p $(dir $@)
	@echo "  CC      $< (Ring 3)"
	$(Q)$(CC) $(USER_CORE_CFLAGS) -Ilib -c $< -o $@

$(BUILD)/initrd/bin/virtio_blk: $(UBUILD)/drivers/virtio_blk/virtio_blk.o $(PCIDEV_OBJ) $(VIRTIO_OBJS) \
		$(PCI_USER_OBJS) $(UBUILD)/lib/crt0.o $(UBUILD)/libmnos.a
	$(call link_mnos,$@,$(filter %.o,$(filter-out $(UBUILD)/lib/crt0.o,$^)))

USER_BINS += $(BUILD)/initrd/bin/virtio_blk

# bin/blk: the block protocol from the command line (info, read, bench); user/apps/blk.
$(BUILD)/initrd/bin/blk: $(UBUILD)/apps/blk/blk.o $(UBUILD)/lib/crt0.o $(UBUILD)/libmnos.a
	$(call link_mnos,$@,$<)
USER_BINS += $(BUILD)/initrd/bin/blk

# bin/lspci: the PCI functions it was given, decoded read-only (user/apps/lspci).
$(BUILD)/initrd/bin/lspci: $(UBUILD)/apps/lspci/lspci.o $(PCIDEV_OBJ) $(PCI_USER_OBJS) $(UBUILD)/lib/crt0.o \
		$(UBUILD)/libmnos.a
	$(call link_mnos,$@,$(UBUILD)/apps/lspci/lspci.o $(PCIDEV_OBJ) $(PCI_USER_OBJS))
USER_BINS += $(BUILD)/initrd/bin/lspci
