#!/usr/bin/env python3
"""Turns the `acpidump:` lines of a serial log (kernel test=acpi_dump) into
one binary file per table: <outdir>/<SIG>.bin (RSDP.bin, RSDT.bin or
XSDT.bin, APIC.bin, ...) plus <outdir>/layout.txt listing "SIG phys length"
so host tests can rebuild the physical memory layout.

    undump.py build/x.log tests/data/acpi/q35
"""
import os
import sys


def main():
    log, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    tables, cur = [], None
    for line in open(log, errors="replace"):
        if "acpidump: " not in line:
            continue
        words = line.split("acpidump: ", 1)[1].split()
        if words[0] == "begin":
            cur = [words[1], int(words[2], 16), int(words[3]), bytearray()]
        elif words[0] == "end":
            assert cur and len(cur[3]) == cur[2], "length mismatch for %s" % cur[0]
            tables.append(cur)
            cur = None
        elif cur is not None:
            cur[3] += bytes.fromhex(words[0])
    with open(os.path.join(outdir, "layout.txt"), "w") as f:
        seen = set()
        for sig, phys, length, data in tables:
            name, n = sig, 1
            while name in seen:  # a second table with the same signature
                n += 1
                name = "%s%d" % (sig, n)
            seen.add(name)
            open(os.path.join(outdir, name + ".bin"), "wb").write(data)
            f.write("%s %x %d\n" % (name, phys, length))
    print("%d tables written to %s" % (len(tables), outdir))


main()
