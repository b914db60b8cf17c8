/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * common/tasklet.c: tasklets under one global lock (the dpci baseline).
 *
 * Problem it reproduces (seed 002): tasklet_lock is a single spinlock for
 * the whole host.  Scheduling a tasklet takes it, running one takes it
 * twice (to dequeue, and to account for a reschedule that arrived while it
 * ran), killing one takes it.  A passthrough interrupt through this path
 * therefore costs three global lock acquisitions, and idle pCPUs that only
 * deliver 1 ms timer VIRQs queue behind busy ones.
 *
 * Invariant: a tasklet is on at most one pCPU's list; it never runs on two
 * pCPUs at once; a dead tasklet (tasklet_kill()) is never queued again
 * until it is initialised again; an offlined pCPU's queue moves to the pCPU
 * that ran its CPU_DEAD notifier.
 *
 * Counters (node "dpci", per pCPU): lock_acquisitions, lock_wait_ns; each
 * wait is also traced as DPCI_LOCK_WAIT.  Waits are measured only when the
 * first trylock fails, so an uncontended acquisition costs no clock read.
 *
 * Unlike Xen, every tasklet runs from TASKLET_SOFTIRQ (Xen runs
 * non-softirq tasklets from the idle vCPU); both kinds go through the same
 * lock, which is what matters here.
 */

#include <xen/lib.h>
#include <xen/cpu.h>
#include <xen/init.h>
#include <xen/list.h>
#include <xen/percpu.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <xen/tasklet.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/time.h>

static DEFINE_SPINLOCK(tasklet_lock);
static DEFINE_PER_CPU(struct list_head, softirq_tasklet_list);

/* Take the global lock, counting it and timing any wait. */
static unsigned long tasklet_lock_acquire(void)
{
    unsigned long flags;

    local_irq_save(flags);
    if ( !spin_trylock(&tasklet_lock) )
    {
        s_time_t start = NOW(), waited;

        spin_lock(&tasklet_lock);
        waited = NOW() - start;
        TELEMETRY_ADD(dpci, lock_wait_ns, waited);
        trace_dpci_lock_wait(smp_processor_id(), waited);
    }
    TELEMETRY_INC(dpci, lock_acquisitions);

    return flags;
}

static void tasklet_lock_release(unsigned long flags)
{
    spin_unlock_irqrestore(&tasklet_lock, flags);
}

/* Queue t on its pCPU's list.  Global lock held. */
static void tasklet_enqueue(struct tasklet *t)
{
    unsigned int cpu = t->scheduled_on;

    list_add_tail(&t->list, &per_cpu(softirq_tasklet_list, cpu));
    cpu_raise_softirq(cpu, TASKLET_SOFTIRQ);
}

void tasklet_schedule_on_cpu(struct tasklet *t, unsigned int cpu)
{
    unsigned long flags = tasklet_lock_acquire();

    if ( !t->is_dead )
    {
        /* Already queued: it will run; a running one is requeued at end. */
        if ( t->scheduled_on < 0 && !t->is_running )
        {
            t->scheduled_on = cpu;
            tasklet_enqueue(t);
        }
        else if ( t->scheduled_on < 0 )
            t->scheduled_on = cpu;
    }

    tasklet_lock_release(flags);
}

void tasklet_schedule(struct tasklet *t)
{
    tasklet_schedule_on_cpu(t, smp_processor_id());
}

static void tasklet_softirq_action(void)
{
    unsigned int cpu = smp_processor_id();
    struct list_head *list = &per_cpu(softirq_tasklet_list, cpu);
    struct tasklet *t;
    unsigned long flags = tasklet_lock_acquire();

    if ( list_empty(list) )
    {
        tasklet_lock_release(flags);
        return;
    }

    t = list_entry(list->next, struct tasklet, list);
    list_del_init(&t->list);
    t->scheduled_on = -1;
    t->is_running = true;
    tasklet_lock_release(flags);

    t->func(t->data);

    flags = tasklet_lock_acquire();
    t->is_running = false;
    /* Scheduled again while it ran (possibly for another pCPU). */
    if ( t->scheduled_on >= 0 && !t->is_dead )
        tasklet_enqueue(t);
    else
        t->scheduled_on = -1;
    /* One tasklet per pass, as Xen does: come back for the rest. */
    if ( !list_empty(list) )
        raise_softirq(TASKLET_SOFTIRQ);
    tasklet_lock_release(flags);
}

void tasklet_kill(struct tasklet *t)
{
    unsigned long flags = tasklet_lock_acquire();

    if ( !list_empty(&t->list) )
    {
        ASSERT(!t->is_running);
        list_del_init(&t->list);
    }
    t->scheduled_on = -1;
    t->is_dead = true;

    while ( t->is_running )
    {
        tasklet_lock_release(flags);
        cpu_relax();
        flags = tasklet_lock_acquire();
    }

    tasklet_lock_release(flags);
}

bool tasklet_is_scheduled(struct tasklet *t)
{
    unsigned long flags = tasklet_lock_acquire();
    bool busy = t->scheduled_on >= 0 || t->is_running;

    tasklet_lock_release(flags);

    return busy;
}

void tasklet_init(struct tasklet *t, void (*func)(void *data), void *data)
{
    memset(t, 0, sizeof(*t));
    INIT_LIST_HEAD(&t->list);
    t->scheduled_on = -1;
    t->func = func;
    t->data = data;
}

void softirq_tasklet_init(struct tasklet *t, void (*func)(void *data),
                          void *data)
{
    tasklet_init(t, func, data);
    t->is_softirq = true;
}

/* A dead pCPU's queued tasklets move to the pCPU that saw it die. */
static void migrate_tasklets_from_cpu(unsigned int cpu)
{
    struct list_head *list = &per_cpu(softirq_tasklet_list, cpu);
    unsigned long flags = tasklet_lock_acquire();

    while ( !list_empty(list) )
    {
        struct tasklet *t = list_entry(list->next, struct tasklet, list);

        list_del_init(&t->list);
        t->scheduled_on = smp_processor_id();
        tasklet_enqueue(t);
    }

    tasklet_lock_release(flags);
}

static int cf_check tasklet_cpu_callback(
    struct notifier_block *nfb, unsigned long action, void *hcpu)
{
    unsigned int cpu = (unsigned long)hcpu;

    switch ( action )
    {
    case CPU_UP_PREPARE:
        INIT_LIST_HEAD(&per_cpu(softirq_tasklet_list, cpu));
        break;
    case CPU_UP_CANCELED:
    case CPU_DEAD:
        migrate_tasklets_from_cpu(cpu);
        break;
    default:
        break;
    }

    return NOTIFY_DONE;
}

static struct notifier_block tasklet_cpu_nfb = {
    .notifier_call = tasklet_cpu_callback,
};

static int __init tasklet_subsys_init(void)
{
    unsigned int cpu;

    for_each_possible_cpu ( cpu )
        INIT_LIST_HEAD(&per_cpu(softirq_tasklet_list, cpu));
    open_softirq(TASKLET_SOFTIRQ, tasklet_softirq_action);
    register_cpu_notifier(&tasklet_cpu_nfb);

    return 0;
}
presmp_initcall(tasklet_subsys_init);
