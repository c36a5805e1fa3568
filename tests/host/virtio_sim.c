/*
 * The simulated virtio-blk device (see virtio_sim.h): registers of both
 * layouts, ring processing against a RAM disk, and the checks it makes of
 * the driver. Guest memory is read and written with memcpy, never through
 * typed pointers, so a driver bug shows up as a recorded error rather than
 * undefined behaviour in the simulator.
 */
#include "virtio_sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISK_SECTORS_MAX 65536 /* the RAM disk holds at most this much unless told otherwise */

static void vfail(struct vsim *s, const char *fmt, va_list ap)
{
    if (s->errors++)
        return;
    vsnprintf(s->first_error, sizeof s->first_error, fmt, ap);
}

/* A protocol violation: wrong order, bad ring contents, a value the device would refuse. */
static void fail(struct vsim *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(s, fmt, ap);
    va_end(ap);
}

/* An access that hits no register at its width: wrong whatever the device presented. */
static void fail_access(struct vsim *s, const char *fmt, ...)
{
    va_list ap;
    s->access_errors++;
    va_start(ap, fmt);
    vfail(s, fmt, ap);
    va_end(ap);
}

static bool pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

void vsim_default_config(struct vsim_config *c, bool legacy)
{
    memset(c, 0, sizeof *c);
    c->legacy = legacy;
    c->features = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_GEOMETRY) |
                  VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
                  VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY) | VIRTIO_BIT(VIRTIO_F_ANY_LAYOUT) |
                  VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
    if (!legacy)
        c->features |= VIRTIO_BIT(VIRTIO_F_VERSION_1);
    c->msix_table = 2;
    c->queue_max = 256;
    c->num_queues = 1;
    c->capacity = 2048;
    c->seg_max = 254;
    c->blk_size = 512;
    c->cylinders = 2;
    c->heads = 16;
    c->sectors = 63;
    c->min_io = 1;
    memcpy(c->id, "vsim-disk-0001", 14);
    c->common_off = 0x0000;
    c->common_len = VIRTIO_PCI_COMMON_MIN_LENGTH;
    c->isr_off = 0x1000;
    c->isr_len = 1;
    c->device_off = 0x2000;
    c->device_len = 36;
    c->notify_off = 0x3000;
    c->notify_len = 0x1000;
    c->notify_multiplier = 4;
    c->bar_size = legacy ? 128 : 0x4000;
}

void *vsim_virt(const struct vsim *s, uint64_t phys, size_t len)
{
    if (phys < s->phys_base || phys - s->phys_base > s->mem_size || len > s->mem_size - (phys - s->phys_base))
        return NULL;
    return s->mem + (phys - s->phys_base);
}

uint64_t vsim_phys(const struct vsim *s, const void *p)
{
    return s->phys_base + (uint64_t)((const uint8_t *)p - s->mem);
}

void vsim_stamp(uint8_t *sector, uint64_t lba)
{
    memcpy(sector, &lba, 8);
    for (unsigned i = 8; i < VIRTIO_BLK_SECTOR; i++)
        sector[i] = (uint8_t)(lba * 131 + i * 7 + 1);
}

bool vsim_is_stamped(const uint8_t *sector, uint64_t lba)
{
    uint8_t want[VIRTIO_BLK_SECTOR];
    vsim_stamp(want, lba);
    return memcmp(sector, want, sizeof want) == 0;
}

/* ---- requests ---------------------------------------------------------------- */

static void free_req(struct vsim *s, struct vsim_req *r)
{
    for (unsigned i = 0; i < r->ndesc; i++)
        s->owned[r->descs[i]] = 0;
    free(r->data_phys);
    free(r->data_len);
    free(r->descs);
    free(r);
}

static void drop_pending(struct vsim *s)
{
    for (unsigned i = 0; i < s->npending; i++)
        free_req(s, s->pending[i]);
    s->npending = 0;
}

static void do_reset(struct vsim *s)
{
    drop_pending(s);
    s->status = 0;
    s->dfselect = s->gfselect = 0;
    s->driver_features = 0;
    s->config_vector = s->queue_vector = VIRTIO_NO_VECTOR;
    s->queue_select = 0;
    s->queue_size = s->cfg.queue_max;
    s->queue_enable = 0;
    s->queue_desc = s->queue_avail = s->queue_used = 0;
    s->queue_pfn = 0;
    s->isr = 0;
    s->last_avail = s->used_idx = 0;
    s->snap_valid = false;
    s->avail_idx_seen = 0;
    s->reset_reads_left = s->cfg.reset_reads;
    s->resets++;
}

