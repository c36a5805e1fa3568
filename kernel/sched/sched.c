/*
 * The scheduler core: run queues, picking, switching, blocking and waking,
 * ticks and preemption, sleeping, work stealing, the idle loop.
 */
#include "sched/sched.h"

#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/sched.h>
#include <arch/time.h>

#include "debug/log.h"
#include "debug/panic.h"
#include "sched/waitq.h"

struct cpu cpus[MAX_CPUS];
volatile bool percpu_ready;
volatile uint32_t cpu_count;

uint32_t sched_quantum_ticks = 10; /* 10 ms */
uint64_t sched_tick_ns = 1000000; /* 1 ms */
void (*sched_kick_cpu)(struct cpu *c);
void (*sched_idle_enter_hook)(void);
uint64_t sched_idle_tsc;

void sched_idle_span_end(void)
{
    struct cpu *c = this_cpu();
    uint64_t since = c->halted_since;
    if (since) {
        c->halted_since = 0;
        __atomic_fetch_add(&sched_idle_tsc, rdtsc() - since, __ATOMIC_RELAXED);
    }
}
void (*sched_idle_exit_hook)(void);

/* Sleeping threads, sorted by deadline. */
static spinlock_t sleep_lock = SPINLOCK_INIT("sleepers");
static struct thread *sleep_head;

/* ---- run queues ------------------------------------------------------- */

/* Appends t to rq's FIFO for its priority. rq->lock held. */
static void rq_push(struct runqueue *rq, struct thread *t)
{
    int p = t->priority;
    t->next = NULL;
    t->prev = rq->tail[p];
    if (rq->tail[p])
        rq->tail[p]->next = t;
    else
        rq->head[p] = t;
    rq->tail[p] = t;
    rq->nr_ready++;
}

static void rq_unlink(struct runqueue *rq, struct thread *t)
{
    int p = t->priority;
    if (t->prev)
        t->prev->next = t->next;
    else
        rq->head[p] = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        rq->tail[p] = t->prev;
    t->next = t->prev = NULL;
    rq->nr_ready--;
}

/*
 * The first thread of the highest priority that may run on cpu `id`, and is
 * not still switching away on another CPU. rq->lock held.
 *
 * A thread can be queued while its old CPU is still on its stack (a
 * preempted thread is queued before the switch; a blocking one can be woken
 * before it has left). Such a thread is skipped, not waited for: two CPUs
 * each waiting for the other's previous thread deadlocked (bug
 * sched-on-cpu-cycle). It becomes eligible microseconds later.
 */
static struct thread *rq_take(struct runqueue *rq, uint32_t id)
{
    struct thread *self = this_cpu()->current;
    for (int p = 0; p < SCHED_PRIOS; p++)
        for (struct thread *t = rq->head[p]; t; t = t->next)
            if ((t->affinity & (1ull << id)) && (t == self || !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))) {
                rq_unlink(rq, t);
                return t;
            }
    return NULL;
}

struct cpu *sched_pick_cpu(struct thread *t)
{
    struct cpu *best = NULL;
    for (uint32_t i = 0; i < MAX_CPUS; i++) {
        struct cpu *c = &cpus[i];
        if (!c->online || !(t->affinity & (1ull << i)))
            continue;
        uint32_t load = c->rq.nr_ready + (c->current != c->idle);
        if (!best || load < best->rq.nr_ready + (best->current != best->idle))
            best = c;
    }
    if (!best)
        panic("sched: thread %s has no online CPU in its affinity %lx", t->name, t->affinity);
    return best;
}

void sched_enqueue(struct cpu *c, struct thread *t)
{
    spin_lock(&c->rq.lock);
    t->cpu = (int)c->id;
    rq_push(&c->rq, t);
    c->enqueued++;
    spin_unlock(&c->rq.lock);
    struct cpu *me = this_cpu();
    if (c == me) {
        if (me->current == me->idle || t->priority < me->current->priority)
            me->need_resched = true;
    } else if (c->current == c->idle || t->priority < c->current->priority) {
        c->need_resched = true;
        if (sched_kick_cpu)
            sched_kick_cpu(c);
    }
}

