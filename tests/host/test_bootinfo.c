/*
 * Boot-info parsers fed with hand-made Multiboot2 tag lists and PVH start
 * infos, good and malformed. The structure under test is always placed at
 * the very end of an exactly-sized heap block that stands for physical
 * memory, so ASan catches any read past what the parser was allowed to see.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_info.h"
#include "host_test.h"

/* ---- fake physical memory --------------------------------------------- */
static uint8_t *mem;
static size_t mem_size;

static const void *fake_read(uint64_t phys, size_t len)
{
    if (phys > mem_size || len > mem_size - phys)
        return NULL;
    return mem + phys;
}

static void mem_set(const void *image, size_t len, size_t pad_before)
{
    free(mem);
    mem_size = pad_before + len;
    mem = malloc(mem_size);
    memset(mem, 0xCC, pad_before);
    memcpy(mem + pad_before, image, len);
}

/* ---- a Multiboot2 builder --------------------------------------------- */
struct mb2 {
    uint8_t buf[4096];
    uint32_t len;
};

static void mb2_start(struct mb2 *m)
{
    memset(m, 0, sizeof *m);
    m->len = 8;
}

static void *mb2_tag(struct mb2 *m, uint32_t type, uint32_t size)
{
    uint8_t *t = m->buf + m->len;
    memcpy(t, &type, 4);
    memcpy(t + 4, &size, 4);
    m->len += (size + 7) & ~7u;
    return t;
}

static void mb2_end(struct mb2 *m)
{
    mb2_tag(m, 0, 8);
    memcpy(m->buf, &m->len, 4);
}

static void mb2_string(struct mb2 *m, uint32_t type, const char *s)
{
    uint8_t *t = mb2_tag(m, type, 8 + (uint32_t)strlen(s) + 1);
    strcpy((char *)t + 8, s);
}

static void mb2_mmap(struct mb2 *m, int entries)
{
    uint8_t *t = mb2_tag(m, 6, 16 + 24 * entries);
    uint32_t esz = 24, ver = 0;
    memcpy(t + 8, &esz, 4);
    memcpy(t + 12, &ver, 4);
    for (int i = 0; i < entries; i++) {
        uint64_t base = (uint64_t)i << 20, len = 1 << 20;
        uint32_t type = i == 1 ? 2 : 1;
        memcpy(t + 16 + 24 * i, &base, 8);
        memcpy(t + 24 + 24 * i, &len, 8);
        memcpy(t + 32 + 24 * i, &type, 4);
    }
}

static void mb2_valid(struct mb2 *m)
{
    mb2_start(m);
    mb2_string(m, 1, "test=all loglevel=debug");
    mb2_string(m, 2, "GRUB 2.06");
    uint8_t *mod = mb2_tag(m, 3, 16 + 7);
    uint32_t s = 0x200000, e = 0x203000;
    memcpy(mod + 8, &s, 4);
    memcpy(mod + 12, &e, 4);
    strcpy((char *)mod + 16, "initrd");
    mb2_mmap(m, 3);
    uint8_t *fb = mb2_tag(m, 8, 38);
    uint64_t addr = 0xfd000000;
    uint32_t pitch = 4096, w = 1024, h = 768;
    memcpy(fb + 8, &addr, 8);
    memcpy(fb + 16, &pitch, 4);
    memcpy(fb + 20, &w, 4);
    memcpy(fb + 24, &h, 4);
    fb[28] = 32;
    fb[29] = 1;
    fb[32] = 16, fb[33] = 8, fb[34] = 8, fb[35] = 8, fb[36] = 0, fb[37] = 8;
    uint8_t *acpi = mb2_tag(m, 14, 8 + 20);
    memcpy(acpi + 8, "RSD PTR ", 8);
    mb2_end(m);
}

static const char *parse_mb2(struct mb2 *m, struct boot_info *bi)
{
    mem_set(m->buf, m->len, 4096);
    return multiboot2_parse(4096, fake_read, bi);
}

/* ---- PVH builder ------------------------------------------------------ */
struct pvh_image {
    uint8_t buf[1024];
};

