/*
 * The console protocol: how programs talk to the console server
 * (serial_drv) over two endpoints, one for output and one for input.
 * Messages are calls (SYS_CALL); bytes travel in the data words, 16 per
 * message, first byte in the lowest bits of data0.
 *
 *   output endpoint ("console"):
 *     label MN_CONSOLE_WRITE | n << 8 (n = 1..16), data0/data1 the bytes
 *       -> reply label = bytes written
 *   input endpoint ("console-in"):
 *     label MN_CONSOLE_READ | max << 8 (max = 1..16)
 *       -> reply label = n (1..max, blocks until a byte came), data0/data1 the bytes
 *
 * An unknown label is answered with MN_ERR_BAD_ARG in the reply label.
 */
#ifndef MNOS_CONSOLE_H
#define MNOS_CONSOLE_H

#define MN_CONSOLE_WRITE 1u
#define MN_CONSOLE_READ 2u
#define MN_CONSOLE_OP(label) ((label)&0xFFu)
#define MN_CONSOLE_LEN(label) (((label) >> 8) & 0xFFu)
#define MN_CONSOLE_MAX 16u

/* Roles of the two endpoints in a startup page. */
#define MN_ROLE_CONSOLE_IN "console-in"

#endif
