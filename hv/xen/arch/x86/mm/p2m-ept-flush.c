/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch/x86/mm/p2m-ept-flush.c: EPT invalidations deferred until the p2m
 * write lock is released, and done before VMENTER where possible.
 *
 * Problem.  Every change of an EPT entry calls ept_sync_domain(), which
 * before this change interrupted every pCPU in the domain's dirty mask
 * with on_selected_cpus() and waited for all of them to INVEPT, while the
 * caller still held the p2m write lock.  On a large host one such flush
 * took 3-5 ms (IPIs across sockets, serialised by on_selected_cpus()'s
 * own lock).  Readers of the p2m (the migration toolstack maps 1024 GFNs
 * per batch, one read-lock take per GFN) queued behind the writer each
 * time, long enough for the watchdog to fire: a 16-vCPU guest could not be
 * migrated on a 160-pCPU box (seed 004).
 *
 * Fix (ept_flush_policy=deferred).  ept_sync_domain() marks every pCPU as
 * needing an invalidation of this domain before its next VMENTER and, when
 * called inside a write-locked section, only notes that a flush is owed.
 * All requests of one section are coalesced into one flush, done after the
 * write lock is released: only the pCPUs currently running the domain
 * (its dirty mask) are interrupted, to force them through VMENTER; every
 * other pCPU invalidates when it next enters the guest.  Callers that free
 * page-table pages or reclaim pages (PoD) call p2m_tlb_flush_sync() first,
 * so that no translation to a page outlives its reuse.
 *
 * Invariant.  Once ept_sync_domain() has returned for a change, no pCPU
 * enters the guest without having invalidated after that change: the mark
 * is set before ept_sync_domain() returns, and a VMENTER tests and clears
 * its mark atomically before entering.  A pCPU already in the guest is
 * forced out by the flush, which completes (IPIs acknowledged) before
 * p2m_unlock() returns (deferred) or ept_sync_domain() returns (sync).
 * tests/ept checks a change generation at every simulated VMENTER.
 *
 * Counters (node "ept", catalogue.def): per pCPU flush_requests,
 * flushes_deferred, flushes_coalesced, flushes_sync, ipis_sent,
 * vmenter_invalidations, histograms flush_latency, wlock_hold, rlock_wait;
 * per domain flushes, ipis_sent, flushes_deferred, flush_latency.  Trace
 * events EPT_FLUSH, EPT_VMENTER_INVEPT, EPT_READ_WAIT.
 *
 * ept_flush_policy=sync keeps the pre-fix behaviour for comparison; the
 * policy is latched when the write lock is taken, so it can be changed at
 * run time (hypfs /params/ept_flush_policy).
 */

#include <xen/cpumask.h>
#include <xen/errno.h>
#include <xen/init.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/rwlock.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/spinlock.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/time.h>
#include <asm/hvm/vmx/vmx.h>
#include <asm/p2m.h>
#include <asm/p2m-ept-flush.h>

unsigned int __read_mostly opt_ept_flush_policy = EPT_FLUSH_DEFERRED;

/* Current value as text, for hypfs /params/ept_flush_policy. */
static char __read_mostly opt_ept_flush_policy_str[sizeof("deferred")] =
    "deferred";

static int cf_check parse_ept_flush_policy(const char *s);

static void __init init_ept_flush_policy(struct param_hypfs *par)
{
    custom_runtime_set_var(par, opt_ept_flush_policy_str);
}
custom_runtime_param("ept_flush_policy", parse_ept_flush_policy,
                     init_ept_flush_policy);

