HOST_TESTS += elf
HOST_TEST_SRCS_elf := kernel/loader/elf.c $(HOST)/data/elf/samples.c

# Real linker output for the ELF tests and the fuzz seed corpus, built from
# tests/data/elf/sample.c: the default layout (separate code: R, R+X, R,
# R+W), the older one (-z noseparate-code: headers and text share an R+X
# segment) and an -N (omagic) image whose one segment is R+W+X (W^X must
# reject it).
ELF_SAMPLE_CFLAGS := -static -nostdlib -ffreestanding -fno-pie -no-pie -O2 -z noexecstack -Wl,--build-id=none
ELF_SAMPLES := $(HOST)/data/elf/sample.elf $(HOST)/data/elf/sample_nosep.elf $(HOST)/data/elf/sample_rwx.elf

$(HOST)/data/elf/sample.elf: tests/data/elf/sample.c tests/host/test_elf.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(ELF_SAMPLE_CFLAGS) -Wl,-Ttext-segment=0x400000 -z separate-code -o $@ $<
$(HOST)/data/elf/sample_nosep.elf: tests/data/elf/sample.c tests/host/test_elf.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(ELF_SAMPLE_CFLAGS) -Wl,-Ttext-segment=0x400000 -z noseparate-code -o $@ $<
$(HOST)/data/elf/sample_rwx.elf: tests/data/elf/sample.c tests/host/test_elf.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(ELF_SAMPLE_CFLAGS) -Wl,-N -Wl,-Ttext=0x400000 -o $@ $< 2>/dev/null

# The samples as C arrays: elf_sample, elf_sample_nosep, elf_sample_rwx (+ _len).
$(HOST)/data/elf/samples.c: $(ELF_SAMPLES)
	@for f in $^; do n=elf_$$(basename $$f .elf); \
	    echo "const unsigned char $$n[] = {"; od -An -v -tx1 $$f | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo "};"; echo "const unsigned long $${n}_len = sizeof $$n;"; done > $@
