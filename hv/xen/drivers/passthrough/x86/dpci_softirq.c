/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * drivers/passthrough/x86/dpci_softirq.c: passthrough interrupt injection
 * through a per-pCPU list and HVM_DPCI_SOFTIRQ (the fix, seed 002;
 * dpci_policy=softirq, the default).
 *
 * Problem: the tasklet path (common/tasklet.c) takes one host-wide lock
 * three times per interrupt; with interrupts on many pCPUs the idle pCPUs,
 * which need the same lock for their guests' timer VIRQs, lose a tenth of
 * their time to it.
 *
 * Fix: the pCPU that takes the interrupt queues the item on its own list,
 * with interrupts off instead of a lock, and raises HVM_DPCI_SOFTIRQ; the
 * softirq runs the items queued on that pCPU.  No shared lock is taken on
 * this path (the per-domain event_lock in hvm_dirq_assist() is the guest's
 * own, as in Xen).
 *
 * The item is Xen's struct hvm_pirq_dpci (->state, ->softirq_list); the
 * fix adds ->ext (schedule time, run count) and d->dpci (domain figures).
 *
 * Invariants (state bits in xen/hvm/dpci.h):
 *  - SCHED is set exactly while the item is on one pCPU's list: set by the
 *    one scheduler that wins test_and_set_bit(), cleared by the softirq of
 *    that pCPU after unlinking it.  An interrupt arriving while SCHED is set
 *    coalesces into the pending run (edge semantics).
 *  - RUN is set before SCHED is cleared and cleared after the run, so the
 *    state is never 0 while a softirq holds the item; a second pCPU that
 *    finds RUN set puts the item back on its own list and retries, so an
 *    item never runs on two pCPUs at once.
 *  - Teardown (pt_irq_destroy_bind, arch_pci_clean_pirqs) first unbinds
 *    the pirq (pirq_guest_unbind(), under the irq_desc lock), so no
 *    interrupt schedules it again, then completes only when state is 0;
 *    otherwise it returns -EAGAIN (-ERESTART) and the caller retries after
 *    processing softirqs.  pt_irq_create_bind()
 *    retries itself, bounded by dpci_teardown_timeout_ms, then returns
 *    -EAGAIN: nothing spins forever.
 *  - A pCPU that goes offline hands its list to the pCPU that runs the
 *    CPU_DEAD notifier, so nothing is stranded.
 *
 * Counters (node "dpci", per pCPU): softirqs_raised, items_run,
 * batch_size, latency (schedule to run); teardown_eagain is counted by
 * hvm.c.  Domain records: items_scheduled, items_run.  Trace: DPCI_SCHEDULE,
 * DPCI_RUN, DPCI_BATCH.
 */

#include <xen/lib.h>
#include <xen/cpu.h>
#include <xen/init.h>
#include <xen/irq.h>
#include <xen/list.h>
#include <xen/percpu.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/time.h>
#include <xen/hvm/dpci.h>
#include <asm/hvm/irq.h>

static DEFINE_PER_CPU(struct list_head, dpci_list);

static unsigned int pirq_nr(struct hvm_pirq_dpci *pirq_dpci)
{
    return dpci_pirq(pirq_dpci)->pirq;
}

/* Interrupt context on the pCPU that took the interrupt, irq_desc lock held. */
void dpci_softirq_schedule(struct hvm_pirq_dpci *pirq_dpci)
{
    unsigned long flags;

    /* Already pending: this interrupt is folded into that run. */
    if ( test_and_set_bit(DPCI_STATE_SCHED, &pirq_dpci->state) )
        return;

    write_atomic(&pirq_dpci->ext.sched_time, NOW());

    local_irq_save(flags);
    list_add_tail(&pirq_dpci->softirq_list, &this_cpu(dpci_list));
    local_irq_restore(flags);

    raise_softirq(HVM_DPCI_SOFTIRQ);

    TELEMETRY_INC(dpci, softirqs_raised);
    arch_fetch_and_add(&pirq_dpci->dom->dpci.items_scheduled, 1);
    trace_dpci_schedule(pirq_dpci->dom->domain_id, pirq_nr(pirq_dpci),
                        smp_processor_id());
}

