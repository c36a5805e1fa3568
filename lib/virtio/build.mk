# lib/virtio: the portable core of the virtio-blk driver (PCI transport, modern and legacy; split
# virtqueues; the block device), freestanding: it reaches the device only through the caller's
# struct virtio_ops and uses only the DMA memory the caller passes. Host-tested by
# tests/host/test_virtio.c against a simulated device (tests/host/virtio_sim.c), fuzzed by
# tests/fuzz/fuzz_virtio.c. Users include "virtio/virtio.h" with -Ilib (it includes "pci/pci.h").
# See docs/virtio.md.
#
# For a Ring 3 program (the virtio-blk driver process): include this file and link $(VIRTIO_OBJS);
# they are built with the portable core's flags (general registers only, no stack protector).
VIRTIO_SRCS := lib/virtio/virtio_pci.c lib/virtio/virtqueue.c lib/virtio/virtio_blk.c
VIRTIO_HEADERS := lib/virtio/virtio.h lib/pci/pci.h abi/include/mnos/errors.h
VIRTIO_OBJS := $(patsubst lib/virtio/%.c,$(BUILD)/user/lib/virtio/%.o,$(VIRTIO_SRCS))

$(BUILD)/user/lib/virtio/%.o: lib/virtio/%.c $(VIRTIO_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (Ring 3)"
	$(Q)$(CC) $(USER_CORE_CFLAGS) -Ilib -c $< -o $@
