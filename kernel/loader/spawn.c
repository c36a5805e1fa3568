/* Spawning initrd programs (see spawn.h). */
#include "loader/spawn.h"

#include "loader/initrd.h"
#include "loader/load.h"
#include "sched/process.h"
#include "sched/thread.h"
#include "sched/uthread.h"

int spawn_from_initrd(const char *path, uint64_t arg, struct process **pout, struct thread **tout)
{
    const void *image;
    size_t size;
    int r = initrd_read(path, &image, &size);
    if (r != MN_ERR_OK)
        return r;
    const char *name = path;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            name = c + 1;
    struct process *p = process_create(name);
    if (!p)
        return MN_ERR_NO_MEMORY;
    uint64_t entry, sp;
    struct thread *t = NULL;
    r = elf_load(p, path, image, size, &entry, &sp);
    if (r == MN_ERR_OK)
        r = uthread_create(p, name, entry, sp, arg, &t);
    if (r != MN_ERR_OK) {
        process_abandon(p);
        return r;
    }
    process_get(p);
    *pout = p;
    *tout = t;
    return MN_ERR_OK;
}
