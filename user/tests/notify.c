/*
 * Notifications and IRQ lines. Slots: 1 IoPort CMOS 0x70+2 (every right),
 * 2 IrqLine RTC (ISA IRQ 8, every right), 3 its own Process. A second
 * thread of this process (SPAWN_THREAD) waits while the main thread
 * signals. The interrupts come from the CMOS RTC's periodic interrupt at
 * 1024 Hz, switched on and off through its register B, so the test decides
 * when interrupts may come (QEMU's RTC raises IRQ 8 at every tick while it
 * is on, acknowledged or not).
 * Mode 1 (arg 1): the kernel test already waits on the line itself; this
 * program's WAIT_IRQ must be refused with MN_ERR_BUSY.
 * Returns 0, or the number of the failed check.
 */
#include "utest.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define NMI_OFF 0x80

UTEST_STACK(worker_stack, 16384);
static volatile int64_t worker_result = -1;

/* The second thread: arg 1 waits on notification 10 and answers on 12; arg 2 waits for the IRQ. */
static void worker(uint64_t arg)
{
    if (arg == 1) {
        int64_t bits = mn_sys_NOTIFY_WAIT(10);
        worker_result = bits;
        mn_sys_NOTIFY_SIGNAL(12, (uint64_t)bits + 1);
    } else {
        worker_result = mn_sys_WAIT_IRQ(2);
        mn_sys_NOTIFY_SIGNAL(12, 1);
    }
    mn_sys_EXIT();
}

static int64_t spawn_worker(uint64_t arg)
{
    worker_result = -1;
    return mn_sys_THREAD_CREATE(3, (uint64_t)(uintptr_t)worker, UTEST_STACK_TOP(worker_stack), arg, 0);
}

static uint8_t cmos_read(uint8_t reg)
{
    mn_sys_PORT_OUT(1, CMOS_INDEX, NMI_OFF | reg, 1);
    uint8_t v = (uint8_t)mn_sys_PORT_IN(1, CMOS_DATA, 1);
    mn_sys_PORT_OUT(1, CMOS_INDEX, 0x0D, 1);
    return v;
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    mn_sys_PORT_OUT(1, CMOS_INDEX, NMI_OFF | reg, 1);
    mn_sys_PORT_OUT(1, CMOS_DATA, v, 1);
    mn_sys_PORT_OUT(1, CMOS_INDEX, 0x0D, 1);
}

static uint8_t rtc_b; /* register B as we found it */

static void rtc_on(void)
{
    cmos_write(0x0B, rtc_b | 0x40); /* periodic interrupt enable */
}

/* No interrupt comes after this returns (one in flight is delivered or not; rtc_settle takes care of it). */
static void rtc_off(void)
{
    cmos_write(0x0B, rtc_b & ~0x40);
    (void)cmos_read(0x0C);
}

/*
 * With the RTC off: brings the line back to "nothing delivered, nothing
 * held". The first acknowledgement may deliver an interrupt held back
 * meanwhile; the second acknowledges that one (which nobody takes).
 */
static void rtc_settle(void)
{
    utest_sleep_ms(2);
    mn_sys_IRQ_ACK(2);
    mn_sys_IRQ_ACK(2);
}

