/* Kernel stacks: blocks of the kernel virtual area (the guard page comes with every block). */
#include "mm/kstack.h"

#include <arch/paging.h>

#include "debug/panic.h"
#include "mm/kva.h"
#include "mm/vmm.h"

void *kstack_alloc(size_t pages)
{
    char *start = kva_alloc_mapped(pages);
    return start ? start + pages * PAGE_4K : NULL;
}

void kstack_free(void *top)
{
    /* The stack's size is where the mappings stop: the guard page below it is unmapped. */
    uintptr_t va = (uintptr_t)top;
    if (va & (PAGE_4K - 1))
        panic("kstack: freeing %p, not a stack top", top);
    size_t pages = 0;
    while (vmm_translate(&kernel_as, va - (pages + 1) * PAGE_4K, NULL, NULL))
        pages++;
    if (pages == 0)
        panic("kstack: freeing %p, no stack below it", top);
    kva_free_mapped((void *)(va - pages * PAGE_4K), pages);
}
