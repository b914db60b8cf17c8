/*
 * views.c - PI, dpci, maptrack, EPT and MSI-X as tables.
 *
 * Rates and interval percentiles come from rate.c; gauges are shown as
 * they are now.  Field names are looked up in the catalogue, so a counter
 * renamed there stops the program with its name rather than showing zeros.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views.h"

enum { PI_PCPU, PI_LEN, PI_LIMIT, PI_USE, PI_HWM, PI_ADDS, PI_REDIR,
       PI_WAKE, PI_WALKMAX, PI_NCOLS };
static const struct xtp_column pi_cols[PI_NCOLS] = {
    { "PCPU", "pcpu", XTP_COL_INT, 5, 0 },
    { "LEN", "list_len", XTP_COL_INT, 6, 1 },
    { "LIMIT", "list_limit", XTP_COL_INT, 6, 1 },
    { "USE%", "use_pct", XTP_COL_PCT, 6, 1 },
    { "HWM", "list_hwm", XTP_COL_INT, 6, 1 },
    { "ADDS/s", "adds_per_s", XTP_COL_RATE, 9, 1 },
    { "REDIR/s", "redirects_per_s", XTP_COL_RATE, 9, 1 },
    { "WAKE/s", "wakeups_per_s", XTP_COL_RATE, 9, 1 },
    { "WALKMAX", "longest_walk", XTP_COL_INT, 8, 1 },
};

enum { DP_PCPU, DP_SIRQ, DP_ITEMS, DP_P99, DP_MAX, DP_LOCK, DP_EAGAIN,
       DP_NCOLS };
static const struct xtp_column dpci_cols[DP_NCOLS] = {
    { "PCPU", "pcpu", XTP_COL_INT, 5, 0 },
    { "SIRQ/s", "softirqs_per_s", XTP_COL_RATE, 10, 1 },
    { "ITEMS/s", "items_per_s", XTP_COL_RATE, 10, 1 },
    { "LATP99", "latency_p99_ns", XTP_COL_NS, 9, 1 },
    { "LATMAX", "latency_max_ns", XTP_COL_NS, 9, 1 },
    { "LOCKW%", "lock_wait_pct", XTP_COL_PCT, 7, 1 },
    { "EAGAIN", "teardown_eagain", XTP_COL_INT, 7, 1 },
};

enum { MT_DOM, MT_NAME, MT_VCPUS, MT_INUSE, MT_LIMIT, MT_USE, MT_FRAMES,
       MT_STEAL, MT_FAILS, MT_NCOLS };
static const struct xtp_column mt_cols[MT_NCOLS] = {
    { "DOM", "domid", XTP_COL_INT, 5, 0 },
    { "NAME", "name", XTP_COL_NAME, 12, 0 },
    { "VCPUS", "vcpus", XTP_COL_INT, 5, 1 },
    { "INUSE", "handles_in_use", XTP_COL_INT, 8, 1 },
    { "LIMIT", "handle_limit", XTP_COL_INT, 8, 1 },
    { "USE%", "use_pct", XTP_COL_PCT, 6, 1 },
    { "FRAMES", "frames", XTP_COL_INT, 6, 1 },
    { "STEAL/s", "steals_per_s", XTP_COL_RATE, 8, 1 },
    { "FAILS", "failures", XTP_COL_INT, 6, 1 },
};

enum { EP_DOM, EP_NAME, EP_FLUSH, EP_P50, EP_P99, EP_MAX, EP_IPI, EP_DEFER,
       EP_NCOLS };
static const struct xtp_column ept_cols[EP_NCOLS] = {
    { "DOM", "domid", XTP_COL_INT, 5, 0 },
    { "NAME", "name", XTP_COL_NAME, 12, 0 },
    { "FLUSH/s", "flushes_per_s", XTP_COL_RATE, 9, 1 },
    { "P50", "latency_p50_ns", XTP_COL_NS, 8, 1 },
    { "P99", "latency_p99_ns", XTP_COL_NS, 8, 1 },
    { "MAX", "latency_max_ns", XTP_COL_NS, 8, 1 },
    { "IPI/FL", "ipis_per_flush", XTP_COL_RATE, 7, 1 },
    { "DEFER%", "deferred_pct", XTP_COL_PCT, 7, 1 },
};

enum { MX_DOM, MX_NAME, MX_EMUL, MX_FWD, MX_SHARE, MX_WRITES, MX_NCOLS };
static const struct xtp_column msix_cols[MX_NCOLS] = {
    { "DOM", "domid", XTP_COL_INT, 5, 0 },
    { "NAME", "name", XTP_COL_NAME, 12, 0 },
    { "EMUL/s", "reads_emulated_per_s", XTP_COL_RATE, 10, 1 },
    { "FWD/s", "reads_forwarded_per_s", XTP_COL_RATE, 10, 1 },
    { "EMUL%", "emulated_pct", XTP_COL_PCT, 7, 1 },
    { "WRITES/s", "writes_intercepted_per_s", XTP_COL_RATE, 10, 1 },
};

const struct xtp_view_desc xtp_views[XTP_NR_VIEWS] = {
    [XTP_VIEW_PI] = { "pi", "PI", 'p',
        "per pCPU: PI blocking-list length against the limit, high-water"
        " mark, adds/redirects/wakeups per second, longest walk",
        PI_NCOLS, pi_cols, PI_USE, PI_LEN, PI_LIMIT, PI_PCPU },
    [XTP_VIEW_DPCI] = { "dpci", "dpci", 'd',
        "per pCPU: dpci softirqs and items per second, schedule-to-run"
        " latency, global-lock wait; top domains above",
        DP_NCOLS, dpci_cols, -1, -1, -1, DP_PCPU },
    [XTP_VIEW_MAPTRACK] = { "maptrack", "maptrack", 'm',
        "per domain: maptrack handles in use against the limit, frames,"
        " steals per second, failed requests",
        MT_NCOLS, mt_cols, MT_USE, MT_INUSE, MT_LIMIT, MT_DOM },
    [XTP_VIEW_EPT] = { "ept", "EPT", 'e',
        "per domain: EPT flushes per second, latency p50/p99/max, IPIs per"
        " flush, share deferred to the write-lock release",
        EP_NCOLS, ept_cols, -1, -1, -1, EP_DOM },
    [XTP_VIEW_MSIX] = { "msix", "MSI-X", 'x',
        "per domain: MSI-X table reads per second answered by the"
        " hypervisor vs forwarded to the device model",
        MX_NCOLS, msix_cols, -1, -1, -1, MX_DOM },
};

enum xtp_view_id xtp_view_by_name(const char *name)
{
    for (unsigned int v = 0; v < XTP_NR_VIEWS; v++)
        if (strcmp(xtp_views[v].name, name) == 0)
            return v;
    return XTP_NR_VIEWS;
}

void xtp_table_init(struct xtp_table *t)
{
    memset(t, 0, sizeof(*t));
}

void xtp_table_free(struct xtp_table *t)
{
    free(t->val);
    free(t->known);
    free(t->name);
    free(t->order);
    xtp_table_init(t);
}

static int table_reset(struct xtp_table *t, enum xtp_view_id v,
                       unsigned int rows)
{
    const unsigned int nc = XTP_MAX_COLS;

    t->desc = &xtp_views[v];
    t->nrows = 0;
    t->note[0] = '\0';
    if (rows > t->cap) {
        double *val = realloc(t->val, (size_t)rows * nc * sizeof(*val));
        uint8_t *known;
        char (*name)[48];
        unsigned int *order;

        if (!val)
            return -1;
        t->val = val;
        known = realloc(t->known, (size_t)rows * nc);
        if (!known)
            return -1;
        t->known = known;
        name = realloc(t->name, (size_t)rows * sizeof(*name));
        if (!name)
            return -1;
        t->name = name;
        order = realloc(t->order, (size_t)rows * sizeof(*order));
        if (!order)
            return -1;
        t->order = order;
        t->cap = rows;
    }
    return 0;
}

static void put(struct xtp_table *t, unsigned int row, unsigned int col,
                double v, int known)
{
    size_t i = (size_t)row * t->desc->ncols + col;

    t->val[i] = known ? v : 0;
    t->known[i] = (uint8_t)!!known;
}

static void put_rate(struct xtp_table *t, unsigned int row, unsigned int col,
                     enum xtp_rate_status st, double r)
{
    put(t, row, col, r, st == XTP_RATE_OK);
}

static unsigned int new_row(struct xtp_table *t)
{
    unsigned int r = t->nrows++;

    t->order[r] = r;
    t->name[r][0] = '\0';
    memset(&t->known[(size_t)r * t->desc->ncols], 0, t->desc->ncols);
    return r;
}

static const struct xte_counter_desc *fld(enum xte_node_index n, int dom,
                                          const char *name)
{
    const struct xte_counter_desc *f = xte_node_field(&xte_nodes[n], dom,
                                                      name);

    if (!f) {
        /* The catalogue is compiled in: only a rename there gets here. */
        fprintf(stderr, "xentop-pi: the catalogue has no %s %s field '%s'"
                " (views.c needs updating)\n", xte_nodes[n].subsystem,
                dom ? "domain" : "pCPU", name);
        abort();
    }
    return f;
}

