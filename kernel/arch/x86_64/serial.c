/*
 * 16550 UART on COM1 (0x3F8), 115200 8N1, polled. This is the kernel's own
 * log and panic path; the interrupt-driven driver for programs lives in Ring 3.
 */
#include <arch/cpu.h>
#include <arch/serial.h>

#define COM1 0x3F8

enum {
    UART_DATA = 0, /* DLAB=0: data; DLAB=1: divisor low */
    UART_IER = 1, /* DLAB=0: interrupt enable; DLAB=1: divisor high */
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
};

#define LSR_THR_EMPTY 0x20

static bool serial_present;

void serial_init(void)
{
    outb(COM1 + UART_IER, 0x00); /* no interrupts */
    outb(COM1 + UART_LCR, 0x80); /* DLAB on */
    outb(COM1 + UART_DATA, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, 0x03); /* 8 bits, no parity, one stop bit */
    outb(COM1 + UART_FCR, 0xC7); /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
    /* A missing UART reads back 0xFF from every register. */
    serial_present = inb(COM1 + UART_LSR) != 0xFF;
}

void serial_putc(char c)
{
    if (!serial_present)
        return;
    for (int spins = 0; spins < 100000 && !(inb(COM1 + UART_LSR) & LSR_THR_EMPTY); spins++)
        cpu_relax();
    outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}
