# user/: everything that runs in Ring 3, installed into the initrd.
#
#   libmnos ($(BUILD)/user/libmnos.a)   user/lib: crt0, start-up, memory, console, IPC, spawn, threads, and
#                                       the portable C part (string, printf, malloc, stdlib); TarFS and the
#                                       kernel's ELF validator are compiled in for the loader
#   bin/init, bin/serial_drv            PID 1 and the COM1 driver (user/init, user/drivers/serial)
#   test/NAME                           libmnos test programs init runs in test mode (user/utests)
#   bin/NAME                            raw test programs the kernel's Ring 3 tests start with minted
#                                       capabilities (user/tests: their own crt0, no libmnos)
# USER_BINS lists every initrd file made here (tools/build.mk packs them).

UBUILD := $(BUILD)/user
USER_CC_INCLUDE := $(shell $(CC) -print-file-name=include)
USER_LIBGCC := $(shell $(CC) -print-libgcc-file-name)

# Ring 3 C: no libc headers but ours; SSE allowed (user threads save their FPU state; the Wasm engine needs it),
# stack protector with libmnos's guard.
USER_BASE_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
    -fno-asynchronous-unwind-tables -nostdinc -isystem $(USER_CC_INCLUDE) \
    -Iuser/lib/include -Iabi/include -MMD -MP
USER_CFLAGS := $(USER_BASE_CFLAGS) -fstack-protector-strong -mstack-protector-guard=global
# The portable core is built as its host test checks it: general registers only, no stack protector needed.
USER_CORE_CFLAGS := $(USER_BASE_CFLAGS) -mgeneral-regs-only -fno-stack-protector
# ld's default script with separate code: headers R, text R+X, rodata R, data RW,
# each on its own pages (the kernel's ELF validator insists), from 0x400000.
USER_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z separate-code -z noexecstack \
    -Ttext-segment=0x400000

# ---- libmnos ------------------------------------------------------------------------------
LIBMNOS_CORE := string printf stdlib malloc
LIBMNOS_PLATFORM := start memory console ipc thread spawn blk
LIBMNOS_OBJS := $(patsubst %,$(UBUILD)/lib/%.o,$(LIBMNOS_CORE) $(LIBMNOS_PLATFORM)) \
    $(UBUILD)/lib/tarfs.o $(UBUILD)/lib/elf.o

$(patsubst %,$(UBUILD)/lib/%.o,$(LIBMNOS_CORE)): $(UBUILD)/lib/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CORE_CFLAGS) -c $< -o $@

# The heap is shared by a process's threads: malloc.c takes libmnos's mutex.
$(UBUILD)/lib/malloc.o: USER_CORE_CFLAGS += -include user/lib/heap_lock.h

$(patsubst %,$(UBUILD)/lib/%.o,$(LIBMNOS_PLATFORM)): $(UBUILD)/lib/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CFLAGS) -Ilib -Ikernel -c $< -o $@

$(UBUILD)/lib/tarfs.o: lib/tarfs/tarfs.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (Ring 3)"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(UBUILD)/lib/elf.o: kernel/loader/elf.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (Ring 3)"
	$(Q)$(CC) $(USER_CFLAGS) -Ikernel -c $< -o $@

$(UBUILD)/lib/crt0.o: user/lib/crt0.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c $< -o $@

$(UBUILD)/libmnos.a: $(LIBMNOS_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# link_mnos(output, objects): a libmnos program.
define link_mnos
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(UBUILD)/lib/crt0.o $(2) $(UBUILD)/libmnos.a $(USER_LIBGCC)
endef

$(UBUILD)/%.o: user/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

# ---- init, drivers --------------------------------------------------------------------------
INIT_OBJS := $(patsubst %,$(UBUILD)/init/%.o,init tests hypervisor blkdev)
$(BUILD)/initrd/bin/init: $(INIT_OBJS) $(UBUILD)/libwasm.a $(UBUILD)/lib/crt0.o $(UBUILD)/libmnos.a
	$(call link_mnos,$@,$(INIT_OBJS) $(UBUILD)/libwasm.a)

$(BUILD)/initrd/bin/serial_drv: $(UBUILD)/drivers/serial/serial_drv.o $(UBUILD)/lib/crt0.o $(UBUILD)/libmnos.a
	$(call link_mnos,$@,$<)

USER_BINS := $(BUILD)/initrd/bin/init $(BUILD)/initrd/bin/serial_drv

# ---- libmnos test programs (init's test mode) ---------------------------------------------------
UTESTS := hello memory malloc delegation echo leaks tiny spinner spawnbench wasm_wasi wasm_spec wasm_limits wasm_many \
    blk blk_leak blk_nocaps blk_kill
$(BUILD)/initrd/test/%: $(UBUILD)/utests/%.o $(UBUILD)/lib/crt0.o $(UBUILD)/libmnos.a
	$(call link_mnos,$@,$<)
USER_BINS += $(patsubst %,$(BUILD)/initrd/test/%,$(UTESTS))

# ---- raw test programs (the kernel's Ring 3 tests) ------------------------------------------------
USER_TESTS := sys_basic fault ipc null mem call captx notify proc mmio ipcbench capbench pcicfg
USER_RAW_CFLAGS := $(USER_BASE_CFLAGS) -mgeneral-regs-only -fno-stack-protector

$(UBUILD)/tests/%.o: user/tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_RAW_CFLAGS) -c $< -o $@

$(UBUILD)/tests/crt0.o: user/tests/crt0.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c $< -o $@

$(BUILD)/initrd/bin/%: $(UBUILD)/tests/%.o $(UBUILD)/tests/crt0.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(UBUILD)/tests/crt0.o $<
USER_BINS += $(patsubst %,$(BUILD)/initrd/bin/%,$(USER_TESTS))

.SECONDARY: $(patsubst %,$(UBUILD)/tests/%.o,$(USER_TESTS)) $(patsubst %,$(UBUILD)/utests/%.o,$(UTESTS))

-include $(shell find $(UBUILD) -name '*.d' 2>/dev/null)

include user/wasm/build.mk
include user/drivers/build.mk
