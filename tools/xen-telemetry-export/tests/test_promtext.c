/*
 * test_promtext.c - the Prometheus exposition of telemetry nodes: names
 * derived from the catalogue, exact sample lines, cumulative histogram
 * buckets with increasing le, escaping, duplicate keys, atomic replacement.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "promtext.h"

static uint8_t nodebuf[XTE_NR_NODES][8192];
static struct xte_node_view views_store[XTE_NR_NODES];

/* Build node n with nr_pcpus and nr_domains zeroed records. */
static struct xte_node_view *make_node(enum xte_node_index n,
                                       unsigned int nr_pcpus,
                                       unsigned int nr_domains)
{
    struct xte_error err;
    size_t len = xte_node_init(nodebuf[n], sizeof(nodebuf[n]), n, nr_pcpus,
                               nr_domains, 123, 7);

    assert_true(len > 0);
    assert_int_equal(xte_node_parse(nodebuf[n], len, "test", &views_store[n],
                                    &err), 0);
    return &views_store[n];
}

static void put(const struct xte_node_view *v, int domain, unsigned int i,
                const char *field, uint64_t val)
{
    const struct xte_counter_desc *f = xte_node_field(v->desc, domain, field);
    uint8_t *rec = (uint8_t *)(domain ? xte_node_domain(v, i)
                                      : xte_node_pcpu(v, i));

    assert_non_null(f);
    memcpy(rec + f->offset, &val, sizeof(val));
}

static void put_hist(const struct xte_node_view *v, unsigned int pcpu,
                     const char *field, const struct xte_hist *h)
{
    const struct xte_counter_desc *f = xte_node_field(v->desc, 0, field);

    assert_non_null(f);
    assert_int_equal(f->kind, XTE_KIND_HIST);
    memcpy((uint8_t *)xte_node_pcpu(v, pcpu) + f->offset, h, sizeof(*h));
}

static const char *weird_name(void *arg, uint64_t domid)
{
    (void)arg;
    return domid == 5 ? "we\"ird\\name\nx" : domid == 6 ? "web1" : NULL;
}

/* The exposition of the given nodes (others absent), malloc'd. */
static char *render_opts(const struct xte_node_view *const views[XTE_NR_NODES],
                         xtx_domain_name_fn fn, int per_host)
{
    struct xtx_opts opts = { fn, NULL, per_host, NULL };
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    assert_non_null(mem);
    assert_int_equal(xtx_write(mem, views, &opts), 0);
    assert_int_equal(fclose(mem), 0);
    return text;
}

static char *render(const struct xte_node_view *const views[XTE_NR_NODES],
                    xtx_domain_name_fn fn)
{
    return render_opts(views, fn, 0);
}

static void assert_has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    const char *p = text;

    while ((p = strstr(p, line)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return;
        p++;
    }
    fail_msg("line not found: %s", line);
}

/* ---- names ----------------------------------------------------------- */

static const char *name_of(enum xte_node_index n, int domain,
                           const char *field)
{
    static char buf[256];
    const struct xte_counter_desc *f =
        xte_node_field(&xte_nodes[n], domain, field);

    assert_non_null(f);
    if (xtx_metric_name(buf, sizeof(buf), &xte_nodes[n], f, domain) < 0)
        return NULL;
    return buf;
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(name_of(XTE_NODE_pi, 0, "list_len"),
                        "xen_telemetry_pi_list_len");
    assert_string_equal(name_of(XTE_NODE_pi, 0, "adds"),
                        "xen_telemetry_pi_adds_total");
    assert_string_equal(name_of(XTE_NODE_dpci, 0, "lock_wait_ns"),
                        "xen_telemetry_dpci_lock_wait_seconds_total");
    assert_string_equal(name_of(XTE_NODE_ept, 0, "flush_latency"),
                        "xen_telemetry_ept_flush_latency_seconds");
    assert_string_equal(name_of(XTE_NODE_msix, 1, "reads_emulated"),
                        "xen_telemetry_msix_domain_reads_emulated_total");
    assert_string_equal(name_of(XTE_NODE_maptrack, 1, "in_use"),
                        "xen_telemetry_maptrack_domain_in_use");
    assert_null(name_of(XTE_NODE_maptrack, 1, "domid"));    /* a label */
}

