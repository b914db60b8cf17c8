/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen/telemetry.h: always-on per-pCPU counters for the VT-d scalability
 * fixes, published read-only as hypfs /telemetry/<node>.
 *
 * The record layouts are generated (public/telemetry.h, from the
 * catalogue); this header only instantiates one per-CPU block per node and
 * offers the update helpers.  A node is published in hypfs only when the
 * fix owning it calls telemetry_register_node().
 *
 * Rule: a pCPU's block is written by that pCPU, or by whoever holds the
 * lock that serialises every writer of that block (e.g. the lock of the
 * pCPU's PI blocking list, taken by a remote pCPU redirecting a vCPU
 * there).  One writer at a time means no atomic read-modify-write is
 * needed: an update is a single load and a single store, which the hypfs
 * reader on another pCPU sees whole (64-bit aligned accesses).  A reader
 * may see a histogram mid-update (bucket counted, sum not yet): figures
 * are statistics, not a transaction.
 */
#ifndef __XEN_TELEMETRY_H__
#define __XEN_TELEMETRY_H__

#include <xen/types.h>
#include <xen/bitops.h>
#include <xen/percpu.h>
#include <asm/atomic.h>
#include <public/telemetry.h>

struct domain;

/*
 * The catalogue's nodes, with the size of their per-domain record (0:
 * none).  telemetry.c checks this list against the generated enum, so a
 * node added to the catalogue fails the build until it is listed here.
 */
#define TELEMETRY_FOR_EACH_NODE(X)                                        \
    X(pi, PI, 0)                                                          \
    X(msix, MSIX, sizeof(struct telemetry_msix_domain))                   \
    X(dpci, DPCI, sizeof(struct telemetry_dpci_domain))                   \
    X(maptrack, MAPTRACK, sizeof(struct telemetry_maptrack_domain))       \
    X(ept, EPT, sizeof(struct telemetry_ept_domain))

#define TELEMETRY_DECLARE_BLOCK(n_, N_, dsize) \
    DECLARE_PER_CPU(struct telemetry_##n_##_pcpu, telemetry_##n_);
TELEMETRY_FOR_EACH_NODE(TELEMETRY_DECLARE_BLOCK)
#undef TELEMETRY_DECLARE_BLOCK

/* The block of a node on pCPU cpu, or on the running pCPU. */
#define telemetry_block(node, cpu) (&per_cpu(telemetry_##node, cpu))
#define telemetry_this(node)       (&this_cpu(telemetry_##node))

static inline void telemetry_add(uint64_t *counter, uint64_t n)
{
    write_atomic(counter, read_atomic(counter) + n);
}

static inline void telemetry_set(uint64_t *gauge, uint64_t v)
{
    write_atomic(gauge, v);
}

/* High-water mark. */
static inline void telemetry_max(uint64_t *gauge, uint64_t v)
{
    if ( v > read_atomic(gauge) )
        write_atomic(gauge, v);
}

/* log2 bucket: 0 for 0, i for [2^(i-1), 2^i), the last one unbounded. */
static inline unsigned int telemetry_hist_bucket(uint64_t v)
{
    unsigned int b = flsl(v);

    return b < TELEMETRY_HIST_BUCKETS ? b : TELEMETRY_HIST_BUCKETS - 1;
}

static inline void telemetry_hist_add(struct telemetry_hist *h, uint64_t v)
{
    telemetry_add(&h->bucket[telemetry_hist_bucket(v)], 1);
    telemetry_add(&h->sum, v);
    telemetry_max(&h->max, v);
}

/* Updates of the running pCPU's block: TELEMETRY_INC(pi, adds). */
#define TELEMETRY_ADD(node, field, n) \
    telemetry_add(&telemetry_this(node)->field, n)
#define TELEMETRY_INC(node, field) TELEMETRY_ADD(node, field, 1)
#define TELEMETRY_SET(node, field, v) \
    telemetry_set(&telemetry_this(node)->field, v)
#define TELEMETRY_MAX(node, field, v) \
    telemetry_max(&telemetry_this(node)->field, v)
#define TELEMETRY_HIST(node, field, v) \
    telemetry_hist_add(&telemetry_this(node)->field, v)

/*
 * Publish /telemetry/<node>.  The fix that owns a node calls this once,
 * from its own initcall (they all run after the telemetry core's presmp
 * initcall), so that a hypervisor built without that fix has no such node
 * and readers can tell "not built in" from "idle".  Returns 0, -EINVAL
 * (no such node, or a fill for a node without per-domain records) or
 * -EEXIST (already registered: the first registration stands).
 *
 * fill (may be NULL): for nodes with per-domain records.  The telemetry
 * core walks the domain list and, for each domain, hands fill() a zeroed
 * record whose key (domid) is already set.  fill() runs under the domain
 * list's RCU read lock and must not block.
 *
 * refresh (may be NULL): gauges derived from global state (e.g. a limit
 * every pCPU shares) can be brought up to date just before each read
 * instead of on every change: refresh() runs when a reader enters the
 * node, and writes those fields under whatever lock serialises their
 * writers.
 */
int telemetry_register_node(enum telemetry_node node,
                            void (*fill)(const struct domain *d,
                                         void *record),
                            void (*refresh)(void));

#endif /* __XEN_TELEMETRY_H__ */
