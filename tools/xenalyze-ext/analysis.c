/*
 * analysis.c - the per-subsystem state machines behind every report.
 *
 * Fields are read by name through the catalogue (field_refs below, checked
 * once at start-up), never by a position written down here, so a field
 * added to catalogue.def cannot shift what the analyser reads.  A record
 * shorter than its catalogue entry reads the missing words as zero: a
 * trace from an older hypervisor still analyses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

/* ---- fields by name --------------------------------------------------- */

struct fref {
    unsigned int word;
    unsigned int wide;
};

#define FIELD_LIST                                                          \
    X(RUN_INFO, cpu_hz) X(RUN_INFO, nr_pcpus) X(RUN_INFO, variant)          \
    X(RUN_INFO, scenario)                                                   \
    X(DOMAIN_INFO, domid) X(DOMAIN_INFO, nr_vcpus) X(DOMAIN_INFO, is_hvm)   \
    X(DOMAIN_INFO, maptrack_limit)                                          \
    X(PI_LIST_ADD, domid) X(PI_LIST_ADD, vcpu) X(PI_LIST_ADD, pcpu)         \
    X(PI_LIST_ADD, len) X(PI_LIST_ADD, from_pcpu) X(PI_LIST_ADD, limit)     \
    X(PI_LIST_DEL, domid) X(PI_LIST_DEL, vcpu) X(PI_LIST_DEL, pcpu)         \
    X(PI_LIST_DEL, len)                                                     \
    X(PI_WAKEUP, pcpu) X(PI_WAKEUP, walked) X(PI_WAKEUP, woken)             \
    X(PI_SKIP_NO_IRTE, domid) X(PI_SKIP_NO_IRTE, vcpu)                      \
    X(PI_LIMIT, limit) X(PI_LIMIT, hvm_vcpus) X(PI_LIMIT, online_pcpus)     \
    X(PI_LIMIT, slack)                                                      \
    X(PI_CPU_MOVE, dead_pcpu) X(PI_CPU_MOVE, moved)                         \
    X(MSIX_FORWARD, domid) X(MSIX_FORWARD, is_write)                        \
    X(MSIX_EMULATED, domid)                                                 \
    X(DPCI_SCHEDULE, domid) X(DPCI_SCHEDULE, pcpu)                          \
    X(DPCI_RUN, domid) X(DPCI_RUN, pcpu) X(DPCI_RUN, latency)               \
    X(DPCI_BATCH, pcpu) X(DPCI_BATCH, items)                                \
    X(DPCI_LOCK_WAIT, pcpu) X(DPCI_LOCK_WAIT, wait)                         \
    X(DPCI_TEARDOWN_EAGAIN, domid)                                          \
    X(MAPTRACK_GROW, domid) X(MAPTRACK_GROW, vcpu) X(MAPTRACK_GROW, frames) \
    X(MAPTRACK_GROW, limit) X(MAPTRACK_GROW, in_use)                        \
    X(MAPTRACK_STEAL, domid) X(MAPTRACK_STEAL, vcpu)                        \
    X(MAPTRACK_STEAL, in_use)                                               \
    X(MAPTRACK_EXHAUSTED, domid) X(MAPTRACK_EXHAUSTED, vcpu)                \
    X(MAPTRACK_EXHAUSTED, frames) X(MAPTRACK_EXHAUSTED, in_use)             \
    X(EPT_FLUSH, domid) X(EPT_FLUSH, ipis) X(EPT_FLUSH, marked)             \
    X(EPT_FLUSH, coalesced) X(EPT_FLUSH, latency) X(EPT_FLUSH, sync)        \
    X(EPT_VMENTER_INVEPT, domid) X(EPT_VMENTER_INVEPT, pcpu)                \
    X(EPT_READ_WAIT, domid) X(EPT_READ_WAIT, wait)

#define X(ev, name) static struct fref f_##ev##_##name;
FIELD_LIST
#undef X

