/*
 * Error codes shared by the kernel and userspace. Every system call returns
 * a signed 64-bit value in RAX: zero or a positive result on success, one of
 * the small negative codes below on failure (the roadmap's u64::MAX - k, so
 * -1 is u64::MAX). Codes -1 to -7 are the roadmap's and never change; new
 * codes are only ever appended.
 */
#ifndef MNOS_ERRORS_H
#define MNOS_ERRORS_H

#include <stdint.h>

/* X(NAME, value, description) */
#define MN_ERROR_TABLE(X) \
    X(OK, 0, "success") \
    X(INVALID_SLOT, -1, "invalid or empty capability slot") \
    X(NO_RIGHTS, -2, "insufficient rights") \
    X(WRONG_TYPE, -3, "wrong capability type") \
    X(NOT_FOUND, -4, "not found") \
    X(NO_MEMORY, -5, "out of memory or bad alignment") \
    X(BUSY, -6, "busy (already has a waiter)") \
    X(MAP_FAILED, -7, "mapping failed") \
    X(BAD_ARG, -8, "bad argument") \
    X(BAD_POINTER, -9, "bad user pointer") \
    X(SLOT_OCCUPIED, -10, "destination slot is not empty") \
    X(NO_SPACE, -11, "capability space full") \
    X(NO_SYSCALL, -12, "no such system call") \
    X(WOULD_BLOCK, -13, "operation would block") \
    X(DEAD, -14, "object destroyed or revoked while in use") \
    X(BAD_FORMAT, -15, "malformed file (ELF, archive)") \
    X(TIMEOUT, -16, "timed out") \
    X(IO, -17, "device I/O error") \
    X(UNSUPPORTED, -18, "not supported by the device") \
    X(OUT_OF_RANGE, -19, "outside the device (past its last block)")

enum mn_error {
#define MN_ERROR_ENUM_(name, value, text) MN_ERR_##name = (value),
    MN_ERROR_TABLE(MN_ERROR_ENUM_)
#undef MN_ERROR_ENUM_
};

/* The most negative code in use; codes below it are not errors we define. */
#define MN_ERR_MIN MN_ERR_OUT_OF_RANGE

/* True when a system call's return value is an error code. */
static inline int mn_is_error(int64_t ret)
{
    return ret < 0 && ret >= MN_ERR_MIN;
}

/* The symbolic name of an error code ("MN_ERR_NO_RIGHTS"), or "MN_ERR_?" for a value we do not define. */
static inline const char *mn_error_name(int64_t err)
{
    switch (err) {
#define MN_ERROR_NAME_(name, value, text) \
    case (value): return "MN_ERR_" #name;
        MN_ERROR_TABLE(MN_ERROR_NAME_)
#undef MN_ERROR_NAME_
    }
    return "MN_ERR_?";
}

/* A one-line description of an error code, or "unknown error". */
static inline const char *mn_error_text(int64_t err)
{
    switch (err) {
#define MN_ERROR_TEXT_(name, value, text) \
    case (value): return text;
        MN_ERROR_TABLE(MN_ERROR_TEXT_)
#undef MN_ERROR_TEXT_
    }
    return "unknown error";
}

#endif
