/*
 * virtio_blk: the virtio-blk driver, a Ring 3 process serving the block
 * protocol (<mnos/block.h>) for one PCI function. init starts one per
 * virtio-blk function with exactly these capabilities:
 *
 *   "pci"          the function's PciDevice (READ | WRITE: config space, its IRQ lines)
 *   "barK"         the k-th implemented BAR's IoPort or MmioRegion (docs/devices.md)
 *   "dma"          a MemoryFrame of 2^n contiguous pages for the virtqueue; init keeps a copy, so
 *                  when this process dies the memory the device may still write stays allocated
 *                  until init has stopped the device's bus mastering
 *   "blk-srv"      the server end (READ) of the block endpoint; clients hold badged copies
 *   "allocator"    a budget for the heap and thread stacks; "self" to start threads
 *
 * and the arguments: the location "BB:DD.F", then options: "legacy" (use
 * the legacy I/O-port transport of a transitional device rather than the
 * modern one), "intx" (the INTx line even when the function has MSI-X).
 *
 * The device logic is lib/virtio's (modern and legacy PCI transports, the
 * split virtqueue, virtio-blk requests). This file adds the process around
 * it:
 *   workers (WORKERS threads)  each receives calls on the endpoint
 *                  (RECV_CAP: a client's frame may come with a message),
 *                  takes a session's new requests to the device and, when
 *                  asked, waits on its own notification until enough have
 *                  completed, then replies
 *   irq thread     WAIT_IRQ on the MSI-X vector or INTx line; harvests the
 *                  used ring, writes completions into the sessions' rings,
 *                  feeds requests that did not fit into the device queue,
 *                  and signals the workers whose wait is over
 * One mutex covers the device and the sessions. Nothing a client writes
 * into its ring is trusted: each request is copied once, then checked.
 */
#include <mnos/block.h>

#include "../common/pcidev.h"
#include "libmnos.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"
#include "virtio/virtio.h"

#define WORKERS 4
#define SESSION_VA 0x580000000000ull /* session i's frame at SESSION_VA + i * SESSION_WINDOW */
#define SESSION_WINDOW (8ull << 20)
#define DMA_VA 0x570000000000ull
#define MAX_SECTORS 8192u /* 4 MiB per request */
#define MSIX_QUEUE_ENTRY 0
#define ATTACH_PATIENCE 200 /* tries (yields, then 100 us sleeps) before ATTACH says no frame came */

#define PCI_COMMAND_IO 0x1u
#define PCI_COMMAND_MEMORY 0x2u
#define PCI_COMMAND_MASTER 0x4u
#define PCI_COMMAND_INTX_DISABLE 0x400u
#define MSIX_CONTROL_ENABLE 0x8000u
#define MSIX_CONTROL_MASK 0x4000u

struct session {
    bool used; /* the badge has a record (a frame came, or it attached) */
    bool attached;
    uint64_t badge;
    uint32_t pending_frame; /* a frame sent and not yet attached (0: none) */
    uint32_t pending_entries;
    uint32_t frame; /* the attached frame */
    volatile uint8_t *va;
    uint64_t phys, bytes;
    uint32_t entries;
    volatile struct mn_blk_ring *ring;
    volatile struct mn_blk_sqe *sq;
    volatile struct mn_blk_cqe *cq;
    uint32_t sq_head, cq_tail; /* the driver's own copies */
    uint32_t in_flight; /* requests at the device */
    bool busy; /* a worker waits for this session */
    uint32_t waiter; /* the notification to signal when the wait is over (0: none) */
    uint32_t want; /* completions it waits for (0: until nothing is in flight) */
};

/* A request at the device: whose, and the client's tag. */
struct inflight {
    int16_t session; /* -1: free */
    uint32_t count;
    uint64_t tag;
};

static struct pcidev pd;
static virtio_blk_t dev;
static mn_mutex_t lock = MN_MUTEX_INIT;
static struct session sessions[MN_BLK_MAX_SESSIONS];
static struct inflight reqs[VIRTQ_MAX_DESC];
static uint32_t ep, irq;
static bool use_msix;
static char where[8];
static uint64_t interrupts, completions;