static const struct {
    enum xte_event_index ev;
    const char *name;
    struct fref *ref;
} field_refs[] = {
#define X(ev, name) { XTE_EV_##ev, #name, &f_##ev##_##name },
    FIELD_LIST
#undef X
};

static void resolve_fields(void)
{
    static int done;

    if (done)
        return;
    for (size_t i = 0; i < sizeof(field_refs) / sizeof(field_refs[0]); i++) {
        const struct xte_event_desc *ev = &xte_events[field_refs[i].ev];
        unsigned int k;

        for (k = 0; k < ev->nr_fields; k++)
            if (strcmp(ev->fields[k].name, field_refs[i].name) == 0)
                break;
        if (k == ev->nr_fields) {
            /* A renamed catalogue field: a build error in spirit. */
            fprintf(stderr, "xenalyze-ext: catalogue event %s has no field "
                    "'%s'\n", ev->name, field_refs[i].name);
            abort();
        }
        field_refs[i].ref->word = ev->fields[k].word;
        field_refs[i].ref->wide = ev->fields[k].bits == 64;
    }
    done = 1;
}

static inline uint64_t fv(const struct xte_record *r, const struct fref *f)
{
    uint64_t v = f->word < r->nr_extra ? r->extra[f->word] : 0;

    if (f->wide && f->word + 1 < r->nr_extra)
        v |= (uint64_t)r->extra[f->word + 1] << 32;
    return v;
}

#define F(ev, name) fv(rec, &f_##ev##_##name)

/* ---- time --------------------------------------------------------------- */

uint64_t xa_ticks_to_ns(const struct xa_analysis *a, uint64_t ticks)
{
    if (!a->cpu_hz)
        return ticks;
    return (uint64_t)((unsigned __int128)ticks * 1000000000u / a->cpu_hz);
}

uint64_t xa_tsc_to_rel(const struct xa_analysis *a, uint64_t tsc)
{
    return xa_ticks_to_ns(a, tsc > a->first_tsc ? tsc - a->first_tsc : 0);
}

const char *xa_time_unit(const struct xa_analysis *a)
{
    return a->cpu_hz ? "ns" : "ticks";
}

/* ---- tables of pCPUs, domains and event ids ----------------------------- */

static struct xa_pcpu *pcpu_get(struct xa_analysis *a, uint64_t cpu)
{
    if (cpu >= XA_MAX_PCPUS)
        cpu = XA_MAX_PCPUS - 1;
    if (cpu >= a->nr_pcpus) {
        unsigned int n = (unsigned int)cpu + 1;
        struct xa_pcpu *p = realloc(a->pcpus, n * sizeof(*p));

        if (!p)
            abort();
        memset(p + a->nr_pcpus, 0, (n - a->nr_pcpus) * sizeof(*p));
        for (unsigned int i = a->nr_pcpus; i < n; i++)
            p[i].running_domid = XA_DOMID_OTHER;
        a->pcpus = p;
        a->nr_pcpus = n;
    }
    return &a->pcpus[cpu];
}

struct xa_domain *xa_domain_find(const struct xa_analysis *a, uint32_t domid)
{
    if (domid < 65536u) {
        int32_t i = a->domain_index[domid];

        return i >= 0 ? &a->domains[i] : NULL;
    }
    for (unsigned int i = 0; i < a->nr_domains; i++)
        if (a->domains[i].domid == XA_DOMID_OTHER)
            return &a->domains[i];
    return NULL;
}

struct xa_domain *xa_domain_get(struct xa_analysis *a, uint32_t domid)
{
    struct xa_domain *d;

    if (domid < 65536u && a->domain_index[domid] >= 0)
        return &a->domains[a->domain_index[domid]];
    /* One slot is kept for everything beyond the cap or the 16-bit ids. */
    if (domid >= 65536u || a->nr_domains >= XA_MAX_DOMAINS) {
        a->domains_folded |= domid < 65536u;
        domid = XA_DOMID_OTHER;
        d = xa_domain_find(a, domid);
        if (d)
            return d;
    }
    d = &a->domains[a->nr_domains];
    memset(d, 0, sizeof(*d));
    d->domid = domid;
    if (domid < 65536u)
        a->domain_index[domid] = (int32_t)a->nr_domains;
    a->nr_domains++;
    return d;
}

