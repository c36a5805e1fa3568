/*
 * libmnos: character classes (ISO C <ctype.h>) for the "C" locale only:
 * ASCII, and every byte above 127 belongs to no class. The argument is an
 * unsigned char value or EOF, as in C; anything else gets "no" (and is
 * returned unchanged by toupper/tolower) rather than undefined behaviour.
 */
#ifndef MNOS_LIBC_CTYPE_H
#define MNOS_LIBC_CTYPE_H

#include "mn_libc.h"

/* '0'..'9' */
static inline int MN_LIBC(isdigit)(int c)
{
    return c >= '0' && c <= '9';
}

/* ' ', '\t', '\n', '\v', '\f', '\r' */
static inline int MN_LIBC(isspace)(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* 'A'..'Z' */
static inline int MN_LIBC(isupper)(int c)
{
    return c >= 'A' && c <= 'Z';
}

/* 'a'..'z' */
static inline int MN_LIBC(islower)(int c)
{
    return c >= 'a' && c <= 'z';
}

/* A letter of either case. */
static inline int MN_LIBC(isalpha)(int c)
{
    return MN_LIBC(isupper)(c) || MN_LIBC(islower)(c);
}

/* A letter or a digit. */
static inline int MN_LIBC(isalnum)(int c)
{
    return MN_LIBC(isalpha)(c) || MN_LIBC(isdigit)(c);
}

/* A digit or 'a'..'f' of either case. */
static inline int MN_LIBC(isxdigit)(int c)
{
    return MN_LIBC(isdigit)(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Printable, space included: ' '..'~'. */
static inline int MN_LIBC(isprint)(int c)
{
    return c >= ' ' && c <= '~';
}

/* The upper-case letter for a lower-case one; anything else unchanged. */
static inline int MN_LIBC(toupper)(int c)
{
    return MN_LIBC(islower)(c) ? c - 'a' + 'A' : c;
}

/* The lower-case letter for an upper-case one; anything else unchanged. */
static inline int MN_LIBC(tolower)(int c)
{
    return MN_LIBC(isupper)(c) ? c - 'A' + 'a' : c;
}

#endif
