# user/wasm/build.mk: WebAssembly in Ring 3 (included at the end of user/build.mk).
#
#   $(UBUILD)/libwasm.a        the engine (lib/wasm, unchanged) built with USER_CFLAGS, its platform port
#                              (platform_mnos.c), the WASI binding (wasi_mnos.c) and the run helpers
#                              (run_mnos.c) of wasm_mnos.h
#   bin/wasmrun                runs a .wasm file of the initrd in its own process (user/apps/wasmrun)
#   bin/wasmbench              the in-OS engine benchmarks (user/apps/wasmbench)
#   test/wasm_spec             the host's spec runner built for Ring 3 (user/utests/wasm_spec.c)
#   wasm/sandbox.wasm          the SFI-bridge module (tests/wasm/sandbox.c), freestanding
#   wasm/tests/NAME.wasm       the engine's WASI test programs (tests/wasm: C with wasi-libc, Rust)
#   wasm/bench/NAME.wasm       the engine's benchmarks (bench/wasm), freestanding, exporting run
#   wasm/spec/NAME.tar         spec file NAME.wast converted by wast2json: NAME.json and its modules;
#                              wasm/spec/index lists the names
# The modules need clang-14 with wasi-libc (and rustc for the Rust one, wast2json for the spec files):
# tools/deps.sh test installs them. Without them the image is built without those files (a notice says so)
# and the Wasm tests report them missing.

UWASM_OBJ := $(UBUILD)/wasm
UWASM_OUT := $(BUILD)/initrd/wasm
UWASM_CLANG := $(or $(WASM_CLANG),clang-14)
UWASM_RUSTC := /usr/bin/rustc

