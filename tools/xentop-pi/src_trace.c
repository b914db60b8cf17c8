/*
 * src_trace.c - counters derived from a trace (--trace FILE|-).
 *
 * A reader thread folds catalogue events into per-pCPU and per-domain
 * records laid out exactly like the hypervisor's telemetry nodes, and every
 * `interval` of trace time hands a copy to the consumer as a sample.  The
 * views therefore cannot tell a trace from a live host, except where an
 * event carries less than a counter (noted below).
 *
 * Derivations that are not one-to-one:
 *   - dpci softirqs_raised counts DPCI_BATCH (one per softirq run), since
 *     a raise that finds the softirq pending leaves no event;
 *   - PI adds_redirected counts PI_LIST_ADD whose pcpu differs from
 *     from_pcpu;
 *   - a 64-bit histogram max is the largest value seen in the trace.
 *
 * Every interval of trace time makes a sample, one without records too
 * (its rates are zero, its gauges those of the interval before), so frames,
 * CSV rows and recorded rows stay one interval apart.  A live pipe cannot
 * tell idle from slow: an idle stretch's samples come when the next record
 * does.  A stretch without records longer than MAX_IDLE intervals (more
 * likely a TSC that jumped than a host idle for that long) makes its first
 * MAX_IDLE samples, then one at its last interval end that spans the rest;
 * so does one whose samples would add up to more than MAX_IDLE_BYTES of
 * node records (a trace that names pCPU 40000 makes 20 MB samples), so a
 * few bytes of garbage cannot turn into hours of copying.
 *
 * The thread waits when the consumer is QLEN samples behind, so a file
 * is read at the pace it is shown and memory stays bounded.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "source.h"

#define QLEN 4
#define MAX_IDLE 100000u
#define MAX_IDLE_BYTES (1ull << 30)

struct acc_node {
    int seen;
    unsigned int nr_pcpus;
    uint8_t *pcpu;
    unsigned int nr_dom, cap_dom;
    uint32_t *domids;           /* sorted */
    uint8_t *dom;               /* records in domids order */
};

struct dominfo {
    uint32_t domid, nr_vcpus, is_hvm;
};

typedef const struct xte_field_desc *fd_t;
typedef const struct xte_counter_desc *cd_t;

struct trace {
    struct xte_reader *r;
    char path[256];
    uint64_t interval_ns;
    uint64_t cpu_hz_opt;

    pthread_t thr;
    int thr_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    atomic_int stop;
    struct xtp_sample *slot[QLEN];  /* ring of filled samples */
    struct xtp_sample *spare[QLEN + 1];
    unsigned int head, count, nr_spare;
    int ended, failed;
    struct xte_error err;

    /* reader-thread state */
    struct acc_node acc[XTE_NR_NODES];
    unsigned int nr_pcpus;
    struct xte_timebase tb;
    int started, dirty, no_hz;
    uint64_t next_ns, last_ns;
    struct dominfo *dom;
    unsigned int nr_dom, cap_dom;
    int have_limit;
    uint64_t pi_limit, hvm_vcpus, slack;

    /* catalogue fields used, looked up by name once */
    struct {
        fd_t hz, npcpus;
    } run;
    struct {
        fd_t domid, vcpus, hvm, mlimit;
    } dinfo;
    struct {
        fd_t pcpu, len, from, limit;
    } add;
    struct {
        fd_t pcpu, len;
    } del;
    struct {
        fd_t pcpu, walked, woken, ns;
    } wake;
    struct {
        fd_t limit, hvm, slack;
    } lim;
    struct {
        fd_t domid, is_write;
    } mfwd;
    struct {
        fd_t domid;
    } memu;
    struct {
        fd_t domid;
    } dsched;
    struct {
        fd_t domid, pcpu, latency;
    } drun;
    struct {
        fd_t pcpu, items;
    } dbatch;
    struct {
        fd_t pcpu, wait;
    } dlock;
    struct {
        fd_t domid, frames, limit, in_use;
    } mgrow;
    struct {
        fd_t domid, in_use;
    } msteal;
    struct {
        fd_t domid, frames, in_use;
    } mexh;
    struct {
        fd_t domid, ipis, coalesced, latency, sync;
    } flush;
    struct {
        fd_t pcpu;
    } invept;
    struct {
        fd_t wait;
    } rwait;

    struct {
        cd_t len, hwm, limit, hvm, adds, redir, irqs, walked, woken, skip,
             walk_len, wtime;
    } pi;
    struct {
        cd_t emu, fwd, wint, wfwd, d_key, d_emu, d_fwd, d_wint;
    } msix;
    struct {
        cd_t softirqs, items, eagain, locks, lockns, batch, lat,
             d_key, d_sched, d_run;
    } dpci;
    struct {
        cd_t grown, steals, failures, d_key, d_vcpus, d_inuse, d_frames,
             d_limit, d_steals, d_failures;
    } mt;
    struct {
        cd_t req, deferred, coalesced, sync, ipis, invept, lat, rwait,
             d_key, d_flushes, d_ipis, d_deferred, d_lat;
    } ept;
};

/* ---- catalogue lookups ------------------------------------------------ */

