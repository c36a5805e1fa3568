# kernel/build.mk — the kernel ELF (build/kernel.elf), linked twice: the
# second link adds the symbol table generated from the first (see
# kernel/debug/ksyms.c), placed last so no address moves.

KERNEL_SRCS := \
    kernel/main.c \
    kernel/arch/x86_64/boot.S \
    kernel/arch/x86_64/serial.c \
    kernel/arch/x86_64/tsc.c \
    kernel/arch/x86_64/qemu.c \
    kernel/boot/multiboot2.c \
    kernel/boot/pvh.c \
    kernel/boot/cmdline.c \
    kernel/console/console.c \
    kernel/console/fbcon.c \
    kernel/console/font8x16.c \
    kernel/debug/log.c \
    kernel/debug/panic.c \
    kernel/debug/ksyms.c \
    kernel/lib/format.c \
    kernel/lib/string.c \
    kernel/lib/spinlock.c \
    kernel/test/ktest.c \
    kernel/test/kbench.c \
    kernel/test/test_boot.c

# Subsystems list their own sources (KERNEL_SRCS += ...).
include kernel/mm/build.mk
include kernel/sched/build.mk
include kernel/cap/build.mk
include kernel/loader/build.mk
include kernel/syscall/build.mk
include kernel/ipc/build.mk
include kernel/pci/build.mk
include kernel/arch/x86_64/build.mk

KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
    -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel -mgeneral-regs-only \
    -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables \
    -fstack-protector-strong -mstack-protector-guard=global \
    -Ikernel -Ikernel/arch/x86_64/include -Iabi/include -Ilib \
    -DMINIMALOS_VERSION='"$(VERSION)"' -MMD -MP $(KERNEL_EXTRA_CFLAGS)
KERNEL_ASFLAGS := -Ikernel -Ikernel/arch/x86_64/include -Iabi/include -MMD -MP
KERNEL_LDFLAGS := -nostdlib -n -z max-page-size=0x1000 -z noexecstack -T kernel/arch/x86_64/kernel.ld

KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS))

$(BUILD)/kernel/%.c.o: kernel/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.S.o: kernel/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) kernel/arch/x86_64/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)

$(BUILD)/kernel/ksyms.S: $(BUILD)/kernel.pass1.elf tools/mksyms.sh
	$(Q)tools/mksyms.sh $< > $@

$(BUILD)/kernel/ksyms.o: $(BUILD)/kernel/ksyms.S
	$(Q)$(CC) -c $< -o $@

# The check after the second link proves the symbol table moved nothing.
$(BUILD)/kernel.elf: $(BUILD)/kernel.pass1.elf $(BUILD)/kernel/ksyms.o
	@echo "  LD      $@ (with symbols)"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.o
	@$(NM) -n $(BUILD)/kernel.pass1.elf | grep -i ' t ' > $@.syms1
	@$(NM) -n $@ | grep -i ' t ' > $@.syms2
	@cmp -s $@.syms1 $@.syms2 || { echo "kernel: symbol table moved code"; exit 1; }

kernel: $(BUILD)/kernel.elf
.PHONY: kernel

-include $(KERNEL_OBJS:.o=.d)
