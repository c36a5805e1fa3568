/*
 * The capability space (kernel/cap/): random operation sequences checked
 * step by step against a reference model (tests/fuzz/cap_model.c), then the
 * properties one by one, then revoke of 1,000-capability trees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../fuzz/cap_model.h"
#include "cap/cap.h"
#include "host_test.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int releases;
static cap_object_t *last_released;

static void count_release(cap_object_t *obj)
{
    releases++;
    last_released = obj;
}

static int lock_checks;

static bool lock_held(void)
{
    lock_checks++;
    return true;
}

static int process_released;
static cnode_t *process_cnode;

/* What the kernel's process release might do: empty the dead process's CNode. */
static void process_release(cap_object_t *obj)
{
    (void)obj;
    process_released++;
    cnode_clear(process_cnode);
}

#define NCN 3
static cnode_t cn[NCN];
static cap_slot_t chunk[NCN][CNODE_MAX_CHUNKS][CNODE_CHUNK_SLOTS];

static void fresh(void)
{
    for (int i = 0; i < NCN; i++)
        cnode_init(&cn[i], chunk[i][0]);
    releases = 0;
    last_released = NULL;
}

static const char *check_all(void)
{
    cnode_t *all[NCN] = {&cn[0], &cn[1], &cn[2]};
    return cap_check_invariants(all, NCN);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    HT_BEGIN("cap");

    HT_CASE("lock-check")
    {
        cap_set_lock_check(lock_held);
        fresh();
        lock_checks = 0;
        cap_create(&cn[0], 1, MN_CAP_IO_PORT, 1, NULL, 0, 0);
        cap_slot_t *s;
        cnode_lookup(&cn[0], 1, MN_CAP_IO_PORT, 0, &s);
        cap_derive(s, &cn[1], 1, 1, NULL);
        cap_revoke(s, NULL);
        cap_delete(s);
        HT_CHECK(lock_checks == 5, "every operation asserts the lock: %d", lock_checks);
        cap_set_lock_check(NULL);
    }

    HT_CASE("random-vs-model")
    {
        enum { RUNS = 60, BYTES = 12000 };
        static uint8_t bytes[BYTES];
        unsigned long ops = 0, revoked = 0, released = 0, depth = 0;
        for (int run = 0; run < RUNS; run++) {
            rng_state = 0x9E3779B97F4A7C15ull * (uint64_t)(run + 1);
            /* Vary the mix: some runs mostly derive (deep trees), others mostly delete. */
            for (int i = 0; i < BYTES; i++)
                bytes[i] = (uint8_t)rng();
            char why[256];
            int rc = cap_model_run(bytes, BYTES, why, sizeof why);
            HT_CHECK(rc == 0, "run %d: %s", run, why);
            if (rc)
                break;
            ops += cap_model_stats.ops;
            revoked += cap_model_stats.revoked;
            released += cap_model_stats.released;
            if (cap_model_stats.max_depth > depth)
                depth = cap_model_stats.max_depth;
        }
        printf("  %lu ops, %lu caps revoked, %lu objects released, max revoked depth %lu\n", ops, revoked, released,
               depth);
        HT_CHECK(revoked > 1000 && released > 100, "the random runs exercised revoke and release");
    }

    HT_CASE("slot-zero-and-bounds")
    {
        fresh();
        HT_CHECK(cap_create(&cn[0], 0, MN_CAP_IO_PORT, MN_RIGHTS_ALL, NULL, 0, 0) == MN_ERR_INVALID_SLOT, "slot 0");
        HT_CHECK(cap_create(&cn[0], CNODE_CHUNK_SLOTS, MN_CAP_IO_PORT, 1, NULL, 0, 0) == MN_ERR_INVALID_SLOT,
                 "past the end");
        HT_CHECK(cap_create(&cn[0], 1, MN_CAP_EMPTY, 1, NULL, 0, 0) == MN_ERR_BAD_ARG, "empty type");
        HT_CHECK(cap_create(&cn[0], 1, MN_CAP_TYPE_COUNT, 1, NULL, 0, 0) == MN_ERR_BAD_ARG, "unknown type");
        HT_CHECK(cap_create(&cn[0], 1, MN_CAP_IO_PORT, 0x20, NULL, 0, 0) == MN_ERR_BAD_ARG, "unknown right");
        HT_CHECK(cnode_slot(&cn[0], 0) == NULL, "slot 0 has no slot");
        cap_slot_t *s = NULL;
        HT_CHECK(cnode_lookup(&cn[0], 0, MN_CAP_EMPTY, 0, &s) == MN_ERR_INVALID_SLOT && !s, "lookup 0");
        HT_CHECK(cnode_lookup(&cn[0], UINT64_MAX, MN_CAP_EMPTY, 0, &s) == MN_ERR_INVALID_SLOT, "lookup huge");
        HT_CHECK(cnode_lookup(&cn[0], 5, MN_CAP_EMPTY, 0, &s) == MN_ERR_INVALID_SLOT, "lookup empty");
        HT_CHECK(cap_create(&cn[0], 5, MN_CAP_IO_PORT, MN_RIGHT_READ, NULL, 0x3F8, 8) == MN_ERR_OK, "create");
        HT_CHECK(cap_create(&cn[0], 5, MN_CAP_IO_PORT, MN_RIGHT_READ, NULL, 0x3F8, 8) == MN_ERR_SLOT_OCCUPIED,
                 "occupied");
        HT_CHECK(cnode_lookup(&cn[0], 5, MN_CAP_ENDPOINT, 0, &s) == MN_ERR_WRONG_TYPE, "wrong type");
        HT_CHECK(cnode_lookup(&cn[0], 5, MN_CAP_IO_PORT, MN_RIGHT_WRITE, &s) == MN_ERR_NO_RIGHTS, "rights");
        HT_CHECK(cnode_lookup(&cn[0], 5, MN_CAP_IO_PORT, MN_RIGHT_READ, &s) == MN_ERR_OK && s->data[0] == 0x3F8,
                 "found");
    }

    HT_CASE("rights-never-grow")
    {
        fresh();
        cap_object_t obj;
        cap_object_init(&obj, MN_CAP_ENDPOINT, count_release);
        HT_CHECK(cap_create(&cn[0], 1, MN_CAP_ENDPOINT, MN_RIGHT_READ | MN_RIGHT_GRANT, &obj, 0, 0) == 0, "root");
        cap_slot_t *a, *b;
        HT_CHECK(cap_derive(cnode_slot(&cn[0], 1), &cn[1], 1, MN_RIGHTS_ALL, &a) == 0, "derive all");
        HT_CHECK(a->rights == (MN_RIGHT_READ | MN_RIGHT_GRANT), "mask cannot add rights: %#x", a->rights);
        HT_CHECK(cap_derive(a, &cn[2], 1, MN_RIGHT_WRITE | MN_RIGHT_READ, &b) == 0 && b->rights == MN_RIGHT_READ,
                 "shrinks to READ");
        HT_CHECK(cap_derive(b, &cn[2], 2, 0xFF, &b) == 0 && b->rights == MN_RIGHT_READ, "0xFF mask on READ");
        HT_CHECK(obj.refs == 4, "four references");
        /* Deleting the middle keeps the grandchild's rights within the new parent's. */
        HT_CHECK(cap_delete(a) == 0 && check_all() == NULL, "delete middle");
        HT_CHECK(cnode_slot(&cn[2], 1)->parent == cnode_slot(&cn[0], 1), "re-parented to the root");
    }

    HT_CASE("revoke-exactly-descendants")
    {
        fresh();
        cap_object_t obj;
        cap_object_init(&obj, MN_CAP_ENDPOINT, count_release);
        cap_create(&cn[0], 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &obj, 0, 0);
        cap_slot_t *root = cnode_slot(&cn[0], 1), *a, *b, *c, *sib;
        cap_derive(root, &cn[1], 1, MN_RIGHTS_ALL, &a);
        cap_derive(a, &cn[2], 1, MN_RIGHTS_ALL, &b);
        cap_derive(b, &cn[0], 2, MN_RIGHTS_ALL, &c);
        cap_derive(root, &cn[2], 2, MN_RIGHTS_ALL, &sib);
        uint32_t removed = 0;
        HT_CHECK(cap_revoke(a, &removed) == 0 && removed == 2, "revoke a removes b and c (%u)", removed);
        HT_CHECK(cap_present(a) && cap_present(root) && cap_present(sib), "a, root and sibling stay");
        HT_CHECK(!cap_present(b) && !cap_present(c), "b and c gone");
        HT_CHECK(obj.refs == 3 && releases == 0, "no release while caps remain");
        HT_CHECK(cap_revoke(root, &removed) == 0 && removed == 2 && obj.refs == 1, "revoke root");
        HT_CHECK(cap_delete(root) == 0 && releases == 1 && last_released == &obj, "released at the last delete");
        HT_CHECK(cap_revoke(root, NULL) == MN_ERR_INVALID_SLOT && cap_delete(root) == MN_ERR_INVALID_SLOT,
                 "empty slot");
        HT_CHECK(releases == 1 && check_all() == NULL, "released once");
    }

    HT_CASE("release-once-root-deleted-first")
    {
        fresh();
        cap_object_t obj;
        cap_object_init(&obj, MN_CAP_MEMORY_FRAME, count_release);
        cap_create(&cn[0], 3, MN_CAP_MEMORY_FRAME, MN_RIGHTS_ALL, &obj, 0x200000, 0);
        cap_slot_t *root = cnode_slot(&cn[0], 3), *x, *y;
        cap_derive(root, &cn[1], 3, MN_RIGHT_READ, &x);
        cap_derive(root, &cn[2], 3, MN_RIGHT_READ, &y);
        HT_CHECK(cap_delete(root) == 0 && releases == 0, "children keep the object");
        HT_CHECK(x->parent == NULL && y->parent == NULL && check_all() == NULL, "children are roots now");
        HT_CHECK(cap_delete(x) == 0 && releases == 0, "one left");
        HT_CHECK(cap_delete(y) == 0 && releases == 1, "released after the last");
        HT_CHECK(cn[0].used == 0 && cn[1].used == 0 && cn[2].used == 0, "all empty");
    }

    HT_CASE("move-and-slot-reuse")
    {
        fresh();
        cap_object_t obj;
        cap_object_init(&obj, MN_CAP_ENDPOINT, count_release);
        cap_create(&cn[0], 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &obj, 0, 0);
        cap_slot_t *root = cnode_slot(&cn[0], 1), *a, *b, *moved;
        cap_derive(root, &cn[0], 2, MN_RIGHTS_ALL, &a);
        cap_derive(a, &cn[1], 1, MN_RIGHTS_ALL, &b);
        HT_CHECK(cap_move(a, &cn[2], 7, &moved) == 0 && !cap_present(a), "moved");
        HT_CHECK(moved->parent == root && root->first_child == moved && b->parent == moved, "links follow");
        HT_CHECK(cap_move(moved, &cn[2], 7, NULL) == MN_ERR_SLOT_OCCUPIED, "onto itself");
        uint32_t idx = 0;
        HT_CHECK(cnode_find_free(&cn[0], &idx) == 0 && (idx == 2 || idx == 3), "free slot found: %u", idx);
        HT_CHECK(cap_derive(b, &cn[0], 2, MN_RIGHT_READ, NULL) == 0, "old slot reused");
        HT_CHECK(check_all() == NULL, "invariants: %s", check_all());
        cnode_clear(&cn[1]);
        cnode_clear(&cn[2]);
        cnode_clear(&cn[0]);
        HT_CHECK(releases == 1 && obj.refs == 0, "teardown releases once");
    }

    HT_CASE("grow-and-full")
    {
        fresh();
        uint32_t idx;
        for (uint32_t i = 1; i < CNODE_CHUNK_SLOTS; i++)
            HT_CHECK(cnode_find_free(&cn[0], &idx) == 0 && cap_create(&cn[0], idx, MN_CAP_IRQ_LINE, 1, NULL, i, 0) == 0,
                     "fill %u", i);
        HT_CHECK(cnode_find_free(&cn[0], &idx) == MN_ERR_NO_SPACE, "63 usable slots in the first chunk");
        cap_slot_t *first = cnode_slot(&cn[0], 1);
        for (uint32_t c = 1; c < CNODE_MAX_CHUNKS; c++)
            HT_CHECK(cnode_add_chunk(&cn[0], chunk[0][c]) == 0, "grow %u", c);
        HT_CHECK(cnode_add_chunk(&cn[0], chunk[1][1]) == MN_ERR_NO_SPACE, "max chunks");
        HT_CHECK(cnode_capacity(&cn[0]) == CNODE_MAX_SLOTS && cnode_slot(&cn[0], 1) == first, "slots did not move");
        HT_CHECK(cnode_find_free(&cn[0], &idx) == 0 && idx == CNODE_CHUNK_SLOTS, "next free is in chunk 1: %u", idx);
        HT_CHECK(cap_create(&cn[0], CNODE_MAX_SLOTS - 1, MN_CAP_IRQ_LINE, 1, NULL, 0, 0) == 0, "last slot");
        HT_CHECK(cap_create(&cn[0], CNODE_MAX_SLOTS, MN_CAP_IRQ_LINE, 1, NULL, 0, 0) == MN_ERR_INVALID_SLOT,
                 "past the last slot");
        HT_CHECK(check_all() == NULL, "invariants");
    }

    HT_CASE("release-callback-may-reenter")
    {
        /* A process object whose release empties its CNode (cn[1]), which holds the last cap to an endpoint. */
        fresh();
        static cap_object_t endpoint;
        static struct {
            cap_object_t hdr; /* first, so the release callback could cast back */
        } process;
        cap_object_init(&endpoint, MN_CAP_ENDPOINT, count_release);
        cap_object_init(&process.hdr, MN_CAP_PROCESS, process_release);
        HT_CHECK(cap_create(&cn[0], 1, MN_CAP_PROCESS, MN_RIGHTS_ALL, &process.hdr, 7, 0) == 0, "process cap");
        HT_CHECK(cap_create(&cn[1], 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &endpoint, 0, 0) == 0, "endpoint cap");
        process_cnode = &cn[1];
        HT_CHECK(cap_delete(cnode_slot(&cn[0], 1)) == 0, "delete the process cap");
        HT_CHECK(process_released == 1 && releases == 1 && last_released == &endpoint && cn[1].used == 0,
                 "process released, which released the endpoint");
        HT_CHECK(check_all() == NULL, "invariants");
    }

    HT_CASE("revoke-1000")
    {
        static const struct {
            enum cap_bench_shape shape;
            const char *name;
        } shapes[] = {{CAP_BENCH_WIDE, "wide"}, {CAP_BENCH_CHAIN, "chain"}};
        for (size_t k = 0; k < 2; k++) {
            fresh();
            for (int i = 0; i < NCN; i++)
                for (uint32_t c = 1; c < 8; c++)
                    cnode_add_chunk(&cn[i], chunk[i][c]);
            cap_object_t obj;
            cap_object_init(&obj, MN_CAP_ENDPOINT, count_release);
            cap_create(&cn[0], 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &obj, 0, 0);
            cap_slot_t *root = cnode_slot(&cn[0], 1);
            cnode_t *all[NCN] = {&cn[0], &cn[1], &cn[2]};
            enum { REPS = 200 };
            double build = 0, revoke = 0;
            uint32_t removed = 0;
            for (int rep = 0; rep < REPS; rep++) {
                double t0 = now();
                uint32_t made = cap_bench_build_tree(root, all, NCN, 1000, shapes[k].shape);
                double t1 = now();
                cap_revoke(root, &removed);
                double t2 = now();
                build += t1 - t0;
                revoke += t2 - t1;
                HT_CHECK(made == 1000 && removed == 1000, "%s: made %u removed %u", shapes[k].name, made, removed);
            }
            HT_CHECK(obj.refs == 1 && releases == 0 && cn[1].used == 0 && check_all() == NULL, "%s: clean",
                     shapes[k].name);
            printf("  %s tree of 1000: derive %.1f ns/cap, revoke %.1f ns/cap (host, sanitizers on)\n", shapes[k].name,
                   build / REPS / 1000 * 1e9, revoke / REPS / 1000 * 1e9);
        }
    }
    return HT_END();
}
