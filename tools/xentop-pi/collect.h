/*
 * collect.h - xentop-pi's data collection, usable as a library.
 *
 * Every source of counters (a Xen host through libxenhypfs/libxenctrl, the
 * simulator's shared memory, a trace file or pipe, a sqlite recording) is
 * turned into the same struct xtp_sample:
 *
 *   - host facts (pCPUs, domains, HVM vCPUs, limits, hypfs parameters);
 *   - for each telemetry node of the catalogue, its bytes exactly as hypfs
 *     publishes them (struct xte_telemetry_header + records), checked and
 *     indexed by xte_node_parse(), or "absent" (with why, when known: a
 *     node of a fix that is not built into the hypervisor);
 *   - the domains known to the source, with names where it has them.
 *
 * Nothing here draws or prints: the ncurses and batch front-ends of
 * xentop-pi and a Prometheus textfile exporter use the same calls:
 *
 *     struct xtp_source_opts o = { .kind = XTP_SRC_SIM, .arg = "demo" };
 *     struct xte_error err;
 *     struct xtp_source *src = xtp_source_open(&o, &err);
 *     struct xtp_sample *s = xtp_sample_new();
 *     while (xtp_source_read(src, s, 1, &err) == XTP_READ_SAMPLE) {
 *         ... xtp_sample_node(s, XTE_NODE_pi), xte_rec_u64(...) ...
 *     }
 *
 * Sources never call exit() and never write to the terminal; errors come
 * back as a struct xte_error naming the file (shm, trace, database) and the
 * byte offset or the field.
 */
#ifndef XTP_COLLECT_H
#define XTP_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"
#include "telemetry.h"
#include "xentrace.h"

/* ---- a sample ------------------------------------------------------------ */

struct xtp_node {
    int present;                /* view is valid */
    /*
     * Why an absent node is absent, when the source knows: not_built, the
     * hypervisor has /telemetry but not this node (the fix that publishes
     * it is not built in: no figures, not zeros); read_errno, the read
     * failed with that errno.  Both 0: the source has no such node.
     */
    int not_built;
    int read_errno;
    uint8_t *buf;               /* the node's bytes (owned) */
    size_t len, cap;
    struct xte_node_view view;  /* points into buf */
};

struct xtp_domain {
    uint32_t domid;
    uint32_t nr_vcpus;          /* 0 when the source does not know */
    int is_hvm;                 /* -1 unknown */
    char name[48];              /* "" when the source has no name */
};

#define XTP_MAX_PARAMS 8

struct xtp_host {
    uint32_t nr_pcpus;          /* 0 when unknown */
    uint32_t nr_domains;
    uint64_t hvm_vcpus;
    int have_hvm_vcpus;
    uint64_t pi_limit;          /* per-pCPU PI list limit, 0 unbounded */
    int have_pi_limit;
    /* Runtime parameters (hypfs /params/<name>) the source could read. */
    unsigned int nr_params;
    struct { char name[40]; char value[40]; } params[XTP_MAX_PARAMS];
};

struct xtp_sample {
    /*
     * Time of the sample on the source's clock: hypervisor NOW() for
     * --xen and --sim, trace time for --trace, the recorded sample_ns for
     * --replay.  Only differences matter.
     */
    uint64_t t_ns;
    /* Wall-clock time (seconds since the epoch) or 0 for recorded data. */
    int64_t wall_s;
    /* Bumps when the source restarted (a new boot, run or simulator). */
    uint64_t generation;
    struct xtp_host host;
    struct xtp_node node[XTE_NR_NODES];
    struct xtp_domain *domains; /* sorted by domid */
    unsigned int nr_domains, cap_domains;
    /*
     * What the source could not provide, e.g. the nodes of fixes not built
     * into the hypervisor.
     */
    char note[256];
};

struct xtp_sample *xtp_sample_new(void);
void xtp_sample_free(struct xtp_sample *s);
/* Forget the contents, keep the buffers. */
void xtp_sample_clear(struct xtp_sample *s);
/* Exchange the contents of two samples (no copying). */
void xtp_sample_swap(struct xtp_sample *a, struct xtp_sample *b);

