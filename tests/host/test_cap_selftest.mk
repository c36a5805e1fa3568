HOST_TESTS += cap_selftest
HOST_TEST_SRCS_cap_selftest := kernel/cap/cap.c kernel/cap/cnode.c kernel/cap/cap_bench.c
$(HOST)/tests/test_cap_selftest: kernel/cap/cap_selftest.c kernel/cap/cap.h
