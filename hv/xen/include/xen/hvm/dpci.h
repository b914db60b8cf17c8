/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen/hvm/dpci.h: what the dpci fix adds to Xen 4.17's passthrough
 * interrupt injection, and nothing Xen already has.
 *
 * Problem (seed 002): every passthrough interrupt used to schedule a
 * tasklet; tasklets live under one global lock that is taken once to
 * schedule and once to run, on every pCPU, and idle pCPUs delivering timer
 * VIRQs go through the same lock.  With many pCPUs taking interrupts, idle
 * guests lose a tenth of their time slice spinning on it.
 *
 * Fix: each pCPU keeps its own list of scheduled struct hvm_pirq_dpci
 * items (Xen's own structure, asm/hvm/irq.h: ->state, ->softirq_list) and
 * HVM_DPCI_SOFTIRQ runs it.  Two bits of ->state replace the lock:
 *
 *   DPCI_STATE_SCHED  set by the scheduler (test_and_set: one winner), the
 *                     item is then on exactly one pCPU's list; cleared by
 *                     that pCPU's softirq after it unlinks the item.
 *   DPCI_STATE_RUN    set while hvm_dirq_assist() runs for the item, so
 *                     that a second pCPU that picked the item up again in
 *                     the meantime defers instead of running concurrently.
 *
 * Invariants: an item is on at most one list; at most one pCPU runs it at a
 * time; a teardown never completes while SCHED or RUN is set (it returns
 * -EAGAIN or -ERESTART and its caller retries after processing softirqs);
 * a pCPU going offline hands its list to a live pCPU.
 *
 * In a Xen tree two structures here are embedded by one line each (see
 * docs/PATCHING.md): struct dpci_pirq_ext as ->ext at the end of struct
 * hvm_pirq_dpci (asm/hvm/irq.h), struct dpci_domain as ->dpci at the end
 * of struct domain (xen/sched.h).  This header therefore includes only
 * <xen/types.h>.
 */

#ifndef __XEN_HVM_DPCI_H__
#define __XEN_HVM_DPCI_H__

#include <xen/types.h>

struct domain;
struct hvm_pirq_dpci;

/* Bits of hvm_pirq_dpci->state (Xen's file-local STATE_SCHED/STATE_RUN). */
enum {
    DPCI_STATE_SCHED,
    DPCI_STATE_RUN,
};

/* How passthrough interrupts reach hvm_dirq_assist(): boot parameter. */
enum dpci_policy {
    DPCI_POLICY_TASKLET,    /* pre-fix: global-lock tasklet (baseline) */
    DPCI_POLICY_SOFTIRQ,    /* per-pCPU list + HVM_DPCI_SOFTIRQ (fix) */
};

/* Per item, embedded in struct hvm_pirq_dpci as ->ext. */
struct dpci_pirq_ext {
    int64_t sched_time;             /* NOW() when last scheduled (s_time_t) */
    unsigned long runs;             /* hvm_dirq_assist() calls, for checks */
};

/* Per domain, embedded in struct domain as ->dpci; several pCPUs add. */
struct dpci_domain {
    uint64_t items_scheduled;
    uint64_t items_run;
};

/* The policy in force: boot parameter dpci_policy=tasklet|softirq. */
extern enum dpci_policy dpci_policy;

/* hvm.c: the injection proper, shared by both policies. */
void hvm_dirq_assist(struct domain *d, struct hvm_pirq_dpci *pirq_dpci);

/* Fix (dpci_softirq.c).  Interrupt context, the irq_desc lock held. */
void dpci_softirq_schedule(struct hvm_pirq_dpci *pirq_dpci);
/* Items on a pCPU's list now (for tests and the simulator). */
unsigned int dpci_softirq_queued(unsigned int cpu);

/* Baseline (dpci_tasklet.c, harness only). */
void dpci_tasklet_init(struct hvm_pirq_dpci *pirq_dpci);
void dpci_tasklet_schedule(struct hvm_pirq_dpci *pirq_dpci);
void dpci_tasklet_kill(struct hvm_pirq_dpci *pirq_dpci);

#endif /* __XEN_HVM_DPCI_H__ */