/* Every series name the export can produce is valid and appears once. */
static void test_names_unique(void **state)
{
    static char names[1024][256];
    unsigned int nr = 0;

    (void)state;
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        const struct xte_node_desc *d = &xte_nodes[n];

        for (int dom = 0; dom < 2; dom++) {
            unsigned int nf = dom ? d->nr_domain_fields : d->nr_pcpu_fields;
            const struct xte_counter_desc *fs =
                dom ? d->domain_fields : d->pcpu_fields;

            for (unsigned int i = 0; i < nf; i++) {
                char base[256];

                if (fs[i].kind == XTE_KIND_KEY)
                    continue;
                assert_true(xtx_metric_name(base, sizeof(base), d, &fs[i],
                                            dom) > 0);
                if (fs[i].kind == XTE_KIND_HIST) {
                    static const char *const sfx[] = { "_bucket", "_sum",
                                                       "_count" };
                    for (unsigned int s = 0; s < 3; s++)
                        snprintf(names[nr++], 256, "%s%s", base, sfx[s]);
                } else {
                    snprintf(names[nr++], 256, "%s", base);
                }
                assert_true(nr < 1000);
            }
        }
    }
    snprintf(names[nr++], 256, "xen_telemetry_up");
    snprintf(names[nr++], 256, "xen_telemetry_node_pcpus");
    snprintf(names[nr++], 256, "xen_telemetry_node_domains");
    snprintf(names[nr++], 256, "xen_telemetry_node_clock_seconds");
    for (unsigned int i = 0; i < nr; i++) {
        assert_true(strncmp(names[i], "xen_telemetry_", 14) == 0);
        for (const char *p = names[i]; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
                        || *p == '_');
        for (unsigned int j = i + 1; j < nr; j++)
            if (strcmp(names[i], names[j]) == 0)
                fail_msg("metric name %s derived twice", names[i]);
    }
}

static void test_format_value(void **state)
{
    char b[32];

    (void)state;
    xtx_format_value(b, sizeof(b), 0, 1);
    assert_string_equal(b, "0");
    xtx_format_value(b, sizeof(b), 1500, 1);
    assert_string_equal(b, "0.0000015");
    xtx_format_value(b, sizeof(b), 1000000000, 1);
    assert_string_equal(b, "1");
    xtx_format_value(b, sizeof(b), 1234567890123ull, 1);
    assert_string_equal(b, "1234.567890123");
    xtx_format_value(b, sizeof(b), UINT64_MAX, 0);
    assert_string_equal(b, "18446744073709551615");
    xtx_format_value(b, sizeof(b), UINT64_MAX, 1);
    assert_string_equal(b, "18446744073.709551615");
}

/* ---- exact text ------------------------------------------------------- */

static void test_counters_and_gauges(void **state)
{
    const struct xte_node_view *views[XTE_NR_NODES] = { 0 };
    struct xte_node_view *pi = make_node(XTE_NODE_pi, 2, 0);
    struct xte_node_view *dpci = make_node(XTE_NODE_dpci, 1, 0);
    char *t;

    (void)state;
    put(pi, 0, 1, "adds", 42);
    put(pi, 0, 0, "list_len", 9);
    put(pi, 0, 0, "list_limit", 10);
    put(dpci, 0, 0, "lock_wait_ns", 2500000001ull);
    views[XTE_NODE_pi] = pi;
    views[XTE_NODE_dpci] = dpci;
    t = render(views, NULL);

    assert_has_line(t, "# HELP xen_telemetry_pi_adds_total vCPUs put on this "
                    "pCPU's list. Field adds of the per-pCPU record of "
                    "telemetry node pi (VT-d posted-interrupt blocking "
                    "lists).");
    assert_has_line(t, "# TYPE xen_telemetry_pi_adds_total counter");
    assert_has_line(t, "xen_telemetry_pi_adds_total{pcpu=\"0\"} 0");
    assert_has_line(t, "xen_telemetry_pi_adds_total{pcpu=\"1\"} 42");
    assert_has_line(t, "# TYPE xen_telemetry_pi_list_len gauge");
    assert_has_line(t, "xen_telemetry_pi_list_len{pcpu=\"0\"} 9");
    assert_has_line(t, "xen_telemetry_pi_list_limit{pcpu=\"0\"} 10");
    assert_has_line(t, "# TYPE xen_telemetry_dpci_lock_wait_seconds_total "
                    "counter");
    assert_has_line(t, "xen_telemetry_dpci_lock_wait_seconds_total"
                    "{pcpu=\"0\"} 2.500000001");
    assert_has_line(t, "xen_telemetry_up{node=\"pi\"} 1");
    assert_has_line(t, "xen_telemetry_up{node=\"ept\"} 0");
    assert_has_line(t, "xen_telemetry_node_pcpus{node=\"pi\"} 2");
    /* make_node() stamps the header with 123 ns */
    assert_has_line(t, "xen_telemetry_node_clock_seconds{node=\"pi\"} "
                    "0.000000123");
    /* An absent node has no families at all. */
    assert_null(strstr(t, "xen_telemetry_ept_flush"));
    free(t);
}