/*
 * Store a node's bytes in the sample (copied) and parse them; source names
 * the origin in errors.  0, or -1 with err set (the node stays absent).
 */
int xtp_sample_set_node(struct xtp_sample *s, enum xte_node_index node,
                        const void *bytes, size_t len, const char *source,
                        struct xte_error *err);
/* Room for a node of len bytes, to be filled in place then parsed. */
uint8_t *xtp_sample_node_buffer(struct xtp_sample *s,
                                enum xte_node_index node, size_t len);
int xtp_sample_parse_node(struct xtp_sample *s, enum xte_node_index node,
                          size_t len, const char *source,
                          struct xte_error *err);

/* The parsed node, or NULL when absent. */
static inline const struct xte_node_view *
xtp_sample_node(const struct xtp_sample *s, enum xte_node_index node)
{
    return s->node[node].present ? &s->node[node].view : NULL;
}

/* Add or update a domain (kept sorted).  Returns the entry. */
struct xtp_domain *xtp_sample_domain(struct xtp_sample *s, uint32_t domid);
const struct xtp_domain *xtp_sample_find_domain(const struct xtp_sample *s,
                                                uint32_t domid);

/*
 * Fill in what the nodes tell and the source did not: pCPU count, the
 * domains appearing in domain records, HVM vCPUs and the PI limit from the
 * PI records.  Every source calls it last.
 */
void xtp_sample_derive_host(struct xtp_sample *s);

/* ---- sources -------------------------------------------------------------- */

enum xtp_source_kind {
    XTP_SRC_XEN, XTP_SRC_SIM, XTP_SRC_TRACE, XTP_SRC_REPLAY,
};

struct xtp_source_opts {
    enum xtp_source_kind kind;
    const char *arg;            /* shm name, trace path ("-"), database */
    /* --trace: trace time between samples (seconds, default 1). */
    double interval_s;
    /* --trace: keep reading at end of input (a file still written). */
    int follow;
    /* --trace: TSC frequency if the trace has no RUN_INFO record. */
    uint64_t cpu_hz;
};

enum xtp_read_result {
    XTP_READ_ERROR = -1,
    XTP_READ_END = 0,           /* recorded input exhausted */
    XTP_READ_SAMPLE = 1,
    XTP_READ_AGAIN = 2,         /* nothing new yet (non-blocking read) */
};

/*
 * Why a --xen open failed: XTP_ENOXEN means there is no hypervisor here
 * (callers exit 2 and name the other sources).
 */
#define XTP_ENOXEN 2

struct xtp_source;

/* NULL with err set on failure; *why (optional) gets XTP_ENOXEN or 1. */
struct xtp_source *xtp_source_open(const struct xtp_source_opts *opts,
                                   int *why, struct xte_error *err);
/*
 * Take the next sample into s (whose previous contents are discarded).
 * Live sources (xen, sim) read the current counters every call.
 * Recorded sources (trace, replay) deliver their samples in order; with
 * block == 0 they return XTP_READ_AGAIN when the next one is not ready.
 */
int xtp_source_read(struct xtp_source *src, struct xtp_sample *s, int block,
                    struct xte_error *err);
/* "sim:NAME", "xen", "trace:FILE", "replay:DB". */
const char *xtp_source_label(const struct xtp_source *src);
/* Recorded sources deliver samples from data, not from the clock. */
int xtp_source_is_recorded(const struct xtp_source *src);
void xtp_source_close(struct xtp_source *src);

/* ---- recording to sqlite ------------------------------------------------- */

struct xtp_recorder;

/*
 * Open (creating the schema if the file has none) the database and start a
 * run labelled with source.  NULL with err set on failure.
 */
struct xtp_recorder *xtp_recorder_open(const char *path, const char *source,
                                       struct xte_error *err);
/* Store every present node of s in the ctr_<node>_pcpu/_domain tables. */
int xtp_recorder_add(struct xtp_recorder *r, const struct xtp_sample *s,
                     struct xte_error *err);
int xtp_recorder_close(struct xtp_recorder *r, struct xte_error *err);

/* The embedded schema (schemas/schema.sql + schemas/catalogue.sql). */
extern const char xtp_schema_sql[];

#endif /* XTP_COLLECT_H */
