/*
 * A process without a device's capabilities cannot reach the device. It
 * holds only the console, an allocator and itself: no slot of its CNode
 * holds a PciDevice, IoPort or MmioRegion; MAP_MMIO, PCI_CONFIG_READ,
 * PCI_IRQ_INTX and PORT_IN refuse every slot it has (wrong type) and the
 * ones it has not (invalid slot). Started with the argument "inb" it
 * executes IN from the virtio-blk's legacy port (0xC000) directly: the CPU
 * refuses (IOPL 0, no I/O bitmap grant) and the kernel kills it with #GP,
 * which init expects (utest "blk_portio").
 */
#include "string.h"
#include "utest.h"

static const char *utest_name = "blk_nocaps";

#define MMIO_TRY_VA 0x500000000000ull

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "inb") == 0) {
        uint8_t v;
        printf("blk_nocaps: in al, 0xc000 without a capability (this process should now be killed)\n");
        __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"((uint16_t)0xC000));
        printf("blk_nocaps: the port read did not fault (0x%x)\n", v);
        return 99;
    }
    uint32_t self = mn_self();
    CHECK(1, self != 0);
    unsigned present = 0;
    for (uint32_t slot = 1; slot < 256; slot++) {
        int64_t v = mn_sys_INSPECT(slot);
        if (v >= 0) {
            present++;
            uint64_t type = MN_INSPECT_TYPE(v);
            CHECK(2, type != MN_CAP_PCI_DEVICE && type != MN_CAP_IO_PORT && type != MN_CAP_MMIO_REGION &&
                         type != MN_CAP_IRQ_LINE);
        }
        int64_t want = v >= 0 ? MN_ERR_WRONG_TYPE : MN_ERR_INVALID_SLOT;
        CHECK(3, mn_sys_MAP_MMIO(self, slot, MMIO_TRY_VA, MN_MAP_WRITE) < 0);
        CHECK(4, mn_sys_PCI_CONFIG_READ(slot, 0, 4) < 0); /* machines without PCI say so first */
        CHECK(5, mn_sys_PORT_IN(slot, 0xC000, 1) == want);
        CHECK(6, mn_sys_PORT_OUT(slot, 0xC012, 0, 1) == want);
        uint32_t target = mn_slot_alloc();
        CHECK(7, target != 0 && mn_sys_PCI_IRQ_INTX(slot, target) < 0);
        mn_slot_free(target);
    }
    printf("blk_nocaps: %u capabilities, none a device's; every device call refused\n", present);
    return 0;
}
