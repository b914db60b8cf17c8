/*
 * The views on samples built in memory: what each column shows, "-" where
 * there is no rate, sorting (default, by column, reversed, unknown last),
 * text and CSV cells, and the front-end's rule that an unchanged sample
 * keeps the baseline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "frontend.h"
#include "testutil.h"

#define SEC 1000000000ull

static double cell(const struct xtp_table *t, unsigned int row,
                   const char *title, int *known)
{
    for (unsigned int c = 0; c < t->desc->ncols; c++)
        if (!strcmp(t->desc->cols[c].title, title))
            return xtp_cell(t, row, c, known);
    fail_msg("no column %s", title);
    return 0;
}

static unsigned int col(const struct xtp_table *t, const char *title)
{
    for (unsigned int c = 0; c < t->desc->ncols; c++)
        if (!strcmp(t->desc->cols[c].title, title))
            return c;
    fail_msg("no column %s", title);
    return 0;
}

static void pi_sample(struct xtp_sample *s, uint64_t ts, const uint64_t *len,
                      const uint64_t *adds)
{
    struct xte_node_view *v = tu_node(s, XTE_NODE_pi, 3, 0, ts, 1);

    for (unsigned int c = 0; c < 3; c++) {
        tu_set(v, 0, c, "list_len", len[c]);
        tu_set(v, 0, c, "list_limit", 4);
        tu_set(v, 0, c, "hvm_vcpus", 12);
        tu_set(v, 0, c, "adds", adds[c]);
    }
    xtp_sample_derive_host(s);
}

static void test_pi_view(void **state)
{
    struct xtp_sample *a = xtp_sample_new(), *b = xtp_sample_new();
    struct xtp_interval iv = { 0 };
    struct xtp_table t;
    char buf[64];
    int known;

    xtp_table_init(&t);
    pi_sample(a, SEC, (const uint64_t[]){ 1, 2, 3 },
              (const uint64_t[]){ 10, 10, 10 });
    pi_sample(b, 3 * SEC, (const uint64_t[]){ 2, 6, 0 },
              (const uint64_t[]){ 30, 10, 5 });
    assert_int_equal(b->host.nr_pcpus, 3);
    assert_int_equal(b->host.pi_limit, 4);
    assert_int_equal(b->host.hvm_vcpus, 12);

    /* First sample: gauges, no rates. */
    xtp_interval_set(&iv, NULL, a);
    assert_int_equal(xtp_view_build(&t, XTP_VIEW_PI, &iv), 0);
    assert_int_equal(t.nrows, 3);
    cell(&t, 0, "ADDS/s", &known);
    assert_false(known);
    xtp_cell_text(&t, 0, col(&t, "ADDS/s"), buf, sizeof(buf));
    assert_string_equal(buf, "-");
    xtp_cell_csv(&t, 0, col(&t, "ADDS/s"), buf, sizeof(buf));
    assert_string_equal(buf, "");

    xtp_interval_set(&iv, a, b);
    assert_int_equal(xtp_view_build(&t, XTP_VIEW_PI, &iv), 0);
    assert_true(cell(&t, 0, "ADDS/s", &known) == 10.0 && known);
    assert_true(cell(&t, 1, "ADDS/s", &known) == 0.0 && known);
    cell(&t, 2, "ADDS/s", &known);
    assert_false(known);                        /* went backwards */
    assert_true(cell(&t, 1, "USE%", &known) == 150.0 && known);
    assert_true(cell(&t, 1, "LEN", &known) == 6.0);
    assert_string_equal(t.note, "on PI lists: 8 vCPUs; longest list: pCPU 1"
                        " (6); over limit: 1");
    xtp_cell_text(&t, 0, col(&t, "ADDS/s"), buf, sizeof(buf));
    assert_string_equal(buf, "10.0");
    xtp_cell_csv(&t, 1, col(&t, "USE%"), buf, sizeof(buf));
    assert_string_equal(buf, "150.000");

    /* Default order: pCPU; LEN sorts descending, reverse flips it. */
    xtp_table_sort(&t, 0, 0);
    assert_int_equal(t.order[0], 0);
    assert_int_equal(t.order[2], 2);
    xtp_table_sort(&t, col(&t, "LEN"), 0);
    assert_int_equal(t.order[0], 1);
    assert_int_equal(t.order[1], 0);
    assert_int_equal(t.order[2], 2);
    xtp_table_sort(&t, col(&t, "LEN"), 1);
    assert_int_equal(t.order[0], 2);
    assert_int_equal(t.order[2], 1);
    /* Unknown cells sort last in both directions. */
    xtp_table_sort(&t, col(&t, "ADDS/s"), 0);
    assert_int_equal(t.order[2], 2);
    xtp_table_sort(&t, col(&t, "ADDS/s"), 1);
    assert_int_equal(t.order[2], 2);
    assert_int_equal(t.order[0], 1);

    xtp_table_free(&t);
    xtp_interval_free(&iv);
    xtp_sample_free(a);
    xtp_sample_free(b);
}

