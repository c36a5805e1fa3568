/*
 * The entry of every libmnos program: the main thread starts here with RSP
 * 16-byte aligned at the top of its stack and the address of its startup
 * page in RDI (<mnos/startup.h>). mn_start (start.c) sets the process up,
 * runs main and exits with its result; it never returns.
 */
        .section .text
        .global _start
_start:
        xorl %ebp, %ebp                 /* backtraces stop here */
        call mn_start
        ud2