struct vsim *vsim_new(const struct vsim_config *c, uint8_t *mem, size_t mem_size, uint64_t phys_base)
{
    struct vsim *s = calloc(1, sizeof *s);
    s->cfg = *c;
    s->mem = mem;
    s->mem_size = mem_size;
    s->phys_base = phys_base;
    uint64_t limit = c->disk_sectors ? c->disk_sectors : DISK_SECTORS_MAX;
    uint64_t sectors = c->capacity < limit ? c->capacity : limit;
    s->disk_bytes = (size_t)sectors * VIRTIO_BLK_SECTOR;
    s->disk = malloc(s->disk_bytes ? s->disk_bytes : 1);
    for (uint64_t lba = 0; lba < sectors; lba++)
        vsim_stamp(s->disk + lba * VIRTIO_BLK_SECTOR, lba);
    size_t qmax = c->queue_max ? c->queue_max : 1; /* no queue the driver sets up is bigger */
    s->owned = calloc(qmax, 1);
    s->pending = calloc(qmax, sizeof *s->pending);
    s->snap = malloc(16 * qmax + 6 + 2 * qmax);
    s->status_override = -1;
    s->seed = 12345;
    do_reset(s);
    s->resets = 0;
    return s;
}

void vsim_free(struct vsim *s)
{
    if (!s)
        return;
    drop_pending(s);
    free(s->disk);
    free(s->owned);
    free(s->pending);
    free(s->snap);
    free(s);
}

/* ---- guest memory ------------------------------------------------------------ */

static uint16_t mem16(const struct vsim *s, uint64_t phys)
{
    uint16_t v = 0;
    void *p = vsim_virt(s, phys, 2);
    if (p)
        memcpy(&v, p, 2);
    return v;
}

static void put16(const struct vsim *s, uint64_t phys, uint16_t v)
{
    void *p = vsim_virt(s, phys, 2);
    if (p)
        memcpy(p, &v, 2);
}

static void put32(const struct vsim *s, uint64_t phys, uint32_t v)
{
    void *p = vsim_virt(s, phys, 4);
    if (p)
        memcpy(p, &v, 4);
}

static bool read_desc(const struct vsim *s, uint16_t i, struct virtq_desc *d)
{
    void *p = vsim_virt(s, s->queue_desc + 16u * i, 16);
    if (p)
        memcpy(d, p, 16);
    return p != NULL;
}

/* ---- chains ------------------------------------------------------------------- */

static bool type_known(uint32_t t)
{
    return t == VIRTIO_BLK_T_IN || t == VIRTIO_BLK_T_OUT || t == VIRTIO_BLK_T_FLUSH || t == VIRTIO_BLK_T_GET_ID;
}

/* Checks the chain at `head` as a block request; returns it, or NULL after recording why it is malformed. */
static struct vsim_req *parse_chain(struct vsim *s, uint16_t head)
{
    uint16_t n = s->queue_size;
    if (head >= n) {
        fail(s, "avail ring names descriptor %u of %u", head, n);
        return NULL;
    }
    struct vsim_req *r = calloc(1, sizeof *r);
    r->descs = malloc(sizeof *r->descs * n);
    r->data_phys = malloc(sizeof *r->data_phys * n);
    r->data_len = malloc(sizeof *r->data_len * n);
    r->head = head;
    struct virtq_desc d[2] = {{0}}; /* the previous and the current one */
    uint16_t i = head;
    bool ok = true, seen_writable = false;
    for (;;) {
        if (r->ndesc == n) {
            fail(s, "chain at %u loops (more than %u descriptors)", head, n);
            ok = false;
            break;
        }
        if (s->owned[i]) {
            fail(s, "chain at %u uses descriptor %u of a chain still in flight", head, i);
            ok = false;
            break;
        }
        for (unsigned k = 0; k < r->ndesc; k++)
            if (r->descs[k] == i) {
                fail(s, "chain at %u loops through descriptor %u", head, i);
                ok = false;
            }
        if (!ok)
            break;
        read_desc(s, i, &d[1]);
        r->descs[r->ndesc++] = i;
        if (d[1].flags & ~(VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE)) {
            fail(s, "descriptor %u has flags %#x (indirect was not negotiated)", i, d[1].flags);
            ok = false;
            break;
        }
        if (d[1].len == 0 || !vsim_virt(s, d[1].addr, d[1].len)) {
            fail(s, "descriptor %u: %#llx+%u is not in guest memory", i, (unsigned long long)d[1].addr, d[1].len);
            ok = false;
            break;
        }
        bool w = d[1].flags & VIRTQ_DESC_F_WRITE;
        if (seen_writable && !w) {
            fail(s, "chain at %u: device-readable descriptor %u after a writable one", head, i);
            ok = false;
            break;
        }
        seen_writable |= w;
        if (r->ndesc == 1) {
            struct virtio_blk_req_hdr h;
            if (w || d[1].len != 16) {
                fail(s, "chain at %u: header descriptor is %s, %u bytes", head, w ? "writable" : "readable", d[1].len);
                ok = false;
                break;
            }
            memcpy(&h, vsim_virt(s, d[1].addr, 16), 16);
            r->type = h.type;
            r->sector = h.sector;
            if (!type_known(h.type) || h.reserved) {
                fail(s, "chain at %u: header type %u reserved %u", head, h.type, h.reserved);
                ok = false;
                break;
            }
        } else if (d[1].flags & VIRTQ_DESC_F_NEXT) {
            bool want_w = r->type != VIRTIO_BLK_T_OUT;
            if (w != want_w || r->type == VIRTIO_BLK_T_FLUSH) {
                fail(s, "chain at %u: data descriptor %u in the wrong direction for type %u", head, i, r->type);
                ok = false;
                break;
            }
            if ((s->driver_features & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX)) && s->cfg.size_max &&
                d[1].len > s->cfg.size_max) { /* a size_max of 0 is taken as no limit */
                fail(s, "chain at %u: segment of %u bytes over size_max %u", head, d[1].len, s->cfg.size_max);
                ok = false;
                break;
            }
            r->data_phys[r->ndata] = d[1].addr;
            r->data_len[r->ndata++] = d[1].len;
            r->data_bytes += d[1].len;
        }
        if (!(d[1].flags & VIRTQ_DESC_F_NEXT))
            break;
        if (d[1].next >= n) {
            fail(s, "descriptor %u chains to %u of %u", i, d[1].next, n);
            ok = false;
            break;
        }
        i = d[1].next;
        d[0] = d[1];
    }
    if (ok && (r->ndesc < 2 || !(d[1].flags & VIRTQ_DESC_F_WRITE) || d[1].len != 1)) {
        fail(s, "chain at %u does not end in a 1-byte writable status (%u descriptors)", head, r->ndesc);
        ok = false;
    }
    if (ok) {
        r->status_phys = d[1].addr;
        bool rw = r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_OUT;
        if (rw && (r->ndata == 0 || r->data_bytes % VIRTIO_BLK_SECTOR)) {
            fail(s, "chain at %u: %u data bytes for a read or write", head, r->data_bytes);
            ok = false;
        } else if (rw &&
                   (r->sector > s->cfg.capacity || r->data_bytes / VIRTIO_BLK_SECTOR > s->cfg.capacity - r->sector)) {
            fail(s, "chain at %u: sectors %llu+%u past the capacity %llu", head, (unsigned long long)r->sector,
                 r->data_bytes / VIRTIO_BLK_SECTOR, (unsigned long long)s->cfg.capacity);
            ok = false;
        } else if (r->type == VIRTIO_BLK_T_FLUSH && (r->ndata || r->sector)) {
            fail(s, "chain at %u: flush with data or a sector", head);
            ok = false;
        } else if (r->type == VIRTIO_BLK_T_GET_ID && (r->data_bytes != VIRTIO_BLK_ID_BYTES || r->sector)) {
            fail(s, "chain at %u: get-id with %u bytes", head, r->data_bytes);
            ok = false;
        } else if ((s->driver_features & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) &&
                   r->ndata > (s->cfg.seg_max ? s->cfg.seg_max : 1)) { /* a seg_max of 0 is taken as 1 */
            fail(s, "chain at %u: %u segments over seg_max %u", head, r->ndata, s->cfg.seg_max);
            ok = false;
        }
    }
    if (!ok) {
        r->ndesc = 0; /* nothing was marked owned */
        free_req(s, r);
        return NULL;
    }
    for (unsigned k = 0; k < r->ndesc; k++)
        s->owned[r->descs[k]] = 1;
    return r;
}

