/*
 * dist.c - exact-then-bounded distributions; see dist.h for the contract.
 */
#include <stdint.h>
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

static void radix_forget(const struct xa_dist *d);

static void fold(struct xa_dist *d)
{
    d->hist = calloc(XA_DIST_NR_BUCKETS, sizeof(uint64_t));
    if (!d->hist)
        abort();
    for (uint64_t i = 0; i < d->count; i++)
        d->hist[dist_bucket(dist_sample(d, i))]++;
    used -= d->cap;
    free(d->s32);
    free(d->s64);
    d->s32 = NULL;
    d->s64 = NULL;
    d->cap = 0;
    radix_forget(d);
}

/*
 * Samples are kept as 32-bit words until one needs 64 bits: the values
 * the analyser keeps (ns latencies, list lengths, batch sizes) fit, and
 * half the bytes are half the page faults of a growing array, which cost
 * more than the rest of dist_add on the traces measured.
 */
static void widen(struct xa_dist *d)
{
    uint64_t *w = malloc((d->cap ? d->cap : 1) * sizeof(*w));

    if (!w)
        abort();
    for (size_t i = 0; i < d->count; i++)
        w[i] = d->s32[i];
    free(d->s32);
    d->s32 = NULL;
    d->s64 = w;
}

/*
 * Out of line (min, max and sum are done): the array is full, or v does
 * not fit its 32-bit words.  A full array doubles while the budget allows,
 * else the distribution folds.  The doubling (in samples, whatever their
 * width) decides when a distribution folds, so it stays as it is: the
 * reports say which distributions are exact, and that must not depend on
 * how the samples are stored.
 */
void dist_add_slow(struct xa_dist *d, uint64_t v)
{
    if (d->count == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 16;

        if (used - d->cap + ncap > budget) {
            fold(d);
            d->hist[dist_bucket(v)]++;
            return;
        }
        if (d->s64 || (!d->s32 && v > UINT32_MAX)) {
            d->s64 = realloc(d->s64, ncap * sizeof(*d->s64));
            if (!d->s64)
                abort();
        } else {
            d->s32 = realloc(d->s32, ncap * sizeof(*d->s32));
            if (!d->s32)
                abort();
        }
        used += ncap - d->cap;
        d->cap = ncap;
    }
    if (d->s32 && v > UINT32_MAX)
        widen(d);
    if (d->s32)
        d->s32[d->count] = (uint32_t)v;
    else
        d->s64[d->count] = v;
}

int dist_is_exact(const struct xa_dist *d)
{
    return d->hist == NULL;
}

double dist_mean(const struct xa_dist *d)
{
    return d->count ? (double)d->sum / (double)d->count : 0.0;
}

/*
 * The k-th smallest of v[0..n) (k from 0), by quickselect: linear time,
 * where sorting millions of latencies for three percentiles dominated the
 * whole analysis.  The median of three keeps sorted or reversed input
 * linear; the array is left partly ordered, which the next call reuses.
 * One body for both widths of sample.
 */
#define SELECT_KTH(name, T)                                                 \
static uint64_t name(T *v, size_t n, size_t k)                              \
{                                                                           \
    size_t lo = 0, hi = n - 1;                                              \
    T t;                                                                    \
                                                                            \
    while (hi > lo) {                                                       \
        size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;                    \
        T pivot;                                                            \
                                                                            \
        if (v[mid] < v[lo])                                                 \
            t = v[mid], v[mid] = v[lo], v[lo] = t;                          \
        if (v[hi] < v[lo])                                                  \
            t = v[hi], v[hi] = v[lo], v[lo] = t;                            \
        if (v[hi] < v[mid])                                                 \
            t = v[hi], v[hi] = v[mid], v[mid] = t;                          \
        pivot = v[mid];                                                     \
        /* Hoare partition: [lo, j] <= pivot <= [i, hi] */                  \
        while (i <= j) {                                                    \
            while (v[i] < pivot)                                            \
                i++;                                                        \
            while (v[j] > pivot)                                            \
                j--;                                                        \
            if (i <= j) {                                                   \
                t = v[i], v[i] = v[j], v[j] = t;                            \
                i++;                                                        \
                if (j == 0)                                                 \
                    break;                                                  \
                j--;                                                        \
            }                                                               \
        }                                                                   \
        if (k <= j)                                                         \
            hi = j;                                                         \
        else if (k >= i)                                                    \
            lo = i;                                                         \
        else                                                                \
            return v[k];                                                    \
    }                                                                       \
    return v[k];                                                            \
}

