/* PCI configuration mechanism #1 through ports 0xCF8/0xCFC (see <arch/pci_io.h>). */
#include <arch/cpu.h>
#include <arch/pci_io.h>

#define PCI_IO_ADDRESS 0xCF8
#define PCI_IO_DATA 0xCFC
#define PCI_IO_ENABLE 0x80000000u

/* Bit 31 enables the cycle; bus in 23:16, device 15:11, function 10:8, dword-aligned register 7:2. */
static uint32_t address(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    return PCI_IO_ENABLE | (uint32_t)bus << 16 | (uint32_t)(dev & 31) << 11 | (uint32_t)(fn & 7) << 8 | (off & 0xFCu);
}

bool pci_io_present(void)
{
    uint32_t saved = inl(PCI_IO_ADDRESS);
    outl(PCI_IO_ADDRESS, PCI_IO_ENABLE);
    bool present = inl(PCI_IO_ADDRESS) == PCI_IO_ENABLE;
    outl(PCI_IO_ADDRESS, saved);
    return present;
}

uint32_t pci_io_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    outl(PCI_IO_ADDRESS, address(bus, dev, fn, off));
    return inl(PCI_IO_DATA);
}

void pci_io_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t value)
{
    outl(PCI_IO_ADDRESS, address(bus, dev, fn, off));
    outl(PCI_IO_DATA, value);
}
