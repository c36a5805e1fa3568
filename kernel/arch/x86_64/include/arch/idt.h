/*
 * The IDT, the saved register frame every interrupt stub builds, and the
 * registration of handlers for IRQ vectors (32..255).
 *
 * Vector plan:
 *   0x00-0x1F  CPU exceptions (kernel/arch/x86_64/exceptions.c)
 *   0x20-0x2F  the legacy 8259 PICs, remapped here and masked (strays are counted)
 *   0x30-0x3F  ISA IRQs 0-15 routed through the I/O APIC (IRQ_VECTOR_ISA(n))
 *   0x40-0xDF  free for device IRQs (irq_alloc_vector)
 *   0xE0-0xEE  IPIs (SMP, later)
 *   0xEF       the LAPIC timer
 *   0xFE       LAPIC error
 *   0xFF       LAPIC spurious
 */
#ifndef ARCH_IDT_H
#define ARCH_IDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mnos/errors.h>

#define IDT_VECTORS 256
#define IRQ_VECTOR_PIC 0x20
#define IRQ_VECTOR_ISA(n) (0x30 + (n))
#define IRQ_VECTOR_DYN_LO 0x40
#define IRQ_VECTOR_DYN_HI 0xDF
#define IRQ_VECTOR_TIMER 0xEF
#define IRQ_VECTOR_ERROR 0xFE
#define IRQ_VECTOR_SPURIOUS 0xFF

/*
 * What isr.S pushes: the general registers (r15 at the lowest address), the
 * vector, the error code (0 for vectors without one), then the CPU's own
 * interrupt frame. Handlers may change it; iretq restores from it.
 */
struct int_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error;
    uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct int_frame) == 22 * 8, "int_frame layout is shared with isr.S");
_Static_assert(offsetof(struct int_frame, vector) == 15 * 8, "int_frame.vector offset (isr.S)");
_Static_assert(offsetof(struct int_frame, rip) == 17 * 8, "int_frame.rip offset (isr.S)");

/* An IDT gate (Intel SDM vol. 3, 6.14.1). */
struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gates are 16 bytes");
_Static_assert(offsetof(struct idt_gate, offset_hi) == 8, "IDT gate offset_hi at 8");

typedef void (*irq_handler_fn)(struct int_frame *frame, void *ctx);

/*
 * Called at the end of every IRQ (after the EOI) on the interrupted
 * context's stack; the scheduler uses it to preempt. NULL until set.
 */
extern void (*irq_exit_hook)(struct int_frame *frame);

/* Called first in every interrupt and exception (the scheduler ends an idle CPU's halted span). NULL until set. */
extern void (*irq_enter_hook)(void);

/*
 * Builds the shared IDT (once) and loads it on this CPU. Exceptions 2, 8 and
 * 18 use IST_NMI, IST_DOUBLE_FAULT and IST_MACHINE_CHECK, so the TSS's IST
 * slots must point at valid stacks before one of those can happen.
 */
void idt_init_cpu(void);

/*
 * Makes `fn(frame, ctx)` the handler of `vector` (32..255). Returns 0,
 * MN_ERR_BAD_ARG (an exception vector, or fn is NULL) or MN_ERR_BUSY (the
 * vector already has a handler). Handlers run with
 * interrupts off; the dispatcher sends the LAPIC EOI after they return
 * (except for the spurious vector, which needs none).
 */
int irq_register(unsigned vector, irq_handler_fn fn, void *ctx);

/* Removes the handler of `vector` (no-op when there is none). */
void irq_unregister(unsigned vector);

/*
 * As irq_unregister, for a vector a device may still send to (an IRQ
 * line whose last capability went: an MSI, or an INTx delivery already
 * on its way): until it is registered again, its interrupts are counted
 * and ignored without a warning.
 */
void irq_retire(unsigned vector);

/* Returns a free vector in 0x40..0xDF, reserved for the caller, or 0 if none is left. */
unsigned irq_alloc_vector(void);

/* Interrupts taken on each vector since boot (all CPUs). */
uint64_t irq_count(unsigned vector);

/* Set by the LAPIC driver: the EOI the dispatcher sends after an IRQ handler. */
extern void (*irq_eoi_hook)(void);

/* The common C entry of every stub (isr.S). */
void interrupt_dispatch(struct int_frame *frame);

/*
 * Called for a CPU exception from Ring 3 that no probe claimed, with the
 * fault address (CR2 for #PF, else 0). Set by the process code: it kills
 * the process and does not return; if it returns (no process), the
 * exception handler panics.
 */
extern void (*user_fault_hook)(const struct int_frame *frame, uint64_t addr);

/* Exceptions (exceptions.c). */
void exception_handle(struct int_frame *frame);
const char *exception_name(unsigned vector);
/* Prints the registers of `frame`, CR2/CR3, and a symbolized backtrace. */
void exception_dump(const struct int_frame *frame);
/* Formats "rip=CS:RIP symbol+0xoff" of `frame` into buf (ksnprintf contract). */
int exception_format_rip(const struct int_frame *frame, char *buf, size_t size);

#endif
