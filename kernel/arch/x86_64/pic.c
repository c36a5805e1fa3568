/* Legacy 8259 PICs: remap to IRQ_VECTOR_PIC and mask everything (the I/O APIC takes over). */
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/pic.h>

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

static void io_wait(void)
{
    outb(0x80, 0); /* POST port: a short delay between ICWs */
}

void pic_disable(void)
{
    outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
    io_wait();
    outb(PIC2_CMD, 0x11);
    io_wait();
    outb(PIC1_DATA, IRQ_VECTOR_PIC); /* ICW2: vector base */
    io_wait();
    outb(PIC2_DATA, IRQ_VECTOR_PIC + 8);
    io_wait();
    outb(PIC1_DATA, 4); /* ICW3: slave on IRQ2 */
    io_wait();
    outb(PIC2_DATA, 2);
    io_wait();
    outb(PIC1_DATA, 1); /* ICW4: 8086 mode */
    io_wait();
    outb(PIC2_DATA, 1);
    io_wait();
    outb(PIC1_DATA, 0xFF);
    outb(PIC2_DATA, 0xFF);
}
