#!/usr/bin/env python3
"""Makes the corrupted copies under corrupt/ from the q35 dump: each breaks
one rule the parsers must enforce. Run from this directory; the outputs are
committed, so this only documents how they were made."""
import os
import struct


def fix(t):
    """Recomputes an ACPI table's checksum (byte 9) over its length field."""
    t = bytearray(t)
    length = struct.unpack_from("<I", t, 4)[0]
    t[9] = 0
    t[9] = (-sum(t[:min(length, len(t))])) & 0xFF
    return bytes(t)


def put(name, data):
    os.makedirs("corrupt", exist_ok=True)
    open(os.path.join("corrupt", name), "wb").write(data)


apic = open("q35/APIC.bin", "rb").read()
hpet = open("q35/HPET.bin", "rb").read()
rsdt = open("q35/RSDT.bin", "rb").read()
rsdp = open("q35/RSDP.bin", "rb").read()

b = bytearray(apic); b[50] ^= 0x40
put("APIC-badsum.bin", bytes(b))                       # checksum mismatch
put("APIC-truncated.bin", apic[:100])                  # buffer shorter than length
b = bytearray(apic); struct.pack_into("<I", b, 4, 4096)
put("APIC-length-over.bin", fix(b))                    # length larger than the buffer
b = bytearray(apic[:44]); struct.pack_into("<I", b, 4, 44)
put("APIC-noentries.bin", fix(b))                      # zero entries
b = bytearray(apic); b[44 + 1] = 0
put("APIC-zero-entry-len.bin", fix(b))                 # an entry of length 0
b = bytearray(apic); b[44 + 1] = 200
put("APIC-entry-overrun.bin", fix(b))                  # an entry past the end
b = bytearray(apic); struct.pack_into("<I", b, 4, 20)
put("APIC-length-small.bin", fix(b))                   # length below the header
b = bytearray(hpet); b[0] = ord("X")
put("HPET-badsig.bin", bytes(b))                       # signature (checksum broken too)
b = bytearray(rsdt[:36]); struct.pack_into("<I", b, 4, 36)
put("RSDT-empty.bin", fix(b))                          # root table with zero entries
b = bytearray(rsdp); b[12] ^= 1
put("RSDP-badsum.bin", bytes(b))                       # RSDP checksum
