/*
 * The rate module: deltas over the header clock, a counter that goes
 * backwards starts a new baseline, samples of another generation or shape
 * have none, domains are matched by domid, histograms give the interval.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rate.h"
#include "testutil.h"

#define SEC 1000000000ull

static void test_rate_basic(void **state)
{
    double r;

    assert_int_equal(xtp_rate(10, 30, 2.0, &r), XTP_RATE_OK);
    assert_true(r == 10.0);
    assert_int_equal(xtp_rate(30, 30, 1.0, &r), XTP_RATE_OK);
    assert_true(r == 0.0);
    /* Backwards: no rate at all, not a negative or a wrapped one. */
    assert_int_equal(xtp_rate(30, 5, 1.0, &r), XTP_RATE_RESET);
    assert_true(r == 0.0);
    assert_int_equal(xtp_rate(5, 6, 0.0, &r), XTP_RATE_FIRST);
}

static void test_pcpu_rates_and_reset(void **state)
{
    struct xtp_sample *a = xtp_sample_new(), *b = xtp_sample_new(),
                      *c = xtp_sample_new();
    struct xtp_interval iv = { 0 };
    const struct xte_counter_desc *adds =
        xte_node_field(&xte_nodes[XTE_NODE_pi], 0, "adds");
    struct xte_node_view *v;
    double r;

    v = tu_node(a, XTE_NODE_pi, 2, 0, 10 * SEC, 1);
    tu_set(v, 0, 0, "adds", 100);
    tu_set(v, 0, 1, "adds", 1000);
    v = tu_node(b, XTE_NODE_pi, 2, 0, 10 * SEC + SEC / 2, 1);
    tu_set(v, 0, 0, "adds", 150);
    tu_set(v, 0, 1, "adds", 7);       /* reset on pCPU 1 only */

    assert_int_equal(xtp_interval_set(&iv, NULL, b), 0);
    assert_int_equal(xtp_rate_pcpu(&iv, XTE_NODE_pi, 0, adds, &r),
                     XTP_RATE_FIRST);

    assert_int_equal(xtp_interval_set(&iv, a, b), 0);
    assert_int_equal(xtp_rate_pcpu(&iv, XTE_NODE_pi, 0, adds, &r),
                     XTP_RATE_OK);
    assert_true(r == 100.0);          /* 50 in half a second */
    assert_int_equal(xtp_rate_pcpu(&iv, XTE_NODE_pi, 1, adds, &r),
                     XTP_RATE_RESET);
    assert_true(r == 0.0);

    /* The reset value is the next baseline. */
    v = tu_node(c, XTE_NODE_pi, 2, 0, 11 * SEC + SEC / 2, 1);
    tu_set(v, 0, 0, "adds", 150);
    tu_set(v, 0, 1, "adds", 17);
    assert_int_equal(xtp_interval_set(&iv, b, c), 0);
    assert_int_equal(xtp_rate_pcpu(&iv, XTE_NODE_pi, 1, adds, &r),
                     XTP_RATE_OK);
    assert_true(r == 10.0);

    /* A new generation (restart) or a frozen clock: no baseline. */
    v = tu_node(c, XTE_NODE_pi, 2, 0, 12 * SEC, 2);
    tu_set(v, 0, 0, "adds", 500);
    assert_int_equal(xtp_interval_set(&iv, b, c), 0);
    assert_int_equal(xtp_rate_pcpu(&iv, XTE_NODE_pi, 0, adds, &r),
                     XTP_RATE_FIRST);
    v = tu_node(c, XTE_NODE_pi, 2, 0, 10 * SEC + SEC / 2, 1);
    assert_int_equal(xtp_interval_set(&iv, b, c), 0);
    assert_int_equal(xtp_rate_pcpu(&iv, XTE_NODE_pi, 0, adds, &r),
                     XTP_RATE_FIRST);
    /* pCPUs came or went: no baseline either. */
    v = tu_node(c, XTE_NODE_pi, 3, 0, 12 * SEC, 1);
    assert_int_equal(xtp_interval_set(&iv, b, c), 0);
    assert_int_equal(xtp_rate_pcpu(&iv, XTE_NODE_pi, 0, adds, &r),
                     XTP_RATE_FIRST);

    xtp_interval_free(&iv);
    xtp_sample_free(a);
    xtp_sample_free(b);
    xtp_sample_free(c);
}

