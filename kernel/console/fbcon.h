/* Text console on a linear framebuffer: 8x16 glyphs, colours, scrolling. */
#ifndef CONSOLE_FBCON_H
#define CONSOLE_FBCON_H

#include <stdbool.h>
#include <stddef.h>

#include "boot/boot_info.h"

/* Takes over the framebuffer and clears it; false if its format is unusable. */
bool fbcon_init(const struct boot_framebuffer *fb);
/* Draws n bytes in the colour for log level `level`; handles \n, \r, \t. */
void fbcon_write(const char *s, size_t n, int level);
/* Text geometry, for tests: columns and rows. */
void fbcon_size(unsigned *cols, unsigned *rows);

#endif
