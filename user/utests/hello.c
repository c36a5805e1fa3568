/* The console works from a test program: printf through serial_drv, and its return values. */
#include "string.h"
#include "utest.h"

static const char *utest_name = "hello";

int main(int argc, char **argv)
{
    CHECK(1, argc == 1 && strcmp(argv[0], "test/hello") == 0);
    CHECK(2, mn_cap(MN_ROLE_CONSOLE) != 0);
    int n = printf("hello: Hello from Ring 3 through serial_drv (%s, %d%c)\n", "libmnos", 42, '!');
    CHECK(3, n == (int)strlen("hello: Hello from Ring 3 through serial_drv (libmnos, 42!)\n"));
    CHECK(4, puts("hello: a long line that takes more than one console message of sixteen bytes each") >= 0);
    return 0;
}