/* ---- register access for lib/virtio ---------------------------------------------------- */

static uint32_t reg_read(void *ctx, uint8_t bar, uint32_t off, unsigned width)
{
    (void)ctx;
    if (bar >= PCI_MAX_BARS)
        return 0xFFFFFFFFu;
    if (pd.bar_va[bar]) {
        if (off + width > pd.bar_bytes[bar])
            return 0xFFFFFFFFu;
        volatile uint8_t *p = pd.bar_va[bar] + off;
        return width == 1 ? *p : width == 2 ? *(volatile uint16_t *)p : *(volatile uint32_t *)p;
    }
    if (pd.bar_cap[bar] && pd.info.bars[bar].type == PCI_BAR_IO) {
        int64_t v = mn_sys_PORT_IN(pd.bar_cap[bar], pd.info.bars[bar].base + off, width);
        return v < 0 ? 0xFFFFFFFFu : (uint32_t)v;
    }
    return 0xFFFFFFFFu;
}

static void reg_write(void *ctx, uint8_t bar, uint32_t off, unsigned width, uint32_t value)
{
    (void)ctx;
    if (bar >= PCI_MAX_BARS)
        return;
    if (pd.bar_va[bar]) {
        if (off + width > pd.bar_bytes[bar])
            return;
        volatile uint8_t *p = pd.bar_va[bar] + off;
        if (width == 1)
            *p = (uint8_t)value;
        else if (width == 2)
            *(volatile uint16_t *)p = (uint16_t)value;
        else
            *(volatile uint32_t *)p = value;
    } else if (pd.bar_cap[bar] && pd.info.bars[bar].type == PCI_BAR_IO) {
        mn_sys_PORT_OUT(pd.bar_cap[bar], pd.info.bars[bar].base + off, value, width);
    }
}

static void barrier(void *ctx, enum virtio_barrier kind)
{
    (void)ctx;
    if (kind == VIRTIO_BARRIER_FULL)
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    else
        __asm__ volatile("" ::: "memory");
}

static void delay_us(void *ctx, uint32_t us)
{
    (void)ctx;
    mn_sys_SLEEP((uint64_t)us * 1000);
}

static const struct virtio_ops ops = {reg_read, reg_write, barrier, delay_us, NULL};

/* ---- completions and submissions (lock held) ---------------------------------------------- */

static void post(struct session *s, uint64_t tag, int result, uint32_t count)
{
    volatile struct mn_blk_cqe *e = &s->cq[s->cq_tail & (s->entries - 1)];
    e->tag = tag;
    e->result = result;
    e->count = result == MN_ERR_OK ? count : 0;
    s->cq_tail++;
    __atomic_store_n(&s->ring->cq_tail, s->cq_tail, __ATOMIC_RELEASE);
}

static void on_done(void *arg, const virtio_blk_done_t *d)
{
    (void)arg;
    completions++;
    if (d->cookie >= VIRTQ_MAX_DESC || reqs[d->cookie].session < 0)
        return;
    struct inflight *q = &reqs[d->cookie];
    struct session *s = &sessions[q->session];
    q->session = -1;
    s->in_flight--;
    if (s->attached)
        post(s, q->tag, d->result, q->count);
}

static int free_req(void)
{
    for (int i = 0; i < (int)VIRTQ_MAX_DESC; i++)
        if (reqs[i].session < 0)
            return i;
    return -1;
}

