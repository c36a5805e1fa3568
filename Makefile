# MinimalOS — the one top-level Makefile.
#
#   make          build build/minimalos.iso (and build/kernel.elf, build/initrd.tar)
#   make run      boot the ISO in QEMU (q35, -smp 4, 256 MiB, TCG, serial on the terminal)
#   make debug    boot with QEMU's gdb stub, paused, and print how to attach gdb
#   make test     build everything and run every test; ends with "N passed, N failed"
#   make bench    measure the figures listed in DESIGN.md section 12
#   make spec     run the WebAssembly spec suite against the host engine
#   make clean    remove build/
#
# Each folder lists its sources in a build.mk included below.

BUILD     := build
HOST      := $(BUILD)/host
SHARED    ?= $(abspath ../shared)
WASM_SPEC ?= $(SHARED)/wasm-spec

VERSION   := 0.1.0

# V=1 shows full compiler command lines.
Q := $(if $(filter 1,$(V)),,@)

# ---- toolchains -------------------------------------------------------------
CC        := gcc
LD        := ld
OBJCOPY   := objcopy
NM        := nm
HOST_CC   ?= gcc

HOST_CFLAGS   := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iabi/include
HOST_SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all run debug test bench spec clean host-tests qemu-tests
all:

include kernel/build.mk
include tests/host/build.mk
include tests/qemu/build.mk
-include lib/wasm/build.mk
include tests/fuzz/build.mk
include user/build.mk
include tools/build.mk

all: $(BUILD)/minimalos.iso $(ALL_HOST)

# Kernel command line for `make run` / `make debug` (e.g. make run CMDLINE=test=all).
CMDLINE ?=
QEMU_RUN := qemu-system-x86_64 -M q35 -m 256M -smp 4 -no-reboot \
    $(if $(filter 1,$(KVM)),-accel kvm -cpu host,-accel tcg -cpu max) \
    $(if $(DISPLAY)$(WAYLAND_DISPLAY),,-display none)

run: $(BUILD)/minimalos.iso | deps-test
	@echo "Booting MinimalOS; the serial console is this terminal. Quit: Ctrl-A then X."
	$(QEMU_RUN) -cdrom $(BUILD)/minimalos.iso -serial mon:stdio

debug: $(BUILD)/minimalos.iso | deps-test
	@echo "QEMU is paused with its gdb stub on localhost:1234. In another terminal:"
	@echo "    gdb $(BUILD)/kernel.elf -ex 'target remote localhost:1234'"
	@echo "(break kmain, then continue). Quit QEMU: Ctrl-A then X."
	$(QEMU_RUN) -cdrom $(BUILD)/minimalos.iso -serial mon:stdio -s -S

# Seconds each fuzz target runs in make test (make test TEST_FUZZ_SECONDS=600 for longer).
TEST_FUZZ_SECONDS ?= 20

# Test suites in order: the format check (.clang-format), host unit tests, the Wasm engine's tests (spec suite
# included), the fuzzers, the QEMU boots (in-kernel tests), then userspace (init and its test programs).
# tools/run-tests.sh prints the totals.
TEST_SUITES := "tools/check-format.sh" \
    "$(MAKE) --no-print-directory host-tests" \
    $(if $(wildcard lib/wasm/build.mk),"$(MAKE) --no-print-directory wasm-test") \
    "$(MAKE) --no-print-directory fuzz-run FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)" \
    "$(MAKE) --no-print-directory qemu-tests" \
    "$(MAKE) --no-print-directory qemu-userspace"

test: | deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/test/minimalos-test.iso $(HOST_TEST_BINS)
	@tools/run-tests.sh $(TEST_SUITES)


# Figures (DESIGN.md section 12): boot wall times, in-kernel path lengths
# under -icount, the Linux reference guest, then the Wasm engine's benchmarks.
# The release kernel the figures are taken from: no lock-owner checks, no heap poisoning (-DLOCK_DEBUG=0
# -DKERNEL_DEBUG=0), the same sources otherwise.
RELEASE_FLAGS := -DLOCK_DEBUG=0 -DKERNEL_DEBUG=0

bench: all | deps-bench
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/release KERNEL_EXTRA_CFLAGS="$(RELEASE_FLAGS)" \
	    $(BUILD)/release/kernel.elf $(BUILD)/release/initrd.tar $(BUILD)/release/minimalos.iso
	@python3 tools/bench/bench.py $(BUILD) $(BUILD)/release
	$(if $(wildcard lib/wasm/build.mk),@$(MAKE) --no-print-directory wasm-bench)

deps-bench:
	@tools/deps.sh bench
.PHONY: deps-bench

clean:
	rm -rf $(BUILD)