# ---- libwasm.a ---------------------------------------------------------------------------------
UWASM_ENGINE := $(patsubst lib/wasm/%.c,$(UWASM_OBJ)/engine/%.o,$(wildcard lib/wasm/*.c))
UWASM_GLUE := $(patsubst %,$(UWASM_OBJ)/%.o,platform_mnos wasi_mnos run_mnos)

# The engine's float helpers are bit-exact without libm; -fno-math-errno keeps gcc's builtins (sqrt) inline.
$(UWASM_OBJ)/engine/%.o: lib/wasm/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (Ring 3)"
	$(Q)$(CC) $(USER_CFLAGS) -fno-math-errno -c $< -o $@

$(UBUILD)/libwasm.a: $(UWASM_ENGINE) $(UWASM_GLUE)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- programs ------------------------------------------------------------------------------------
$(BUILD)/initrd/bin/wasmrun: $(UBUILD)/apps/wasmrun/wasmrun.o $(UBUILD)/libwasm.a $(UBUILD)/lib/crt0.o \
		$(UBUILD)/libmnos.a
	$(call link_mnos,$@,$< $(UBUILD)/libwasm.a)

$(BUILD)/initrd/bin/wasmbench: $(UBUILD)/apps/wasmbench/wasmbench.o $(UBUILD)/apps/wasmbench/wasmbench_core.o \
		$(UBUILD)/libwasm.a $(UBUILD)/lib/crt0.o $(UBUILD)/libmnos.a
	$(call link_mnos,$@,$(UBUILD)/apps/wasmbench/wasmbench.o $(UBUILD)/apps/wasmbench/wasmbench_core.o \
	    $(UBUILD)/libwasm.a)

# The host's spec runner and JSON reader, unchanged, with the FILE shim (compat/) first on the include path.
UWASM_COMPAT := -Iuser/wasm/compat
$(UWASM_OBJ)/spectest.o: tests/host/wasm/spectest.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (Ring 3)"
	$(Q)$(CC) $(UWASM_COMPAT) $(USER_CFLAGS) -Dmain=wasm_spectest_main -c $< -o $@

$(UWASM_OBJ)/json.o: tests/host/wasm/json.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (Ring 3)"
	$(Q)$(CC) $(UWASM_COMPAT) $(USER_CFLAGS) -c $< -o $@

$(UWASM_OBJ)/compat/file.o: user/wasm/compat/file.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UWASM_COMPAT) $(USER_CFLAGS) -Ilib -c $< -o $@

UWASM_SPEC_OBJS := $(UWASM_OBJ)/spectest.o $(UWASM_OBJ)/json.o $(UWASM_OBJ)/compat/file.o
$(BUILD)/initrd/test/wasm_spec: $(UBUILD)/utests/wasm_spec.o $(UWASM_SPEC_OBJS) $(UBUILD)/libwasm.a \
		$(UBUILD)/lib/crt0.o $(UBUILD)/libmnos.a
	$(call link_mnos,$@,$< $(UWASM_SPEC_OBJS) $(UBUILD)/libwasm.a)

USER_BINS += $(BUILD)/initrd/bin/wasmrun $(BUILD)/initrd/bin/wasmbench

# ---- modules for the image ---------------------------------------------------------------------------
UWASM_HAVE_CLANG := $(shell command -v $(UWASM_CLANG) >/dev/null 2>&1 && echo yes)
UWASM_HAVE_WASI := $(and $(UWASM_HAVE_CLANG),$(wildcard /usr/lib/wasm32-wasi/libc.a))
UWASM_HAVE_RUST := $(and $(wildcard $(UWASM_RUSTC)),$(wildcard /usr/lib/rustlib/wasm32-wasi))
UWASM_HAVE_SPEC := $(and $(shell command -v wast2json >/dev/null 2>&1 && echo yes),$(wildcard $(WASM_SPEC)/i32.wast))
# Debug sections are dropped (the engine skips custom sections anyway): a smaller initrd.
UWASM_STRIP := $(if $(shell command -v wasm-strip >/dev/null 2>&1 && echo yes),wasm-strip,true)

# clang must not fall back to the host's glibc headers (ENVIRONMENT.md): a sysroot of two symlinks.
UWASM_SYSROOT := $(UWASM_OBJ)/sysroot
$(UWASM_SYSROOT)/.made:
	@mkdir -p $(UWASM_SYSROOT)/include $(UWASM_SYSROOT)/lib
	$(Q)ln -sfn /usr/include/wasm32-wasi $(UWASM_SYSROOT)/include/wasm32-wasi
	$(Q)ln -sfn /usr/lib/wasm32-wasi $(UWASM_SYSROOT)/lib/wasm32-wasi
	@touch $@

# WASI programs in C (the list of tests/host/wasm/wasi-tests.sh), freestanding modules, Rust, benchmarks.
UWASM_WASI_C := hello stdin_upper sys trap
UWASM_BENCH := $(patsubst bench/wasm/%.c,%,$(wildcard bench/wasm/*.c))
UWASM_FREESTANDING := -O2 -nostdlib -Wl,--no-entry

$(UWASM_OUT)/tests/%.wasm: tests/wasm/%.c $(UWASM_SYSROOT)/.made
	@mkdir -p $(dir $@)
	@echo "  WASM    $@"
	$(Q)$(UWASM_CLANG) --target=wasm32-wasi --sysroot=$(UWASM_SYSROOT) -O2 $< -o $@ && $(UWASM_STRIP) $@

$(UWASM_OUT)/tests/invoke.wasm: tests/wasm/invoke.c
	@mkdir -p $(dir $@)
	@echo "  WASM    $@"
	$(Q)$(UWASM_CLANG) --target=wasm32 $(UWASM_FREESTANDING) $< -o $@ && $(UWASM_STRIP) $@

$(UWASM_OUT)/sandbox.wasm: tests/wasm/sandbox.c
	@mkdir -p $(dir $@)
	@echo "  WASM    $@"
	$(Q)$(UWASM_CLANG) --target=wasm32 $(UWASM_FREESTANDING) $< -o $@ && $(UWASM_STRIP) $@

$(UWASM_OUT)/tests/hello_rust.wasm: tests/wasm/hello_rust.rs
	@mkdir -p $(dir $@)
	@echo "  RUSTC   $@"
	$(Q)$(UWASM_RUSTC) --target wasm32-wasi -O $< -o $@ && $(UWASM_STRIP) $@

# As bench/wasm/run.sh builds them (1 MiB of shadow stack).
$(UWASM_OUT)/bench/%.wasm: bench/wasm/%.c bench/wasm/bench.h
	@mkdir -p $(dir $@)
	@echo "  WASM    $@"
	$(Q)$(UWASM_CLANG) --target=wasm32 $(UWASM_FREESTANDING) -Wl,-z,stack-size=1048576 $< -o $@ && $(UWASM_STRIP) $@

UWASM_MODULES :=
ifneq ($(UWASM_HAVE_CLANG),)
UWASM_MODULES += $(UWASM_OUT)/sandbox.wasm $(UWASM_OUT)/tests/invoke.wasm \
    $(patsubst %,$(UWASM_OUT)/bench/%.wasm,$(UWASM_BENCH))
endif
ifneq ($(UWASM_HAVE_WASI),)
UWASM_MODULES += $(patsubst %,$(UWASM_OUT)/tests/%.wasm,$(UWASM_WASI_C))
endif
ifneq ($(UWASM_HAVE_RUST),)
UWASM_MODULES += $(UWASM_OUT)/tests/hello_rust.wasm
endif

# ---- the spec suite --------------------------------------------------------------------------------------
# The files test/wasm_spec runs inside MinimalOS: every non-SIMD file of the suite (as make spec on the host).
UWASM_SPEC_NAMES ?= $(filter-out simd%,$(notdir $(basename $(wildcard $(WASM_SPEC)/*.wast))))

# wast2json into a scratch directory (text-format modules are dropped: the runner skips them), then one archive.
# The five table_* files need explicit table indices for wabt 1.0.32, as tests/host/wasm/spec.sh does.
UWASM_TABLE_SED := 's/\((table\.(fill|get|grow|set|size)) \(/(\1 0 (/g; s/\((table\.size)\)/(\1 0)/g; s/ (table\.size)\)/ \1 0)/g'
$(UWASM_OUT)/spec/%.tar: $(WASM_SPEC)/%.wast
	@mkdir -p $(dir $@) $(UWASM_OBJ)/spec/$*
	@echo "  WAST    $@"
	$(Q)rm -f $(UWASM_OBJ)/spec/$*/*
	$(Q)case $* in table_fill|table_get|table_grow|table_set|table_size) \
	    sed -E $(UWASM_TABLE_SED) $< > $(UWASM_OBJ)/spec/$*/$*.wast ;; \
	    *) cp $< $(UWASM_OBJ)/spec/$*/$*.wast ;; esac
	$(Q)cd $(UWASM_OBJ)/spec/$* && wast2json --enable-all $*.wast -o $*.json > wast2json.log 2>&1 && \
	    tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf $(abspath $@) \
	        $*.json $$(ls | grep '\.wasm$$')

$(UWASM_OUT)/spec/index: user/wasm/build.mk $(WASM_SPEC)
	@mkdir -p $(dir $@)
	$(Q)printf '%s\n' $(UWASM_SPEC_NAMES) > $@

ifneq ($(UWASM_HAVE_SPEC),)
UWASM_MODULES += $(UWASM_OUT)/spec/index $(patsubst %,$(UWASM_OUT)/spec/%.tar,$(UWASM_SPEC_NAMES))
endif

ifeq ($(and $(UWASM_HAVE_WASI),$(UWASM_HAVE_RUST),$(UWASM_HAVE_SPEC)),)
$(info user/wasm: clang-14/wasi-libc, rustc's wasm32-wasi target, wast2json or $(WASM_SPEC) missing: the image lacks     some .wasm modules and the Wasm tests will say so (tools/deps.sh test installs the tools))
endif

USER_BINS += $(UWASM_MODULES)
