/*
 * report.c - turn the analysis state into tables.
 *
 * One function per table; each skips itself when the trace had nothing
 * for it, so a PI-only trace prints a PI report, not five empty ones.
 * Percentile columns say in the table note whether they are exact or
 * carry dist.h's bounded error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))

static double seconds(const struct xa_analysis *a)
{
    if (!a->cpu_hz || a->last_tsc <= a->first_tsc)
        return 0.0;
    return (double)(a->last_tsc - a->first_tsc) / (double)a->cpu_hz;
}

/* Events per second, or NULL when time is unknown. */
static struct xa_cell rate(const struct xa_analysis *a, uint64_t n)
{
    double s = seconds(a);

    return s > 0 ? cell_f((double)n / s) : cell_null();
}

static struct xa_cell share(uint64_t part, uint64_t whole)
{
    return whole ? cell_f(100.0 * (double)part / (double)whole) : cell_null();
}

static struct xa_cell at(const struct xa_analysis *a, uint64_t tsc)
{
    return cell_u(xa_tsc_to_rel(a, tsc));
}

static void pct_note(char *buf, size_t len, const char *what, int exact)
{
    if (exact)
        snprintf(buf, len, "%s; percentiles exact (nearest rank over every "
                 "sample)", what);
    else
        snprintf(buf, len, "%s; percentiles within %.2f%% of the true value "
                 "(more samples than the %u-sample budget: log-linear "
                 "buckets)", what, XA_DIST_REL_ERROR * 100,
                 XA_DIST_EXACT_BUDGET);
}

void report_timebase(struct xa_out *o, const struct xa_analysis *a)
{
    switch (a->hz_source) {
    case XA_HZ_OPTION:
        if (a->trace_hz && a->trace_hz != a->option_hz)
            out_note(o, "time base: %llu Hz from --cpu-hz (the trace's "
                     "RUN_INFO says %llu Hz)",
                     (unsigned long long)a->option_hz,
                     (unsigned long long)a->trace_hz);
        else
            out_note(o, "time base: %llu Hz from --cpu-hz",
                     (unsigned long long)a->option_hz);
        break;
    case XA_HZ_TRACE:
        out_note(o, "time base: %llu Hz from the trace (RUN_INFO)",
                 (unsigned long long)a->cpu_hz);
        break;
    default:
        out_note(o, "time base: unknown (no RUN_INFO record and no "
                 "--cpu-hz): times are TSC ticks, rates are not given");
        break;
    }
}

static void overview(struct xa_out *o, const struct xa_analysis *a,
                     const struct xa_input_info *in)
{
    static const char *const cols[] = { "item", "value" };
    char buf[128];
    const struct xte_reader_stats *st = in->stats;

    out_table_begin(o, "overview", "Trace", NULL, NCOLS(cols), cols, 0);
#define ROW(k, c) do { struct xa_cell r_[2] = { cell_s(k), c }; out_row(o, r_); } while (0)
    ROW("file", cell_s(in->path));
    ROW("records", cell_u(a->records));
    if (st) {
        ROW("bytes", cell_u(st->bytes));
        ROW("cpu windows", cell_u(st->windows));
    }
    ROW("catalogue records", cell_u(a->catalogue_records));
    ROW("upstream records interpreted", cell_u(a->upstream_records));
    ROW("other records (counted, skipped)", cell_u(a->unknown_records));
    ROW("pcpus seen", cell_u(a->nr_pcpus));
    if (a->have_run_info) {
        ROW("pcpus (RUN_INFO)", cell_u(a->nr_pcpus_info));
        ROW("variant (RUN_INFO)",
            cell_s(a->variant == 0 ? "baseline" :
                   a->variant == 1 ? "optimized" : "other"));
        snprintf(buf, sizeof(buf), "0x%x", a->scenario);
        ROW("scenario (RUN_INFO)", cell_s(buf));
    }
    ROW("domains seen", cell_u(a->nr_domains));
    ROW("cpu_hz", a->cpu_hz ? cell_u(a->cpu_hz) : cell_null());
    ROW("cpu_hz source", cell_s(a->hz_source == XA_HZ_OPTION ? "--cpu-hz" :
                                a->hz_source == XA_HZ_TRACE ? "RUN_INFO" :
                                "none (TSC ticks)"));
    ROW("first tsc", cell_u(a->first_tsc));
    ROW("last tsc", cell_u(a->last_tsc));
    if (a->cpu_hz)
        ROW("duration ns", cell_u(xa_tsc_to_rel(a, a->last_tsc)));
    else
        ROW("duration ticks", cell_u(a->last_tsc - a->first_tsc));
    ROW("lost-record events", cell_u(a->lost_events));
    ROW("records lost", cell_u(a->lost_records));
    snprintf(buf, sizeof(buf), "time hidden by lost records %s",
             xa_time_unit(a));
    ROW(buf, cell_u(xa_ticks_to_ns(a, a->lost_hidden_ticks)));
    ROW("records older than an earlier one", cell_u(a->tsc_backwards));
    if (in->error)
        ROW("input error", cell_s(in->error));
#undef ROW
    out_table_end(o);
}