/* Work stealing: takes a ready thread that may run here from the busiest other CPU. */
static struct thread *steal(struct cpu *me)
{
    struct cpu *victim = NULL;
    for (uint32_t i = 0; i < MAX_CPUS; i++) {
        struct cpu *c = &cpus[i];
        if (c != me && c->online && c->rq.nr_ready && (!victim || c->rq.nr_ready > victim->rq.nr_ready))
            victim = c;
    }
    if (!victim)
        return NULL;
    spin_lock(&victim->rq.lock);
    struct thread *t = rq_take(&victim->rq, me->id);
    spin_unlock(&victim->rq.lock);
    if (t)
        me->stolen++;
    return t;
}

/* ---- switching -------------------------------------------------------- */

/* Runs on the new thread's stack right after a switch: the old thread is off its CPU. */
static void finish_switch(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->prev;
    c->prev = NULL;
    if (prev)
        __atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
}

/* The first C code of every new thread (called from arch_thread_entry). */
void sched_thread_first_run(void)
{
    finish_switch();
    irq_enable();
}

/* Runs `next` (already RUNNING) on CPU c in place of prev, with `quantum` ticks. Interrupts off. */
static void switch_to(struct cpu *c, struct thread *prev, struct thread *next, int quantum)
{
    next->cpu = (int)c->id;
    next->on_cpu = 1;
    next->quantum_left = quantum;
    next->runs++;
    c->current = next;
    c->prev = prev;
    c->switches++;
    arch_switch_to(prev, next);
    finish_switch();
}

/* Picks the next thread for this CPU and switches to it. Interrupts off. */
static void schedule_locked_out(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->current;
    c->need_resched = false;
    if (prev == c->idle && sched_idle_exit_hook)
        sched_idle_exit_hook(); /* catch up on TLB shootdowns skipped while halted */

    if (prev != c->idle && prev->state == THREAD_RUNNING) {
        /* Preempted or yielding: back to the tail of a queue it may use. */
        prev->state = THREAD_READY;
        struct cpu *target = (prev->affinity & (1ull << c->id)) ? c : sched_pick_cpu(prev);
        spin_lock(&target->rq.lock);
        prev->cpu = (int)target->id;
        rq_push(&target->rq, prev);
        spin_unlock(&target->rq.lock);
    }

    spin_lock(&c->rq.lock);
    struct thread *next = rq_take(&c->rq, c->id);
    spin_unlock(&c->rq.lock);
    if (!next)
        next = steal(c);
    if (!next)
        next = c->idle;

    if (next == prev) {
        prev->state = THREAD_RUNNING;
        prev->quantum_left = (int)sched_quantum_ticks;
        return;
    }
    /* rq_take skips threads still switching away elsewhere; this never spins. */
    while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE)) {
        cpu_relax();
        if (spin_wait_hook)
            spin_wait_hook();
    }

    next->state = THREAD_RUNNING;
    switch_to(c, prev, next, (int)sched_quantum_ticks);
}

