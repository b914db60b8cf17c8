/*
 * report.h - the summary tables of xenalyze-ext, built from the analysis
 * state and printed through any output sink (text, CSV, JSON).
 */
#ifndef XA_REPORT_H
#define XA_REPORT_H

#include "analysis.h"
#include "output.h"

struct xa_input_info {
    const char *path;                      /* as given, "-" for stdin */
    const struct xte_reader_stats *stats;  /* NULL: none */
    const char *error;                     /* reader error text, or NULL */
};

/* The time-base line: which frequency is used and where it came from. */
void report_timebase(struct xa_out *o, const struct xa_analysis *a);
void report_summary(struct xa_out *o, struct xa_analysis *a,
                    const struct xa_input_info *in);

/* --interval: the streaming series table. */
void report_interval_begin(struct xa_out *o, const struct xa_analysis *a);
void report_interval_row(const struct xa_interval *iv, void *out);
void report_interval_end(struct xa_out *o);

#endif /* XA_REPORT_H */
