# tests/qemu: boots MinimalOS headless and reads the results off COM1.
# The boots are listed in tests/qemu/boots.txt.

qemu-tests: $(BUILD)/kernel.elf $(BUILD)/initrd.tar $(BUILD)/minimalos.iso $(BUILD)/test/minimalos-test.iso
	@python3 tests/qemu/run_boots.py --build $(BUILD) $(if $(ONLY),--only $(ONLY))

# Userspace: init, serial_drv and the libmnos test programs (tests/qemu/run_userspace.py).
qemu-userspace: $(BUILD)/kernel.elf $(BUILD)/initrd.tar $(BUILD)/minimalos.iso
	@python3 tests/qemu/run_userspace.py --build $(BUILD) $(if $(ONLY),--only $(ONLY))
.PHONY: qemu-tests qemu-userspace
