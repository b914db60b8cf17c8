/*
 * rate.h - rates between two samples.
 *
 * A rate is (cur - prev) / dt for a monotonic counter.  A counter that went
 * backwards (the hypervisor rebooted, the simulator restarted, a recording
 * moved on to a new run) has no rate for that interval: the new value is
 * the baseline the next interval is measured from.  Never a negative rate,
 * never the huge one an unsigned wrap would give.
 *
 * UI-free: the views and a Prometheus exporter share it.
 */
#ifndef XTP_RATE_H
#define XTP_RATE_H

#include "collect.h"

enum xtp_rate_status {
    XTP_RATE_OK,
    XTP_RATE_FIRST,     /* no previous sample (or record) to compare with */
    XTP_RATE_RESET,     /* counter went backwards: new baseline */
};

/* Rate of one counter over dt_s seconds. */
enum xtp_rate_status xtp_rate(uint64_t prev, uint64_t cur, double dt_s,
                              double *rate);

/* Two samples of one node, matched up. */
struct xtp_node_interval {
    const struct xte_node_view *prev;   /* NULL: no baseline */
    const struct xte_node_view *cur;    /* NULL: node absent now */
    double dt_s;
    /* prev's domain record index for each of cur's, or -1 */
    int *dom_prev;
    unsigned int dom_cap;
};

struct xtp_interval {
    const struct xtp_sample *prev, *cur;
    struct xtp_node_interval node[XTE_NR_NODES];
};

/*
 * Pair up cur with prev (NULL for the first sample).  A node whose
 * generation or pCPU count changed, or whose clock did not advance, has no
 * baseline.  The interval keeps pointers into both samples.
 */
int xtp_interval_set(struct xtp_interval *iv, const struct xtp_sample *prev,
                     const struct xtp_sample *cur);
void xtp_interval_free(struct xtp_interval *iv);

/* Rate of a counter field of pCPU c / domain record i of cur. */
enum xtp_rate_status xtp_rate_pcpu(const struct xtp_interval *iv,
                                   enum xte_node_index n, unsigned int c,
                                   const struct xte_counter_desc *f,
                                   double *rate);
enum xtp_rate_status xtp_rate_domain(const struct xtp_interval *iv,
                                     enum xte_node_index n, unsigned int i,
                                     const struct xte_counter_desc *f,
                                     double *rate);
/*
 * Histogram of what happened in the interval (bucket deltas).  With no
 * baseline (FIRST) *out is the cumulative histogram; on RESET as well, as
 * everything in it happened since the reset.
 */
enum xtp_rate_status xtp_hist_pcpu(const struct xtp_interval *iv,
                                   enum xte_node_index n, unsigned int c,
                                   const struct xte_counter_desc *f,
                                   struct xte_hist *out);
enum xtp_rate_status xtp_hist_domain(const struct xtp_interval *iv,
                                     enum xte_node_index n, unsigned int i,
                                     const struct xte_counter_desc *f,
                                     struct xte_hist *out);
/* Delta of a counter (0 on FIRST/RESET, with the status returned). */
enum xtp_rate_status xtp_delta_domain(const struct xtp_interval *iv,
                                      enum xte_node_index n, unsigned int i,
                                      const struct xte_counter_desc *f,
                                      uint64_t *delta);
enum xtp_rate_status xtp_delta_pcpu(const struct xtp_interval *iv,
                                    enum xte_node_index n, unsigned int c,
                                    const struct xte_counter_desc *f,
                                    uint64_t *delta);

#endif /* XTP_RATE_H */
