/* wasi.h - WASI preview 1 (wasi_snapshot_preview1) on top of wasm.h.
 *
 * Supported: fd_write (stdout/stderr), fd_read (stdin), fd_close, fd_seek,
 * fd_fdstat_get, fd_prestat_get / fd_prestat_dir_name (no preopens: EBADF),
 * args_*, environ_*, clock_time_get, clock_res_get, random_get, proc_exit,
 * sched_yield.  Every other wasi_snapshot_preview1 import links to a stub
 * returning ENOSYS.  All I/O goes through wasm_wasi_io_t so that the OS can
 * plug in its console. */
#ifndef WASM_WASI_H
#define WASM_WASI_H

#include "wasm.h"

typedef struct wasm_wasi_io {
    void *user;
    /* Writes len bytes to fd 1 (stdout) or 2 (stderr); returns the number of
     * bytes written or a negative value on error. */
    long (*write)(void *user, int fd, const void *buf, size_t len);
    /* Reads up to len bytes of stdin; returns the count (0 at end) or < 0. */
    long (*read)(void *user, void *buf, size_t len);
    /* Fills buf with len random bytes; returns 0 or < 0.  May be NULL (then a
     * clock-seeded generator is used: not for cryptography). */
    int (*random)(void *user, void *buf, size_t len);
} wasm_wasi_io_t;

typedef struct wasm_wasi wasm_wasi_t;

/* Creates the WASI state in store s.  argv/envp strings are copied.  NULL
 * on no memory. */
wasm_wasi_t *wasm_wasi_new(wasm_store_t *s, const wasm_wasi_io_t *io, int argc, const char *const *argv, int envc,
                           const char *const *envp);
/* If import i of m comes from wasi_snapshot_preview1, fills *out with the
 * matching function (a stub returning ENOSYS for unsupported names) and
 * returns true; else returns false. */
bool wasm_wasi_resolve(wasm_wasi_t *w, const wasm_module_t *m, uint32_t i, wasm_extern_t *out);

#endif
