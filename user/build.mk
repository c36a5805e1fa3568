# user/: Ring 3 test programs (freestanding static ELF, crt0 and the
# syscall stubs of user/lib), installed into the initrd as /bin/NAME.
# USER_TEST_BINS lists them (tools/build.mk adds it to INITRD_FILES).

USER_TESTS := sys_basic fault ipc null mem call captx notify proc mmio ipcbench capbench

USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
    -fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only -Iabi/include -Iuser/lib
# ld's default script with separate code: headers R, text R+X, rodata R, data RW,
# each on its own pages (the kernel's ELF validator insists), from 0x400000.
USER_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z separate-code -z noexecstack \
    -Ttext-segment=0x400000

USER_TEST_BINS := $(patsubst %,$(BUILD)/initrd/bin/%,$(USER_TESTS))
.SECONDARY: $(patsubst %,$(BUILD)/user/tests/%.o,$(USER_TESTS))

$(BUILD)/user/%.o: user/%.c user/lib/mn_syscall.h user/tests/utest.h user/tests/bench.h $(wildcard abi/include/mnos/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/user/lib/crt0.o: user/lib/crt0.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c $< -o $@

$(BUILD)/initrd/bin/%: $(BUILD)/user/tests/%.o $(BUILD)/user/lib/crt0.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(BUILD)/user/lib/crt0.o $<