static void domain_touch(struct xa_analysis *a, struct xa_domain *d,
                         uint64_t tsc)
{
    if (!d->seen) {
        d->seen = 1;
        d->first_tsc = tsc;
    }
}

static struct xa_domain *dom(struct xa_analysis *a, uint64_t domid,
                             uint64_t tsc)
{
    struct xa_domain *d = xa_domain_get(a, (uint32_t)domid);

    domain_touch(a, d, tsc);
    return d;
}

static void vcpu_touch(struct xa_domain *d, uint64_t vcpu)
{
    if (vcpu >= XA_MAX_VCPUS)
        return;
    if (!d->vcpu_seen) {
        d->vcpu_seen = calloc(XA_MAX_VCPUS / 64, sizeof(uint64_t));
        if (!d->vcpu_seen)
            abort();
    }
    if (!(d->vcpu_seen[vcpu / 64] & (1ull << (vcpu % 64)))) {
        d->vcpu_seen[vcpu / 64] |= 1ull << (vcpu % 64);
        d->vcpus_seen++;
    }
}

static void count_event_id(struct xa_analysis *a, uint32_t event)
{
    uint32_t mask = XA_MAX_EVENT_IDS * 2 - 1;
    uint32_t h = (event * 2654435761u) & mask;

    /* Open addressing in a table twice the cap: never more than half full. */
    for (;;) {
        struct xa_event_count *e = &a->event_ids[h];

        if (e->count && e->event == event) {
            e->count++;
            return;
        }
        if (!e->count) {
            if (a->nr_event_ids >= XA_MAX_EVENT_IDS) {
                a->event_ids_folded++;
                return;
            }
            e->event = event;
            e->count = 1;
            a->nr_event_ids++;
            return;
        }
        h = (h + 1) & mask;
    }
}

uint64_t xa_event_id_count(const struct xa_analysis *a, uint32_t event)
{
    for (unsigned int i = 0; i < XA_MAX_EVENT_IDS * 2; i++)
        if (a->event_ids[i].count && a->event_ids[i].event == event)
            return a->event_ids[i].count;
    return 0;
}

int xa_event_is_interpreted(uint32_t event)
{
    if (xa_is_runstate_change(event))
        return 1;
    switch (event) {
    case XTE_TRC_LOST_RECORDS:
    case XA_TRC_SCHED_DOM_ADD:
    case XA_TRC_SCHED_DOM_REM:
    case XA_TRC_HVM_VMENTRY:
    case XA_TRC_HVM_VMEXIT:
    case XA_TRC_HVM_VMEXIT64:
        return 1;
    }
    return 0;
}

/* ---- the PI length-over-time series ----------------------------------- */

/*
 * XA_SERIES_SLOTS slots of equal width cover the trace so far; when time
 * runs past the last one, neighbours are merged (max of the two) and the
 * width doubles.  Fixed memory, and the whole trace stays visible.
 */
static void series_note(struct xa_analysis *a, struct xa_pcpu *p,
                        uint64_t tsc, uint64_t len)
{
    uint64_t rel = tsc > a->first_tsc ? tsc - a->first_tsc : 0;
    uint64_t slot;

    if (!a->series_slot_ticks)
        a->series_slot_ticks = 1024;
    while ((slot = rel / a->series_slot_ticks) >= XA_SERIES_SLOTS) {
        for (unsigned int c = 0; c < a->nr_pcpus; c++) {
            uint64_t *s = a->pcpus[c].pi_series;

            for (unsigned int i = 0; i < XA_SERIES_SLOTS / 2; i++)
                s[i] = s[2 * i] > s[2 * i + 1] ? s[2 * i] : s[2 * i + 1];
            memset(s + XA_SERIES_SLOTS / 2, 0,
                   XA_SERIES_SLOTS / 2 * sizeof(*s));
        }
        a->series_slot_ticks *= 2;
        a->series_used = (a->series_used + 1) / 2;
    }
    if (slot + 1 > a->series_used)
        a->series_used = (unsigned int)slot + 1;
    if (len > p->pi_series[slot])
        p->pi_series[slot] = len;
}

