/*
 * file.c - the FILE functions of compat/stdio.h: read-only views of initrd
 * files, found directly or as members of a nested archive "DIR.tar" (see
 * stdio.h). The last nested archive opened is kept, since a spec file's
 * modules are read one after another from the same one.
 */
#include <stdarg.h>

#include "libmnos.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"
#include "tarfs/tarfs.h"

struct mn_file {
    const char *data;
    size_t size, pos;
    bool console; /* stdout/stderr */
};

static struct mn_file out_file = {NULL, 0, 0, true}, err_file = {NULL, 0, 0, true};
FILE *stdout = &out_file, *stderr = &err_file;

static struct {
    char path[128]; /* the archive's initrd path ("" = none open) */
    tarfs_t fs;
} nested;

/* path as a member of the archive "DIR.tar", DIR being everything before its last '/'. */
static int read_nested(const char *path, const void **data, size_t *size)
{
    const char *slash = strrchr(path, '/');
    if (!slash || (size_t)(slash - path) + 5 > sizeof nested.path)
        return MN_ERR_NOT_FOUND;
    char archive[sizeof nested.path];
    memcpy(archive, path, (size_t)(slash - path));
    strcpy(archive + (slash - path), ".tar");
    if (strcmp(archive, nested.path) != 0) {
        const void *buf;
        size_t n;
        nested.path[0] = 0;
        if (mn_initrd_read(archive, &buf, &n) != MN_ERR_OK || tarfs_open(&nested.fs, buf, n, NULL) != MN_ERR_OK)
            return MN_ERR_NOT_FOUND;
        strcpy(nested.path, archive);
    }
    return tarfs_read(&nested.fs, slash + 1, data, size);
}

FILE *fopen(const char *path, const char *mode)
{
    const void *data;
    size_t size;
    if (mode[0] != 'r' || strchr(mode, '+'))
        return NULL;
    if (mn_initrd_read(path, &data, &size) != MN_ERR_OK && read_nested(path, &data, &size) != MN_ERR_OK)
        return NULL;
    FILE *f = malloc(sizeof *f);
    if (f)
        *f = (struct mn_file){data, size, 0, false};
    return f;
}

int fclose(FILE *f)
{
    if (f && !f->console)
        free(f);
    return 0;
}

size_t fread(void *buf, size_t size, size_t count, FILE *f)
{
    if (f->console || size == 0)
        return 0;
    size_t n = (f->size - f->pos) / size;
    if (n > count)
        n = count;
    memcpy(buf, f->data + f->pos, n * size);
    f->pos += n * size;
    return n;
}

int fseek(FILE *f, long offset, int whence)
{
    long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->pos : (long)f->size;
    if (f->console || base + offset < 0 || (size_t)(base + offset) > f->size)
        return -1;
    f->pos = (size_t)(base + offset);
    return 0;
}

long ftell(FILE *f)
{
    return f->console ? -1 : (long)f->pos;
}

int fflush(FILE *f)
{
    (void)f;
    return 0; /* console output is never held back (libmnos's printf) */
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    return f->console ? vprintf(fmt, ap) : -1;
}

int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}
