/*
 * rate.c - rates and interval histograms between two samples.
 */
#include <stdlib.h>
#include <string.h>

#include "rate.h"

enum xtp_rate_status xtp_rate(uint64_t prev, uint64_t cur, double dt_s,
                              double *rate)
{
    *rate = 0;
    if (cur < prev)
        return XTP_RATE_RESET;
    if (!(dt_s > 0))
        return XTP_RATE_FIRST;
    *rate = (double)(cur - prev) / dt_s;
    return XTP_RATE_OK;
}

struct key_idx {
    uint64_t domid;
    int idx;
};

static int cmp_key(const void *a, const void *b)
{
    const struct key_idx *x = a, *y = b;

    return x->domid < y->domid ? -1 : x->domid > y->domid;
}

int xtp_interval_set(struct xtp_interval *iv, const struct xtp_sample *prev,
                     const struct xtp_sample *cur)
{
    iv->prev = prev;
    iv->cur = cur;
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        struct xtp_node_interval *ni = &iv->node[n];
        const struct xte_node_view *p = prev ? xtp_sample_node(prev, n) : NULL;
        const struct xte_node_view *c = xtp_sample_node(cur, n);
        const struct xte_counter_desc *key;

        ni->cur = c;
        ni->prev = NULL;
        ni->dt_s = 0;
        if (!c || !p)
            continue;
        if (p->hdr.generation != c->hdr.generation ||
            p->hdr.nr_pcpus != c->hdr.nr_pcpus ||
            c->hdr.timestamp_ns <= p->hdr.timestamp_ns ||
            prev->generation != cur->generation)
            continue;           /* restarted, reshaped or frozen */
        ni->prev = p;
        ni->dt_s = (double)(c->hdr.timestamp_ns - p->hdr.timestamp_ns) / 1e9;
        key = xte_node_field(c->desc, 1, "domid");
        if (!key || !c->hdr.nr_domains)
            continue;
        if (c->hdr.nr_domains > ni->dom_cap) {
            int *d = realloc(ni->dom_prev, c->hdr.nr_domains * sizeof(*d));

            if (!d)
                return -1;
            ni->dom_prev = d;
            ni->dom_cap = c->hdr.nr_domains;
        }
        {
            struct key_idx *k = malloc((p->hdr.nr_domains + 1) * sizeof(*k));

            if (!k)
                return -1;
            for (unsigned int i = 0; i < p->hdr.nr_domains; i++) {
                k[i].domid = xte_rec_u64(xte_node_domain(p, i), key);
                k[i].idx = (int)i;
            }
            qsort(k, p->hdr.nr_domains, sizeof(*k), cmp_key);
            for (unsigned int i = 0; i < c->hdr.nr_domains; i++) {
                struct key_idx want = {
                    xte_rec_u64(xte_node_domain(c, i), key), 0 };
                struct key_idx *hit = bsearch(&want, k, p->hdr.nr_domains,
                                              sizeof(*k), cmp_key);

                ni->dom_prev[i] = hit ? hit->idx : -1;
            }
            free(k);
        }
    }
    return 0;
}

void xtp_interval_free(struct xtp_interval *iv)
{
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        free(iv->node[n].dom_prev);
        iv->node[n].dom_prev = NULL;
        iv->node[n].dom_cap = 0;
    }
}

/* The previous record matching cur's, or NULL. */
static const uint8_t *prev_pcpu(const struct xtp_node_interval *ni,
                                unsigned int c)
{
    if (!ni->prev || c >= ni->prev->hdr.nr_pcpus)
        return NULL;
    return xte_node_pcpu(ni->prev, c);
}

static const uint8_t *prev_dom(const struct xtp_node_interval *ni,
                               unsigned int i)
{
    if (!ni->prev || !ni->dom_prev || i >= ni->cur->hdr.nr_domains ||
        ni->dom_prev[i] < 0)
        return NULL;
    return xte_node_domain(ni->prev, (unsigned int)ni->dom_prev[i]);
}

static enum xtp_rate_status rate_of(const struct xtp_node_interval *ni,
                                    const uint8_t *p, const uint8_t *c,
                                    const struct xte_counter_desc *f,
                                    double *rate)
{
    *rate = 0;
    if (!p)
        return XTP_RATE_FIRST;
    return xtp_rate(xte_rec_u64(p, f), xte_rec_u64(c, f), ni->dt_s, rate);
}

