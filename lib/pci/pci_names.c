/*
 * Human-readable names for the census: class codes (PCI Code and ID
 * Assignment Specification: every base class 0x00-0x13 and 0xFF, the common
 * subclasses and programming interfaces), a small vendor table, and the
 * devices QEMU presents (its own, the i440FX/PIIX and Q35/ICH9 chipsets,
 * and every virtio device type). Unknown codes get a generic name.
 */
#include "pci.h"

#define ANY (-1)

struct class_name {
    uint8_t class_code;
    int16_t subclass; /* ANY: the base class's name */
    int16_t prog_if; /* ANY: the subclass's name */
    const char *name;
};

static const struct class_name classes[] = {
    {0x00, ANY, ANY, "Unclassified device"},
    {0x00, 0x00, ANY, "Non-VGA unclassified device"},
    {0x00, 0x01, ANY, "VGA compatible unclassified device"},
    {0x01, ANY, ANY, "Mass storage controller"},
    {0x01, 0x00, ANY, "SCSI storage controller"},
    {0x01, 0x01, ANY, "IDE controller"},
    {0x01, 0x01, 0x00, "IDE controller (ISA compatibility mode)"},
    {0x01, 0x01, 0x05, "IDE controller (PCI native mode)"},
    {0x01, 0x01, 0x0A, "IDE controller (ISA compatibility mode, switchable)"},
    {0x01, 0x01, 0x0F, "IDE controller (PCI native mode, switchable)"},
    {0x01, 0x01, 0x80, "IDE controller (ISA compatibility mode, bus master)"},
    {0x01, 0x01, 0x85, "IDE controller (PCI native mode, bus master)"},
    {0x01, 0x01, 0x8A, "IDE controller (ISA compatibility mode, switchable, bus master)"},
    {0x01, 0x01, 0x8F, "IDE controller (PCI native mode, switchable, bus master)"},
    {0x01, 0x02, ANY, "Floppy disk controller"},
    {0x01, 0x03, ANY, "IPI bus controller"},
    {0x01, 0x04, ANY, "RAID bus controller"},
    {0x01, 0x05, ANY, "ATA controller"},
    {0x01, 0x05, 0x20, "ATA controller (ADMA single stepping)"},
    {0x01, 0x05, 0x30, "ATA controller (ADMA continuous)"},
    {0x01, 0x06, ANY, "SATA controller"},
    {0x01, 0x06, 0x01, "SATA controller (AHCI 1.0)"},
    {0x01, 0x06, 0x02, "SATA controller (serial storage bus)"},
    {0x01, 0x07, ANY, "Serial Attached SCSI controller"},
    {0x01, 0x08, ANY, "Non-volatile memory controller"},
    {0x01, 0x08, 0x01, "Non-volatile memory controller (NVMHCI)"},
    {0x01, 0x08, 0x02, "NVM Express controller"},
    {0x01, 0x09, ANY, "Universal Flash Storage controller"},
    {0x01, 0x80, ANY, "Mass storage controller"},
    {0x02, ANY, ANY, "Network controller"},
    {0x02, 0x00, ANY, "Ethernet controller"},
    {0x02, 0x01, ANY, "Token ring network controller"},
    {0x02, 0x02, ANY, "FDDI network controller"},
    {0x02, 0x03, ANY, "ATM network controller"},
    {0x02, 0x04, ANY, "ISDN controller"},
    {0x02, 0x05, ANY, "WorldFip controller"},
    {0x02, 0x06, ANY, "PICMG controller"},
    {0x02, 0x07, ANY, "InfiniBand controller"},
    {0x02, 0x08, ANY, "Fabric controller"},
    {0x03, ANY, ANY, "Display controller"},
    {0x03, 0x00, ANY, "VGA compatible controller"},
    {0x03, 0x00, 0x01, "8514 compatible controller"},
    {0x03, 0x01, ANY, "XGA compatible controller"},
    {0x03, 0x02, ANY, "3D controller"},
    {0x04, ANY, ANY, "Multimedia controller"},
    {0x04, 0x00, ANY, "Multimedia video controller"},
    {0x04, 0x01, ANY, "Multimedia audio controller"},
    {0x04, 0x02, ANY, "Computer telephony device"},
    {0x04, 0x03, ANY, "High Definition Audio controller"},
    {0x05, ANY, ANY, "Memory controller"},
    {0x05, 0x00, ANY, "RAM memory"},
    {0x05, 0x01, ANY, "Flash memory"},
    {0x05, 0x02, ANY, "CXL memory device"},
    {0x06, ANY, ANY, "Bridge"},
    {0x06, 0x00, ANY, "Host bridge"},
    {0x06, 0x01, ANY, "ISA bridge"},
    {0x06, 0x02, ANY, "EISA bridge"},
    {0x06, 0x03, ANY, "MicroChannel bridge"},
    {0x06, 0x04, ANY, "PCI bridge"},
    {0x06, 0x04, 0x01, "PCI bridge (subtractive decode)"},
    {0x06, 0x05, ANY, "PCMCIA bridge"},
    {0x06, 0x06, ANY, "NuBus bridge"},
    {0x06, 0x07, ANY, "CardBus bridge"},
    {0x06, 0x08, ANY, "RACEway bridge"},
    {0x06, 0x09, ANY, "Semi-transparent PCI-to-PCI bridge"},
    {0x06, 0x0A, ANY, "InfiniBand to PCI host bridge"},
    {0x06, 0x0B, ANY, "Advanced Switching to PCI host bridge"},
    {0x06, 0x80, ANY, "Other bridge"},
    {0x07, ANY, ANY, "Communication controller"},
    {0x07, 0x00, ANY, "Serial controller"},
    {0x07, 0x00, 0x00, "Serial controller (8250)"},
    {0x07, 0x00, 0x01, "Serial controller (16450)"},
    {0x07, 0x00, 0x02, "Serial controller (16550)"},
    {0x07, 0x00, 0x03, "Serial controller (16650)"},
    {0x07, 0x00, 0x04, "Serial controller (16750)"},
    {0x07, 0x00, 0x05, "Serial controller (16850)"},
    {0x07, 0x00, 0x06, "Serial controller (16950)"},
    {0x07, 0x01, ANY, "Parallel controller"},
    {0x07, 0x01, 0x03, "Parallel controller (IEEE 1284 ECP)"},
    {0x07, 0x02, ANY, "Multiport serial controller"},
    {0x07, 0x03, ANY, "Modem"},
    {0x07, 0x04, ANY, "GPIB controller"},
    {0x07, 0x05, ANY, "Smart card controller"},
    {0x08, ANY, ANY, "System peripheral"},
    {0x08, 0x00, ANY, "PIC"},
    {0x08, 0x00, 0x01, "ISA PIC"},
    {0x08, 0x00, 0x02, "EISA PIC"},
    {0x08, 0x00, 0x10, "I/O APIC"},
    {0x08, 0x00, 0x20, "I/O(x) APIC"},
    {0x08, 0x01, ANY, "DMA controller"},
    {0x08, 0x02, ANY, "Timer"},
    {0x08, 0x02, 0x03, "HPET"},
    {0x08, 0x03, ANY, "RTC"},
    {0x08, 0x04, ANY, "PCI hot-plug controller"},
    {0x08, 0x05, ANY, "SD host controller"},
    {0x08, 0x06, ANY, "IOMMU"},
    {0x08, 0x07, ANY, "Root complex event collector"},
    {0x09, ANY, ANY, "Input device controller"},
    {0x09, 0x00, ANY, "Keyboard controller"},
    {0x09, 0x01, ANY, "Digitizer pen"},
    {0x09, 0x02, ANY, "Mouse controller"},
    {0x09, 0x03, ANY, "Scanner controller"},
    {0x09, 0x04, ANY, "Gameport controller"},
    {0x0A, ANY, ANY, "Docking station"},
    {0x0B, ANY, ANY, "Processor"},
    {0x0B, 0x00, ANY, "386"},
    {0x0B, 0x01, ANY, "486"},
    {0x0B, 0x02, ANY, "Pentium"},
    {0x0B, 0x10, ANY, "Alpha"},
    {0x0B, 0x20, ANY, "PowerPC"},
    {0x0B, 0x30, ANY, "MIPS"},
    {0x0B, 0x40, ANY, "Co-processor"},
    {0x0C, ANY, ANY, "Serial bus controller"},
    {0x0C, 0x00, ANY, "FireWire (IEEE 1394)"},
    {0x0C, 0x00, 0x10, "FireWire (IEEE 1394) OHCI"},
    {0x0C, 0x01, ANY, "ACCESS bus"},
    {0x0C, 0x02, ANY, "SSA"},
    {0x0C, 0x03, ANY, "USB controller"},
    {0x0C, 0x03, 0x00, "USB UHCI controller"},
    {0x0C, 0x03, 0x10, "USB OHCI controller"},
    {0x0C, 0x03, 0x20, "USB EHCI controller"},
    {0x0C, 0x03, 0x30, "USB xHCI controller"},
    {0x0C, 0x03, 0x40, "USB4 host interface"},
    {0x0C, 0x03, 0xFE, "USB device"},
    {0x0C, 0x04, ANY, "Fibre Channel"},
    {0x0C, 0x05, ANY, "SMBus"},
    {0x0C, 0x06, ANY, "InfiniBand"},
    {0x0C, 0x07, ANY, "IPMI interface"},
    {0x0C, 0x08, ANY, "SERCOS interface"},
    {0x0C, 0x09, ANY, "CANbus"},
    {0x0C, 0x0A, ANY, "MIPI I3C host controller"},
    {0x0D, ANY, ANY, "Wireless controller"},
    {0x0D, 0x00, ANY, "IrDA controller"},
    {0x0D, 0x01, ANY, "Consumer IR controller"},
    {0x0D, 0x10, ANY, "RF controller"},
    {0x0D, 0x11, ANY, "Bluetooth"},
    {0x0D, 0x12, ANY, "Broadband"},
    {0x0D, 0x20, ANY, "802.11a controller"},
    {0x0D, 0x21, ANY, "802.11b controller"},
    {0x0D, 0x40, ANY, "Cellular controller"},
    {0x0D, 0x41, ANY, "Cellular controller with Ethernet"},
    {0x0E, ANY, ANY, "Intelligent I/O controller"},
    {0x0E, 0x00, ANY, "I2O"},
    {0x0F, ANY, ANY, "Satellite communications controller"},
    {0x0F, 0x01, ANY, "Satellite TV controller"},
    {0x0F, 0x02, ANY, "Satellite audio controller"},
    {0x0F, 0x03, ANY, "Satellite voice controller"},
    {0x0F, 0x04, ANY, "Satellite data controller"},
    {0x10, ANY, ANY, "Encryption controller"},
    {0x10, 0x00, ANY, "Network and computing encryption device"},
    {0x10, 0x10, ANY, "Entertainment encryption device"},
    {0x11, ANY, ANY, "Signal processing controller"},
    {0x11, 0x00, ANY, "DPIO module"},
    {0x11, 0x01, ANY, "Performance counters"},
    {0x11, 0x10, ANY, "Communication synchronizer"},
    {0x11, 0x20, ANY, "Signal processing management"},
    {0x12, ANY, ANY, "Processing accelerator"},
    {0x13, ANY, ANY, "Non-essential instrumentation"},
    {0xFF, ANY, ANY, "Unassigned class"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *pci_class_name(uint8_t class_code, uint8_t subclass, uint8_t prog_if)
{
    const char *base = NULL, *sub = NULL;
    for (size_t i = 0; i < COUNT(classes); i++) {
        const struct class_name *c = &classes[i];
        if (c->class_code != class_code)
            continue;
        if (c->subclass == ANY)
            base = c->name;
        else if (c->subclass == subclass && c->prog_if == ANY)
            sub = c->name;
        else if (c->subclass == subclass && c->prog_if == prog_if)
            return c->name;
    }
    return sub ? sub : base ? base : "unknown class";
}

static const struct {
    uint16_t id;
    const char *name;
} vendors[] = {
    {0x1000, "Broadcom / LSI"},
    {0x1002, "AMD/ATI"},
    {0x1013, "Cirrus Logic"},
    {0x1022, "AMD"},
    {0x1033, "NEC"},
    {0x106B, "Apple"},
    {0x10DE, "NVIDIA"},
    {0x10EC, "Realtek"},
    {0x1234, "QEMU (Bochs)"},
    {0x1274, "Ensoniq"},
    {0x1414, "Microsoft"},
    {0x144D, "Samsung"},
    {0x14E4, "Broadcom"},
    {0x15AD, "VMware"},
    {0x1AB8, "Parallels"},
    {0x1AF4, "Red Hat (virtio)"},
    {0x1B36, "Red Hat (QEMU)"},
    {0x1D0F, "Amazon"},
    {0x5853, "XenSource"},
    {0x80EE, "VirtualBox"},
    {0x8086, "Intel"},
    {0x8087, "Intel"},
};

const char *pci_vendor_name(uint16_t vendor_id)
{
    for (size_t i = 0; i < COUNT(vendors); i++)
        if (vendors[i].id == vendor_id)
            return vendors[i].name;
    return "unknown vendor";
}

static const struct {
    uint16_t vendor, device;
    const char *name;
} devices[] = {
    /* i440FX / PIIX3 / PIIX4 (-M pc) */
    {0x8086, 0x1237, "440FX host bridge (i440FX)"},
    {0x8086, 0x7000, "PIIX3 ISA bridge"},
    {0x8086, 0x7010, "PIIX3 IDE controller"},
    {0x8086, 0x7020, "PIIX3 USB UHCI controller"},
    {0x8086, 0x7110, "PIIX4 ISA bridge"},
    {0x8086, 0x7111, "PIIX4 IDE controller"},
    {0x8086, 0x7112, "PIIX4 USB UHCI controller"},
    {0x8086, 0x7113, "PIIX4 ACPI power management"},
    /* Q35 / ICH9 (-M q35) */
    {0x8086, 0x29C0, "82G33/Q35 host bridge (DRAM controller)"},
    {0x8086, 0x2918, "ICH9 LPC interface controller"},
    {0x8086, 0x2922, "ICH9 AHCI SATA controller"},
    {0x8086, 0x2930, "ICH9 SMBus controller"},
    {0x8086, 0x2934, "ICH9 USB UHCI controller #1"},
    {0x8086, 0x2935, "ICH9 USB UHCI controller #2"},
    {0x8086, 0x2936, "ICH9 USB UHCI controller #3"},
    {0x8086, 0x2937, "ICH9 USB UHCI controller #4"},
    {0x8086, 0x2938, "ICH9 USB UHCI controller #5"},
    {0x8086, 0x2939, "ICH9 USB UHCI controller #6"},
    {0x8086, 0x293A, "ICH9 USB EHCI controller #1"},
    {0x8086, 0x293C, "ICH9 USB EHCI controller #2"},
    {0x8086, 0x293E, "ICH9 HD Audio controller"},
    {0x8086, 0x244E, "82801 PCI bridge (i82801b11)"},
    {0x8086, 0x3420, "X58 PCIe root port (ioh3420)"},
    /* other Intel devices QEMU emulates */
    {0x8086, 0x100E, "82540EM Gigabit Ethernet (e1000)"},
    {0x8086, 0x100F, "82545EM Gigabit Ethernet"},
    {0x8086, 0x10D3, "82574L Gigabit Ethernet (e1000e)"},
    {0x8086, 0x1229, "82557/8/9 Ethernet (eepro100)"},
    {0x8086, 0x2415, "82801AA AC'97 audio"},
    {0x8086, 0x2668, "ICH6 HD Audio controller"},
    {0x8086, 0x25AB, "6300ESB watchdog"},
    /* QEMU's own (1b36) and Bochs display (1234) */
    {0x1234, 0x1111, "QEMU standard VGA / bochs-display"},
    {0x1B36, 0x0001, "QEMU PCI-PCI bridge"},
    {0x1B36, 0x0002, "QEMU 16550A serial adapter"},
    {0x1B36, 0x0003, "QEMU dual 16550A serial adapter"},
    {0x1B36, 0x0004, "QEMU quad 16550A serial adapter"},
    {0x1B36, 0x0005, "QEMU PCI test device"},
    {0x1B36, 0x0008, "QEMU PCIe host bridge"},
    {0x1B36, 0x0009, "QEMU PCI expander bridge"},
    {0x1B36, 0x000B, "QEMU PCIe expander bridge"},
    {0x1B36, 0x000C, "QEMU PCIe root port"},
    {0x1B36, 0x000D, "QEMU xHCI USB controller"},
    {0x1B36, 0x000E, "QEMU PCIe-to-PCI bridge"},
    {0x1B36, 0x0010, "QEMU NVMe controller"},
    {0x1B36, 0x0011, "QEMU pvpanic"},
    {0x1B36, 0x0100, "QXL paravirtual graphics"},
    {0x1AF4, 0x1110, "Inter-VM shared memory (ivshmem)"},
    /* others QEMU can present */
    {0x10EC, 0x8139, "RTL-8139 Fast Ethernet"},
    {0x10EC, 0x8029, "RTL-8029 (NE2000) Ethernet"},
    {0x1013, 0x00B8, "CL-GD5446 VGA (cirrus-vga)"},
    {0x1000, 0x0012, "53c895a SCSI controller"},
    {0x1000, 0x0060, "MegaRAID SAS 1078"},
    {0x1000, 0x0079, "MegaRAID SAS 2108"},
    {0x1033, 0x0194, "uPD720200 xHCI USB controller"},
    {0x1274, 0x5000, "ES1370 AudioPCI"},
    {0x15AD, 0x0405, "VMware SVGA II"},
    {0x15AD, 0x07B0, "VMXNET3 Ethernet"},
    {0x15AD, 0x07C0, "PVSCSI SCSI controller"},
};

/* Virtio device types (virtio 1.x section 5), as X(type, name). */
#define VIRTIO_TYPES(X) \
    X(1, "network device") \
    X(2, "block device") \
    X(3, "console") \
    X(4, "RNG (entropy source)") \
    X(5, "memory balloon") \
    X(6, "ioMemory") \
    X(7, "rpmsg") \
    X(8, "SCSI host") \
    X(9, "9P transport") \
    X(10, "mac80211 WLAN") \
    X(11, "rproc serial") \
    X(12, "CAIF") \
    X(13, "memory balloon (v2)") \
    X(16, "GPU") \
    X(17, "clock") \
    X(18, "input device") \
    X(19, "socket (vsock)") \
    X(20, "crypto device") \
    X(21, "signal distribution") \
    X(22, "pstore") \
    X(23, "IOMMU") \
    X(24, "memory device") \
    X(25, "sound device") \
    X(26, "file system (virtiofs)") \
    X(27, "PMEM") \
    X(28, "RPMB") \
    X(29, "mac80211 hwsim") \
    X(30, "video encoder") \
    X(31, "video decoder") \
    X(32, "SCMI") \
    X(33, "Nitro secure module") \
    X(34, "I2C adapter") \
    X(35, "watchdog") \
    X(36, "CAN") \
    X(38, "parameter server") \
    X(39, "audio policy") \
    X(40, "Bluetooth") \
    X(41, "GPIO") \
    X(42, "RDMA")

static const struct {
    uint8_t type;
    const char *modern, *transitional;
} virtio_names[] = {
#define VIRTIO_NAME_(t, n) {t, "Virtio 1.0 " n, "Virtio " n " (transitional)"},
    VIRTIO_TYPES(VIRTIO_NAME_)
#undef VIRTIO_NAME_
};

/* virtio 1.x 4.1.2.1: the transitional device IDs and the device types they stand for. */
static const uint16_t transitional_types[][2] = {
    {0x1000, 1}, {0x1001, 2}, {0x1002, 5}, {0x1003, 3}, {0x1004, 8}, {0x1005, 4}, {0x1009, 9},
};

unsigned pci_virtio_device_type(uint16_t vendor_id, uint16_t device_id)
{
    if (vendor_id != PCI_VENDOR_VIRTIO)
        return 0;
    if (device_id >= 0x1040 && device_id <= 0x107F)
        return device_id - 0x1040u;
    for (size_t i = 0; i < COUNT(transitional_types); i++)
        if (transitional_types[i][0] == device_id)
            return transitional_types[i][1];
    return 0;
}

const char *pci_device_name(uint16_t vendor_id, uint16_t device_id)
{
    for (size_t i = 0; i < COUNT(devices); i++)
        if (devices[i].vendor == vendor_id && devices[i].device == device_id)
            return devices[i].name;
    if (vendor_id == PCI_VENDOR_VIRTIO && device_id >= 0x1000 && device_id <= 0x107F) {
        bool modern = device_id >= 0x1040;
        unsigned type = pci_virtio_device_type(vendor_id, device_id);
        for (size_t i = 0; i < COUNT(virtio_names); i++)
            if (type && virtio_names[i].type == type)
                return modern ? virtio_names[i].modern : virtio_names[i].transitional;
        return modern ? "Virtio 1.0 device" : "Virtio transitional device";
    }
    return "unknown device";
}

/* Short names for the census, in the spirit of Linux's PCI_CAP_ID_* and PCI_EXT_CAP_ID_*. */
static const char *const cap_names[] = {
    [0x00] = "null",  [0x01] = "pm",    [0x02] = "agp",  [0x03] = "vpd",    [0x04] = "slotid", [0x05] = "msi",
    [0x06] = "chswp", [0x07] = "pcix",  [0x08] = "ht",   [0x09] = "vendor", [0x0A] = "dbg",    [0x0B] = "ccrc",
    [0x0C] = "shpc",  [0x0D] = "ssvid", [0x0E] = "agp3", [0x0F] = "secdev", [0x10] = "pcie",   [0x11] = "msix",
    [0x12] = "sata",  [0x13] = "af",    [0x14] = "ea",   [0x15] = "fpb",
};

static const char *const ext_cap_names[] = {
    [0x00] = "null",    [0x01] = "aer",   [0x02] = "vc",    [0x03] = "dsn",    [0x04] = "pwr",   [0x05] = "rclink",
    [0x06] = "rcilink", [0x07] = "rcec",  [0x08] = "mfvc",  [0x09] = "vc9",    [0x0A] = "rcrb",  [0x0B] = "vsec",
    [0x0C] = "cac",     [0x0D] = "acs",   [0x0E] = "ari",   [0x0F] = "ats",    [0x10] = "sriov", [0x11] = "mriov",
    [0x12] = "mcast",   [0x13] = "pri",   [0x15] = "rebar", [0x16] = "dpa",    [0x17] = "tph",   [0x18] = "ltr",
    [0x19] = "secpci",  [0x1A] = "pmux",  [0x1B] = "pasid", [0x1C] = "lnr",    [0x1D] = "dpc",   [0x1E] = "l1pm",
    [0x1F] = "ptm",     [0x23] = "dvsec", [0x25] = "dlf",   [0x26] = "pl16gt", [0x27] = "lmr",   [0x28] = "pl32gt",
};

const char *pci_cap_name(uint8_t id)
{
    return id < COUNT(cap_names) && cap_names[id] ? cap_names[id] : "?";
}

const char *pci_ext_cap_name(uint16_t id)
{
    return id < COUNT(ext_cap_names) && ext_cap_names[id] ? ext_cap_names[id] : "?";
}

const char *pci_pcie_type_name(uint8_t port_type)
{
    static const char *const names[] = {
        [PCI_PCIE_ENDPOINT] = "endpoint",
        [PCI_PCIE_LEGACY_ENDPOINT] = "legacy endpoint",
        [PCI_PCIE_ROOT_PORT] = "root port",
        [PCI_PCIE_UPSTREAM_PORT] = "upstream port",
        [PCI_PCIE_DOWNSTREAM_PORT] = "downstream port",
        [PCI_PCIE_TO_PCI_BRIDGE] = "PCIe-to-PCI bridge",
        [PCI_PCI_TO_PCIE_BRIDGE] = "PCI-to-PCIe bridge",
        [PCI_PCIE_RC_ENDPOINT] = "integrated endpoint",
        [PCI_PCIE_RC_EVENT_COLLECTOR] = "event collector",
    };
    return port_type < COUNT(names) && names[port_type] ? names[port_type] : "?";
}

const char *pci_virtio_cfg_name(uint8_t cfg_type)
{
    static const char *const names[] = {
        [PCI_VIRTIO_COMMON_CFG] = "common", [PCI_VIRTIO_NOTIFY_CFG] = "notify", [PCI_VIRTIO_ISR_CFG] = "isr",
        [PCI_VIRTIO_DEVICE_CFG] = "device", [PCI_VIRTIO_PCI_CFG] = "pci-cfg",   [PCI_VIRTIO_SHARED_MEMORY_CFG] = "shm",
        [PCI_VIRTIO_VENDOR_CFG] = "vendor",
    };
    return cfg_type < COUNT(names) && names[cfg_type] ? names[cfg_type] : "?";
}