static void test_domain_views(void **state)
{
    struct xtp_sample *a = xtp_sample_new(), *b = xtp_sample_new();
    struct xtp_interval iv = { 0 };
    struct xtp_table t;
    struct xte_node_view *v;
    struct xtp_domain *d;
    char buf[64];
    int known;
    static const uint64_t lat1[] = { 1000, 1000, 1000, 3000000 };

    xtp_table_init(&t);
    for (int k = 0; k < 2; k++) {
        struct xtp_sample *s = k ? b : a;

        v = tu_node(s, XTE_NODE_maptrack, 1, 1, (1 + 2 * k) * SEC, 1);
        tu_set(v, 1, 0, "domid", 7);
        tu_set(v, 1, 0, "in_use", 512);
        tu_set(v, 1, 0, "frames", 2);
        tu_set(v, 1, 0, "limit_frames", 4);
        tu_set(v, 1, 0, "steals", 10 + 8 * k);
        v = tu_node(s, XTE_NODE_ept, 1, 1, (1 + 2 * k) * SEC, 1);
        tu_set(v, 1, 0, "domid", 7);
        tu_set(v, 1, 0, "flushes", 4 * k);
        tu_set(v, 1, 0, "ipis_sent", 12 * k);
        tu_set(v, 1, 0, "flushes_deferred", 1 * k);
        if (k)
            tu_hist(v, 1, 0, "flush_latency", lat1, 4);
        v = tu_node(s, XTE_NODE_msix, 1, 1, (1 + 2 * k) * SEC, 1);
        tu_set(v, 1, 0, "domid", 7);
        tu_set(v, 1, 0, "reads_emulated", 30 * k);
        tu_set(v, 1, 0, "reads_forwarded", 10 * k);
        d = xtp_sample_domain(s, 7);
        snprintf(d->name, sizeof(d->name), "web,1");
        xtp_sample_derive_host(s);
    }
    xtp_interval_set(&iv, a, b);

    assert_int_equal(xtp_view_build(&t, XTP_VIEW_MAPTRACK, &iv), 0);
    assert_int_equal(t.nrows, 1);
    assert_true(cell(&t, 0, "LIMIT", &known) == 4.0 * XTE_MAPTRACK_HANDLES_PER_FRAME);
    assert_true(cell(&t, 0, "USE%", &known) == 50.0);
    assert_true(cell(&t, 0, "STEAL/s", &known) == 4.0 && known);
    xtp_cell_text(&t, 0, col(&t, "NAME"), buf, sizeof(buf));
    assert_string_equal(buf, "web,1");
    xtp_cell_csv(&t, 0, col(&t, "NAME"), buf, sizeof(buf));
    assert_string_equal(buf, "\"web,1\"");

    assert_int_equal(xtp_view_build(&t, XTP_VIEW_EPT, &iv), 0);
    assert_true(cell(&t, 0, "FLUSH/s", &known) == 2.0);
    assert_true(cell(&t, 0, "IPI/FL", &known) == 3.0 && known);
    assert_true(cell(&t, 0, "DEFER%", &known) == 25.0 && known);
    assert_true(cell(&t, 0, "P50", &known) == 1023.0 && known);
    assert_true(cell(&t, 0, "MAX", &known) == 3000000.0);
    xtp_cell_text(&t, 0, col(&t, "MAX"), buf, sizeof(buf));
    assert_string_equal(buf, "3.0ms");
    xtp_cell_text(&t, 0, col(&t, "P50"), buf, sizeof(buf));
    assert_string_equal(buf, "1.0us");

    assert_int_equal(xtp_view_build(&t, XTP_VIEW_MSIX, &iv), 0);
    assert_true(cell(&t, 0, "EMUL/s", &known) == 15.0);
    assert_true(cell(&t, 0, "FWD/s", &known) == 5.0);
    assert_true(cell(&t, 0, "EMUL%", &known) == 75.0 && known);

    /* No dpci node in these samples: the view says so. */
    assert_int_equal(xtp_view_build(&t, XTP_VIEW_DPCI, &iv), 0);
    assert_int_equal(t.nrows, 0);
    assert_string_equal(t.note, "no dpci telemetry from this source");

    xtp_table_free(&t);
    xtp_interval_free(&iv);
    xtp_sample_free(a);
    xtp_sample_free(b);
}

