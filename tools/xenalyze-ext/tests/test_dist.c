/*
 * test_dist.c - percentiles: exact while the sample budget lasts, within
 * the stated relative error after.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dist.h"

static void test_exact_nearest_rank(void **state)
{
    struct xa_dist d = { 0 };

    for (uint64_t v = 10; v >= 1; v--)          /* 10..1, unsorted input */
        dist_add(&d, v * 100);
    assert_true(dist_is_exact(&d));
    assert_int_equal(dist_percentile(&d, 50), 500);
    assert_int_equal(dist_percentile(&d, 90), 900);
    assert_int_equal(dist_percentile(&d, 99), 1000);
    assert_int_equal(dist_percentile(&d, 100), 1000);
    assert_int_equal(dist_percentile(&d, 0), 100);
    assert_int_equal(d.min, 100);
    assert_int_equal(d.max, 1000);
    assert_true(dist_mean(&d) == 550.0);
    /* adding after a percentile re-sorts */
    dist_add(&d, 1);
    assert_int_equal(dist_percentile(&d, 0), 1);
    dist_free(&d);
    assert_int_equal(dist_budget_used(), 0);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Selection must agree with a full sort, duplicates and patterns included. */
static void test_select_matches_sort(void **state)
{
    static uint64_t ref[5000];
    uint64_t x = 88172645463325252ull;

    for (int round = 0; round < 200; round++) {
        struct xa_dist d = { 0 };
        size_t n = 1 + (size_t)(x % 5000);
        unsigned int shape = round % 4;

        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            ref[i] = shape == 0 ? x % 7                 /* many duplicates */
                   : shape == 1 ? i                     /* sorted */
                   : shape == 2 ? n - i                 /* reversed */
                   : x;
            dist_add(&d, ref[i]);
        }
        qsort(ref, n, sizeof(ref[0]), cmp_u64);
        for (int p = 0; p <= 100; p += 7) {
            uint64_t rank = (uint64_t)((p / 100.0) * n + 0.999999999);

            if (rank < 1)
                rank = 1;
            assert_int_equal(dist_percentile(&d, p), ref[rank - 1]);
        }
        assert_int_equal(dist_percentile(&d, 99), ref[(size_t)((99 / 100.0) * n + 0.999999999) - 1]);
        dist_free(&d);
    }
}

/*
 * Percentiles asked in any order, with samples added between the calls:
 * dist_percentile() reuses its last selection only while nothing was
 * added, and must still agree with a full sort.
 */
static void test_select_any_order(void **state)
{
    static uint64_t ref[3000];
    uint64_t x = 0x2545f4914f6cdd1dull;
    struct xa_dist d = { 0 };
    size_t n = 0;

    for (int round = 0; round < 300; round++) {
        unsigned int adds = (unsigned int)(x % 40);

        for (unsigned int i = 0; i < adds && n < 3000; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            ref[n] = round % 3 == 0 ? x % 11 : x % 100000;
            dist_add(&d, ref[n++]);
        }
        if (!n)
            continue;
        for (int q = 0; q < 4; q++) {
            static uint64_t sorted[3000];
            double p;
            uint64_t rank;

            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            p = (double)(x % 1001) / 10.0;
            memcpy(sorted, ref, n * sizeof(ref[0]));
            qsort(sorted, n, sizeof(sorted[0]), cmp_u64);
            rank = (uint64_t)((p / 100.0) * (double)n + 0.999999999);
            if (rank < 1)
                rank = 1;
            if (rank > n)
                rank = n;
            assert_int_equal(dist_percentile(&d, p), sorted[rank - 1]);
        }
    }
    assert_true(dist_is_exact(&d));
    dist_free(&d);
}

/*
 * Where the switch from exact to bounded falls: arrays double from 16
 * samples, and a distribution folds when its next doubling would take
 * the samples held by all distributions past the budget.  The reports
 * state exact or bounded from this, so it must not move.
 */
