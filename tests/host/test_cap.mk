HOST_TESTS += cap
HOST_TEST_SRCS_cap := kernel/cap/cap.c kernel/cap/cnode.c kernel/cap/cap_bench.c tests/fuzz/cap_model.c
$(HOST)/tests/test_cap: tests/fuzz/cap_model.h kernel/cap/cap.h
