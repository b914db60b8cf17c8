/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen/tasklet.h: deferred work run in softirq context, the way Xen 4.17
 * does it: per-pCPU lists, all of them under ONE global lock.
 *
 * This is the baseline of the dpci fix (seed 002): before it, every
 * passthrough interrupt scheduled a tasklet here, and idle pCPUs also go
 * through this lock for the timer-VIRQ tasklets of their guests.  Every
 * acquisition of the global lock is counted, and the time spent waiting for
 * it is measured, in the per-pCPU "dpci" telemetry record
 * (lock_acquisitions, lock_wait_ns; trace event DPCI_LOCK_WAIT).
 *
 * API as in Xen: tasklet_init(), softirq_tasklet_init(), tasklet_schedule(),
 * tasklet_schedule_on_cpu(), tasklet_kill().
 */

#ifndef __XEN_TASKLET_H__
#define __XEN_TASKLET_H__

#include <xen/types.h>
#include <xen/list.h>

struct tasklet
{
    struct list_head list;
    int scheduled_on;       /* pCPU, or -1 */
    bool is_softirq;
    bool is_running;
    bool is_dead;
    void (*func)(void *data);
    void *data;
};

void tasklet_init(struct tasklet *t, void (*func)(void *data), void *data);
void softirq_tasklet_init(struct tasklet *t, void (*func)(void *data),
                          void *data);
void tasklet_schedule_on_cpu(struct tasklet *t, unsigned int cpu);
void tasklet_schedule(struct tasklet *t);
/* Dequeue t and wait until it is not running; it is dead afterwards. */
void tasklet_kill(struct tasklet *t);
/* Whether t is queued or running (for tests). */
bool tasklet_is_scheduled(struct tasklet *t);

#endif /* __XEN_TASKLET_H__ */