unsigned vsim_fetch(struct vsim *s)
{
    if (!(s->status & VIRTIO_STATUS_DRIVER_OK) || !s->queue_enable)
        return 0;
    uint16_t n = s->queue_size;
    uint16_t flags = mem16(s, s->queue_avail), idx = mem16(s, s->queue_avail + 2);
    if (flags > 1)
        fail(s, "avail flags %#x", flags);
    if ((uint16_t)(idx - s->last_avail) > n) {
        fail(s, "avail idx %u is %u ahead of %u", idx, (uint16_t)(idx - s->last_avail), s->last_avail);
        return 0;
    }
    unsigned count = 0;
    while (s->last_avail != idx) {
        uint16_t head = mem16(s, s->queue_avail + 4 + 2u * (s->last_avail % n));
        s->last_avail++;
        struct vsim_req *r = parse_chain(s, head);
        if (!r)
            continue;
        s->pending[s->npending++] = r;
        count++;
    }
    if (s->npending > s->max_pending)
        s->max_pending = s->npending;
    return count;
}

static void write_used(struct vsim *s, uint32_t id, uint32_t len)
{
    uint16_t n = s->queue_size;
    uint64_t e = s->queue_used + 4 + 8u * (s->used_idx % n);
    put32(s, e, id);
    put32(s, e + 4, len);
    s->used_idx++;
    put16(s, s->queue_used, s->no_notify ? VIRTQ_USED_F_NO_NOTIFY : 0);
    put16(s, s->queue_used + 2, s->used_idx);
    s->isr |= VIRTIO_ISR_QUEUE;
    if (mem16(s, s->queue_avail) & VIRTQ_AVAIL_F_NO_INTERRUPT)
        s->suppressed_interrupts++;
    else
        s->interrupts++;
}

