/*
 * Echo over the serial port: the test harness types a line into QEMU's
 * serial input once it sees "echo: ready"; serial_drv takes it in by
 * interrupt and hands it over through the console-in endpoint; this
 * program reads it and writes it back.
 */
#include <mnos/console.h>

#include "string.h"
#include "utest.h"

static const char *utest_name = "echo";

#define EXPECT "ping-MinimalOS-4242"

int main(void)
{
    char line[128];
    size_t n = 0;
    CHECK(1, mn_cap(MN_ROLE_CONSOLE_IN) != 0);
    printf("echo: ready\n");
    while (n < sizeof line - 1) {
        char buf[16];
        int64_t got = mn_console_read(buf, sizeof buf);
        CHECK(2, got > 0);
        for (int64_t i = 0; i < got && n < sizeof line - 1; i++) {
            if (buf[i] == '\r' || buf[i] == '\n') {
                line[n] = 0;
                goto done;
            }
            line[n++] = buf[i];
        }
    }
    line[n] = 0;
done:
    printf("echo: got '%s'\n", line);
    CHECK(3, strcmp(line, EXPECT) == 0);
    return 0;
}
