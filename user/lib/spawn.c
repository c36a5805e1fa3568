/*
 * libmnos: starting programs from the initrd in Ring 3 — the ELF loader of
 * userspace (the kernel loads only init). For a child the parent makes an
 * empty process (PROCESS_CREATE), and for every page run of every PT_LOAD
 * segment allocates a frame, fills it through FRAME_WRITE (the bytes from
 * the file; the kernel zeroes frames, so BSS needs nothing), maps it into
 * the child with the segment's permissions and drops its own capability
 * (the mapping keeps the frame). Then a stack (with an unmapped guard page
 * below it), the startup page, the capabilities, and the main thread.
 *
 * The ELF checks are the kernel's own validator (kernel/loader/elf.c,
 * compiled into libmnos): bounds, overlaps, alignment, W^X, user-half
 * addresses.
 */
#include <mnos/startup.h>

#include "libmnos.h"
#include "loader/elf.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"
#include "tarfs/tarfs.h"

#define CHILD_STACK_ORDER 2 /* 16 KiB */

/*
 * The initrd's directory, read once: TarFS checks every header (checksum,
 * fields) as it walks, which is right once but costs a full walk per
 * lookup; a spawner looks files up all the time.
 */
struct dir_entry {
    char *path;
    const void *data;
    size_t size;
    char type;
};
static struct dir_entry *dir;
static uint32_t dir_count;
static int dir_state; /* 0 unread, 1 read, -1 no usable initrd */
static mn_mutex_t dir_lock = MN_MUTEX_INIT;

static void read_directory(void)
{
    size_t n;
    tarfs_t fs;
    const void *buf = mn_initrd(&n);
    dir_state = -1;
    if (!buf || tarfs_open(&fs, buf, n, NULL) != MN_ERR_OK)
        return;
    dir = malloc(sizeof *dir * (fs.count ? fs.count : 1));
    if (!dir)
        return;
    static tarfs_entry_t e;
    size_t cursor = 0;
    while (dir_count < fs.count && tarfs_next(&fs, &cursor, &e) == MN_ERR_OK) {
        char *p = strdup(e.path);
        if (!p)
            return;
        dir[dir_count++] = (struct dir_entry){p, e.data, e.size, e.type};
    }
    dir_state = 1;
}

int mn_initrd_read(const char *path, const void **data, size_t *size)
{
    mn_mutex_lock(&dir_lock);
    if (dir_state == 0)
        read_directory();
    mn_mutex_unlock(&dir_lock);
    if (dir_state < 0)
        return MN_ERR_NOT_FOUND;
    while (path[0] == '/' || (path[0] == '.' && path[1] == '/'))
        path += path[0] == '/' ? 1 : 2; /* the archive's names are relative */
    for (uint32_t i = 0; i < dir_count; i++) {
        if (strcmp(dir[i].path, path) != 0)
            continue;
        if (dir[i].type != TARFS_FILE && dir[i].type != TARFS_CONTIGUOUS)
            return MN_ERR_WRONG_TYPE;
        *data = dir[i].data;
        *size = dir[i].size;
        return MN_ERR_OK;
    }
    return MN_ERR_NOT_FOUND;
}

/* The largest order (<= 10) whose run fits in `pages` and keeps `va` aligned to it. */
static unsigned run_order(uint64_t va, uint64_t pages)
{
    unsigned order = 10;
    while (order > 0 && ((1ull << order) > pages || (va & ((MN_PAGE_SIZE << order) - 1))))
        order--;
    return order;
}

/*
 * A fresh frame of 2^order pages with `len` bytes of `src` at byte `off`,
 * mapped at va in process `child` with MN_MAP_* flags; the frame's own
 * capability is dropped again. `slot` is a scratch slot.
 */