bool sched_switch_direct(struct thread *next, int result)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->current;
    if (!(next->affinity & (1ull << c->id)) || next->priority > prev->priority ||
        __atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
        return false;
    int expected = THREAD_BLOCKED;
    next->wake_result = result;
    if (!__atomic_compare_exchange_n(&next->state, &expected, THREAD_RUNNING, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return false;
    next->reason = BLOCK_NONE;
    switch_to(c, prev, next, prev->quantum_left > 0 ? prev->quantum_left : 1);
    return true;
}

void sched_yield(void)
{
    uint64_t flags = irq_save();
    schedule_locked_out();
    irq_restore(flags);
}

int sched_block(void)
{
    struct thread *me = sched_current();
    uint64_t flags = irq_save();
    schedule_locked_out();
    irq_restore(flags);
    return me->wake_result;
}

bool sched_wake(struct thread *t, int result)
{
    int expected = THREAD_BLOCKED;
    t->wake_result = result;
    if (!__atomic_compare_exchange_n(&t->state, &expected, THREAD_READY, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return false;
    t->reason = BLOCK_NONE;
    struct cpu *c = &cpus[t->cpu];
    if (!c->online || !(t->affinity & (1ull << c->id)))
        c = sched_pick_cpu(t);
    sched_enqueue(c, t);
    return true;
}

/* ---- ticks, preemption, sleeping -------------------------------------- */

static void wake_sleepers(void)
{
    if (!__atomic_load_n(&sleep_head, __ATOMIC_RELAXED))
        return;
    uint64_t now = ktime_ns();
    spin_lock(&sleep_lock);
    while (sleep_head && sleep_head->wake_at_ns <= now) {
        struct thread *t = sleep_head;
        sleep_head = t->sleep_next;
        t->sleep_next = NULL;
        sched_wake(t, 0);
    }
    spin_unlock(&sleep_lock);
}

void sched_tick(void)
{
    struct cpu *c = this_cpu();
    c->ticks++;
    wake_sleepers();
    struct thread *t = c->current;
    if (t == c->idle) {
        c->idle_ticks++;
        if (c->rq.nr_ready)
            c->need_resched = true;
        return;
    }
    if (--t->quantum_left <= 0)
        c->need_resched = true;
}

void sched_irq_exit(bool interrupted_with_irqs_on)
{
    struct cpu *c = this_cpu();
    if (!c->self || !interrupted_with_irqs_on || !c->need_resched)
        return;
    schedule_locked_out();
}

int sched_sleep_ns(uint64_t ns)
{
    struct thread *me = sched_current();
    spin_lock(&sleep_lock);
    if (me->kill_pending) {
        spin_unlock(&sleep_lock);
        return SCHED_KILLED;
    }
    me->wake_at_ns = ktime_ns() + ns;
    struct thread **pp = &sleep_head;
    while (*pp && (*pp)->wake_at_ns <= me->wake_at_ns)
        pp = &(*pp)->sleep_next;
    me->sleep_next = *pp;
    *pp = me;
    me->reason = BLOCK_SLEEP;
    me->state = THREAD_BLOCKED;
    spin_unlock(&sleep_lock);
    return sched_block();
}

/* Takes a sleeping thread off the sleep list (for thread_kill). */
bool sched_cancel_sleep(struct thread *t)
{
    bool found = false;
    spin_lock(&sleep_lock);
    for (struct thread **pp = &sleep_head; *pp; pp = &(*pp)->sleep_next) {
        if (*pp == t) {
            *pp = t->sleep_next;
            t->sleep_next = NULL;
            found = true;
            break;
        }
    }
    spin_unlock(&sleep_lock);
    return found;
}

/* ---- idle ------------------------------------------------------------- */

void sched_idle_loop(void)
{
    struct cpu *c = this_cpu();
    for (;;) {
        irq_disable();
        if (c->need_resched || c->rq.nr_ready) {
            schedule_locked_out();
            irq_enable();
            continue;
        }
        /*
         * Anything to steal? Look without locks; steal() re-checks. If the
         * attempt finds nothing this CPU may run (e.g. threads pinned
         * elsewhere), halt anyway: the next tick or IPI retries. Spinning
         * here would take host time from the CPUs doing the work.
         */
        bool work = false;
        for (uint32_t i = 0; i < MAX_CPUS && !work; i++)
            work = cpus[i].online && &cpus[i] != c && cpus[i].rq.nr_ready > 0;
        if (work) {
            uint64_t switches = c->switches;
            schedule_locked_out();
            if (c->switches != switches) {
                irq_enable();
                continue;
            }
        }
        if (sched_idle_enter_hook) {
            sched_idle_enter_hook();
            if (c->need_resched || c->rq.nr_ready) { /* raced with a wake-up */
                sched_idle_exit_hook();
                continue;
            }
        }
        /* sti takes effect after hlt starts: no wake-up is lost in between. */
        c->halted_since = rdtsc();
        __asm__ volatile("sti; hlt" ::: "memory");
        irq_disable();
        sched_idle_span_end();
        if (sched_idle_exit_hook)
            sched_idle_exit_hook();
    }
}
