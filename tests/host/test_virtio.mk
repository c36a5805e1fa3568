HOST_TESTS += virtio
VIRTIO_LIB_SRCS := lib/virtio/virtio_pci.c lib/virtio/virtqueue.c lib/virtio/virtio_blk.c
HOST_TEST_SRCS_virtio := $(VIRTIO_LIB_SRCS) tests/host/virtio_sim.c
$(HOST)/tests/test_virtio: HOST_TEST_CFLAGS += -Ilib
$(HOST)/tests/test_virtio: lib/virtio/virtio.h lib/pci/pci.h tests/host/virtio_sim.h

# lib/virtio must stay freestanding (it links into a Ring 3 driver without libc): it compiles with no libc
# headers, needs no symbol from outside, and builds with the general-registers-only flags of the portable core.
$(HOST)/tests/test_virtio: $(HOST)/data/virtio/freestanding.ok
$(HOST)/data/virtio/freestanding.ok: $(VIRTIO_LIB_SRCS) lib/virtio/virtio.h lib/pci/pci.h abi/include/mnos/errors.h
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-stack-protector -nostdinc \
	    -isystem $$($(HOST_CC) -print-file-name=include) -Iabi/include -Ilib -fno-pic -mgeneral-regs-only \
	    -r -nostdlib -o $(@:.ok=.o) $(VIRTIO_LIB_SRCS)
	@if nm -u $(@:.ok=.o) | grep -q .; then echo "lib/virtio is not freestanding: needs $$(nm -u $(@:.ok=.o) | tr -s ' \n' ' ')"; exit 1; fi
	@touch $@
