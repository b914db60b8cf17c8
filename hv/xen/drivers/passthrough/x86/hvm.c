/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * drivers/passthrough/x86/hvm.c: binding of passthrough interrupts to a
 * guest and their injection (the parts of Xen 4.17's file of the same name
 * that the dpci fix touches), shared by both injection policies.
 *
 * Problem (seed 002): see dpci_softirq.c.  This file chooses the path
 * (boot parameter dpci_policy=tasklet|softirq, default softirq) and holds
 * the teardown rules of the fix:
 *  - pt_irq_destroy_bind() and pci_clean_dpci_irqs() clear the binding,
 *    then return -EAGAIN while an injection is still in flight; the caller
 *    (a domctl continuation in Xen) processes softirqs and calls again.
 *  - pt_irq_create_bind() on an item still in flight from an earlier
 *    binding drops the event lock, processes softirqs and retries, for at
 *    most dpci_teardown_timeout_ms, then returns -EAGAIN.
 * The baseline keeps the pre-fix teardown: tasklet_kill(), which spins.
 *
 * Invariant: the binding (flags) is written under both the domain's
 * event_lock and the item's desc_lock; interrupts read it under desc_lock,
 * injection under event_lock.  Once a teardown returned 0 for an item, no
 * injection for it runs until it is bound again.
 *
 * Counters (node "dpci"): teardown_eagain per pCPU (trace
 * DPCI_TEARDOWN_EAGAIN); the domain records (items_scheduled, items_run)
 * are published from here.
 */

#include <xen/lib.h>
#include <xen/errno.h>
#include <xen/param.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/time.h>
#include <xen/xmalloc.h>
#include <xen/hvm/dpci.h>

enum dpci_policy __read_mostly dpci_policy = DPCI_POLICY_SOFTIRQ;

static int __init cf_check parse_dpci_policy(const char *s)
{
    if ( !strcmp(s, "tasklet") )
        dpci_policy = DPCI_POLICY_TASKLET;
    else if ( !strcmp(s, "softirq") )
        dpci_policy = DPCI_POLICY_SOFTIRQ;
    else
        return -EINVAL;

    return 0;
}
custom_param("dpci_policy", parse_dpci_policy);

/* How long pt_irq_create_bind() waits for an in-flight injection. */
static unsigned int __read_mostly dpci_teardown_timeout_ms = 1000;
integer_runtime_param("dpci_teardown_timeout_ms", dpci_teardown_timeout_ms);

static struct hvm_pirq_dpci *dpci_item(struct domain *d, unsigned int pirq)
{
    if ( pirq >= d->dpci.nr_pirqs )
        return NULL;

    return &d->dpci.pirqs[pirq];
}

static int dpci_eagain(struct domain *d, const struct hvm_pirq_dpci *pirq_dpci)
{
    TELEMETRY_INC(dpci, teardown_eagain);
    trace_dpci_teardown_eagain(d->domain_id, pirq_dpci->pirq);

    return -EAGAIN;
}

/* Clear the binding so that no interrupt schedules the item any more. */
static void dpci_unbind(struct hvm_pirq_dpci *pirq_dpci)
{
    unsigned long flags;

    spin_lock_irqsave(&pirq_dpci->desc_lock, flags);
    write_atomic(&pirq_dpci->flags, 0);
    spin_unlock_irqrestore(&pirq_dpci->desc_lock, flags);
}

int dpci_domain_init(struct domain *d, unsigned int nr_pirqs,
                     void (*deliver)(struct domain *,
                                     struct hvm_pirq_dpci *))
{
    struct dpci_domain *dd = &d->dpci;
    unsigned int i;

    dd->pirqs = xzalloc_array(struct hvm_pirq_dpci, nr_pirqs);
    if ( !dd->pirqs )
        return -ENOMEM;

    spin_lock_init(&dd->event_lock);
    dd->nr_pirqs = nr_pirqs;
    dd->deliver = deliver;
    dd->items_scheduled = 0;
    dd->items_run = 0;

    for ( i = 0; i < nr_pirqs; i++ )
    {
        struct hvm_pirq_dpci *pirq_dpci = &dd->pirqs[i];

        pirq_dpci->pirq = i;
        pirq_dpci->dom = d;
        spin_lock_init(&pirq_dpci->desc_lock);
        INIT_LIST_HEAD(&pirq_dpci->softirq_list);
        dpci_tasklet_init(pirq_dpci);
    }

    return 0;
}

void dpci_domain_free(struct domain *d)
{
    unsigned int i;

    for ( i = 0; i < d->dpci.nr_pirqs; i++ )
        ASSERT(!pt_pirq_softirq_active(&d->dpci.pirqs[i]));

    xfree(d->dpci.pirqs);
    d->dpci.pirqs = NULL;
    d->dpci.nr_pirqs = 0;
}

