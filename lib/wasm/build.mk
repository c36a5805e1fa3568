# lib/wasm/build.mk - the WebAssembly engine (lib/wasm), its host runner
# build/host/mnwasm, and its tests, fuzzer and benchmarks.
#
#   make build/host/mnwasm   the command-line runner (optimized, no sanitizers)
#   make spec                convert and run the WebAssembly spec suite
#   make wasm-test           unit tests (ASan+UBSan), freestanding build check,
#                            spec suite, WASI programs, FUZZ_SECONDS of fuzzing
#   make wasm-fuzz           run the libFuzzer target for FUZZ_SECONDS (default 60)
#   make wasm-bench          benchmarks against native gcc -O2, wabt and node
#
# Everything is written under build/.  The engine sources may include only
# freestanding headers; the host port is tests/host/wasm/platform_host.c.

WASM_DIR      := lib/wasm
WASM_TDIR     := tests/host/wasm
WASM_OUT      := $(HOST)/wasm
WASM_SRCS     := $(wildcard $(WASM_DIR)/*.c)
WASM_HDRS     := $(wildcard $(WASM_DIR)/*.h)
WASM_PORT     := $(WASM_TDIR)/platform_host.c
WASM_CFLAGS   := $(HOST_CFLAGS) -fno-math-errno
WASM_SCFLAGS  := $(WASM_CFLAGS) $(HOST_SANITIZE)
WASM_CLANG    ?= clang-14
WASM_FUZZ_SECONDS_TEST ?= 30
FUZZ_SECONDS  ?= 60

$(HOST)/mnwasm: $(WASM_SRCS) $(WASM_HDRS) $(WASM_TDIR)/mnwasm.c $(WASM_PORT)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(WASM_CFLAGS) -o $@ $(WASM_SRCS) $(WASM_TDIR)/mnwasm.c $(WASM_PORT)
ALL_HOST += $(HOST)/mnwasm

$(WASM_OUT)/spectest: $(WASM_SRCS) $(WASM_HDRS) $(WASM_PORT) $(WASM_TDIR)/spectest.c \
		$(WASM_TDIR)/json.c $(WASM_TDIR)/json.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(WASM_SCFLAGS) -o $@ $(WASM_SRCS) $(WASM_PORT) $(WASM_TDIR)/spectest.c \
	    $(WASM_TDIR)/json.c

$(WASM_OUT)/unit: $(WASM_SRCS) $(WASM_HDRS) $(WASM_PORT) $(WASM_TDIR)/unit.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(WASM_SCFLAGS) -o $@ $(WASM_SRCS) $(WASM_PORT) $(WASM_TDIR)/unit.c

# The libFuzzer target (clang); built on demand by the scripts, which report
# SKIP when clang or its fuzzer runtime is missing.
$(WASM_OUT)/fuzz: $(WASM_SRCS) $(WASM_HDRS) $(WASM_PORT) $(WASM_TDIR)/fuzz.c
	@mkdir -p $(@D)
	@echo "  CLANG   $@"
	$(Q)$(WASM_CLANG) -std=gnu11 -O1 -g -fno-math-errno -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $@ $(WASM_SRCS) $(WASM_PORT) $(WASM_TDIR)/fuzz.c

.PHONY: spec wasm-test wasm-fuzz wasm-bench

spec: $(WASM_OUT)/spectest
	@$(WASM_TDIR)/spec.sh $(WASM_OUT)/spectest $(WASM_SPEC) $(BUILD)/spec $(WASM_TDIR)/known-failures.txt

wasm-test: $(WASM_OUT)/spectest $(WASM_OUT)/unit $(HOST)/mnwasm
	@BUILD=$(BUILD) WASM_OUT=$(WASM_OUT) WASM_SPEC=$(WASM_SPEC) WASM_CLANG=$(WASM_CLANG) \
	    FUZZ_SECONDS=$(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),$(WASM_FUZZ_SECONDS_TEST)) \
	    MAKE="$(MAKE)" $(WASM_TDIR)/wasm-test.sh

wasm-fuzz:
	@BUILD=$(BUILD) WASM_OUT=$(WASM_OUT) FUZZ_SECONDS=$(FUZZ_SECONDS) MAKE="$(MAKE)" \
	    $(WASM_TDIR)/fuzz.sh

wasm-bench: $(HOST)/mnwasm
	@BUILD=$(BUILD) MNWASM=$(HOST)/mnwasm WASM_CLANG=$(WASM_CLANG) bench/wasm/run.sh