static void domain_name(struct xtp_table *t, unsigned int row,
                        const struct xtp_sample *s, uint64_t domid)
{
    const struct xtp_domain *d = xtp_sample_find_domain(s, (uint32_t)domid);

    if (d && d->name[0])
        snprintf(t->name[row], sizeof(t->name[row]), "%s", d->name);
    else if (domid == 0)
        snprintf(t->name[row], sizeof(t->name[row]), "Domain-0");
    else
        snprintf(t->name[row], sizeof(t->name[row]), "dom%llu",
                 (unsigned long long)domid);
}

/* A view without its node says why, when the source knows (collect.h). */
static int absent(struct xtp_table *t, enum xte_node_index n,
                  const struct xtp_sample *s)
{
    const struct xtp_node *node = &s->node[n];

    if (node->not_built)
        snprintf(t->note, sizeof(t->note), "no %s telemetry: the fix is not "
                 "built into this hypervisor", xte_nodes[n].subsystem);
    else if (node->read_errno)
        snprintf(t->note, sizeof(t->note), "no %s telemetry: cannot read "
                 "/telemetry/%s (%s)", xte_nodes[n].subsystem,
                 xte_nodes[n].subsystem, strerror(node->read_errno));
    else
        snprintf(t->note, sizeof(t->note),
                 "no %s telemetry from this source", xte_nodes[n].subsystem);
    return 0;
}