static int64_t place(uint32_t child, uint32_t slot, unsigned order, uint64_t va, const void *src, uint64_t off,
                     uint64_t len, uint64_t flags)
{
    uint32_t alloc = mn_cap(MN_ROLE_ALLOCATOR);
    int64_t r = mn_sys_ALLOC_PAGES(alloc, slot, order);
    if (r != 0)
        return r;
    if (len)
        r = mn_sys_FRAME_WRITE(slot, off, (uint64_t)(uintptr_t)src, len);
    if (r == 0)
        r = mn_sys_MAP_MEMORY(child, slot, va, flags);
    mn_sys_DROP_CAP(slot);
    return r;
}

/* Loads every page of segment s of `image` into the child. */
static int64_t load_segment(uint32_t child, uint32_t slot, const uint8_t *image, const elf_segment_t *s)
{
    uint64_t first, count;
    elf_segment_pages(s, &first, &count);
    uint64_t flags = (s->prot & ELF_PROT_W) ? MN_MAP_WRITE : (s->prot & ELF_PROT_X) ? MN_MAP_EXEC : 0;
    for (uint64_t done = 0; done < count;) {
        uint64_t va = first + done * MN_PAGE_SIZE;
        unsigned order = run_order(va, count - done);
        uint64_t pages = 1ull << order;
        /* The file bytes of this run: a contiguous range of the segment (which is contiguous in the file). */
        uint64_t run_end = va + pages * MN_PAGE_SIZE;
        uint64_t seg_file_end = s->vaddr + s->filesz;
        uint64_t from = va > s->vaddr ? va : s->vaddr;
        uint64_t to = run_end < seg_file_end ? run_end : seg_file_end;
        uint64_t len = to > from ? to - from : 0;
        const uint8_t *src = image + s->offset + (from - s->vaddr);
        int64_t r = place(child, slot, order, va, src, from - va, len, flags);
        if (r != 0)
            return r;
        done += pages;
    }
    return 0;
}

/* Builds the child's startup page in a local buffer. */
static int build_startup(uint8_t *page, const char *const *argv, int argc, const struct mn_spawn_cap *caps,
                         const uint32_t *child_slots, int ncaps, uint32_t self_slot)
{
    struct mn_startup *st = (struct mn_startup *)page;
    memset(page, 0, MN_PAGE_SIZE);
    st->magic = MN_STARTUP_MAGIC;
    st->version = MN_STARTUP_VERSION;
    size_t at = sizeof *st;
    if (argc > MN_STARTUP_MAX_ARGS || ncaps + 1 > MN_STARTUP_MAX_CAPS)
        return MN_ERR_BAD_ARG;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        if (at + n > MN_PAGE_SIZE)
            return MN_ERR_BAD_ARG;
        memcpy(page + at, argv[i], n);
        st->argv[i] = (uint32_t)at;
        at += n;
    }
    st->argc = (uint32_t)argc;
    uint32_t k = 0;
    for (int i = 0; i < ncaps; i++)
        if (caps[i].role && strlen(caps[i].role) >= MN_STARTUP_CAP_NAME)
            return MN_ERR_BAD_ARG; /* it would be cut, and the child would never find it */
    for (int i = 0; i < ncaps; i++) {
        uint64_t info = (uint64_t)mn_sys_INSPECT(caps[i].slot);
        st->caps[k].slot = child_slots[i];
        st->caps[k].type = (uint32_t)MN_INSPECT_TYPE(info);
        strncpy(st->caps[k].name, caps[i].role ? caps[i].role : "", MN_STARTUP_CAP_NAME - 1);
        if (caps[i].role && strcmp(caps[i].role, "initrd") == 0)
            mn_initrd(&st->initrd_size); /* the child maps the same archive */
        k++;
    }
    if (self_slot) {
        st->caps[k].slot = self_slot;
        st->caps[k].type = MN_CAP_PROCESS;
        strncpy(st->caps[k].name, MN_ROLE_SELF, MN_STARTUP_CAP_NAME - 1);
        k++;
    }
    st->ncaps = k;
    return 0;
}

/* The program's name: the last part of its path. */
static const char *base_name(const char *path)
{
    const char *name = path;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            name = c + 1;
    return name;
}