/* Parse "NAME_bucket{pcpu="0",le="X"} N" lines of one series. */
static void check_hist_series(const char *t, const char *name,
                              const char *labels, uint64_t want_count,
                              const char *want_sum)
{
    char prefix[512], line[512];
    const char *p = t;
    double last_le = -1;
    uint64_t last = 0, inf = UINT64_MAX;
    unsigned int nr = 0;

    snprintf(prefix, sizeof(prefix), "%s_bucket{%s%sle=\"", name, labels,
             *labels ? "," : "");
    while ((p = strstr(p, prefix)) != NULL) {
        char le[64];
        unsigned long long c;

        p += strlen(prefix);
        assert_int_equal(sscanf(p, "%63[^\"]\"} %llu", le, &c), 2);
        if (strcmp(le, "+Inf") == 0) {
            inf = c;
        } else {
            double v = strtod(le, NULL);

            assert_true(inf == UINT64_MAX);     /* +Inf comes last */
            assert_true(v > last_le);           /* le increasing */
            last_le = v;
        }
        assert_true(c >= last);                 /* cumulative */
        last = c;
        nr++;
    }
    assert_int_equal(nr, XTE_HIST_BUCKETS);     /* 31 finite + Inf */
    assert_int_equal(inf, want_count);
    snprintf(line, sizeof(line), "%s_count%s%s%s %llu", name,
             *labels ? "{" : "", labels, *labels ? "}" : "",
             (unsigned long long)want_count);
    assert_has_line(t, line);
    snprintf(line, sizeof(line), "%s_sum%s%s%s %s", name, *labels ? "{" : "",
             labels, *labels ? "}" : "", want_sum);
    assert_has_line(t, line);
}

