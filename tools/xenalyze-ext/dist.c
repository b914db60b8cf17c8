/*
 * dist.c - exact-then-bounded distributions; see dist.h for the contract.
 */
#include <stdlib.h>
#include <string.h>

#include "dist.h"

static size_t budget = XA_DIST_EXACT_BUDGET;
static size_t used;

size_t dist_budget_used(void)
{
    return used;
}

size_t dist_set_budget(size_t samples)
{
    size_t old = budget;

    budget = samples;
    return old;
}

uint64_t dist_bucket_value(unsigned int b)
{
    unsigned int group = b / XA_DIST_SUB, sub = b % XA_DIST_SUB, shift;
    uint64_t low;

    if (group == 0)
        return b;
    shift = group - 1;
    low = ((uint64_t)(XA_DIST_SUB + sub)) << shift;
    /* midpoint of [low, low + 2^shift) */
    return low + (shift ? (1ull << (shift - 1)) : 0);
}

static void fold(struct xa_dist *d)
{
    d->hist = calloc(XA_DIST_NR_BUCKETS, sizeof(uint64_t));
    if (!d->hist)
        abort();
    for (uint64_t i = 0; i < d->count; i++)
        d->hist[dist_bucket(d->samples[i])]++;
    used -= d->cap;
    free(d->samples);
    d->samples = NULL;
    d->cap = 0;
}

/*
 * count == cap in exact mode (min, max and sum are done): grow by
 * doubling while the budget allows, else fold.  The doubling decides
 * when a distribution folds, so it stays as it is: the reports say which
 * distributions are exact, and that must not depend on how they are
 * stored.
 */
void dist_add_slow(struct xa_dist *d, uint64_t v)
{
    size_t ncap = d->cap ? d->cap * 2 : 16;

    if (used - d->cap + ncap > budget) {
        fold(d);
        d->hist[dist_bucket(v)]++;
        return;
    }
    d->samples = realloc(d->samples, ncap * sizeof(*d->samples));
    if (!d->samples)
        abort();
    used += ncap - d->cap;
    d->cap = ncap;
    d->samples[d->count] = v;
}

int dist_is_exact(const struct xa_dist *d)
{
    return d->hist == NULL;
}

double dist_mean(const struct xa_dist *d)
{
    return d->count ? (double)d->sum / (double)d->count : 0.0;
}

static inline void swap64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;

    *a = *b;
    *b = t;
}

/*
 * The k-th smallest of v[0..n) (k from 0), by quickselect: linear time,
 * where sorting millions of latencies for three percentiles dominated the
 * whole analysis.  The median of three keeps sorted or reversed input
 * linear; the array is left partly ordered, which the next call reuses.
 */
static uint64_t select_kth(uint64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;

    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
        uint64_t pivot;

        if (v[mid] < v[lo])
            swap64(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swap64(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swap64(&v[hi], &v[mid]);
        pivot = v[mid];
        /* Hoare partition: [lo, j] <= pivot <= [i, hi] */
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                swap64(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

uint64_t dist_percentile(struct xa_dist *d, double p)
{
    uint64_t rank, seen = 0;

    if (!d->count)
        return 0;
    /* nearest rank: the smallest value with at least p% at or below it */
    rank = (uint64_t)((p / 100.0) * (double)d->count + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > d->count)
        rank = d->count;
    if (!d->hist) {
        size_t k = rank - 1, lo = 0, n = d->count;

        /*
         * The last selection left its rank in place with nothing larger
         * before it and nothing smaller after it: the next percentile
         * (the reports ask for them in rising order) is searched on its
         * side only.
         */
        if (d->sel_count == d->count) {
            if (k == d->sel_rank)
                return d->samples[k];
            if (k > d->sel_rank)
                lo = d->sel_rank + 1;
            else
                n = d->sel_rank;
        }
        d->sel_rank = k;
        d->sel_count = d->count;
        return select_kth(d->samples + lo, n - lo, k - lo);
    }
    if (rank == d->count)
        return d->max;
    for (unsigned int b = 0; b < XA_DIST_NR_BUCKETS; b++) {
        seen += d->hist[b];
        if (seen >= rank) {
            uint64_t v = dist_bucket_value(b);

            return v < d->min ? d->min : v > d->max ? d->max : v;
        }
    }
    return d->max;
}

void dist_free(struct xa_dist *d)
{
    used -= d->cap;
    free(d->samples);
    free(d->hist);
    memset(d, 0, sizeof(*d));
}
