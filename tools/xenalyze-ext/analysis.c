/*
 * analysis.c - the per-subsystem state machines behind every report.
 *
 * Fields are read by name through the catalogue (struct xa_words_* below,
 * expanded from catalogue.def), never by a position written down here, so
 * a field added to catalogue.def cannot shift what the analyser reads.  A
 * record shorter than its catalogue entry reads the missing words as zero:
 * a trace from an older hypervisor still analyses.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "analysis.h"

/* ---- fields by name --------------------------------------------------- */

/*
 * Each catalogue event becomes a struct of its trace words, expanded from
 * catalogue.def by the preprocessor (one uint32_t per 32 bits of a field,
 * in catalogue order, as the library lays them out).  A field's word is
 * then offsetof() / 4, a constant the compiler folds into the load, and a
 * field renamed in catalogue.def is a build error here instead of a wrong
 * read.  check_layout() compares the sizes with the library's tables once.
 */
#define CAT_FIELD(n, b, u, d) uint32_t n[(b) / 32];
#define CAT_EVENT(sub, name, num, desc, fields) \
    struct xa_words_##name { fields };
#define CAT_NODE(sub, ver, desc, pf, df)
#include "catalogue.def"
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE

/* Trace words of each catalogue event, and its index by 12-bit number + 1. */
static const uint8_t ev_words[XTE_NR_EVENTS] = {
#define CAT_FIELD(n, b, u, d)
#define CAT_EVENT(sub, name, num, desc, fields) \
    [XTE_EV_##name] = sizeof(struct xa_words_##name) / 4,
#define CAT_NODE(sub, ver, desc, pf, df)
#include "catalogue.def"
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE
};

static void bins_init(void);

static void check_layout(void)
{
    static int done;

    if (done)
        return;
    bins_init();
    for (unsigned int e = 0; e < XTE_NR_EVENTS; e++) {
        const struct xte_event_desc *ev = &xte_events[e];

        if (ev_words[e] != ev->nr_words) {
            /* catalogue.c and this file disagree: a build error in spirit */
            fprintf(stderr, "xenalyze-ext: catalogue event %s: layout "
                    "mismatch\n", ev->name);
            abort();
        }
    }
    done = 1;
}

/* x: the record's words, at least ev_words[] of them (zero-padded). */
#define FW(ev, name) (offsetof(struct xa_words_##ev, name) / 4)
#define F(ev, name)                                                         \
    (sizeof(((struct xa_words_##ev *)0)->name) == 8                         \
     ? (uint64_t)x[FW(ev, name)] | (uint64_t)x[FW(ev, name) + 1] << 32      \
     : (uint64_t)x[FW(ev, name)])

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

/*
 * The pCPU table is mapped whole at start-up (XA_MAX_PCPUS entries,
 * virtual memory the kernel backs only where a pCPU is written), so a
 * pCPU is one index on the hot path and never moves.  nr_pcpus still
 * says how far the trace reached: the reports list pCPUs below it.
 */
static __attribute__((noinline)) struct xa_pcpu *
pcpus_reach(struct xa_analysis *a, uint64_t cpu)
{
    if (cpu >= XA_MAX_PCPUS)
        cpu = XA_MAX_PCPUS - 1;
    for (unsigned int i = a->nr_pcpus; i <= cpu; i++)
        a->pcpus[i].running_domid = XA_DOMID_OTHER;
    if (cpu >= a->nr_pcpus)
        a->nr_pcpus = (unsigned int)cpu + 1;
    return &a->pcpus[cpu];
}

/* nr_pcpus <= XA_MAX_PCPUS: one comparison covers both bounds. */
static inline struct xa_pcpu *pcpu_get(struct xa_analysis *a, uint64_t cpu)
{
    if (__builtin_expect(cpu >= a->nr_pcpus, 0))
        return pcpus_reach(a, cpu);
    return &a->pcpus[cpu];
}

/*
 * Domains by id: domain_slot[] holds a pointer per 16-bit id (NULL for
 * none), then named_domain()'s placeholder, then the "other" domain that
 * ids of more than 16 bits (and ids beyond the cap) are folded into.
 */
#define SLOT_PLACEHOLDER   65536u
#define SLOT_OTHER         65537u
#define NR_SLOTS           65538u

struct xa_domain *xa_domain_find(const struct xa_analysis *a, uint32_t domid)
{
    return a->domain_slot[domid < 65536u ? domid : SLOT_OTHER];
}

struct xa_domain *xa_domain_get(struct xa_analysis *a, uint32_t domid)
{
    struct xa_domain *d;

    if (domid < 65536u && a->domain_slot[domid])
        return a->domain_slot[domid];
    /* One slot is kept for everything beyond the cap or the 16-bit ids. */
    if (domid >= 65536u || a->nr_domains >= XA_MAX_DOMAINS) {
        a->domains_folded |= domid < 65536u;
        domid = XA_DOMID_OTHER;
        if (a->domain_slot[SLOT_OTHER])
            return a->domain_slot[SLOT_OTHER];
    }
    d = &a->domains[a->nr_domains];
    memset(d, 0, sizeof(*d));
    d->domid = domid;
    a->domain_slot[domid < 65536u ? domid : SLOT_OTHER] = d;
    a->nr_domains++;
    return d;
}

/* A domain named by a record: seen from that record's TSC on. */
static inline struct xa_domain *dom(struct xa_analysis *a, uint64_t domid,
                                    uint64_t tsc)
{
    uint32_t id = (uint32_t)domid;
    struct xa_domain *d;

    if (__builtin_expect(id < 65536u, 1) &&
        __builtin_expect((d = a->domain_slot[id]) != NULL, 1))
        ;
    else
        d = xa_domain_get(a, id);
    if (__builtin_expect(!d->seen, 0)) {
        d->seen = 1;
        d->first_tsc = tsc;
    }
    return d;
}

static __attribute__((noinline)) void vcpu_mark(struct xa_domain *d,
                                                uint64_t vcpu)
{
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

static inline void vcpu_touch(struct xa_domain *d, uint64_t vcpu)
{
    if (vcpu >= XA_MAX_VCPUS)
        return;
    if (__builtin_expect(d->vcpu_seen != NULL, 1) &&
        __builtin_expect((d->vcpu_seen[vcpu / 64] >> (vcpu % 64)) & 1, 1))
        return;
    vcpu_mark(d, vcpu);
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
 * series_slot_rel and series_slot_end bracket the slot of the last record
 * (relative TSC), so the division runs only when time leaves that slot.
 */
static __attribute__((noinline)) void series_locate(struct xa_analysis *a,
                                                    uint64_t rel)
{
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
    a->series_slot = (unsigned int)slot;
    a->series_slot_rel = slot * a->series_slot_ticks;
    a->series_slot_end = a->series_slot_rel + a->series_slot_ticks;
}

static inline void series_note(struct xa_analysis *a, struct xa_pcpu *p,
                               uint64_t tsc, uint64_t len)
{
    uint64_t rel = tsc > a->first_tsc ? tsc - a->first_tsc : 0;

    if (__builtin_expect(rel < a->series_slot_rel ||
                         rel >= a->series_slot_end, 0))
        series_locate(a, rel);
    if (len > p->pi_series[a->series_slot])
        p->pi_series[a->series_slot] = len;
}

/* ---- intervals ---------------------------------------------------------- */

/*
 * iv_end_tsc is the first TSC whose position falls past the open interval
 * (xa_tsc_to_rel() rounds down, so that is the smallest tsc with
 * (tsc - first) * 1e9 >= end * hz): records before it only count.
 */
static void interval_end_tsc(struct xa_analysis *a)
{
    uint64_t end_ns = a->iv.t0_ns + a->interval_ns;
    unsigned __int128 tsc;

    if (end_ns < a->iv.t0_ns) {          /* wrapped: no shortcut */
        a->iv_end_tsc = 0;
        return;
    }
    tsc = ((unsigned __int128)end_ns * a->cpu_hz + 999999999u) / 1000000000u +
          a->first_tsc;
    a->iv_end_tsc = tsc > UINT64_MAX ? UINT64_MAX : (uint64_t)tsc;
}

static __attribute__((noinline)) void interval_advance(struct xa_analysis *a,
                                                       uint64_t tsc)
{
    uint64_t rel;

    if (!a->cpu_hz)
        return;
    if (a->iv_open && tsc < a->iv_end_tsc)
        return;
    rel = xa_tsc_to_rel(a, tsc);
    if (!a->iv_open) {
        memset(&a->iv, 0, sizeof(a->iv));
        a->iv.index = rel / a->interval_ns;
        a->iv.t0_ns = a->iv.index * a->interval_ns;
        a->iv.length_ns = a->interval_ns;
        a->iv_open = 1;
    }
    /* not t0 + interval: the last interval before 2^64 ns would wrap */
    while (rel >= a->iv.t0_ns && rel - a->iv.t0_ns >= a->interval_ns) {
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
    interval_end_tsc(a);
}

/*
 * The open --interval row, in the handlers of on_catalogue().  Batches
 * are grouped only without --interval (g != NULL), and then nothing reads
 * the row: it is not kept.
 */
#define IV_ADD(field, v) do { if (!g) a->iv.field += (v); } while (0)
#define IV_MAX(field, v)                                                    \
    do { if (!g && (v) > a->iv.field) a->iv.field = (v); } while (0)

/* ---- grouped batches ---------------------------------------------------- */

/*
 * xa_feed_batch() takes a batch GROUP_CHUNK records at a time in two
 * passes.  The first goes through the records in their order and does
 * whatever depends on that order across event types: time, pCPU first
 * sightings and record counts, the domain a record names (which sets the
 * order domains are first seen in, and so their slots and their first
 * TSC), RUN_INFO, and every upstream record.  It files each catalogue
 * record in a bin by event type.  The second pass runs the bins one after
 * the other, so the dispatch on the event type is predicted (on a trace
 * that mixes its events at random, a mispredicted jump for nearly every
 * record cost a third of the analysis).
 *
 * That is exact because what the handlers of different bins write does
 * not depend on their order: counters and sums, maxima, vCPU sets and the
 * pCPUs reached (a pCPU first reached gets only its initial state).  No
 * handler looks a domain up: it gets the one the first pass found
 * (DOM()), so domains are created in record order.  Where two event types
 * write the same state they share a bin and keep their order: PI list
 * adds and removals set a pCPU's list length and the PI series,
 * DOMAIN_INFO and the maptrack events a domain's frames, limit and
 * handles in use.  One thing remains: distributions share a budget of
 * exact samples, so which one folds depends on the order in which they
 * grow.  A sample that needs a distribution to grow (or to widen) is set
 * aside and added after the second pass, in record order, together with
 * every later sample of that distribution in the chunk (dist_hold()).
 *
 * A run with --interval, whose rows close in the middle of a chunk, takes
 * records one by one (feed_one()).  The two paths share every handler, so
 * they cannot drift apart; test_analysis and the fuzzer compare their
 * reports.
 */
/*
 * Records per chunk: each chunk pays a mispredicted jump into each bin and
 * out of its loop, about 20 bins, which 128-record chunks felt (2 ns a
 * record) and 1024-record ones do not.
 */
#define GROUP_CHUNK 1024

struct group_pending {
    struct xa_dist *d;
    uint64_t v;
    unsigned int pos;           /* record in the chunk */
    int held;                   /* dist_hold() was called: cap to give back */
    size_t cap;
};

struct xa_group {
    unsigned int n[XTE_NR_EVENTS];
    uint16_t bin[XTE_NR_EVENTS][GROUP_CHUNK];
    struct xa_domain *named[GROUP_CHUNK];
    unsigned int nr_pending;
    struct group_pending pending[2 * GROUP_CHUNK];   /* 2 samples a record */
};

/*
 * Catalogue events that name a domain: those whose first field is domid
 * (derived from the catalogue by bins_init()).  Their handlers get that
 * domain resolved (named) and read it through DOM(), which does not
 * compile for an event whose first field is not domid.
 */
static uint8_t ev_names_domain[XTE_NR_EVENTS];

#define DOM(ev) ((void)sizeof(char[FW(ev, domid) == 0 ? 1 : -1]), named)

/*
 * Bins: an event's own, but for the types that share a gauge.  Filled by
 * bins_init() at the first xa_init() (an initializer that overrides
 * entries would warn).
 */
static uint8_t ev_bin[XTE_NR_EVENTS];

/* The one statement of which event types share a bin. */
static inline __attribute__((always_inline)) unsigned int
bin_of(unsigned int e)
{
    switch (e) {
    case XTE_EV_PI_LIST_DEL:
        return XTE_EV_PI_LIST_ADD;
    case XTE_EV_DOMAIN_INFO:
    case XTE_EV_MAPTRACK_STEAL:
    case XTE_EV_MAPTRACK_EXHAUSTED:
        return XTE_EV_MAPTRACK_GROW;
    }
    return e;
}

/* Bins that hold more than one event type, counted by bins_init(). */
static uint8_t bin_shared[XTE_NR_EVENTS];

/*
 * What the first pass needs of an event, in one load, by its 12-bit
 * number: xte_event_by_number[] and the tables above, folded together.
 */
struct ev_first {
    uint8_t ev1;                /* event index + 1; 0: not in the catalogue */
    uint8_t bin;
    uint8_t words;              /* ev_words[], but UINT8_MAX for RUN_INFO:
                                   one test catches it and short records */
    uint8_t names;              /* ev_names_domain[] */
};

static struct ev_first ev_first[4096];

static void bins_init(void)
{
    for (unsigned int e = 0; e < XTE_NR_EVENTS; e++) {
        const struct xte_event_desc *ev = &xte_events[e];

        ev_bin[e] = (uint8_t)bin_of(e);
        if (ev_bin[e] != e)
            bin_shared[ev_bin[e]] = 1;
        ev_names_domain[e] = ev->nr_fields &&
                             strcmp(ev->fields[0].name, "domid") == 0;
    }
    for (unsigned int num = 0; num < 4096; num++) {
        struct ev_first *f = &ev_first[num];
        unsigned int e;

        f->ev1 = xte_event_by_number[num];
        if (!f->ev1)
            continue;
        e = f->ev1 - 1u;
        f->bin = ev_bin[e];
        f->words = e == XTE_EV_RUN_INFO ? UINT8_MAX : ev_words[e];
        f->names = ev_names_domain[e];
    }
}


static __attribute__((noinline)) void
group_set_aside(struct xa_group *g, struct xa_dist *d, uint64_t v,
                unsigned int pos)
{
    struct group_pending *e = &g->pending[g->nr_pending++];

    e->d = d;
    e->v = v;
    e->pos = pos;
    e->held = d->count < d->cap;         /* room, but v needs 64 bits */
    if (e->held)
        e->cap = dist_hold(d);
}

/* g is NULL (a constant) on the one-by-one path. */
static inline __attribute__((always_inline)) void
dist_put(struct xa_group *g, struct xa_dist *d, uint64_t v, unsigned int pos)
{
    if (!g)
        dist_add(d, v);
    else if (__builtin_expect(!dist_add_in_place(d, v), 0))
        group_set_aside(g, d, v, pos);
}

#define DIST_ADD(d, v) dist_put(g, d, v, pos)

/* The samples set aside, in record order (stable: two of one record keep
 * theirs), as if they had come one by one. */
static __attribute__((noinline)) void group_replay(struct xa_group *g)
{
    struct group_pending *e = g->pending, t;
    unsigned int n = g->nr_pending;

    for (unsigned int i = 1; i < n; i++) {
        unsigned int j = i;

        t = e[i];
        while (j > 0 && e[j - 1].pos > t.pos) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = t;
    }
    for (unsigned int i = 0; i < n; i++) {
        if (e[i].held)
            dist_unhold(e[i].d, e[i].cap);
        dist_add(e[i].d, e[i].v);
    }
    g->nr_pending = 0;
}

/* ---- the state machines ------------------------------------------------- */

/* RUN_INFO sets the time base, so it is taken before intervals move. */
static void on_run_info(struct xa_analysis *a, const uint32_t *x)
{
    a->have_run_info = 1;
    a->trace_hz = F(RUN_INFO, cpu_hz);
    a->nr_pcpus_info = (uint32_t)F(RUN_INFO, nr_pcpus);
    a->variant = (uint32_t)F(RUN_INFO, variant);
    a->scenario = (uint32_t)F(RUN_INFO, scenario);
    if (a->hz_source != XA_HZ_OPTION && a->trace_hz) {
        a->cpu_hz = a->trace_hz;
        a->hz_source = XA_HZ_TRACE;
        a->iv_end_tsc = 0;               /* the time base moved */
    }
}

static inline __attribute__((always_inline)) void
on_catalogue(struct xa_analysis *a, enum xte_event_index ev,
             const struct xte_record *rec, const uint32_t *x,
             struct xa_domain *named, struct xa_group *g, unsigned int pos)
{
    struct xa_pcpu *p;
    struct xa_domain *d;
    uint64_t v;

    switch (ev) {
    case XTE_EV_DOMAIN_INFO:
        d = DOM(DOMAIN_INFO);
        d->have_info = 1;
        d->nr_vcpus = (uint32_t)F(DOMAIN_INFO, nr_vcpus);
        d->is_hvm = (uint32_t)F(DOMAIN_INFO, is_hvm);
        d->maptrack_limit = (uint32_t)F(DOMAIN_INFO, maptrack_limit);
        if (!d->mt_limit)
            d->mt_limit = d->maptrack_limit;
        break;
    case XTE_EV_PI_LIST_ADD: {
        uint64_t from = F(PI_LIST_ADD, from_pcpu);

        p = pcpu_get(a, F(PI_LIST_ADD, pcpu));
        d = DOM(PI_LIST_ADD);
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
            IV_ADD(pi_redirected, 1);
        }
        series_note(a, p, rec->tsc, p->pi_len);
        IV_ADD(pi_adds, 1);
        IV_MAX(pi_max_len, p->pi_len);
        break;
    }
    case XTE_EV_PI_LIST_DEL:
        p = pcpu_get(a, F(PI_LIST_DEL, pcpu));
        d = DOM(PI_LIST_DEL);
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
        DIST_ADD(&p->pi_walk, v);
        DIST_ADD(&a->pi_walk_all, v);
        IV_ADD(pi_wakeups, 1);
        IV_MAX(pi_max_walk, v);
        break;
    case XTE_EV_PI_SKIP_NO_IRTE:
        d = DOM(PI_SKIP_NO_IRTE);
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
    case XTE_EV_MSIX_FORWARD:
        d = DOM(MSIX_FORWARD);
        if (F(MSIX_FORWARD, is_write)) {
            d->msix_writes_forwarded++;
        } else {
            d->msix_reads_forwarded++;
            IV_ADD(msix_reads_forwarded, 1);
        }
        break;
    case XTE_EV_MSIX_EMULATED:
        d = DOM(MSIX_EMULATED);
        d->msix_reads_emulated++;
        IV_ADD(msix_reads_emulated, 1);
        break;
    case XTE_EV_DPCI_SCHEDULE:
        d = DOM(DPCI_SCHEDULE);
        p = pcpu_get(a, F(DPCI_SCHEDULE, pcpu));
        d->dpci_scheduled++;
        p->dpci_scheduled++;
        break;
    case XTE_EV_DPCI_RUN:
        d = DOM(DPCI_RUN);
        p = pcpu_get(a, F(DPCI_RUN, pcpu));
        v = F(DPCI_RUN, latency);
        d->dpci_runs++;
        p->dpci_runs++;
        DIST_ADD(&d->dpci_latency, v);
        DIST_ADD(&p->dpci_latency, v);
        IV_ADD(dpci_runs, 1);
        IV_MAX(dpci_max_latency, v);
        break;
    case XTE_EV_DPCI_BATCH:
        p = pcpu_get(a, F(DPCI_BATCH, pcpu));
        p->dpci_batches++;
        DIST_ADD(&p->dpci_batch, F(DPCI_BATCH, items));
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
        DOM(DPCI_TEARDOWN_EAGAIN)->dpci_teardown_eagain++;
        break;
    case XTE_EV_MAPTRACK_GROW:
        d = DOM(MAPTRACK_GROW);
        vcpu_touch(d, F(MAPTRACK_GROW, vcpu));
        d->mt_grows++;
        d->mt_frames = F(MAPTRACK_GROW, frames);
        d->mt_limit = F(MAPTRACK_GROW, limit);
        d->mt_in_use = F(MAPTRACK_GROW, in_use);
        if (d->mt_frames > d->mt_frames_max)
            d->mt_frames_max = d->mt_frames;
        if (d->mt_in_use > d->mt_in_use_max)
            d->mt_in_use_max = d->mt_in_use;
        IV_ADD(mt_grows, 1);
        break;
    case XTE_EV_MAPTRACK_STEAL:
        d = DOM(MAPTRACK_STEAL);
        vcpu_touch(d, F(MAPTRACK_STEAL, vcpu));
        d->mt_steals++;
        d->mt_in_use = F(MAPTRACK_STEAL, in_use);
        if (d->mt_in_use > d->mt_in_use_max)
            d->mt_in_use_max = d->mt_in_use;
        IV_ADD(mt_steals, 1);
        break;
    case XTE_EV_MAPTRACK_EXHAUSTED:
        d = DOM(MAPTRACK_EXHAUSTED);
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
        IV_ADD(mt_exhausted, 1);
        break;
    case XTE_EV_EPT_FLUSH:
        d = DOM(EPT_FLUSH);
        v = F(EPT_FLUSH, latency);
        d->ept_flushes++;
        if (F(EPT_FLUSH, sync))
            d->ept_sync++;
        else
            d->ept_deferred++;
        d->ept_coalesced += F(EPT_FLUSH, coalesced);
        d->ept_ipis += F(EPT_FLUSH, ipis);
        d->ept_marked += F(EPT_FLUSH, marked);
        DIST_ADD(&d->ept_latency, v);
        IV_ADD(ept_flushes, 1);
        IV_ADD(ept_ipis, F(EPT_FLUSH, ipis));
        IV_MAX(ept_max_latency, v);
        break;
    case XTE_EV_EPT_VMENTER_INVEPT:
        (void)DOM(EPT_VMENTER_INVEPT);
        pcpu_get(a, F(EPT_VMENTER_INVEPT, pcpu))->ept_vmenter_invept++;
        break;
    case XTE_EV_EPT_READ_WAIT:
        d = DOM(EPT_READ_WAIT);
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

/* A record shorter than its catalogue entry: the missing words read 0. */
static __attribute__((noinline)) const uint32_t *
pad_words(const struct xte_record *rec, uint32_t *pad)
{
    unsigned int n = rec->nr_extra < XTE_MAX_EXTRA ? rec->nr_extra
                                                   : XTE_MAX_EXTRA;

    memset(pad, 0, XTE_MAX_EXTRA * sizeof(*pad));
    memcpy(pad, rec->extra, n * sizeof(*pad));
    return pad;
}

/* A record of pCPU p at tsc: the pCPU's count and time span. */
static inline __attribute__((always_inline)) void
pcpu_note(struct xa_pcpu *p, uint64_t tsc)
{
    if (__builtin_expect(!p->seen, 0)) {
        p->seen = 1;
        p->first_tsc = tsc;
    }
    p->records++;
    p->last_tsc = tsc > p->last_tsc ? tsc : p->last_tsc;
}

/* What every record does first, in record order: time and its pCPU. */
static inline __attribute__((always_inline)) struct xa_pcpu *
feed_time(struct xa_analysis *a, const struct xte_record *rec)
{
    uint64_t tsc = rec->tsc;
    struct xa_pcpu *p = pcpu_get(a, rec->cpu);

    if (__builtin_expect(!a->have_tsc, 0)) {
        a->have_tsc = 1;
        a->first_tsc = tsc;
    }
    if (__builtin_expect(tsc < a->last_tsc, 0))
        a->tsc_backwards++;
    else
        a->last_tsc = tsc;
    pcpu_note(p, tsc);
    a->records++;
    return p;
}

/* A record outside the catalogue, in record order on either path. */
static inline void feed_upstream(struct xa_analysis *a, struct xa_pcpu *p,
                                 const struct xte_record *rec)
{
    if (__builtin_expect(a->interval_ns != 0, 0))
        interval_advance(a, rec->tsc);
    a->iv.records++;
    count_event_id(a, rec->event);
    if (xa_event_is_interpreted(rec->event)) {
        a->upstream_records++;
        on_upstream(a, p, rec);
    } else {
        a->unknown_records++;
    }
}

/*
 * The domain a catalogue record names; for an event that names none, a
 * placeholder (the slot past the table) that no handler reads.  Which of
 * the two is chosen without a branch: event types come in random order,
 * and a branch on them is mispredicted for a third of the records.
 */
static inline struct xa_domain *named_domain(struct xa_analysis *a,
                                             unsigned int names_domain,
                                             const struct xte_record *rec,
                                             const uint32_t *x)
{
    uint32_t id = x[0];
    uint32_t names = -(uint32_t)names_domain;          /* all ones or 0 */
    uint32_t slot = id < 65536u ? id : SLOT_OTHER;
    struct xa_domain *d;

    slot = (slot & names) | (SLOT_PLACEHOLDER & ~names);
    d = a->domain_slot[slot];
    if (__builtin_expect(!d || !d->seen, 0))
        return dom(a, id, rec->tsc);
    return d;
}

/*
 * One record (xa_feed(), and batches that cannot be grouped).  Everything
 * it calls on the way of an ordinary record is inline; first sightings (a
 * pCPU, a domain, a vCPU), growing a distribution and moving to the next
 * series slot or interval are out of line.
 */
static inline __attribute__((always_inline)) void
feed_one(struct xa_analysis *a, const struct xte_record *rec)
{
    struct xa_pcpu *p = feed_time(a, rec);
    int evi = xte_event_index_of(rec->event);

    if (__builtin_expect(evi >= 0, 1)) {
        enum xte_event_index ev = (enum xte_event_index)evi;
        const uint32_t *x = rec->extra;
        uint32_t pad[XTE_MAX_EXTRA];

        if (__builtin_expect(rec->nr_extra < ev_words[ev], 0))
            x = pad_words(rec, pad);
        if (__builtin_expect(ev == XTE_EV_RUN_INFO, 0))
            on_run_info(a, x);
        if (__builtin_expect(a->interval_ns != 0, 0))
            interval_advance(a, rec->tsc);
        a->iv.records++;
        a->catalogue_records++;
        a->by_catalogue_event[ev]++;
        on_catalogue(a, ev, rec, x,
                     named_domain(a, ev_names_domain[ev], rec, x), NULL, 0);
        return;
    }
    feed_upstream(a, p, rec);
}

void xa_feed(struct xa_analysis *a, const struct xte_record *rec)
{
    feed_one(a, rec);
}

/* The second pass over one bin; bin is a constant in each copy. */
static inline __attribute__((always_inline)) void
run_bin(struct xa_analysis *a, struct xa_group *g,
        const struct xte_record *recs, enum xte_event_index bin,
        const uint16_t *idx, unsigned int m)
{
    const int shared = bin_shared[bin];

    for (unsigned int k = 0; k < m; k++) {
        unsigned int i = idx[k];
        const struct xte_record *rec = &recs[i];
        enum xte_event_index ev = bin;
        const uint32_t *x = rec->extra;
        uint32_t pad[XTE_MAX_EXTRA];

        if (shared) {
            ev = (enum xte_event_index)xte_event_index_of(rec->event);
            a->by_catalogue_event[ev]++;
        }
        if (__builtin_expect(rec->nr_extra < ev_words[ev], 0))
            x = pad_words(rec, pad);
        on_catalogue(a, ev, rec, x, g->named[i], g, i);
    }
    if (!shared)
        a->by_catalogue_event[bin] += m;
}

/*
 * Up to GROUP_CHUNK records in two passes (see "grouped batches").  The
 * first pass is feed_time() and feed_one() with what they do to the run's
 * totals kept in locals: stores through the pCPU and domain pointers would
 * otherwise make the compiler load and store them for every record.
 */
static void feed_chunk(struct xa_analysis *a, const struct xte_record *recs,
                       unsigned int n)
{
    struct xa_group *g = a->group;
    uint64_t last = a->last_tsc, backwards = 0, catalogue = 0;

    if (__builtin_expect(!a->have_tsc, 0)) {
        a->have_tsc = 1;
        a->first_tsc = recs[0].tsc;
    }
    for (unsigned int i = 0; i < n; i++) {
        const struct xte_record *rec = &recs[i];
        uint64_t tsc = rec->tsc;
        struct xa_pcpu *p = pcpu_get(a, rec->cpu);
        struct ev_first f = ev_first[rec->event & 0xfffu];

        if (__builtin_expect(tsc < last, 0))
            backwards++;
        else
            last = tsc;
        pcpu_note(p, tsc);

        if (__builtin_expect(XTE_IS_CATALOGUE_EVENT(rec->event) && f.ev1, 1)) {
            const uint32_t *x = rec->extra;
            uint32_t pad[XTE_MAX_EXTRA];

            if (__builtin_expect(rec->nr_extra < f.words, 0)) {
                enum xte_event_index ev = (enum xte_event_index)(f.ev1 - 1);

                if (rec->nr_extra < ev_words[ev])
                    x = pad_words(rec, pad);
                if (ev == XTE_EV_RUN_INFO)
                    on_run_info(a, x);
            }
            catalogue++;
            g->named[i] = named_domain(a, f.names, rec, x);
            g->bin[f.bin][g->n[f.bin]++] = (uint16_t)i;
        } else {
            feed_upstream(a, p, rec);  /* reads none of the totals */
        }
    }
    a->records += n;
    a->last_tsc = last;
    a->tsc_backwards += backwards;
    a->catalogue_records += catalogue;
    for (unsigned int b = 0; b < XTE_NR_EVENTS; b++) {
        unsigned int m = g->n[b];

        if (!m)
            continue;
        g->n[b] = 0;
        switch (b) {
#define CAT_FIELD(n, b, u, d)
#define CAT_EVENT(sub, name, num, desc, fields)                             \
        case XTE_EV_##name:                                                 \
            run_bin(a, g, recs, XTE_EV_##name, g->bin[b], m);               \
            break;
#define CAT_NODE(sub, ver, desc, pf, df)
#include "catalogue.def"
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE
        }
    }
    if (g->nr_pending)
        group_replay(g);
}

void xa_feed_batch(struct xa_analysis *a, const struct xte_record *recs,
                   size_t n)
{
    while (n) {
        unsigned int m = n < GROUP_CHUNK ? (unsigned int)n : GROUP_CHUNK;

        if (!a->interval_ns) {
            feed_chunk(a, recs, m);
        } else {
            for (unsigned int i = 0; i < m; i++)
                feed_one(a, &recs[i]);
        }
        recs += m;
        n -= m;
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
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        uint32_t id = a->domains[i].domid;

        a->domain_slot[id < 65536u ? id : SLOT_OTHER] = &a->domains[i];
    }
}

void xa_init(struct xa_analysis *a, uint64_t option_hz, uint64_t interval_ns,
             xa_interval_fn fn, void *arg)
{
    check_layout();
    memset(a, 0, sizeof(*a));
    a->option_hz = option_hz;
    if (option_hz) {
        a->cpu_hz = option_hz;
        a->hz_source = XA_HZ_OPTION;
    }
    a->interval_ns = fn ? interval_ns : 0;
    a->interval_fn = fn;
    a->interval_arg = arg;
    /*
     * A mapping of its own rather than calloc(): the kernel's zero pages
     * are free until written, where a sanitizer's calloc clears all 8 MiB
     * on every xa_init() (a third of the fuzzer's speed).
     */
    a->pcpus = mmap(NULL, XA_MAX_PCPUS * sizeof(*a->pcpus),
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                    -1, 0);
    if (a->pcpus == MAP_FAILED)
        a->pcpus = NULL;
    /* + the "other" slot + named_domain()'s placeholder */
    a->domains = calloc(XA_MAX_DOMAINS + 2, sizeof(*a->domains));
    a->domain_slot = calloc(NR_SLOTS, sizeof(*a->domain_slot));
    a->event_ids = calloc(XA_MAX_EVENT_IDS * 2, sizeof(*a->event_ids));
    a->group = calloc(1, sizeof(*a->group));
    if (!a->pcpus || !a->domains || !a->domain_slot || !a->event_ids ||
        !a->group)
        abort();
    a->domains[XA_MAX_DOMAINS + 1].seen = 1;
    a->domain_slot[SLOT_PLACEHOLDER] = &a->domains[XA_MAX_DOMAINS + 1];
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
    if (a->pcpus)
        munmap(a->pcpus, XA_MAX_PCPUS * sizeof(*a->pcpus));
    free(a->domains);
    free(a->domain_slot);
    free(a->event_ids);
    free(a->group);
    memset(a, 0, sizeof(*a));
}
