HOST_TESTS += cap_abi
HOST_TEST_SRCS_cap_abi :=
$(HOST)/tests/test_cap_abi: $(wildcard abi/include/mnos/*.h)
