/*
 * collect.c - the uniform sample and the dispatch to the source back-ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "source.h"

struct xtp_sample *xtp_sample_new(void)
{
    return calloc(1, sizeof(struct xtp_sample));
}

void xtp_sample_free(struct xtp_sample *s)
{
    if (!s)
        return;
    for (unsigned int i = 0; i < XTE_NR_NODES; i++)
        free(s->node[i].buf);
    free(s->domains);
    free(s);
}

void xtp_sample_clear(struct xtp_sample *s)
{
    s->t_ns = 0;
    s->wall_s = 0;
    s->generation = 0;
    memset(&s->host, 0, sizeof(s->host));
    for (unsigned int i = 0; i < XTE_NR_NODES; i++) {
        s->node[i].present = 0;
        s->node[i].not_built = 0;
        s->node[i].read_errno = 0;
        s->node[i].len = 0;
    }
    s->nr_domains = 0;
    s->note[0] = '\0';
}

void xtp_sample_swap(struct xtp_sample *a, struct xtp_sample *b)
{
    struct xtp_sample t = *a;

    *a = *b;
    *b = t;
}

uint8_t *xtp_sample_node_buffer(struct xtp_sample *s,
                                enum xte_node_index node, size_t len)
{
    struct xtp_node *n = &s->node[node];

    n->present = 0;
    if (len > n->cap) {
        uint8_t *nb = realloc(n->buf, len);

        if (!nb)
            return NULL;
        n->buf = nb;
        n->cap = len;
    }
    return n->buf;
}

int xtp_sample_parse_node(struct xtp_sample *s, enum xte_node_index node,
                          size_t len, const char *source,
                          struct xte_error *err)
{
    struct xtp_node *n = &s->node[node];

    n->present = 0;
    n->len = len;
    if (xte_node_parse(n->buf, len, source, &n->view, err) < 0)
        return -1;
    if (n->view.desc != &xte_nodes[node])
        return xte_set_error(err, source, 0,
                             "node %s found where %s was expected",
                             n->view.desc->subsystem,
                             xte_nodes[node].subsystem);
    n->present = 1;
    return 0;
}

int xtp_sample_set_node(struct xtp_sample *s, enum xte_node_index node,
                        const void *bytes, size_t len, const char *source,
                        struct xte_error *err)
{
    uint8_t *buf = xtp_sample_node_buffer(s, node, len);

    if (!buf)
        return xte_set_error(err, source, 0, "out of memory");
    memcpy(buf, bytes, len);
    return xtp_sample_parse_node(s, node, len, source, err);
}

static unsigned int domain_pos(const struct xtp_sample *s, uint32_t domid)
{
    unsigned int lo = 0, hi = s->nr_domains;

    while (lo < hi) {
        unsigned int mid = lo + (hi - lo) / 2;

        if (s->domains[mid].domid < domid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct xtp_domain *xtp_sample_find_domain(const struct xtp_sample *s,
                                                uint32_t domid)
{
    unsigned int i = domain_pos(s, domid);

    if (i < s->nr_domains && s->domains[i].domid == domid)
        return &s->domains[i];
    return NULL;
}

struct xtp_domain *xtp_sample_domain(struct xtp_sample *s, uint32_t domid)
{
    unsigned int i = domain_pos(s, domid);

    if (i < s->nr_domains && s->domains[i].domid == domid)
        return &s->domains[i];
    /* Sources usually add domains in order: appending is the common case. */
    if (s->nr_domains == s->cap_domains) {
        unsigned int cap = s->cap_domains ? s->cap_domains * 2 : 64;
        struct xtp_domain *nd = realloc(s->domains, cap * sizeof(*nd));

        if (!nd)
            return NULL;
        s->domains = nd;
        s->cap_domains = cap;
    }
    memmove(&s->domains[i + 1], &s->domains[i],
            (s->nr_domains - i) * sizeof(*s->domains));
    s->nr_domains++;
    memset(&s->domains[i], 0, sizeof(s->domains[i]));
    s->domains[i].domid = domid;
    s->domains[i].is_hvm = -1;
    return &s->domains[i];
}