/* Checks a request against the session's frame and the disk: MN_ERR_OK or the result it completes with. */
static int check(const struct session *s, const struct mn_blk_sqe *e)
{
    uint64_t ring_end = MN_BLK_RING_BYTES(s->entries);
    switch (e->op) {
    case MN_BLK_OP_READ:
    case MN_BLK_OP_WRITE: {
        if (e->count == 0 || e->count > MAX_SECTORS || e->offset % MN_BLK_SECTOR || e->offset < ring_end ||
            e->offset > s->bytes || (uint64_t)e->count * MN_BLK_SECTOR > s->bytes - e->offset)
            return MN_ERR_BAD_ARG;
        if (e->lba > dev.info.capacity || e->count > dev.info.capacity - e->lba)
            return MN_ERR_OUT_OF_RANGE;
        if (e->op == MN_BLK_OP_WRITE && dev.info.read_only)
            return MN_ERR_NO_RIGHTS;
        return MN_ERR_OK;
    }
    case MN_BLK_OP_FLUSH: return e->lba == 0 && e->count == 0 ? MN_ERR_OK : MN_ERR_BAD_ARG;
    case MN_BLK_OP_ID:
        if (e->lba != 0 || e->count != 1 || e->offset % MN_BLK_SECTOR || e->offset < ring_end ||
            e->offset > s->bytes - MN_BLK_SECTOR)
            return MN_ERR_BAD_ARG;
        return MN_ERR_OK;
    default: return MN_ERR_BAD_ARG;
    }
}

static const unsigned virtio_type[] = {VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_GET_ID};

/* Takes the session's new requests until the device queue is full; returns how many it took. */
static uint32_t take(struct session *s)
{
    uint32_t tail = __atomic_load_n(&s->ring->sq_tail, __ATOMIC_ACQUIRE), taken = 0;
    while (s->sq_head != tail && tail - s->sq_head <= s->entries) {
        struct mn_blk_sqe e;
        volatile struct mn_blk_sqe *src = &s->sq[s->sq_head & (s->entries - 1)];
        e.op = src->op;
        e.count = src->count;
        e.lba = src->lba;
        e.offset = src->offset;
        e.tag = src->tag;
        int r = check(s, &e);
        if (r == MN_ERR_OK && e.op == MN_BLK_OP_FLUSH && !dev.info.flush) {
            post(s, e.tag, MN_ERR_OK, 0); /* no write cache: every write is durable already */
        } else if (r != MN_ERR_OK) {
            post(s, e.tag, r, 0);
        } else {
            int q = free_req();
            if (q < 0)
                break;
            bool data = e.op == MN_BLK_OP_READ || e.op == MN_BLK_OP_WRITE;
            r = virtio_blk_submit(&dev, virtio_type[e.op], data ? e.lba : 0,
                                  e.op == MN_BLK_OP_FLUSH ? 0 : s->phys + e.offset, data ? e.count : 0, (uint64_t)q);
            if (r == MN_ERR_WOULD_BLOCK)
                break;
            if (r != MN_ERR_OK) {
                post(s, e.tag, r, 0);
            } else {
                reqs[q] = (struct inflight){(int16_t)(s - sessions), e.count, e.tag};
                s->in_flight++;
            }
        }
        s->sq_head++;
        taken++;
    }
    __atomic_store_n(&s->ring->sq_head, s->sq_head, __ATOMIC_RELEASE);
    return taken;
}

/* Completions the client has not consumed yet (its cq_head is not trusted beyond the ring). */
static uint32_t ready(const struct session *s)
{
    uint32_t r = s->cq_tail - __atomic_load_n(&s->ring->cq_head, __ATOMIC_ACQUIRE);
    return r > s->entries ? s->entries : r;
}

static bool idle(const struct session *s)
{
    return s->in_flight == 0 && s->sq_head == __atomic_load_n(&s->ring->sq_tail, __ATOMIC_ACQUIRE);
}

static bool wait_over(const struct session *s)
{
    return !s->attached || idle(s) || (s->want && ready(s) >= s->want);
}

/* ---- the interrupt thread ------------------------------------------------------------------ */

static void irq_thread(void *arg)
{
    (void)arg;
    for (;;) {
        int64_t r = mn_sys_WAIT_IRQ(irq);
        if (r < 0) {
            printf("virtio_blk %s: WAIT_IRQ failed: %s\n", where, mn_error_name((int)r));
            return;
        }
        mn_mutex_lock(&lock);
        interrupts++;
        if (!use_msix && (virtio_blk_isr(&dev) & VIRTIO_ISR_CONFIG))
            virtio_blk_refresh(&dev);
        virtio_blk_poll(&dev, on_done, NULL, NULL);
        bool more = false;
        for (unsigned i = 0; i < MN_BLK_MAX_SESSIONS; i++)
            if (sessions[i].attached)
                more |= take(&sessions[i]) > 0;
        if (more)
            virtio_blk_kick(&dev);
        for (unsigned i = 0; i < MN_BLK_MAX_SESSIONS; i++) {
            struct session *s = &sessions[i];
            if (s->waiter && wait_over(s)) {
                mn_sys_NOTIFY_SIGNAL(s->waiter, 1);
                s->waiter = 0;
            }
        }
        mn_mutex_unlock(&lock);
    }
}

