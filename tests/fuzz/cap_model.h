/*
 * A reference model of the capability space (kernel/cap/) for the host
 * test and the fuzz target: a byte string is read as a sequence of
 * operations (create, derive, delete, revoke, move, grow, lookup, clear)
 * over a few CNodes; each is applied to the real code and to a naive model
 * (a table of capabilities with parent locations), and the two are compared
 * after every step, together with the object-release counts.
 */
#ifndef CAP_MODEL_H
#define CAP_MODEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Runs the operations encoded in bytes[0..len). Returns 0 when real code and
 * model agreed throughout; otherwise 1 with a description (operation number,
 * what differed) in why[0..why_size).
 */
int cap_model_run(const uint8_t *bytes, size_t len, char *why, size_t why_size);

/* Counters from the last cap_model_run, for reporting coverage. */
struct cap_model_stats {
    unsigned long ops, ok, errors, revoked, released, max_depth;
};
extern struct cap_model_stats cap_model_stats;

#endif