static void test_budget_boundary(void **state)
{
    struct xa_dist d = { 0 }, e = { 0 };
    size_t old = dist_set_budget(64);

    for (uint64_t i = 0; i < 64; i++)
        dist_add(&d, 1000 - i);
    assert_true(dist_is_exact(&d));             /* 16, 32, 64: fits */
    assert_int_equal(dist_budget_used(), 64);
    assert_int_equal(dist_percentile(&d, 50), 1000 - 63 + 31);
    dist_add(&d, 5);                            /* 128 would not fit */
    assert_false(dist_is_exact(&d));
    assert_int_equal(d.count, 65);
    assert_int_equal(d.min, 5);
    assert_int_equal(d.max, 1000);
    assert_int_equal(dist_budget_used(), 0);
    assert_int_equal(dist_percentile(&d, 0), 5);
    assert_int_equal(dist_percentile(&d, 100), 1000);

    /* e grows to 64 samples, the whole budget... */
    for (uint64_t i = 0; i < 64; i++)
        dist_add(&e, i);
    assert_true(dist_is_exact(&e));
    assert_int_equal(dist_budget_used(), 64);
    {
        struct xa_dist f = { 0 };

        dist_add(&f, 7);           /* ...so f's first 16 do not fit */
        assert_false(dist_is_exact(&f));
        assert_int_equal(dist_percentile(&f, 50), 7);
        dist_free(&f);
    }
    dist_free(&e);
    dist_free(&d);
    assert_int_equal(dist_budget_used(), 0);
    dist_set_budget(old);
}

/*
 * Samples are stored in 32 bits until one needs 64: a distribution that
 * starts wide, or widens half way (at a full array or not), keeps every
 * sample, and the budget counts samples whatever their width.
 */
static void test_wide_samples(void **state)
{
    static uint64_t ref[700];
    const size_t widen_at[] = { 0, 1, 15, 16, 17, 300, 699 };
    uint64_t x = 0x9e3779b97f4a7c15ull;

    for (size_t w = 0; w < sizeof(widen_at) / sizeof(widen_at[0]); w++) {
        struct xa_dist d = { 0 };

        for (size_t i = 0; i < 700; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            ref[i] = i < widen_at[w] ? x % 0x100000000ull
                   : i == widen_at[w] ? UINT32_MAX + (x % 1000) + 1
                   : x >> (i % 40);
            dist_add(&d, ref[i]);
        }
        assert_true(dist_is_exact(&d));
        assert_int_equal(dist_budget_used(), 1024);  /* 16 doubled 6 times */
        for (size_t i = 0; i < 700; i++)
            assert_int_equal(dist_sample(&d, i), ref[i]);
        qsort(ref, 700, sizeof(ref[0]), cmp_u64);
        assert_int_equal(dist_percentile(&d, 50), ref[349]);
        assert_int_equal(dist_percentile(&d, 99), ref[692]);
        assert_int_equal(dist_percentile(&d, 100), ref[699]);
        assert_int_equal(dist_percentile(&d, 0), ref[0]);
        dist_free(&d);
    }
    /* 32-bit values only: the largest one still fits */
    {
        struct xa_dist d = { 0 };

        dist_add(&d, UINT32_MAX);
        dist_add(&d, 0);
        assert_int_equal(dist_sample(&d, 0), UINT32_MAX);
        assert_int_equal(dist_percentile(&d, 100), UINT32_MAX);
        assert_non_null(d.s32);
        dist_add(&d, 1ull << 32);
        assert_null(d.s32);
        assert_int_equal(dist_percentile(&d, 100), 1ull << 32);
        assert_int_equal(dist_percentile(&d, 50), UINT32_MAX);
        dist_free(&d);
    }
    assert_int_equal(dist_budget_used(), 0);
}