static void test_domains_matched_by_domid(void **state)
{
    struct xtp_sample *a = xtp_sample_new(), *b = xtp_sample_new();
    struct xtp_interval iv = { 0 };
    const struct xte_counter_desc *st =
        xte_node_field(&xte_nodes[XTE_NODE_maptrack], 1, "steals");
    struct xte_node_view *v;
    double r;

    v = tu_node(a, XTE_NODE_maptrack, 1, 2, SEC, 1);
    tu_set(v, 1, 0, "domid", 5);
    tu_set(v, 1, 0, "steals", 10);
    tu_set(v, 1, 1, "domid", 9);
    tu_set(v, 1, 1, "steals", 100);
    /* Another order (9, 12, 5), and domain 12 is new. */
    v = tu_node(b, XTE_NODE_maptrack, 1, 3, 3 * SEC, 1);
    tu_set(v, 1, 0, "domid", 9);
    tu_set(v, 1, 0, "steals", 140);
    tu_set(v, 1, 1, "domid", 12);
    tu_set(v, 1, 1, "steals", 4);
    tu_set(v, 1, 2, "domid", 5);
    tu_set(v, 1, 2, "steals", 16);
    assert_int_equal(xtp_interval_set(&iv, a, b), 0);
    assert_int_equal(xtp_rate_domain(&iv, XTE_NODE_maptrack, 0, st, &r),
                     XTP_RATE_OK);
    assert_true(r == 20.0);
    assert_int_equal(xtp_rate_domain(&iv, XTE_NODE_maptrack, 1, st, &r),
                     XTP_RATE_FIRST);
    assert_int_equal(xtp_rate_domain(&iv, XTE_NODE_maptrack, 2, st, &r),
                     XTP_RATE_OK);
    assert_true(r == 3.0);
    xtp_interval_free(&iv);
    xtp_sample_free(a);
    xtp_sample_free(b);
}

static void test_hist_interval(void **state)
{
    struct xtp_sample *a = xtp_sample_new(), *b = xtp_sample_new();
    struct xtp_interval iv = { 0 };
    const struct xte_counter_desc *lat =
        xte_node_field(&xte_nodes[XTE_NODE_dpci], 0, "latency");
    static const uint64_t old[] = { 5000000, 6000000 };   /* ~5 ms, before */
    static const uint64_t now[] = { 100, 120, 130, 300 };
    struct xte_node_view *v;
    struct xte_hist h;

    v = tu_node(a, XTE_NODE_dpci, 1, 0, SEC, 1);
    tu_hist(v, 0, 0, "latency", old, 2);
    v = tu_node(b, XTE_NODE_dpci, 1, 0, 2 * SEC, 1);
    tu_hist(v, 0, 0, "latency", old, 2);
    tu_hist(v, 0, 0, "latency", now, 4);
    assert_int_equal(xtp_interval_set(&iv, a, b), 0);
    assert_int_equal(xtp_hist_pcpu(&iv, XTE_NODE_dpci, 0, lat, &h),
                     XTP_RATE_OK);
    assert_int_equal(xte_hist_count(&h), 4);
    assert_int_equal(h.sum, 650);
    /* The old 6 ms maximum is not this interval's: capped by the buckets. */
    assert_int_equal(h.max, 511);
    assert_int_equal(xte_hist_quantile(&h, 0.5), 127);
    assert_int_equal(xte_hist_quantile(&h, 0.99), 511);

    /* Buckets going backwards: reset, the cumulative histogram stands. */
    assert_int_equal(xtp_interval_set(&iv, b, a), 0);
    assert_int_equal(xtp_hist_pcpu(&iv, XTE_NODE_dpci, 0, lat, &h),
                     XTP_RATE_FIRST);   /* a's clock is older: no baseline */
    v = tu_node(a, XTE_NODE_dpci, 1, 0, 3 * SEC, 1);
    tu_hist(v, 0, 0, "latency", now, 1);
    assert_int_equal(xtp_interval_set(&iv, b, a), 0);
    assert_int_equal(xtp_hist_pcpu(&iv, XTE_NODE_dpci, 0, lat, &h),
                     XTP_RATE_RESET);
    assert_int_equal(xte_hist_count(&h), 1);
    xtp_interval_free(&iv);
    xtp_sample_free(a);
    xtp_sample_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_basic),
        cmocka_unit_test(test_pcpu_rates_and_reset),
        cmocka_unit_test(test_domains_matched_by_domid),
        cmocka_unit_test(test_hist_interval),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
