# libmnos's portable core (user/lib: strings, printf, malloc, stdlib, ctype)
# against the host libc. -DMN_LIBC_PREFIX renames the library's functions
# to mnt_* (user/lib/include/mn_libc.h) so that they do not replace glibc's
# in the test program; -iquote lets the library's own #include "string.h"
# find user/lib/include while <string.h> stays the host's.
LIBMNOS_CORE_SRCS := user/lib/string.c user/lib/printf.c user/lib/malloc.c user/lib/stdlib.c
LIBMNOS_CORE_HDRS := $(addprefix user/lib/include/,mn_libc.h string.h stdio.h stdlib.h ctype.h)

HOST_TESTS += libmnos
HOST_TEST_SRCS_libmnos := $(LIBMNOS_CORE_SRCS)
$(HOST)/tests/test_libmnos: HOST_TEST_CFLAGS += -DMN_LIBC_PREFIX -iquote user/lib/include
$(HOST)/tests/test_libmnos: $(LIBMNOS_CORE_HDRS) $(HOST)/data/libmnos/freestanding.ok

# The core must stay freestanding: compiled the way Ring 3 code is (no libc
# headers, no SSE), the objects together may need nothing but the
# platform's hooks. (memcpy and memset, which gcc emits calls to by
# itself, are defined by string.c, so they do not show up here.)
LIBMNOS_HOOKS := mn_console_write mn_heap_morecore mn_heap_corrupt
LIBMNOS_FS_DIR := $(HOST)/data/libmnos
LIBMNOS_RING3_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie -mgeneral-regs-only \
    -fno-stack-protector -nostdinc -isystem $$($(HOST_CC) -print-file-name=include) -Iuser/lib/include

$(LIBMNOS_FS_DIR)/freestanding.ok: $(LIBMNOS_CORE_SRCS) $(LIBMNOS_CORE_HDRS) tests/host/test_libmnos.mk
	@mkdir -p $(LIBMNOS_FS_DIR)/obj
	@for f in $(LIBMNOS_CORE_SRCS); do \
	    $(HOST_CC) $(LIBMNOS_RING3_CFLAGS) -c $$f -o $(LIBMNOS_FS_DIR)/obj/$$(basename $$f .c).o || exit 1; done
	@$(LD) -r -o $(LIBMNOS_FS_DIR)/core.o $(patsubst user/lib/%.c,$(LIBMNOS_FS_DIR)/obj/%.o,$(LIBMNOS_CORE_SRCS))
	@extra=$$($(NM) -u $(LIBMNOS_FS_DIR)/core.o | awk '{print $$NF}' | grep -vxF $(addprefix -e ,$(LIBMNOS_HOOKS))); \
	    if [ -n "$$extra" ]; then echo "libmnos core is not freestanding: needs $$(echo $$extra)"; exit 1; fi
	@touch $@