static int cf_check parse_ept_flush_policy(const char *s)
{
    unsigned int policy;

    if ( !strcmp(s, "sync") )
        policy = EPT_FLUSH_SYNC;
    else if ( !strcmp(s, "deferred") )
        policy = EPT_FLUSH_DEFERRED;
    else
        return -EINVAL;

    /* Taken by the next write-locked section; the current one keeps its. */
    write_atomic(&opt_ept_flush_policy, policy);
    snprintf(opt_ept_flush_policy_str, sizeof(opt_ept_flush_policy_str),
             "%s", policy == EPT_FLUSH_SYNC ? "sync" : "deferred");
    custom_runtime_set_var(param_2_parfs(parse_ept_flush_policy),
                           opt_ept_flush_policy_str);

    return 0;
}

/* Waits for the read lock shorter than this are not traced. */
#define EPT_READ_WAIT_TRACE_NS 1000

int ept_flush_domain_init(struct domain *d)
{
    struct ept_flush_domain *ef = &d->ept_flush;

    rwlock_init(&ef->lock);
    spin_lock_init(&ef->stats_lock);
    ef->locker = -1;
    ef->depth = 0;
    ef->policy = EPT_FLUSH_DEFERRED;
    ef->nr_requests = 0;
    memset(&ef->stats, 0, sizeof(ef->stats));
    ef->stats.domid = d->domain_id;
    /*
     * Every pCPU invalidates before it first enters this domain: a
     * previous user of the same EP4TA may have left translations behind.
     */
    cpumask_setall(&ef->invalidate);
    cpumask_clear(&ef->dirty_cpumask);

    return 0;
}

/* ---- IPI targets ---------------------------------------------------------- */

/* Pre-fix: the interrupted pCPU invalidates in the IPI handler. */
static void cf_check ept_flush_ipi_sync(void *data)
{
    struct domain *d = data;
    struct ept_flush_domain *ef = &d->ept_flush;

    cpumask_clear_cpu(smp_processor_id(), &ef->invalidate);
    __invept(INVEPT_SINGLE_CONTEXT, p2m_get_hostp2m(d)->ept.eptp);
}

/*
 * Deferred: nothing to do here.  Taking the interrupt has forced the pCPU
 * out of the guest; it is marked, so vmx_vmenter_helper() invalidates
 * before it enters again.
 */
static void cf_check ept_flush_ipi_exit(void *data)
{
}

/* Mark every online pCPU; the mark is consumed at VMENTER. */
static void ept_mark_all(struct ept_flush_domain *ef)
{
    unsigned int cpu;

    /*
     * Bit by bit with atomic set_bit() rather than cpumask_setall(): pCPUs
     * test-and-clear their bit concurrently, without the p2m lock.  A bit
     * found set needs no write: if its pCPU clears it after this read, it
     * invalidates after the entry change, which is all that is needed; and
     * not writing keeps the mask's lines shared while nobody enters.
     */
    for_each_online_cpu ( cpu )
        if ( !cpumask_test_cpu(cpu, &ef->invalidate) )
            cpumask_set_cpu(cpu, &ef->invalidate);
}

/*
 * Interrupt the pCPUs running d and wait for them.  requested is when the
 * first of nr requests folded into this flush was made.
 */
static void ept_flush_now(struct domain *d, s_time_t requested,
                          unsigned int nr, bool sync_policy, bool deferred)
{
    struct ept_flush_domain *ef = &d->ept_flush;
    cpumask_t mask;
    unsigned int ipis, marked;
    s_time_t latency;

    cpumask_and(&mask, &ef->dirty_cpumask, &cpu_online_map);
    ipis = cpumask_weight(&mask);
    marked = num_online_cpus() - ipis;

    if ( ipis )
        on_selected_cpus(&mask,
                         sync_policy ? ept_flush_ipi_sync : ept_flush_ipi_exit,
                         d, 1);

    latency = NOW() - requested;

    TELEMETRY_ADD(ept, ipis_sent, ipis);
    TELEMETRY_HIST(ept, flush_latency, latency);
    if ( !deferred )
        TELEMETRY_INC(ept, flushes_sync);

    spin_lock(&ef->stats_lock);
    ef->stats.flushes++;
    ef->stats.ipis_sent += ipis;
    if ( deferred )
        ef->stats.flushes_deferred++;
    telemetry_hist_add(&ef->stats.flush_latency, latency);
    spin_unlock(&ef->stats_lock);

    trace_ept_flush(d->domain_id, ipis, marked, nr, latency, !deferred);
}

