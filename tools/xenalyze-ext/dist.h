/*
 * dist.h - a distribution of non-negative integer samples (latencies,
 * batch sizes, walk lengths) with percentiles.
 *
 * Samples are kept exactly while a process-wide budget allows it
 * (XA_DIST_EXACT_BUDGET samples across all distributions), so the
 * percentiles of any trace of ordinary size are exact.  A distribution that
 * needs to grow once the budget is spent folds its samples into log-linear
 * buckets: 64 sub-buckets per power of two, each reported by its midpoint,
 * so a percentile is then within XA_DIST_REL_ERROR of the true sample value
 * (values below 64 stay exact).  dist_is_exact() tells the report which of
 * the two it prints.  Memory is bounded: the budget (4 bytes a sample, 8
 * for a distribution holding a value of 64 bits), plus XA_DIST_HIST_BYTES
 * per folded distribution.
 */
#ifndef XA_DIST_H
#define XA_DIST_H

#include <stddef.h>
#include <stdint.h>

#define XA_DIST_SUB_BITS      6                       /* 64 sub-buckets */
#define XA_DIST_SUB           (1u << XA_DIST_SUB_BITS)
#define XA_DIST_NR_BUCKETS    ((64 - XA_DIST_SUB_BITS + 1) * XA_DIST_SUB)
#define XA_DIST_HIST_BYTES    (XA_DIST_NR_BUCKETS * sizeof(uint64_t))
/* Half a sub-bucket over its lower bound: 1 / (2 * 64). */
#define XA_DIST_REL_ERROR     0.0079
#define XA_DIST_EXACT_BUDGET  (8u << 20)   /* samples: 32 MiB, 64 if wide */

struct xa_dist {
    uint64_t count;
    uint64_t sum;
    uint64_t min;
    uint64_t max;
    /*
     * exact mode: count samples in no particular order, as 32-bit words
     * (s32) while every one fits, else as 64-bit words (s64); cap is in
     * samples either way (the budget counts samples)
     */
    uint32_t *s32;
    uint64_t *s64;
    size_t cap;
    /* folded mode: hist != NULL, no samples */
    uint64_t *hist;
    /* dist_percentile(): samples[sel_rank] is in sorted place while
     * count == sel_count */
    size_t sel_rank, sel_count;
};

/* Out of line: the array is full (grow it, or fold), or v needs 64 bits. */
void dist_add_slow(struct xa_dist *d, uint64_t v);

/*
 * Log-linear bucket: values below 64 have a bucket each; above, the
 * position of the top bit selects a group of 64 buckets and the next six
 * bits the bucket within it.
 */
static inline unsigned int dist_bucket(uint64_t v)
{
    unsigned int top, shift;

    if (v < XA_DIST_SUB)
        return (unsigned int)v;
    top = 63 - (unsigned int)__builtin_clzll(v);       /* >= 6 */
    shift = top - XA_DIST_SUB_BITS;
    return (shift + 1) * XA_DIST_SUB +
           (unsigned int)((v >> shift) & (XA_DIST_SUB - 1));
}

/*
 * The two halves of adding a sample: its figures that do not depend on
 * where it is kept (count is left to the caller), and keeping it in room
 * the distribution already has, which returns 0 when there is none (then
 * only dist_add_slow() can: growing, folding, widening).
 */
static inline void dist_note(struct xa_dist *d, uint64_t v)
{
    if (__builtin_expect(v < d->min, 0) || __builtin_expect(!d->count, 0))
        d->min = v;
    if (__builtin_expect(v > d->max, 0))
        d->max = v;
    d->sum += v;
}

static inline __attribute__((always_inline)) int
dist_keep_in_room(struct xa_dist *d, uint64_t v)
{
    if (__builtin_expect(d->count < d->cap && d->s32 && v <= UINT32_MAX, 1))
        d->s32[d->count] = (uint32_t)v;
    else if (d->hist)
        d->hist[dist_bucket(v)]++;
    else
        return 0;
    return 1;
}

/* Inline: the analyser adds a sample for most records it reads. */
static inline void dist_add(struct xa_dist *d, uint64_t v)
{
    dist_note(d, v);
    if (__builtin_expect(!dist_keep_in_room(d, v), 0))
        dist_add_slow(d, v);
    d->count++;
}

/*
 * For a caller that adds samples out of their order and replays some of
 * them later in order (analysis.c's grouped pass): add v if it goes into
 * room the distribution already has, and return 1; else change nothing
 * and return 0.  Only the slow path (growing, folding, widening) depends
 * on the order of samples across distributions, through the shared
 * budget: the rest (count, sum, min, max, the samples kept as a set)
 * does not.
 */
static inline __attribute__((always_inline)) int
dist_add_in_place(struct xa_dist *d, uint64_t v)
{
    if (!dist_keep_in_room(d, v))
        return 0;
    dist_note(d, v);
    d->count++;
    return 1;
}

/*
 * After dist_add_in_place() refused a sample that fits the array but not
 * its 32-bit words, dist_hold() makes it refuse every later one too (the
 * array reads as full), so that the replay sees this distribution's
 * samples in their order; dist_unhold() gives the room back before the
 * replay.  dist_hold() returns what dist_unhold() needs.
 */
static inline size_t dist_hold(struct xa_dist *d)
{
    size_t cap = d->cap;

    d->cap = d->count;
    return cap;
}

static inline void dist_unhold(struct xa_dist *d, size_t cap)
{
    d->cap = cap;
}

/* Sample i (< count) of an exact distribution. */
static inline uint64_t dist_sample(const struct xa_dist *d, size_t i)
{
    return d->s32 ? d->s32[i] : d->s64[i];
}

/* p in [0, 100]; nearest-rank percentile; 0 when empty. */
uint64_t dist_percentile(struct xa_dist *d, double p);
int dist_is_exact(const struct xa_dist *d);
double dist_mean(const struct xa_dist *d);
void dist_free(struct xa_dist *d);

/* Samples still kept exactly by all distributions (for tests and stats). */
size_t dist_budget_used(void);
/* Tests only: change the budget (returns the previous one). */
size_t dist_set_budget(size_t samples);
/* Representative value of a bucket of the folded form. */
uint64_t dist_bucket_value(unsigned int b);

#endif /* XA_DIST_H */
