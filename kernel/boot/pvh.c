/*
 * PVH boot information (hvm_start_info, from Xen's public ABI, as QEMU's
 * -kernel loader fills it). Version 1 carries the memory map we need; the
 * module list, command line and memory map are separate physical ranges, and
 * each is checked for reachability and size before use.
 */
#include "boot/boot_info.h"
#include "lib/string.h"

struct hvm_start_info {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr; /* version >= 1 */
    uint32_t memmap_entries;
    uint32_t reserved;
};

struct hvm_modlist_entry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};

struct hvm_memmap_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
    uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry layout");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "hvm_memmap_entry layout");

/* Copies a NUL-terminated physical string of at most out_size-1 characters. */
static const char *copy_phys_string(uint64_t phys, phys_reader_fn read, char *out, size_t out_size)
{
    out[0] = 0;
    if (!phys)
        return NULL;
    for (size_t i = 0; i < out_size; i++) {
        const char *c = read(phys + i, 1);
        if (!c)
            return "pvh: string is not in reachable memory";
        out[i] = *c;
        if (!*c)
            return NULL;
    }
    return "pvh: string too long";
}

const char *pvh_parse(uint64_t phys, phys_reader_fn read, struct boot_info *bi)
{
    memset(bi, 0, sizeof *bi);
    bi->protocol = "pvh";
    const struct hvm_start_info *si = read(phys, sizeof *si);
    if (!si)
        return "pvh: start info is not in reachable memory";
    if (si->magic != PVH_START_MAGIC)
        return "pvh: bad start info magic";
    if (si->version < 1)
        return "pvh: start info version 0 has no memory map";

    const char *err = copy_phys_string(si->cmdline_paddr, read, bi->cmdline, sizeof bi->cmdline);
    if (err)
        return err;

    if (si->nr_modules > BOOT_MAX_MODULES)
        return "pvh: too many modules";
    if (si->nr_modules) {
        const struct hvm_modlist_entry *mods = read(si->modlist_paddr, si->nr_modules * sizeof *mods);
        if (!mods)
            return "pvh: module list is not in reachable memory";
        for (uint32_t i = 0; i < si->nr_modules; i++) {
            struct boot_module *m = &bi->modules[bi->module_count++];
            if (mods[i].paddr + mods[i].size < mods[i].paddr)
                return "pvh: module range wraps around";
            m->phys = mods[i].paddr;
            m->size = mods[i].size;
            err = copy_phys_string(mods[i].cmdline_paddr, read, m->name, sizeof m->name);
            if (err)
                return err;
        }
    }

    if (si->memmap_entries == 0 || si->memmap_entries > BOOT_MAX_MMAP)
        return "pvh: memory map entry count out of range";
    const struct hvm_memmap_entry *mm = read(si->memmap_paddr, si->memmap_entries * sizeof *mm);
    if (!mm)
        return "pvh: memory map is not in reachable memory";
    for (uint32_t i = 0; i < si->memmap_entries; i++) {
        struct mem_region *r = &bi->mmap[bi->mmap_count++];
        r->base = mm[i].addr;
        r->length = mm[i].size;
        r->type = (mm[i].type >= MEM_USABLE && mm[i].type <= MEM_BAD) ? mm[i].type : MEM_RESERVED;
    }

    if (si->rsdp_paddr) {
        const uint8_t *rsdp = read(si->rsdp_paddr, 20);
        if (!rsdp)
            return "pvh: RSDP is not in reachable memory";
        bi->rsdp_phys = si->rsdp_paddr;
        bi->rsdp_size = rsdp[15] >= 2 ? 36 : 20;
        rsdp = read(si->rsdp_paddr, bi->rsdp_size);
        if (!rsdp)
            return "pvh: RSDP is not in reachable memory";
        memcpy(bi->rsdp, rsdp, bi->rsdp_size);
    }
    return NULL;
}
