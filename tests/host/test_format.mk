HOST_TESTS += format
HOST_TEST_SRCS_format := kernel/lib/format.c
