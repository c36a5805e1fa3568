#!/bin/sh
# mksyms.sh KERNEL.ELF — prints assembly for the kernel's .ksyms section:
# a count, then (address, name pointer) pairs for every text symbol, sorted.
set -eu
nm -n --defined-only "$1" | awk '
    $2 ~ /^[tT]$/ { addr[n] = $1; name[n] = $3; n++ }
    END {
        print "\t.section .ksyms, \"a\""
        print "\t.balign 8"
        printf "\t.quad %d\n", n
        for (i = 0; i < n; i++) printf "\t.quad 0x%s, .Lname%d\n", addr[i], i
        for (i = 0; i < n; i++) printf ".Lname%d:\t.asciz \"%s\"\n", i, name[i]
    }'