bool pt_pirq_softirq_active(struct hvm_pirq_dpci *pirq_dpci)
{
    return read_atomic(&pirq_dpci->state) &
           ((1UL << DPCI_STATE_SCHED) | (1UL << DPCI_STATE_RUN));
}

static void cf_check dpci_softirq(void)
{
    unsigned int cpu = smp_processor_id(), batch = 0;
    LIST_HEAD(our_list);

    local_irq_disable();
    list_splice_init(&per_cpu(dpci_list, cpu), &our_list);
    local_irq_enable();

    while ( !list_empty(&our_list) )
    {
        struct hvm_pirq_dpci *pirq_dpci =
            list_entry(our_list.next, struct hvm_pirq_dpci, softirq_list);
        struct domain *d;
        s_time_t latency;

        list_del(&pirq_dpci->softirq_list);

        if ( test_and_set_bit(DPCI_STATE_RUN, &pirq_dpci->state) )
        {
            /*
             * Still running on another pCPU (scheduled again there while it
             * ran): keep it pending here and come back.
             */
            local_irq_disable();
            list_add_tail(&pirq_dpci->softirq_list,
                          &per_cpu(dpci_list, cpu));
            local_irq_enable();
            raise_softirq(HVM_DPCI_SOFTIRQ);
            continue;
        }

        latency = NOW() - read_atomic(&pirq_dpci->ext.sched_time);
        if ( !test_and_clear_bit(DPCI_STATE_SCHED, &pirq_dpci->state) )
            BUG();

        /*
         * ->dom stays valid while RUN is set: pt_pirq_cleanup_check() only
         * clears it once the state is 0.
         */
        d = read_atomic(&pirq_dpci->dom);
        hvm_dirq_assist(d, pirq_dpci);

        /* Counted before RUN clears: a teardown that sees 0 sees these. */
        TELEMETRY_INC(dpci, items_run);
        TELEMETRY_HIST(dpci, latency, latency);
        arch_fetch_and_add(&d->dpci.items_run, 1);
        trace_dpci_run(d->domain_id, pirq_nr(pirq_dpci), cpu, latency);
        batch++;

        clear_bit(DPCI_STATE_RUN, &pirq_dpci->state);
    }

    if ( batch )
    {
        TELEMETRY_HIST(dpci, batch_size, batch);
        trace_dpci_batch(cpu, batch);
    }
}

unsigned int dpci_softirq_queued(unsigned int cpu)
{
    const struct list_head *pos;
    unsigned int n = 0;
    unsigned long flags;

    /* Only meaningful on cpu itself or while cpu is quiescent. */
    local_irq_save(flags);
    list_for_each ( pos, &per_cpu(dpci_list, cpu) )
        n++;
    local_irq_restore(flags);

    return n;
}

static int cf_check dpci_cpu_callback(
    struct notifier_block *nfb, unsigned long action, void *hcpu)
{
    unsigned int cpu = (unsigned long)hcpu;

    switch ( action )
    {
    case CPU_UP_PREPARE:
        INIT_LIST_HEAD(&per_cpu(dpci_list, cpu));
        break;

    case CPU_UP_CANCELED:
    case CPU_DEAD:
        /*
         * The dead pCPU runs nothing any more, so its list is stable: move
         * what is left to this pCPU and run it here.
         */
        if ( !list_empty(&per_cpu(dpci_list, cpu)) )
        {
            local_irq_disable();
            list_splice_init(&per_cpu(dpci_list, cpu), &this_cpu(dpci_list));
            local_irq_enable();
            raise_softirq(HVM_DPCI_SOFTIRQ);
        }
        break;

    default:
        break;
    }

    return NOTIFY_DONE;
}

static struct notifier_block dpci_cpu_nfb = {
    .notifier_call = dpci_cpu_callback,
};

static int __init cf_check setup_dpci_softirq(void)
{
    unsigned int cpu;

    /*
     * Only pCPUs already up have per-CPU areas; CPU_UP_PREPARE initialises
     * the list of each one brought up later.
     */
    for_each_online_cpu ( cpu )
        INIT_LIST_HEAD(&per_cpu(dpci_list, cpu));

    open_softirq(HVM_DPCI_SOFTIRQ, dpci_softirq);
    register_cpu_notifier(&dpci_cpu_nfb);

    return 0;
}
presmp_initcall(setup_dpci_softirq);