/* ---- the protocol --------------------------------------------------------------------------- */

static struct session *find(uint64_t badge, bool create)
{
    struct session *fresh = NULL;
    for (unsigned i = 0; i < MN_BLK_MAX_SESSIONS; i++) {
        if (sessions[i].used && sessions[i].badge == badge)
            return &sessions[i];
        if (!sessions[i].used && !fresh)
            fresh = &sessions[i];
    }
    if (!create || !fresh)
        return NULL;
    memset(fresh, 0, sizeof *fresh);
    fresh->used = true;
    fresh->badge = badge;
    return fresh;
}

static void drop_slot(uint32_t slot)
{
    if (slot) {
        mn_sys_DROP_CAP(slot);
        mn_slot_free(slot);
    }
}

static int attach(struct session *s, uint64_t *entries_out)
{
    if (s->attached)
        return MN_ERR_BUSY;
    if (!s->pending_frame)
        return MN_ERR_NOT_FOUND;
    uint64_t info[3];
    if (mn_sys_FRAME_INFO(s->pending_frame, info) != 0)
        return MN_ERR_BAD_ARG;
    uint64_t bytes = MN_PAGE_SIZE << info[1];
    uint32_t n = s->pending_entries;
    if (n == 0 || n > MN_BLK_MAX_ENTRIES || (n & (n - 1)) || MN_BLK_RING_BYTES(n) > bytes || bytes > SESSION_WINDOW)
        return MN_ERR_BAD_ARG;
    uint64_t va = SESSION_VA + (uint64_t)(s - sessions) * SESSION_WINDOW;
    int64_t r = mn_sys_MAP_MEMORY(mn_self(), s->pending_frame, va, MN_MAP_WRITE);
    if (r != 0)
        return r == MN_ERR_NO_RIGHTS ? MN_ERR_NO_RIGHTS : MN_ERR_NO_MEMORY;
    s->frame = s->pending_frame;
    s->pending_frame = 0;
    s->va = (volatile uint8_t *)(uintptr_t)va;
    s->phys = info[0];
    s->bytes = bytes;
    s->entries = n;
    s->ring = (volatile struct mn_blk_ring *)s->va;
    s->sq = (volatile struct mn_blk_sqe *)(s->va + MN_BLK_SQ_OFFSET);
    s->cq = (volatile struct mn_blk_cqe *)(s->va + MN_BLK_CQ_OFFSET(n));
    s->sq_head = s->cq_tail = 0;
    s->ring->sq_tail = s->ring->sq_head = s->ring->cq_tail = s->ring->cq_head = 0;
    s->ring->entries = n;
    __atomic_store_n(&s->ring->magic, MN_BLK_RING_MAGIC, __ATOMIC_RELEASE);
    s->attached = true;
    *entries_out = n;
    return MN_ERR_OK;
}

/* Waits (lock held, dropped while asleep) until the session's wait is over; MN_ERR_BUSY if another waits. */
static int wait_session(struct session *s, uint32_t notify, uint32_t want)
{
    if (s->busy)
        return MN_ERR_BUSY;
    s->busy = true;
    s->want = want;
    while (!wait_over(s)) {
        s->waiter = notify;
        mn_mutex_unlock(&lock);
        mn_sys_NOTIFY_WAIT(notify);
        mn_mutex_lock(&lock);
    }
    s->waiter = 0;
    s->busy = false;
    return MN_ERR_OK;
}

static void detach(struct session *s)
{
    mn_sys_UNMAP(mn_self(), (uint64_t)(uintptr_t)s->va, s->bytes / MN_PAGE_SIZE);
    drop_slot(s->frame);
    drop_slot(s->pending_frame);
    memset(s, 0, sizeof *s);
}

