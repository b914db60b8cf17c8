/*
 * recommend.c - turn observations into tunable changes.
 *
 * The tunables (see the hv/ fixes):
 *   pi_list_policy = baseline | bounded, pi_list_slack = N
 *       bounded keeps each pCPU's PI blocking list at or below
 *       HVM vCPUs / online pCPUs + pi_list_slack entries;
 *   gnttab_max_maptrack_frames = N   maptrack frames per vCPU;
 *   ept_flush_policy = sync | deferred.
 * Each is a boot parameter and a runtime one under hypfs /params/.
 *
 * The rules are deliberately simple and spelled out in the finding text,
 * so that the advice can be checked against the report by hand.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recommend.h"

static struct xa_rec *next(struct xa_rec *out, unsigned int *n,
                           unsigned int max, const char *sub,
                           enum xa_rec_action act)
{
    struct xa_rec *r;

    if (*n >= max)
        return NULL;
    r = &out[(*n)++];
    memset(r, 0, sizeof(*r));
    r->subsystem = sub;
    r->action = act;
    return r;
}

/* Average HVM vCPUs per pCPU: PI_LIMIT's inputs, else DOMAIN_INFO. */
static double pi_average(const struct xa_analysis *a, uint64_t *pcpus_out,
                         char *how, size_t len)
{
    uint64_t vcpus = 0, pcpus;

    if (a->have_pi_limit && a->pi_online_pcpus) {
        snprintf(how, len, "%llu HVM vCPUs / %llu pCPUs (PI_LIMIT)",
                 (unsigned long long)a->pi_hvm_vcpus,
                 (unsigned long long)a->pi_online_pcpus);
        *pcpus_out = a->pi_online_pcpus;
        return (double)a->pi_hvm_vcpus / (double)a->pi_online_pcpus;
    }
    for (unsigned int i = 0; i < a->nr_domains; i++)
        if (a->domains[i].have_info && a->domains[i].is_hvm)
            vcpus += a->domains[i].nr_vcpus;
    pcpus = a->have_run_info ? a->nr_pcpus_info : 0;
    if (!vcpus || !pcpus)
        return -1;
    snprintf(how, len, "%llu HVM vCPUs / %llu pCPUs (DOMAIN_INFO, RUN_INFO)",
             (unsigned long long)vcpus, (unsigned long long)pcpus);
    *pcpus_out = pcpus;
    return (double)vcpus / (double)pcpus;
}

/*
 * The slack to propose: a quarter of the average list, at least
 * XA_PI_MIN_SLACK.  A bounded list is walked at most average + slack
 * entries deep; a quarter leaves room for ordinary imbalance (a vCPU
 * blocking where it ran) while keeping the walk near the average.
 */
static uint64_t pi_slack_for(double avg)
{
    uint64_t q = (uint64_t)ceil(avg / 4);

    return q < XA_PI_MIN_SLACK ? XA_PI_MIN_SLACK : q;
}

