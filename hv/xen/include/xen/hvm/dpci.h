/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen/hvm/dpci.h: passthrough interrupt injection (dpci) state.
 *
 * Problem (seed 002): every passthrough interrupt used to schedule a
 * tasklet; tasklets live under one global lock that is taken once to
 * schedule and once to run, on every pCPU, and idle pCPUs delivering timer
 * VIRQs go through the same lock.  With many pCPUs taking interrupts, idle
 * guests lose a tenth of their time slice spinning on it.
 *
 * Fix: each pCPU keeps its own list of scheduled hvm_pirq_dpci items and a
 * dedicated softirq (HVM_DPCI_SOFTIRQ) runs it.  Two state bits replace the
 * lock:
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
 * -EAGAIN and its caller retries after processing softirqs); a pCPU going
 * offline hands its list to a live pCPU.
 *
 * The fields mirror those the fix adds to struct hvm_pirq_dpci in Xen's
 * xen/include/xen/hvm/irq.h (see docs/PATCHING.md); the structure here is
 * otherwise reduced to what injection needs.
 */

#ifndef __XEN_HVM_DPCI_H__
#define __XEN_HVM_DPCI_H__

#include <xen/types.h>
#include <xen/list.h>
#include <xen/spinlock.h>
#include <xen/time.h>
#include <xen/tasklet.h>

struct domain;

/* pirq_dpci->flags */
#define _HVM_IRQ_DPCI_MAPPED_SHIFT     0
#define _HVM_IRQ_DPCI_GUEST_MSI_SHIFT  1
#define HVM_IRQ_DPCI_MAPPED     (1u << _HVM_IRQ_DPCI_MAPPED_SHIFT)
#define HVM_IRQ_DPCI_GUEST_MSI  (1u << _HVM_IRQ_DPCI_GUEST_MSI_SHIFT)

/* pirq_dpci->state bits (fix only). */
enum {
    DPCI_STATE_SCHED,
    DPCI_STATE_RUN,
};

/* How passthrough interrupts reach hvm_dirq_assist(): boot parameter. */
enum dpci_policy {
    DPCI_POLICY_TASKLET,    /* pre-fix: global-lock tasklet (baseline) */
    DPCI_POLICY_SOFTIRQ,    /* per-pCPU list + HVM_DPCI_SOFTIRQ (fix) */
};

struct hvm_pirq_dpci {
    uint32_t flags;                 /* HVM_IRQ_DPCI_*, under event_lock */
    bool masked;                    /* injection pending (baseline gate) */
    unsigned int pirq;
    uint32_t gvec;                  /* guest vector (gmsi.gvec in Xen) */
    struct domain *dom;             /* NULL once torn down */

    /* Fix: per-pCPU softirq list. */
    unsigned long state;            /* DPCI_STATE_* */
    struct list_head softirq_list;  /* on one pCPU's dpci_list iff SCHED */

    /* Baseline: the tasklet the pre-fix code scheduled. */
    struct tasklet tasklet;

    /*
     * Stands in for the irq_desc lock: do_IRQ() holds it around
     * hvm_do_IRQ_dpci() and pirq_guest_unbind() takes it, so once an
     * unbind has cleared the binding no interrupt can schedule the item.
     */
    spinlock_t desc_lock;

    s_time_t sched_time;            /* NOW() when last scheduled */
    unsigned long runs;             /* hvm_dirq_assist() calls, for checks */
};

/*
 * Per-domain dpci state, embedded in struct domain (d->dpci).  In Xen the
 * pirq_dpci items hang off struct pirq in d->pirq_tree and the lock is
 * d->event_lock; here they are one array and one lock of their own.
 */
struct dpci_domain {
    spinlock_t event_lock;
    struct hvm_pirq_dpci *pirqs;
    unsigned int nr_pirqs;
    /*
     * Injection into the guest: vmsi_deliver_pirq() in Xen.  Called by
     * hvm_dirq_assist() with event_lock held, only while the binding is
     * mapped.
     */
    void (*deliver)(struct domain *d, struct hvm_pirq_dpci *pirq_dpci);
    /* Per-domain telemetry figures; several pCPUs add to them. */
    uint64_t items_scheduled;
    uint64_t items_run;
};

/* The policy in force: boot parameter dpci_policy=tasklet|softirq. */
extern enum dpci_policy dpci_policy;

/* Setup: allocate nr_pirqs items for d.  0 or -errno. */
int dpci_domain_init(struct domain *d, unsigned int nr_pirqs,
                     void (*deliver)(struct domain *,
                                     struct hvm_pirq_dpci *));
/* Free what dpci_domain_init() allocated; pci_clean_dpci_irqs() first. */
void dpci_domain_free(struct domain *d);

/* Guest binds pirq to guest vector gvec: 0, -EINVAL, or -EAGAIN. */
int pt_irq_create_bind(struct domain *d, unsigned int pirq, uint32_t gvec);
/* Guest unbinds pirq: 0, -EINVAL, or -EAGAIN (retry later). */
int pt_irq_destroy_bind(struct domain *d, unsigned int pirq);
/* Domain destruction: unbind everything; 0 or -EAGAIN (retry later). */
int pci_clean_dpci_irqs(struct domain *d);

/*
 * Interrupt handler side (do_IRQ -> __do_IRQ_guest): returns 1 if the
 * interrupt was taken for injection, 0 if pirq is not bound.
 */
int hvm_do_IRQ_dpci(struct domain *d, unsigned int pirq);

/* Whether an injection is still in flight for the item (fix). */
bool pt_pirq_softirq_active(struct hvm_pirq_dpci *pirq_dpci);

/* Shared by both policies, in hvm.c. */
void hvm_dirq_assist(struct domain *d, struct hvm_pirq_dpci *pirq_dpci);

/* Fix (dpci_softirq.c). */
void dpci_softirq_schedule(struct hvm_pirq_dpci *pirq_dpci);
/* Items on a pCPU's list now (for tests and the simulator). */
unsigned int dpci_softirq_queued(unsigned int cpu);

/* Baseline (dpci_tasklet.c). */
void dpci_tasklet_init(struct hvm_pirq_dpci *pirq_dpci);
void dpci_tasklet_schedule(struct hvm_pirq_dpci *pirq_dpci);
void dpci_tasklet_kill(struct hvm_pirq_dpci *pirq_dpci);

#endif /* __XEN_HVM_DPCI_H__ */