/* Moves the request's data between the disk and its segments; returns the status. */
static uint8_t execute(struct vsim *s, const struct vsim_req *r)
{
    if (s->unsupp_types & (1u << (r->type & 31)))
        return VIRTIO_BLK_S_UNSUPP;
    if (r->type == VIRTIO_BLK_T_FLUSH) {
        s->flushes++;
        return VIRTIO_BLK_S_OK;
    }
    if (r->type == VIRTIO_BLK_T_GET_ID) {
        memcpy(vsim_virt(s, r->data_phys[0], VIRTIO_BLK_ID_BYTES), s->cfg.id, VIRTIO_BLK_ID_BYTES);
        return VIRTIO_BLK_S_OK;
    }
    uint64_t first = r->sector, count = r->data_bytes / VIRTIO_BLK_SECTOR;
    if (first < s->fail_hi && first + count > s->fail_lo)
        return VIRTIO_BLK_S_IOERR;
    if (r->type == VIRTIO_BLK_T_OUT && (s->cfg.features & VIRTIO_BIT(VIRTIO_BLK_F_RO)))
        return VIRTIO_BLK_S_IOERR;
    if (first * VIRTIO_BLK_SECTOR > s->disk_bytes || r->data_bytes > s->disk_bytes - first * VIRTIO_BLK_SECTOR)
        return VIRTIO_BLK_S_IOERR; /* inside the capacity but past what the RAM disk holds */
    uint8_t *disk = s->disk + first * VIRTIO_BLK_SECTOR;
    for (unsigned i = 0; i < r->ndata; i++) {
        uint8_t *buf = vsim_virt(s, r->data_phys[i], r->data_len[i]);
        if (r->type == VIRTIO_BLK_T_IN)
            memcpy(buf, disk, r->data_len[i]);
        else
            memcpy(disk, buf, r->data_len[i]);
        disk += r->data_len[i];
    }
    if (r->type == VIRTIO_BLK_T_IN)
        s->sectors_read += count;
    else
        s->sectors_written += count;
    return VIRTIO_BLK_S_OK;
}

static uint32_t next_random(struct vsim *s)
{
    s->seed ^= s->seed << 13;
    s->seed ^= s->seed >> 17;
    s->seed ^= s->seed << 5;
    return s->seed;
}

unsigned vsim_complete(struct vsim *s, unsigned n, enum vsim_order order)
{
    unsigned done = 0;
    while (done < n && s->npending && s->queue_enable) {
        unsigned k = order == VSIM_FIFO ? 0 : order == VSIM_LIFO ? s->npending - 1 : next_random(s) % s->npending;
        struct vsim_req *r = s->pending[k];
        memmove(&s->pending[k], &s->pending[k + 1], sizeof *s->pending * (s->npending - k - 1));
        s->npending--;
        uint8_t st = execute(s, r);
        if (s->status_override >= 0)
            st = (uint8_t)s->status_override;
        if (!s->skip_status)
            memcpy(vsim_virt(s, r->status_phys, 1), &st, 1);
        bool to_driver = r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_GET_ID;
        int64_t len = (int64_t)(to_driver ? r->data_bytes : 0) + 1 + s->len_delta;
        write_used(s, r->head, (uint32_t)len);
        free_req(s, r);
        s->completions++;
        done++;
    }
    return done;
}

bool vsim_forget(struct vsim *s, uint16_t head)
{
    for (unsigned k = 0; k < s->npending; k++) {
        if (s->pending[k]->head == head) {
            free_req(s, s->pending[k]);
            memmove(&s->pending[k], &s->pending[k + 1], sizeof *s->pending * (s->npending - k - 1));
            s->npending--;
            return true;
        }
    }
    return false;
}

void vsim_push_used(struct vsim *s, uint32_t id, uint32_t len)
{
    if (!s->queue_enable)
        return;
    if (id <= 0xFFFF)
        vsim_forget(s, (uint16_t)id);
    write_used(s, id, len);
}

void vsim_set_used_idx(struct vsim *s, uint16_t idx)
{
    if (!s->queue_enable)
        return;
    s->used_idx = idx;
    put16(s, s->queue_used + 2, idx);
}

void vsim_set_no_notify(struct vsim *s, bool on)
{
    s->no_notify = on;
    if (s->queue_enable)
        put16(s, s->queue_used, on ? VIRTQ_USED_F_NO_NOTIFY : 0);
}

void vsim_config_change(struct vsim *s, uint64_t capacity)
{
    s->cfg.capacity = capacity;
    s->generation++;
    s->isr |= VIRTIO_ISR_CONFIG;
}

/* ---- barrier check -------------------------------------------------------------- */

static void barrier_write(struct vsim *s)
{
    if (!s->queue_enable)
        return;
    size_t n = s->queue_size, desc = 16 * n, avail = 4 + 2 * n;
    void *d = vsim_virt(s, s->queue_desc, desc), *a = vsim_virt(s, s->queue_avail, avail);
    if (!d || !a)
        return;
    if (mem16(s, s->queue_avail + 2) != s->avail_idx_seen)
        fail(s, "avail idx moved from %u to %u before the WRITE barrier", s->avail_idx_seen,
             mem16(s, s->queue_avail + 2));
    memcpy(s->snap, d, desc);
    memcpy(s->snap + desc, a, avail);
    s->snap_valid = true;
}