static int lookup_failed;

static fd_t ef(enum xte_event_index ev, const char *name)
{
    const struct xte_event_desc *e = &xte_events[ev];

    for (unsigned int i = 0; i < e->nr_fields; i++)
        if (strcmp(e->fields[i].name, name) == 0)
            return &e->fields[i];
    lookup_failed = 1;
    return NULL;
}

static cd_t nf(enum xte_node_index n, int dom, const char *name)
{
    cd_t c = xte_node_field(&xte_nodes[n], dom, name);

    if (!c)
        lookup_failed = 1;
    return c;
}

static void lookup_all(struct trace *t)
{
    t->run.hz = ef(XTE_EV_RUN_INFO, "cpu_hz");
    t->run.npcpus = ef(XTE_EV_RUN_INFO, "nr_pcpus");
    t->dinfo.domid = ef(XTE_EV_DOMAIN_INFO, "domid");
    t->dinfo.vcpus = ef(XTE_EV_DOMAIN_INFO, "nr_vcpus");
    t->dinfo.hvm = ef(XTE_EV_DOMAIN_INFO, "is_hvm");
    t->dinfo.mlimit = ef(XTE_EV_DOMAIN_INFO, "maptrack_limit");
    t->add.pcpu = ef(XTE_EV_PI_LIST_ADD, "pcpu");
    t->add.len = ef(XTE_EV_PI_LIST_ADD, "len");
    t->add.from = ef(XTE_EV_PI_LIST_ADD, "from_pcpu");
    t->add.limit = ef(XTE_EV_PI_LIST_ADD, "limit");
    t->del.pcpu = ef(XTE_EV_PI_LIST_DEL, "pcpu");
    t->del.len = ef(XTE_EV_PI_LIST_DEL, "len");
    t->wake.pcpu = ef(XTE_EV_PI_WAKEUP, "pcpu");
    t->wake.walked = ef(XTE_EV_PI_WAKEUP, "walked");
    t->wake.woken = ef(XTE_EV_PI_WAKEUP, "woken");
    t->wake.ns = ef(XTE_EV_PI_WAKEUP, "ns");
    t->lim.limit = ef(XTE_EV_PI_LIMIT, "limit");
    t->lim.hvm = ef(XTE_EV_PI_LIMIT, "hvm_vcpus");
    t->lim.slack = ef(XTE_EV_PI_LIMIT, "slack");
    t->mfwd.domid = ef(XTE_EV_MSIX_FORWARD, "domid");
    t->mfwd.is_write = ef(XTE_EV_MSIX_FORWARD, "is_write");
    t->memu.domid = ef(XTE_EV_MSIX_EMULATED, "domid");
    t->dsched.domid = ef(XTE_EV_DPCI_SCHEDULE, "domid");
    t->drun.domid = ef(XTE_EV_DPCI_RUN, "domid");
    t->drun.pcpu = ef(XTE_EV_DPCI_RUN, "pcpu");
    t->drun.latency = ef(XTE_EV_DPCI_RUN, "latency");
    t->dbatch.pcpu = ef(XTE_EV_DPCI_BATCH, "pcpu");
    t->dbatch.items = ef(XTE_EV_DPCI_BATCH, "items");
    t->dlock.pcpu = ef(XTE_EV_DPCI_LOCK_WAIT, "pcpu");
    t->dlock.wait = ef(XTE_EV_DPCI_LOCK_WAIT, "wait");
    t->mgrow.domid = ef(XTE_EV_MAPTRACK_GROW, "domid");
    t->mgrow.frames = ef(XTE_EV_MAPTRACK_GROW, "frames");
    t->mgrow.limit = ef(XTE_EV_MAPTRACK_GROW, "limit");
    t->mgrow.in_use = ef(XTE_EV_MAPTRACK_GROW, "in_use");
    t->msteal.domid = ef(XTE_EV_MAPTRACK_STEAL, "domid");
    t->msteal.in_use = ef(XTE_EV_MAPTRACK_STEAL, "in_use");
    t->mexh.domid = ef(XTE_EV_MAPTRACK_EXHAUSTED, "domid");
    t->mexh.frames = ef(XTE_EV_MAPTRACK_EXHAUSTED, "frames");
    t->mexh.in_use = ef(XTE_EV_MAPTRACK_EXHAUSTED, "in_use");
    t->flush.domid = ef(XTE_EV_EPT_FLUSH, "domid");
    t->flush.ipis = ef(XTE_EV_EPT_FLUSH, "ipis");
    t->flush.coalesced = ef(XTE_EV_EPT_FLUSH, "coalesced");
    t->flush.latency = ef(XTE_EV_EPT_FLUSH, "latency");
    t->flush.sync = ef(XTE_EV_EPT_FLUSH, "sync");
    t->invept.pcpu = ef(XTE_EV_EPT_VMENTER_INVEPT, "pcpu");
    t->rwait.wait = ef(XTE_EV_EPT_READ_WAIT, "wait");

    t->pi.len = nf(XTE_NODE_pi, 0, "list_len");
    t->pi.hwm = nf(XTE_NODE_pi, 0, "list_hwm");
    t->pi.limit = nf(XTE_NODE_pi, 0, "list_limit");
    t->pi.hvm = nf(XTE_NODE_pi, 0, "hvm_vcpus");
    t->pi.adds = nf(XTE_NODE_pi, 0, "adds");
    t->pi.redir = nf(XTE_NODE_pi, 0, "adds_redirected");
    t->pi.irqs = nf(XTE_NODE_pi, 0, "wakeup_irqs");
    t->pi.walked = nf(XTE_NODE_pi, 0, "entries_walked");
    t->pi.woken = nf(XTE_NODE_pi, 0, "vcpus_woken");
    t->pi.skip = nf(XTE_NODE_pi, 0, "skipped_no_irte");
    t->pi.walk_len = nf(XTE_NODE_pi, 0, "walk_len");
    t->pi.wtime = nf(XTE_NODE_pi, 0, "wakeup_time");
    t->msix.emu = nf(XTE_NODE_msix, 0, "reads_emulated");
    t->msix.fwd = nf(XTE_NODE_msix, 0, "reads_forwarded");
    t->msix.wint = nf(XTE_NODE_msix, 0, "writes_intercepted");
    t->msix.wfwd = nf(XTE_NODE_msix, 0, "writes_forwarded");
    t->msix.d_key = nf(XTE_NODE_msix, 1, "domid");
    t->msix.d_emu = nf(XTE_NODE_msix, 1, "reads_emulated");
    t->msix.d_fwd = nf(XTE_NODE_msix, 1, "reads_forwarded");
    t->msix.d_wint = nf(XTE_NODE_msix, 1, "writes_intercepted");
    t->dpci.softirqs = nf(XTE_NODE_dpci, 0, "softirqs_raised");
    t->dpci.items = nf(XTE_NODE_dpci, 0, "items_run");
    t->dpci.eagain = nf(XTE_NODE_dpci, 0, "teardown_eagain");
    t->dpci.locks = nf(XTE_NODE_dpci, 0, "lock_acquisitions");
    t->dpci.lockns = nf(XTE_NODE_dpci, 0, "lock_wait_ns");
    t->dpci.batch = nf(XTE_NODE_dpci, 0, "batch_size");
    t->dpci.lat = nf(XTE_NODE_dpci, 0, "latency");
    t->dpci.d_key = nf(XTE_NODE_dpci, 1, "domid");
    t->dpci.d_sched = nf(XTE_NODE_dpci, 1, "items_scheduled");
    t->dpci.d_run = nf(XTE_NODE_dpci, 1, "items_run");
    t->mt.grown = nf(XTE_NODE_maptrack, 0, "frames_grown");
    t->mt.steals = nf(XTE_NODE_maptrack, 0, "steals");
    t->mt.failures = nf(XTE_NODE_maptrack, 0, "failures");
    t->mt.d_key = nf(XTE_NODE_maptrack, 1, "domid");
    t->mt.d_vcpus = nf(XTE_NODE_maptrack, 1, "nr_vcpus");
    t->mt.d_inuse = nf(XTE_NODE_maptrack, 1, "in_use");
    t->mt.d_frames = nf(XTE_NODE_maptrack, 1, "frames");
    t->mt.d_limit = nf(XTE_NODE_maptrack, 1, "limit_frames");
    t->mt.d_steals = nf(XTE_NODE_maptrack, 1, "steals");
    t->mt.d_failures = nf(XTE_NODE_maptrack, 1, "failures");
    t->ept.req = nf(XTE_NODE_ept, 0, "flush_requests");
    t->ept.deferred = nf(XTE_NODE_ept, 0, "flushes_deferred");
    t->ept.coalesced = nf(XTE_NODE_ept, 0, "flushes_coalesced");
    t->ept.sync = nf(XTE_NODE_ept, 0, "flushes_sync");
    t->ept.ipis = nf(XTE_NODE_ept, 0, "ipis_sent");
    t->ept.invept = nf(XTE_NODE_ept, 0, "vmenter_invalidations");
    t->ept.lat = nf(XTE_NODE_ept, 0, "flush_latency");
    t->ept.rwait = nf(XTE_NODE_ept, 0, "rlock_wait");
    t->ept.d_key = nf(XTE_NODE_ept, 1, "domid");
    t->ept.d_flushes = nf(XTE_NODE_ept, 1, "flushes");
    t->ept.d_ipis = nf(XTE_NODE_ept, 1, "ipis_sent");
    t->ept.d_deferred = nf(XTE_NODE_ept, 1, "flushes_deferred");
    t->ept.d_lat = nf(XTE_NODE_ept, 1, "flush_latency");
}

