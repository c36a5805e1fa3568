/* Starting init (see init.h). */
#include "loader/init.h"

#include <arch/time.h>

#include "boot/boot_info.h"
#include "cap/cspace.h"
#include "debug/log.h"
#include "debug/panic.h"
#include "ipc/irqline.h"
#include "lib/string.h"
#include "loader/initrd.h"
#include "loader/spawn.h"
#include "loader/startup.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "mm/umem.h"
#include "pci/pci_kernel.h"
#include "sched/process.h"
#include "sched/sched.h"

#define COM1_BASE 0x3F8
#define COM1_IRQ 4
#define DEBUG_EXIT_BASE 0xF4

enum {
    SLOT_ALLOCATOR = 1,
    SLOT_COM1 = 2,
    SLOT_SELF = 3,
    SLOT_BLK_IO = 4,
    SLOT_COM1_IRQ = 5,
    SLOT_INITRD = 6,
    SLOT_DEBUG_EXIT = 7,
    SLOT_DEVICES = 16,
};

static struct mn_startup_cap caps[MN_STARTUP_MAX_CAPS];
static int ncaps;

/* Lists a capability of init's in its startup page. */
static void note(uint32_t slot, uint8_t type, const char *role)
{
    caps[ncaps].slot = slot;
    caps[ncaps].type = type;
    strlcpy(caps[ncaps].name, role, sizeof caps[ncaps].name);
    ncaps++;
}

static void mint(struct process *p, uint32_t slot, uint8_t type, cap_object_t *obj, uint64_t d0, uint64_t d1,
                 const char *role)
{
    int r = cspace_mint(p, slot, type, MN_RIGHTS_ALL, obj, d0, d1, NULL);
    if (r != MN_ERR_OK)
        panic("init: cannot give init its %s capability: %s", role, mn_error_name(r));
    note(slot, type, role);
}

/* Every PCI function's capabilities from SLOT_DEVICES up, listed by location; the legacy virtio-blk port in slot 4. */
static void give_devices(struct process *p)
{
    uint32_t slot = SLOT_DEVICES;
    bool blk_done = false;
    for (unsigned i = 0; i < pci_count(); i++) {
        const struct pci_device *d = pci_get(i);
        uint32_t next;
        int r = pci_mint_device_caps(p, i, slot, &next);
        if (r != MN_ERR_OK) {
            log_warn("init: no capabilities for PCI %02x:%02x.%x: %s\n", d->bus, d->dev, d->fn, mn_error_name(r));
            continue;
        }
        char role[MN_STARTUP_CAP_NAME];
        ksnprintf(role, sizeof role, "pci-%02x:%02x.%x", d->bus, d->dev, d->fn);
        if (ncaps < MN_STARTUP_MAX_CAPS)
            note(slot, MN_CAP_PCI_DEVICE, role);
        spin_lock(&cap_lock);
        for (uint32_t s = slot + 1; s < next; s++) {
            cap_slot_t *c = cnode_slot(&p->cnode, s);
            if (!cap_present(c) || ncaps >= MN_STARTUP_MAX_CAPS)
                continue;
            caps[ncaps].slot = s;
            caps[ncaps].type = c->type;
            ksnprintf(caps[ncaps].name, sizeof caps[ncaps].name, "%s/b%u", role, s - slot - 1);
            ncaps++;
            /* The roadmap's slot 4: the first transitional virtio-blk's I/O BAR. */
            if (!blk_done && d->vendor_id == 0x1af4 && d->device_id == 0x1001 && c->type == MN_CAP_IO_PORT) {
                blk_done = cap_create(&p->cnode, SLOT_BLK_IO, MN_CAP_IO_PORT, c->rights, NULL, c->data[0],
                                      c->data[1]) == MN_ERR_OK;
                if (blk_done && ncaps < MN_STARTUP_MAX_CAPS)
                    caps[ncaps++] = (struct mn_startup_cap){SLOT_BLK_IO, MN_CAP_IO_PORT, "blk-io"};
            }
        }
        spin_unlock(&cap_lock);
        slot = next;
    }
    if (ncaps >= MN_STARTUP_MAX_CAPS)
        log_warn("init: more capabilities than its startup page lists (%d)\n", MN_STARTUP_MAX_CAPS);
}

/* Splits the command line into words (in place, in a static copy): init's argv[1..]. */
static int split_words(const char *cmdline, const char **argv, int max)
{
    static char copy[512];
    strlcpy(copy, cmdline, sizeof copy);
    int n = 0;
    for (char *c = copy; *c && n < max;) {
        while (*c == ' ')
            *c++ = 0;
        if (!*c)
            break;
        argv[n++] = c;
        while (*c && *c != ' ')
            c++;
    }
    return n;
}

void init_start(const struct boot_info *bi)
{
    const char *cmdline = bi->cmdline;
    char value[8];
    struct process *p;
    struct thread *t;
    int r = spawn_from_initrd("bin/init", MN_STARTUP_VA, &p, &t);
    if (r != MN_ERR_OK)
        panic("init: cannot load bin/init from the initrd: %s", mn_error_name(r));
    struct mem_allocator *alloc = mem_allocator_create(MEM_ALLOCATOR_UNLIMITED, NULL);
    if (!alloc)
        panic("init: out of memory");
    mint(p, SLOT_ALLOCATOR, MN_CAP_PMM_ALLOCATOR, &alloc->obj, 0, 0, "allocator");
    mint(p, SLOT_COM1, MN_CAP_IO_PORT, NULL, COM1_BASE, 8, "com1");
    mint(p, SLOT_SELF, MN_CAP_PROCESS, &p->obj, 0, 0, MN_ROLE_SELF);
    struct irq_line *com1_irq = irq_line_create_isa(COM1_IRQ, &r);
    if (com1_irq)
        mint(p, SLOT_COM1_IRQ, MN_CAP_IRQ_LINE, &com1_irq->obj, COM1_IRQ, 0, "com1-irq");
    else
        log_warn("init: no IRQ line for COM1 (%s): serial_drv will poll\n", mn_error_name(r));
    uint64_t rd_size = startup_mint_initrd(p, SLOT_INITRD, MN_RIGHTS_ALL);
    if (!rd_size)
        panic("init: the initrd is missing or not page-aligned");
    note(SLOT_INITRD, MN_CAP_MMIO_REGION, "initrd");
    if (boot_cmdline_get(bi, "utest", value, sizeof value))
        mint(p, SLOT_DEBUG_EXIT, MN_CAP_IO_PORT, NULL, DEBUG_EXIT_BASE, 4, "debug-exit");
    give_devices(p);

    const char *argv[MN_STARTUP_MAX_ARGS];
    argv[0] = "init";
    int argc = 1 + split_words(cmdline, argv + 1, MN_STARTUP_MAX_ARGS - 1);
    r = startup_page_build(p, argv, argc, caps, ncaps, rd_size, ktime_boot_tsc());
    if (r != MN_ERR_OK)
        panic("init: cannot build its startup page: %s", mn_error_name(r));
    kprintf("init: starting bin/init (pid %lu) with %d capabilities\n", p->pid, ncaps);
    thread_start(t);
    thread_put(t);
    process_put(p);
}
