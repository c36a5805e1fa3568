/*
 * Multiboot2 information parsing (GRUB 2). The structure is a size-prefixed
 * list of 8-byte-aligned tags ending with tag type 0. Every length is checked
 * against the enclosing size before it is used, so a malformed structure is
 * rejected with a message instead of being walked off the end of.
 */
#include "boot/boot_info.h"
#include "lib/bytes.h"
#include "lib/string.h"

#define MB2_MAX_INFO_SIZE (1u << 20)

enum {
    MB2_TAG_END = 0,
    MB2_TAG_CMDLINE = 1,
    MB2_TAG_LOADER = 2,
    MB2_TAG_MODULE = 3,
    MB2_TAG_MMAP = 6,
    MB2_TAG_FRAMEBUFFER = 8,
    MB2_TAG_ACPI_OLD = 14,
    MB2_TAG_ACPI_NEW = 15,
};

/* Copies a NUL-terminated string that must end inside [s, s+max). */
static const char *copy_string(const uint8_t *s, size_t max, char *out, size_t out_size)
{
    size_t n = strnlen((const char *)s, max);
    if (n == max)
        return "string not terminated inside its tag";
    if (n >= out_size)
        n = out_size - 1;
    memcpy(out, s, n);
    out[n] = 0;
    return NULL;
}

static const char *parse_mmap(const uint8_t *tag, uint32_t size, struct boot_info *bi)
{
    if (size < 16)
        return "memory map tag too short";
    uint32_t entry_size = rd32(tag + 8);
    if (entry_size < 24 || entry_size % 8)
        return "memory map entry size invalid";
    for (uint32_t off = 16; off + entry_size <= size; off += entry_size) {
        if (bi->mmap_count == BOOT_MAX_MMAP)
            return "memory map has too many entries";
        struct mem_region *r = &bi->mmap[bi->mmap_count++];
        r->base = rd64(tag + off);
        r->length = rd64(tag + off + 8);
        uint32_t type = rd32(tag + off + 16);
        r->type = (type >= MEM_USABLE && type <= MEM_BAD) ? type : MEM_RESERVED;
    }
    return NULL;
}

static const char *parse_framebuffer(const uint8_t *tag, uint32_t size, struct boot_info *bi)
{
    if (size < 31)
        return "framebuffer tag too short";
    struct boot_framebuffer *fb = &bi->fb;
    uint8_t type = tag[29];
    fb->phys = rd64(tag + 8);
    fb->pitch = rd32(tag + 16);
    fb->width = rd32(tag + 20);
    fb->height = rd32(tag + 24);
    fb->bpp = tag[28];
    if (type != 1)
        return NULL; /* indexed or EGA text: not a linear RGB console */
    if (size < 38)
        return "framebuffer tag too short for RGB fields";
    fb->red_pos = tag[32];
    fb->red_size = tag[33];
    fb->green_pos = tag[34];
    fb->green_size = tag[35];
    fb->blue_pos = tag[36];
    fb->blue_size = tag[37];
    if (fb->width == 0 || fb->height == 0 || (fb->bpp != 32 && fb->bpp != 24 && fb->bpp != 16))
        return NULL;
    if ((uint64_t)fb->pitch < (uint64_t)fb->width * (fb->bpp / 8))
        return "framebuffer pitch smaller than a row";
    fb->present = true;
    return NULL;
}

static const char *parse_tag(const uint8_t *tag, uint32_t type, uint32_t size, struct boot_info *bi)
{
    switch (type) {
    case MB2_TAG_CMDLINE: return copy_string(tag + 8, size - 8, bi->cmdline, sizeof bi->cmdline);
    case MB2_TAG_LOADER: return copy_string(tag + 8, size - 8, bi->loader, sizeof bi->loader);
    case MB2_TAG_MODULE: {
        if (size < 17)
            return "module tag too short";
        if (bi->module_count == BOOT_MAX_MODULES)
            return "too many modules";
        uint32_t start = rd32(tag + 8), end = rd32(tag + 12);
        if (end < start)
            return "module ends before it starts";
        struct boot_module *m = &bi->modules[bi->module_count++];
        m->phys = start;
        m->size = end - start;
        return copy_string(tag + 16, size - 16, m->name, sizeof m->name);
    }
    case MB2_TAG_MMAP: return parse_mmap(tag, size, bi);
    case MB2_TAG_FRAMEBUFFER: return parse_framebuffer(tag, size, bi);
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW: {
        uint32_t len = size - 8;
        if (len < 20)
            return "ACPI RSDP tag too short";
        if (type == MB2_TAG_ACPI_OLD && bi->rsdp_size == 36)
            return NULL; /* keep the ACPI 2.0 copy */
        if (len > sizeof bi->rsdp)
            len = sizeof bi->rsdp;
        if (type == MB2_TAG_ACPI_NEW && len < 36)
            return "ACPI 2.0 RSDP tag too short";
        memcpy(bi->rsdp, tag + 8, len);
        bi->rsdp_size = type == MB2_TAG_ACPI_NEW ? 36 : 20;
        return NULL;
    }
    default: return NULL; /* tags we do not use are skipped */
    }
}

const char *multiboot2_parse(uint64_t phys, phys_reader_fn read, struct boot_info *bi)
{
    memset(bi, 0, sizeof *bi);
    bi->protocol = "multiboot2";
    if (phys == 0 || phys % 8)
        return "multiboot2: information structure address is null or misaligned";
    const uint8_t *head = read(phys, 8);
    if (!head)
        return "multiboot2: information structure is not in reachable memory";
    uint32_t total = rd32(head);
    if (total < 16 || total > MB2_MAX_INFO_SIZE)
        return "multiboot2: total size out of range";
    const uint8_t *info = read(phys, total);
    if (!info)
        return "multiboot2: information structure is not in reachable memory";

    uint32_t off = 8;
    for (;;) {
        if (off + 8 > total)
            return "multiboot2: tag list runs past the total size (no end tag)";
        uint32_t type = rd32(info + off), size = rd32(info + off + 4);
        if (size < 8 || size > total - off)
            return "multiboot2: tag size out of range";
        if (type == MB2_TAG_END) {
            if (size != 8)
                return "multiboot2: end tag has the wrong size";
            break;
        }
        const char *err = parse_tag(info + off, type, size, bi);
        if (err)
            return err;
        off += (size + 7) & ~7u;
    }
    if (bi->mmap_count == 0)
        return "multiboot2: no memory map";
    return NULL;
}