/* ---- the p2m lock ----------------------------------------------------------- */

void ept_p2m_lock(struct domain *d)
{
    struct ept_flush_domain *ef = &d->ept_flush;
    int cpu = smp_processor_id();

    /* Recursive for its holder, as mm_write_lock() is. */
    if ( read_atomic(&ef->locker) == cpu )
    {
        ef->depth++;
        return;
    }

    write_lock(&ef->lock);
    write_atomic(&ef->locker, cpu);
    ef->depth = 1;
    ef->policy = read_atomic(&opt_ept_flush_policy);
    ef->locked_at = NOW();
}

void ept_p2m_unlock(struct domain *d)
{
    struct ept_flush_domain *ef = &d->ept_flush;
    struct p2m_domain *p2m = p2m_get_hostp2m(d);
    bool flush;
    unsigned int nr;
    s_time_t requested, now;

    ASSERT(read_atomic(&ef->locker) == (int)smp_processor_id());

    if ( --ef->depth )
        return;

    flush = p2m->need_flush;
    nr = read_atomic(&ef->nr_requests);
    requested = read_atomic(&ef->first_request);
    p2m->need_flush = false;
    write_atomic(&ef->nr_requests, 0);

    now = NOW();
    TELEMETRY_HIST(ept, wlock_hold, now - ef->locked_at);

    write_atomic(&ef->locker, -1);
    write_unlock(&ef->lock);

    /*
     * The one flush for every change of the section, with the lock free:
     * readers proceed while the IPIs are in flight.  The marks were set
     * by ept_sync_domain(), so a pCPU entering the guest meanwhile already
     * invalidates.
     */
    if ( flush )
        ept_flush_now(d, requested, nr, false, true);
}

void ept_p2m_read_lock(struct domain *d)
{
    struct ept_flush_domain *ef = &d->ept_flush;
    s_time_t start = NOW(), wait;

    read_lock(&ef->lock);

    wait = NOW() - start;
    TELEMETRY_HIST(ept, rlock_wait, wait);
    if ( wait > EPT_READ_WAIT_TRACE_NS )
        trace_ept_read_wait(d->domain_id, wait);
}

void ept_p2m_read_unlock(struct domain *d)
{
    read_unlock(&d->ept_flush.lock);
}

/*
 * p2m->tlb_flush (set by ept_p2m_init() in a Xen tree): the flush owed by
 * a write-locked section, called by p2m_unlock_and_tlb_flush() once the
 * p2m lock is free.  The request figures are read without the lock: the
 * next writer may already count its own, which only moves a request from
 * one flush's figures to the next one's.
 */
void cf_check ept_p2m_tlb_flush(struct p2m_domain *p2m)
{
    struct domain *d = p2m->domain;
    struct ept_flush_domain *ef = &d->ept_flush;
    unsigned int nr = read_atomic(&ef->nr_requests);

    write_atomic(&ef->nr_requests, 0);
    ept_flush_now(d, read_atomic(&ef->first_request), nr ?: 1, false, true);
}

/* ---- requests --------------------------------------------------------------- */

/*
 * Whether the running pCPU changes p2m inside a write-locked section: one
 * taken with ept_p2m_lock() (the harness, and this file's measurements),
 * or, in a Xen tree whose p2m_lock() is still mm-locks.h's, one that
 * p2m_lock() marked by raising p2m->defer_flush (ef->locker is then never
 * set).
 */
static bool ept_in_write_section(const struct p2m_domain *p2m,
                                 const struct ept_flush_domain *ef)
{
    int locker = read_atomic(&ef->locker);

    if ( locker >= 0 )
        return locker == (int)smp_processor_id();

    return read_atomic(&p2m->defer_flush);
}

