/*
 * The raw user-memory copy and its exception fixup. arch_copy_user runs
 * one `rep movsb`; if that instruction faults (an unmapped or read-only
 * user page), the exception handler resumes at the fixup, which returns
 * -1. Callers validate the range first and bracket the call with
 * user_access_begin/end (<arch/cpu_features.h>); see kernel/syscall/uaccess.h.
 */
#ifndef ARCH_UACCESS_H
#define ARCH_UACCESS_H

#include <arch/idt.h>
#include <stdbool.h>
#include <stddef.h>

/* Copies n bytes; 0, or -1 when an access faulted (some bytes may have been copied). */
int arch_copy_user(void *dst, const void *src, size_t n);

/*
 * Called by the exception handler for a Ring 0 fault: when frame->rip is a
 * user-access instruction, redirects it to its fixup and returns true.
 */
bool uaccess_fixup(struct int_frame *frame);

#endif