/* ---- intervals ---------------------------------------------------------- */

static void interval_advance(struct xa_analysis *a, uint64_t tsc)
{
    uint64_t rel;

    if (!a->interval_ns || !a->cpu_hz)
        return;
    rel = xa_tsc_to_rel(a, tsc);
    if (!a->iv_open) {
        memset(&a->iv, 0, sizeof(a->iv));
        a->iv.index = rel / a->interval_ns;
        a->iv.t0_ns = a->iv.index * a->interval_ns;
        a->iv.length_ns = a->interval_ns;
        a->iv_open = 1;
    }
    while (rel >= a->iv.t0_ns + a->interval_ns) {
        a->interval_fn(&a->iv, a->interval_arg);
        uint64_t next = a->iv.index + 1;

        /*
         * A long silence (or a TSC jump) would print an empty row for each
         * interval in it; past XA_INTERVAL_MAX_EMPTY of them the series
         * jumps to the next interval with records, and says how many rows
         * it left out.
         */
        if (rel / a->interval_ns - next > XA_INTERVAL_MAX_EMPTY) {
            a->intervals_skipped += rel / a->interval_ns - next;
            next = rel / a->interval_ns;
        }
        memset(&a->iv, 0, sizeof(a->iv));
        a->iv.index = next;
        a->iv.t0_ns = next * a->interval_ns;
        a->iv.length_ns = a->interval_ns;
    }
}

#define IV_MAX(field, v) do { if ((v) > a->iv.field) a->iv.field = (v); } while (0)

/* ---- the state machines ------------------------------------------------- */

static void on_pi(struct xa_analysis *a, enum xte_event_index ev,
                  const struct xte_record *rec)
{
    struct xa_pcpu *p;
    struct xa_domain *d;
    uint64_t v;

    switch (ev) {
    case XTE_EV_PI_LIST_ADD: {
        uint64_t from = F(PI_LIST_ADD, from_pcpu);

        /* grow the table for both first: pcpu_get() may move it */
        pcpu_get(a, from > F(PI_LIST_ADD, pcpu) ? from
                                                 : F(PI_LIST_ADD, pcpu));
        p = pcpu_get(a, F(PI_LIST_ADD, pcpu));
        d = dom(a, F(PI_LIST_ADD, domid), rec->tsc);
        vcpu_touch(d, F(PI_LIST_ADD, vcpu));
        d->pi_adds++;
        p->pi_adds++;
        p->pi_len = F(PI_LIST_ADD, len);
        p->pi_limit = F(PI_LIST_ADD, limit);
        if (p->pi_len > p->pi_hwm) {
            p->pi_hwm = p->pi_len;
            p->pi_hwm_tsc = rec->tsc;
        }
        /* Put on another pCPU's list than the one it blocked on. */
        if (from != F(PI_LIST_ADD, pcpu)) {
            p->pi_adds_redirected++;
            pcpu_get(a, from)->pi_redirected_away++;
            a->iv.pi_redirected++;
        }
        series_note(a, p, rec->tsc, p->pi_len);
        a->iv.pi_adds++;
        IV_MAX(pi_max_len, p->pi_len);
        break;
    }
    case XTE_EV_PI_LIST_DEL:
        p = pcpu_get(a, F(PI_LIST_DEL, pcpu));
        d = dom(a, F(PI_LIST_DEL, domid), rec->tsc);
        vcpu_touch(d, F(PI_LIST_DEL, vcpu));
        p->pi_dels++;
        p->pi_len = F(PI_LIST_DEL, len);
        series_note(a, p, rec->tsc, p->pi_len);
        break;
    case XTE_EV_PI_WAKEUP:
        p = pcpu_get(a, F(PI_WAKEUP, pcpu));
        v = F(PI_WAKEUP, walked);
        p->pi_wakeups++;
        p->pi_walked += v;
        p->pi_woken += F(PI_WAKEUP, woken);
        dist_add(&p->pi_walk, v);
        dist_add(&a->pi_walk_all, v);
        a->iv.pi_wakeups++;
        IV_MAX(pi_max_walk, v);
        break;
    case XTE_EV_PI_SKIP_NO_IRTE:
        d = dom(a, F(PI_SKIP_NO_IRTE, domid), rec->tsc);
        vcpu_touch(d, F(PI_SKIP_NO_IRTE, vcpu));
        d->pi_skip_no_irte++;
        break;
    case XTE_EV_PI_LIMIT:
        a->have_pi_limit = 1;
        a->pi_limit = F(PI_LIMIT, limit);
        a->pi_hvm_vcpus = F(PI_LIMIT, hvm_vcpus);
        a->pi_online_pcpus = F(PI_LIMIT, online_pcpus);
        a->pi_slack = F(PI_LIMIT, slack);
        a->pi_limit_changes++;
        break;
    case XTE_EV_PI_CPU_MOVE:
        pcpu_get(a, F(PI_CPU_MOVE, dead_pcpu));
        a->pi_cpu_moves++;
        a->pi_moved += F(PI_CPU_MOVE, moved);
        break;
    default:
        break;
    }
}