/*
 * A per-domain view without its node (a stock hypervisor): still list the
 * domains the source knows, with what it knows of them.
 */
static int absent_domains(struct xtp_table *t, enum xtp_view_id vid,
                          enum xte_node_index n,
                          const struct xtp_interval *iv, int vcpus_col)
{
    const struct xtp_sample *s = iv->cur;

    if (table_reset(t, vid, s->nr_domains) < 0)
        return -1;
    absent(t, n, s);
    for (unsigned int i = 0; i < s->nr_domains; i++) {
        unsigned int r = new_row(t);

        put(t, r, 0, s->domains[i].domid, 1);
        domain_name(t, r, s, s->domains[i].domid);
        put(t, r, 1, 0, 1);
        if (vcpus_col >= 0 && s->domains[i].nr_vcpus)
            put(t, r, (unsigned int)vcpus_col, s->domains[i].nr_vcpus, 1);
    }
    return 0;
}

static int build_pi(struct xtp_table *t, const struct xtp_interval *iv)
{
    const struct xte_node_view *v = iv->node[XTE_NODE_pi].cur;
    const struct xte_counter_desc *len = fld(XTE_NODE_pi, 0, "list_len"),
        *hwm = fld(XTE_NODE_pi, 0, "list_hwm"),
        *lim = fld(XTE_NODE_pi, 0, "list_limit"),
        *adds = fld(XTE_NODE_pi, 0, "adds"),
        *redir = fld(XTE_NODE_pi, 0, "adds_redirected"),
        *wake = fld(XTE_NODE_pi, 0, "wakeup_irqs"),
        *walk = fld(XTE_NODE_pi, 0, "walk_len");
    uint64_t total = 0, busiest = 0, bcpu = 0, over = 0;

    if (!v)
        return absent(t, XTE_NODE_pi, iv->cur);
    if (table_reset(t, XTP_VIEW_PI, v->hdr.nr_pcpus) < 0)
        return -1;
    for (unsigned int c = 0; c < v->hdr.nr_pcpus; c++) {
        const uint8_t *rec = xte_node_pcpu(v, c);
        unsigned int r = new_row(t);
        uint64_t l = xte_rec_u64(rec, len), m = xte_rec_u64(rec, lim);
        enum xtp_rate_status st;
        struct xte_hist h;
        double rate;

        put(t, r, PI_PCPU, c, 1);
        put(t, r, PI_LEN, (double)l, 1);
        put(t, r, PI_LIMIT, (double)m, m != 0);
        put(t, r, PI_USE, m ? 100.0 * (double)l / (double)m : 0, m != 0);
        put(t, r, PI_HWM, (double)xte_rec_u64(rec, hwm), 1);
        st = xtp_rate_pcpu(iv, XTE_NODE_pi, c, adds, &rate);
        put_rate(t, r, PI_ADDS, st, rate);
        st = xtp_rate_pcpu(iv, XTE_NODE_pi, c, redir, &rate);
        put_rate(t, r, PI_REDIR, st, rate);
        st = xtp_rate_pcpu(iv, XTE_NODE_pi, c, wake, &rate);
        put_rate(t, r, PI_WAKE, st, rate);
        xte_rec_hist(rec, walk, &h);
        put(t, r, PI_WALKMAX, (double)h.max, 1);
        total += l;
        if (l > busiest || c == 0) {
            busiest = l;
            bcpu = c;
        }
        if (m && l > m)
            over++;
    }
    snprintf(t->note, sizeof(t->note),
             "on PI lists: %llu vCPUs; longest list: pCPU %llu (%llu);"
             " over limit: %llu", (unsigned long long)total,
             (unsigned long long)bcpu, (unsigned long long)busiest,
             (unsigned long long)over);
    return 0;
}

