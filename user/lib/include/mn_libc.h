/*
 * How libmnos names its standard C functions.
 *
 * Every public function of the library's C part (memcpy, malloc, printf,
 * strtol, ...) is declared and defined as MN_LIBC(name). In a Ring 3 build
 * that is just `name`, so programs call memcpy as usual and the code gcc
 * emits itself (memcpy/memset for struct copies) finds ours.
 *
 * A host unit test links our library into a Linux program that also has
 * glibc, whose memcpy, malloc and printf ASan, UBSan and the test itself
 * depend on. Compiled with -DMN_LIBC_PREFIX the names become mnt_name
 * (mnt_malloc, mnt_printf, ...): both libraries live side by side and the
 * test compares one with the other. Inside the library, calls to another
 * libmnos function are written MN_LIBC(name)(...) for the same reason, so
 * that mnt_strdup calls mnt_malloc and not glibc's malloc.
 *
 * Names that start with mn_ (mn_memalign, the platform hooks) cannot clash
 * with a host libc and are never renamed.
 */
#ifndef MNOS_LIBC_MN_LIBC_H
#define MNOS_LIBC_MN_LIBC_H

#ifdef MN_LIBC_PREFIX
#define MN_LIBC(name) mnt_##name
#else
#define MN_LIBC(name) name
#endif

/* printf-style argument checking of our own formatting functions. */
#define MN_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))

#endif
