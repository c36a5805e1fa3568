/*
 * The PCI system calls from Ring 3, through one function's capabilities as
 * pci_mint_device_caps lays them out: slot 1 the PciDevice (configuration
 * space), slots 2.. its BARs; slot 63 this program's Process. The kernel
 * test (kernel/test/test_pci.c, user_pcicfg) passes in `arg`:
 *   bit 0      ECAM: 4096 bytes of configuration space (else 256)
 *   bit 1      test MSI-X (a virtio function whose table BAR is usable)
 *   bit 2      the INTx pin resolves to a GSI
 *   bits 8-15  slot of the MmioRegion of the MSI-X table's BAR
 *   bits 16-39 the table's offset in that BAR
 *   bits 40-47 slot of a memory BAR to map and read (0: the table's BAR)
 * Returns 0, or the number of the failed check.
 */
#include "utest.h"

#define ARG_ECAM 0x1ull
#define ARG_MSIX 0x2ull
#define ARG_INTX 0x4ull

#define DEV 1
#define PROC 63
#define READ_ONLY 62
#define IRQ_A 61
#define IRQ_B 60
#define IRQ_C 59
#define IRQ_D 58
#define EMPTY 40

#define VA_TABLE 0x60000000ull
#define VA_BAR 0x50000000ull

#define CFG_COMMAND 0x04
#define CFG_STATUS 0x06
#define CFG_CACHE_LINE 0x0C
#define CFG_HEADER_TYPE 0x0E
#define CFG_BAR0 0x10
#define CFG_BAR1 0x14
#define CFG_BAR5 0x24
#define CFG_ROM 0x30
#define CFG_CAP_PTR 0x34
#define CFG_IRQ_LINE 0x3C
#define CFG_IRQ_PIN 0x3D
#define CAP_MSI 0x05
#define CAP_MSIX 0x11
#define MSIX_FUNCTION_MASK 0x4000
#define CMD_MEMORY 0x2

#define DEVICE_CAP_RIGHTS (MN_RIGHTS_ALL & ~MN_RIGHT_EXEC)
#define IRQ_RIGHTS (MN_RIGHT_READ | MN_RIGHT_WRITE)

static int64_t rd(uint64_t off, uint64_t width)
{
    return mn_sys_PCI_CONFIG_READ(DEV, off, width);
}

static int64_t wr(uint64_t off, uint64_t value, uint64_t width)
{
    return mn_sys_PCI_CONFIG_WRITE(DEV, off, value, width);
}

/* A write the kernel keeps for itself: MN_ERR_NO_RIGHTS, and the register reads as before. */
static int refused(uint64_t off, uint64_t width, uint64_t value)
{
    int64_t before = rd(off, width);
    return before >= 0 && wr(off, value, width) == MN_ERR_NO_RIGHTS && rd(off, width) == before;
}

/* The offset of the first standard capability `id`, walking the list through the PciDevice capability; 0: none. */
static uint64_t find_cap(uint8_t id)
{
    if (!(rd(CFG_STATUS, 2) & 0x10))
        return 0;
    int64_t off = rd(CFG_CAP_PTR, 1) & 0xFC;
    for (int n = 0; off >= 0x40 && n < 48; n++) {
        int64_t head = rd((uint64_t)off, 2);
        if (head < 0)
            return 0;
        if ((head & 0xFF) == id)
            return (uint64_t)off;
        off = (head >> 8) & 0xFC;
    }
    return 0;
}

static volatile uint32_t *at(uint64_t va)
{
    return (volatile uint32_t *)(uintptr_t)va;
}

/* Checks 60-69: two MSI-X IrqLines and the table entries the kernel wrote for them. */
static int64_t check_msix(uint64_t arg, uint64_t mx)
{
    uint64_t table_slot = (arg >> 8) & 0xFF, table_off = (arg >> 16) & 0xFFFFFF;
    uint64_t size = (uint64_t)(rd(mx + 2, 2) & 0x7FF) + 1;
    CHECK(60, mn_sys_PCI_IRQ_MSIX(DEV, size, IRQ_A) == MN_ERR_BAD_ARG &&
                  mn_sys_PCI_IRQ_MSIX(DEV, 1ull << 20, IRQ_A) == MN_ERR_BAD_ARG);
    CHECK(61, mn_sys_PCI_IRQ_MSIX(DEV, 0, PROC) == MN_ERR_SLOT_OCCUPIED &&
                  mn_sys_PCI_IRQ_MSIX(DEV, 0, 0) == MN_ERR_INVALID_SLOT);
    CHECK(62, mn_sys_MAP_MMIO(PROC, table_slot, VA_TABLE, 0) == 0);
    volatile uint32_t *first = at(VA_TABLE + table_off), *last = at(VA_TABLE + table_off + 16 * (size - 1));
    uint32_t ctrl_first = first[3], ctrl_last = last[3];
    CHECK(63,
          mn_sys_PCI_IRQ_MSIX(DEV, 0, IRQ_A) == 0 && mn_sys_INSPECT(IRQ_A) == INSPECT_OF(MN_CAP_IRQ_LINE, IRQ_RIGHTS));
    /* The message: the LAPIC's window (0xFEE00000 | destination << 12), fixed delivery of a device vector. */
    uint32_t vector = first[2];
    CHECK(64, (first[0] & 0xFFF00000u) == 0xFEE00000u && first[1] == 0 && vector >= 0x20 && vector <= 0xFF);
    CHECK(65, first[3] == ctrl_first); /* the mask bit is the driver's */
    CHECK(66, mn_sys_PCI_IRQ_MSIX(DEV, size - 1, IRQ_B) == 0);
    CHECK(67, (last[0] & 0xFFF00000u) == 0xFEE00000u && last[2] >= 0x20 && last[2] <= 0xFF && last[2] != vector &&
                  last[3] == ctrl_last);
    CHECK(68, mn_sys_DROP_CAP(IRQ_A) == 0 && mn_sys_DROP_CAP(IRQ_B) == 0);
    return 0;
}