int pt_irq_create_bind(struct domain *d, unsigned int pirq, uint32_t gvec)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_item(d, pirq);
    s_time_t start = NOW();
    unsigned long flags;

    if ( !pirq_dpci )
        return -EINVAL;

 restart:
    spin_lock(&d->dpci.event_lock);

    if ( !(pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED) )
    {
        /*
         * An injection of an earlier binding may still be queued or
         * running on some pCPU: let it finish before the item is reused,
         * but never wait for ever.
         */
        if ( dpci_policy == DPCI_POLICY_SOFTIRQ &&
             pt_pirq_softirq_active(pirq_dpci) )
        {
            spin_unlock(&d->dpci.event_lock);
            if ( NOW() - start > MILLISECS(dpci_teardown_timeout_ms) )
                return dpci_eagain(d, pirq_dpci);
            process_pending_softirqs();
            cpu_relax();
            goto restart;
        }

        if ( dpci_policy == DPCI_POLICY_TASKLET )
            dpci_tasklet_init(pirq_dpci);
        write_atomic(&pirq_dpci->masked, false);
    }

    spin_lock_irqsave(&pirq_dpci->desc_lock, flags);
    pirq_dpci->gvec = gvec;
    write_atomic(&pirq_dpci->flags,
                 HVM_IRQ_DPCI_MAPPED | HVM_IRQ_DPCI_GUEST_MSI);
    spin_unlock_irqrestore(&pirq_dpci->desc_lock, flags);

    spin_unlock(&d->dpci.event_lock);

    return 0;
}

int pt_irq_destroy_bind(struct domain *d, unsigned int pirq)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_item(d, pirq);
    bool busy;

    if ( !pirq_dpci )
        return -EINVAL;

    spin_lock(&d->dpci.event_lock);
    dpci_unbind(pirq_dpci);
    busy = dpci_policy == DPCI_POLICY_SOFTIRQ &&
           pt_pirq_softirq_active(pirq_dpci);
    spin_unlock(&d->dpci.event_lock);

    if ( dpci_policy == DPCI_POLICY_TASKLET )
    {
        /* Pre-fix: drop a queued run, spin while one is running. */
        dpci_tasklet_kill(pirq_dpci);
        return 0;
    }

    return busy ? dpci_eagain(d, pirq_dpci) : 0;
}

int pci_clean_dpci_irqs(struct domain *d)
{
    const struct hvm_pirq_dpci *busy = NULL;
    unsigned int i;

    spin_lock(&d->dpci.event_lock);
    for ( i = 0; i < d->dpci.nr_pirqs; i++ )
    {
        struct hvm_pirq_dpci *pirq_dpci = &d->dpci.pirqs[i];

        dpci_unbind(pirq_dpci);
        if ( !busy && dpci_policy == DPCI_POLICY_SOFTIRQ &&
             pt_pirq_softirq_active(pirq_dpci) )
            busy = pirq_dpci;
    }
    spin_unlock(&d->dpci.event_lock);

    if ( dpci_policy == DPCI_POLICY_TASKLET )
    {
        for ( i = 0; i < d->dpci.nr_pirqs; i++ )
            dpci_tasklet_kill(&d->dpci.pirqs[i]);
        return 0;
    }

    return busy ? dpci_eagain(d, busy) : 0;
}

int hvm_do_IRQ_dpci(struct domain *d, unsigned int pirq)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_item(d, pirq);
    unsigned long flags;
    int taken = 0;

    if ( !pirq_dpci )
        return 0;

    /* do_IRQ() holds the descriptor lock around the guest's handler. */
    spin_lock_irqsave(&pirq_dpci->desc_lock, flags);
    if ( pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED )
    {
        if ( dpci_policy == DPCI_POLICY_SOFTIRQ )
            dpci_softirq_schedule(pirq_dpci);
        else
            dpci_tasklet_schedule(pirq_dpci);
        taken = 1;
    }
    spin_unlock_irqrestore(&pirq_dpci->desc_lock, flags);

    return taken;
}

void hvm_dirq_assist(struct domain *d, struct hvm_pirq_dpci *pirq_dpci)
{
    spin_lock(&d->dpci.event_lock);

    write_atomic(&pirq_dpci->runs, pirq_dpci->runs + 1);

    /* Baseline: the interrupt's ->masked gate, consumed by this run. */
    if ( dpci_policy == DPCI_POLICY_TASKLET &&
         !xchg(&pirq_dpci->masked, false) )
        goto out;

    /* Unbound since it was scheduled: nothing to inject. */
    if ( read_atomic(&pirq_dpci->flags) & HVM_IRQ_DPCI_MAPPED )
        d->dpci.deliver(d, pirq_dpci);

 out:
    spin_unlock(&d->dpci.event_lock);
}

/* Domain records of /telemetry/dpci. */
static void dpci_fill_domain(const struct domain *d, void *record)
{
    struct telemetry_dpci_domain *r = record;

    r->items_scheduled = read_atomic(&d->dpci.items_scheduled);
    r->items_run = read_atomic(&d->dpci.items_run);
}

static int __init dpci_telemetry_init(void)
{
    return telemetry_register_domain_fill(TELEMETRY_NODE_DPCI,
                                          dpci_fill_domain);
}
__initcall(dpci_telemetry_init);
