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

# ---- toolchains -------------------------------------------------------------
CC        := gcc
LD        := ld
OBJCOPY   := objcopy
NM        := nm
HOST_CC   ?= gcc

HOST_CFLAGS   := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iabi/include
HOST_SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all run debug test bench spec clean deps host-tests qemu-tests
all: $(BUILD)/minimalos.iso

deps:
	@tools/deps.sh

include kernel/build.mk
include tests/host/build.mk
include tests/qemu/build.mk
-include lib/wasm/build.mk
include tools/build.mk

clean:
	rm -rf $(BUILD)