static void test_histogram(void **state)
{
    const struct xte_node_view *views[XTE_NR_NODES] = { 0 };
    struct xte_node_view *ept = make_node(XTE_NODE_ept, 2, 0);
    struct xte_node_view *pi = make_node(XTE_NODE_pi, 1, 0);
    struct xte_hist h;
    char *t;

    (void)state;
    /* ept pCPU 1: three flushes of 1500 ns, one of 3 ms, one of 2^40 ns. */
    memset(&h, 0, sizeof(h));
    h.bucket[xte_hist_bucket(1500)] = 3;
    h.bucket[xte_hist_bucket(3000000)] = 1;
    h.bucket[xte_hist_bucket(1ull << 40)] = 1;     /* the open bucket */
    h.sum = 3 * 1500 + 3000000 + (1ull << 40);
    h.max = 1ull << 40;
    put_hist(ept, 1, "flush_latency", &h);
    /* pi: entries, not seconds: le are integers */
    memset(&h, 0, sizeof(h));
    h.bucket[0] = 2;
    h.bucket[xte_hist_bucket(5)] = 4;
    h.sum = 20;
    h.max = 5;
    put_hist(pi, 0, "walk_len", &h);
    views[XTE_NODE_ept] = ept;
    views[XTE_NODE_pi] = pi;
    t = render(views, NULL);

    assert_has_line(t, "# TYPE xen_telemetry_ept_flush_latency_seconds "
                    "histogram");
    check_hist_series(t, "xen_telemetry_ept_flush_latency_seconds",
                      "pcpu=\"1\"", 5, "1099.514632276");
    check_hist_series(t, "xen_telemetry_ept_flush_latency_seconds",
                      "pcpu=\"0\"", 0, "0");
    /* 1500 ns is in [1024, 2048): le 2047 ns; the bucket before holds 0. */
    assert_has_line(t, "xen_telemetry_ept_flush_latency_seconds_bucket"
                    "{pcpu=\"1\",le=\"0.000001023\"} 0");
    assert_has_line(t, "xen_telemetry_ept_flush_latency_seconds_bucket"
                    "{pcpu=\"1\",le=\"0.000002047\"} 3");
    /* 3 ms is in [2^21, 2^22): le 4194303 ns. */
    assert_has_line(t, "xen_telemetry_ept_flush_latency_seconds_bucket"
                    "{pcpu=\"1\",le=\"0.002097151\"} 3");
    assert_has_line(t, "xen_telemetry_ept_flush_latency_seconds_bucket"
                    "{pcpu=\"1\",le=\"0.004194303\"} 4");
    /* the largest finite le is 2^30 - 1 ns (bucket 30); 2^40 ns only in +Inf */
    assert_has_line(t, "xen_telemetry_ept_flush_latency_seconds_bucket"
                    "{pcpu=\"1\",le=\"1.073741823\"} 4");
    assert_has_line(t, "xen_telemetry_ept_flush_latency_seconds_bucket"
                    "{pcpu=\"1\",le=\"+Inf\"} 5");
    assert_has_line(t, "# TYPE xen_telemetry_ept_flush_latency_max_seconds "
                    "gauge");
    assert_has_line(t, "xen_telemetry_ept_flush_latency_max_seconds"
                    "{pcpu=\"1\"} 1099.511627776");

    check_hist_series(t, "xen_telemetry_pi_walk_len", "pcpu=\"0\"", 6, "20");
    assert_has_line(t, "xen_telemetry_pi_walk_len_bucket{pcpu=\"0\",le=\"0\"} 2");
    assert_has_line(t, "xen_telemetry_pi_walk_len_bucket{pcpu=\"0\",le=\"3\"} 2");
    assert_has_line(t, "xen_telemetry_pi_walk_len_bucket{pcpu=\"0\",le=\"7\"} 6");
    assert_has_line(t, "xen_telemetry_pi_walk_len_max{pcpu=\"0\"} 5");
    free(t);
}

/* --histograms host: one series per node, buckets summed over records. */
static void test_histogram_per_host(void **state)
{
    const struct xte_node_view *views[XTE_NR_NODES] = { 0 };
    struct xte_node_view *ept = make_node(XTE_NODE_ept, 3, 1);
    struct xte_hist h;
    char *t;

    (void)state;
    for (unsigned int p = 0; p < 3; p++) {
        memset(&h, 0, sizeof(h));
        h.bucket[xte_hist_bucket(1500)] = p + 1;          /* 1 + 2 + 3 */
        h.bucket[xte_hist_bucket(3000000)] = p == 2;      /* 1 */
        h.sum = (p + 1) * 1500 + (p == 2) * 3000000;
        h.max = p == 2 ? 3000000 : 1500;
        put_hist(ept, p, "flush_latency", &h);
    }
    put(ept, 1, 0, "domid", 4);
    put(ept, 0, 2, "ipis_sent", 11);
    views[XTE_NODE_ept] = ept;
    t = render_opts(views, NULL, 1);

    check_hist_series(t, "xen_telemetry_ept_flush_latency_seconds", "", 7,
                      "0.003009");
    assert_has_line(t, "xen_telemetry_ept_flush_latency_seconds_bucket"
                    "{le=\"0.000002047\"} 6");
    assert_has_line(t, "xen_telemetry_ept_flush_latency_seconds_bucket"
                    "{le=\"+Inf\"} 7");
    assert_has_line(t, "xen_telemetry_ept_flush_latency_max_seconds 0.003");
    assert_null(strstr(t, "flush_latency_seconds_bucket{pcpu"));
    /* the domain record's histogram too; counters keep their labels */
    assert_has_line(t, "xen_telemetry_ept_domain_flush_latency_seconds_count 0");
    assert_has_line(t, "xen_telemetry_ept_ipis_sent_total{pcpu=\"2\"} 11");
    free(t);
}

