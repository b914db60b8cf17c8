/*
 * catalogue.h - runtime view of catalogue.def for the tools.
 *
 * The tables behind these declarations are built by the preprocessor from
 * catalogue.def (see catalogue.c), so the decoder, the dump, the counter
 * decoder, the sqlite ingest and the Prometheus export all read the same
 * list the hypervisor side was generated from.
 */
#ifndef XTE_CATALOGUE_H
#define XTE_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

/* Class TRC_HW (0x0080f000), new subclass 0x4: see catalogue.def. */
#define XTE_TRC_SUBCLASS        0x00804000u
#define XTE_TRC_SUBCLASS_MASK   0x0ffff000u
#define XTE_TRC_EVENT(number)   (XTE_TRC_SUBCLASS | (number))
#define XTE_IS_CATALOGUE_EVENT(ev) \
    (((ev) & XTE_TRC_SUBCLASS_MASK) == XTE_TRC_SUBCLASS)

#define XTE_HIST_BUCKETS        32
#define XTE_TELEMETRY_MAGIC     0x4c455458u   /* "XTEL" little endian */

enum xte_unit {
    XTE_UNIT_NONE, XTE_UNIT_NS, XTE_UNIT_ENTRIES, XTE_UNIT_PCPU,
    XTE_UNIT_BYTES, XTE_UNIT_HZ, XTE_UNIT_BOOL, XTE_UNIT_HEX,
};

const char *xte_unit_name(enum xte_unit unit);

/* Enumerations of every event and node, in catalogue order. */
enum xte_event_index {
#define CAT_FIELD(n, b, u, d)
#define CAT_EVENT(sub, name, num, desc, fields) XTE_EV_##name,
#define CAT_NODE(sub, ver, desc, pf, df)
#include "catalogue.def"
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE
    XTE_NR_EVENTS
};

enum xte_event_id {
#define CAT_FIELD(n, b, u, d)
#define CAT_EVENT(sub, name, num, desc, fields) \
    XTE_TRC_##name = XTE_TRC_SUBCLASS | (num),
#define CAT_NODE(sub, ver, desc, pf, df)
#include "catalogue.def"
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE
};

enum xte_node_index {
#define CAT_EVENT(sub, name, num, desc, fields)
#define CAT_NODE(sub, ver, desc, pf, df) XTE_NODE_##sub,
#include "catalogue.def"
#undef CAT_EVENT
#undef CAT_NODE
    XTE_NR_NODES
};

/* The catalogue's constants (CAT_CONST), as XTE_<NAME>. */
enum xte_const {
#define CAT_FIELD(n, b, u, d)
#define CAT_EVENT(sub, name, num, desc, fields)
#define CAT_NODE(sub, ver, desc, pf, df)
#define CAT_CONST(name, value, desc) XTE_##name = (value),
#include "catalogue.def"
#undef CAT_CONST
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE
};

struct xte_field_desc {
    const char *name;
    unsigned int bits;          /* 32 or 64 */
    enum xte_unit unit;
    const char *desc;
    unsigned int word;          /* index of its first trace word */
};

struct xte_event_desc {
    uint32_t id;                /* full 28-bit event id */
    const char *name;           /* e.g. "PI_LIST_ADD" */
    const char *subsystem;      /* e.g. "pi" */
    const char *desc;
    unsigned int nr_fields;
    unsigned int nr_words;      /* trace words the fields take */
    const struct xte_field_desc *fields;
};

enum xte_counter_kind {
    XTE_KIND_COUNTER, XTE_KIND_GAUGE, XTE_KIND_HIST, XTE_KIND_KEY,
};

struct xte_counter_desc {
    const char *name;
    enum xte_counter_kind kind;
    enum xte_unit unit;
    const char *desc;
    size_t offset;              /* byte offset in its record */
    size_t size;                /* 8, or sizeof(struct xte_hist) */
};

/* Histogram as laid out in a record. */
struct xte_hist {
    uint64_t bucket[XTE_HIST_BUCKETS];
    uint64_t sum;
    uint64_t max;
};

/* Header of every telemetry node (little endian, 48 bytes). */
struct xte_telemetry_header {
    uint32_t magic;             /* XTE_TELEMETRY_MAGIC */
    uint16_t version;           /* node layout version from the catalogue */
    uint16_t header_size;       /* sizeof(struct xte_telemetry_header) */
    uint32_t node;              /* enum xte_node_index */
    uint32_t nr_pcpus;
    uint32_t pcpu_record_size;
    uint32_t nr_domains;
    uint32_t domain_record_size;
    uint32_t pad;
    uint64_t timestamp_ns;      /* hypervisor NOW() when the node was read */
    uint64_t generation;        /* bumps on each boot / simulator start */
};

struct xte_node_desc {
    const char *subsystem;      /* also the hypfs node name */
    unsigned int version;
    const char *desc;
    unsigned int nr_pcpu_fields;
    const struct xte_counter_desc *pcpu_fields;
    size_t pcpu_record_size;
    unsigned int nr_domain_fields;
    const struct xte_counter_desc *domain_fields;
    size_t domain_record_size;
};

/* Indexed by enum xte_event_index and enum xte_node_index. */
extern const struct xte_event_desc *const xte_events;
extern const struct xte_node_desc *const xte_nodes;

/*
 * enum xte_event_index + 1 by an event's 12-bit number, 0 for none: built
 * from catalogue.def at compile time, so that the decode paths look an
 * event up with one load, inline (xte_event_index_of()).
 */
extern const uint8_t xte_event_by_number[4096];

/* Catalogue event index of a full event id (flags bits ignored), or -1. */
static inline int xte_event_index_of(uint32_t event)
{
    return XTE_IS_CATALOGUE_EVENT(event & 0x0fffffffu)
           ? (int)xte_event_by_number[event & 0xfffu] - 1 : -1;
}

/* Catalogue event by full event id (flags bits ignored), or NULL. */
const struct xte_event_desc *xte_event_by_id(uint32_t event);
const struct xte_event_desc *xte_event_by_name(const char *name);
const struct xte_node_desc *xte_node_by_name(const char *subsystem);

/* Value of a field of a decoded record's extra words. */
uint64_t xte_field_value(const struct xte_field_desc *f,
                         const uint32_t *extra, unsigned int nr_extra);

/* log2 bucket of a value, as the hypervisor computes it. */
static inline unsigned int xte_hist_bucket(uint64_t v)
{
    unsigned int b;

    if (v == 0)
        return 0;
    b = 64 - (unsigned int)__builtin_clzll(v);
    return b < XTE_HIST_BUCKETS ? b : XTE_HIST_BUCKETS - 1;
}

/* Smallest value bucket b can hold and the first value of the next one. */
uint64_t xte_hist_bucket_low(unsigned int b);
uint64_t xte_hist_bucket_high(unsigned int b);   /* UINT64_MAX for the last */

#endif /* XTE_CATALOGUE_H */
