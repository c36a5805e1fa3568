/*
 * Loading an ELF executable into a process: every PT_LOAD segment mapped
 * page by page with its permissions (W^X, user, file bytes copied, the rest
 * zeroed) and the main thread's user stack: USER_STACK_PAGES pages ending at
 * MN_USER_STACK_TOP, with the page below them left unmapped as a guard.
 */
#ifndef LOADER_LOAD_H
#define LOADER_LOAD_H

#include <stddef.h>
#include <stdint.h>

struct process;

#define USER_STACK_PAGES 16

/*
 * Validates image[0..size) (elf_parse) and maps it into p, which must have
 * an empty user half. On success returns MN_ERR_OK and stores the entry
 * point and initial stack pointer. Errors: MN_ERR_BAD_FORMAT (the message
 * naming the problem is logged with `name`), MN_ERR_NO_MEMORY,
 * MN_ERR_MAP_FAILED. On error, what was mapped stays in p's address space
 * and goes with it.
 */
int elf_load(struct process *p, const char *name, const void *image, size_t size, uint64_t *entry, uint64_t *stack_top);

#endif
