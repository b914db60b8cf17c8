/*
 * analysis.h - what xenalyze-ext learns from a stream of trace records.
 *
 * xa_feed() takes records one at a time (xa_feed_batch() many), in the
 * TSC order the reader delivers them, and keeps per-subsystem state for
 * every pCPU and every domain: the PI blocking lists, dpci scheduling,
 * maptrack handles, EPT flushes and MSI-X table accesses from the
 * catalogue's events, and the upstream context around them (lost records,
 * domain creation, vCPUs seen, runstate changes, VM entries and exits).
 * Everything else is counted by event id and otherwise skipped.
 *
 * Memory is bounded by the host's shape (pCPUs, domains, vCPUs), not by the
 * trace's length: per-event state is folded into counters, fixed-size
 * series and the bounded distributions of dist.h.  Domains beyond
 * XA_MAX_DOMAINS distinct ids, event ids beyond XA_MAX_EVENT_IDS and pCPU
 * numbers from XA_MAX_PCPUS up are folded into one "other" entry each, so a
 * hostile trace cannot make the tables grow without end.
 *
 * The report front-ends (report.c), the interval series (the callback
 * below), the recommendations (recommend.c) and the sqlite ingest
 * (sqlite_ingest.c) read this state; none of them re-reads the trace.
 */
#ifndef XA_ANALYSIS_H
#define XA_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "xentrace.h"

/*
 * pCPU numbers at or above XA_MAX_PCPUS (Xen x86 builds for at most 4096)
 * share the last slot, so a corrupt pCPU field cannot make the table big.
 */
#define XA_MAX_PCPUS       8192u
#define XA_MAX_DOMAINS     4096u    /* distinct domids tracked one by one */
#define XA_MAX_VCPUS       4096u    /* per domain, in the vCPU bitmap */
#define XA_MAX_EVENT_IDS   4096u    /* distinct non-catalogue ids counted */
#define XA_SERIES_SLOTS    64u      /* PI length-over-time series */
#define XA_INTERVAL_MAX_EMPTY 1000u /* empty --interval rows in a row */
#define XA_DOMID_OTHER     0xffffffffu

/*
 * Upstream event ids interpreted for context (Xen's public/trace.h).
 * Xen puts a runstate change's old state in bits 8-9 of the event id and
 * the new state in bits 4-5 (running->runnable is 0x00021011), besides
 * the old:4 new:4 bits of its second data word; xa_is_runstate_change()
 * matches every variant.
 */
#define XA_TRC_SCHED_RUNSTATE_CHANGE  0x00021001u
#define XA_RUNSTATE_EVENT(old, new) \
    (XA_TRC_SCHED_RUNSTATE_CHANGE | ((old) & 3u) << 8 | ((new) & 3u) << 4)
#define XA_TRC_SCHED_DOM_ADD          0x00028001u
#define XA_TRC_SCHED_DOM_REM          0x00028002u
#define XA_TRC_SCHED_SWITCH           0x0002800au
#define XA_TRC_HVM_VMENTRY            0x00081001u
#define XA_TRC_HVM_VMEXIT             0x00081002u
#define XA_TRC_HVM_VMEXIT64           0x00081102u

enum xa_hz_source { XA_HZ_NONE, XA_HZ_TRACE, XA_HZ_OPTION };

struct xa_pcpu {
    int seen;
    uint64_t records;
    uint64_t first_tsc, last_tsc;

    /* PI blocking list of this pCPU */
    uint64_t pi_len, pi_hwm, pi_hwm_tsc, pi_limit;
    uint64_t pi_adds, pi_adds_redirected, pi_dels;
    uint64_t pi_redirected_away;     /* blocked here, listed elsewhere */
    uint64_t pi_wakeups, pi_walked, pi_woken;
    struct xa_dist pi_walk;          /* entries walked per wakeup */
    uint64_t pi_series[XA_SERIES_SLOTS];   /* max length per slot */

    /* dpci */
    uint64_t dpci_scheduled, dpci_runs, dpci_batches;
    uint64_t dpci_lock_waits, dpci_lock_wait_ns, dpci_lock_wait_max;
    struct xa_dist dpci_batch;       /* items per softirq */
    struct xa_dist dpci_latency;     /* schedule-to-run, ns */

    uint64_t ept_vmenter_invept;

    /* upstream context */
    uint64_t lost_events, lost_records, lost_hidden_ticks;
    uint64_t vmentries, vmexits, runstate_changes;
    uint32_t running_domid, running_vcpu;   /* XA_DOMID_OTHER: unknown */
};

struct xa_domain {
    uint32_t domid;
    int seen;
    uint64_t first_tsc;
    /* DOMAIN_INFO, when the trace carries it */
    int have_info;
    uint32_t nr_vcpus, is_hvm, maptrack_limit;
    int created, destroyed;              /* TRC_SCHED_DOM_ADD / _REM */
    uint64_t created_tsc, destroyed_tsc;
    uint64_t *vcpu_seen;                 /* bitmap, XA_MAX_VCPUS bits */
    uint32_t vcpus_seen;

    uint64_t pi_adds, pi_skip_no_irte;

    uint64_t msix_reads_forwarded, msix_writes_forwarded, msix_reads_emulated;

    uint64_t dpci_scheduled, dpci_runs, dpci_teardown_eagain;
    struct xa_dist dpci_latency;

    uint64_t mt_frames, mt_frames_max, mt_limit, mt_in_use, mt_in_use_max;
    uint64_t mt_grows, mt_steals, mt_exhausted, mt_first_exhausted_tsc;