static void pcpus(struct xa_out *o, const struct xa_analysis *a)
{
    static const char *const cols[] = {
        "pcpu", "records", "lost_events", "lost_records", "lost_hidden",
        "vmentries", "vmexits", "runstate_changes",
    };
    char note[128];

    snprintf(note, sizeof(note), "lost_hidden: time the lost records span, "
             "in %s", xa_time_unit(a));
    out_table_begin(o, "pcpus", "Per pCPU", note, NCOLS(cols), cols, 0);
    for (unsigned int i = 0; i < a->nr_pcpus; i++) {
        const struct xa_pcpu *p = &a->pcpus[i];
        struct xa_cell r[NCOLS(cols)] = {
            cell_u(i), cell_u(p->records), cell_u(p->lost_events),
            cell_u(p->lost_records),
            cell_u(xa_ticks_to_ns(a, p->lost_hidden_ticks)),
            cell_u(p->vmentries), cell_u(p->vmexits),
            cell_u(p->runstate_changes),
        };

        if (p->seen || p->records)
            out_row(o, r);
    }
    out_table_end(o);
}

static void pi_tables(struct xa_out *o, struct xa_analysis *a)
{
    static const char *const cols[] = {
        "pcpu", "adds", "redirected", "dels", "len_now", "hwm", "hwm_at",
        "limit", "hwm_over_limit", "wakeups", "walk_avg", "walk_p50",
        "walk_p99", "walk_max",
    };
    static const char *const scols[] = { "from", "to", "max_len", "pcpu" };
    static const char *const hcols[] = { "walked_from", "walked_to", "wakeups" };
    uint64_t total = 0;
    int exact = dist_is_exact(&a->pi_walk_all);
    char note[512], what[160];

    for (unsigned int i = 0; i < a->nr_pcpus; i++)
        total += a->pcpus[i].pi_adds + a->pcpus[i].pi_wakeups +
                 a->pcpus[i].pi_dels;
    if (!total && !a->have_pi_limit)
        return;
    for (unsigned int i = 0; i < a->nr_pcpus; i++)
        exact &= dist_is_exact(&a->pcpus[i].pi_walk);
    snprintf(what, sizeof(what), "limit 0 = unbounded; hwm_at in %s since "
             "the first record; walk = entries walked per wakeup interrupt",
             xa_time_unit(a));
    pct_note(note, sizeof(note), what, exact);
    out_table_begin(o, "pi_pcpu", "PI blocking lists per pCPU", note,
                    NCOLS(cols), cols, 0);
    for (unsigned int i = 0; i < a->nr_pcpus; i++) {
        struct xa_pcpu *p = &a->pcpus[i];

        if (!p->pi_adds && !p->pi_wakeups && !p->pi_dels)
            continue;
        struct xa_cell r[NCOLS(cols)] = {
            cell_u(i), cell_u(p->pi_adds), cell_u(p->pi_adds_redirected),
            cell_u(p->pi_dels), cell_u(p->pi_len), cell_u(p->pi_hwm),
            p->pi_hwm ? at(a, p->pi_hwm_tsc) : cell_null(),
            cell_u(p->pi_limit),
            p->pi_limit ? cell_u(p->pi_hwm > p->pi_limit ?
                                 p->pi_hwm - p->pi_limit : 0) : cell_null(),
            cell_u(p->pi_wakeups),
            p->pi_wakeups ? cell_f(dist_mean(&p->pi_walk)) : cell_null(),
            p->pi_wakeups ? cell_u(dist_percentile(&p->pi_walk, 50)) : cell_null(),
            p->pi_wakeups ? cell_u(dist_percentile(&p->pi_walk, 99)) : cell_null(),
            p->pi_wakeups ? cell_u(p->pi_walk.max) : cell_null(),
        };
        out_row(o, r);
    }
    out_table_end(o);

    if (a->have_pi_limit)
        out_note(o, "PI limit (last PI_LIMIT): %llu entries = %llu HVM "
                 "vCPUs / %llu online pCPUs + slack %llu (%llu changes)",
                 (unsigned long long)a->pi_limit,
                 (unsigned long long)a->pi_hvm_vcpus,
                 (unsigned long long)a->pi_online_pcpus,
                 (unsigned long long)a->pi_slack,
                 (unsigned long long)a->pi_limit_changes);
    if (a->pi_cpu_moves)
        out_note(o, "PI lists moved off offlined pCPUs: %llu times, %llu "
                 "vCPUs", (unsigned long long)a->pi_cpu_moves,
                 (unsigned long long)a->pi_moved);

    /* length over time: the longest list in each slot, and whose */
    snprintf(note, sizeof(note), "longest list in each of up to %u equal "
             "slots of the trace; from/to in %s", XA_SERIES_SLOTS,
             xa_time_unit(a));
    out_table_begin(o, "pi_series", "PI list length over time", note,
                    NCOLS(scols), scols, 0);
    for (unsigned int s = 0; s < a->series_used; s++) {
        uint64_t best = 0;
        unsigned int who = 0;

        for (unsigned int i = 0; i < a->nr_pcpus; i++)
            if (a->pcpus[i].pi_series[s] > best) {
                best = a->pcpus[i].pi_series[s];
                who = i;
            }
        struct xa_cell r[NCOLS(scols)] = {
            cell_u(xa_ticks_to_ns(a, s * a->series_slot_ticks)),
            cell_u(xa_ticks_to_ns(a, (s + 1) * a->series_slot_ticks)),
            cell_u(best), best ? cell_u(who) : cell_null(),
        };
        out_row(o, r);
    }
    out_table_end(o);

    if (!a->pi_walk_all.count)
        return;
    /* walk-length distribution, in the hypervisor's log2 buckets */
    {
        uint64_t b[XTE_HIST_BUCKETS] = { 0 };
        struct xa_dist *d = &a->pi_walk_all;

        if (dist_is_exact(d)) {
            for (uint64_t i = 0; i < d->count; i++)
                b[xte_hist_bucket(dist_sample(d, i))]++;
        } else {
            for (unsigned int k = 0; k < XA_DIST_NR_BUCKETS; k++)
                b[xte_hist_bucket(dist_bucket_value(k))] += d->hist[k];
        }
        out_table_begin(o, "pi_walk_hist", "PI wakeup walk length "
                        "distribution", "log2 buckets [from, to)",
                        NCOLS(hcols), hcols, 0);
        for (unsigned int k = 0; k < XTE_HIST_BUCKETS; k++) {
            if (!b[k])
                continue;
            struct xa_cell r[NCOLS(hcols)] = {
                cell_u(xte_hist_bucket_low(k)),
                k + 1 < XTE_HIST_BUCKETS ? cell_u(xte_hist_bucket_high(k))
                                         : cell_s("inf"),
                cell_u(b[k]),
            };
            out_row(o, r);
        }
        out_table_end(o);
    }
}