static void on_catalogue(struct xa_analysis *a, enum xte_event_index ev,
                         const struct xte_record *rec)
{
    struct xa_pcpu *p;
    struct xa_domain *d;
    uint64_t v;

    switch (ev) {
    case XTE_EV_RUN_INFO:
        a->have_run_info = 1;
        a->trace_hz = F(RUN_INFO, cpu_hz);
        a->nr_pcpus_info = (uint32_t)F(RUN_INFO, nr_pcpus);
        a->variant = (uint32_t)F(RUN_INFO, variant);
        a->scenario = (uint32_t)F(RUN_INFO, scenario);
        if (a->hz_source != XA_HZ_OPTION && a->trace_hz) {
            a->cpu_hz = a->trace_hz;
            a->hz_source = XA_HZ_TRACE;
        }
        break;
    case XTE_EV_DOMAIN_INFO:
        d = dom(a, F(DOMAIN_INFO, domid), rec->tsc);
        d->have_info = 1;
        d->nr_vcpus = (uint32_t)F(DOMAIN_INFO, nr_vcpus);
        d->is_hvm = (uint32_t)F(DOMAIN_INFO, is_hvm);
        d->maptrack_limit = (uint32_t)F(DOMAIN_INFO, maptrack_limit);
        if (!d->mt_limit)
            d->mt_limit = d->maptrack_limit;
        break;
    case XTE_EV_PI_LIST_ADD: case XTE_EV_PI_LIST_DEL: case XTE_EV_PI_WAKEUP:
    case XTE_EV_PI_SKIP_NO_IRTE: case XTE_EV_PI_LIMIT: case XTE_EV_PI_CPU_MOVE:
        on_pi(a, ev, rec);
        break;
    case XTE_EV_MSIX_FORWARD:
        d = dom(a, F(MSIX_FORWARD, domid), rec->tsc);
        if (F(MSIX_FORWARD, is_write)) {
            d->msix_writes_forwarded++;
        } else {
            d->msix_reads_forwarded++;
            a->iv.msix_reads_forwarded++;
        }
        break;
    case XTE_EV_MSIX_EMULATED:
        d = dom(a, F(MSIX_EMULATED, domid), rec->tsc);
        d->msix_reads_emulated++;
        a->iv.msix_reads_emulated++;
        break;
    case XTE_EV_DPCI_SCHEDULE:
        d = dom(a, F(DPCI_SCHEDULE, domid), rec->tsc);
        p = pcpu_get(a, F(DPCI_SCHEDULE, pcpu));
        d->dpci_scheduled++;
        p->dpci_scheduled++;
        break;
    case XTE_EV_DPCI_RUN:
        d = dom(a, F(DPCI_RUN, domid), rec->tsc);
        p = pcpu_get(a, F(DPCI_RUN, pcpu));
        v = F(DPCI_RUN, latency);
        d->dpci_runs++;
        p->dpci_runs++;
        dist_add(&d->dpci_latency, v);
        dist_add(&p->dpci_latency, v);
        a->iv.dpci_runs++;
        IV_MAX(dpci_max_latency, v);
        break;
    case XTE_EV_DPCI_BATCH:
        p = pcpu_get(a, F(DPCI_BATCH, pcpu));
        p->dpci_batches++;
        dist_add(&p->dpci_batch, F(DPCI_BATCH, items));
        break;
    case XTE_EV_DPCI_LOCK_WAIT:
        p = pcpu_get(a, F(DPCI_LOCK_WAIT, pcpu));
        v = F(DPCI_LOCK_WAIT, wait);
        p->dpci_lock_waits++;
        p->dpci_lock_wait_ns += v;
        if (v > p->dpci_lock_wait_max)
            p->dpci_lock_wait_max = v;
        break;
    case XTE_EV_DPCI_TEARDOWN_EAGAIN:
        dom(a, F(DPCI_TEARDOWN_EAGAIN, domid), rec->tsc)->dpci_teardown_eagain++;
        break;
    case XTE_EV_MAPTRACK_GROW:
        d = dom(a, F(MAPTRACK_GROW, domid), rec->tsc);
        vcpu_touch(d, F(MAPTRACK_GROW, vcpu));
        d->mt_grows++;
        d->mt_frames = F(MAPTRACK_GROW, frames);
        d->mt_limit = F(MAPTRACK_GROW, limit);
        d->mt_in_use = F(MAPTRACK_GROW, in_use);
        if (d->mt_frames > d->mt_frames_max)
            d->mt_frames_max = d->mt_frames;
        if (d->mt_in_use > d->mt_in_use_max)
            d->mt_in_use_max = d->mt_in_use;
        a->iv.mt_grows++;
        break;
    case XTE_EV_MAPTRACK_STEAL:
        d = dom(a, F(MAPTRACK_STEAL, domid), rec->tsc);
        vcpu_touch(d, F(MAPTRACK_STEAL, vcpu));
        d->mt_steals++;
        d->mt_in_use = F(MAPTRACK_STEAL, in_use);
        if (d->mt_in_use > d->mt_in_use_max)
            d->mt_in_use_max = d->mt_in_use;
        a->iv.mt_steals++;
        break;
    case XTE_EV_MAPTRACK_EXHAUSTED:
        d = dom(a, F(MAPTRACK_EXHAUSTED, domid), rec->tsc);
        vcpu_touch(d, F(MAPTRACK_EXHAUSTED, vcpu));
        if (!d->mt_exhausted)
            d->mt_first_exhausted_tsc = rec->tsc;
        d->mt_exhausted++;
        d->mt_frames = F(MAPTRACK_EXHAUSTED, frames);
        if (d->mt_frames > d->mt_frames_max)
            d->mt_frames_max = d->mt_frames;
        d->mt_in_use = F(MAPTRACK_EXHAUSTED, in_use);
        if (d->mt_in_use > d->mt_in_use_max)
            d->mt_in_use_max = d->mt_in_use;
        a->iv.mt_exhausted++;
        break;
    case XTE_EV_EPT_FLUSH:
        d = dom(a, F(EPT_FLUSH, domid), rec->tsc);
        v = F(EPT_FLUSH, latency);
        d->ept_flushes++;
        if (F(EPT_FLUSH, sync))
            d->ept_sync++;
        else
            d->ept_deferred++;
        d->ept_coalesced += F(EPT_FLUSH, coalesced);
        d->ept_ipis += F(EPT_FLUSH, ipis);
        d->ept_marked += F(EPT_FLUSH, marked);
        dist_add(&d->ept_latency, v);
        a->iv.ept_flushes++;
        a->iv.ept_ipis += F(EPT_FLUSH, ipis);
        IV_MAX(ept_max_latency, v);
        break;
    case XTE_EV_EPT_VMENTER_INVEPT:
        dom(a, F(EPT_VMENTER_INVEPT, domid), rec->tsc);
        pcpu_get(a, F(EPT_VMENTER_INVEPT, pcpu))->ept_vmenter_invept++;
        break;
    case XTE_EV_EPT_READ_WAIT:
        d = dom(a, F(EPT_READ_WAIT, domid), rec->tsc);
        v = F(EPT_READ_WAIT, wait);
        d->ept_read_waits++;
        d->ept_read_wait_ns += v;
        if (v > d->ept_read_wait_max)
            d->ept_read_wait_max = v;
        break;
    default:
        break;
    }
}