/* Whatever became visible since the WRITE barrier must have been in place at it. */
static void barrier_full(struct vsim *s)
{
    if (!s->queue_enable)
        return;
    uint16_t n = s->queue_size, then, now = mem16(s, s->queue_avail + 2);
    if (now != s->avail_idx_seen && !s->snap_valid)
        fail(s, "avail idx moved from %u to %u without a WRITE barrier", s->avail_idx_seen, now);
    s->avail_idx_seen = now;
    if (!s->snap_valid)
        return;
    s->snap_valid = false;
    const uint8_t *snap_avail = s->snap + 16u * n;
    memcpy(&then, snap_avail + 2, 2);
    for (uint16_t slot = then; slot != now && (uint16_t)(slot - then) <= n; slot++) {
        uint16_t head_then, head_now = mem16(s, s->queue_avail + 4 + 2u * (slot % n));
        memcpy(&head_then, snap_avail + 4 + 2u * (slot % n), 2);
        if (head_then != head_now) {
            fail(s, "avail ring slot %u written after the WRITE barrier", slot);
            return;
        }
        uint16_t i = head_now;
        for (unsigned k = 0; k < n && i < n; k++) {
            struct virtq_desc cur, old;
            read_desc(s, i, &cur);
            memcpy(&old, s->snap + 16u * i, 16);
            if (memcmp(&cur, &old, 16)) {
                fail(s, "descriptor %u written after the WRITE barrier", i);
                return;
            }
            if (!(cur.flags & VIRTQ_DESC_F_NEXT))
                break;
            i = cur.next;
        }
    }
}

/* ---- registers ---------------------------------------------------------------- */

static uint16_t map_vector(const struct vsim *s, uint32_t v)
{
    if (v == VIRTIO_NO_VECTOR || !s->cfg.msix || v >= s->cfg.msix_table)
        return VIRTIO_NO_VECTOR;
    return (uint16_t)v;
}

static uint8_t read_status(struct vsim *s)
{
    if (s->reset_reads_left) {
        s->reset_reads_left--;
        return VIRTIO_STATUS_NEEDS_RESET; /* anything but 0: still resetting */
    }
    return s->status;
}

static void write_status(struct vsim *s, uint32_t v)
{
    if (v == 0) {
        do_reset(s);
        return;
    }
    if (v > 0xFF || (v & s->status) != s->status) {
        fail(s, "status %#x -> %#x clears bits", s->status, v);
        return;
    }
    uint8_t now = (uint8_t)v, added = now & ~s->status;
    if ((added & VIRTIO_STATUS_DRIVER) && !(now & VIRTIO_STATUS_ACKNOWLEDGE))
        fail(s, "DRIVER before ACKNOWLEDGE");
    if (added & VIRTIO_STATUS_FEATURES_OK) {
        if (s->cfg.legacy)
            fail(s, "FEATURES_OK on the legacy interface");
        if (!(now & VIRTIO_STATUS_DRIVER))
            fail(s, "FEATURES_OK before DRIVER");
        if (s->driver_features & ~s->cfg.features)
            fail(s, "driver accepted features %#llx that were not offered",
                 (unsigned long long)(s->driver_features & ~s->cfg.features));
        bool ok = !s->cfg.refuse_features_ok && (s->driver_features & VIRTIO_BIT(VIRTIO_F_VERSION_1)) &&
                  (s->driver_features & s->cfg.required) == s->cfg.required;
        if (!ok)
            now &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
    }
    if (added & VIRTIO_STATUS_DRIVER_OK) {
        bool features_ok = s->cfg.legacy || (s->status & VIRTIO_STATUS_FEATURES_OK);
        if (!(now & VIRTIO_STATUS_DRIVER) || !features_ok || !s->queue_enable)
            fail(s, "DRIVER_OK without DRIVER, FEATURES_OK or an enabled queue (status %#x)", now);
    }
    if (added & VIRTIO_STATUS_FAILED)
        s->failed++;
    s->status = now;
}

/* May the driver configure queues now (3.1.1 step 7: after FEATURES_OK, before DRIVER_OK)? */
static bool queue_setup_time(struct vsim *s, const char *what)
{
    bool ok = (s->cfg.legacy ? (s->status & VIRTIO_STATUS_DRIVER) : (s->status & VIRTIO_STATUS_FEATURES_OK)) &&
              !(s->status & VIRTIO_STATUS_DRIVER_OK) && !s->queue_enable;
    if (!ok)
        fail(s, "%s written with status %#x, queue enable %u", what, s->status, s->queue_enable);
    return ok;
}

/* Checks the rings the driver configured; enables the queue when they are fine. */
static void enable_queue(struct vsim *s)
{
    size_t n = s->queue_size;
    if (!pow2(s->queue_size)) {
        fail(s, "queue size %u is not a power of two", s->queue_size);
        return;
    }
    if (s->queue_desc % 16 || s->queue_avail % 2 || s->queue_used % 4)
        fail(s, "rings misaligned: desc %#llx avail %#llx used %#llx", (unsigned long long)s->queue_desc,
             (unsigned long long)s->queue_avail, (unsigned long long)s->queue_used);
    else if (!vsim_virt(s, s->queue_desc, 16 * n) || !vsim_virt(s, s->queue_avail, 6 + 2 * n) ||
             !vsim_virt(s, s->queue_used, 6 + 8 * n))
        fail(s, "rings outside guest memory");
    else if (mem16(s, s->queue_used) || mem16(s, s->queue_used + 2) || mem16(s, s->queue_avail + 2))
        fail(s, "rings not zeroed");
    else {
        s->queue_enable = 1;
        put16(s, s->queue_used, s->no_notify ? VIRTQ_USED_F_NO_NOTIFY : 0);
    }
}

