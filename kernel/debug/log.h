/*
 * The kernel log: printf-style lines stamped with the time since boot
 * ("[    0.012345] pmm: ..."), written to every console (COM1 always, the
 * framebuffer once it is up). Lines below the current level are dropped.
 */
#ifndef DEBUG_LOG_H
#define DEBUG_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* kprintf logs at LOG_INFO. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_debug(...) klog(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) klog(LOG_INFO, __VA_ARGS__)
#define log_warn(...) klog(LOG_WARN, __VA_ARGS__)
#define log_error(...) klog(LOG_ERROR, __VA_ARGS__)

void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn" or "error"; false if unknown. */
int log_level_from_name(const char *name, enum log_level *out);

/* Panic path: take the log over even if another CPU died holding its lock. */
void log_break_lock(void);

#endif