static void test_domains_escaping_duplicates(void **state)
{
    const struct xte_node_view *views[XTE_NR_NODES] = { 0 };
    struct xte_node_view *mt = make_node(XTE_NODE_maptrack, 1, 4);
    char *t;

    (void)state;
    /* records out of order, one duplicate domid */
    put(mt, 1, 0, "domid", 6);
    put(mt, 1, 0, "in_use", 60);
    put(mt, 1, 1, "domid", 5);
    put(mt, 1, 1, "in_use", 50);
    put(mt, 1, 2, "domid", 9);
    put(mt, 1, 2, "in_use", 90);
    put(mt, 1, 3, "domid", 6);
    put(mt, 1, 3, "in_use", 61);
    views[XTE_NODE_maptrack] = mt;
    t = render(views, weird_name);

    assert_has_line(t, "xen_telemetry_maptrack_domain_in_use"
                    "{domid=\"5\",domain=\"we\\\"ird\\\\name\\nx\"} 50");
    assert_has_line(t, "xen_telemetry_maptrack_domain_in_use"
                    "{domid=\"6\",domain=\"web1\"} 60");
    assert_has_line(t, "xen_telemetry_maptrack_domain_in_use{domid=\"9\"} 90");
    assert_null(strstr(t, "} 61\n"));
    assert_has_line(t, "# node maptrack: domain record 3 has the same key as "
                    "record 0: dropped");
    /* sorted by domid */
    assert_true(strstr(t, "in_use{domid=\"5\"") < strstr(t, "in_use{domid=\"6\""));
    assert_true(strstr(t, "in_use{domid=\"6\"") < strstr(t, "in_use{domid=\"9\""));
    /* per-pCPU fields of the same node keep the pcpu label */
    assert_has_line(t, "xen_telemetry_maptrack_gets_total{pcpu=\"0\"} 0");
    free(t);
}

/*
 * A newer hypervisor may append fields to a record (same version, larger
 * record size): the known fields are still found at their offsets, the
 * unknown tail is ignored.
 */
/*
 * A node of a fix not built into the hypervisor: node_present 0, up 0 and
 * none of its metrics; a failed read: up 0 and no node_present sample;
 * without the presence array, no node_present family at all.
 */
static void test_node_present(void **state)
{
    const struct xte_node_view *views[XTE_NR_NODES] = { 0 };
    int present[XTE_NR_NODES];
    struct xtx_opts opts = { NULL, NULL, 0, present };
    char *t = NULL;
    size_t len = 0;
    FILE *mem;

    (void)state;
    for (unsigned int n = 0; n < XTE_NR_NODES; n++)
        present[n] = 1;
    present[XTE_NODE_ept] = 0;
    present[XTE_NODE_dpci] = -1;
    views[XTE_NODE_pi] = make_node(XTE_NODE_pi, 1, 0);
    views[XTE_NODE_msix] = make_node(XTE_NODE_msix, 1, 0);
    views[XTE_NODE_maptrack] = make_node(XTE_NODE_maptrack, 1, 0);
    mem = open_memstream(&t, &len);
    assert_non_null(mem);
    assert_int_equal(xtx_write(mem, views, &opts), 0);
    assert_int_equal(fclose(mem), 0);
    assert_has_line(t, "# TYPE xen_telemetry_node_present gauge");
    assert_has_line(t, "xen_telemetry_node_present{node=\"pi\"} 1");
    assert_has_line(t, "xen_telemetry_node_present{node=\"ept\"} 0");
    assert_has_line(t, "xen_telemetry_up{node=\"ept\"} 0");
    assert_has_line(t, "xen_telemetry_up{node=\"dpci\"} 0");
    assert_null(strstr(t, "xen_telemetry_node_present{node=\"dpci\"}"));
    assert_null(strstr(t, "\nxen_telemetry_ept_"));
    assert_null(strstr(t, "xen_telemetry_node_pcpus{node=\"ept\"}"));
    assert_non_null(strstr(t, "\nxen_telemetry_pi_adds_total{pcpu=\"0\"} 0"));
    free(t);

    t = render(views, NULL);
    assert_null(strstr(t, "node_present"));
    free(t);
}

