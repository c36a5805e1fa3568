/* The kernel's polled COM1 console. */
#ifndef ARCH_SERIAL_H
#define ARCH_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

void serial_init(void);
void serial_putc(char c);
/* Writes n bytes, turning "\n" into "\r\n". */
void serial_write(const char *s, size_t n);

#endif
