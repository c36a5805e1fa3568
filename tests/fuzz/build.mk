# tests/fuzz: libFuzzer targets for the parsers of untrusted bytes (ELF
# images, the initrd's tar archive) and for the capability space (an
# operation sequence checked against a reference model). Included from the
# top-level Makefile.
#
#   make fuzz-build                   build the targets and their seed corpora
#   make fuzz-run [FUZZ_SECONDS=20]   build, seed and run every target for
#                                     FUZZ_SECONDS each; one line per target:
#     PASS fuzz/<name>: N runs in S s
#     FAIL fuzz/<name>: <crash summary>      (the input is kept in build/fuzz/artifacts/)
#
# Seeds are generated at build time into $(BUILD)/fuzz/corpus/<name>/ (real
# linker output and GNU tar archives from the host tests' rules); what the
# fuzzer finds goes to $(BUILD)/fuzz/work/<name>/ and is reused next run.

FUZZ_CC      ?= clang-14
# FUZZ_SECONDS from the command line or the environment, else 20 (not ?=:
# lib/wasm/build.mk gives the same name a default of its own).
FUZZ_RUN_SECONDS := $(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),20)
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -Iabi/include -Ikernel -Ilib -Itests/fuzz -DHOST_TEST
FUZZ_TARGETS := elf tarfs cap acpi pci virtio

FUZZ_SRCS_elf   := tests/fuzz/fuzz_elf.c kernel/loader/elf.c
FUZZ_SRCS_tarfs := tests/fuzz/fuzz_tarfs.c lib/tarfs/tarfs.c
FUZZ_SRCS_cap   := tests/fuzz/fuzz_cap.c tests/fuzz/cap_model.c kernel/cap/cap.c kernel/cap/cnode.c
FUZZ_SRCS_acpi  := tests/fuzz/fuzz_acpi.c kernel/acpi/tables.c kernel/acpi/madt.c kernel/acpi/fixed.c
FUZZ_SRCS_pci   := tests/fuzz/fuzz_pci.c tests/host/pci_sim.c lib/pci/pci.c lib/pci/pci_bars.c lib/pci/pci_caps.c \
    lib/pci/pci_names.c lib/pci/pci_format.c
FUZZ_SRCS_virtio := tests/fuzz/fuzz_virtio.c tests/host/virtio_sim.c lib/virtio/virtio_pci.c lib/virtio/virtqueue.c \
    lib/virtio/virtio_blk.c

# Extra libFuzzer options: a cap input is an operation sequence checked
# step by step against the model, so short ones keep the run rate up.
FUZZ_OPTS_cap := -max_len=600