enum { SI = 0, MODLIST = 64, MEMMAP = 128, CMDLINE = 512, MODNAME = 600 };

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static void pvh_valid(struct pvh_image *p, uint64_t base)
{
    memset(p, 0, sizeof *p);
    put32(p->buf + 0, PVH_START_MAGIC);
    put32(p->buf + 4, 1);
    put32(p->buf + 12, 1); /* nr_modules */
    put64(p->buf + 16, base + MODLIST); /* modlist */
    put64(p->buf + 24, base + CMDLINE); /* cmdline */
    put64(p->buf + 32, 0); /* rsdp */
    put64(p->buf + 40, base + MEMMAP); /* memmap */
    put32(p->buf + 48, 2); /* memmap entries */
    put64(p->buf + MODLIST, 0x300000);
    put64(p->buf + MODLIST + 8, 10240);
    put64(p->buf + MODLIST + 16, base + MODNAME);
    put64(p->buf + MEMMAP, 0);
    put64(p->buf + MEMMAP + 8, 0x9fc00);
    put32(p->buf + MEMMAP + 16, 1);
    put64(p->buf + MEMMAP + 24, 0x100000);
    put64(p->buf + MEMMAP + 32, 0x7f00000);
    put32(p->buf + MEMMAP + 40, 1);
    strcpy((char *)p->buf + CMDLINE, "test=boot_info");
    strcpy((char *)p->buf + MODNAME, "initrd.tar");
}

static const char *parse_pvh(struct pvh_image *p, size_t len, struct boot_info *bi)
{
    mem_set(p->buf, len, 4096);
    return pvh_parse(4096, fake_read, bi);
}

