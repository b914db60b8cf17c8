/*
 * catalogue.c - the runtime tables of catalogue.def.
 *
 * The tables are expanded from catalogue.def by the preprocessor.  What the
 * preprocessor cannot do is a running sum, so the trace word of each event
 * field and the byte offset of each counter field are filled in once, before
 * main(), by a constructor.  Every counter field is 8-byte aligned (uint64_t
 * or struct xte_hist), so the running sum is the offset the hypervisor's
 * compiler gives the generated structures; test_catalogue checks it against
 * hv/xen/include/public/telemetry.h.
 */
#include <string.h>

#include "catalogue.h"

const char *xte_unit_name(enum xte_unit unit)
{
    static const char *const names[] = {
        [XTE_UNIT_NONE] = "", [XTE_UNIT_NS] = "ns",
        [XTE_UNIT_ENTRIES] = "entries", [XTE_UNIT_PCPU] = "pcpu",
        [XTE_UNIT_BYTES] = "bytes", [XTE_UNIT_HZ] = "hz",
        [XTE_UNIT_BOOL] = "bool", [XTE_UNIT_HEX] = "hex",
    };

    if ((unsigned int)unit < sizeof(names) / sizeof(names[0]))
        return names[unit];
    return "?";
}

#define UNIT_none    XTE_UNIT_NONE
#define UNIT_ns      XTE_UNIT_NS
#define UNIT_entries XTE_UNIT_ENTRIES
#define UNIT_pcpu    XTE_UNIT_PCPU
#define UNIT_bytes   XTE_UNIT_BYTES
#define UNIT_hz      XTE_UNIT_HZ
#define UNIT_bool    XTE_UNIT_BOOL
#define UNIT_hex     XTE_UNIT_HEX

/* ---- events ---------------------------------------------------------- */

#define CAT_NODE(sub, ver, desc, pf, df)
#define CAT_FIELD(n, b, u, d) { #n, b, UNIT_##u, d, 0 },
#define CAT_EVENT(sub, name, num, desc, fields) \
    static struct xte_field_desc ev_fields_##name[] = { fields };
#include "catalogue.def"
#undef CAT_EVENT
#undef CAT_FIELD

