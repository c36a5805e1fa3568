HOST_TESTS += pmm
HOST_TEST_SRCS_pmm := kernel/mm/frame_bitmap.c