static uint64_t ref_rank(const uint64_t *sorted, size_t n, double p)
{
    uint64_t rank = (uint64_t)((p / 100.0) * (double)n + 0.999999999);

    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

/*
 * Large distributions take the radix path: buckets of one value, a
 * bucket holding most samples, 64-bit values, values far from 0; and its
 * counts must not outlive the distribution they were taken from (a new
 * one at the same address with as many samples).
 */
static void test_select_large(void **state)
{
    static uint64_t ref[4096 + 7 * 9000 + 1];
    uint64_t x = 0x853c49e6748fea9bull;

    for (unsigned int shape = 0; shape < 8; shape++) {
        struct xa_dist d = { 0 };
        size_t n = 4096 + (size_t)(shape * 9000);

        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* one value, two, fewer than the buckets, skewed, 64-bit,
             * far from 0, exactly as wide as the buckets, 32-bit */
            ref[i] = shape == 0 ? 42
                   : shape == 1 ? 7 + x % 2
                   : shape == 2 ? x % 4000
                   : shape == 3 ? (x % 10 ? 1000 : x % 100000000)
                   : shape == 4 ? x
                   : shape == 5 ? 1000000000000ull + x % 50000
                   : shape == 6 ? (i < 2 ? i * 4096 : x % 4097)
                   : x % 0x100000000ull;
            dist_add(&d, ref[i]);
        }
        qsort(ref, n, sizeof(ref[0]), cmp_u64);
        for (double p = 0; p <= 100; p += 0.5)
            assert_int_equal(dist_percentile(&d, p), ref_rank(ref, n, p));
        assert_int_equal(dist_percentile(&d, 50), ref_rank(ref, n, 50));
        dist_add(&d, ref[n - 1] + 1);                 /* counts go stale */
        ref[n] = ref[n - 1] + 1;
        assert_int_equal(dist_percentile(&d, 100), ref[n]);
        assert_int_equal(dist_percentile(&d, 50), ref_rank(ref, n + 1, 50));
        dist_free(&d);
    }
    /* same address, same count, other samples */
    {
        struct xa_dist d = { 0 };

        for (uint64_t i = 0; i < 5000; i++)
            dist_add(&d, i);
        assert_int_equal(dist_percentile(&d, 50), 2499);
        dist_free(&d);
        for (uint64_t i = 0; i < 5000; i++)
            dist_add(&d, 100000 + 3 * i);
        assert_int_equal(dist_percentile(&d, 50), 100000 + 3 * 2499);
        dist_free(&d);
    }
}

static void test_empty(void **state)
{
    struct xa_dist d = { 0 };

    assert_int_equal(dist_percentile(&d, 50), 0);
    assert_true(dist_is_exact(&d));
    dist_free(&d);
}

static void test_bucket_error_bound(void **state)
{
    uint64_t v = 1;

    /* small values keep their own bucket */
    for (uint64_t s = 0; s < 64; s++)
        assert_int_equal(dist_bucket_value(dist_bucket(s)), s);
    for (int i = 0; i < 200000; i++) {
        uint64_t b, rep;
        double err;

        v = v * 6364136223846793005ull + 1442695040888963407ull;
        b = v >> (i % 60);
        if (b == 0)
            continue;
        rep = dist_bucket_value(dist_bucket(b));
        err = rep > b ? (double)(rep - b) / (double)b
                      : (double)(b - rep) / (double)b;
        assert_true(dist_bucket(b) < XA_DIST_NR_BUCKETS);
        assert_true(err <= XA_DIST_REL_ERROR);
    }
    assert_true(dist_bucket(UINT64_MAX) < XA_DIST_NR_BUCKETS);
}

static void test_budget_fold(void **state)
{
    struct xa_dist d = { 0 }, e = { 0 };
    size_t old = dist_set_budget(4096);
    const double ps[] = { 1, 50, 90, 99, 99.9 };

    /* e takes part of the budget; d then folds when it cannot grow */
    for (uint64_t i = 0; i < 1000; i++)
        dist_add(&e, i);
    for (uint64_t i = 1; i <= 100000; i++)
        dist_add(&d, i * 37);
    assert_false(dist_is_exact(&d));
    assert_true(dist_is_exact(&e));
    assert_int_equal(d.count, 100000);
    assert_int_equal(d.max, 3700000);
    for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
        uint64_t exact = (uint64_t)((ps[k] / 100.0) * 100000 + 0.999999) * 37;
        uint64_t got = dist_percentile(&d, ps[k]);
        double err = got > exact ? (double)(got - exact) / (double)exact
                                 : (double)(exact - got) / (double)exact;

        assert_true(err <= XA_DIST_REL_ERROR);
    }
    assert_int_equal(dist_percentile(&d, 100), 3700000);
    /* folding gave the budget back */
    assert_true(dist_budget_used() <= 4096);
    dist_free(&d);
    dist_free(&e);
    assert_int_equal(dist_budget_used(), 0);
    dist_set_budget(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_nearest_rank),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_select_matches_sort),
        cmocka_unit_test(test_bucket_error_bound),
        cmocka_unit_test(test_budget_fold),
        cmocka_unit_test(test_select_any_order),
        cmocka_unit_test(test_budget_boundary),
        cmocka_unit_test(test_wide_samples),
        cmocka_unit_test(test_select_large),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