/* Upstream records that give context; the rest are only counted. */
static void on_upstream(struct xa_analysis *a, struct xa_pcpu *p,
                        const struct xte_record *rec)
{
    struct xa_domain *d;

    if (xa_is_runstate_change(rec->event)) {
        /* vcpu:16 dom:16; old:4 new:4 */
        uint32_t w0 = rec->nr_extra > 0 ? rec->extra[0] : 0;
        uint32_t w1 = rec->nr_extra > 1 ? rec->extra[1] : 0;

        d = dom(a, w0 >> 16, rec->tsc);
        vcpu_touch(d, w0 & 0xffff);
        d->runstate_changes++;
        p->runstate_changes++;
        if (((w1 >> 4) & 0xf) == 0) {          /* now running here */
            p->running_domid = w0 >> 16;
            p->running_vcpu = w0 & 0xffff;
        } else if (p->running_domid == w0 >> 16 &&
                   p->running_vcpu == (w0 & 0xffff)) {
            p->running_domid = XA_DOMID_OTHER;
        }
        return;
    }
    switch (rec->event) {
    case XTE_TRC_LOST_RECORDS: {
        /* lost count; did:16 vid:16; first_tsc (64 bits) */
        uint64_t lost = rec->nr_extra > 0 ? rec->extra[0] : 0;
        uint64_t first = rec->nr_extra > 3
            ? rec->extra[2] | (uint64_t)rec->extra[3] << 32 : rec->tsc;
        uint64_t hidden = rec->tsc > first ? rec->tsc - first : 0;

        a->lost_events++;
        a->lost_records += lost;
        a->lost_hidden_ticks += hidden;
        p->lost_events++;
        p->lost_records += lost;
        p->lost_hidden_ticks += hidden;
        a->iv.lost_records += lost;
        break;
    }
    case XA_TRC_SCHED_DOM_ADD:
        d = dom(a, rec->nr_extra ? rec->extra[0] : 0, rec->tsc);
        d->created = 1;
        d->created_tsc = rec->tsc;
        break;
    case XA_TRC_SCHED_DOM_REM:
        d = dom(a, rec->nr_extra ? rec->extra[0] : 0, rec->tsc);
        d->destroyed = 1;
        d->destroyed_tsc = rec->tsc;
        break;
    case XA_TRC_HVM_VMENTRY:
        p->vmentries++;
        break;
    case XA_TRC_HVM_VMEXIT:
    case XA_TRC_HVM_VMEXIT64:
        p->vmexits++;
        /* attributed to whoever the runstate stream says runs here */
        if (p->running_domid != XA_DOMID_OTHER)
            dom(a, p->running_domid, rec->tsc)->vmexits++;
        break;
    default:
        break;
    }
}