void xtp_sample_derive_host(struct xtp_sample *s)
{
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        const struct xte_node_view *v = xtp_sample_node(s, n);
        const struct xte_counter_desc *key, *vcpus;

        if (!v)
            continue;
        if (v->hdr.nr_pcpus > s->host.nr_pcpus)
            s->host.nr_pcpus = v->hdr.nr_pcpus;
        key = xte_node_field(v->desc, 1, "domid");
        vcpus = xte_node_field(v->desc, 1, "nr_vcpus");
        for (unsigned int i = 0; key && i < v->hdr.nr_domains; i++) {
            const uint8_t *r = xte_node_domain(v, i);
            struct xtp_domain *d = xtp_sample_domain(s,
                                        (uint32_t)xte_rec_u64(r, key));

            if (d && vcpus && !d->nr_vcpus)
                d->nr_vcpus = (uint32_t)xte_rec_u64(r, vcpus);
        }
    }
    if (s->nr_domains > s->host.nr_domains)
        s->host.nr_domains = s->nr_domains;

    const struct xte_node_view *pi = xtp_sample_node(s, XTE_NODE_pi);
    if (pi && pi->hdr.nr_pcpus) {
        const struct xte_counter_desc *lim =
            xte_node_field(pi->desc, 0, "list_limit");
        const struct xte_counter_desc *hvm =
            xte_node_field(pi->desc, 0, "hvm_vcpus");
        uint64_t l = 0, h = 0;

        /* Every pCPU carries the host-wide figures; take the largest. */
        for (unsigned int c = 0; c < pi->hdr.nr_pcpus; c++) {
            const uint8_t *r = xte_node_pcpu(pi, c);
            uint64_t x = xte_rec_u64(r, lim), y = xte_rec_u64(r, hvm);

            if (x > l)
                l = x;
            if (y > h)
                h = y;
        }
        if (!s->host.have_pi_limit) {
            s->host.pi_limit = l;
            s->host.have_pi_limit = 1;
        }
        if (!s->host.have_hvm_vcpus) {
            s->host.hvm_vcpus = h;
            s->host.have_hvm_vcpus = 1;
        }
    }
    if (!s->host.have_hvm_vcpus) {
        uint64_t h = 0;
        int known = 0;

        for (unsigned int i = 0; i < s->nr_domains; i++)
            if (s->domains[i].is_hvm >= 0) {
                known = 1;
                if (s->domains[i].is_hvm)
                    h += s->domains[i].nr_vcpus;
            }
        if (known) {
            s->host.hvm_vcpus = h;
            s->host.have_hvm_vcpus = 1;
        }
    }
}

/* ---- dispatch --------------------------------------------------------------- */

struct xtp_source *xtp_source_open(const struct xtp_source_opts *opts,
                                   int *why, struct xte_error *err)
{
    struct xtp_source *src = calloc(1, sizeof(*src));
    int rc = -1, w = 1;

    if (!src) {
        xte_set_error(err, "xentop-pi", 0, "out of memory");
        return NULL;
    }
    switch (opts->kind) {
    case XTP_SRC_XEN:
        rc = xtp_xen_open(src, opts, &w, err);
        break;
    case XTP_SRC_SIM:
        rc = xtp_sim_open(src, opts, err);
        break;
    case XTP_SRC_TRACE:
        rc = xtp_trace_open(src, opts, err);
        break;
    case XTP_SRC_REPLAY:
        rc = xtp_replay_open(src, opts, err);
        break;
    }
    if (rc < 0) {
        if (why)
            *why = w;
        free(src);
        return NULL;
    }
    return src;
}

int xtp_source_read(struct xtp_source *src, struct xtp_sample *s, int block,
                    struct xte_error *err)
{
    return src->ops->read(src, s, block, err);
}

const char *xtp_source_label(const struct xtp_source *src)
{
    return src->label;
}

int xtp_source_is_recorded(const struct xtp_source *src)
{
    return src->recorded;
}

void xtp_source_close(struct xtp_source *src)
{
    if (!src)
        return;
    src->ops->close(src);
    free(src);
}
