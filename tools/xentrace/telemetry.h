/*
 * telemetry.h - decode telemetry counter records, and carry them through
 * the simulator's shared memory.
 *
 * A telemetry node (hypfs /telemetry/<subsystem> on a real host) is a
 * struct xte_telemetry_header followed by nr_pcpus per-pCPU records and
 * nr_domains per-domain records, laid out as catalogue.def says.  The same
 * bytes come from libxenhypfs on a Xen host and from the shared-memory file
 * the harness publishes, so one decoder serves both.
 *
 * Shared memory layout (file /dev/shm/xte-<name>, created by the harness):
 *
 *   struct xte_shm_dir                 magic, layout version, sequence
 *   node slots                         XTE_NR_NODES slots, each
 *                                      slot_size bytes, holding one
 *                                      node's bytes exactly as hypfs
 *                                      would return them
 *
 * The writer updates the slots under a sequence lock (odd while writing);
 * readers copy and retry until they see the same even sequence before and
 * after, so a snapshot is never torn.
 */
#ifndef XTE_TELEMETRY_H
#define XTE_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"
#include "xentrace.h"

/* ---- records ------------------------------------------------------------ */

struct xte_node_view {
    const struct xte_node_desc *desc;
    struct xte_telemetry_header hdr;
    const uint8_t *pcpu_records;    /* hdr.nr_pcpus x hdr.pcpu_record_size */
    const uint8_t *domain_records;  /* hdr.nr_domains x domain_record_size */
};

/*
 * Check and index a node's bytes (not copied: the view points into buf).
 * Refuses a bad magic, an unknown node or version, records smaller than
 * the catalogue's, or sizes that overrun len, naming source and offset.
 */
int xte_node_parse(const void *buf, size_t len, const char *source,
                   struct xte_node_view *view, struct xte_error *err);

static inline const uint8_t *xte_node_pcpu(const struct xte_node_view *v,
                                           unsigned int pcpu)
{
    return v->pcpu_records + (size_t)pcpu * v->hdr.pcpu_record_size;
}

static inline const uint8_t *xte_node_domain(const struct xte_node_view *v,
                                             unsigned int i)
{
    return v->domain_records + (size_t)i * v->hdr.domain_record_size;
}

/* A counter, gauge or key field of a record. */
uint64_t xte_rec_u64(const uint8_t *record, const struct xte_counter_desc *f);
/* A histogram field (copied out: records need not be aligned). */
void xte_rec_hist(const uint8_t *record, const struct xte_counter_desc *f,
                  struct xte_hist *out);
/* Field of a node's pCPU or domain record by name, or NULL. */
const struct xte_counter_desc *xte_node_field(const struct xte_node_desc *d,
                                              int domain, const char *name);

/* Value below which a fraction q (0..1) of a histogram's samples lie:
 * the upper edge of the bucket holding the q-th sample, clamped to max.
 * Error bound: a factor of 2 (one log2 bucket). */
uint64_t xte_hist_quantile(const struct xte_hist *h, double q);
uint64_t xte_hist_count(const struct xte_hist *h);

/*
 * Build a node in buf from records the caller filled (used by the harness
 * and the tests): writes the header for node with nr_pcpus and nr_domains
 * records of the catalogue's sizes, returns the total size or 0 if cap is
 * too small.  Records follow the header, zeroed.
 */
size_t xte_node_init(void *buf, size_t cap, enum xte_node_index node,
                     unsigned int nr_pcpus, unsigned int nr_domains,
                     uint64_t timestamp_ns, uint64_t generation);

/* ---- shared memory -------------------------------------------------------- */

#define XTE_SHM_MAGIC   0x4d485358u     /* "XSHM" */
#define XTE_SHM_VERSION 1

struct xte_shm_dir {
    uint32_t magic;
    uint32_t version;
    uint32_t nr_nodes;          /* XTE_NR_NODES of the writer */
    uint32_t pad;
    uint64_t slot_size;         /* bytes per node slot */
    uint64_t seq;               /* sequence lock: odd while updating */
    uint64_t writer_pid;        /* 0 once the writer has exited cleanly */
    uint64_t node_len[XTE_NR_NODES];  /* valid bytes in each slot */
};

struct xte_shm;

/* Writer (the harness): create /dev/shm/xte-<name>, slot_size per node. */
struct xte_shm *xte_shm_create(const char *name, size_t slot_size,
                               struct xte_error *err);
/* Publish all nodes at once (one sequence-lock section). */
int xte_shm_publish(struct xte_shm *s, const void *const node_bytes[],
                    const size_t node_len[]);
/* Marks the writer gone; unlinks the file when unlink is set. */
void xte_shm_close(struct xte_shm *s, int unlink_file);

/* Reader: open an existing /dev/shm/xte-<name> read-only. */
struct xte_shm *xte_shm_open(const char *name, struct xte_error *err);
/*
 * Copy a consistent snapshot of one node into buf (cap bytes); *len gets
 * its size.  0 on success, -1 with err set (no such node yet, too small,
 * writer never finished an update within a few retries).
 */
int xte_shm_read(struct xte_shm *s, enum xte_node_index node, void *buf,
                 size_t cap, size_t *len, struct xte_error *err);
/* Whether the writer process is still running. */
int xte_shm_writer_alive(const struct xte_shm *s);

#endif /* XTE_TELEMETRY_H */
