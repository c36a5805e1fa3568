HOST_TESTS += tarfs
HOST_TEST_SRCS_tarfs := lib/tarfs/tarfs.c $(HOST)/data/tarfs/samples.c
$(HOST)/tests/test_tarfs: HOST_TEST_CFLAGS += -Ilib
$(HOST)/tests/test_tarfs: lib/tarfs/tarfs.h

# A small tree archived by GNU tar in ustar format, the way tools/build.mk
# builds the initrd: a regular file, an empty file, a directory, a symlink,
# a binary file and a path longer than 100 bytes (stored with the ustar
# prefix field). tarfs_sample is "-C root ." (names start with "./"),
# tarfs_plain lists the top-level names (no "./").
TARFS_ROOT := $(HOST)/data/tarfs/root
TARFS_LONG := very/long/directory/name/that/keeps/going/and/going/past/the/hundred/byte/ustar/name/field

$(HOST)/data/tarfs/sample.tar: tests/host/test_tarfs.mk
	@rm -rf $(TARFS_ROOT) && mkdir -p $(TARFS_ROOT)/etc $(TARFS_ROOT)/bin $(TARFS_ROOT)/empty-dir $(TARFS_ROOT)/$(TARFS_LONG)
	@echo "MinimalOS test" > $(TARFS_ROOT)/etc/release
	@: > $(TARFS_ROOT)/etc/empty
	@head -c 1500 /dev/zero | tr '\0' 'x' > $(TARFS_ROOT)/bin/init
	@echo "deep file" > $(TARFS_ROOT)/$(TARFS_LONG)/file.txt
	@ln -s ../etc/release $(TARFS_ROOT)/bin/release-link
	tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf $@ -C $(TARFS_ROOT) .
	tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf $(HOST)/data/tarfs/plain.tar \
	    -C $(TARFS_ROOT) etc bin

$(HOST)/data/tarfs/samples.c: $(HOST)/data/tarfs/sample.tar
	@for f in $(HOST)/data/tarfs/sample.tar $(HOST)/data/tarfs/plain.tar; do n=tarfs_$$(basename $$f .tar); \
	    echo "const unsigned char $$n[] = {"; od -An -v -tx1 $$f | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo "};"; echo "const unsigned long $${n}_len = sizeof $$n;"; done > $@

# TarFS must stay freestanding (it links into the kernel and Ring 3 programs):
# it compiles with no libc headers and needs no symbol from outside.
$(HOST)/tests/test_tarfs: $(HOST)/data/tarfs/freestanding.ok
$(HOST)/data/tarfs/freestanding.ok: lib/tarfs/tarfs.c lib/tarfs/tarfs.h abi/include/mnos/errors.h
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-stack-protector -nostdinc \
	    -isystem $$($(HOST_CC) -print-file-name=include) -Iabi/include -c lib/tarfs/tarfs.c -o $(@:.ok=.o)
	@if nm -u $(@:.ok=.o) | grep -q .; then echo "lib/tarfs is not freestanding: needs $$(nm -u $(@:.ok=.o) | tr -s ' \n' ' ')"; exit 1; fi
	@touch $@