#define CAT_FIELD(n, b, u, d)
#define CAT_EVENT(sub, name, num, desc, fields)                          \
    [XTE_EV_##name] = {                                                  \
        XTE_TRC_SUBCLASS | (num), #name, #sub, desc,                     \
        sizeof(ev_fields_##name) / sizeof(ev_fields_##name[0]), 0,       \
        ev_fields_##name },
static struct xte_event_desc events[XTE_NR_EVENTS] = {
#include "catalogue.def"
};
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE

const struct xte_event_desc *const xte_events = events;

_Static_assert(XTE_NR_EVENTS < 255, "event index + 1 must fit in a byte");
#define CAT_FIELD(n, b, u, d)
#define CAT_EVENT(sub, name, num, desc, fields) [(num)] = XTE_EV_##name + 1,
#define CAT_NODE(sub, ver, desc, pf, df)
const uint8_t xte_event_by_number[4096] = {
#include "catalogue.def"
};
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE

/* ---- counter records -------------------------------------------------- */

#define KIND_SIZE_COUNTER 8
#define CAT_COUNTER(n, u, d) { #n, XTE_KIND_COUNTER, UNIT_##u, d, 0, 8 },
#define CAT_GAUGE(n, u, d)   { #n, XTE_KIND_GAUGE, UNIT_##u, d, 0, 8 },
#define CAT_KEY(n, d)        { #n, XTE_KIND_KEY, XTE_UNIT_NONE, d, 0, 8 },
#define CAT_HIST(n, u, d)                                                \
    { #n, XTE_KIND_HIST, UNIT_##u, d, 0, sizeof(struct xte_hist) },
#define CAT_EVENT(sub, name, num, desc, fields)
/*
 * A sentinel entry ends each table so that an empty domain record (PI has
 * none) is still a valid array; the counts below exclude it.
 */
#define CAT_NODE(sub, ver, desc, pf, df)                                 \
    static struct xte_counter_desc node_pcpu_##sub[] = {                 \
        pf { NULL, 0, 0, NULL, 0, 0 } };                                 \
    static struct xte_counter_desc node_dom_##sub[] = {                  \
        df { NULL, 0, 0, NULL, 0, 0 } };
#include "catalogue.def"
#undef CAT_NODE

#define CAT_NODE(sub, ver, desc, pf, df)                                 \
    [XTE_NODE_##sub] = {                                                 \
        #sub, ver, desc,                                                 \
        sizeof(node_pcpu_##sub) / sizeof(node_pcpu_##sub[0]) - 1,       \
        node_pcpu_##sub, 0,                                              \
        sizeof(node_dom_##sub) / sizeof(node_dom_##sub[0]) - 1,         \
        node_dom_##sub, 0 },
static struct xte_node_desc nodes[XTE_NR_NODES] = {
#include "catalogue.def"
};
#undef CAT_NODE
#undef CAT_EVENT
#undef CAT_COUNTER
#undef CAT_GAUGE
#undef CAT_KEY
#undef CAT_HIST

const struct xte_node_desc *const xte_nodes = nodes;

static size_t lay_out(struct xte_counter_desc *f, unsigned int n)
{
    size_t off = 0;

    for (unsigned int i = 0; i < n; i++) {
        f[i].offset = off;
        off += f[i].size;
    }
    return off;
}

__attribute__((constructor))
static void catalogue_init(void)
{
    for (unsigned int e = 0; e < XTE_NR_EVENTS; e++) {
        struct xte_field_desc *f = (struct xte_field_desc *)events[e].fields;
        unsigned int word = 0;

        for (unsigned int i = 0; i < events[e].nr_fields; i++) {
            f[i].word = word;
            word += f[i].bits / 32;
        }
        events[e].nr_words = word;
    }
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        nodes[n].pcpu_record_size = lay_out(
            (struct xte_counter_desc *)nodes[n].pcpu_fields,
            nodes[n].nr_pcpu_fields);
        nodes[n].domain_record_size = lay_out(
            (struct xte_counter_desc *)nodes[n].domain_fields,
            nodes[n].nr_domain_fields);
    }
}

/* ---- lookups ---------------------------------------------------------- */

const struct xte_event_desc *xte_event_by_id(uint32_t event)
{
    int i = xte_event_index_of(event);

    return i >= 0 ? &events[i] : NULL;
}

const struct xte_event_desc *xte_event_by_name(const char *name)
{
    for (unsigned int i = 0; i < XTE_NR_EVENTS; i++)
        if (strcmp(events[i].name, name) == 0)
            return &events[i];
    return NULL;
}

const struct xte_node_desc *xte_node_by_name(const char *subsystem)
{
    for (unsigned int i = 0; i < XTE_NR_NODES; i++)
        if (strcmp(nodes[i].subsystem, subsystem) == 0)
            return &nodes[i];
    return NULL;
}

uint64_t xte_field_value(const struct xte_field_desc *f,
                         const uint32_t *extra, unsigned int nr_extra)
{
    uint64_t v = 0;

    if (f->word < nr_extra)
        v = extra[f->word];
    if (f->bits == 64 && f->word + 1 < nr_extra)
        v |= (uint64_t)extra[f->word + 1] << 32;
    return v;
}

uint64_t xte_hist_bucket_low(unsigned int b)
{
    return b == 0 ? 0 : (uint64_t)1 << (b - 1);
}

uint64_t xte_hist_bucket_high(unsigned int b)
{
    if (b >= XTE_HIST_BUCKETS - 1)
        return UINT64_MAX;
    return (uint64_t)1 << b;
}