SELECT_KTH(select_kth32, uint32_t)
SELECT_KTH(select_kth64, uint64_t)

/*
 * Selection in a large exact distribution: a radix pass.  One pass counts
 * the samples in RADIX_BUCKETS buckets of equal width over [min, max]; a
 * rank falls in one bucket, whose samples a second pass copies out, and
 * the quickselect runs on those alone.  Both passes are straight loops,
 * where the partitions of a quickselect over millions of samples
 * mispredict about every other comparison (the percentiles took a third
 * as long as the whole analysis of the trace).  The counts of the last
 * distribution serve its next percentile until it changes: the reports
 * ask for two or three in a row.
 */
#define RADIX_MIN_SAMPLES  4096
#define RADIX_BITS         12
#define RADIX_BUCKETS      (1u << RADIX_BITS)

static struct {
    const struct xa_dist *d;            /* NULL: nothing counted */
    uint64_t count;                     /* d->count when counted */
    unsigned int shift;
    uint64_t n[RADIX_BUCKETS];
} radix;

static void radix_forget(const struct xa_dist *d)
{
    if (radix.d == d)
        radix.d = NULL;
}

static uint64_t radix_select(const struct xa_dist *d, uint64_t k)
{
    uint64_t lo = d->min, below = 0, m = 0, *pick, v;
    unsigned int b = 0, shift = radix.shift;

    if (radix.d != d || radix.count != d->count) {
        shift = 0;
        while (((d->max - lo) >> shift) >= RADIX_BUCKETS)
            shift++;
        memset(radix.n, 0, sizeof(radix.n));
        if (d->s32)
            for (uint64_t i = 0; i < d->count; i++)
                radix.n[(d->s32[i] - lo) >> shift]++;
        else
            for (uint64_t i = 0; i < d->count; i++)
                radix.n[(d->s64[i] - lo) >> shift]++;
        radix.d = d;
        radix.count = d->count;
        radix.shift = shift;
    }
    while (below + radix.n[b] <= k)
        below += radix.n[b++];
    if (!shift)                         /* a bucket per value */
        return lo + b;
    pick = malloc((radix.n[b] + 1) * sizeof(*pick));
    if (!pick)
        abort();
    /* every sample is written, the ones in bucket b are kept */
    if (d->s32)
        for (uint64_t i = 0; i < d->count; i++) {
            pick[m] = d->s32[i];
            m += ((pick[m] - lo) >> shift) == b;
        }
    else
        for (uint64_t i = 0; i < d->count; i++) {
            pick[m] = d->s64[i];
            m += ((pick[m] - lo) >> shift) == b;
        }
    v = select_kth64(pick, m, k - below);
    free(pick);
    return v;
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
    if (!d->hist && d->count >= RADIX_MIN_SAMPLES)
        return radix_select(d, rank - 1);
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
                return dist_sample(d, k);
            if (k > d->sel_rank)
                lo = d->sel_rank + 1;
            else
                n = d->sel_rank;
        }
        d->sel_rank = k;
        d->sel_count = d->count;
        return d->s32 ? select_kth32(d->s32 + lo, n - lo, k - lo)
                      : select_kth64(d->s64 + lo, n - lo, k - lo);
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
    radix_forget(d);
    used -= d->cap;
    free(d->s32);
    free(d->s64);
    free(d->hist);
    memset(d, 0, sizeof(*d));
}
