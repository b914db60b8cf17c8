/*
 * source.h - where xen-telemetry-export gets telemetry nodes from.
 *
 * A source hands out each node's bytes exactly as hypfs returns them
 * (header + records, see telemetry.h), so the exposition writer does not
 * care whether they came from a Xen host, the simulator's shared memory or
 * a trace.  Adding a source means filling one struct xtx_source.
 */
#ifndef XTX_SOURCE_H
#define XTX_SOURCE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "telemetry.h"

struct xtx_source {
    const char *what;           /* for messages: "sim:NAME", "xen" */
    /*
     * Node node's bytes into *buf (realloc'd as needed, *cap its size),
     * *len their length.  1: read; 0: the source has no such node (yet),
     * see absent; -1: error, err set.
     */
    int (*read_node)(struct xtx_source *s, enum xte_node_index node,
                     uint8_t **buf, size_t *cap, size_t *len,
                     struct xte_error *err);
    /*
     * What a node the source has not got means, for messages: on a Xen
     * host, the fix that publishes it is not built into the hypervisor.
     * NULL: just "not provided".
     */
    const char *absent;
    /* Name of a domain, or NULL (may be NULL itself: names unknown). */
    const char *(*domain_name)(struct xtx_source *s, uint64_t domid);
    /* Called before each round of reads (may be NULL). */
    void (*refresh)(struct xtx_source *s);
    /* Whether the source is still being updated (NULL: always). */
    int (*alive)(struct xtx_source *s);
    /*
     * A recorded source (a trace) has delivered its last sample: 1 at its
     * end, -1 when it failed (malformed input; what was read is kept).
     * NULL or 0: more to come.
     */
    int (*finished)(struct xtx_source *s);
    void (*close)(struct xtx_source *s);
};

/* Each returns NULL with err set. */
struct xtx_source *xtx_source_sim(const char *name, struct xte_error *err);
/* *no_xen is set when there is no hypervisor here at all. */
struct xtx_source *xtx_source_xen(int *no_xen, struct xte_error *err);
/*
 * interval_s: trace time between samples.  to_end: each round reads the
 * trace to its end (for --once) instead of what is available now; once
 * *stop is nonzero (a signal), such a read gives up between two samples.
 */
struct xtx_source *xtx_source_trace(const char *path, double interval_s,
                                    int to_end,
                                    const volatile sig_atomic_t *stop,
                                    struct xte_error *err);

#endif /* XTX_SOURCE_H */