int64_t main(uint64_t arg)
{
    uint64_t limit = (arg & ARG_ECAM) ? 4096 : 256;

    /* 1-9: reads, at every width */
    int64_t id = rd(0, 4);
    CHECK(1, id > 0 && (id & 0xFFFF) != 0xFFFF);
    CHECK(2, rd(0, 2) == (id & 0xFFFF) && rd(2, 2) == (id >> 16) && rd(1, 1) == ((id >> 8) & 0xFF) &&
                 rd(3, 1) == (id >> 24));
    CHECK(3, rd(limit - 4, 4) >= 0 && rd(limit - 1, 1) >= 0 && rd(limit - 2, 2) >= 0);

    /* 10-19: bad arguments, wrong capabilities */
    CHECK(10, rd(0, 0) == MN_ERR_BAD_ARG && rd(0, 3) == MN_ERR_BAD_ARG && rd(0, 8) == MN_ERR_BAD_ARG);
    CHECK(11, rd(1, 2) == MN_ERR_BAD_ARG && rd(2, 4) == MN_ERR_BAD_ARG && rd(6, 4) == MN_ERR_BAD_ARG);
    CHECK(12, rd(limit, 1) == MN_ERR_BAD_ARG && rd(limit, 4) == MN_ERR_BAD_ARG && rd(1ull << 40, 1) == MN_ERR_BAD_ARG &&
                  rd(~3ull, 4) == MN_ERR_BAD_ARG);
    CHECK(13, wr(CFG_CACHE_LINE, 0x100, 1) == MN_ERR_BAD_ARG && wr(CFG_COMMAND, 0x10000, 2) == MN_ERR_BAD_ARG &&
                  wr(CFG_COMMAND, 1ull << 32, 4) == MN_ERR_BAD_ARG && wr(CFG_COMMAND, 0, 3) == MN_ERR_BAD_ARG &&
                  wr(limit, 0, 1) == MN_ERR_BAD_ARG && wr(CFG_STATUS, 0, 4) == MN_ERR_BAD_ARG);
    CHECK(14, mn_sys_PCI_CONFIG_READ(PROC, 0, 4) == MN_ERR_WRONG_TYPE &&
                  mn_sys_PCI_CONFIG_READ(EMPTY, 0, 4) == MN_ERR_INVALID_SLOT &&
                  mn_sys_PCI_CONFIG_WRITE(PROC, CFG_COMMAND, 0, 2) == MN_ERR_WRONG_TYPE);
    CHECK(15, mn_sys_PCI_IRQ_MSIX(PROC, 0, IRQ_A) == MN_ERR_WRONG_TYPE &&
                  mn_sys_PCI_IRQ_INTX(EMPTY, IRQ_A) == MN_ERR_INVALID_SLOT);
    CHECK(16, mn_sys_INSPECT(DEV) == INSPECT_OF(MN_CAP_PCI_DEVICE, DEVICE_CAP_RIGHTS));

    /* 20-29: a read-only copy reads, and nothing else */
    int64_t cmd = rd(CFG_COMMAND, 2);
    CHECK(20, mn_sys_COPY_CAP(DEV, READ_ONLY, MN_RIGHT_READ) == 0 &&
                  mn_sys_INSPECT(READ_ONLY) == INSPECT_OF(MN_CAP_PCI_DEVICE, MN_RIGHT_READ));
    CHECK(21, mn_sys_PCI_CONFIG_READ(READ_ONLY, 0, 4) == id);
    CHECK(22, mn_sys_PCI_CONFIG_WRITE(READ_ONLY, CFG_COMMAND, (uint64_t)cmd, 2) == MN_ERR_NO_RIGHTS &&
                  mn_sys_PCI_IRQ_MSIX(READ_ONLY, 0, IRQ_A) == MN_ERR_NO_RIGHTS &&
                  mn_sys_PCI_IRQ_INTX(READ_ONLY, IRQ_A) == MN_ERR_NO_RIGHTS);
    CHECK(23, mn_sys_DROP_CAP(READ_ONLY) == 0);

    /* 30-39: what the kernel keeps: BARs, ROM, the interrupt line; refused and left unchanged */
    int64_t type = rd(CFG_HEADER_TYPE, 1) & 0x7F;
    CHECK(30, refused(CFG_BAR0, 4, 0xFFFFFFFF) && refused(CFG_BAR0, 1, 0xFF) && refused(CFG_BAR1 + 2, 2, 0xFFFF));
    CHECK(31, type != 0 || (refused(CFG_BAR5, 4, 0xFFFFFFFF) && refused(CFG_BAR5 + 3, 1, 0x12) &&
                            refused(CFG_ROM, 4, 0xFFFFF800)));
    int64_t line = rd(CFG_IRQ_LINE, 1);
    CHECK(32, refused(CFG_IRQ_LINE, 1, (uint64_t)line ^ 0xFF) &&
                  refused(CFG_IRQ_LINE, 4, (uint64_t)rd(CFG_IRQ_LINE, 4)) &&
                  refused(CFG_IRQ_LINE, 2, (uint64_t)rd(CFG_IRQ_LINE, 2)));

    /* 40-49: what the driver may write: the command register, the cache line size */
    CHECK(40, wr(CFG_COMMAND, (uint64_t)cmd | CMD_MEMORY, 2) == 0 && (rd(CFG_COMMAND, 2) & CMD_MEMORY));
    int64_t cls = rd(CFG_CACHE_LINE, 1);
    CHECK(41, wr(CFG_CACHE_LINE, (uint64_t)cls, 1) == 0 && rd(CFG_CACHE_LINE, 1) == cls);

    /* 50-59: MSI-X and MSI registers */
    uint64_t mx = find_cap(CAP_MSIX);
    CHECK(50, !(arg & ARG_MSIX) || mx != 0);
    if (mx) {
        CHECK(51, refused(mx + 4, 4, 0) && refused(mx + 8, 4, 0) && refused(mx + 4, 1, 7) && refused(mx + 8, 2, 0));
        int64_t ctrl = rd(mx + 2, 2);
        CHECK(52, wr(mx + 2, (uint64_t)ctrl | MSIX_FUNCTION_MASK, 2) == 0 && (rd(mx + 2, 2) & MSIX_FUNCTION_MASK));
        CHECK(53, wr(mx + 2, (uint64_t)ctrl, 2) == 0 && rd(mx + 2, 2) == ctrl);
    }
    uint64_t msi = find_cap(CAP_MSI);
    if (msi) {
        int64_t ctrl = rd(msi + 2, 2);
        CHECK(55, refused(msi + 4, 4, 0xFEE00000) && wr(msi + 2, (uint64_t)ctrl ^ 0x0010, 2) == MN_ERR_NO_RIGHTS &&
                      rd(msi + 2, 2) == ctrl && wr(msi + 2, (uint64_t)ctrl, 2) == 0);
    }

    /* 60-69: MSI-X interrupt lines */
    if (arg & ARG_MSIX) {
        int64_t r = check_msix(arg, mx);
        if (r)
            return r;
    } else if (!mx) {
        CHECK(69, mn_sys_PCI_IRQ_MSIX(DEV, 0, IRQ_A) == MN_ERR_NOT_FOUND);
    }

    /* 70-79: the INTx line */
    if (arg & ARG_INTX) {
        CHECK(70,
              mn_sys_PCI_IRQ_INTX(DEV, IRQ_C) == 0 && mn_sys_INSPECT(IRQ_C) == INSPECT_OF(MN_CAP_IRQ_LINE, IRQ_RIGHTS));
        CHECK(71, mn_sys_PCI_IRQ_INTX(DEV, IRQ_C) == MN_ERR_SLOT_OCCUPIED);
        CHECK(72, mn_sys_PCI_IRQ_INTX(DEV, IRQ_D) == MN_ERR_BUSY); /* one line per GSI */
        CHECK(73, mn_sys_DROP_CAP(IRQ_C) == 0 && mn_sys_PCI_IRQ_INTX(DEV, IRQ_D) == 0 && mn_sys_DROP_CAP(IRQ_D) == 0);
    } else if (rd(CFG_IRQ_PIN, 1) == 0) {
        CHECK(74, mn_sys_PCI_IRQ_INTX(DEV, IRQ_C) == MN_ERR_NOT_FOUND);
    }

    /* 80-89: a memory BAR mapped through its MmioRegion and read */
    uint64_t bar_slot = (arg >> 40) & 0xFF;
    if (!bar_slot)
        bar_slot = (arg >> 8) & 0xFF;
    CHECK(80, mn_sys_INSPECT(bar_slot) == INSPECT_OF(MN_CAP_MMIO_REGION, DEVICE_CAP_RIGHTS));
    CHECK(81, mn_sys_MAP_MMIO(PROC, bar_slot, VA_BAR, MN_MAP_EXEC) == MN_ERR_BAD_ARG);
    CHECK(82, mn_sys_MAP_MMIO(PROC, bar_slot, VA_BAR, MN_MAP_WRITE) == 0);
    volatile uint32_t first = *at(VA_BAR);
    (void)first;
    CHECK(83, wr(CFG_COMMAND, (uint64_t)cmd, 2) == 0 && rd(CFG_COMMAND, 2) == cmd);
    return 0;
}
