/* CPU protection features: detection (CPUID) and enabling (CR0, CR4, EFER, and the PAT layout). */
#include <arch/cpu.h>
#include <arch/cpu_features.h>
#include <arch/paging.h>

#include "debug/log.h"
#include "lib/format.h"

#define MSR_EFER 0xC0000080u
#define EFER_NXE (1ull << 11)
#define CR0_WP (1ull << 16)
#define CR4_PGE (1ull << 7)
#define CR4_UMIP (1ull << 11)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

struct cpu_features cpu_features;

static uint64_t cr0_read(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static uint64_t cr4_read(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static void detect(struct cpu_features *f)
{
    uint32_t a, b, c, d, max, maxext;
    cpuid(0, 0, &max, &b, &c, &d);
    cpuid(1, 0, &a, &b, &c, &d);
    f->pge = d & (1u << 13);
    f->pat = d & (1u << 16);
    f->pcid = c & (1u << 17);
    if (max >= 7) {
        cpuid(7, 0, &a, &b, &c, &d);
        f->smep = b & (1u << 7);
        f->invpcid = b & (1u << 10);
        f->smap = b & (1u << 20);
        f->umip = c & (1u << 2);
    }
    cpuid(0x80000000, 0, &maxext, &b, &c, &d);
    if (maxext >= 0x80000001) {
        cpuid(0x80000001, 0, &a, &b, &c, &d);
        f->nx = d & (1u << 20);
        f->gbpages = d & (1u << 26);
    }
    f->phys_bits = 36;
    f->virt_bits = 48;
    if (maxext >= 0x80000008) {
        cpuid(0x80000008, 0, &a, &b, &c, &d);
        f->phys_bits = a & 0xFF;
        f->virt_bits = (a >> 8) & 0xFF;
    }
}

void cpu_features_enable(void)
{
    const struct cpu_features *f = &cpu_features;
    if (f->nx)
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    uint64_t cr0 = cr0_read() | CR0_WP;
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0) : "memory");
    uint64_t cr4 = cr4_read();
    if (f->pge)
        cr4 |= CR4_PGE;
    if (f->smep)
        cr4 |= CR4_SMEP;
    if (f->smap)
        cr4 |= CR4_SMAP;
    if (f->umip)
        cr4 |= CR4_UMIP;
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4) : "memory");
    /* Every CPU must agree on what the PTE cache bits mean. */
    paging_pat_init();
}

static void append(char *buf, size_t size, const char *name)
{
    size_t len = 0;
    while (buf[len])
        len++;
    ksnprintf(buf + len, size - len, "%s%s", len ? " " : "", name);
}

void cpu_features_init(void)
{
    detect(&cpu_features);
    cpu_features_enable();
    const struct cpu_features *f = &cpu_features;
    struct {
        const char *name;
        bool on;
    } prot[] = {{"NX", f->nx}, {"SMEP", f->smep}, {"SMAP", f->smap}, {"UMIP", f->umip}, {"WP", true}, {"PGE", f->pge}};
    char on[64] = "", off[64] = "";
    for (size_t i = 0; i < sizeof prot / sizeof prot[0]; i++)
        append(prot[i].on ? on : off, sizeof on, prot[i].name);
    kprintf("cpu: %s enabled%s%s\n", on, off[0] ? "; missing: " : "", off);
    kprintf("cpu: %u-bit physical, %u-bit virtual addresses; PCID %s, INVPCID %s, 1 GiB pages %s, PAT %s\n",
            f->phys_bits, f->virt_bits, f->pcid ? "yes" : "no", f->invpcid ? "yes" : "no", f->gbpages ? "yes" : "no",
            f->pat ? "yes" : "no");
}
