/* Kernel log: timestamps, levels, one lock, fan-out to the consoles. */
#include "debug/log.h"

#include <arch/time.h>
#include <stdarg.h>
#include <stdbool.h>

#include "console/console.h"
#include "lib/format.h"
#include "lib/spinlock.h"
#include "lib/string.h"

static spinlock_t log_lock = SPINLOCK_INIT("log");
static enum log_level min_level = LOG_INFO;
static bool at_line_start = true;

struct line_buf {
    char buf[240];
    size_t len;
    enum log_level level;
};

static void line_flush(struct line_buf *lb)
{
    if (lb->len)
        console_write(lb->buf, lb->len, lb->level);
    lb->len = 0;
}

static void line_put(struct line_buf *lb, char c)
{
    if (lb->len == sizeof lb->buf)
        line_flush(lb);
    lb->buf[lb->len++] = c;
}

static void stamp(struct line_buf *lb)
{
    static const char *const tags[] = {"debug: ", "", "warning: ", "error: "};
    uint64_t ns = ktime_ns();
    char tmp[32];
    int n = ksnprintf(tmp, sizeof tmp, "[%5lu.%06lu] %s", (unsigned long)(ns / 1000000000u),
                      (unsigned long)(ns / 1000u % 1000000u), tags[lb->level]);
    for (int i = 0; i < n && i < (int)sizeof tmp - 1; i++)
        line_put(lb, tmp[i]);
}

static void log_out(void *ctx, char c)
{
    struct line_buf *lb = ctx;
    if (at_line_start) {
        stamp(lb);
        at_line_start = false;
    }
    line_put(lb, c);
    if (c == '\n') {
        line_flush(lb);
        at_line_start = true;
    }
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
    if (level < min_level)
        return;
    struct line_buf lb = {.len = 0, .level = level};
    spin_lock(&log_lock);
    fmt_vformat(log_out, &lb, fmt, ap);
    line_flush(&lb);
    spin_unlock(&log_lock);
}

void klog(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(LOG_INFO, fmt, ap);
    va_end(ap);
}

void log_set_level(enum log_level level)
{
    min_level = level;
}

int log_level_from_name(const char *name, enum log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum log_level)i;
            return 1;
        }
    }
    return 0;
}

void log_break_lock(void)
{
    log_lock.serving = log_lock.next;
    at_line_start = true;
}
