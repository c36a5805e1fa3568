/*
 * The capability space: CNodes (arrays of capability slots) and the
 * derivation tree that links every capability to the one it was copied
 * from. This is pure bookkeeping, independent of the rest of the kernel: it
 * never allocates, never blocks and takes no locks.
 *
 * Locking contract: every function here must be called with the one global
 * capability lock held (the kernel's `cap_lock`). That makes a revoke atomic
 * with respect to other CPUs: nobody can look up, copy or use a capability
 * while its subtree is being removed. (One global lock is the starting
 * point; per-CNode locks would need a lock order for cross-CNode revoke.)
 * cap_set_lock_check lets every function assert the lock is held.
 *
 * Objects and their lifetime: a capability may refer to a kernel object
 * (endpoint, frame, process...) through a `cap_object_t` header embedded in
 * it. The header counts the capabilities that refer to the object; when an
 * operation removes the last one, the object's `release` callback is called
 * once, at the end of that operation, after the capability space is
 * consistent again and still under the capability lock. The callback must
 * not block; it may call functions of this file (for example to empty the
 * CNode of a dying process), but queuing the object for the reaper is the
 * simplest correct thing to do there. Capabilities that only name a
 * resource (IoPort base/size, IrqLine number, PmmAllocator, MmioRegion) may
 * use a NULL object and keep their description in data[0..1]; anything that
 * must be freed when the last capability goes (a MemoryFrame's frames, an
 * Endpoint, a Process) needs an object header.
 *
 * The derivation tree: each slot has parent, first-child and sibling links,
 * so copying is O(1), revoking is O(number of descendants) with no
 * allocation and no recursion, and deleting a capability is O(its children):
 * its children are handed to its parent (they keep their authority, which
 * was never more than the parent's; children of a deleted root become
 * roots). Rights only ever shrink from parent to child.
 */
#ifndef CAP_CAP_H
#define CAP_CAP_H

#include <mnos/caps.h>
#include <mnos/errors.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cap_object cap_object_t;
typedef void (*cap_release_fn)(cap_object_t *obj);

/* Embedded in every kernel object a capability can refer to. */
struct cap_object {
    uint32_t refs; /* capabilities referring to the object */
    uint32_t type; /* MN_CAP_*; informational */
    cap_release_fn release; /* called once when refs drops to 0 (may be NULL) */
    cap_object_t *next_released; /* private: pending-release list */
};

typedef struct cnode cnode_t;

/* 72 bytes: a 64-slot chunk is 4.5 KiB (kmalloc'd). */
typedef struct cap_slot {
    uint8_t type; /* MN_CAP_*; MN_CAP_EMPTY when the slot is free */
    uint8_t rights; /* MN_RIGHT_* bits */
    uint16_t flags; /* free for the kernel (e.g. "badged"); copied on derive */
    uint32_t index; /* this slot's number in its CNode */
    cnode_t *cnode; /* the CNode this slot belongs to */
    cap_object_t *object;
    uint64_t data[2]; /* type-specific description (frame phys/order, port base/size, ...) */
    struct cap_slot *parent;
    struct cap_slot *first_child;
    struct cap_slot *next_sibling;
    struct cap_slot *prev_sibling;
} cap_slot_t;

_Static_assert(sizeof(cap_slot_t) == 72, "cap_slot_t layout changed: update the chunk size note");

/* Slots come in chunks so a CNode can grow without moving any slot (the tree points at slots). */
#define CNODE_CHUNK_SLOTS 64u
#define CNODE_MAX_CHUNKS 64u
#define CNODE_MAX_SLOTS (CNODE_CHUNK_SLOTS * CNODE_MAX_CHUNKS)

struct cnode {
    cap_slot_t *chunks[CNODE_MAX_CHUNKS];
    uint32_t nchunks;
    uint32_t used; /* occupied slots */
    uint32_t free_hint; /* where cnode_find_free starts looking */
};

/*
 * Installs the check every function of this file asserts on entry: `held`
 * returns true when the calling CPU holds the capability lock (the kernel
 * passes a spin_is_locked-style test of its cap_lock at init; NULL, the
 * default, checks nothing).
 */
void cap_set_lock_check(bool (*held)(void));

/*
 * Bumped (under the lock) whenever a capability leaves a slot: deleted,
 * revoked or moved. Filling an empty slot does not bump it. So a lookup
 * made under generation g is still right while cap_generation == g, which
 * lets a thread cache a lookup and skip the lock (the IPC fast path).
 */
extern volatile uint64_t cap_generation;

/* Asserts the lock check (if one is installed); every function below calls it. */
void cap_assert_locked(void);

/* ---- objects ---------------------------------------------------------- */

/* Prepares an object header: no references yet; `release` (may be NULL) runs when the last one goes. */
void cap_object_init(cap_object_t *obj, uint32_t type, cap_release_fn release);

/* ---- CNodes (cnode.c) --------------------------------------------------- */

/*
 * Makes `cn` a CNode with the CNODE_CHUNK_SLOTS slots of `first_chunk`
 * (caller-owned memory, any contents; it is cleared here). Slot 0 exists
 * but is never filled.
 */
void cnode_init(cnode_t *cn, cap_slot_t *first_chunk);

/*
 * Grows `cn` by the CNODE_CHUNK_SLOTS slots of `chunk`. Returns MN_ERR_OK, or
 * MN_ERR_NO_SPACE when the CNode already has CNODE_MAX_CHUNKS chunks (the
 * chunk is then untouched and still the caller's).
 */
