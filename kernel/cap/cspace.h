/*
 * The kernel's glue around the capability core (cap.h): the one global
 * capability lock, and minting capabilities into a process's CNode.
 */
#ifndef CAP_CSPACE_H
#define CAP_CSPACE_H

#include "cap/cap.h"
#include "lib/spinlock.h"

struct process;

/* Guards every CNode and the derivation tree (see cap.h's locking contract). */
extern spinlock_t cap_lock;

/* Installs cap_lock as the lock the capability core asserts (once, at boot). */
void cspace_init(void);

/*
 * Makes sure slot `slot` exists in p's CNode, growing it chunk by chunk (up
 * to CNODE_MAX_SLOTS): every system call that names a destination slot
 * calls this first. Call without cap_lock (it allocates). Returns
 * MN_ERR_OK, MN_ERR_INVALID_SLOT (0, or beyond the largest CNode),
 * MN_ERR_NO_MEMORY or MN_ERR_DEAD (p has been torn down).
 */
int cspace_reserve(struct process *p, uint64_t slot);

/*
 * cspace_reserve, then checks that the slot is empty (cspace_target): how a
 * call that will create an object starts, before it allocates anything (the
 * final mint checks again). Call without cap_lock.
 */
int cspace_prepare_target(struct process *p, uint64_t slot);

/*
 * Puts a new root capability into slot `slot` of p's CNode (slot 0: the first
 * free one, growing the CNode when it is full) and stores the slot number in
 * *out (may be NULL). `object` must
 * not have been released yet (an endpoint whose last capability went away
 * is dead for good: mint a new one). For MN_CAP_PROCESS, `object` must be
 * &proc->obj (the capability keeps proc's struct alive). Returns MN_ERR_OK,
 * MN_ERR_INVALID_SLOT, MN_ERR_SLOT_OCCUPIED, MN_ERR_NO_SPACE, MN_ERR_BAD_ARG
 * or MN_ERR_DEAD (p has been torn down).
 * Takes cap_lock.
 */
int cspace_mint(struct process *p, uint64_t slot, uint8_t type, uint8_t rights, cap_object_t *object, uint64_t data0,
                uint64_t data1, uint32_t *out);

/* cnode_lookup in p's CNode; cap_lock held. */
int cspace_lookup(struct process *p, uint64_t slot, uint8_t type, uint8_t need, cap_slot_t **out);

/*
 * The empty slot `slot` of p's CNode, as a destination; cap_lock held.
 * Returns MN_ERR_OK, MN_ERR_INVALID_SLOT (0 or beyond the CNode),
 * MN_ERR_SLOT_OCCUPIED or MN_ERR_DEAD (p torn down).
 */
int cspace_target(struct process *p, uint64_t slot, cap_slot_t **out);

/*
 * The live process named by the Process capability in p's slot `slot`
 * (with rights `need`), with a reference the caller puts; cap_lock held.
 * Errors: cnode_lookup's, or MN_ERR_DEAD (the process has been torn down).
 */
int cspace_get_process(struct process *p, uint64_t slot, uint8_t need, struct process **out);

#endif
