HOST_TESTS += paging
HOST_TEST_SRCS_paging := kernel/arch/x86_64/paging.c
$(HOST)/tests/test_paging: HOST_TEST_CFLAGS += -DHHDM_BASE=0
