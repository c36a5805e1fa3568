HOST_TESTS += bootinfo
HOST_TEST_SRCS_bootinfo := kernel/boot/multiboot2.c kernel/boot/pvh.c kernel/boot/cmdline.c
