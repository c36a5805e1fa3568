"""The framebuffer console test: boot the ISO under BIOS, take a QEMU
screendump once the kernel says "kernel alive", and read the screen back.

The reading is exact: every 8x16 cell is matched pixel for pixel against
our font (tools/font/font8x16.txt), with any non-background colour counting
as ink. The test passes when the screen holds at least a few text lines,
every line read from the screen is a line of the serial log, the
"kernel alive" line is among them, and the text is in more than one colour
(timestamps and messages are drawn differently).
"""
import os
import struct
import zlib

import qemu

HERE = os.path.dirname(os.path.abspath(__file__))
FONT = os.path.join(HERE, "..", "..", "tools", "font", "font8x16.txt")


def load_font(path=FONT):
    glyphs = {}
    lines = open(path).read().splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("char "):
            code = int(lines[i].split()[1], 16)
            rows = lines[i + 1:i + 17]
            glyphs[tuple(int(r.replace("#", "1").replace(".", "0"), 2) for r in rows)] = chr(code)
            i += 17
        else:
            i += 1
    return glyphs


def read_png(path):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG; returns (w, h, rows of (r,g,b) tuples)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError("unsupported PNG format (depth %d, colour %d)" % (depth, colour))
            bpp = 3 if colour == 2 else 4
        elif ctype == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    out = []
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return w, h, out


def read_screen(png_path):
    """Returns (text lines read off the screen, set of ink colours used)."""
    font = load_font()
    w, h, px = read_png(png_path)
    bg = px[h - 1][w - 1]  # the bottom-right corner is always background
    lines, colours = [], set()
    for row in range(h // 16):
        chars = []
        for col in range(w // 8):
            bits = []
            for gy in range(16):
                v = 0
                for gx in range(8):
                    p = px[row * 16 + gy][col * 8 + gx]
                    v = v << 1 | (p != bg)
                    if p != bg:
                        colours.add(p)
                bits.append(v)
            chars.append(font.get(tuple(bits), "\ufffd"))
        lines.append("".join(chars).rstrip())
    return lines, colours


def check_framebuffer_console(build):
    """Returns (ok, reason)."""
    log_path = os.path.join(build, "qemu", "screen-bios.log")
    png = os.path.join(build, "qemu", "screen-bios.png")
    sock = os.path.join(build, "qemu", "screen.qmp")
    for p in (png, sock):
        if os.path.exists(p):
            os.remove(p)

    def dump(proc):
        qemu.qmp(sock, {"execute": "screendump", "arguments": {"filename": os.path.abspath(png), "format": "png"}})

    args = qemu.machine_args("q35", "bios", None, None, os.path.join(build, "minimalos.iso"), "")
    args += ["-m", "256M", "-smp", "4", "-qmp", "unix:%s,server=on,wait=off" % sock]
    r = qemu.run(args, log_path, 90, until="kernel alive", on_until=dump)
    if not os.path.exists(png):
        return False, "no screendump taken (kernel alive never seen?); log " + log_path
    lines, colours = read_screen(png)
    # A log line wider than the screen goes on in the next row: join the rows back into one line.
    with open(png, "rb") as f:
        cols = int.from_bytes(f.read(24)[16:20], "big") // 8  # the IHDR width, in 8-pixel glyphs
    joined, wrapped = [], False
    for l in lines:
        if wrapped:
            joined[-1] += l
        else:
            joined.append(l)
        wrapped = len(l) >= cols
    text = [l for l in joined if l.strip()]
    serial = [l.strip() for l in qemu.read_log(log_path).splitlines()]
    missing = [l for l in text if l.strip() not in serial]
    if len(text) < 5:
        return False, "only %d text lines on screen (%s)" % (len(text), png)
    if missing:
        return False, "screen line not in the serial log: %r (%s)" % (missing[0], png)
    if not any("kernel alive" in l for l in text):
        return False, "'kernel alive' is not on screen (%s)" % png
    if len(colours) < 2:
        return False, "text drawn in a single colour (%s)" % png
    return True, ""