static void recommend_pi(struct xa_analysis *a, struct xa_rec *out,
                         unsigned int *n, unsigned int max)
{
    uint64_t adds = 0, redirected = 0, hwm = 0, limit = 0, pcpus = 0;
    unsigned int hwm_cpu = 0, sources = 0;
    char how[96];
    double avg;
    struct xa_rec *r;

    for (unsigned int i = 0; i < a->nr_pcpus; i++) {
        const struct xa_pcpu *p = &a->pcpus[i];

        if (!p->pi_adds)
            continue;
        adds += p->pi_adds;
        redirected += p->pi_adds_redirected;
        if (p->pi_hwm > hwm) {
            hwm = p->pi_hwm;
            hwm_cpu = i;
        }
        if (p->pi_limit)
            limit = p->pi_limit;
    }
    if (!adds)
        return;
    if (a->have_pi_limit)
        limit = a->pi_limit;
    avg = pi_average(a, &pcpus, how, sizeof(how));

    if (!limit) {
        /* baseline: lists unbounded */
        uint64_t slack, bound;

        if (avg < 0) {
            r = next(out, n, max, "pi", XA_REC_NOTE);
            if (r)
                snprintf(r->finding, sizeof(r->finding),
                         "PI lists are unbounded (baseline); the longest "
                         "reached %llu entries on pCPU %u, but the trace "
                         "has no PI_LIMIT or DOMAIN_INFO/RUN_INFO to tell "
                         "the average per pCPU: no slack can be derived",
                         (unsigned long long)hwm, hwm_cpu);
            return;
        }
        slack = pi_slack_for(avg);
        bound = (uint64_t)ceil(avg) + slack;
        if (hwm <= bound) {
            r = next(out, n, max, "pi", XA_REC_KEEP);
            if (r)
                snprintf(r->finding, sizeof(r->finding),
                         "PI lists are unbounded (baseline) but stayed "
                         "short: longest %llu entries (pCPU %u), within "
                         "the average %.1f (%s) plus a slack of %llu",
                         (unsigned long long)hwm, hwm_cpu, avg, how,
                         (unsigned long long)slack);
            return;
        }
        r = next(out, n, max, "pi", XA_REC_CHANGE);
        if (!r)
            return;
        snprintf(r->finding, sizeof(r->finding),
                 "PI lists are unbounded (baseline): the longest reached "
                 "%llu entries on pCPU %u, %.1fx the average of %.1f (%s), "
                 "and wakeup interrupts walked up to %llu entries (p99 "
                 "%llu) with interrupts off.  Bound each list at the "
                 "average plus a slack of %llu (a quarter of the average, "
                 "at least %u): no walk longer than %llu entries",
                 (unsigned long long)hwm, hwm_cpu, (double)hwm / avg, avg,
                 how, (unsigned long long)a->pi_walk_all.max,
                 (unsigned long long)dist_percentile(&a->pi_walk_all, 99),
                 (unsigned long long)slack, XA_PI_MIN_SLACK,
                 (unsigned long long)bound);
        snprintf(r->boot, sizeof(r->boot),
                 "pi_list_policy=bounded pi_list_slack=%llu",
                 (unsigned long long)slack);
        snprintf(r->runtime, sizeof(r->runtime),
                 "xenhypfs write /params/pi_list_policy bounded; "
                 "xenhypfs write /params/pi_list_slack %llu",
                 (unsigned long long)slack);
        return;
    }

    /*
     * bounded.  A redirect is the bound at work: a vCPU blocking on a pCPU
     * whose list is full goes on another's.  When the redirects come from
     * a few pCPUs, that is the imbalance the bound is for (seed 000: every
     * vCPU blocking from one pCPU); when most pCPUs overflow, the slack is
     * too small for the host's ordinary imbalance and vCPUs are woken from
     * far away for no gain.
     */
    for (unsigned int i = 0; i < a->nr_pcpus; i++)
        if (a->pcpus[i].pi_redirected_away)
            sources++;
    if (!pcpus)
        pcpus = a->have_run_info ? a->nr_pcpus_info : a->nr_pcpus;
    {
        double pct = 100.0 * (double)redirected / (double)adds;
        double spread = pcpus ? 100.0 * sources / (double)pcpus : 0;
        uint64_t slack = a->have_pi_limit ? a->pi_slack
                       : avg >= 0 && limit > ceil(avg)
                           ? limit - (uint64_t)ceil(avg) : 0;
        uint64_t want = slack < XA_PI_MIN_SLACK ? XA_PI_MIN_SLACK * 2
                                                 : slack * 2;

        if (spread <= XA_PI_SPREAD_PCT) {
            r = next(out, n, max, "pi", XA_REC_KEEP);
            if (r)
                snprintf(r->finding, sizeof(r->finding),
                         "PI lists are bounded at %llu entries (slack "
                         "%llu): the longest wakeup walk was %llu entries; "
                         "%.1f%% of %llu adds were redirected, from %u of "
                         "%llu pCPUs (threshold %.0f%%): the imbalance the "
                         "bound is there for",
                         (unsigned long long)limit, (unsigned long long)slack,
                         (unsigned long long)a->pi_walk_all.max, pct,
                         (unsigned long long)adds, sources,
                         (unsigned long long)pcpus, XA_PI_SPREAD_PCT);
            return;
        }
        r = next(out, n, max, "pi", XA_REC_CHANGE);
        if (!r)
            return;
        snprintf(r->finding, sizeof(r->finding),
                 "PI lists are bounded at %llu entries (slack %llu) and "
                 "%u of %llu pCPUs (%.0f%%, above %.0f%%) overflowed "
                 "theirs: %.1f%% of %llu adds (%llu) went to another "
                 "pCPU's list.  Raise the slack to %llu (a walk of at most "
                 "%llu entries)",
                 (unsigned long long)limit, (unsigned long long)slack,
                 sources, (unsigned long long)pcpus, spread,
                 XA_PI_SPREAD_PCT, pct, (unsigned long long)adds,
                 (unsigned long long)redirected, (unsigned long long)want,
                 (unsigned long long)(limit - slack + want));
        snprintf(r->boot, sizeof(r->boot),
                 "pi_list_policy=bounded pi_list_slack=%llu",
                 (unsigned long long)want);
        snprintf(r->runtime, sizeof(r->runtime),
                 "xenhypfs write /params/pi_list_slack %llu",
                 (unsigned long long)want);
    }
}

static uint64_t pow2_at_least(uint64_t v)
{
    uint64_t p = 1;

    while (p < v)
        p <<= 1;
    return p;
}