int cnode_add_chunk(cnode_t *cn, cap_slot_t *chunk);

/* The number of slots (occupied or not) the CNode has. */
uint32_t cnode_capacity(const cnode_t *cn);

/* The slot with number `index`, empty or not; NULL if index is 0 or out of range. */
cap_slot_t *cnode_slot(cnode_t *cn, uint64_t index);

/*
 * Finds an empty slot (never slot 0) and stores its number in *index.
 * Returns MN_ERR_OK or MN_ERR_NO_SPACE (the caller may grow the CNode).
 */
int cnode_find_free(cnode_t *cn, uint32_t *index);

/*
 * The checked lookup a system call starts with. Stores the slot in *out and
 * returns MN_ERR_OK when slot `index` holds a capability of type `type` (or
 * of any type when `type` is MN_CAP_EMPTY) with at least the rights `need`.
 * Errors, checked in this order: MN_ERR_INVALID_SLOT (0, out of range or
 * empty), MN_ERR_WRONG_TYPE, MN_ERR_NO_RIGHTS. *out is unchanged on error.
 */
int cnode_lookup(cnode_t *cn, uint64_t index, uint8_t type, uint8_t need, cap_slot_t **out);

/*
 * Deletes every capability in `cn` (as cap_delete does, so what the CNode's
 * capabilities had derived elsewhere survives, re-parented; to take that
 * back too, cap_revoke each slot first). Afterwards the caller may free the
 * chunks (cn->chunks[0 .. nchunks-1]). Returns the number of capabilities
 * deleted.
 */
uint32_t cnode_clear(cnode_t *cn);

/* ---- capabilities (cap.c) ----------------------------------------------- */

/*
 * Fills empty slot `index` of `cn` with a new root capability (no parent):
 * how the kernel mints the capability to a new object or resource.
 * `object` may be NULL; otherwise its reference count goes up.
 * Errors: MN_ERR_INVALID_SLOT (0 or out of range), MN_ERR_SLOT_OCCUPIED,
 * MN_ERR_BAD_ARG (type EMPTY or unknown, rights outside MN_RIGHTS_ALL).
 */
int cap_create(cnode_t *cn, uint64_t index, uint8_t type, uint8_t rights, cap_object_t *object, uint64_t data0,
               uint64_t data1);

/*
 * Copies `src` into empty slot `index` of `dst` (the same CNode: a copy;
 * another: a delegation) as a child of `src`, with rights src->rights &
 * rights_mask: rights never grow. Policy checks (GRANT to delegate, ...) are
 * the caller's. On success stores the new slot in *out (if out is not NULL).
 * Errors: MN_ERR_INVALID_SLOT (src empty, index 0 or out of range),
 * MN_ERR_SLOT_OCCUPIED.
 */
int cap_derive(cap_slot_t *src, cnode_t *dst, uint64_t index, uint8_t rights_mask, cap_slot_t **out);

/*
 * Moves the capability in `src` to empty slot `index` of `dst`, keeping its
 * place in the derivation tree and its object reference; `src` becomes
 * empty. O(number of children). Errors: MN_ERR_INVALID_SLOT (src empty,
 * index 0 or out of range), MN_ERR_SLOT_OCCUPIED (also when dst slot is src).
 */
int cap_move(cap_slot_t *src, cnode_t *dst, uint64_t index, cap_slot_t **out);

/*
 * Removes the capability in `slot`. Its children become children of its
 * parent (or roots). If it was the last capability referring to its object,
 * the object is released. Errors: MN_ERR_INVALID_SLOT (slot empty).
 */
int cap_delete(cap_slot_t *slot);

/*
 * Removes every capability derived from `slot`, directly or not, in every
 * CNode; `slot` itself stays. O(descendants), no allocation, no recursion.
 * (Derived capabilities refer to slot's own object, which slot still holds,
 * so a revoke never releases an object.) Stores the number removed in
 * *removed (if not NULL). Errors: MN_ERR_INVALID_SLOT.
 */
int cap_revoke(cap_slot_t *slot, uint32_t *removed);

/* True when the slot holds a capability. */
static inline bool cap_present(const cap_slot_t *slot)
{
    return slot && slot->type != MN_CAP_EMPTY;
}

/*
 * Checks the links and rights around every capability of the given CNodes
 * (children point back to their parent, sibling lists are doubly linked,
 * child rights within parent rights, object counts positive). Returns NULL
 * when all is well, else a description of the first problem. A debugging
 * aid: O(slots + links).
 */
const char *cap_check_invariants(cnode_t *const *cnodes, size_t count);

/* ---- benchmark support (cap_bench.c) ------------------------------------ */

enum cap_bench_shape {
    CAP_BENCH_WIDE, /* every copy a child of the root */
    CAP_BENCH_CHAIN, /* each copy a child of the previous one */
};

/*
 * Derives `count` capabilities from `root` (full rights mask), spread over
 * the CNodes of `cnodes` round-robin, in the given shape. Used by the
 * `cap.revoke_1000` benchmark and its host test. Returns the number made
 * (less than `count` when the CNodes run out of free slots).
 */
uint32_t cap_bench_build_tree(cap_slot_t *root, cnode_t *const *cnodes, size_t ncnodes, uint32_t count,
                              enum cap_bench_shape shape);

#endif
