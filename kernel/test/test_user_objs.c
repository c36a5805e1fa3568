/*
 * Ring 3 tests, part 3: notifications and IRQ lines (the RTC's interrupt
 * delivered to a user thread), processes and threads made from Ring 3, and
 * MMIO regions.
 */
#include <arch/rtc.h>

#include "cap/cspace.h"
#include "debug/log.h"
#include "ipc/irqline.h"
#include "lib/string.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/umem.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "test/ktest.h"
#include "test/user_harness.h"

#define CMOS_PORT 0x70
#define RTC_IRQ 8

/* ---- notifications and IRQ lines ---------------------------------------------------- */

/* A kernel thread waiting on the line: for the BUSY check, and to see it woken with MN_ERR_DEAD. */
static volatile int kernel_wait_result;

static void kernel_waiter(void *arg)
{
    kernel_wait_result = irq_line_wait(arg);
}

/*
 * A second waiter is refused: a kernel thread waits on the RTC line first
 * (known for certain, by its wait queue), then bin/notify's mode 1 must
 * get MN_ERR_BUSY; when the program's capability, the last, goes with it,
 * the kernel waiter wakes with MN_ERR_DEAD.
 */
static const char *run_irq_busy(void)
{
    int r;
    struct irq_line *l = irq_line_create_isa(RTC_IRQ, &r);
    KTEST_CHECK(l, "irq_line_create_isa failed");
    irq_line_get(l);
    kernel_wait_result = 1;
    struct thread *w = thread_create("irq-waiter", kernel_waiter, l, 1, 0);
    KTEST_CHECK(w, "thread_create");
    thread_start(w);
    for (int i = 0; i < 1000 && !l->wq.head; i++)
        sched_sleep_ns(1000000);
    KTEST_CHECK(l->wq.head, "the kernel waiter did not block on the line");
    struct uproc u;
    const char *err = uproc_spawn("bin/notify", 1, &u);
    if (err)
        return err;
    KTEST_CHECK(uproc_mint(&u, 2, MN_CAP_IRQ_LINE, MN_RIGHTS_ALL, &l->obj, RTC_IRQ, 0), "mint");
    uproc_start(&u, 0);
    int64_t st = uproc_finish(&u, 0);
    thread_join(w);
    thread_put(w);
    irq_line_put(l);
    KTEST_CHECK(st == 0, "a second waiter on an IRQ line was not refused with MN_ERR_BUSY");
    KTEST_CHECK(kernel_wait_result == MN_ERR_DEAD, "the waiter was not woken with MN_ERR_DEAD");
    return NULL;
}

static const char *run_notify(void)
{
    if (!rtc_present())
        return "no CMOS RTC: the IRQ line test needs its interrupt";
    struct uproc u;
    const char *err = uproc_spawn("bin/notify", 0, &u);
    if (err)
        return err;
    int r;
    struct irq_line *l = irq_line_create_isa(RTC_IRQ, &r);
    if (!l) {
        log_error("test_user: no IRQ line for the RTC: %s\n", mn_error_name(r));
        return "irq_line_create_isa failed";
    }
    int again;
    KTEST_CHECK(!irq_line_create_isa(RTC_IRQ, &again) && again == MN_ERR_BUSY, "an IRQ line was created twice");
    KTEST_CHECK(uproc_mint(&u, 1, MN_CAP_IO_PORT, MN_RIGHTS_ALL, NULL, CMOS_PORT, 2) &&
                    uproc_mint(&u, 2, MN_CAP_IRQ_LINE, MN_RIGHTS_ALL, &l->obj, RTC_IRQ, 0) &&
                    uproc_mint(&u, 3, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u.p->obj, 0, 0),
                "mint");
    uint64_t count0 = l->count;
    irq_line_get(l);
    uproc_start(&u, 0);
    int64_t st = uproc_finish(&u, 0);
    uint64_t taken = l->count - count0;
    bool dead = l->dead;
    irq_line_put(l);
    KTEST_CHECK(st == 0, "notification or IRQ line checks failed (see the log)");
    KTEST_CHECK(taken >= 5, "fewer RTC interrupts than the program waited for");
    KTEST_CHECK(dead, "the IRQ line outlived its last capability");
    return run_irq_busy();
}

KTEST(user_notify_irq)
{
    return run_notify();
}

/* ---- processes and threads from Ring 3 --------------------------------------------------- */

static const char *run_proc(void)
{
    struct uproc u;
    const char *err = uproc_spawn("bin/proc", 0, &u);
    if (err)
        return err;
    struct mem_allocator *a = mem_allocator_create(64, NULL);
    KTEST_CHECK(a, "out of memory");
    KTEST_CHECK(uproc_mint(&u, 1, MN_CAP_PMM_ALLOCATOR, MN_RIGHTS_ALL, &a->obj, 0, 0) &&
                    uproc_mint(&u, 2, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u.p->obj, 0, 0),
                "mint");
    uproc_start(&u, 0);
    KTEST_CHECK(uproc_finish(&u, 0) == 0, "process calls from Ring 3 failed (see the log)");
    return NULL;
}

KTEST(user_processes)
{
    return run_proc();
}

/* ---- MMIO regions ----------------------------------------------------------------------- */

#define MMIO_PATTERN 0xC0DE000000000000ull

/*
 * Device memory stands in as RAM here: three frames the test owns, given to
 * the program as MmioRegion capabilities (a 2-page read-only one and a
 * 1-page writable one), mapped uncached.
 */
static const char *run_mmio(void)
{
    uint64_t ro = pmm_alloc_contig(2, 1), rw = pmm_alloc_zeroed();
    KTEST_CHECK(ro && rw, "out of memory");
    uint64_t *w = phys_to_virt(ro);
    for (uint64_t i = 0; i < 1024; i++)
        w[i] = MMIO_PATTERN | i;
    struct uproc u;
    const char *err = uproc_spawn("bin/mmio", 0, &u);
    if (err)
        return err;
    KTEST_CHECK(uproc_mint(&u, 1, MN_CAP_MMIO_REGION, MN_RIGHT_READ, NULL, ro, 2 * PAGE_SIZE) &&
                    uproc_mint(&u, 2, MN_CAP_MMIO_REGION, MN_RIGHT_READ | MN_RIGHT_WRITE, NULL, rw, PAGE_SIZE) &&
                    uproc_mint(&u, 3, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u.p->obj, 0, 0) &&
                    uproc_mint(&u, 4, MN_CAP_IO_PORT, MN_RIGHTS_ALL, NULL, 0x3FF, 1),
                "mint");
    uproc_start(&u, 0);
    int64_t st = uproc_finish(&u, 0);
    const uint64_t *back = phys_to_virt(rw);
    bool written = true;
    for (uint64_t i = 0; i < 512; i++)
        written = written && back[i] == ~i;
    pmm_free_contig(ro, 2);
    pmm_free(rw);
    KTEST_CHECK(st == 0, "MAP_MMIO checks failed (see the log)");
    KTEST_CHECK(written, "writes through the MMIO mapping did not reach the memory");
    return NULL;
}

KTEST(user_mmio)
{
    return run_mmio();
}

const char *run_object_tests(void)
{
    const char *err = run_notify();
    if (!err)
        err = run_proc();
    if (!err)
        err = run_mmio();
    return err;
}