struct top {
    uint64_t domid;
    double rate;
};

static int build_dpci(struct xtp_table *t, const struct xtp_interval *iv)
{
    const struct xte_node_view *v = iv->node[XTE_NODE_dpci].cur;
    const struct xte_counter_desc *sirq = fld(XTE_NODE_dpci, 0,
                                              "softirqs_raised"),
        *items = fld(XTE_NODE_dpci, 0, "items_run"),
        *lat = fld(XTE_NODE_dpci, 0, "latency"),
        *lockns = fld(XTE_NODE_dpci, 0, "lock_wait_ns"),
        *eagain = fld(XTE_NODE_dpci, 0, "teardown_eagain"),
        *dkey = fld(XTE_NODE_dpci, 1, "domid"),
        *drun = fld(XTE_NODE_dpci, 1, "items_run");
    struct top top[5];
    unsigned int ntop = 0;
    size_t used;

    if (!v)
        return absent(t, XTE_NODE_dpci, iv->cur);
    if (table_reset(t, XTP_VIEW_DPCI, v->hdr.nr_pcpus) < 0)
        return -1;
    for (unsigned int c = 0; c < v->hdr.nr_pcpus; c++) {
        const uint8_t *rec = xte_node_pcpu(v, c);
        unsigned int r = new_row(t);
        enum xtp_rate_status st;
        struct xte_hist h;
        double rate;

        put(t, r, DP_PCPU, c, 1);
        st = xtp_rate_pcpu(iv, XTE_NODE_dpci, c, sirq, &rate);
        put_rate(t, r, DP_SIRQ, st, rate);
        st = xtp_rate_pcpu(iv, XTE_NODE_dpci, c, items, &rate);
        put_rate(t, r, DP_ITEMS, st, rate);
        xtp_hist_pcpu(iv, XTE_NODE_dpci, c, lat, &h);
        put(t, r, DP_P99, (double)xte_hist_quantile(&h, 0.99),
            xte_hist_count(&h) != 0);
        put(t, r, DP_MAX, (double)h.max, xte_hist_count(&h) != 0);
        st = xtp_rate_pcpu(iv, XTE_NODE_dpci, c, lockns, &rate);
        put(t, r, DP_LOCK, rate / 1e7, st == XTP_RATE_OK);
        put(t, r, DP_EAGAIN, (double)xte_rec_u64(rec, eagain), 1);
    }
    /* The busiest domains of the interval. */
    for (unsigned int i = 0; i < v->hdr.nr_domains; i++) {
        double rate;
        unsigned int k;

        if (xtp_rate_domain(iv, XTE_NODE_dpci, i, drun, &rate) !=
            XTP_RATE_OK || rate <= 0)
            continue;
        for (k = ntop; k > 0 && top[k - 1].rate < rate; k--)
            if (k < 5)
                top[k] = top[k - 1];
        if (k < 5) {
            top[k].rate = rate;
            top[k].domid = xte_rec_u64(xte_node_domain(v, i), dkey);
            if (ntop < 5)
                ntop++;
        }
    }
    used = (size_t)snprintf(t->note, sizeof(t->note),
                            "top domains by items/s:");
    for (unsigned int k = 0; k < ntop && used < sizeof(t->note); k++)
        used += (size_t)snprintf(t->note + used, sizeof(t->note) - used,
                                 " d%llu %.1f",
                                 (unsigned long long)top[k].domid,
                                 top[k].rate);
    if (!ntop && used < sizeof(t->note))
        snprintf(t->note + used, sizeof(t->note) - used, " none");
    return 0;
}

