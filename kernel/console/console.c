/* Console fan-out and boot-log history. Callers serialize through the log lock. */
#include "console/console.h"

#include <arch/serial.h>
#include <stdbool.h>

#include "console/fbcon.h"
#include "debug/log.h"

#define HISTORY_SIZE 16384

/* Each history byte stores the character; levels go in a parallel array. */
static char history[HISTORY_SIZE];
static unsigned char history_level[HISTORY_SIZE];
static size_t history_len;
static bool fb_up;

void console_write(const char *s, size_t n, int level)
{
    serial_write(s, n);
    if (fb_up) {
        fbcon_write(s, n, level);
        return;
    }
    for (size_t i = 0; i < n && history_len < HISTORY_SIZE; i++) {
        history[history_len] = s[i];
        history_level[history_len++] = (unsigned char)level;
    }
}

void console_start_framebuffer(const struct boot_framebuffer *fb)
{
    if (!fb->present || !fbcon_init(fb))
        return;
    for (size_t i = 0; i < history_len; i++)
        fbcon_write(&history[i], 1, history_level[i]);
    fb_up = true;
}
