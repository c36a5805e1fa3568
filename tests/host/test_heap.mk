HOST_TESTS += heap
HOST_TEST_SRCS_heap := kernel/mm/heap_core.c