int main(void)
{
    static struct boot_info bi;
    struct mb2 m;
    HT_BEGIN("bootinfo");

    HT_CASE("mb2-valid")
    {
        mb2_valid(&m);
        const char *err = parse_mb2(&m, &bi);
        HT_CHECK(err == NULL, "rejected: %s", err);
        HT_CHECK(strcmp(bi.cmdline, "test=all loglevel=debug") == 0, "cmdline %s", bi.cmdline);
        HT_CHECK(strcmp(bi.loader, "GRUB 2.06") == 0, "loader");
        HT_CHECK(bi.module_count == 1 && bi.modules[0].phys == 0x200000 && bi.modules[0].size == 0x3000 &&
                     strcmp(bi.modules[0].name, "initrd") == 0,
                 "module");
        HT_CHECK(bi.mmap_count == 3 && bi.mmap[1].type == MEM_RESERVED && bi.mmap[2].base == 2 << 20, "mmap");
        HT_CHECK(bi.fb.present && bi.fb.width == 1024 && bi.fb.red_pos == 16 && bi.fb.blue_size == 8, "fb");
        HT_CHECK(bi.rsdp_size == 20 && memcmp(bi.rsdp, "RSD PTR ", 8) == 0, "rsdp");
        char v[16];
        HT_CHECK(boot_cmdline_get(&bi, "loglevel", v, sizeof v) && strcmp(v, "debug") == 0, "cmdline key");
        HT_CHECK(!boot_cmdline_get(&bi, "log", v, sizeof v), "prefix of a key must not match");
        HT_CHECK(!boot_cmdline_get(&bi, "missing", v, sizeof v), "missing key");
    }
    HT_CASE("mb2-truncated-total")
    {
        /* Every prefix of a valid structure, with total_size claiming the prefix, is rejected. */
        mb2_valid(&m);
        struct mb2 cut;
        int accepted = 0;
        for (uint32_t len = 8; len < m.len; len += 4) {
            cut = m;
            cut.len = len;
            memcpy(cut.buf, &len, 4);
            if (parse_mb2(&cut, &bi) == NULL)
                accepted++;
        }
        HT_CHECK(accepted == 0, "%d truncated structures accepted", accepted);
    }
    HT_CASE("mb2-bad-sizes")
    {
        mb2_valid(&m);
        uint32_t huge = 0x7fffffff;
        memcpy(m.buf + 8 + 4, &huge, 4); /* first tag claims a huge size */
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "huge tag size accepted");
        mb2_valid(&m);
        uint32_t tiny = 4;
        memcpy(m.buf + 8 + 4, &tiny, 4);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "tag size < 8 accepted");
        mb2_valid(&m);
        uint32_t total = 1u << 30;
        memcpy(m.buf, &total, 4);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "total size beyond memory accepted");
        mb2_valid(&m);
        total = 12;
        memcpy(m.buf, &total, 4);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "total size below minimum accepted");
    }
    HT_CASE("mb2-structure")
    {
        mb2_start(&m);
        mb2_mmap(&m, 2);
        memcpy(m.buf, &m.len, 4); /* no end tag */
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "missing end tag accepted");
        mb2_start(&m);
        mb2_mmap(&m, 2);
        mb2_tag(&m, 0, 16);
        memcpy(m.buf, &m.len, 4);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "end tag of size 16 accepted");
        mb2_start(&m);
        mb2_string(&m, 1, "x");
        mb2_end(&m);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "structure without a memory map accepted");
        mb2_valid(&m);
        mem_set(m.buf, m.len, 4100);
        HT_CHECK(multiboot2_parse(4100, fake_read, &bi) != NULL, "misaligned structure accepted");
    }
    HT_CASE("mb2-bad-tags")
    {
        mb2_start(&m);
        mb2_mmap(&m, 2);
        uint8_t *t = mb2_tag(&m, 1, 8 + 4);
        memcpy(t + 8, "abcd", 4); /* command line without its NUL */
        mb2_end(&m);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "unterminated string accepted");
        mb2_start(&m);
        t = mb2_tag(&m, 6, 16 + 24);
        uint32_t esz = 0;
        memcpy(t + 8, &esz, 4);
        mb2_end(&m);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "memory map entry size 0 accepted");
        mb2_start(&m);
        mb2_mmap(&m, 1);
        t = mb2_tag(&m, 3, 16 + 2);
        uint32_t s = 0x5000, e = 0x4000;
        memcpy(t + 8, &s, 4);
        memcpy(t + 12, &e, 4);
        strcpy((char *)t + 16, "x");
        mb2_end(&m);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "module ending before its start accepted");
        mb2_start(&m);
        mb2_mmap(&m, 1);
        for (int i = 0; i < BOOT_MAX_MODULES + 1; i++) {
            t = mb2_tag(&m, 3, 16 + 2);
            strcpy((char *)t + 16, "m");
        }
        mb2_end(&m);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "too many modules accepted");
        mb2_start(&m);
        mb2_mmap(&m, 1);
        t = mb2_tag(&m, 15, 8 + 20);
        mb2_end(&m);
        HT_CHECK(parse_mb2(&m, &bi) != NULL, "short ACPI 2.0 RSDP accepted");
    }
    HT_CASE("mb2-unreachable")
    {
        mem_set("", 1, 8);
        HT_CHECK(multiboot2_parse(1 << 20, fake_read, &bi) != NULL, "unreachable address accepted");
        HT_CHECK(multiboot2_parse(0, fake_read, &bi) != NULL, "null address accepted");
    }
    HT_CASE("pvh-valid")
    {
        struct pvh_image p;
        pvh_valid(&p, 4096);
        const char *err = parse_pvh(&p, sizeof p.buf, &bi);
        HT_CHECK(err == NULL, "rejected: %s", err);
        HT_CHECK(strcmp(bi.protocol, "pvh") == 0, "protocol");
        HT_CHECK(strcmp(bi.cmdline, "test=boot_info") == 0, "cmdline");
        HT_CHECK(bi.module_count == 1 && bi.modules[0].size == 10240 && strcmp(bi.modules[0].name, "initrd.tar") == 0,
                 "module");
        HT_CHECK(bi.mmap_count == 2 && bi.mmap[1].length == 0x7f00000 && bi.mmap[1].type == MEM_USABLE, "mmap");
        HT_CHECK(bi.rsdp_size == 0, "no rsdp");
    }
    HT_CASE("pvh-malformed")
    {
        struct pvh_image p;
        pvh_valid(&p, 4096);
        put32(p.buf, 0x12345678);
        HT_CHECK(parse_pvh(&p, sizeof p.buf, &bi) != NULL, "bad magic accepted");
        pvh_valid(&p, 4096);
        put32(p.buf + 4, 0);
        HT_CHECK(parse_pvh(&p, sizeof p.buf, &bi) != NULL, "version 0 accepted");
        pvh_valid(&p, 4096);
        put32(p.buf + 48, 0);
        HT_CHECK(parse_pvh(&p, sizeof p.buf, &bi) != NULL, "empty memory map accepted");
        pvh_valid(&p, 4096);
        put32(p.buf + 48, 100000);
        HT_CHECK(parse_pvh(&p, sizeof p.buf, &bi) != NULL, "huge memory map accepted");
        pvh_valid(&p, 4096);
        put32(p.buf + 12, 0xffffffff);
        HT_CHECK(parse_pvh(&p, sizeof p.buf, &bi) != NULL, "huge module count accepted");
        pvh_valid(&p, 4096);
        put64(p.buf + 16, 0xfffffffffffff000ull);
        HT_CHECK(parse_pvh(&p, sizeof p.buf, &bi) != NULL, "unreachable module list accepted");
        pvh_valid(&p, 4096);
        put64(p.buf + MODLIST, 0xfffffffffffff000ull);
        put64(p.buf + MODLIST + 8, 0x10000);
        HT_CHECK(parse_pvh(&p, sizeof p.buf, &bi) != NULL, "wrapping module accepted");
        pvh_valid(&p, 4096);
        memset(p.buf + CMDLINE, 'x', sizeof p.buf - CMDLINE); /* command line runs off the end */
        HT_CHECK(parse_pvh(&p, sizeof p.buf, &bi) != NULL, "unterminated command line accepted");
        pvh_valid(&p, 4096);
        HT_CHECK(parse_pvh(&p, 40, &bi) != NULL, "truncated start info accepted");
    }
    free(mem);
    return HT_END();
}
