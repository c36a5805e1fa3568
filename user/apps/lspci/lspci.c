/*
 * lspci: lists the PCI functions this program was given, one PciDevice
 * capability each (role "pci-BB:DD.F", READ is enough), decoded through
 * PCI_CONFIG_READ by lib/pci's read-only probe, one line per function in
 * the kernel census's format but without BAR sizes (sizing a BAR means
 * writing it, which the kernel keeps to itself), then "lspci: N functions".
 * `lspci BB:DD.F` lists only that function, with its first 64 bytes of
 * configuration space. Exit status 0 when at least one function was
 * listed.
 */
#include "../../drivers/common/pcidev.h"
#include "libmnos.h"
#include "stdio.h"
#include "string.h"

static void dump(const struct pcidev *p)
{
    for (unsigned off = 0; off < 64; off += 4) {
        int64_t v = pcidev_cfg_read(p, off, 4);
        printf("%s%08lx%s", off % 16 == 0 ? "lspci:   " : "", (unsigned long)(v < 0 ? 0xFFFFFFFF : v),
               off % 16 == 12 ? "\n" : " ");
    }
}

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    const struct mn_startup *st = mn_startup_info();
    static char line[PCI_FORMAT_MAX];
    int listed = 0;
    for (uint32_t i = 0; i < st->ncaps; i++) {
        const struct mn_startup_cap *c = &st->caps[i];
        if (c->type != MN_CAP_PCI_DEVICE || strncmp(c->name, "pci-", 4) != 0)
            continue;
        if (only && strcmp(c->name + 4, only) != 0)
            continue;
        uint8_t bus, dev, fn;
        struct pcidev p;
        int r = pcidev_parse_location(c->name + 4, &bus, &dev, &fn);
        if (r == MN_ERR_OK)
            r = pcidev_open(&p, c->slot, bus, dev, fn, NULL, 0);
        if (r != MN_ERR_OK) {
            printf("lspci: %s: %s\n", c->name, mn_error_name(r));
            continue;
        }
        pci_format_device(&p.info, line, sizeof line);
        printf("lspci: %s\n", line);
        if (only)
            dump(&p);
        listed++;
    }
    printf("lspci: %d functions\n", listed);
    return listed ? 0 : 1;
}