static void recommend_maptrack(struct xa_analysis *a, struct xa_rec *out,
                               unsigned int *n, unsigned int max)
{
    uint64_t want = 0;
    const struct xa_domain *worst = NULL;
    int any = 0;
    struct xa_rec *r;

    for (unsigned int i = 0; i < a->nr_domains; i++) {
        const struct xa_domain *d = &a->domains[i];
        uint64_t vcpus = d->have_info && d->nr_vcpus ? d->nr_vcpus
                       : d->vcpus_seen ? d->vcpus_seen : 1;
        uint64_t per_vcpu, w = 0;
        double use;

        if (!d->mt_grows && !d->mt_steals && !d->mt_exhausted)
            continue;
        any = 1;
        use = d->mt_limit ? 100.0 * (double)d->mt_frames_max /
                            (double)d->mt_limit : 0;
        per_vcpu = d->mt_limit ? (d->mt_limit + vcpus - 1) / vcpus : 0;
        if (d->mt_exhausted)
            w = pow2_at_least(2 * (per_vcpu ? per_vcpu : 1));
        else if (use >= XA_MAPTRACK_NEAR_PCT)
            w = pow2_at_least((uint64_t)ceil(1.5 *
                              (double)d->mt_frames_max / (double)vcpus));
        if (w > want) {
            want = w;
            worst = d;
        }
    }
    if (!any)
        return;
    if (!worst) {
        r = next(out, n, max, "maptrack", XA_REC_KEEP);
        if (r)
            snprintf(r->finding, sizeof(r->finding),
                     "no domain ran out of maptrack handles or came within "
                     "%.0f%% of its frame limit", XA_MAPTRACK_NEAR_PCT);
        return;
    }
    r = next(out, n, max, "maptrack", XA_REC_CHANGE);
    if (!r)
        return;
    {
        const struct xa_domain *d = worst;
        uint64_t vcpus = d->have_info && d->nr_vcpus ? d->nr_vcpus
                       : d->vcpus_seen ? d->vcpus_seen : 1;

        snprintf(r->finding, sizeof(r->finding),
                 "domain %u %s: %llu grant maps failed for want of a handle, "
                 "%llu handles stolen between vCPUs, frames peaked at %llu "
                 "of a %llu-frame limit (%llu vCPUs, %llu handles in use at "
                 "most).  Allow %llu maptrack frames per vCPU (%s, rounded "
                 "up to a power of two); it applies to domains created "
                 "after the change",
                 d->domid, d->mt_exhausted ? "ran out of maptrack handles"
                                           : "is close to its maptrack limit",
                 (unsigned long long)d->mt_exhausted,
                 (unsigned long long)d->mt_steals,
                 (unsigned long long)d->mt_frames_max,
                 (unsigned long long)d->mt_limit,
                 (unsigned long long)vcpus,
                 (unsigned long long)d->mt_in_use_max,
                 (unsigned long long)want,
                 d->mt_exhausted ? "twice the current per-vCPU share"
                                 : "1.5x the peak per vCPU");
    }
    snprintf(r->boot, sizeof(r->boot), "gnttab_max_maptrack_frames=%llu",
             (unsigned long long)want);
    snprintf(r->runtime, sizeof(r->runtime),
             "xenhypfs write /params/gnttab_max_maptrack_frames %llu",
             (unsigned long long)want);
}

static void recommend_ept(struct xa_analysis *a, struct xa_rec *out,
                          unsigned int *n, unsigned int max)
{
    struct xa_domain *worst = NULL;
    uint64_t worst_p99 = 0, flushes = 0, sync = 0, deferred = 0;
    struct xa_rec *r;

    for (unsigned int i = 0; i < a->nr_domains; i++) {
        struct xa_domain *d = &a->domains[i];
        uint64_t p99;

        if (!d->ept_flushes)
            continue;
        flushes += d->ept_flushes;
        sync += d->ept_sync;
        deferred += d->ept_deferred;
        p99 = dist_percentile(&d->ept_latency, 99);
        if (d->ept_sync && p99 > worst_p99) {
            worst_p99 = p99;
            worst = d;
        }
    }
    if (!flushes)
        return;
    if (sync * 2 > flushes && worst && worst_p99 > XA_EPT_SLOW_NS) {
        r = next(out, n, max, "ept", XA_REC_CHANGE);
        if (!r)
            return;
        snprintf(r->finding, sizeof(r->finding),
                 "%llu of %llu EPT flushes were synchronous; domain %u's "
                 "p99 flush latency is %llu ns (max %llu ns, %.1f IPIs per "
                 "flush), above %u ns, and %llu p2m read-lock waits of it "
                 "took up to %llu ns.  Defer the invalidations to the write "
                 "lock's release",
                 (unsigned long long)sync, (unsigned long long)flushes,
                 worst->domid, (unsigned long long)worst_p99,
                 (unsigned long long)worst->ept_latency.max,
                 (double)worst->ept_ipis / (double)worst->ept_flushes,
                 XA_EPT_SLOW_NS, (unsigned long long)worst->ept_read_waits,
                 (unsigned long long)worst->ept_read_wait_max);
        snprintf(r->boot, sizeof(r->boot), "ept_flush_policy=deferred");
        snprintf(r->runtime, sizeof(r->runtime),
                 "xenhypfs write /params/ept_flush_policy deferred");
        return;
    }
    r = next(out, n, max, "ept", XA_REC_KEEP);
    if (r)
        snprintf(r->finding, sizeof(r->finding),
                 "%llu EPT flushes, %llu synchronous, %llu deferred; no "
                 "domain with synchronous flushes has a p99 above %u ns",
                 (unsigned long long)flushes, (unsigned long long)sync,
                 (unsigned long long)deferred, XA_EPT_SLOW_NS);
}