enum xtp_rate_status xtp_rate_pcpu(const struct xtp_interval *iv,
                                   enum xte_node_index n, unsigned int c,
                                   const struct xte_counter_desc *f,
                                   double *rate)
{
    const struct xtp_node_interval *ni = &iv->node[n];

    return rate_of(ni, prev_pcpu(ni, c), xte_node_pcpu(ni->cur, c), f, rate);
}

enum xtp_rate_status xtp_rate_domain(const struct xtp_interval *iv,
                                     enum xte_node_index n, unsigned int i,
                                     const struct xte_counter_desc *f,
                                     double *rate)
{
    const struct xtp_node_interval *ni = &iv->node[n];

    return rate_of(ni, prev_dom(ni, i), xte_node_domain(ni->cur, i), f, rate);
}

static enum xtp_rate_status delta_of(const uint8_t *p, const uint8_t *c,
                                     const struct xte_counter_desc *f,
                                     uint64_t *delta)
{
    uint64_t a, b;

    *delta = 0;
    if (!p)
        return XTP_RATE_FIRST;
    a = xte_rec_u64(p, f);
    b = xte_rec_u64(c, f);
    if (b < a)
        return XTP_RATE_RESET;
    *delta = b - a;
    return XTP_RATE_OK;
}

enum xtp_rate_status xtp_delta_pcpu(const struct xtp_interval *iv,
                                    enum xte_node_index n, unsigned int c,
                                    const struct xte_counter_desc *f,
                                    uint64_t *delta)
{
    const struct xtp_node_interval *ni = &iv->node[n];

    return delta_of(prev_pcpu(ni, c), xte_node_pcpu(ni->cur, c), f, delta);
}

enum xtp_rate_status xtp_delta_domain(const struct xtp_interval *iv,
                                      enum xte_node_index n, unsigned int i,
                                      const struct xte_counter_desc *f,
                                      uint64_t *delta)
{
    const struct xtp_node_interval *ni = &iv->node[n];

    return delta_of(prev_dom(ni, i), xte_node_domain(ni->cur, i), f, delta);
}

static enum xtp_rate_status hist_of(const uint8_t *p, const uint8_t *c,
                                    const struct xte_counter_desc *f,
                                    struct xte_hist *out)
{
    struct xte_hist a;

    xte_rec_hist(c, f, out);
    if (!p)
        return XTP_RATE_FIRST;
    xte_rec_hist(p, f, &a);
    for (unsigned int b = 0; b < XTE_HIST_BUCKETS; b++)
        if (out->bucket[b] < a.bucket[b])
            return XTP_RATE_RESET;
    if (out->sum < a.sum)
        return XTP_RATE_RESET;
    for (unsigned int b = 0; b < XTE_HIST_BUCKETS; b++)
        out->bucket[b] -= a.bucket[b];
    out->sum -= a.sum;
    /*
     * max is cumulative: the interval's own max is at most the upper edge
     * of its highest non-empty bucket.
     */
    for (int b = XTE_HIST_BUCKETS - 1; b >= 0; b--)
        if (out->bucket[b]) {
            uint64_t hi = xte_hist_bucket_high((unsigned int)b);

            if (hi != UINT64_MAX)
                hi -= 1;
            if (hi < out->max)
                out->max = hi;
            break;
        } else if (b == 0) {
            out->max = 0;
        }
    return XTP_RATE_OK;
}

enum xtp_rate_status xtp_hist_pcpu(const struct xtp_interval *iv,
                                   enum xte_node_index n, unsigned int c,
                                   const struct xte_counter_desc *f,
                                   struct xte_hist *out)
{
    const struct xtp_node_interval *ni = &iv->node[n];

    return hist_of(prev_pcpu(ni, c), xte_node_pcpu(ni->cur, c), f, out);
}

enum xtp_rate_status xtp_hist_domain(const struct xtp_interval *iv,
                                     enum xte_node_index n, unsigned int i,
                                     const struct xte_counter_desc *f,
                                     struct xte_hist *out)
{
    const struct xtp_node_interval *ni = &iv->node[n];

    return hist_of(prev_dom(ni, i), xte_node_domain(ni->cur, i), f, out);
}