/* One message; the reply in m (label = result). Returns false when no reply is owed (MN_BLK_FRAME). */
static bool handle(uint64_t badge, uint32_t *cap_slot, bool got_cap, uint64_t m[3], uint32_t notify)
{
    uint64_t label = m[0], d0 = m[1];
    m[0] = (uint64_t)MN_ERR_OK;
    m[1] = m[2] = 0;
    if (label == MN_BLK_FRAME) {
        if (!got_cap)
            return false;
        struct session *s = find(badge, true);
        if (!s || s->attached)
            return false; /* the frame stays in *cap_slot and is dropped by the caller */
        drop_slot(s->pending_frame);
        s->pending_frame = *cap_slot;
        s->pending_entries = (uint32_t)d0;
        *cap_slot = 0;
        return false;
    }
    struct session *s = find(badge, false);
    switch (label) {
    case MN_BLK_INFO: {
        uint32_t flags = (dev.info.read_only ? MN_BLK_F_READ_ONLY : 0) | (dev.info.flush ? MN_BLK_F_FLUSH : 0) |
                         (s && s->attached ? MN_BLK_F_ATTACHED : 0) | (dev.info.has_geometry ? MN_BLK_F_GEOMETRY : 0) |
                         (dev.info.has_topology ? MN_BLK_F_TOPOLOGY : 0);
        m[1] = dev.info.capacity;
        m[2] = MN_BLK_INFO_MAKE(flags, __builtin_ctz(dev.info.blk_size), MAX_SECTORS);
        break;
    }
    case MN_BLK_GEOMETRY:
        m[1] = MN_BLK_GEOMETRY_MAKE(dev.info.cylinders, dev.info.heads, dev.info.sectors);
        m[2] = MN_BLK_TOPOLOGY_MAKE(dev.info.physical_block_exp, dev.info.alignment_offset, dev.info.min_io_size,
                                    dev.info.opt_io_size);
        break;
    case MN_BLK_ATTACH:
        /*
         * The frame was sent just before, but another worker may have taken that message and not yet
         * recorded it (SEND_CAP returns to the client as soon as a worker has it): give it a moment.
         */
        for (int i = 0; i < ATTACH_PATIENCE && (!s || (!s->attached && !s->pending_frame)); i++) {
            mn_mutex_unlock(&lock);
            i < ATTACH_PATIENCE / 2 ? mn_sys_YIELD() : mn_sys_SLEEP(100000);
            mn_mutex_lock(&lock);
            s = find(badge, false);
        }
        m[0] = !s ? (uint64_t)MN_ERR_NOT_FOUND : (uint64_t)(int64_t)attach(s, &m[1]);
        break;
    case MN_BLK_SUBMIT: {
        if (!s || !s->attached) {
            m[0] = (uint64_t)MN_ERR_NOT_FOUND;
            break;
        }
        uint32_t tail = __atomic_load_n(&s->ring->sq_tail, __ATOMIC_ACQUIRE);
        if (d0 > s->entries || tail - s->sq_head > s->entries) {
            m[0] = (uint64_t)MN_ERR_BAD_ARG;
            break;
        }
        uint32_t taken = take(s);
        if (taken)
            virtio_blk_kick(&dev);
        int r = d0 ? wait_session(s, notify, (uint32_t)d0) : MN_ERR_OK;
        m[0] = (uint64_t)(int64_t)r;
        m[1] = taken;
        m[2] = ready(s);
        break;
    }
    case MN_BLK_DETACH:
        if (!s || !s->attached) {
            m[0] = (uint64_t)MN_ERR_NOT_FOUND;
            break;
        }
        m[0] = (uint64_t)(int64_t)wait_session(s, notify, 0); /* until nothing is queued or in flight */
        if (m[0] == MN_ERR_OK)
            detach(s);
        break;
    default: m[0] = (uint64_t)MN_ERR_BAD_ARG;
    }
    return true;
}