static void dpci_tables(struct xa_out *o, struct xa_analysis *a)
{
    static const char *const pcols[] = {
        "pcpu", "scheduled", "runs", "runs_per_s", "softirqs",
        "softirqs_per_s", "batch_avg", "batch_p50", "batch_p99", "batch_max",
        "lat_p50_ns", "lat_p90_ns", "lat_p99_ns", "lat_max_ns",
        "lock_waits", "lock_wait_ns", "lock_wait_max_ns",
    };
    static const char *const dcols[] = {
        "domid", "scheduled", "runs", "runs_per_s", "lat_p50_ns",
        "lat_p90_ns", "lat_p99_ns", "lat_max_ns", "teardown_eagain",
    };
    uint64_t total = 0;
    int exact = 1;
    char note[512];

    for (unsigned int i = 0; i < a->nr_pcpus; i++) {
        struct xa_pcpu *p = &a->pcpus[i];

        total += p->dpci_scheduled + p->dpci_runs + p->dpci_batches +
                 p->dpci_lock_waits;
        exact &= dist_is_exact(&p->dpci_latency) &&
                 dist_is_exact(&p->dpci_batch);
    }
    if (!total)
        return;
    pct_note(note, sizeof(note), "softirqs = dpci softirq (or tasklet) "
             "passes; batch = items per pass; lat = schedule-to-run", exact);
    out_table_begin(o, "dpci_pcpu", "dpci per pCPU", note, NCOLS(pcols),
                    pcols, 0);
    for (unsigned int i = 0; i < a->nr_pcpus; i++) {
        struct xa_pcpu *p = &a->pcpus[i];
        int r_ = p->dpci_runs != 0, b_ = p->dpci_batches != 0;

        if (!p->dpci_scheduled && !p->dpci_runs && !p->dpci_batches &&
            !p->dpci_lock_waits)
            continue;
        struct xa_cell r[NCOLS(pcols)] = {
            cell_u(i), cell_u(p->dpci_scheduled), cell_u(p->dpci_runs),
            rate(a, p->dpci_runs), cell_u(p->dpci_batches),
            rate(a, p->dpci_batches),
            b_ ? cell_f(dist_mean(&p->dpci_batch)) : cell_null(),
            b_ ? cell_u(dist_percentile(&p->dpci_batch, 50)) : cell_null(),
            b_ ? cell_u(dist_percentile(&p->dpci_batch, 99)) : cell_null(),
            b_ ? cell_u(p->dpci_batch.max) : cell_null(),
            r_ ? cell_u(dist_percentile(&p->dpci_latency, 50)) : cell_null(),
            r_ ? cell_u(dist_percentile(&p->dpci_latency, 90)) : cell_null(),
            r_ ? cell_u(dist_percentile(&p->dpci_latency, 99)) : cell_null(),
            r_ ? cell_u(p->dpci_latency.max) : cell_null(),
            cell_u(p->dpci_lock_waits), cell_u(p->dpci_lock_wait_ns),
            cell_u(p->dpci_lock_wait_max),
        };
        out_row(o, r);
    }
    out_table_end(o);

    exact = 1;
    for (unsigned int i = 0; i < a->nr_domains; i++)
        exact &= dist_is_exact(&a->domains[i].dpci_latency);
    pct_note(note, sizeof(note), "lat = schedule-to-run latency", exact);
    out_table_begin(o, "dpci_domain", "dpci per domain", note, NCOLS(dcols),
                    dcols, 0);
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        struct xa_domain *d = &a->domains[i];
        int r_ = d->dpci_runs != 0;

        if (!d->dpci_scheduled && !d->dpci_runs && !d->dpci_teardown_eagain)
            continue;
        struct xa_cell r[NCOLS(dcols)] = {
            d->domid == XA_DOMID_OTHER ? cell_s("other") : cell_u(d->domid),
            cell_u(d->dpci_scheduled), cell_u(d->dpci_runs),
            rate(a, d->dpci_runs),
            r_ ? cell_u(dist_percentile(&d->dpci_latency, 50)) : cell_null(),
            r_ ? cell_u(dist_percentile(&d->dpci_latency, 90)) : cell_null(),
            r_ ? cell_u(dist_percentile(&d->dpci_latency, 99)) : cell_null(),
            r_ ? cell_u(d->dpci_latency.max) : cell_null(),
            cell_u(d->dpci_teardown_eagain),
        };
        out_row(o, r);
    }
    out_table_end(o);
}

