/*
 * source.h - what each back-end of collect.c provides (internal).
 */
#ifndef XTP_SOURCE_H
#define XTP_SOURCE_H

#include "collect.h"

struct xtp_source_ops {
    int (*read)(struct xtp_source *src, struct xtp_sample *s, int block,
                struct xte_error *err);
    void (*close)(struct xtp_source *src);
};

struct xtp_source {
    const struct xtp_source_ops *ops;
    char label[300];
    int recorded;
    void *priv;
};

int xtp_xen_open(struct xtp_source *src, const struct xtp_source_opts *o,
                 int *why, struct xte_error *err);
int xtp_sim_open(struct xtp_source *src, const struct xtp_source_opts *o,
                 struct xte_error *err);
int xtp_trace_open(struct xtp_source *src, const struct xtp_source_opts *o,
                   struct xte_error *err);
int xtp_replay_open(struct xtp_source *src, const struct xtp_source_opts *o,
                    struct xte_error *err);

/*
 * The sqlite columns of a node's pCPU (domain = 0) or domain records, as
 * tools/xentrace/gencat.c names them: a counter, gauge or key is one
 * INTEGER column; a histogram <h> is <h>_count, <h>_sum, <h>_max and
 * <h>_buckets.  Writes "a, b_count, b_sum, ..." into buf.
 */
int xtp_sql_columns(const struct xte_node_desc *nd, int domain, char *buf,
                    size_t len);
/* Columns per field: 1, or 4 for a histogram. */
static inline unsigned int xtp_sql_ncols(const struct xte_counter_desc *f)
{
    return f->kind == XTE_KIND_HIST ? 4 : 1;
}

#endif /* XTP_SOURCE_H */
