# tests/host: host unit tests of pure-logic kernel code, built with ASan and
# UBSan. Each test program tests/host/test_NAME.c comes with a fragment
# tests/host/test_NAME.mk that says which sources it links:
#     HOST_TESTS += NAME
#     HOST_TEST_SRCS_NAME := kernel/lib/format.c ...
# `make host-tests` builds and runs them all; each prints PASS/FAIL lines.

HOST_TESTS :=
include $(sort $(wildcard tests/host/test_*.mk))

HOST_TEST_CFLAGS := $(HOST_CFLAGS) $(HOST_SANITIZE) -Ikernel -Ikernel/arch/x86_64/include -Itests/host -DHOST_TEST -Wno-format-security -Wno-format-nonliteral

define host_test_rule
$(HOST)/tests/test_$(1): tests/host/test_$(1).c $$(HOST_TEST_SRCS_$(1)) tests/host/host_test.h
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	$$(Q)$$(HOST_CC) $$(HOST_TEST_CFLAGS) -o $$@ tests/host/test_$(1).c $$(HOST_TEST_SRCS_$(1))
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

HOST_TEST_BINS := $(foreach t,$(HOST_TESTS),$(HOST)/tests/test_$(t))

# Runs every host test program; a program that dies without printing its
# own FAIL line is reported as a failure of its own.
host-tests: $(HOST_TEST_BINS)
	@rc=0; for t in $(HOST_TEST_BINS); do \
	    out=$$($$t 2>&1); st=$$?; printf '%s\n' "$$out" | grep -E '^(PASS|FAIL|SKIP) '; \
	    if [ $$st -ne 0 ]; then rc=1; printf '%s\n' "$$out" | grep -q '^FAIL ' || \
	        { echo "FAIL host/$$(basename $$t): exited with status $$st"; printf '%s\n' "$$out" | tail -20; }; fi; \
	done; exit $$rc
