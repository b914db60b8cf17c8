/*
 * telemetry.c - decode telemetry nodes (hypfs /telemetry/<subsystem>).
 *
 * A node's bytes are trusted no more than a file's: every size in the
 * header is checked against the catalogue and against the buffer before a
 * record is touched, and every error names the source and the byte offset
 * of the offending header field.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "telemetry.h"

#define HDR_OFF(field) offsetof(struct xte_telemetry_header, field)

int xte_node_parse(const void *buf, size_t len, const char *source,
                   struct xte_node_view *view, struct xte_error *err)
{
    const struct xte_node_desc *d;
    struct xte_telemetry_header h;
    size_t need;

    if (len < sizeof(h))
        return xte_set_error(err, source, len,
                             "telemetry node is %zu bytes, shorter than its "
                             "%zu-byte header", len, sizeof(h));
    memcpy(&h, buf, sizeof(h));
    if (h.magic != XTE_TELEMETRY_MAGIC)
        return xte_set_error(err, source, HDR_OFF(magic),
                             "bad magic 0x%08x (expected 0x%08x): not a "
                             "telemetry node", h.magic, XTE_TELEMETRY_MAGIC);
    if (h.header_size < sizeof(h) || h.header_size > len)
        return xte_set_error(err, source, HDR_OFF(header_size),
                             "header_size %u out of range", h.header_size);
    if (h.node >= XTE_NR_NODES)
        return xte_set_error(err, source, HDR_OFF(node),
                             "unknown node %u (this tool knows %u)",
                             h.node, (unsigned int)XTE_NR_NODES);
    d = &xte_nodes[h.node];
    if (h.version != d->version)
        return xte_set_error(err, source, HDR_OFF(version),
                             "node '%s' has layout version %u; this tool "
                             "reads version %u", d->subsystem, h.version,
                             d->version);
    if (h.pcpu_record_size < d->pcpu_record_size)
        return xte_set_error(err, source, HDR_OFF(pcpu_record_size),
                             "node '%s': pCPU record of %u bytes, expected "
                             "at least %zu", d->subsystem,
                             h.pcpu_record_size, d->pcpu_record_size);
    if (h.nr_domains && h.domain_record_size < d->domain_record_size)
        return xte_set_error(err, source, HDR_OFF(domain_record_size),
                             "node '%s': domain record of %u bytes, "
                             "expected at least %zu", d->subsystem,
                             h.domain_record_size, d->domain_record_size);
    /* 64-bit arithmetic: counts and sizes are 32-bit, their product is not. */
    need = (size_t)h.header_size +
           (size_t)h.nr_pcpus * h.pcpu_record_size +
           (size_t)h.nr_domains * h.domain_record_size;
    if (need > len)
        return xte_set_error(err, source, HDR_OFF(nr_pcpus),
                             "node '%s' declares %u pCPU and %u domain "
                             "records (%zu bytes) but has %zu bytes",
                             d->subsystem, h.nr_pcpus, h.nr_domains,
                             need, len);
    view->desc = d;
    view->hdr = h;
    view->pcpu_records = (const uint8_t *)buf + h.header_size;
    view->domain_records = view->pcpu_records +
                           (size_t)h.nr_pcpus * h.pcpu_record_size;
    return 0;
}

uint64_t xte_rec_u64(const uint8_t *record, const struct xte_counter_desc *f)
{
    uint64_t v;

    memcpy(&v, record + f->offset, sizeof(v));
    return v;
}

void xte_rec_hist(const uint8_t *record, const struct xte_counter_desc *f,
                  struct xte_hist *out)
{
    memcpy(out, record + f->offset, sizeof(*out));
}

const struct xte_counter_desc *xte_node_field(const struct xte_node_desc *d,
                                              int domain, const char *name)
{
    const struct xte_counter_desc *f = domain ? d->domain_fields
                                              : d->pcpu_fields;
    unsigned int n = domain ? d->nr_domain_fields : d->nr_pcpu_fields;

    for (unsigned int i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return &f[i];
    return NULL;
}

uint64_t xte_hist_count(const struct xte_hist *h)
{
    uint64_t n = 0;

    for (unsigned int b = 0; b < XTE_HIST_BUCKETS; b++)
        n += h->bucket[b];
    return n;
}

uint64_t xte_hist_quantile(const struct xte_hist *h, double q)
{
    uint64_t total = xte_hist_count(h), rank, seen = 0;

    if (total == 0)
        return 0;
    if (q < 0)
        q = 0;
    if (q > 1)
        q = 1;
    /* The rank-th smallest sample, 1-based, rounding up. */
    rank = (uint64_t)(q * (double)total);
    if ((double)rank < q * (double)total)
        rank++;
    if (rank == 0)
        rank = 1;
    for (unsigned int b = 0; b < XTE_HIST_BUCKETS; b++) {
        seen += h->bucket[b];
        if (seen >= rank) {
            uint64_t hi = xte_hist_bucket_high(b);

            /* The bucket's largest member, never above the real max. */
            if (hi != UINT64_MAX)
                hi -= 1;
            return hi < h->max ? hi : h->max;
        }
    }
    return h->max;
}

size_t xte_node_init(void *buf, size_t cap, enum xte_node_index node,
                     unsigned int nr_pcpus, unsigned int nr_domains,
                     uint64_t timestamp_ns, uint64_t generation)
{
    const struct xte_node_desc *d;
    struct xte_telemetry_header h;
    size_t total;

    if ((unsigned int)node >= XTE_NR_NODES)
        return 0;
    d = &xte_nodes[node];
    if (!d->nr_domain_fields)
        nr_domains = 0;
    total = sizeof(h) + (size_t)nr_pcpus * d->pcpu_record_size +
            (size_t)nr_domains * d->domain_record_size;
    if (total > cap)
        return 0;
    memset(&h, 0, sizeof(h));
    h.magic = XTE_TELEMETRY_MAGIC;
    h.version = (uint16_t)d->version;
    h.header_size = sizeof(h);
    h.node = node;
    h.nr_pcpus = nr_pcpus;
    h.pcpu_record_size = (uint32_t)d->pcpu_record_size;
    h.nr_domains = nr_domains;
    h.domain_record_size = (uint32_t)d->domain_record_size;
    h.timestamp_ns = timestamp_ns;
    h.generation = generation;
    memset(buf, 0, total);
    memcpy(buf, &h, sizeof(h));
    return total;
}