    uint64_t ept_flushes, ept_sync, ept_deferred, ept_coalesced;
    uint64_t ept_ipis, ept_marked;
    struct xa_dist ept_latency;
    uint64_t ept_read_waits, ept_read_wait_ns, ept_read_wait_max;

    uint64_t vmexits, runstate_changes;
};

struct xa_event_count {
    uint32_t event;
    uint64_t count;
};

/* One --interval row: what happened between t0 and t0 + length. */
struct xa_interval {
    uint64_t index;
    uint64_t t0_ns, length_ns;
    uint64_t pi_adds, pi_redirected, pi_max_len, pi_wakeups, pi_max_walk;
    uint64_t dpci_runs, dpci_max_latency;
    uint64_t mt_grows, mt_steals, mt_exhausted;
    uint64_t ept_flushes, ept_max_latency, ept_ipis;
    uint64_t msix_reads_forwarded, msix_reads_emulated;
    uint64_t lost_records;
    uint64_t records;
};

struct xa_group;                 /* analysis.c: xa_feed_batch() */

typedef void (*xa_interval_fn)(const struct xa_interval *iv, void *arg);

struct xa_analysis {
    /* time base */
    enum xa_hz_source hz_source;
    uint64_t cpu_hz;                 /* in use (0: report TSC ticks) */
    uint64_t option_hz, trace_hz;    /* what each source said (0: nothing) */
    uint64_t first_tsc, last_tsc;
    int have_tsc;

    /* RUN_INFO */
    int have_run_info;
    uint32_t nr_pcpus_info, variant, scenario;

    /* totals */
    uint64_t records, catalogue_records, upstream_records, unknown_records;
    uint64_t by_catalogue_event[XTE_NR_EVENTS];
    uint64_t lost_events, lost_records, lost_hidden_ticks;
    uint64_t tsc_backwards;          /* records older than one before */

    /* PI limit as last computed by the hypervisor (PI_LIMIT) */
    int have_pi_limit;
    uint64_t pi_limit, pi_hvm_vcpus, pi_online_pcpus, pi_slack;
    uint64_t pi_limit_changes, pi_cpu_moves, pi_moved;
    struct xa_dist pi_walk_all;
    uint64_t series_slot_ticks;      /* PI series: ticks per slot */
    unsigned int series_used;
    unsigned int series_slot;        /* slot of the last PI record */
    uint64_t series_slot_rel, series_slot_end;  /* its span, relative TSC */

    /* per pCPU / per domain */
    struct xa_pcpu *pcpus;           /* XA_MAX_PCPUS, by pCPU number */
    unsigned int nr_pcpus;           /* highest pCPU seen + 1 */
    struct xa_domain *domains;       /* by first sight, XA_MAX_DOMAINS + 2 */
    unsigned int nr_domains;
    struct xa_domain **domain_slot;  /* by domid, and more: analysis.c */
    int domains_folded;              /* ids beyond the cap went to other */

    /* non-catalogue event ids, with counts (open addressing) */
    struct xa_event_count *event_ids;
    unsigned int nr_event_ids;
    uint64_t event_ids_folded;       /* records of ids beyond the cap */

    /* --interval */
    uint64_t interval_ns;            /* 0: off */
    xa_interval_fn interval_fn;
    void *interval_arg;
    struct xa_interval iv;           /* kept only with interval_ns */
    int iv_open;
    uint64_t iv_end_tsc;             /* first TSC past iv (0: recompute) */
    uint64_t intervals_skipped;      /* empty rows left out (long gaps) */

    struct xa_group *group;          /* xa_feed_batch()'s bins */
};

/* option_hz: --cpu-hz, 0 if not given.  interval_ns: 0 for no series. */
void xa_init(struct xa_analysis *a, uint64_t option_hz, uint64_t interval_ns,
             xa_interval_fn fn, void *arg);
void xa_feed(struct xa_analysis *a, const struct xte_record *rec);
/*
 * As xa_feed() on each of n records in turn, with the same result, but
 * cheaper: the records are taken in groups by event type where their
 * order does not matter (see analysis.c).
 */
void xa_feed_batch(struct xa_analysis *a, const struct xte_record *recs,
                   size_t n);
/* Flush the last partial interval. */
void xa_finish(struct xa_analysis *a);
void xa_free(struct xa_analysis *a);

/* Ticks to ns with the time base in use; ticks unchanged if none. */
uint64_t xa_ticks_to_ns(const struct xa_analysis *a, uint64_t ticks);
/* Position of tsc since the first record, in ns (or ticks). */
uint64_t xa_tsc_to_rel(const struct xa_analysis *a, uint64_t tsc);
const char *xa_time_unit(const struct xa_analysis *a);   /* "ns" / "ticks" */

struct xa_domain *xa_domain_get(struct xa_analysis *a, uint32_t domid);
struct xa_domain *xa_domain_find(const struct xa_analysis *a,
                                 uint32_t domid);
/* Order the domains by id ("other" last), for the reports. */
void xa_sort_domains(struct xa_analysis *a);
/* Count of a non-catalogue event id (0 if never seen). */
uint64_t xa_event_id_count(const struct xa_analysis *a, uint32_t event);
/* Ids the analyser interprets (context), as opposed to merely counting. */
int xa_event_is_interpreted(uint32_t event);
static inline int xa_is_runstate_change(uint32_t event)
{
    return (event & ~0x330u) == XA_TRC_SCHED_RUNSTATE_CHANGE;
}

#endif /* XA_ANALYSIS_H */
