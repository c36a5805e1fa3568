/*
 * libmnos: memory and string routines (ISO C <string.h> plus strlcpy,
 * strdup and strndup). Freestanding: no locale, bytes compare as unsigned
 * char. Every function is safe to call from any thread; strdup/strndup
 * allocate with malloc and inherit its (lack of) thread safety.
 */
#ifndef MNOS_LIBC_STRING_H
#define MNOS_LIBC_STRING_H

#include <stddef.h>

#include "mn_libc.h"

/* Copies n bytes from src to dst, which must not overlap; returns dst. */
void *MN_LIBC(memcpy)(void *restrict dst, const void *restrict src, size_t n);
/* Copies n bytes from src to dst as if through a temporary: the two may overlap; returns dst. */
void *MN_LIBC(memmove)(void *dst, const void *src, size_t n);
/* Fills n bytes at dst with (unsigned char)c; returns dst. */
void *MN_LIBC(memset)(void *dst, int c, size_t n);
/* Compares n bytes: <0, 0 or >0 as the first differing byte of a is below, equal to or above b's. */
int MN_LIBC(memcmp)(const void *a, const void *b, size_t n);
/* Returns the first of the n bytes at s equal to (unsigned char)c, or NULL. */
void *MN_LIBC(memchr)(const void *s, int c, size_t n);

/* Returns the number of bytes before the terminating NUL. */
size_t MN_LIBC(strlen)(const char *s);
/* strlen(s), but reads at most max bytes and returns at most max. */
size_t MN_LIBC(strnlen)(const char *s, size_t max);
/* Compares two strings as unsigned bytes: <0, 0 or >0. */
int MN_LIBC(strcmp)(const char *a, const char *b);
/* strcmp on at most the first n bytes. */
int MN_LIBC(strncmp)(const char *a, const char *b, size_t n);
/* Returns the first (unsigned char)c in s, or NULL; c == 0 finds the terminator. */
char *MN_LIBC(strchr)(const char *s, int c);
/* Returns the last (unsigned char)c in s, or NULL; c == 0 finds the terminator. */
char *MN_LIBC(strrchr)(const char *s, int c);
/* Returns the first occurrence of needle in haystack (haystack itself for ""), or NULL. */
char *MN_LIBC(strstr)(const char *haystack, const char *needle);
/* Returns the length of the initial run of s made only of bytes in accept. */
size_t MN_LIBC(strspn)(const char *s, const char *accept);
/* Returns the length of the initial run of s made only of bytes not in reject. */
size_t MN_LIBC(strcspn)(const char *s, const char *reject);

/* Copies src with its NUL to dst (no overlap); returns dst. */
char *MN_LIBC(strcpy)(char *restrict dst, const char *restrict src);
/*
 * Copies at most n bytes of src to dst and pads the rest of the n bytes with
 * NULs; dst is NOT terminated when strlen(src) >= n. Returns dst.
 */
char *MN_LIBC(strncpy)(char *restrict dst, const char *restrict src, size_t n);
/*
 * Copies src into the size-byte buffer dst, truncating, and always
 * terminates dst when size > 0. Returns strlen(src): truncation happened
 * when the result is >= size.
 */
size_t MN_LIBC(strlcpy)(char *restrict dst, const char *restrict src, size_t size);
/* Appends src to the string in dst (no overlap); returns dst. */
char *MN_LIBC(strcat)(char *restrict dst, const char *restrict src);
/* Appends at most n bytes of src and a NUL to the string in dst; returns dst. */
char *MN_LIBC(strncat)(char *restrict dst, const char *restrict src, size_t n);

/* Returns a malloc'ed copy of s, or NULL when out of memory. */
char *MN_LIBC(strdup)(const char *s);
/* Returns a malloc'ed, terminated copy of at most n bytes of s, or NULL when out of memory. */
char *MN_LIBC(strndup)(const char *s, size_t n);

#endif