static struct xa_cell domid_cell(const struct xa_domain *d)
{
    return d->domid == XA_DOMID_OTHER ? cell_s("other") : cell_u(d->domid);
}

static void maptrack_table(struct xa_out *o, const struct xa_analysis *a)
{
    static const char *const cols[] = {
        "domid", "vcpus", "frames", "frames_max", "limit", "use_pct",
        "in_use", "in_use_max", "grows", "steals", "exhausted",
        "first_exhausted_at",
    };
    int any = 0;
    char note[160];

    for (unsigned int i = 0; i < a->nr_domains; i++)
        any |= a->domains[i].mt_grows || a->domains[i].mt_steals ||
               a->domains[i].mt_exhausted;
    if (!any)
        return;
    snprintf(note, sizeof(note), "frames and limit in maptrack frames; "
             "use_pct = frames_max / limit; times in %s", xa_time_unit(a));
    out_table_begin(o, "maptrack_domain", "Maptrack per domain", note,
                    NCOLS(cols), cols, 0);
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        const struct xa_domain *d = &a->domains[i];

        if (!d->mt_grows && !d->mt_steals && !d->mt_exhausted)
            continue;
        struct xa_cell r[NCOLS(cols)] = {
            domid_cell(d),
            d->have_info ? cell_u(d->nr_vcpus) : cell_u(d->vcpus_seen),
            cell_u(d->mt_frames), cell_u(d->mt_frames_max),
            d->mt_limit ? cell_u(d->mt_limit) : cell_null(),
            share(d->mt_frames_max, d->mt_limit),
            cell_u(d->mt_in_use), cell_u(d->mt_in_use_max),
            cell_u(d->mt_grows), cell_u(d->mt_steals),
            cell_u(d->mt_exhausted),
            d->mt_exhausted ? at(a, d->mt_first_exhausted_tsc) : cell_null(),
        };
        out_row(o, r);
    }
    out_table_end(o);
}

