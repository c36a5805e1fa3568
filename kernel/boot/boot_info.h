/*
 * The arch-neutral description of what the bootloader handed us. Both boot
 * protocols (Multiboot2 from GRUB, PVH from QEMU -kernel) are translated into
 * this one structure; nothing after kernel/boot/ looks at protocol data.
 * Everything is copied in, so the loader's memory can be reused afterwards.
 */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_MMAP 128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 512
#define BOOT_NAME_MAX 64

enum mem_type {
    MEM_USABLE = 1,
    MEM_RESERVED = 2,
    MEM_ACPI_RECLAIM = 3,
    MEM_ACPI_NVS = 4,
    MEM_BAD = 5,
};

struct mem_region {
    uint64_t base;
    uint64_t length;
    uint32_t type; /* enum mem_type */
};

struct boot_module {
    uint64_t phys;
    uint64_t size;
    char name[BOOT_NAME_MAX];
};

struct boot_framebuffer {
    bool present;
    uint64_t phys;
    uint32_t pitch; /* bytes per row */
    uint32_t width;
    uint32_t height;
    uint8_t bpp;
    uint8_t red_pos, red_size;
    uint8_t green_pos, green_size;
    uint8_t blue_pos, blue_size;
};

struct boot_info {
    const char *protocol; /* "multiboot2" or "pvh" */
    char cmdline[BOOT_CMDLINE_MAX];
    char loader[BOOT_NAME_MAX];
    struct mem_region mmap[BOOT_MAX_MMAP];
    uint32_t mmap_count;
    struct boot_module modules[BOOT_MAX_MODULES];
    uint32_t module_count;
    struct boot_framebuffer fb;
    /* ACPI RSDP: its physical address when known (PVH), and a copy (both). */
    uint64_t rsdp_phys;
    uint8_t rsdp[36];
    uint32_t rsdp_size; /* 0 = none, 20 = ACPI 1.0, 36 = ACPI 2.0+ */
};

/*
 * Maps `len` bytes of physical memory at `phys` for reading; returns NULL if
 * that range cannot be reached (outside RAM the kernel has mapped, or, in
 * host tests, outside the fake memory).
 */
typedef const void *(*phys_reader_fn)(uint64_t phys, size_t len);

/* Magic numbers the entry stub sees. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define PVH_START_MAGIC 0x336ec578u

/*
 * Parse the Multiboot2 information structure at `phys` into `bi`.
 * Returns NULL on success or a static message naming what is malformed;
 * nothing outside the declared structure is read.
 */
const char *multiboot2_parse(uint64_t phys, phys_reader_fn read, struct boot_info *bi);

/* Parse the PVH hvm_start_info at `phys` into `bi`; same contract. */
const char *pvh_parse(uint64_t phys, phys_reader_fn read, struct boot_info *bi);

/* Returns the value of `key=` on the command line (copied into out), or false. */
bool boot_cmdline_get(const struct boot_info *bi, const char *key, char *out, size_t out_size);

#endif