int mn_spawn(const char *path, const char *const *argv, int argc, const struct mn_spawn_cap *caps, int ncaps,
             unsigned flags, struct mn_child *out)
{
    const void *image;
    size_t size;
    int r = mn_initrd_read(path, &image, &size);
    if (r != MN_ERR_OK)
        return r;
    static elf_segment_t segs[ELF_MAX_SEGMENTS];
    elf_image_t img;
    elf_error_info_t err;
    const elf_limits_t limits = {MN_USER_MIN, MN_STARTUP_VA};
    if (elf_parse(image, size, &limits, segs, ELF_MAX_SEGMENTS, &img, &err) != MN_ERR_OK) {
        printf("spawn: %s: %s\n", path, elf_error_message(err.code));
        return MN_ERR_BAD_FORMAT;
    }
    const char *name = base_name(path);
    int64_t child = mn_sys_PROCESS_CREATE((uint64_t)(uintptr_t)name, strlen(name));
    if (child < 0)
        return (int)child;
    mn_slot_claim((uint32_t)child);
    uint32_t slot = mn_slot_alloc();
    int64_t e = slot ? 0 : MN_ERR_NO_SPACE;
    for (uint32_t i = 0; e == 0 && i < img.nsegments; i++)
        e = load_segment((uint32_t)child, slot, image, &segs[i]);
    /* The stack: 2^CHILD_STACK_ORDER pages under MN_USER_STACK_TOP, the page below them unmapped. */
    if (e == 0)
        e = place((uint32_t)child, slot, CHILD_STACK_ORDER, MN_USER_STACK_TOP - (MN_PAGE_SIZE << CHILD_STACK_ORDER),
                  NULL, 0, 0, MN_MAP_WRITE);
    /* The capabilities: caps[i] in child slot 1, 2, ... unless it names its own. */
    uint32_t child_slots[MN_STARTUP_MAX_CAPS];
    uint32_t next = 1, self_slot = 0;
    for (int i = 0; e == 0 && i < ncaps && i < MN_STARTUP_MAX_CAPS; i++) {
        child_slots[i] = caps[i].child_slot ? caps[i].child_slot : next;
        next = child_slots[i] + 1;
        e = mn_sys_DELEGATE((uint64_t)child, caps[i].slot, child_slots[i], caps[i].rights);
    }
    if (e == 0 && (flags & MN_SPAWN_GIVE_SELF)) {
        self_slot = next;
        e = mn_sys_DELEGATE((uint64_t)child, (uint64_t)child, self_slot, MN_RIGHT_READ | MN_RIGHT_WRITE);
    }
    static uint8_t page[MN_PAGE_SIZE];
    if (e == 0)
        e = build_startup(page, argv ? argv : &path, argv ? argc : 1, caps, child_slots, ncaps, self_slot);
    if (e == 0)
        e = place((uint32_t)child, slot, 0, MN_STARTUP_VA, page, 0, MN_PAGE_SIZE, 0);
    int64_t tid = 0;
    if (e == 0)
        tid = e = mn_sys_THREAD_CREATE((uint64_t)child, img.entry, MN_USER_STACK_TOP, MN_STARTUP_VA, 0);
    if (slot)
        mn_slot_free(slot);
    if (e < 0) {
        mn_sys_DROP_CAP((uint64_t)child); /* never started: the kernel tears it down */
        mn_slot_free((uint32_t)child);
        return (int)e;
    }
    out->process = (uint32_t)child;
    out->tid = (uint64_t)tid;
    return MN_ERR_OK;
}

int mn_wait(const struct mn_child *c, int64_t *status, int *reason)
{
    uint64_t w[3];
    int64_t r = mn_sys_PROCESS_WAIT(c->process, w);
    if (r != 0)
        return (int)r;
    if (status)
        *status = (int64_t)w[0];
    if (reason)
        *reason = (int)w[1];
    return MN_ERR_OK;
}

int mn_kill(const struct mn_child *c)
{
    return (int)mn_sys_KILL(c->process);
}

void mn_release(struct mn_child *c)
{
    if (c->process) {
        mn_sys_DROP_CAP(c->process);
        mn_slot_free(c->process);
        c->process = 0;
    }
}
