/*
 * promtext.h - telemetry nodes in Prometheus's text exposition format
 * (version 0.0.4, the format node_exporter's textfile collector reads).
 *
 * Every metric is derived at run time from the catalogue tables
 * (xte_nodes[], catalogue.def); there is no second list of metrics.  The
 * naming rule, applied to each field of each node:
 *
 *   name  = "xen_telemetry_" NODE "_" [ "domain_" ] BASE [ UNIT ] [ KIND ]
 *
 *   NODE     the node (subsystem) name: pi, msix, dpci, maptrack, ept.
 *   domain_  only for fields of per-domain records, so that a figure kept
 *            both per pCPU and per domain (e.g. msix reads_emulated) gives
 *            two metrics and sum() over one of them never counts twice.
 *   BASE     the field name; for a field in ns a trailing "_ns" is dropped
 *            (lock_wait_ns -> lock_wait), since the unit suffix follows.
 *   UNIT     ns      -> "_seconds" (values divided by 1e9, printed exactly)
 *            bytes   -> "_bytes"
 *            hz      -> "_hertz"
 *            none, entries, pcpu, bool, hex -> nothing: these are counts
 *            of things (Prometheus has no unit for "entries").
 *   KIND     counter -> "_total" (TYPE counter)
 *            gauge   -> nothing  (TYPE gauge)
 *            hist    -> nothing  (TYPE histogram: the format adds
 *                       _bucket{le=...}, _sum and _count); and one more
 *                       gauge "..._max" + UNIT holding the histogram's max
 *                       (e.g. xen_telemetry_ept_flush_latency_max_seconds)
 *            key     -> not a metric: it becomes a label of its record.
 *
 * Labels: pcpu="N" on per-pCPU records; on per-domain records one label per
 * key field, named after it (domid="N"), plus domain="NAME" when the source
 * knows the domain's name.  Histogram buckets: log2 bucket i (0..30) holds
 * the integers [2^(i-1), 2^i), so its inclusive upper bound is le=2^i-1
 * (converted to seconds for ns); bucket 31 is open-ended and only appears in
 * le="+Inf".  Counts are cumulative, as Prometheus requires.  With
 * hist_per_host (--histograms host) a node's histograms are summed over its
 * records and carry no pcpu/domid label: one series set per host.
 *
 * Per node, more families come from the record header:
 *   xen_telemetry_up{node="N"}            1 if the node was read and parsed
 *   xen_telemetry_node_present{node="N"}  1 if the source has the node, 0
 *       if it has not (on a Xen host: the fix that publishes it is not
 *       built into the hypervisor; that node's metrics are left out, not
 *       zeros); no sample when the read failed otherwise
 *   xen_telemetry_node_pcpus{node="N"}    pCPU records in the node
 *   xen_telemetry_node_domains{node="N"}  domain records in the node
 *   xen_telemetry_node_clock_seconds{node="N"}  the header's timestamp
 *       (source clock when the node was read): counter deltas over its
 *       delta give exact rates whatever the export and scrape delays
 *
 * HELP is the catalogue's description, then where the figure comes from.
 */
#ifndef XTX_PROMTEXT_H
#define XTX_PROMTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "telemetry.h"

#define XTX_PREFIX "xen_telemetry_"

/* Domain name for a domid, or NULL when unknown (arg is the caller's). */
typedef const char *(*xtx_domain_name_fn)(void *arg, uint64_t domid);

/*
 * Metric (family) name of field f of node d; domain: f belongs to the
 * per-domain record.  Returns the length, or -1 if it did not fit in len
 * or f is a key (keys are labels, not metrics).
 */
int xtx_metric_name(char *buf, size_t len, const struct xte_node_desc *d,
                    const struct xte_counter_desc *f, int domain);

/* Whether f's values are exported in seconds (its unit is ns). */
int xtx_in_seconds(const struct xte_counter_desc *f);

/*
 * Exact decimal text of v (in seconds when ns: v / 1e9 without rounding,
 * trailing zeros dropped: 1500 ns -> "0.0000015").  buf: at least 32 bytes.
 */
void xtx_format_value(char *buf, size_t len, uint64_t v, int ns);

/* Write s as a label value (\\, \" and \n escaped) or as HELP text. */
void xtx_put_label_value(FILE *out, const char *s);
void xtx_put_help_text(FILE *out, const char *s);

struct xtx_opts {
    xtx_domain_name_fn domain_name;     /* NULL: names unknown */
    void *arg;                          /* passed to domain_name */
    /*
     * Histograms summed over all records of a node (one series per host,
     * no pcpu/domid label) instead of one series per record: on a large
     * host each per-record histogram costs 34 series per pCPU or domain.
     */
    int hist_per_host;
    /*
     * Per node: 1 the source has it, 0 it has not (a fix not built into
     * the hypervisor), -1 unknown (the read failed).  NULL: no
     * xen_telemetry_node_present family.
     */
    const int *present;
};

/*
 * Write the exposition of every node.  views[n] is node n's parsed bytes,
 * or NULL when the source could not give it (then only
 * xen_telemetry_up{node="n"} 0 is written for it).  opts may be NULL
 * (defaults).  Returns 0, or -1 if writing to out failed.
 */
int xtx_write(FILE *out, const struct xte_node_view *const views[XTE_NR_NODES],
              const struct xtx_opts *opts);

/*
 * Write data to dir/name atomically: a temporary file in dir (whose name
 * does not end in .prom, so the textfile collector never reads it), fsync,
 * chmod 0644, rename over name, fsync of dir.  A reader sees the old file
 * or the new one, never a part.  0, or -1 with err naming the file.
 */
int xtx_write_file_atomic(const char *dir, const char *name,
                          const void *data, size_t len, struct xte_error *err);

#endif /* XTX_PROMTEXT_H */