/* ---- the accumulated records -------------------------------------------- */

/* A trace names pCPUs in 32-bit fields: refuse what no host has. */
#define MAX_PCPUS 65536u

static uint8_t *acc_pcpu(struct trace *t, enum xte_node_index n,
                         uint32_t cpu)
{
    struct acc_node *a = &t->acc[n];
    size_t rs = xte_nodes[n].pcpu_record_size;

    if (cpu >= MAX_PCPUS)
        return NULL;
    a->seen = 1;
    if (cpu >= a->nr_pcpus) {
        unsigned int nr = cpu + 1 > a->nr_pcpus * 2 ? cpu + 1
                                                    : a->nr_pcpus * 2;
        uint8_t *p = realloc(a->pcpu, nr * rs);

        if (!p)
            return NULL;
        memset(p + a->nr_pcpus * rs, 0, (nr - a->nr_pcpus) * rs);
        a->pcpu = p;
        a->nr_pcpus = nr;
    }
    if (cpu + 1 > t->nr_pcpus)
        t->nr_pcpus = cpu + 1;
    return a->pcpu + cpu * rs;
}

static uint8_t *acc_dom(struct trace *t, enum xte_node_index n,
                        uint32_t domid, cd_t key)
{
    struct acc_node *a = &t->acc[n];
    size_t rs = xte_nodes[n].domain_record_size;
    unsigned int lo = 0, hi = a->nr_dom;

    a->seen = 1;
    while (lo < hi) {
        unsigned int mid = lo + (hi - lo) / 2;

        if (a->domids[mid] < domid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < a->nr_dom && a->domids[lo] == domid)
        return a->dom + lo * rs;
    if (a->nr_dom == a->cap_dom) {
        unsigned int cap = a->cap_dom ? a->cap_dom * 2 : 16;
        uint32_t *ids = realloc(a->domids, cap * sizeof(*ids));
        uint8_t *recs;

        if (!ids)
            return NULL;
        a->domids = ids;
        recs = realloc(a->dom, cap * rs);
        if (!recs)
            return NULL;
        a->dom = recs;
        a->cap_dom = cap;
    }
    memmove(&a->domids[lo + 1], &a->domids[lo],
            (a->nr_dom - lo) * sizeof(*a->domids));
    memmove(a->dom + (lo + 1) * rs, a->dom + lo * rs, (a->nr_dom - lo) * rs);
    a->nr_dom++;
    a->domids[lo] = domid;
    memset(a->dom + lo * rs, 0, rs);
    {
        uint64_t v = domid;

        memcpy(a->dom + lo * rs + key->offset, &v, 8);
    }
    return a->dom + lo * rs;
}

static uint64_t get(const uint8_t *rec, cd_t c)
{
    uint64_t v;

    memcpy(&v, rec + c->offset, 8);
    return v;
}

static void set(uint8_t *rec, cd_t c, uint64_t v)
{
    memcpy(rec + c->offset, &v, 8);
}

static void add(uint8_t *rec, cd_t c, uint64_t v)
{
    set(rec, c, get(rec, c) + v);
}

static void hist_add(uint8_t *rec, cd_t c, uint64_t v)
{
    struct xte_hist h;

    memcpy(&h, rec + c->offset, sizeof(h));
    h.bucket[xte_hist_bucket(v)]++;
    h.sum += v;
    if (v > h.max)
        h.max = v;
    memcpy(rec + c->offset, &h, sizeof(h));
}

static struct dominfo *dominfo(struct trace *t, uint32_t domid)
{
    for (unsigned int i = 0; i < t->nr_dom; i++)
        if (t->dom[i].domid == domid)
            return &t->dom[i];
    if (t->nr_dom == t->cap_dom) {
        unsigned int cap = t->cap_dom ? t->cap_dom * 2 : 16;
        struct dominfo *d = realloc(t->dom, cap * sizeof(*d));

        if (!d)
            return NULL;
        t->dom = d;
        t->cap_dom = cap;
    }
    t->dom[t->nr_dom] = (struct dominfo){ domid, 0, 0 };
    return &t->dom[t->nr_dom++];
}

#define F(fd) xte_field_value((fd), rec->extra, rec->nr_extra)
#define NEED(p) do { if (!(p)) return -1; } while (0)

/* Fold one record in.  -1: out of memory or an impossible pCPU number. */
static int apply(struct trace *t, const struct xte_record *rec)
{
    const struct xte_event_desc *ev = xte_event_by_id(rec->event);
    uint8_t *p, *d;
    uint64_t v;

    if (!ev)
        return 0;               /* upstream or unknown: not ours to count */
    switch (ev - xte_events) {
    case XTE_EV_RUN_INFO:
        if (!t->tb.cpu_hz || t->no_hz) {
            t->tb.cpu_hz = F(t->run.hz);
            t->no_hz = 0;
        }
        v = F(t->run.npcpus);
        if (v > MAX_PCPUS)
            v = MAX_PCPUS;
        if (v > t->nr_pcpus)
            t->nr_pcpus = (unsigned int)v;
        break;
    case XTE_EV_DOMAIN_INFO: {
        struct dominfo *di = dominfo(t, (uint32_t)F(t->dinfo.domid));

        NEED(di);
        di->nr_vcpus = (uint32_t)F(t->dinfo.vcpus);
        di->is_hvm = (uint32_t)F(t->dinfo.hvm);
        NEED(d = acc_dom(t, XTE_NODE_maptrack, di->domid, t->mt.d_key));
        set(d, t->mt.d_vcpus, di->nr_vcpus);
        set(d, t->mt.d_limit, F(t->dinfo.mlimit));
        break;
    }
    case XTE_EV_PI_LIST_ADD:
        NEED(p = acc_pcpu(t, XTE_NODE_pi, (uint32_t)F(t->add.pcpu)));
        add(p, t->pi.adds, 1);
        if (F(t->add.pcpu) != F(t->add.from))
            add(p, t->pi.redir, 1);
        v = F(t->add.len);
        set(p, t->pi.len, v);
        if (v > get(p, t->pi.hwm))
            set(p, t->pi.hwm, v);
        set(p, t->pi.limit, F(t->add.limit));
        if (t->have_limit)
            set(p, t->pi.hvm, t->hvm_vcpus);
        break;
    case XTE_EV_PI_LIST_DEL:
        NEED(p = acc_pcpu(t, XTE_NODE_pi, (uint32_t)F(t->del.pcpu)));
        set(p, t->pi.len, F(t->del.len));
        break;
    case XTE_EV_PI_WAKEUP:
        NEED(p = acc_pcpu(t, XTE_NODE_pi, (uint32_t)F(t->wake.pcpu)));
        add(p, t->pi.irqs, 1);
        add(p, t->pi.walked, F(t->wake.walked));
        add(p, t->pi.woken, F(t->wake.woken));
        hist_add(p, t->pi.walk_len, F(t->wake.walked));
        hist_add(p, t->pi.wtime, F(t->wake.ns));
        break;
    case XTE_EV_PI_SKIP_NO_IRTE:
        NEED(p = acc_pcpu(t, XTE_NODE_pi, rec->cpu));
        add(p, t->pi.skip, 1);
        break;
    case XTE_EV_PI_LIMIT:
        t->have_limit = 1;
        t->pi_limit = F(t->lim.limit);
        t->hvm_vcpus = F(t->lim.hvm);
        t->slack = F(t->lim.slack);
        NEED(acc_pcpu(t, XTE_NODE_pi, rec->cpu));
        for (unsigned int c = 0; c < t->acc[XTE_NODE_pi].nr_pcpus; c++) {
            p = t->acc[XTE_NODE_pi].pcpu +
                c * xte_nodes[XTE_NODE_pi].pcpu_record_size;
            set(p, t->pi.limit, t->pi_limit);
            set(p, t->pi.hvm, t->hvm_vcpus);
        }
        break;
    case XTE_EV_MSIX_FORWARD: {
        int w = F(t->mfwd.is_write) != 0;

        NEED(p = acc_pcpu(t, XTE_NODE_msix, rec->cpu));
        add(p, w ? t->msix.wfwd : t->msix.fwd, 1);
        NEED(d = acc_dom(t, XTE_NODE_msix, (uint32_t)F(t->mfwd.domid),
                         t->msix.d_key));
        if (!w)
            add(d, t->msix.d_fwd, 1);
        break;
    }
    case XTE_EV_MSIX_EMULATED:
        NEED(p = acc_pcpu(t, XTE_NODE_msix, rec->cpu));
        add(p, t->msix.emu, 1);
        NEED(d = acc_dom(t, XTE_NODE_msix, (uint32_t)F(t->memu.domid),
                         t->msix.d_key));
        add(d, t->msix.d_emu, 1);
        break;
    case XTE_EV_DPCI_SCHEDULE:
        NEED(acc_pcpu(t, XTE_NODE_dpci, rec->cpu));
        NEED(d = acc_dom(t, XTE_NODE_dpci, (uint32_t)F(t->dsched.domid),
                         t->dpci.d_key));
        add(d, t->dpci.d_sched, 1);
        break;
    case XTE_EV_DPCI_RUN:
        NEED(p = acc_pcpu(t, XTE_NODE_dpci, (uint32_t)F(t->drun.pcpu)));
        add(p, t->dpci.items, 1);
        hist_add(p, t->dpci.lat, F(t->drun.latency));
        NEED(d = acc_dom(t, XTE_NODE_dpci, (uint32_t)F(t->drun.domid),
                         t->dpci.d_key));
        add(d, t->dpci.d_run, 1);
        break;
    case XTE_EV_DPCI_BATCH:
        NEED(p = acc_pcpu(t, XTE_NODE_dpci, (uint32_t)F(t->dbatch.pcpu)));
        add(p, t->dpci.softirqs, 1);
        hist_add(p, t->dpci.batch, F(t->dbatch.items));
        break;
    case XTE_EV_DPCI_LOCK_WAIT:
        NEED(p = acc_pcpu(t, XTE_NODE_dpci, (uint32_t)F(t->dlock.pcpu)));
        add(p, t->dpci.locks, 1);
        add(p, t->dpci.lockns, F(t->dlock.wait));
        break;
    case XTE_EV_DPCI_TEARDOWN_EAGAIN:
        NEED(p = acc_pcpu(t, XTE_NODE_dpci, rec->cpu));
        add(p, t->dpci.eagain, 1);
        break;
    case XTE_EV_MAPTRACK_GROW:
        NEED(p = acc_pcpu(t, XTE_NODE_maptrack, rec->cpu));
        add(p, t->mt.grown, 1);
        NEED(d = acc_dom(t, XTE_NODE_maptrack, (uint32_t)F(t->mgrow.domid),
                         t->mt.d_key));
        set(d, t->mt.d_frames, F(t->mgrow.frames));
        set(d, t->mt.d_limit, F(t->mgrow.limit));
        set(d, t->mt.d_inuse, F(t->mgrow.in_use));
        break;
    case XTE_EV_MAPTRACK_STEAL:
        NEED(p = acc_pcpu(t, XTE_NODE_maptrack, rec->cpu));
        add(p, t->mt.steals, 1);
        NEED(d = acc_dom(t, XTE_NODE_maptrack, (uint32_t)F(t->msteal.domid),
                         t->mt.d_key));
        add(d, t->mt.d_steals, 1);
        set(d, t->mt.d_inuse, F(t->msteal.in_use));
        break;
    case XTE_EV_MAPTRACK_EXHAUSTED:
        NEED(p = acc_pcpu(t, XTE_NODE_maptrack, rec->cpu));
        add(p, t->mt.failures, 1);
        NEED(d = acc_dom(t, XTE_NODE_maptrack, (uint32_t)F(t->mexh.domid),
                         t->mt.d_key));
        add(d, t->mt.d_failures, 1);
        set(d, t->mt.d_frames, F(t->mexh.frames));
        set(d, t->mt.d_inuse, F(t->mexh.in_use));
        break;
    case XTE_EV_EPT_FLUSH: {
        uint64_t co = F(t->flush.coalesced), ipis = F(t->flush.ipis);
        int sync = F(t->flush.sync) != 0;

        NEED(p = acc_pcpu(t, XTE_NODE_ept, rec->cpu));
        add(p, t->ept.req, 1 + co);
        add(p, t->ept.coalesced, co);
        add(p, sync ? t->ept.sync : t->ept.deferred, 1);
        add(p, t->ept.ipis, ipis);
        hist_add(p, t->ept.lat, F(t->flush.latency));
        NEED(d = acc_dom(t, XTE_NODE_ept, (uint32_t)F(t->flush.domid),
                         t->ept.d_key));
        add(d, t->ept.d_flushes, 1);
        add(d, t->ept.d_ipis, ipis);
        if (!sync)
            add(d, t->ept.d_deferred, 1);
        hist_add(d, t->ept.d_lat, F(t->flush.latency));
        break;
    }
    case XTE_EV_EPT_VMENTER_INVEPT:
        NEED(p = acc_pcpu(t, XTE_NODE_ept, (uint32_t)F(t->invept.pcpu)));
        add(p, t->ept.invept, 1);
        break;
    case XTE_EV_EPT_READ_WAIT:
        NEED(p = acc_pcpu(t, XTE_NODE_ept, rec->cpu));
        hist_add(p, t->ept.rwait, F(t->rwait.wait));
        break;
    default:
        break;
    }
    return 0;
}

/* ---- samples -------------------------------------------------------------- */

/* The bytes of node n in a snapshot (0 if the trace has none of it). */
static size_t node_bytes(const struct trace *t, unsigned int n)
{
    const struct xte_node_desc *nd = &xte_nodes[n];
    const struct acc_node *a = &t->acc[n];

    if (!a->seen)
        return 0;
    return sizeof(struct xte_telemetry_header) +
           (size_t)t->nr_pcpus * nd->pcpu_record_size +
           (size_t)a->nr_dom * nd->domain_record_size;
}

static int snapshot(struct trace *t, struct xtp_sample *s, uint64_t t_ns)
{
    xtp_sample_clear(s);
    s->t_ns = t_ns;
    s->generation = 1;
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        const struct xte_node_desc *nd = &xte_nodes[n];
        struct acc_node *a = &t->acc[n];
        unsigned int np = t->nr_pcpus;
        size_t len, have;
        uint8_t *buf;

        if (!a->seen)
            continue;
        len = node_bytes(t, n);
        buf = xtp_sample_node_buffer(s, n, len);
        if (!buf || xte_node_init(buf, len, n, np, a->nr_dom, t_ns, 1) != len)
            return xte_set_error(&t->err, t->path, 0,
                                 "cannot build the %s node", nd->subsystem);
        have = (size_t)(a->nr_pcpus < np ? a->nr_pcpus : np) *
               nd->pcpu_record_size;
        if (have)
            memcpy(buf + sizeof(struct xte_telemetry_header), a->pcpu, have);
        if (a->nr_dom)
            memcpy(buf + sizeof(struct xte_telemetry_header) +
                   (size_t)np * nd->pcpu_record_size, a->dom,
                   (size_t)a->nr_dom * nd->domain_record_size);
        if (xtp_sample_parse_node(s, n, len, t->path, &t->err) < 0)
            return -1;
    }
    s->host.nr_pcpus = t->nr_pcpus;
    if (t->have_limit) {
        s->host.have_pi_limit = 1;
        s->host.pi_limit = t->pi_limit;
        s->host.have_hvm_vcpus = 1;
        s->host.hvm_vcpus = t->hvm_vcpus;
        s->host.nr_params = 1;
        snprintf(s->host.params[0].name, sizeof(s->host.params[0].name),
                 "pi_list_slack");
        snprintf(s->host.params[0].value, sizeof(s->host.params[0].value),
                 "%llu", (unsigned long long)t->slack);
    }
    if (!t->have_limit && t->nr_dom) {
        /* No PI_LIMIT (an unbounded baseline): count DOMAIN_INFO's. */
        s->host.have_hvm_vcpus = 1;
        for (unsigned int i = 0; i < t->nr_dom; i++)
            if (t->dom[i].is_hvm)
                s->host.hvm_vcpus += t->dom[i].nr_vcpus;
    }
    for (unsigned int i = 0; i < t->nr_dom; i++) {
        struct xtp_domain *d = xtp_sample_domain(s, t->dom[i].domid);

        if (!d)
            return xte_set_error(&t->err, t->path, 0, "out of memory");
        d->nr_vcpus = t->dom[i].nr_vcpus;
        d->is_hvm = t->dom[i].is_hvm != 0;
    }
    if (t->no_hz)
        snprintf(s->note, sizeof(s->note),
                 "no RUN_INFO record: TSC taken as 1 GHz (--cpu-hz)");
    xtp_sample_derive_host(s);
    return 0;
}