static int build_maptrack(struct xtp_table *t, const struct xtp_interval *iv)
{
    const struct xte_node_view *v = iv->node[XTE_NODE_maptrack].cur;
    const struct xte_counter_desc *key = fld(XTE_NODE_maptrack, 1, "domid"),
        *vcpus = fld(XTE_NODE_maptrack, 1, "nr_vcpus"),
        *inuse = fld(XTE_NODE_maptrack, 1, "in_use"),
        *frames = fld(XTE_NODE_maptrack, 1, "frames"),
        *lim = fld(XTE_NODE_maptrack, 1, "limit_frames"),
        *steals = fld(XTE_NODE_maptrack, 1, "steals"),
        *fails = fld(XTE_NODE_maptrack, 1, "failures");
    uint64_t at_limit = 0, failures = 0;

    if (!v)
        return absent_domains(t, XTP_VIEW_MAPTRACK, XTE_NODE_maptrack, iv, MT_VCPUS);
    if (table_reset(t, XTP_VIEW_MAPTRACK, v->hdr.nr_domains) < 0)
        return -1;
    for (unsigned int i = 0; i < v->hdr.nr_domains; i++) {
        const uint8_t *rec = xte_node_domain(v, i);
        unsigned int r = new_row(t);
        uint64_t id = xte_rec_u64(rec, key), u = xte_rec_u64(rec, inuse);
        uint64_t lf = xte_rec_u64(rec, lim), f = xte_rec_u64(rec, frames);
        uint64_t lh = lf * XTE_MAPTRACK_HANDLES_PER_FRAME;   /* handles */
        enum xtp_rate_status st;
        double rate;

        put(t, r, MT_DOM, (double)id, 1);
        domain_name(t, r, iv->cur, id);
        put(t, r, MT_NAME, 0, 1);
        put(t, r, MT_VCPUS, (double)xte_rec_u64(rec, vcpus), 1);
        put(t, r, MT_INUSE, (double)u, 1);
        put(t, r, MT_LIMIT, (double)lh, lh != 0);
        put(t, r, MT_USE, lh ? 100.0 * (double)u / (double)lh : 0, lh != 0);
        put(t, r, MT_FRAMES, (double)f, 1);
        st = xtp_rate_domain(iv, XTE_NODE_maptrack, i, steals, &rate);
        put_rate(t, r, MT_STEAL, st, rate);
        put(t, r, MT_FAILS, (double)xte_rec_u64(rec, fails), 1);
        if (lf && f >= lf)
            at_limit++;
        failures += xte_rec_u64(rec, fails);
    }
    snprintf(t->note, sizeof(t->note),
             "domains: %u; at the frame limit: %llu; failed requests: %llu",
             v->hdr.nr_domains, (unsigned long long)at_limit,
             (unsigned long long)failures);
    return 0;
}

