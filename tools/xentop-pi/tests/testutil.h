/* Samples built in memory with xte_node_init, for the unit tests. */
#ifndef XTP_TESTUTIL_H
#define XTP_TESTUTIL_H

#include <string.h>

#include "collect.h"

/* Put a node of nr_pcpus/nr_domains zeroed records into s. */
static inline struct xte_node_view *
tu_node(struct xtp_sample *s, enum xte_node_index n, unsigned int pcpus,
        unsigned int doms, uint64_t ts, uint64_t gen)
{
    const struct xte_node_desc *d = &xte_nodes[n];
    size_t len = sizeof(struct xte_telemetry_header) +
                 pcpus * d->pcpu_record_size + doms * d->domain_record_size;
    uint8_t *buf = xtp_sample_node_buffer(s, n, len);
    struct xte_error err;

    if (!buf || xte_node_init(buf, len, n, pcpus, doms, ts, gen) != len ||
        xtp_sample_parse_node(s, n, len, "test", &err) < 0)
        return NULL;
    s->t_ns = ts;
    s->generation = gen;
    return &s->node[n].view;
}

static inline void tu_set(struct xte_node_view *v, int dom, unsigned int i,
                          const char *field, uint64_t val)
{
    const struct xte_counter_desc *f = xte_node_field(v->desc, dom, field);
    uint8_t *rec = (uint8_t *)(dom ? xte_node_domain(v, i)
                                   : xte_node_pcpu(v, i));

    memcpy(rec + f->offset, &val, 8);
}

static inline void tu_hist(struct xte_node_view *v, int dom, unsigned int i,
                           const char *field, const uint64_t *values,
                           unsigned int n)
{
    const struct xte_counter_desc *f = xte_node_field(v->desc, dom, field);
    uint8_t *rec = (uint8_t *)(dom ? xte_node_domain(v, i)
                                   : xte_node_pcpu(v, i));
    struct xte_hist h;

    memcpy(&h, rec + f->offset, sizeof(h));
    for (unsigned int k = 0; k < n; k++) {
        h.bucket[xte_hist_bucket(values[k])]++;
        h.sum += values[k];
        if (values[k] > h.max)
            h.max = values[k];
    }
    memcpy(rec + f->offset, &h, sizeof(h));
}

#endif