/* Queue a snapshot; waits while the consumer is QLEN behind.  -1: stop. */
static int push(struct trace *t, uint64_t t_ns)
{
    struct xtp_sample *s;

    pthread_mutex_lock(&t->lock);
    while (t->count == QLEN && !atomic_load(&t->stop))
        pthread_cond_wait(&t->cond, &t->lock);
    if (atomic_load(&t->stop)) {
        pthread_mutex_unlock(&t->lock);
        return -1;
    }
    s = t->spare[--t->nr_spare];
    pthread_mutex_unlock(&t->lock);

    if (snapshot(t, s, t_ns) < 0) {
        pthread_mutex_lock(&t->lock);
        t->spare[t->nr_spare++] = s;
        pthread_mutex_unlock(&t->lock);
        return -2;
    }
    pthread_mutex_lock(&t->lock);
    t->slot[(t->head + t->count) % QLEN] = s;
    t->count++;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    return 0;
}

/*
 * Queue a sample at every interval end before ns, the time of the record
 * about to be folded in (see MAX_IDLE for a long stretch without records).
 * A record at an interval end counts in that interval, so the last sample
 * (at the last record) never repeats an interval end's time.  0, or
 * push()'s -1 (stop) or -2 (failed).
 */
static int push_until(struct trace *t, uint64_t ns)
{
    /* Interval ends before ns: next_ns + i * interval_ns, i < n. */
    uint64_t n = (ns - 1 - t->next_ns) / t->interval_ns + 1;
    uint64_t sample_bytes = 0, most;

    for (unsigned int k = 0; k < XTE_NR_NODES; k++)
        sample_bytes += node_bytes(t, k);
    most = sample_bytes ? MAX_IDLE_BYTES / sample_bytes : MAX_IDLE;
    most = most < 1 ? 1 : most > MAX_IDLE ? MAX_IDLE : most;
    for (uint64_t i = 0; i < n; i++) {
        int p;

        if (i == most && n > most + 1)
            i = n - 1;          /* the rest in one sample */
        p = push(t, t->next_ns + i * t->interval_ns);
        if (p < 0)
            return p;
    }
    /* A TSC at the end of time: no interval ends after UINT64_MAX. */
    if (n > (UINT64_MAX - t->next_ns) / t->interval_ns)
        t->next_ns = UINT64_MAX;
    else
        t->next_ns += n * t->interval_ns;
    t->dirty = 0;
    return 0;
}