static int build_ept(struct xtp_table *t, const struct xtp_interval *iv)
{
    const struct xte_node_view *v = iv->node[XTE_NODE_ept].cur;
    const struct xte_counter_desc *key = fld(XTE_NODE_ept, 1, "domid"),
        *flushes = fld(XTE_NODE_ept, 1, "flushes"),
        *ipis = fld(XTE_NODE_ept, 1, "ipis_sent"),
        *deferred = fld(XTE_NODE_ept, 1, "flushes_deferred"),
        *lat = fld(XTE_NODE_ept, 1, "flush_latency");
    double total = 0;
    int any = 0;

    if (!v)
        return absent_domains(t, XTP_VIEW_EPT, XTE_NODE_ept, iv, -1);
    if (table_reset(t, XTP_VIEW_EPT, v->hdr.nr_domains) < 0)
        return -1;
    for (unsigned int i = 0; i < v->hdr.nr_domains; i++) {
        const uint8_t *rec = xte_node_domain(v, i);
        unsigned int r = new_row(t);
        uint64_t id = xte_rec_u64(rec, key), df, di, dd;
        enum xtp_rate_status st;
        struct xte_hist h;
        double rate;
        int n;

        put(t, r, EP_DOM, (double)id, 1);
        domain_name(t, r, iv->cur, id);
        put(t, r, EP_NAME, 0, 1);
        st = xtp_rate_domain(iv, XTE_NODE_ept, i, flushes, &rate);
        put_rate(t, r, EP_FLUSH, st, rate);
        if (st == XTP_RATE_OK) {
            total += rate;
            any = 1;
        }
        xtp_hist_domain(iv, XTE_NODE_ept, i, lat, &h);
        n = xte_hist_count(&h) != 0;
        put(t, r, EP_P50, (double)xte_hist_quantile(&h, 0.50), n);
        put(t, r, EP_P99, (double)xte_hist_quantile(&h, 0.99), n);
        put(t, r, EP_MAX, (double)h.max, n);
        st = xtp_delta_domain(iv, XTE_NODE_ept, i, flushes, &df);
        if (st == XTP_RATE_OK &&
            xtp_delta_domain(iv, XTE_NODE_ept, i, ipis, &di) == XTP_RATE_OK &&
            xtp_delta_domain(iv, XTE_NODE_ept, i, deferred, &dd) ==
            XTP_RATE_OK && df) {
            put(t, r, EP_IPI, (double)di / (double)df, 1);
            put(t, r, EP_DEFER, 100.0 * (double)dd / (double)df, 1);
        }
    }
    if (any)
        snprintf(t->note, sizeof(t->note), "domains: %u; EPT flushes: "
                 "%.1f/s", v->hdr.nr_domains, total);
    else
        snprintf(t->note, sizeof(t->note), "domains: %u; EPT flushes: -/s",
                 v->hdr.nr_domains);
    return 0;
}

static int build_msix(struct xtp_table *t, const struct xtp_interval *iv)
{
    const struct xte_node_view *v = iv->node[XTE_NODE_msix].cur;
    const struct xte_counter_desc *key = fld(XTE_NODE_msix, 1, "domid"),
        *emu = fld(XTE_NODE_msix, 1, "reads_emulated"),
        *fwd = fld(XTE_NODE_msix, 1, "reads_forwarded"),
        *wint = fld(XTE_NODE_msix, 1, "writes_intercepted");
    double te = 0, tf = 0;
    int any = 0;

    if (!v)
        return absent_domains(t, XTP_VIEW_MSIX, XTE_NODE_msix, iv, -1);
    if (table_reset(t, XTP_VIEW_MSIX, v->hdr.nr_domains) < 0)
        return -1;
    for (unsigned int i = 0; i < v->hdr.nr_domains; i++) {
        const uint8_t *rec = xte_node_domain(v, i);
        unsigned int r = new_row(t);
        uint64_t id = xte_rec_u64(rec, key);
        enum xtp_rate_status s1, s2, st;
        double re, rf, rate;

        put(t, r, MX_DOM, (double)id, 1);
        domain_name(t, r, iv->cur, id);
        put(t, r, MX_NAME, 0, 1);
        s1 = xtp_rate_domain(iv, XTE_NODE_msix, i, emu, &re);
        s2 = xtp_rate_domain(iv, XTE_NODE_msix, i, fwd, &rf);
        put_rate(t, r, MX_EMUL, s1, re);
        put_rate(t, r, MX_FWD, s2, rf);
        put(t, r, MX_SHARE, re + rf > 0 ? 100.0 * re / (re + rf) : 0,
            s1 == XTP_RATE_OK && s2 == XTP_RATE_OK && re + rf > 0);
        st = xtp_rate_domain(iv, XTE_NODE_msix, i, wint, &rate);
        put_rate(t, r, MX_WRITES, st, rate);
        if (s1 == XTP_RATE_OK && s2 == XTP_RATE_OK) {
            te += re;
            tf += rf;
            any = 1;
        }
    }
    if (!any)
        snprintf(t->note, sizeof(t->note), "table reads: -/s emulated, -/s"
                 " forwarded to the device model");
    else
        snprintf(t->note, sizeof(t->note),
             "table reads: %.1f/s emulated, %.1f/s forwarded to the device"
             " model", te, tf);
    return 0;
}