FUZZ_HEADERS := kernel/acpi/acpi.h kernel/loader/elf.h lib/tarfs/tarfs.h kernel/cap/cap.h tests/fuzz/cap_model.h \
    lib/pci/pci.h lib/pci/pci_internal.h tests/host/pci_sim.h lib/virtio/virtio.h tests/host/virtio_sim.h \
    $(wildcard abi/include/mnos/*.h)

define fuzz_rule
$(HOST)/fuzz/fuzz_$(1): $$(FUZZ_SRCS_$(1)) $$(FUZZ_HEADERS) tests/fuzz/build.mk
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$(FUZZ_SRCS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

FUZZ_BINS := $(foreach t,$(FUZZ_TARGETS),$(HOST)/fuzz/fuzz_$(t))

# Seed corpora. ELF: the three linked samples plus a hand-cut header-only
# image; tar: the two GNU tar archives; cap: a few fixed byte strings.
# (The sample rules live in tests/host/test_elf.mk and test_tarfs.mk; the
# names are spelled out so this file may be included before or after them.)
FUZZ_ELF_SEEDS := $(HOST)/data/elf/sample.elf $(HOST)/data/elf/sample_nosep.elf $(HOST)/data/elf/sample_rwx.elf

$(BUILD)/fuzz/corpus/elf/.stamp: $(FUZZ_ELF_SEEDS)
	@mkdir -p $(dir $@)
	cp $(FUZZ_ELF_SEEDS) $(dir $@)
	head -c 400 $(HOST)/data/elf/sample.elf > $(dir $@)/header-only.elf
	@touch $@

$(BUILD)/fuzz/corpus/tarfs/.stamp: $(HOST)/data/tarfs/sample.tar
	@mkdir -p $(dir $@)
	cp $(HOST)/data/tarfs/sample.tar $(HOST)/data/tarfs/plain.tar $(dir $@)
	@touch $@

$(BUILD)/fuzz/corpus/cap/.stamp: tests/fuzz/build.mk
	@mkdir -p $(dir $@)
	printf '\002\002\002\002\002\002\002\002\000\001\001\001\001\001\002\003\003\004\007\010' > $(dir $@)/derive-chain
	head -c 3000 tests/fuzz/cap_model.c > $(dir $@)/text-ops
	od -An -tx1 -v tests/fuzz/fuzz_cap.c | head -c 3000 > $(dir $@)/hex-ops
	@touch $@

# ACPI: the real tables dumped from QEMU (tests/data/acpi).
$(BUILD)/fuzz/corpus/acpi/.stamp: $(wildcard tests/data/acpi/*/*.bin)
	@mkdir -p $(dir $@)
	for f in tests/data/acpi/*/*.bin; do cp $$f $(dir $@)/$$(basename $$(dirname $$f))-$$(basename $$f); done
	@touch $@

# PCI: the host test's simulated q35 and pc machines in the fuzzer's byte form (tests/host/pci_sim.h).
$(BUILD)/fuzz/corpus/pci/.stamp: $(HOST)/tests/test_pci
	@mkdir -p $(dir $@)
	$(HOST)/tests/test_pci --seeds $(dir $@)
	@touch $@

# virtio: healthy runs of the simulated device (tests/fuzz/fuzz_virtio.c's byte form: a 20-byte device header,
# then operations) on the modern and legacy layouts, with size_max splitting, and with garbled registers.
VIRTIO_SEED_OPS := \000\020\000\010\001\001\040\000\004\002\002\000\003\005\004\012\003\005\006\003\002\013\006\377\000\013\000\005\200\005\007\005\007\001\200\001\000\013\006\377\001\013\011\001\000\011\000\001\011\005\006\001\000\013\011\377\015\001\016\000\004\017\000\000\003\000\002\003\005\006\011\000\013\017\001\010\054\001\013\014\000\000\007\000\001\004\005\006\011\000\013
$(BUILD)/fuzz/corpus/virtio/.stamp: tests/fuzz/build.mk
	@mkdir -p $(dir $@)
	printf '\000\010\124\006\000\000\010\000\376\011\044\003\000\002\176\000\000\010\000\000\000$(VIRTIO_SEED_OPS)' > $(dir $@)/modern
	printf '\003\010\124\006\000\000\010\000\376\011\044\003\000\002\020\000\000\010\000\000$(VIRTIO_SEED_OPS)' > $(dir $@)/legacy-msix
	printf '\000\010\126\006\000\000\010\040\004\011\044\003\000\002\176\000\000\010\000\000\001\024$(VIRTIO_SEED_OPS)' > $(dir $@)/modern-segs
	printf '\200\003\124\006\000\000\010\000\376\011\044\003\000\002\176\000\000\010\000\000\000$(VIRTIO_SEED_OPS)\000\000\000\000\010\000\000\000\001' > $(dir $@)/garbled-small
	@touch $@

FUZZ_CORPORA := $(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/corpus/$(t)/.stamp)

fuzz-build: $(FUZZ_BINS) $(FUZZ_CORPORA)

# Runs each target for FUZZ_SECONDS; exits non-zero if any found a crash.
fuzz-run: $(FUZZ_BINS) $(FUZZ_CORPORA)
	@mkdir -p $(BUILD)/fuzz/artifacts; rc=0; $(foreach t,$(FUZZ_TARGETS),opts_$(t)='$(FUZZ_OPTS_$(t))';) \
	for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz/work/$$t; log=$(BUILD)/fuzz/fuzz_$$t.log; eval opts=\$$opts_$$t; \
	    if $(HOST)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_RUN_SECONDS) -print_final_stats=1 $$opts \
	            -artifact_prefix=$(BUILD)/fuzz/artifacts/$$t- \
	            $(BUILD)/fuzz/work/$$t $(BUILD)/fuzz/corpus/$$t > $$log 2>&1; then \
	        runs=$$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' $$log); \
	        echo "PASS fuzz/$$t: $${runs:-finished}"; \
	    else \
	        why=$$(grep -m1 -E 'invariant broken|cap model mismatch|^SUMMARY:' $$log); \
	        echo "FAIL fuzz/$$t: $${why:-exited with an error} (log $$log)"; rc=1; \
	    fi; \
	done; exit $$rc

.PHONY: fuzz-build fuzz-run