/* A stock hypervisor: domains, no telemetry nodes. */
static void test_domains_without_nodes(void **state)
{
    struct xtp_sample *s = xtp_sample_new();
    struct xtp_interval iv = { 0 };
    struct xtp_table t;
    struct xtp_domain *d;
    char buf[64];
    int known;

    xtp_table_init(&t);
    d = xtp_sample_domain(s, 0);
    d->nr_vcpus = 2;
    d = xtp_sample_domain(s, 3);
    d->nr_vcpus = 4;
    snprintf(d->name, sizeof(d->name), "guest");
    xtp_sample_derive_host(s);
    assert_int_equal(s->host.nr_domains, 2);
    xtp_interval_set(&iv, NULL, s);

    assert_int_equal(xtp_view_build(&t, XTP_VIEW_MAPTRACK, &iv), 0);
    assert_string_equal(t.note, "no maptrack telemetry from this source");
    assert_int_equal(t.nrows, 2);
    assert_true(cell(&t, 1, "DOM", &known) == 3.0 && known);
    assert_true(cell(&t, 1, "VCPUS", &known) == 4.0 && known);
    cell(&t, 1, "INUSE", &known);
    assert_false(known);
    xtp_cell_text(&t, 0, col(&t, "NAME"), buf, sizeof(buf));
    assert_string_equal(buf, "Domain-0");
    xtp_cell_text(&t, 1, col(&t, "NAME"), buf, sizeof(buf));
    assert_string_equal(buf, "guest");
    assert_int_equal(xtp_view_build(&t, XTP_VIEW_EPT, &iv), 0);
    assert_int_equal(t.nrows, 2);
    xtp_cell_text(&t, 1, col(&t, "FLUSH/s"), buf, sizeof(buf));
    assert_string_equal(buf, "-");
    assert_int_equal(xtp_view_build(&t, XTP_VIEW_PI, &iv), 0);
    assert_int_equal(t.nrows, 0);
    assert_string_equal(t.note, "no pi telemetry from this source");
    /* Sorting an empty table is fine. */
    xtp_table_sort(&t, 1, 1);

    xtp_table_free(&t);
    xtp_interval_free(&iv);
    xtp_sample_free(s);
}

static void test_state_keeps_baseline(void **state)
{
    struct xtp_state st;

    assert_int_equal(xtp_state_init(&st, "test", 0), 0);
    pi_sample(st.next, SEC, (const uint64_t[]){ 0, 0, 0 },
              (const uint64_t[]){ 1, 1, 1 });
    assert_int_equal(xtp_state_advance(&st), 1);
    pi_sample(st.next, 2 * SEC, (const uint64_t[]){ 0, 0, 0 },
              (const uint64_t[]){ 5, 1, 1 });
    assert_int_equal(xtp_state_advance(&st), 1);
    /* The source had nothing new: same clock, same generation. */
    pi_sample(st.next, 2 * SEC, (const uint64_t[]){ 0, 0, 0 },
              (const uint64_t[]){ 5, 1, 1 });
    assert_int_equal(xtp_state_advance(&st), 0);
    assert_int_equal(xtp_state_build(&st, XTP_VIEW_PI), 0);
    assert_true(xtp_cell(&st.table[XTP_VIEW_PI], 0, 5, NULL) == 4.0);
    xtp_state_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pi_view),
        cmocka_unit_test(test_domain_views),
        cmocka_unit_test(test_domains_without_nodes),
        cmocka_unit_test(test_state_keeps_baseline),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