/* No tunable: say what the data shows and which fix addresses it. */
static void notes_dpci_msix(struct xa_analysis *a, struct xa_rec *out,
                            unsigned int *n, unsigned int max)
{
    uint64_t waits = 0, wait_ns = 0, fwd = 0, emu = 0;
    struct xa_rec *r;

    for (unsigned int i = 0; i < a->nr_pcpus; i++) {
        waits += a->pcpus[i].dpci_lock_waits;
        wait_ns += a->pcpus[i].dpci_lock_wait_ns;
    }
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        fwd += a->domains[i].msix_reads_forwarded;
        emu += a->domains[i].msix_reads_emulated;
    }
    if (waits && (r = next(out, n, max, "dpci", XA_REC_NOTE)))
        snprintf(r->finding, sizeof(r->finding),
                 "%llu waits for the global tasklet lock, %llu ns in all. "
                 "Timer VIRQs and other tasklets always take it; "
                 "passthrough interrupts take it only on the pre-fix "
                 "tasklet path, which the per-CPU dpci softirq fix "
                 "removes (no tunable)",
                 (unsigned long long)waits, (unsigned long long)wait_ns);
    if (fwd && (r = next(out, n, max, "msix", XA_REC_NOTE)))
        snprintf(r->finding, sizeof(r->finding),
                 "%llu MSI-X table reads went to the device model in dom0 "
                 "(%llu answered by the hypervisor): the MSI-X read "
                 "emulation fix answers them in Xen (no tunable)",
                 (unsigned long long)fwd, (unsigned long long)emu);
}

unsigned int recommend(struct xa_analysis *a, struct xa_rec *out,
                       unsigned int max)
{
    unsigned int n = 0;

    recommend_pi(a, out, &n, max);
    recommend_maptrack(a, out, &n, max);
    recommend_ept(a, out, &n, max);
    notes_dpci_msix(a, out, &n, max);
    return n;
}

static const char *action_name(enum xa_rec_action act)
{
    return act == XA_REC_CHANGE ? "change" : act == XA_REC_KEEP ? "keep"
                                                                : "note";
}

void recommend_print(struct xa_out *o, enum xa_format fmt,
                     const struct xa_rec *recs, unsigned int n)
{
    static const char *const cols[] = {
        "subsystem", "action", "finding", "boot_parameter", "runtime_command",
    };

    if (fmt != XA_FMT_TEXT) {
        out_table_begin(o, "recommendations", "Recommendations", NULL, 5,
                        cols, 0);
        for (unsigned int i = 0; i < n; i++) {
            struct xa_cell r[5] = {
                cell_s(recs[i].subsystem), cell_s(action_name(recs[i].action)),
                cell_s(recs[i].finding),
                recs[i].boot[0] ? cell_s(recs[i].boot) : cell_null(),
                recs[i].runtime[0] ? cell_s(recs[i].runtime) : cell_null(),
            };
            out_row(o, r);
        }
        out_table_end(o);
        return;
    }
    out_note(o, "\nRecommendations\n---------------");
    if (!n)
        out_note(o, "(nothing to recommend: the trace has no PI, maptrack, "
                 "EPT, dpci or MSI-X events)");
    for (unsigned int i = 0; i < n; i++) {
        out_note(o, "%u. [%s] %s: %s.", i + 1, recs[i].subsystem,
                 action_name(recs[i].action), recs[i].finding);
        if (recs[i].boot[0])
            out_note(o, "   boot parameter:  %s", recs[i].boot);
        if (recs[i].runtime[0])
            out_note(o, "   at run time:     %s", recs[i].runtime);
    }
}