static void notify(struct vsim *s, uint32_t q)
{
    if (!(s->status & VIRTIO_STATUS_DRIVER_OK) || q != 0) {
        fail(s, "notify of queue %u with status %#x", q, s->status);
        return;
    }
    s->notifies++;
    if (s->auto_complete || s->fetch_on_notify)
        vsim_fetch(s);
    if (s->auto_complete)
        vsim_complete(s, ~0u, VSIM_FIFO);
}

/* Device config: the field at rel, which must be read at its own width. */
static bool device_read(struct vsim *s, uint32_t rel, unsigned width, uint32_t *v)
{
    const struct vsim_config *c = &s->cfg;
    static const struct {
        uint8_t off, width;
    } f[] = {{0, 4},  {4, 4},  {8, 4},  {12, 4}, {16, 2}, {18, 1}, {19, 1}, {20, 4},
             {24, 1}, {25, 1}, {26, 2}, {28, 4}, {32, 1}, {33, 1}, {34, 2}};
    uint32_t values[] = {(uint32_t)c->capacity,
                         (uint32_t)(c->capacity >> 32),
                         c->size_max,
                         c->seg_max,
                         c->cylinders,
                         c->heads,
                         c->sectors,
                         c->blk_size,
                         c->phys_block_exp,
                         c->align_offset,
                         c->min_io,
                         c->opt_io,
                         0,
                         0,
                         1};
    uint32_t len = c->legacy ? c->bar_size - (c->msix ? 24 : 20) : c->device_len;
    if (rel + width > len) {
        fail_access(s, "device config read at %u+%u past its %u bytes", rel, width, len);
        return false;
    }
    for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (f[i].off == rel && f[i].width == width) {
            *v = values[i];
            return true;
        }
    }
    fail_access(s, "device config read at %u width %u is not a field", rel, width);
    return false;
}

enum reg {
    R_NONE,
    R_DFSEL,
    R_DF,
    R_GFSEL,
    R_GF,
    R_CFGVEC,
    R_NUMQ,
    R_STATUS,
    R_GEN,
    R_QSEL,
    R_QSIZE,
    R_QVEC,
    R_QEN,
    R_QNOFF,
    R_QADDR, /* + 0..5: desc lo/hi, driver lo/hi, device lo/hi */
    L_HF = R_QADDR + 6,
    L_GF,
    L_PFN,
    L_QSIZE,
    L_QSEL,
    L_NOTIFY,
    L_STATUS,
    L_ISR,
    L_CFGVEC,
    L_QVEC,
};

struct reg_def {
    uint8_t off, width;
    uint8_t reg;
};

static const struct reg_def common_regs[] = {
    {0, 4, R_DFSEL},      {4, 4, R_DF},         {8, 4, R_GFSEL},      {12, 4, R_GF},        {16, 2, R_CFGVEC},
    {18, 2, R_NUMQ},      {20, 1, R_STATUS},    {21, 1, R_GEN},       {22, 2, R_QSEL},      {24, 2, R_QSIZE},
    {26, 2, R_QVEC},      {28, 2, R_QEN},       {30, 2, R_QNOFF},     {32, 4, R_QADDR + 0}, {36, 4, R_QADDR + 1},
    {40, 4, R_QADDR + 2}, {44, 4, R_QADDR + 3}, {48, 4, R_QADDR + 4}, {52, 4, R_QADDR + 5},
};

static const struct reg_def legacy_regs[] = {
    {0, 4, L_HF},      {4, 4, L_GF},      {8, 4, L_PFN},  {12, 2, L_QSIZE},  {14, 2, L_QSEL},
    {16, 2, L_NOTIFY}, {18, 1, L_STATUS}, {19, 1, L_ISR}, {20, 2, L_CFGVEC}, {22, 2, L_QVEC},
};

static int find_reg(struct vsim *s, const struct reg_def *regs, size_t n, uint32_t rel, unsigned width)
{
    for (size_t i = 0; i < n; i++) {
        if (regs[i].off == rel) {
            if (regs[i].width != width) {
                fail_access(s, "register at %u is %u bytes wide, accessed with %u", rel, regs[i].width, width);
                return R_NONE;
            }
            return regs[i].reg;
        }
    }
    fail_access(s, "no register at offset %u (width %u)", rel, width);
    return R_NONE;
}

static uint64_t *queue_addr(struct vsim *s, unsigned which)
{
    return which < 2 ? &s->queue_desc : which < 4 ? &s->queue_avail : &s->queue_used;
}