void ept_sync_domain(struct p2m_domain *p2m)
{
    struct domain *d = p2m->domain;
    struct ept_flush_domain *ef = &d->ept_flush;
    bool ours = read_atomic(&ef->locker) == (int)smp_processor_id();
    bool locked = ept_in_write_section(p2m, ef);
    unsigned int policy = ours ? ef->policy
                               : read_atomic(&opt_ept_flush_policy);

    TELEMETRY_INC(ept, flush_requests);

    /* From here on, any pCPU entering the guest invalidates first. */
    ept_mark_all(ef);

    if ( locked && policy == EPT_FLUSH_DEFERRED )
    {
        if ( p2m->need_flush )
            TELEMETRY_INC(ept, flushes_coalesced);
        else
        {
            p2m->need_flush = true;
            write_atomic(&ef->first_request, NOW());
            TELEMETRY_INC(ept, flushes_deferred);
        }
        /* Under the write lock; read lock-free by ept_p2m_tlb_flush(). */
        write_atomic(&ef->nr_requests, read_atomic(&ef->nr_requests) + 1);
        return;
    }

    /* Pre-fix, or a change made without the write lock: flush right now. */
    ept_flush_now(d, NOW(), 1, policy == EPT_FLUSH_SYNC, false);
}

void p2m_tlb_flush_sync(struct p2m_domain *p2m)
{
    struct domain *d = p2m->domain;
    struct ept_flush_domain *ef = &d->ept_flush;
    unsigned int nr;

    /* Called with the p2m write lock held: nothing else changes these. */
    if ( !p2m->need_flush )
        return;

    p2m->need_flush = false;
    nr = read_atomic(&ef->nr_requests);
    write_atomic(&ef->nr_requests, 0);
    /*
     * Deferred-policy IPI: the targets are forced out of the guest and
     * invalidate at VMENTER before touching any of the pages again.
     */
    ept_flush_now(d, read_atomic(&ef->first_request), nr ?: 1, false, false);
}

void ept_ctxt_switch_to(const struct vcpu *v)
{
    cpumask_set_cpu(smp_processor_id(), &v->domain->ept_flush.dirty_cpumask);
}

void ept_ctxt_switch_from(const struct vcpu *v)
{
    cpumask_clear_cpu(smp_processor_id(), &v->domain->ept_flush.dirty_cpumask);
}

void ept_vmenter_invalidate(const struct vcpu *v)
{
    struct ept_flush_domain *ef = &v->domain->ept_flush;
    unsigned int cpu = smp_processor_id();

    if ( !cpumask_test_and_clear_cpu(cpu, &ef->invalidate) )
        return;

    __invept(INVEPT_SINGLE_CONTEXT, p2m_get_hostp2m(v->domain)->ept.eptp);
    TELEMETRY_INC(ept, vmenter_invalidations);
    trace_ept_vmenter_invept(v->domain->domain_id, cpu);
}

void ept_flush_domain_stats(const struct domain *d,
                            struct telemetry_ept_domain *out)
{
    /* The lock only orders the copy against updates: cast away const. */
    struct ept_flush_domain *ef = (struct ept_flush_domain *)&d->ept_flush;

    spin_lock(&ef->stats_lock);
    *out = ef->stats;
    spin_unlock(&ef->stats_lock);
}

static void cf_check ept_fill_domain(const struct domain *d, void *record)
{
    struct telemetry_ept_domain *r = record;
    uint64_t domid = r->domid;

    ept_flush_domain_stats(d, r);
    r->domid = domid;
}

static int __init cf_check ept_flush_telemetry_init(void)
{
    return telemetry_register_node(TELEMETRY_NODE_EPT, ept_fill_domain, NULL);
}
__initcall(ept_flush_telemetry_init);