static void worker(void *arg)
{
    (void)arg;
    uint32_t slot = mn_slot_alloc(), notify = mn_slot_alloc();
    if (!slot || !notify || mn_sys_NOTIFICATION_CREATE(notify) != 0) {
        printf("virtio_blk %s: a worker has no slots\n", where);
        return;
    }
    for (;;) {
        uint64_t m[3];
        int64_t r = mn_sys_RECV_CAP(ep, slot, m);
        if (r < 0) {
            if (r != MN_ERR_DEAD)
                printf("virtio_blk %s: receive failed: %s\n", where, mn_error_name((int)r));
            mn_sys_PROCESS_EXIT(r == MN_ERR_DEAD ? 0 : 1); /* the endpoint is gone: nobody can reach us */
        }
        mn_mutex_lock(&lock);
        bool reply = handle((uint64_t)r >> 1, &slot, r & 1, m, notify);
        mn_mutex_unlock(&lock);
        if (!slot) /* the session kept the capability that came */
            slot = mn_slot_alloc();
        else if (r & 1)
            mn_sys_DROP_CAP(slot);
        if (reply)
            mn_sys_REPLY(m[0], m[1], m[2]);
        if (!slot) {
            printf("virtio_blk %s: out of slots\n", where);
            mn_sys_PROCESS_EXIT(1);
        }
    }
}

/* ---- bring-up --------------------------------------------------------------------------------- */

/* The size of I/O BAR `bar` (its IoPort capability refuses ports past it): the largest of 256..32 that answers. */
static uint32_t io_bar_size(unsigned bar)
{
    for (uint32_t size = 256; size >= 32; size /= 2)
        if (mn_sys_PORT_IN(pd.bar_cap[bar], pd.info.bars[bar].base + size - 1, 1) >= 0)
            return size;
    return 0;
}

static int setup_irq(bool want_intx)
{
    irq = mn_slot_alloc();
    const pci_msix_t *x = &pd.info.msix;
    if (!want_intx && x->cap && x->table_bar < PCI_MAX_BARS && pcidev_map_bar(&pd, x->table_bar) == MN_ERR_OK &&
        mn_sys_PCI_IRQ_MSIX(pd.cfg, MSIX_QUEUE_ENTRY, irq) == 0) {
        /* Unmask the entry (its vector control word), then enable MSI-X with the function unmasked. */
        uint64_t ctl = x->table_offset + 16u * MSIX_QUEUE_ENTRY + 12;
        if (ctl + 4 > pd.bar_bytes[x->table_bar])
            return MN_ERR_BAD_FORMAT;
        *(volatile uint32_t *)(pd.bar_va[x->table_bar] + ctl) = 0;
        int64_t c = pcidev_cfg_read(&pd, x->cap + 2, 2);
        if (c < 0)
            return (int)c;
        int r = pcidev_cfg_write(&pd, x->cap + 2, ((uint16_t)c | MSIX_CONTROL_ENABLE) & ~MSIX_CONTROL_MASK, 2);
        if (r != MN_ERR_OK)
            return r;
        use_msix = true;
        return pcidev_command(&pd, PCI_COMMAND_INTX_DISABLE, 0);
    }
    int r = (int)mn_sys_PCI_IRQ_INTX(pd.cfg, irq);
    if (r != MN_ERR_OK)
        return r;
    return pcidev_command(&pd, 0, PCI_COMMAND_INTX_DISABLE);
}