static void finish(struct trace *t, int failed)
{
    pthread_mutex_lock(&t->lock);
    t->ended = 1;
    t->failed = failed;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

static void *reader_thread(void *arg)
{
    struct trace *t = arg;
    struct xte_record rec;
    int rc, pushed = 0;

    while ((rc = xte_reader_next(t->r, &rec)) == 1) {
        uint64_t ns;

        if (atomic_load(&t->stop))
            break;

        if (!t->started && !t->tb.cpu_hz && t->cpu_hz_opt)
            t->tb.cpu_hz = t->cpu_hz_opt;
        if (!t->started && (rec.event & 0x0fffffffu) == XTE_TRC_RUN_INFO)
            apply(t, &rec);     /* sets the time base before time 0 */
        if (!t->tb.cpu_hz) {
            /* No RUN_INFO before the first record. */
            t->tb.cpu_hz = 1000000000u;
            t->no_hz = 1;
        }
        ns = xte_tsc_to_ns(&t->tb, rec.tsc);
        if (ns < t->last_ns)
            ns = t->last_ns;    /* out-of-order TSC: never step back */
        if (!t->started) {
            t->started = 1;
            t->next_ns = ns + t->interval_ns;
        }
        if (ns > t->next_ns) {
            int p = push_until(t, ns);

            if (p == -1)
                break;
            if (p == -2) {
                finish(t, 1);
                return NULL;
            }
            pushed = 1;
        }
        if (apply(t, &rec) < 0) {
            xte_set_error(&t->err, t->path, rec.offset,
                          "record %s: pCPU number out of range or out of"
                          " memory", xte_event_by_id(rec.event)->name);
            rc = -2;
            break;
        }
        t->dirty = 1;
        t->last_ns = ns;
    }
    if (atomic_load(&t->stop)) {
        finish(t, 0);
        return NULL;
    }
    if (rc == -1)
        t->err = *xte_reader_error(t->r);
    if (!t->started && rc == 0) {
        xte_set_error(&t->err, t->path, 0, "no trace records");
        rc = -1;
    }
    /* Keep what was read: the records before a fault make a last sample. */
    if (t->started && (t->dirty || !pushed)) {
        int p = push(t, t->last_ns);

        if (p == -2) {
            finish(t, 1);
            return NULL;
        }
    }
    finish(t, rc < 0);
    return NULL;
}

static int trace_read(struct xtp_source *src, struct xtp_sample *s, int block,
                      struct xte_error *err)
{
    struct trace *t = src->priv;
    struct xtp_sample *got;

    pthread_mutex_lock(&t->lock);
    while (!t->count && !t->ended && block)
        pthread_cond_wait(&t->cond, &t->lock);
    if (!t->count) {
        int rc = !t->ended ? XTP_READ_AGAIN
                 : t->failed ? XTP_READ_ERROR : XTP_READ_END;

        if (rc == XTP_READ_ERROR)
            *err = t->err;
        pthread_mutex_unlock(&t->lock);
        return rc;
    }
    got = t->slot[t->head];
    t->head = (t->head + 1) % QLEN;
    t->count--;
    /* The caller gets the sample's contents, the queue its old buffers. */
    xtp_sample_swap(got, s);
    t->spare[t->nr_spare++] = got;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    return XTP_READ_SAMPLE;
}

static int should_stop(void *arg)
{
    struct trace *t = arg;

    return atomic_load(&t->stop);
}

static void trace_free(struct trace *t)
{
    for (unsigned int i = 0; i < t->nr_spare; i++)
        xtp_sample_free(t->spare[i]);
    for (unsigned int i = 0; i < t->count; i++)
        xtp_sample_free(t->slot[(t->head + i) % QLEN]);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        free(t->acc[n].pcpu);
        free(t->acc[n].dom);
        free(t->acc[n].domids);
    }
    free(t->dom);
    if (t->r)
        xte_reader_close(t->r);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    free(t);
}