void xa_feed(struct xa_analysis *a, const struct xte_record *rec)
{
    struct xa_pcpu *p = pcpu_get(a, rec->cpu);
    const struct xte_event_desc *desc;

    if (!a->have_tsc) {
        a->have_tsc = 1;
        a->first_tsc = rec->tsc;
    }
    if (rec->tsc < a->last_tsc)
        a->tsc_backwards++;
    else
        a->last_tsc = rec->tsc;
    if (!p->seen) {
        p->seen = 1;
        p->first_tsc = rec->tsc;
    }
    p->records++;
    if (rec->tsc > p->last_tsc)
        p->last_tsc = rec->tsc;
    a->records++;

    desc = XTE_IS_CATALOGUE_EVENT(rec->event) ? xte_event_by_id(rec->event)
                                               : NULL;
    /* RUN_INFO sets the time base, so it is taken before intervals move. */
    if (desc && desc - xte_events == XTE_EV_RUN_INFO)
        on_catalogue(a, XTE_EV_RUN_INFO, rec);
    interval_advance(a, rec->tsc);
    a->iv.records++;
    if (desc) {
        enum xte_event_index ev = (enum xte_event_index)(desc - xte_events);

        a->catalogue_records++;
        a->by_catalogue_event[ev]++;
        if (ev != XTE_EV_RUN_INFO)
            on_catalogue(a, ev, rec);
        return;
    }
    count_event_id(a, rec->event);
    if (xa_event_is_interpreted(rec->event)) {
        a->upstream_records++;
        on_upstream(a, p, rec);
    } else {
        a->unknown_records++;
    }
}

