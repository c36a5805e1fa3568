/*
 * Delegation: this program holds exactly what init gave it (tests.c
 * setup_delegation), with the rights init chose, and nothing else works:
 *   1 console (Endpoint, WRITE)          2 alloc-ro (PmmAllocator, READ)
 *   3 com1-ro (IoPort COM1, READ)        4 port (a Notification: wrong type for port I/O)
 *   5 ep-wo (Endpoint, WRITE)            6 self (its Process, READ|WRITE)
 */
#include "utest.h"

static const char *utest_name = "delegation";

#define INSPECT(type, rights) ((int64_t)MN_INSPECT_MAKE((type), (rights)))
#define RW (MN_RIGHT_READ | MN_RIGHT_WRITE)

int main(void)
{
    /* what is where, with which rights */
    CHECK(1, mn_cap(MN_ROLE_CONSOLE) == 1 && mn_cap("alloc-ro") == 2 && mn_cap("com1-ro") == 3);
    CHECK(2, mn_cap("port") == 4 && mn_cap("ep-wo") == 5 && mn_self() == 6);
    CHECK(3, mn_sys_INSPECT(1) == INSPECT(MN_CAP_ENDPOINT, MN_RIGHT_WRITE));
    CHECK(4, mn_sys_INSPECT(2) == INSPECT(MN_CAP_PMM_ALLOCATOR, MN_RIGHT_READ));
    CHECK(5, mn_sys_INSPECT(3) == INSPECT(MN_CAP_IO_PORT, MN_RIGHT_READ));
    CHECK(6, mn_sys_INSPECT(4) == INSPECT(MN_CAP_NOTIFICATION, MN_RIGHTS_ALL));
    CHECK(7, mn_sys_INSPECT(5) == INSPECT(MN_CAP_ENDPOINT, MN_RIGHT_WRITE));
    CHECK(8, mn_sys_INSPECT(6) == INSPECT(MN_CAP_PROCESS, RW));
    for (uint64_t s = 7; s < 64; s++)
        CHECK(9, mn_sys_INSPECT(s) == MN_ERR_INVALID_SLOT); /* nothing else */
    /* each missing right, wrong type and empty slot gives its error */
    CHECK(10, mn_sys_ALLOC_MEMORY(2, 20) == MN_ERR_NO_RIGHTS);
    CHECK(11, mn_sys_PORT_IN(3, 0x3FF, 1) >= 0); /* READ is there */
    CHECK(12, mn_sys_PORT_OUT(3, 0x3FF, 0x42, 1) == MN_ERR_NO_RIGHTS);
    CHECK(13, mn_sys_PORT_IN(3, 0x80, 1) == MN_ERR_NO_RIGHTS); /* outside COM1 */
    CHECK(14, mn_sys_PORT_IN(4, 0x3FF, 1) == MN_ERR_WRONG_TYPE);
    uint64_t m[3];
    CHECK(15, mn_sys_RECV(5, m) == MN_ERR_NO_RIGHTS);
    CHECK(16, mn_sys_RECV(1, m) == MN_ERR_NO_RIGHTS);
    CHECK(17, mn_sys_PORT_IN(30, 0x3FF, 1) == MN_ERR_INVALID_SLOT);
    CHECK(18, mn_sys_REVOKE(1) == MN_ERR_NO_RIGHTS); /* no REVOKE right */
    CHECK(19, mn_sys_DELEGATE(6, 1, 10, MN_RIGHTS_ALL) == MN_ERR_NO_RIGHTS); /* no GRANT on the console */
    CHECK(20, mn_sys_SEND_CAP(5, 1, 0, 3, MN_RIGHTS_ALL) == MN_ERR_NO_RIGHTS); /* nor on the port */
    CHECK(21, mn_sys_KILL(1) == MN_ERR_WRONG_TYPE);
    /* copying keeps rights as they are: they never grow */
    CHECK(22, mn_sys_COPY_CAP(3, 12, MN_RIGHTS_ALL) == 0);
    CHECK(23, mn_sys_INSPECT(12) == INSPECT(MN_CAP_IO_PORT, MN_RIGHT_READ));
    CHECK(24, mn_sys_PORT_OUT(12, 0x3FF, 0x42, 1) == MN_ERR_NO_RIGHTS);
    /* and the notification, which came with every right, works */
    CHECK(25, mn_sys_NOTIFY_SIGNAL(4, 8) == 0 && mn_sys_NOTIFY_POLL(4) == 8);
    printf("delegation: 6 capabilities with the rights init chose; 16 refused uses\n");
    return 0;
}
