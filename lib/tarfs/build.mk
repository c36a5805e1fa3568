# lib/tarfs: read-only ustar archive access (the initrd), freestanding, shared
# by the kernel and Ring 3. Host-tested by tests/host/test_tarfs.c, fuzzed by
# tests/fuzz/fuzz_tarfs.c. Users include "tarfs/tarfs.h" with -Ilib.
#
# For the kernel: KERNEL_SRCS += $(TARFS_SRCS) and add -Ilib to KERNEL_CFLAGS;
# the rule below builds the object where kernel/build.mk expects it.
TARFS_SRCS := lib/tarfs/tarfs.c

$(BUILD)/lib/tarfs/%.c.o: lib/tarfs/%.c lib/tarfs/tarfs.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -Ilib -c $< -o $@
