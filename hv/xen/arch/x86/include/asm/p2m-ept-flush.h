/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * asm/p2m-ept-flush.h: EPT invalidation deferred to the release of the p2m
 * write lock (see arch/x86/mm/p2m-ept-flush.c).
 *
 * struct ept_flush_domain is the per-domain state; the (patched) struct
 * domain embeds it as d->ept_flush.  The owed flush is Xen's own
 * p2m->need_flush, and a write-locked section is also recognised by Xen's
 * p2m->defer_flush, which mm-locks.h's p2m_lock() raises: in a Xen tree
 * p2m_lock()/p2m_unlock() stay Xen's, ept_p2m_lock()/ept_p2m_unlock() (the
 * harness's p2m lock, with the lock-hold and read-wait figures) are not
 * used, and p2m_unlock_and_tlb_flush() calls ept_p2m_tlb_flush() through
 * p2m->tlb_flush.  INVEPT is handed the host p2m's own EP4TA,
 * p2m_get_hostp2m(d)->ept.eptp.
 */
#ifndef __ASM_X86_P2M_EPT_FLUSH_H__
#define __ASM_X86_P2M_EPT_FLUSH_H__

#include <xen/types.h>
#include <xen/cpumask.h>
#include <xen/rwlock.h>
#include <xen/spinlock.h>
#include <xen/time.h>
#include <public/telemetry.h>

struct domain;
struct vcpu;

enum ept_flush_policy {
    EPT_FLUSH_SYNC,     /* pre-fix: IPI and wait under the write lock */
    EPT_FLUSH_DEFERRED, /* one flush when the write lock is released */
};

struct ept_flush_domain {
    /* The p2m lock: readers map GFNs, writers change entries. */
    rwlock_t lock;
    /* pCPU holding the write lock (it may take it again), or -1. */
    int locker;
    /* Write-lock nesting depth of the holder. */
    unsigned int depth;
    /* ept_flush_policy latched when the write lock was taken. */
    unsigned int policy;
    /*
     * A flush owed by the write-locked section is Xen's p2m->need_flush
     * (asm/p2m.h).  Requests folded into it (atomic: in a Xen tree the
     * owed flush runs after the lock is dropped, see ept_p2m_tlb_flush()).
     */
    unsigned int nr_requests;
    /* When the owed flush was first requested, and the lock taken. */
    s_time_t first_request;
    s_time_t locked_at;
    /* pCPUs that must invalidate this domain's EPT before their next VMENTER. */
    cpumask_t invalidate;
    /*
     * pCPUs running this domain now: ept_ctxt_switch_to() and
     * ept_ctxt_switch_from() keep it (in a Xen tree, called from
     * vmx_ctxt_switch_to() and vmx_ctxt_switch_from()).
     */
    cpumask_t dirty_cpumask;
    /* Per-domain telemetry record, updated under stats_lock. */
    spinlock_t stats_lock;
    struct telemetry_ept_domain stats;
};

/* Boot/runtime parameter "ept_flush_policy=sync|deferred". */
extern unsigned int opt_ept_flush_policy;

int ept_flush_domain_init(struct domain *d);

/* The p2m lock (p2m_lock()/p2m_unlock()/p2m_read_lock() in mm-locks.h). */
void ept_p2m_lock(struct domain *d);
void ept_p2m_unlock(struct domain *d);
void ept_p2m_read_lock(struct domain *d);
void ept_p2m_read_unlock(struct domain *d);

/*
 * ept_sync_domain(p2m) (asm/hvm/vmx/vmx.h): an EPT entry of the host p2m
 * was changed (or removed), translations may be stale.
 * p2m_tlb_flush_sync(p2m) (asm/p2m.h): do an owed flush now, still under
 * the write lock.  For callers that are about to free page-table pages or
 * reclaim (e.g. PoD zero-page) pages: no pCPU may keep a translation to
 * them once they are reused.
 * Both keep Xen's declarations; p2m->domain is the domain.
 */

/*
 * p2m->tlb_flush in a Xen tree (ept_p2m_init()): do the flush a section
 * owed, after p2m_unlock_and_tlb_flush() released the lock.
 */
struct p2m_domain;
void cf_check ept_p2m_tlb_flush(struct p2m_domain *p2m);

/* vmx_ctxt_switch_to()/_from(): v starts or stops running on this pCPU. */
void ept_ctxt_switch_to(const struct vcpu *v);
void ept_ctxt_switch_from(const struct vcpu *v);

/* From vmx_vmenter_helper(): invalidate here if this pCPU was marked. */
void ept_vmenter_invalidate(const struct vcpu *v);

/* Copy of the per-domain record (for the telemetry node). */
void ept_flush_domain_stats(const struct domain *d,
                            struct telemetry_ept_domain *out);

#endif /* __ASM_X86_P2M_EPT_FLUSH_H__ */