int64_t main(uint64_t arg)
{
    if (arg == 1) /* the kernel test has a thread of its own waiting on this line already */
        return mn_sys_WAIT_IRQ(2) == MN_ERR_BUSY ? 0 : 71;
    /* notifications: create, poll, signal, rights */
    CHECK(1, mn_sys_NOTIFICATION_CREATE(10) == 0);
    CHECK(2, mn_sys_INSPECT(10) == INSPECT_OF(MN_CAP_NOTIFICATION, MN_RIGHTS_ALL));
    CHECK(3, mn_sys_NOTIFICATION_CREATE(10) == MN_ERR_SLOT_OCCUPIED &&
                 mn_sys_NOTIFICATION_CREATE(0) == MN_ERR_INVALID_SLOT);
    CHECK(4, mn_sys_NOTIFY_POLL(10) == 0);
    CHECK(5, mn_sys_NOTIFY_SIGNAL(10, 0x5) == 0 && mn_sys_NOTIFY_SIGNAL(10, 0x100) == 0);
    CHECK(6, mn_sys_NOTIFY_POLL(10) == 0x105 && mn_sys_NOTIFY_POLL(10) == 0);
    CHECK(7, mn_sys_NOTIFY_SIGNAL(10, 1ull << 63) == MN_ERR_BAD_ARG);
    CHECK(8, mn_sys_NOTIFY_SIGNAL(1, 1) == MN_ERR_WRONG_TYPE && mn_sys_NOTIFY_WAIT(1) == MN_ERR_WRONG_TYPE);
    CHECK(9, mn_sys_COPY_CAP(10, 11, MN_RIGHT_READ) == 0);
    CHECK(10, mn_sys_NOTIFY_SIGNAL(11, 1) == MN_ERR_NO_RIGHTS);
    CHECK(11, mn_sys_NOTIFY_SIGNAL(10, 0x40) == 0 && mn_sys_NOTIFY_WAIT(11) == 0x40); /* pending: no wait */
    CHECK(12, mn_sys_NOTIFICATION_CREATE(12) == 0);

    /* a second thread blocks in NOTIFY_WAIT until the main thread signals */
    CHECK(20, spawn_worker(1) > 0);
    utest_sleep_ms(5);
    CHECK(21, worker_result == -1);
    CHECK(22, mn_sys_NOTIFY_SIGNAL(10, 0x10) == 0);
    CHECK(23, mn_sys_NOTIFY_WAIT(12) == 0x11 && worker_result == 0x10);

    /* IRQ errors */
    CHECK(30, mn_sys_WAIT_IRQ(1) == MN_ERR_WRONG_TYPE && mn_sys_WAIT_IRQ(40) == MN_ERR_INVALID_SLOT);
    CHECK(31, mn_sys_IRQ_BIND(2, 10, 63) == MN_ERR_BAD_ARG && mn_sys_IRQ_BIND(2, 11, 0) == MN_ERR_NO_RIGHTS);
    CHECK(32, mn_sys_IRQ_ACK(10) == MN_ERR_WRONG_TYPE);

    /* WAIT_IRQ returns with an interrupt */
    uint8_t a_old = cmos_read(0x0A);
    rtc_b = cmos_read(0x0B);
    cmos_write(0x0A, (uint8_t)((a_old & 0xF0) | 6)); /* rate 6: 1024 Hz */
    rtc_on();
    CHECK(40, mn_sys_WAIT_IRQ(2) == 0);
    CHECK(41, mn_sys_WAIT_IRQ(2) == 0); /* acknowledges the previous interrupt, then takes the next */
    rtc_off();
    rtc_settle();

    /* the interrupt wakes a second thread waiting in WAIT_IRQ (BUSY for a second waiter: mode 1) */
    CHECK(50, spawn_worker(2) > 0);
    utest_sleep_ms(2);
    rtc_on();
    CHECK(53, mn_sys_NOTIFY_WAIT(12) == 1 && worker_result == 0);
    rtc_off();
    rtc_settle();

    /* bound to a notification: an interrupt sets bit 4; the next ones are held back until IRQ_ACK */
    CHECK(60, mn_sys_IRQ_BIND(2, 10, 4) == 0);
    rtc_on();
    CHECK(61, mn_sys_NOTIFY_WAIT(10) == 1 << 4);
    utest_sleep_ms(5); /* a few more ticks */
    CHECK(62, mn_sys_NOTIFY_POLL(10) == 0);
    CHECK(63, mn_sys_IRQ_ACK(2) == 0);
    CHECK(64, mn_sys_NOTIFY_WAIT(10) == 1 << 4);
    rtc_off();
    rtc_settle();
    CHECK(65, mn_sys_IRQ_BIND(2, 0, 0) == 0);
    cmos_write(0x0A, a_old);
    return 0;
}
