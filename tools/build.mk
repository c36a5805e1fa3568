# tools/build.mk — the initrd (USTAR) and the bootable GRUB ISOs.
#
# build/minimalos.iso         the ISO `make run` boots (no test selection)
# build/test/minimalos-test.iso  the same kernel and initrd, command line test=all

INITRD_ROOT  := $(BUILD)/initrd
INITRD_FILES := $(INITRD_ROOT)/etc/release $(USER_BINS)

$(INITRD_ROOT)/etc/release: Makefile
	@mkdir -p $(dir $@)
	echo "MinimalOS $(VERSION)" > $@

# Sorted names, fixed owner and times: the same inputs give the same archive.
$(BUILD)/initrd.tar: $(INITRD_FILES)
	tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
	    -cf $@ -C $(INITRD_ROOT) .

# make_iso(output, cmdline, timeout)
define make_iso
	@rm -rf $@.d && mkdir -p $@.d/boot/grub
	cp $(BUILD)/kernel.elf $(BUILD)/initrd.tar $@.d/boot/
	sed -e 's|@CMDLINE@|$(2)|' -e 's|@TIMEOUT@|$(3)|' -e 's|@VERSION@|$(VERSION)|' \
	    tools/iso/grub.cfg.in > $@.d/boot/grub/grub.cfg
	grub-mkrescue -o $@ $@.d 2> $@.log || { cat $@.log; exit 1; }
	@rm -rf $@.d
endef

$(BUILD)/minimalos.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.tar tools/iso/grub.cfg.in tools/build.mk | deps-build
	$(call make_iso,$@,$(CMDLINE),0)

$(BUILD)/test/minimalos-test.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.tar tools/iso/grub.cfg.in tools/build.mk | deps-build
	@mkdir -p $(dir $@)
	$(call make_iso,$@,test=all,0)

.PHONY: deps-build deps-test
deps-build:
	@tools/deps.sh build
deps-test:
	@tools/deps.sh test