static void test_larger_records(void **state)
{
    const struct xte_node_view *views[XTE_NR_NODES] = { 0 };
    const struct xte_node_desc *d = &xte_nodes[XTE_NODE_pi];
    struct xte_telemetry_header h;
    static uint8_t buf[8192];
    size_t rec = d->pcpu_record_size + 24, len;
    const struct xte_counter_desc *f = xte_node_field(d, 0, "adds");
    struct xte_node_view v;
    struct xte_error err;
    uint64_t val;
    char *t;

    (void)state;
    len = xte_node_init(buf, sizeof(buf), XTE_NODE_pi, 0, 0, 1, 1);
    assert_true(len > 0);
    memcpy(&h, buf, sizeof(h));
    h.nr_pcpus = 2;
    h.pcpu_record_size = (uint32_t)rec;
    memcpy(buf, &h, sizeof(h));
    memset(buf + sizeof(h), 0xff, 2 * rec);      /* the unknown tails */
    for (unsigned int p = 0; p < 2; p++) {
        uint8_t *r = buf + sizeof(h) + p * rec;

        memset(r, 0, d->pcpu_record_size);
        val = 100 + p;
        memcpy(r + f->offset, &val, sizeof(val));
    }
    assert_int_equal(xte_node_parse(buf, sizeof(h) + 2 * rec, "test", &v,
                                    &err), 0);
    views[XTE_NODE_pi] = &v;
    t = render(views, NULL);
    assert_has_line(t, "xen_telemetry_pi_adds_total{pcpu=\"0\"} 100");
    assert_has_line(t, "xen_telemetry_pi_adds_total{pcpu=\"1\"} 101");
    assert_null(strstr(t, "18446744073709551615"));
    free(t);
}

static void test_help_escaping(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    (void)state;
    xtx_put_help_text(mem, "a\\b\nc\"d");
    fputc('|', mem);
    xtx_put_label_value(mem, "a\\b\nc\"d");
    fclose(mem);
    assert_string_equal(text, "a\\\\b\\nc\"d|a\\\\b\\nc\\\"d");
    free(text);
}

static void test_atomic_write(void **state)
{
    char dir[] = "/tmp/xtx-test-XXXXXX", path[256], got[64];
    struct xte_error err;
    struct dirent *de;
    unsigned int files = 0;
    FILE *f;
    DIR *d;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(xtx_write_file_atomic(dir, "x.prom", "old\n", 4, &err), 0);
    assert_int_equal(xtx_write_file_atomic(dir, "x.prom", "new\n", 4, &err), 0);
    snprintf(path, sizeof(path), "%s/x.prom", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(got, sizeof(got), f));
    fclose(f);
    assert_string_equal(got, "new\n");
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.' || strncmp(de->d_name, ".x.prom", 7) == 0)
            files++;
    closedir(d);
    assert_int_equal(files, 1);         /* no temporary left behind */
    unlink(path);
    rmdir(dir);

    memset(&err, 0, sizeof(err));
    assert_int_equal(xtx_write_file_atomic("/nonexistent-dir-xtx", "x.prom",
                                           "a", 1, &err), -1);
    assert_string_equal(err.file, "/nonexistent-dir-xtx");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_names_unique),
        cmocka_unit_test(test_format_value),
        cmocka_unit_test(test_counters_and_gauges),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_histogram_per_host),
        cmocka_unit_test(test_domains_escaping_duplicates),
        cmocka_unit_test(test_node_present),
        cmocka_unit_test(test_larger_records),
        cmocka_unit_test(test_help_escaping),
        cmocka_unit_test(test_atomic_write),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