static void ept_table(struct xa_out *o, struct xa_analysis *a)
{
    static const char *const cols[] = {
        "domid", "flushes", "lat_p50_ns", "lat_p90_ns", "lat_p99_ns",
        "lat_max_ns", "ipis_per_flush", "sync", "deferred", "deferred_pct",
        "coalesced", "coalesced_pct", "vmenter_marked", "read_waits",
        "read_wait_max_ns",
    };
    int any = 0, exact = 1;
    char note[512];

    for (unsigned int i = 0; i < a->nr_domains; i++) {
        any |= a->domains[i].ept_flushes || a->domains[i].ept_read_waits;
        exact &= dist_is_exact(&a->domains[i].ept_latency);
    }
    if (!any)
        return;
    pct_note(note, sizeof(note), "lat = request-to-completion; coalesced = "
             "requests folded into another flush, coalesced_pct of all "
             "requests (flushes + coalesced)", exact);
    out_table_begin(o, "ept_domain", "EPT flushes per domain", note,
                    NCOLS(cols), cols, 0);
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        struct xa_domain *d = &a->domains[i];
        int f = d->ept_flushes != 0;

        if (!d->ept_flushes && !d->ept_read_waits)
            continue;
        struct xa_cell r[NCOLS(cols)] = {
            domid_cell(d), cell_u(d->ept_flushes),
            f ? cell_u(dist_percentile(&d->ept_latency, 50)) : cell_null(),
            f ? cell_u(dist_percentile(&d->ept_latency, 90)) : cell_null(),
            f ? cell_u(dist_percentile(&d->ept_latency, 99)) : cell_null(),
            f ? cell_u(d->ept_latency.max) : cell_null(),
            f ? cell_f((double)d->ept_ipis / (double)d->ept_flushes)
              : cell_null(),
            cell_u(d->ept_sync), cell_u(d->ept_deferred),
            share(d->ept_deferred, d->ept_flushes),
            cell_u(d->ept_coalesced),
            share(d->ept_coalesced, d->ept_flushes + d->ept_coalesced),
            cell_u(d->ept_marked), cell_u(d->ept_read_waits),
            cell_u(d->ept_read_wait_max),
        };
        out_row(o, r);
    }
    out_table_end(o);
}

