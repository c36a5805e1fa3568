/* The IDT and the dispatch of every vector to exceptions or IRQ handlers. */
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/syscall.h>

#include "debug/log.h"
#include "lib/spinlock.h"

extern const uint64_t isr_stubs[IDT_VECTORS];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static bool idt_built;

static struct {
    irq_handler_fn fn;
    void *ctx;
    bool reserved;
    bool stale; /* freed by irq_retire: interrupts still arriving are expected and ignored */
} handlers[IDT_VECTORS];
static spinlock_t handlers_lock = SPINLOCK_INIT("irq handlers");
static uint64_t counts[IDT_VECTORS];

void (*irq_eoi_hook)(void);
void (*irq_exit_hook)(struct int_frame *frame);
void (*irq_enter_hook)(void);

/* An interrupt gate (IF cleared on entry), DPL 0, optionally on an IST stack. */
static void set_gate(unsigned vector, uint64_t addr, unsigned ist)
{
    struct idt_gate *g = &idt[vector];
    g->offset_lo = addr & 0xFFFF;
    g->selector = GDT_KERNEL_CODE;
    g->ist = ist & 7;
    g->type_attr = 0x8E; /* present, DPL 0, 64-bit interrupt gate */
    g->offset_mid = (addr >> 16) & 0xFFFF;
    g->offset_hi = addr >> 32;
    g->reserved = 0;
}

void idt_init_cpu(void)
{
    if (!idt_built) {
        for (unsigned v = 0; v < IDT_VECTORS; v++)
            set_gate(v, isr_stubs[v], 0);
        idt[2].ist = IST_NMI;
        idt[8].ist = IST_DOUBLE_FAULT;
        idt[18].ist = IST_MACHINE_CHECK;
        /* #BP may later be raised from Ring 3 (int3): DPL 3. */
        idt[3].type_attr = 0xEE;
        idt_built = true;
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) ptr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(ptr) : "memory");
}

int irq_register(unsigned vector, irq_handler_fn fn, void *ctx)
{
    if (vector < 32 || vector >= IDT_VECTORS || !fn)
        return MN_ERR_BAD_ARG;
    int rc = MN_ERR_BUSY;
    spin_lock(&handlers_lock);
    if (!handlers[vector].fn) {
        handlers[vector].ctx = ctx;
        __atomic_store_n(&handlers[vector].fn, fn, __ATOMIC_RELEASE);
        handlers[vector].reserved = true;
        handlers[vector].stale = false;
        rc = 0;
    }
    spin_unlock(&handlers_lock);
    return rc;
}

void irq_unregister(unsigned vector)
{
    if (vector < 32 || vector >= IDT_VECTORS)
        return;
    spin_lock(&handlers_lock);
    __atomic_store_n(&handlers[vector].fn, NULL, __ATOMIC_RELEASE);
    handlers[vector].ctx = NULL;
    handlers[vector].reserved = false;
    spin_unlock(&handlers_lock);
}

void irq_retire(unsigned vector)
{
    irq_unregister(vector);
    if (vector >= 32 && vector < IDT_VECTORS)
        __atomic_store_n(&handlers[vector].stale, true, __ATOMIC_RELEASE);
}

unsigned irq_alloc_vector(void)
{
    unsigned found = 0;
    spin_lock(&handlers_lock);
    for (unsigned v = IRQ_VECTOR_DYN_LO; v <= IRQ_VECTOR_DYN_HI; v++) {
        if (!handlers[v].reserved && !handlers[v].fn) {
            handlers[v].reserved = true;
            found = v;
            break;
        }
    }
    spin_unlock(&handlers_lock);
    return found;
}

uint64_t irq_count(unsigned vector)
{
    return vector < IDT_VECTORS ? __atomic_load_n(&counts[vector], __ATOMIC_RELAXED) : 0;
}

void interrupt_dispatch(struct int_frame *frame)
{
    unsigned v = frame->vector & 0xFF;
    if (irq_enter_hook)
        irq_enter_hook();
    __atomic_fetch_add(&counts[v], 1, __ATOMIC_RELAXED);
    if (v < 32) {
        exception_handle(frame);
        return;
    }
    irq_handler_fn fn = __atomic_load_n(&handlers[v].fn, __ATOMIC_ACQUIRE);
    if (fn)
        fn(frame, handlers[v].ctx);
    else if (__atomic_load_n(&handlers[v].stale, __ATOMIC_ACQUIRE))
        ; /* a device still signalling a freed IRQ line's vector (its driver died): counted, ignored */
    else if (v != IRQ_VECTOR_SPURIOUS && (v < IRQ_VECTOR_PIC || v >= IRQ_VECTOR_PIC + 16))
        log_warn("irq: unexpected interrupt on vector %u\n", v);
    /*
     * Spurious LAPIC interrupts take no EOI; neither do stray 8259 vectors
     * (the PICs are masked and never set an ISR bit in the LAPIC).
     */
    if (v != IRQ_VECTOR_SPURIOUS && (v < IRQ_VECTOR_PIC || v >= IRQ_VECTOR_PIC + 16) && irq_eoi_hook)
        irq_eoi_hook();
    /* After the EOI: the scheduler may switch threads here (preemption). */
    if (irq_exit_hook)
        irq_exit_hook(frame);
    /* Back to Ring 3 only if the thread was not killed meanwhile. */
    if ((frame->cs & 3) && user_return_hook)
        user_return_hook();
}
