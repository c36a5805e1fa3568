/*
 * stdio.h - libmnos's stdio.h plus the few FILE functions the host's
 * Wasm spec runner (tests/host/wasm/spectest.c) uses, so that it builds
 * unchanged for Ring 3 (user/wasm/build.mk puts this directory first on
 * the include path). Files are read-only views of the initrd (file.c):
 * a path "DIR/NAME" that is not in the initrd is looked up as member NAME
 * of the archive "DIR.tar" (how the spec suite is packed: one archive per
 * .wast file). stdout and stderr write to the console.
 */
#ifndef USER_WASM_COMPAT_STDIO_H
#define USER_WASM_COMPAT_STDIO_H

#include "../../lib/include/stdio.h" /* libmnos's */

#include <stdarg.h>
#include <stddef.h>

typedef struct mn_file FILE;

extern FILE *stdout, *stderr;

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

FILE *fopen(const char *path, const char *mode); /* mode "r" or "rb" only */
int fclose(FILE *f);
size_t fread(void *buf, size_t size, size_t count, FILE *f);
int fseek(FILE *f, long offset, int whence);
long ftell(FILE *f);
int fflush(FILE *f);
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vfprintf(FILE *f, const char *fmt, va_list ap);

#endif