static uint32_t reg_read(struct vsim *s, int reg)
{
    switch (reg) {
    case R_DFSEL: return s->dfselect;
    case R_DF: return s->dfselect < 2 ? (uint32_t)(s->cfg.features >> (32 * s->dfselect)) : 0;
    case R_GFSEL: return s->gfselect;
    case R_GF: return s->gfselect < 2 ? (uint32_t)(s->driver_features >> (32 * s->gfselect)) : 0;
    case R_CFGVEC:
    case L_CFGVEC: return s->config_vector;
    case R_NUMQ: return s->cfg.num_queues;
    case R_STATUS:
    case L_STATUS: return read_status(s);
    case R_GEN: return s->cfg.unstable_generation ? ++s->generation : s->generation;
    case R_QSEL:
    case L_QSEL: return s->queue_select;
    case R_QSIZE: return s->queue_select == 0 ? s->queue_size : 0;
    case L_QSIZE: return s->queue_select == 0 ? s->cfg.queue_max : 0;
    case R_QVEC:
    case L_QVEC: return s->queue_select == 0 ? s->queue_vector : VIRTIO_NO_VECTOR;
    case R_QEN: return s->queue_select == 0 ? s->queue_enable : 0;
    case R_QNOFF: return s->queue_select == 0 ? s->cfg.queue_notify_off : 0;
    case L_HF: return (uint32_t)s->cfg.features;
    case L_GF: return (uint32_t)s->driver_features;
    case L_PFN: return s->queue_select == 0 ? s->queue_pfn : 0;
    case L_ISR: {
        uint8_t v = s->isr;
        s->isr = 0;
        return v;
    }
    case L_NOTIFY: fail_access(s, "read of the notify register"); return 0;
    default:
        if (reg >= R_QADDR && reg < R_QADDR + 6) {
            unsigned w = (unsigned)(reg - R_QADDR);
            return (uint32_t)(*queue_addr(s, w) >> (32 * (w & 1)));
        }
        return 0;
    }
}

static void legacy_pfn(struct vsim *s, uint32_t v)
{
    if (s->queue_select != 0) {
        fail(s, "queue PFN for queue %u", s->queue_select);
        return;
    }
    if (v == 0) {
        s->queue_enable = 0;
        s->queue_pfn = 0;
        return;
    }
    if (!queue_setup_time(s, "queue PFN"))
        return;
    uint16_t n = s->cfg.queue_max;
    s->queue_pfn = v;
    s->queue_size = n;
    s->queue_desc = (uint64_t)v << VIRTIO_LEGACY_PFN_SHIFT;
    s->queue_avail = s->queue_desc + 16u * n;
    s->queue_used = (s->queue_avail + 6 + 2u * n + 4095) & ~4095ull;
    enable_queue(s);
}

static void reg_write(struct vsim *s, int reg, uint32_t v)
{
    switch (reg) {
    case R_DFSEL: s->dfselect = v; return;
    case R_GFSEL: s->gfselect = v; return;
    case R_GF:
    case L_GF:
        if (!(s->status & VIRTIO_STATUS_DRIVER) || (s->status & (VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)))
            fail(s, "driver features written with status %#x", s->status);
        if (reg == L_GF || s->gfselect == 0)
            s->driver_features = (s->driver_features & ~0xFFFFFFFFull) | v;
        else if (s->gfselect == 1)
            s->driver_features = (s->driver_features & 0xFFFFFFFFull) | (uint64_t)v << 32;
        if (reg == L_GF && (v & ~(uint32_t)s->cfg.features))
            fail(s, "legacy driver accepted features %#x that were not offered", v & ~(uint32_t)s->cfg.features);
        return;
    case R_CFGVEC:
    case L_CFGVEC: s->config_vector = map_vector(s, v); return;
    case R_STATUS:
    case L_STATUS: write_status(s, v); return;
    case R_QSEL:
    case L_QSEL: s->queue_select = (uint16_t)v; return;
    case R_QSIZE:
        if (s->queue_select != 0 || !queue_setup_time(s, "queue size"))
            return;
        if (!pow2(v) || v > s->cfg.queue_max)
            fail(s, "queue size %u (device maximum %u)", v, s->cfg.queue_max);
        else
            s->queue_size = (uint16_t)v;
        return;
    case R_QVEC:
    case L_QVEC:
        if (s->queue_select == 0)
            s->queue_vector = map_vector(s, v);
        return;
    case R_QEN:
        if (s->queue_select != 0 || v != 1) {
            fail(s, "queue_enable %u written for queue %u", v, s->queue_select);
            return;
        }
        if (queue_setup_time(s, "queue enable"))
            enable_queue(s);
        return;
    case L_PFN: legacy_pfn(s, v); return;
    case L_NOTIFY: notify(s, v); return;
    case R_NONE: return;
    default:
        if (reg >= R_QADDR && reg < R_QADDR + 6) {
            unsigned w = (unsigned)(reg - R_QADDR);
            if (s->queue_select != 0 || !queue_setup_time(s, "queue address"))
                return;
            uint64_t *a = queue_addr(s, w);
            *a = (w & 1) ? ((*a & 0xFFFFFFFFull) | (uint64_t)v << 32) : ((*a & ~0xFFFFFFFFull) | v);
            return;
        }
        fail_access(s, "write of read-only register %d", reg);
    }
}

static bool inside(uint32_t off, unsigned width, uint32_t base, uint32_t len)
{
    return off >= base && (uint64_t)off + width <= (uint64_t)base + len;
}

static uint32_t sim_read_raw(struct vsim *s, uint8_t bar, uint32_t off, unsigned width);