static void msix_table(struct xa_out *o, const struct xa_analysis *a)
{
    static const char *const cols[] = {
        "domid", "reads_emulated", "reads_forwarded", "writes_forwarded",
        "emulated_pct", "forwarded_reads_per_s",
    };
    int any = 0;

    for (unsigned int i = 0; i < a->nr_domains; i++)
        any |= a->domains[i].msix_reads_emulated ||
               a->domains[i].msix_reads_forwarded ||
               a->domains[i].msix_writes_forwarded;
    if (!any)
        return;
    out_table_begin(o, "msix_domain", "MSI-X table accesses per domain",
                    "emulated: answered by the hypervisor; forwarded: sent "
                    "to the device model in dom0", NCOLS(cols), cols, 0);
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        const struct xa_domain *d = &a->domains[i];
        uint64_t reads = d->msix_reads_emulated + d->msix_reads_forwarded;

        if (!reads && !d->msix_writes_forwarded)
            continue;
        struct xa_cell r[NCOLS(cols)] = {
            domid_cell(d), cell_u(d->msix_reads_emulated),
            cell_u(d->msix_reads_forwarded),
            cell_u(d->msix_writes_forwarded),
            share(d->msix_reads_emulated, reads),
            rate(a, d->msix_reads_forwarded),
        };
        out_row(o, r);
    }
    out_table_end(o);
}

static void domains_table(struct xa_out *o, const struct xa_analysis *a)
{
    static const char *const cols[] = {
        "domid", "nr_vcpus", "vcpus_seen", "hvm", "maptrack_limit",
        "created_at", "destroyed_at", "first_seen_at", "vmexits",
        "runstate_changes",
    };
    char note[96];

    if (!a->nr_domains)
        return;
    snprintf(note, sizeof(note), "times in %s since the first record",
             xa_time_unit(a));
    out_table_begin(o, "domains", "Domains", note, NCOLS(cols), cols, 0);
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        const struct xa_domain *d = &a->domains[i];
        struct xa_cell r[NCOLS(cols)] = {
            domid_cell(d),
            d->have_info ? cell_u(d->nr_vcpus) : cell_null(),
            cell_u(d->vcpus_seen),
            d->have_info ? cell_u(d->is_hvm) : cell_null(),
            d->have_info ? cell_u(d->maptrack_limit) : cell_null(),
            d->created ? at(a, d->created_tsc) : cell_null(),
            d->destroyed ? at(a, d->destroyed_tsc) : cell_null(),
            at(a, d->first_tsc),
            cell_u(d->vmexits), cell_u(d->runstate_changes),
        };
        out_row(o, r);
    }
    out_table_end(o);
    if (a->domains_folded)
        out_note(o, "more than %u domains: the rest are counted as 'other'",
                 XA_MAX_DOMAINS);
}

static int cmp_event(const void *x, const void *y)
{
    const struct xa_event_count *a = x, *b = y;

    return a->event < b->event ? -1 : a->event > b->event;
}

