/* kprintf's formatter against the host libc's snprintf, format by format. */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "host_test.h"
#include "lib/format.h"

/* Formats with both implementations and compares text and return value. */
static int same(const char *fmt, ...)
{
    char ours[256], theirs[256];
    va_list a, b;
    va_start(a, fmt);
    va_copy(b, a);
    int n1 = kvsnprintf(ours, sizeof ours, fmt, a);
    int n2 = vsnprintf(theirs, sizeof theirs, fmt, b);
    va_end(a);
    va_end(b);
    if (n1 != n2 || strcmp(ours, theirs) != 0) {
        printf("  format \"%s\": ours \"%s\" (%d), libc \"%s\" (%d)\n", fmt, ours, n1, theirs, n2);
        return 0;
    }
    return 1;
}

int main(void)
{
    HT_BEGIN("format");
    HT_CASE("integers")
    {
        HT_CHECK(same("%d %i %u", 0, -1, 4294967295u), "basic");
        HT_CHECK(same("%d", INT32_MIN), "INT_MIN");
        HT_CHECK(same("%ld %lu", (long)INT64_MIN, (unsigned long)UINT64_MAX), "64-bit");
        HT_CHECK(same("%lld %llx", (long long)-5, 0x123456789abcdefull), "long long");
        HT_CHECK(same("%zu %zd", (size_t)42, (ssize_t)-42), "size_t");
        HT_CHECK(same("%hhd %hhu %hd %hu", 300, 300, 70000, 70000), "narrow");
        HT_CHECK(same("%jd %td", (intmax_t)-9, (ptrdiff_t)-7), "intmax/ptrdiff");
    }
    HT_CASE("hex-octal")
    {
        HT_CHECK(same("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0777u), "plain");
        HT_CHECK(same("%#x %#X %#o %#x %#o", 255u, 255u, 8u, 0u, 0u), "alternate");
        HT_CHECK(same("%016lx", 0xffffffff80000000ul), "zero pad 64");
    }
    HT_CASE("width-precision-flags")
    {
        HT_CHECK(same("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42), "int flags");
        HT_CHECK(same("[%5d] [%-5d] [%05d]", -42, -42, -42), "negative");
        HT_CHECK(same("[%.3d] [%8.3d] [%-8.3d] [%.0d]", 7, 7, 7, 0), "precision");
        HT_CHECK(same("[%*d] [%-*d] [%.*d]", 6, 1, 6, 1, 4, 1), "star");
        HT_CHECK(same("[%*d]", -6, 1), "negative star width");
        HT_CHECK(same("[%08.3x] [%-08x]", 0xabu, 0xabu), "zero flag ignored");
    }
    HT_CASE("strings-chars")
    {
        HT_CHECK(same("[%s] [%10s] [%-10s] [%.2s] [%10.2s]", "abc", "abc", "abc", "abc", "abc"), "strings");
        HT_CHECK(same("[%c] [%3c] [%-3c] [%%]", 'x', 'y', 'z'), "chars");
        HT_CHECK(same("%s", ""), "empty");
    }
    HT_CASE("pointers")
    {
        HT_CHECK(same("%p", (void *)0xffff800000001000ul), "pointer");
        HT_CHECK(same("%p", (void *)0), "null pointer");
        HT_CHECK(same("[%20p]", (void *)0x1234), "pointer width");
    }
    HT_CASE("truncation")
    {
        char buf[8];
        HT_CHECK(ksnprintf(buf, sizeof buf, "%s", "0123456789") == 10, "returns full length");
        HT_CHECK(strcmp(buf, "0123456") == 0, "truncated and terminated: %s", buf);
        HT_CHECK(ksnprintf(buf, 0, "%d", 12345) == 5, "size 0 writes nothing");
        memset(buf, 'x', sizeof buf);
        HT_CHECK(ksnprintf(buf, 1, "abc") == 3 && buf[0] == 0, "size 1 writes only the NUL");
    }
    HT_CASE("unknown-conversion")
    {
        char buf[32];
        const char *odd = "a%yb", *trailing = "end%"; /* not literals: keep -Wformat out */
        ksnprintf(buf, sizeof buf, odd);
        HT_CHECK(strcmp(buf, "a%yb") == 0, "printed verbatim: %s", buf);
        ksnprintf(buf, sizeof buf, trailing);
        HT_CHECK(strcmp(buf, "end%") == 0, "trailing percent: %s", buf);
    }
    return HT_END();
}
