/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * drivers/passthrough/x86/dpci_tasklet.c: the pre-fix injection path
 * (baseline, dpci_policy=tasklet).
 *
 * Problem (seed 002): hvm_do_IRQ_dpci() sets ->masked and schedules the
 * item's tasklet, which takes the global tasklet lock; the tasklet runs
 * hvm_dirq_assist() from TASKLET_SOFTIRQ, taking the lock twice more.
 * Teardown calls tasklet_kill(), which drops a queued run and spins until
 * a running one finishes.
 *
 * Invariant: ->masked is set by the interrupt and cleared by the run that
 * injects it, so interrupts arriving before the run coalesce into one
 * injection (edge semantics, as in Xen).
 *
 * Counters (node "dpci"): softirqs_raised counts tasklets scheduled,
 * items_run, batch_size (always 1: one tasklet per pass), latency; the
 * lock figures come from common/tasklet.c.  Domain records:
 * items_scheduled, items_run.
 *
 * Harness only (not for a Xen tree): Xen 4.17's struct hvm_pirq_dpci has
 * no tasklet any more, so the item's tasklet lives in the harness's pirq
 * table (hvh/dpci.h); hvm.c calls this file under CONFIG_DPCI_BASELINE.
 */

#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/tasklet.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/time.h>
#include <xen/hvm/dpci.h>
#include <asm/hvm/irq.h>
#include <hvh/dpci.h>

static unsigned int pirq_nr(struct hvm_pirq_dpci *pirq_dpci)
{
    return dpci_pirq(pirq_dpci)->pirq;
}

static void cf_check dpci_tasklet_func(void *data)
{
    struct hvm_pirq_dpci *pirq_dpci = data;
    struct domain *d = read_atomic(&pirq_dpci->dom);
    s_time_t latency = NOW() - read_atomic(&pirq_dpci->ext.sched_time);

    hvm_dirq_assist(d, pirq_dpci);

    TELEMETRY_INC(dpci, items_run);
    TELEMETRY_HIST(dpci, batch_size, 1);
    TELEMETRY_HIST(dpci, latency, latency);
    arch_fetch_and_add(&d->dpci.items_run, 1);
    trace_dpci_run(d->domain_id, pirq_nr(pirq_dpci),
                   smp_processor_id(), latency);
    trace_dpci_batch(smp_processor_id(), 1);
}

void dpci_tasklet_init(struct hvm_pirq_dpci *pirq_dpci)
{
    softirq_tasklet_init(hvh_dpci_tasklet(pirq_dpci), dpci_tasklet_func,
                         pirq_dpci);
}

/* Interrupt context, irq_desc lock held. */
void dpci_tasklet_schedule(struct hvm_pirq_dpci *pirq_dpci)
{
    /* Latency counts from the first interrupt of a coalesced run. */
    if ( !xchg(&pirq_dpci->masked, true) )
        write_atomic(&pirq_dpci->ext.sched_time, NOW());
    tasklet_schedule(hvh_dpci_tasklet(pirq_dpci));

    TELEMETRY_INC(dpci, softirqs_raised);
    arch_fetch_and_add(&pirq_dpci->dom->dpci.items_scheduled, 1);
    trace_dpci_schedule(pirq_dpci->dom->domain_id, pirq_nr(pirq_dpci),
                        smp_processor_id());
}

/* Teardown, without the event lock: the pre-fix tasklet_kill(), spinning. */
void dpci_tasklet_kill(struct hvm_pirq_dpci *pirq_dpci)
{
    tasklet_kill(hvh_dpci_tasklet(pirq_dpci));
    write_atomic(&pirq_dpci->masked, false);
}