static int cmp_domid(const void *x, const void *y)
{
    const struct xa_domain *a = x, *b = y;

    return a->domid < b->domid ? -1 : a->domid > b->domid;
}

void xa_sort_domains(struct xa_analysis *a)
{
    qsort(a->domains, a->nr_domains, sizeof(a->domains[0]), cmp_domid);
    for (unsigned int i = 0; i < a->nr_domains; i++)
        if (a->domains[i].domid < 65536u)
            a->domain_index[a->domains[i].domid] = (int32_t)i;
}

const struct xte_event_desc *xa_catalogue_event(uint32_t event)
{
    resolve_fields();
    return xte_event_by_id(event);
}

void xa_init(struct xa_analysis *a, uint64_t option_hz, uint64_t interval_ns,
             xa_interval_fn fn, void *arg)
{
    resolve_fields();
    memset(a, 0, sizeof(*a));
    a->option_hz = option_hz;
    if (option_hz) {
        a->cpu_hz = option_hz;
        a->hz_source = XA_HZ_OPTION;
    }
    a->interval_ns = fn ? interval_ns : 0;
    a->interval_fn = fn;
    a->interval_arg = arg;
    a->domains = calloc(XA_MAX_DOMAINS + 1, sizeof(*a->domains));
    a->domain_index = malloc(65536 * sizeof(*a->domain_index));
    a->event_ids = calloc(XA_MAX_EVENT_IDS * 2, sizeof(*a->event_ids));
    if (!a->domains || !a->domain_index || !a->event_ids)
        abort();
    memset(a->domain_index, 0xff, 65536 * sizeof(*a->domain_index));
}

void xa_finish(struct xa_analysis *a)
{
    if (a->iv_open && a->interval_fn) {
        a->interval_fn(&a->iv, a->interval_arg);
        a->iv_open = 0;
    }
}

void xa_free(struct xa_analysis *a)
{
    for (unsigned int i = 0; i < a->nr_pcpus; i++) {
        dist_free(&a->pcpus[i].pi_walk);
        dist_free(&a->pcpus[i].dpci_batch);
        dist_free(&a->pcpus[i].dpci_latency);
    }
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        dist_free(&a->domains[i].dpci_latency);
        dist_free(&a->domains[i].ept_latency);
        free(a->domains[i].vcpu_seen);
    }
    dist_free(&a->pi_walk_all);
    free(a->pcpus);
    free(a->domains);
    free(a->domain_index);
    free(a->event_ids);
    memset(a, 0, sizeof(*a));
}
