/*
 * Console fan-out: every log line goes to COM1 and, once it is up, to the
 * framebuffer console. A history ring keeps the lines written before the
 * framebuffer was ready, so the screen shows the whole boot log.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#include <stddef.h>

#include "boot/boot_info.h"

/* Writes n bytes logged at `level` (enum log_level) to every console. */
void console_write(const char *s, size_t n, int level);

/* Starts the framebuffer console if the boot info has a usable framebuffer. */
void console_start_framebuffer(const struct boot_framebuffer *fb);

#endif
