/*
 * Framebuffer text console. Works at whatever resolution and RGB layout the
 * bootloader set (16, 24 or 32 bits per pixel): colours are packed from the
 * channel positions in the boot info. When the cursor reaches the bottom the
 * screen jumps up by a quarter of its height, so scrolling costs one copy per
 * several lines instead of one per line (frame buffer memory is slow under
 * emulation and on real hardware alike).
 */
#include "console/fbcon.h"

#include <stdint.h>

#include "debug/log.h"
#include "lib/string.h"
#include "mm/hhdm.h"

#define GLYPH_W 8
#define GLYPH_H 16

extern const uint8_t font8x16[128][16];

static struct {
    uint8_t *base;
    struct boot_framebuffer fb;
    unsigned bytes_pp;
    unsigned cols, rows;
    unsigned x, y;
    unsigned line_pos; /* characters since the last \n, for the timestamp colour */
    uint32_t bg;
} con;

static uint32_t pack(uint8_t r, uint8_t g, uint8_t b)
{
    const struct boot_framebuffer *fb = &con.fb;
    return ((uint32_t)(r >> (8 - fb->red_size)) << fb->red_pos) |
           ((uint32_t)(g >> (8 - fb->green_size)) << fb->green_pos) |
           ((uint32_t)(b >> (8 - fb->blue_size)) << fb->blue_pos);
}

static uint32_t level_colour(int level)
{
    switch (level) {
    case LOG_DEBUG: return pack(0x80, 0x80, 0x80);
    case LOG_WARN: return pack(0xFF, 0xD0, 0x40);
    case LOG_ERROR: return pack(0xFF, 0x50, 0x50);
    default: return pack(0xE0, 0xE0, 0xE0);
    }
}

static void put_pixel(uint8_t *p, uint32_t v)
{
    switch (con.bytes_pp) {
    case 4: *(volatile uint32_t *)p = v; break;
    case 3:
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
        break;
    default: *(volatile uint16_t *)p = (uint16_t)v; break;
    }
}

static void fill_rows(unsigned y0, unsigned y1, uint32_t v)
{
    for (unsigned y = y0; y < y1; y++) {
        uint8_t *row = con.base + (size_t)y * con.fb.pitch;
        for (unsigned x = 0; x < con.fb.width; x++)
            put_pixel(row + x * con.bytes_pp, v);
    }
}

static void draw_glyph(unsigned col, unsigned row, char c, uint32_t fg)
{
    unsigned char ch = (unsigned char)c;
    const uint8_t *glyph = font8x16[ch < 0x20 || ch > 0x7F ? 0x7F : ch];
    uint8_t *origin = con.base + (size_t)row * GLYPH_H * con.fb.pitch + (size_t)col * GLYPH_W * con.bytes_pp;
    for (unsigned gy = 0; gy < GLYPH_H; gy++) {
        uint8_t *p = origin + (size_t)gy * con.fb.pitch;
        uint8_t bits = glyph[gy];
        for (unsigned gx = 0; gx < GLYPH_W; gx++, p += con.bytes_pp)
            put_pixel(p, (bits & (0x80 >> gx)) ? fg : con.bg);
    }
}

static void scroll(void)
{
    unsigned jump = con.rows / 4 ? con.rows / 4 : 1;
    size_t row_bytes = (size_t)GLYPH_H * con.fb.pitch;
    memmove(con.base, con.base + jump * row_bytes, (con.rows - jump) * row_bytes);
    fill_rows((con.rows - jump) * GLYPH_H, con.rows * GLYPH_H, con.bg);
    con.y -= jump;
}

static void newline(void)
{
    con.x = 0;
    if (++con.y >= con.rows)
        scroll();
}

bool fbcon_init(const struct boot_framebuffer *fb)
{
    if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
        return false;
    if (fb->width < GLYPH_W || fb->height < GLYPH_H)
        return false;
    uint64_t bytes = (uint64_t)fb->pitch * fb->height;
    void *base = hhdm_map_device(fb->phys, bytes);
    if (!base)
        return false;
    con.base = base;
    con.fb = *fb;
    con.bytes_pp = fb->bpp / 8;
    con.cols = fb->width / GLYPH_W;
    con.rows = fb->height / GLYPH_H;
    con.x = con.y = 0;
    con.bg = pack(0x10, 0x18, 0x28);
    fill_rows(0, fb->height, con.bg);
    return true;
}

void fbcon_write(const char *s, size_t n, int level)
{
    if (!con.base)
        return;
    uint32_t fg = level_colour(level);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            newline();
            con.line_pos = 0;
        } else if (c == '\r') {
            con.x = 0;
        } else if (c == '\t') {
            do {
                draw_glyph(con.x, con.y, ' ', fg);
                if (++con.x >= con.cols)
                    newline();
            } while (con.x % 8);
        } else {
            /* The timestamp prefix "[    0.000000]" is drawn dimmer. */
            uint32_t colour = fg;
            if (con.line_pos++ < 14 && level != LOG_DEBUG)
                colour = pack(0x60, 0xA0, 0xC0);
            draw_glyph(con.x, con.y, c, colour);
            if (++con.x >= con.cols)
                newline();
        }
    }
}

void fbcon_size(unsigned *cols, unsigned *rows)
{
    *cols = con.cols;
    *rows = con.rows;
}
