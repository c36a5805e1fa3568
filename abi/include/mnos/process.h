/*
 * How a process ended, as SYS_PROCESS_WAIT reports it: the exit status (the
 * argument of SYS_PROCESS_EXIT, the return value of a libmnos main, or one of
 * the kernel's codes below) and the reason.
 */
#ifndef MNOS_PROCESS_H
#define MNOS_PROCESS_H

/* Reasons (PROCESS_WAIT's second output). */
#define MN_EXIT_NORMAL 0 /* SYS_PROCESS_EXIT, or its last thread ended (status 0) */
#define MN_EXIT_FAULT 1 /* a CPU exception in Ring 3 (third output: the vector) */
#define MN_EXIT_KILLED 2 /* SYS_KILL by a holder of its Process capability */

/* Statuses the kernel sets. */
#define MN_STATUS_FAULT_BASE (-1000) /* killed by exception vector v: MN_STATUS_FAULT_BASE - v */
#define MN_STATUS_KILLED (-2000)
#define MN_STATUS_ABORTED (-3000) /* libmnos abort(): a failed assertion, heap corruption */

#endif
