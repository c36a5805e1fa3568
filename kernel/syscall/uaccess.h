/*
 * Copying to and from the calling process's memory. A user pointer is
 * accepted when [ptr, ptr + n) lies in the user half without wrapping and
 * every page of it is mapped for user access (and writable, for copies to
 * user space); a fault during the copy itself (another thread unmapping
 * the page meanwhile) is turned into the same error by the exception fixup
 * (<arch/uaccess.h>). SMAP is lifted only around the copy.
 */
#ifndef SYSCALL_UACCESS_H
#define SYSCALL_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when [uptr, uptr + n) is inside the user half (n == 0: always). */
bool user_range_ok(uint64_t uptr, size_t n);

/* Returns MN_ERR_OK or MN_ERR_BAD_POINTER (nothing or part copied). */
int copy_from_user(void *dst, uint64_t usrc, size_t n);
int copy_to_user(uint64_t udst, const void *src, size_t n);

#endif