int xtp_view_build(struct xtp_table *t, enum xtp_view_id v,
                   const struct xtp_interval *iv)
{
    if (table_reset(t, v, 0) < 0)
        return -1;
    switch (v) {
    case XTP_VIEW_PI:
        return build_pi(t, iv);
    case XTP_VIEW_DPCI:
        return build_dpci(t, iv);
    case XTP_VIEW_MAPTRACK:
        return build_maptrack(t, iv);
    case XTP_VIEW_EPT:
        return build_ept(t, iv);
    case XTP_VIEW_MSIX:
        return build_msix(t, iv);
    default:
        return -1;
    }
}

struct sort_ctx {
    const struct xtp_table *t;
    unsigned int col;
    int desc;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
    const struct sort_ctx *c = arg;
    unsigned int ra = *(const unsigned int *)a, rb = *(const unsigned int *)b;
    int ka, kb, r = 0;
    double va, vb;

    if (c->t->desc->cols[c->col].kind == XTP_COL_NAME) {
        r = strcmp(c->t->name[ra], c->t->name[rb]);
        if (c->desc)
            r = -r;
    } else {
        va = xtp_cell(c->t, ra, c->col, &ka);
        vb = xtp_cell(c->t, rb, c->col, &kb);
        if (ka != kb)
            return ka ? -1 : 1;         /* unknown last, either way */
        if (va != vb)
            r = (va < vb) ? -1 : 1;
        if (c->desc)
            r = -r;
    }
    if (r)
        return r;
    va = xtp_cell(c->t, ra, 0, NULL);
    vb = xtp_cell(c->t, rb, 0, NULL);
    return va < vb ? -1 : va > vb;
}

void xtp_table_sort(struct xtp_table *t, unsigned int col, int reverse)
{
    struct sort_ctx c = { t, col, 0 };

    if (!t->desc || col >= t->desc->ncols)
        return;
    c.desc = t->desc->cols[col].desc ^ !!reverse;
    for (unsigned int r = 0; r < t->nrows; r++)
        t->order[r] = r;
    if (t->nrows > 1)   /* an empty table has no order array: qsort_r(NULL) is UB */
        qsort_r(t->order, t->nrows, sizeof(*t->order), cmp_rows, &c);
}

int xtp_cell_text(const struct xtp_table *t, unsigned int row,
                  unsigned int col, char *buf, size_t len)
{
    const struct xtp_column *c = &t->desc->cols[col];
    int known;
    double v = xtp_cell(t, row, col, &known);

    if (c->kind == XTP_COL_NAME)
        return snprintf(buf, len, "%s", t->name[row]);
    if (!known)
        return snprintf(buf, len, "-");
    switch (c->kind) {
    case XTP_COL_INT:
        return snprintf(buf, len, "%.0f", v);
    case XTP_COL_RATE:
    case XTP_COL_PCT:
        return snprintf(buf, len, "%.1f", v);
    case XTP_COL_NS:
        if (v < 1e3)
            return snprintf(buf, len, "%.0fns", v);
        if (v < 1e6)
            return snprintf(buf, len, "%.1fus", v / 1e3);
        if (v < 1e9)
            return snprintf(buf, len, "%.1fms", v / 1e6);
        return snprintf(buf, len, "%.2fs", v / 1e9);
    default:
        return snprintf(buf, len, "?");
    }
}

int xtp_cell_csv(const struct xtp_table *t, unsigned int row,
                 unsigned int col, char *buf, size_t len)
{
    const struct xtp_column *c = &t->desc->cols[col];
    int known;
    double v = xtp_cell(t, row, col, &known);

    if (c->kind == XTP_COL_NAME) {
        /* Domain names are xenstore strings: quote what CSV needs quoted. */
        const char *p = t->name[row];
        size_t o = 0;

        if (!strpbrk(p, ",\"\r\n"))
            return snprintf(buf, len, "%s", p);
        if (len < 3)
            return -1;
        buf[o++] = '"';
        for (; *p && o + 3 < len; p++) {
            if (*p == '"')
                buf[o++] = '"';
            buf[o++] = *p;
        }
        buf[o++] = '"';
        buf[o] = '\0';
        return (int)o;
    }
    if (!known)
        return snprintf(buf, len, "%s", "");
    if (c->kind == XTP_COL_RATE || c->kind == XTP_COL_PCT)
        return snprintf(buf, len, "%.3f", v);
    return snprintf(buf, len, "%.0f", v);
}