static void trace_close(struct xtp_source *src)
{
    struct trace *t = src->priv;

    pthread_mutex_lock(&t->lock);
    atomic_store(&t->stop, 1);
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (t->thr_started)
        pthread_join(t->thr, NULL);
    trace_free(t);
}

static const struct xtp_source_ops trace_ops = { trace_read, trace_close };

int xtp_trace_open(struct xtp_source *src, const struct xtp_source_opts *o,
                   struct xte_error *err)
{
    struct trace *t = calloc(1, sizeof(*t));
    struct xte_reader_opts ro = { 0 };

    if (!t)
        return xte_set_error(err, o->arg, 0, "out of memory");
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    snprintf(t->path, sizeof(t->path), "%s",
             strcmp(o->arg, "-") ? o->arg : "<stdin>");
    t->interval_ns = (uint64_t)((o->interval_s > 0 ? o->interval_s : 1.0) *
                                1e9);
    if (!t->interval_ns)
        t->interval_ns = 1;
    t->cpu_hz_opt = o->cpu_hz;
    lookup_failed = 0;
    lookup_all(t);
    if (lookup_failed) {
        trace_free(t);
        return xte_set_error(err, o->arg, 0,
                             "catalogue lacks a field xentop-pi derives"
                             " counters from (rebuild xentop-pi)");
    }
    for (unsigned int i = 0; i < QLEN; i++) {
        t->spare[i] = xtp_sample_new();
        if (!t->spare[i]) {
            trace_free(t);
            return xte_set_error(err, o->arg, 0, "out of memory");
        }
        t->nr_spare++;
    }
    /*
     * A pipe is always read in follow mode: the library then polls and
     * asks should_stop() between polls, so closing the source never waits
     * for a writer that has gone quiet.  It still ends when the writer
     * closes the pipe.
     */
    ro.follow = o->follow;
    if (strcmp(o->arg, "-") == 0) {
        ro.follow = 1;
    } else {
        struct stat st;

        if (stat(o->arg, &st) == 0 && !S_ISREG(st.st_mode))
            ro.follow = 1;
    }
    ro.stop = should_stop;
    ro.stop_arg = t;
    ro.poll_ms = 100;
    t->r = xte_reader_open(o->arg, &ro, err);
    if (!t->r) {
        trace_free(t);
        return -1;
    }
    if (pthread_create(&t->thr, NULL, reader_thread, t) != 0) {
        trace_free(t);
        return xte_set_error(err, o->arg, 0, "cannot start the reader");
    }
    t->thr_started = 1;
    src->ops = &trace_ops;
    src->priv = t;
    src->recorded = 1;          /* samples are paced by trace time */
    snprintf(src->label, sizeof(src->label), "trace:%s", o->arg);
    return 0;
}