static int bring_up(int argc, char **argv)
{
    bool want_legacy = false, want_intx = false;
    for (int i = 2; i < argc; i++) {
        want_legacy |= strcmp(argv[i], "legacy") == 0;
        want_intx |= strcmp(argv[i], "intx") == 0;
    }
    uint8_t bus, devn, fn;
    if (argc < 2 || pcidev_parse_location(argv[1], &bus, &devn, &fn) != MN_ERR_OK) {
        printf("virtio_blk: usage: virtio_blk BB:DD.F [legacy] [intx]\n");
        return MN_ERR_BAD_ARG;
    }
    snprintf(where, sizeof where, "%s", argv[1]);
    uint32_t caps[PCI_MAX_BARS];
    for (unsigned k = 0; k < PCI_MAX_BARS; k++) {
        char role[8];
        snprintf(role, sizeof role, "bar%u", k);
        caps[k] = mn_cap(role);
    }
    ep = mn_cap("blk-srv");
    uint32_t dma = mn_cap("dma");
    int r = pcidev_open(&pd, mn_cap("pci"), bus, devn, fn, caps, PCI_MAX_BARS);
    if (r != MN_ERR_OK || !ep || !dma) {
        printf("virtio_blk %s: missing capabilities (%s)\n", where, mn_error_name(r ? r : MN_ERR_INVALID_SLOT));
        return r ? r : MN_ERR_INVALID_SLOT;
    }
    for (unsigned i = 0; i < PCI_MAX_BARS; i++)
        if (pd.bar_cap[i] && pd.info.bars[i].type != PCI_BAR_IO && (r = pcidev_map_bar(&pd, i)) != MN_ERR_OK)
            return r;
    /* Decoding and bus mastering on; the device is reset by virtio_blk_init before it is given any memory. */
    if ((r = pcidev_command(&pd, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0)) != MN_ERR_OK ||
        (r = setup_irq(want_intx)) != MN_ERR_OK) {
        printf("virtio_blk %s: cannot set up the function: %s\n", where, mn_error_name(r));
        return r;
    }
    uint64_t info[3];
    if ((r = (int)mn_sys_FRAME_INFO(dma, info)) != 0 ||
        (r = (int)mn_sys_MAP_MEMORY(mn_self(), dma, DMA_VA, MN_MAP_WRITE)) != 0) {
        printf("virtio_blk %s: cannot map its DMA memory: %s\n", where, mn_error_name(r));
        return r;
    }
    virtio_blk_params_t p = {
        .ops = &ops,
        .caps = pd.info.virtio,
        .ncaps = pd.info.virtio_count,
        .msix_table_size = use_msix ? pd.info.msix.table_size : 0,
        .config_vector = VIRTIO_NO_VECTOR,
        .queue_vector = use_msix ? MSIX_QUEUE_ENTRY : VIRTIO_NO_VECTOR,
        .dma = (void *)(uintptr_t)DMA_VA,
        .dma_phys = info[0],
        .dma_size = MN_PAGE_SIZE << info[1],
    };
    bool legacy = pd.info.virtio_count == 0 || want_legacy;
    if (legacy) {
        if (pd.info.bars[0].type != PCI_BAR_IO || !pd.bar_cap[0]) {
            printf("virtio_blk %s: no legacy I/O BAR\n", where);
            return MN_ERR_NOT_FOUND;
        }
        p.legacy = true;
        p.legacy_bar = 0;
        p.legacy_bar_size = io_bar_size(0);
    }
    if ((r = virtio_blk_init(&dev, &p)) != MN_ERR_OK) {
        printf("virtio_blk %s: the device did not initialize: %s (needs %zu DMA bytes)\n", where, mn_error_name(r),
               dev.dma_needed);
        return r;
    }
    for (unsigned i = 0; i < VIRTQ_MAX_DESC; i++)
        reqs[i].session = -1;
    uint64_t mib = dev.info.capacity >> 11;
    printf("virtio_blk %s: %s transport, %s, %lu sectors (%lu MiB)%s%s, queue %u; ready\n", where,
           legacy ? "legacy" : "modern", use_msix ? "MSI-X" : "INTx", (unsigned long)dev.info.capacity,
           (unsigned long)mib, dev.info.read_only ? ", read-only" : "", dev.info.flush ? ", write cache" : "",
           dev.info.queue_size);
    return MN_ERR_OK;
}

int main(int argc, char **argv)
{
    /* Its one line is out before any thread serves a client (the console interleaves processes' output). */
    if (bring_up(argc, argv) != MN_ERR_OK)
        return 1;
    if (mn_thread_create(irq_thread, NULL, 2) < 0) {
        printf("virtio_blk %s: no interrupt thread\n", where);
        return 1;
    }
    for (int i = 1; i < WORKERS; i++)
        if (mn_thread_create(worker, NULL, 2) < 0)
            printf("virtio_blk %s: worker %d did not start\n", where, i);
    worker(NULL);
    return 0;
}