static void events_table(struct xa_out *o, const struct xa_analysis *a)
{
    static const char *const cols[] = { "event", "name", "count", "handling" };
    struct xa_event_count sorted[XA_MAX_EVENT_IDS];
    unsigned int n = 0;
    char id[16];

    out_table_begin(o, "events", "Events", "catalogue events by name; every "
                    "other event id counted", NCOLS(cols), cols, 0);
    for (unsigned int e = 0; e < XTE_NR_EVENTS; e++) {
        if (!a->by_catalogue_event[e])
            continue;
        snprintf(id, sizeof(id), "0x%08x", xte_events[e].id);
        struct xa_cell r[NCOLS(cols)] = {
            cell_s(id), cell_s(xte_events[e].name),
            cell_u(a->by_catalogue_event[e]), cell_s("catalogue"),
        };
        out_row(o, r);
    }
    for (unsigned int i = 0; i < XA_MAX_EVENT_IDS * 2; i++)
        if (a->event_ids[i].count)
            sorted[n++] = a->event_ids[i];
    qsort(sorted, n, sizeof(sorted[0]), cmp_event);
    for (unsigned int i = 0; i < n; i++) {
        const char *name = xte_upstream_event_name(sorted[i].event);

        if (!name && xa_is_runstate_change(sorted[i].event))
            name = "TRC_SCHED_RUNSTATE_CHANGE";

        snprintf(id, sizeof(id), "0x%08x", sorted[i].event);
        struct xa_cell r[NCOLS(cols)] = {
            cell_s(id), name ? cell_s(name) : cell_null(),
            cell_u(sorted[i].count),
            cell_s(xa_event_is_interpreted(sorted[i].event) ? "context"
                                                            : "skipped"),
        };
        out_row(o, r);
    }
    out_table_end(o);
    if (a->event_ids_folded)
        out_note(o, "%llu records of more than %u distinct event ids were "
                 "counted only in the total",
                 (unsigned long long)a->event_ids_folded, XA_MAX_EVENT_IDS);
}

void report_summary(struct xa_out *o, struct xa_analysis *a,
                    const struct xa_input_info *in)
{
    xa_sort_domains(a);
    report_timebase(o, a);
    overview(o, a, in);
    pcpus(o, a);
    domains_table(o, a);
    pi_tables(o, a);
    dpci_tables(o, a);
    maptrack_table(o, a);
    ept_table(o, a);
    msix_table(o, a);
    events_table(o, a);
}

/* ---- --interval --------------------------------------------------------- */

static const char *const iv_cols[] = {
    "t_ns", "t_s", "records", "pi_adds", "pi_redirected", "pi_max_len",
    "pi_wakeups", "pi_max_walk", "dpci_runs", "dpci_max_lat_ns",
    "mt_grows", "mt_steals", "mt_exhausted", "ept_flushes",
    "ept_max_lat_ns", "ept_ipis", "msix_fwd_reads", "msix_emul_reads",
    "lost",
};

void report_interval_begin(struct xa_out *o, const struct xa_analysis *a)
{
    char note[160];

    snprintf(note, sizeof(note), "one row per %.6g s interval (t_ns, t_s: its "
             "start); *_max_* are maxima within the interval",
             (double)a->interval_ns / 1e9);
    out_table_begin(o, "interval", "Interval series", note, NCOLS(iv_cols),
                    iv_cols, 1);
}

void report_interval_row(const struct xa_interval *iv, void *arg)
{
    struct xa_out *o = arg;
    char t_s[32];

    snprintf(t_s, sizeof(t_s), "%.9f", (double)iv->t0_ns / 1e9);
    struct xa_cell r[NCOLS(iv_cols)] = {
        cell_u(iv->t0_ns), cell_s(t_s), cell_u(iv->records),
        cell_u(iv->pi_adds), cell_u(iv->pi_redirected),
        cell_u(iv->pi_max_len), cell_u(iv->pi_wakeups),
        cell_u(iv->pi_max_walk), cell_u(iv->dpci_runs),
        cell_u(iv->dpci_max_latency), cell_u(iv->mt_grows),
        cell_u(iv->mt_steals), cell_u(iv->mt_exhausted),
        cell_u(iv->ept_flushes), cell_u(iv->ept_max_latency),
        cell_u(iv->ept_ipis), cell_u(iv->msix_reads_forwarded),
        cell_u(iv->msix_reads_emulated), cell_u(iv->lost_records),
    };

    out_row(o, r);
}

void report_interval_end(struct xa_out *o)
{
    out_table_end(o);
}