static uint32_t sim_read(void *ctx, uint8_t bar, uint32_t off, unsigned width)
{
    struct vsim *s = ctx;
    uint32_t v = sim_read_raw(s, bar, off, width);
    if (s->read_filter)
        v = s->read_filter(s->filter_arg, bar, off, width, v);
    return width == 4 ? v : v & ((1u << (8 * width)) - 1);
}

static uint32_t sim_read_raw(struct vsim *s, uint8_t bar, uint32_t off, unsigned width)
{
    const struct vsim_config *c = &s->cfg;
    uint32_t v = 0;
    s->reads++;
    if (width != 1 && width != 2 && width != 4) {
        fail_access(s, "read of width %u", width);
        return 0;
    }
    if (off % width) {
        fail_access(s, "misaligned read at %#x width %u", off, width);
        return 0;
    }
    if (c->legacy) {
        uint32_t cfg_off = c->msix ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;
        if (bar != VSIM_LEGACY_BAR || off + width > c->bar_size)
            fail_access(s, "read of BAR%u+%#x outside the I/O BAR", bar, off);
        else if (off >= cfg_off)
            device_read(s, off - cfg_off, width, &v);
        else
            v = reg_read(s, find_reg(s, legacy_regs, c->msix ? 10 : 8, off, width));
        return v;
    }
    if (bar != VSIM_MODERN_BAR)
        fail_access(s, "read of BAR%u", bar);
    else if (inside(off, width, c->common_off, c->common_len))
        v = reg_read(s,
                     find_reg(s, common_regs, sizeof common_regs / sizeof common_regs[0], off - c->common_off, width));
    else if (inside(off, width, c->isr_off, c->isr_len) && off == c->isr_off && width == 1)
        v = reg_read(s, L_ISR);
    else if (inside(off, width, c->device_off, c->device_len))
        device_read(s, off - c->device_off, width, &v);
    else
        fail_access(s, "read of BAR%u+%#x width %u outside the readable structures", bar, off, width);
    return v;
}

static void sim_write(void *ctx, uint8_t bar, uint32_t off, unsigned width, uint32_t value)
{
    struct vsim *s = ctx;
    const struct vsim_config *c = &s->cfg;
    s->writes++;
    if ((width != 1 && width != 2 && width != 4) || off % width) {
        fail_access(s, "write at %#x width %u", off, width);
        return;
    }
    if (width < 4 && value >> (8 * width)) {
        fail_access(s, "write of %#x with width %u", value, width);
        return;
    }
    if (c->legacy) {
        uint32_t cfg_off = c->msix ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;
        if (bar != VSIM_LEGACY_BAR || off + width > c->bar_size || off >= cfg_off)
            fail_access(s, "write of BAR%u+%#x (the device config is read-only here)", bar, off);
        else
            reg_write(s, find_reg(s, legacy_regs, c->msix ? 10 : 8, off, width), value);
        return;
    }
    if (bar != VSIM_MODERN_BAR)
        fail_access(s, "write of BAR%u", bar);
    else if (inside(off, width, c->common_off, c->common_len))
        reg_write(s, find_reg(s, common_regs, sizeof common_regs / sizeof common_regs[0], off - c->common_off, width),
                  value);
    else if (inside(off, width, c->notify_off, c->notify_len)) {
        uint64_t want = c->notify_off + (uint64_t)c->queue_notify_off * c->notify_multiplier;
        if (off != want || width != 2)
            fail(s, "notify at %#x width %u (queue 0 notifies at %#llx)", off, width, (unsigned long long)want);
        else
            notify(s, value);
    } else
        fail_access(s, "write of BAR%u+%#x width %u outside the writable structures", bar, off, width);
}

static void sim_barrier(void *ctx, enum virtio_barrier kind)
{
    struct vsim *s = ctx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if ((unsigned)kind > VIRTIO_BARRIER_FULL) {
        fail(s, "barrier kind %d", kind);
        return;
    }
    s->barriers[kind]++;
    if (kind == VIRTIO_BARRIER_WRITE)
        barrier_write(s);
    else if (kind == VIRTIO_BARRIER_FULL)
        barrier_full(s);
}

static void sim_delay(void *ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
}

struct virtio_ops vsim_ops(struct vsim *s)
{
    return (struct virtio_ops){sim_read, sim_write, sim_barrier, sim_delay, s};
}

unsigned vsim_caps(const struct vsim *s, pci_virtio_cap_t caps[4])
{
    const struct vsim_config *c = &s->cfg;
    caps[0] = (pci_virtio_cap_t){0x84, PCI_VIRTIO_COMMON_CFG, VSIM_MODERN_BAR, 0, c->common_off, c->common_len, 0};
    caps[1] = (pci_virtio_cap_t){0x70, PCI_VIRTIO_ISR_CFG, VSIM_MODERN_BAR, 0, c->isr_off, c->isr_len, 0};
    caps[2] = (pci_virtio_cap_t){0x60, PCI_VIRTIO_DEVICE_CFG, VSIM_MODERN_BAR, 0, c->device_off, c->device_len, 0};
    caps[3] = (pci_virtio_cap_t){0x50,          PCI_VIRTIO_NOTIFY_CFG, VSIM_MODERN_BAR,     0,
                                 c->notify_off, c->notify_len,         c->notify_multiplier};
    return 4;
}
