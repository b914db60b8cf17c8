/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * common/telemetry.c: publish the per-pCPU telemetry blocks as hypfs
 * nodes /telemetry/<node> (read-only, binary).
 *
 * Problem: production hypervisors are built without perfc, and xentrace
 * sees events, not state; nothing tells an administrator how long a PI
 * blocking list is or how often dpci softirqs run.  This file keeps one
 * counter block per pCPU and per catalogue node, always on, and serves
 * them to libxenhypfs readers.  A node is published only once the fix
 * that owns it registers it: the fixes are linked one by one (one obj-y
 * line each), and a node of a fix left out would read as zeros, which no
 * reader can tell from an idle fix.
 *
 * Counters: the nodes are the catalogue's (public/telemetry.h, generated
 * from tools/xentrace/catalogue.def): pi (PI blocking lists,
 * vmx/pi_blocking.c), msix (MSI-X table accesses, hvm/msixtbl.c), dpci
 * (passthrough interrupt injection, passthrough/x86/hvm.c and
 * dpci_softirq.c), maptrack (grant maptrack handles,
 * common/grant_maptrack.c) and ept (EPT invalidations,
 * mm/p2m-ept-flush.c).  Each of those files calls
 * telemetry_register_node() from its own initcall, with the fill()
 * of its per-domain records and the refresh() of its derived gauges; the
 * blocks themselves are defined here for every node, so code that
 * updates another fix's counters links whatever the set of fixes.
 *
 * Format (public/telemetry.h): a struct telemetry_header, then one
 * record per pCPU id 0 .. nr_cpu_ids - 1 (an offline pCPU keeps its last
 * counters), then one record per domain for nodes that have them.
 * Readers index records by pCPU id, refuse an unknown version, accept
 * larger records (fields appended later), and take a missing node for a
 * fix that is not built in.
 *
 * Invariants: /telemetry/<node> exists if and only if the fix owning
 * <node> registered it (at most once: a second registration fails with
 * -EEXIST and changes nothing); a read never writes a block and never
 * takes a lock a block writer holds; each 64-bit field is copied with one
 * load.
 */

#include <xen/cpumask.h>
#include <xen/err.h>
#include <xen/errno.h>
#include <xen/guest_access.h>
#include <xen/hypfs.h>
#include <xen/init.h>
#include <xen/lib.h>
#include <xen/rcupdate.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <xen/telemetry.h>
#include <xen/time.h>
#include <xen/xmalloc.h>

#define TELEMETRY_DEFINE_BLOCK(n_, N_, dsize) \
    DEFINE_PER_CPU(struct telemetry_##n_##_pcpu, telemetry_##n_);
TELEMETRY_FOR_EACH_NODE(TELEMETRY_DEFINE_BLOCK)
#undef TELEMETRY_DEFINE_BLOCK

struct telemetry_node_desc {
    struct hypfs_entry_leaf leaf;
    enum telemetry_node node;
    uint16_t version;
    uint32_t pcpu_size;
    uint32_t domain_size;
    const void *(*block)(unsigned int cpu);
    void (*fill)(const struct domain *d, void *record);
    void (*refresh)(void);
};

/* What a read sees: fixed when the node is entered. */
struct telemetry_snapshot {
    unsigned int nr_pcpus;
    unsigned int nr_domains;
};

static uint64_t __read_mostly telemetry_generation;

#define TELEMETRY_BLOCK_FN(n_, N_, dsize)                            \
static const void *cf_check telemetry_block_##n_(unsigned int cpu)   \
{                                                                    \
    return telemetry_block(n_, cpu);                                 \
}
TELEMETRY_FOR_EACH_NODE(TELEMETRY_BLOCK_FN)
#undef TELEMETRY_BLOCK_FN

/*
 * Called through pointers (hypfs, the node table): cf_check, or a CET-IBT
 * host (Xen's default with CONFIG_XEN_IBT) takes a #CP at the first read.
 */
static const struct hypfs_entry *cf_check telemetry_enter(
    const struct hypfs_entry *entry);
static void cf_check telemetry_exit(const struct hypfs_entry *entry);
static unsigned int cf_check telemetry_getsize(
    const struct hypfs_entry *entry);
static int cf_check telemetry_read(const struct hypfs_entry *entry,
                                   XEN_GUEST_HANDLE_PARAM(void) uaddr);

static const struct hypfs_funcs telemetry_funcs = {
    .enter = telemetry_enter,
    .exit = telemetry_exit,
    .read = telemetry_read,
    .write = hypfs_write_deny,
    .getsize = telemetry_getsize,
    .findentry = hypfs_leaf_findentry,
};

#define TELEMETRY_NODE_DESC(n_, N_, dsize)                           \
    [TELEMETRY_NODE_##N_] = {                                        \
        .leaf.e.type = XEN_HYPFS_TYPE_BLOB,                          \
        .leaf.e.encoding = XEN_HYPFS_ENC_PLAIN,                      \
        .leaf.e.name = TELEMETRY_##N_##_NAME,                        \
        .leaf.e.funcs = &telemetry_funcs,                            \
        /* Never read (telemetry_read() builds the record), but     \
         * Xen's hypfs_add_leaf() refuses a leaf without content. */ \
        .leaf.u.content = &telemetry_nodes[TELEMETRY_NODE_##N_],     \
        .node = TELEMETRY_NODE_##N_,                                 \
        .version = TELEMETRY_##N_##_VERSION,                         \
        .pcpu_size = sizeof(struct telemetry_##n_##_pcpu),           \
        .domain_size = (dsize),                                      \
        .block = telemetry_block_##n_,                               \
    },
static struct telemetry_node_desc telemetry_nodes[TELEMETRY_NR_NODES] = {
    TELEMETRY_FOR_EACH_NODE(TELEMETRY_NODE_DESC)
};
#undef TELEMETRY_NODE_DESC

static HYPFS_DIR_INIT(telemetry_dir, "telemetry");

static const struct telemetry_node_desc *node_of(
    const struct hypfs_entry *entry)
{
    return container_of(entry, const struct telemetry_node_desc, leaf.e);
}

static unsigned int count_domains(const struct telemetry_node_desc *n)
{
    const struct domain *d;
    unsigned int nr = 0;

    if ( !n->domain_size )
        return 0;
    for_each_domain ( d )
        nr++;
    return nr;
}

static const struct hypfs_entry *cf_check telemetry_enter(
    const struct hypfs_entry *entry)
{
    struct telemetry_snapshot *s = hypfs_alloc_dyndata(
        struct telemetry_snapshot);

    if ( !s )
        return ERR_PTR(-ENOMEM);
    if ( node_of(entry)->refresh )
        node_of(entry)->refresh();
    /* Held until exit: the domain list cannot shrink under the read. */
    rcu_read_lock(&domlist_read_lock);
    s->nr_pcpus = nr_cpu_ids;
    s->nr_domains = count_domains(node_of(entry));
    return entry;
}

static void cf_check telemetry_exit(const struct hypfs_entry *entry)
{
    rcu_read_unlock(&domlist_read_lock);
    hypfs_free_dyndata();
}

static unsigned int cf_check telemetry_getsize(
    const struct hypfs_entry *entry)
{
    const struct telemetry_node_desc *n = node_of(entry);
    const struct telemetry_snapshot *s = hypfs_get_dyndata();

    return sizeof(struct telemetry_header) + s->nr_pcpus * n->pcpu_size +
           s->nr_domains * n->domain_size;
}

/* Copy a block one 64-bit word at a time, each word with one load. */
static void copy_words(uint64_t *dst, const void *src, unsigned int size)
{
    const uint64_t *w = src;
    unsigned int i;

    for ( i = 0; i < size / sizeof(uint64_t); i++ )
        dst[i] = read_atomic(&w[i]);
}

static int cf_check telemetry_read(const struct hypfs_entry *entry,
                                   XEN_GUEST_HANDLE_PARAM(void) uaddr)
{
    const struct telemetry_node_desc *n = node_of(entry);
    const struct telemetry_snapshot *s = hypfs_get_dyndata();
    struct telemetry_header hdr = {
        .magic = TELEMETRY_MAGIC,
        .version = n->version,
        .header_size = sizeof(hdr),
        .node = n->node,
        .nr_pcpus = s->nr_pcpus,
        .pcpu_record_size = n->pcpu_size,
        .nr_domains = s->nr_domains,
        .domain_record_size = n->domain_size,
        .timestamp_ns = NOW(),
        .generation = telemetry_generation,
    };
    unsigned int size = max(n->pcpu_size, n->domain_size);
    uint64_t *rec = xmalloc_bytes(size);
    unsigned int cpu, off = sizeof(hdr), nr = 0;
    const struct domain *d;

    if ( !rec )
        return -ENOMEM;
    if ( copy_to_guest(uaddr, (const uint8_t *)&hdr, sizeof(hdr)) )
        goto fault;

    for ( cpu = 0; cpu < s->nr_pcpus; cpu++, off += n->pcpu_size )
    {
        copy_words(rec, n->block(cpu), n->pcpu_size);
        if ( copy_to_guest_offset(uaddr, off, (const uint8_t *)rec,
                                  n->pcpu_size) )
            goto fault;
    }

    if ( s->nr_domains )
        for_each_domain ( d )
        {
            if ( nr++ == s->nr_domains )
                break;
            memset(rec, 0, n->domain_size);
            rec[0] = d->domain_id;
            if ( n->fill )
                n->fill(d, rec);
            if ( copy_to_guest_offset(uaddr, off, (const uint8_t *)rec,
                                      n->domain_size) )
                goto fault;
            off += n->domain_size;
        }
    /* Domains created since enter() are left for the next read; none
     * can have gone (RCU read lock), so the count is exact. */
    ASSERT(nr >= s->nr_domains);

    xfree(rec);
    return 0;

 fault:
    xfree(rec);
    return -EFAULT;
}

int telemetry_register_node(enum telemetry_node node,
                            void (*fill)(const struct domain *d,
                                         void *record),
                            void (*refresh)(void))
{
    struct telemetry_node_desc *n;
    int rc;

    if ( node >= TELEMETRY_NR_NODES )
        return -EINVAL;
    n = &telemetry_nodes[node];
    if ( fill && !n->domain_size )
        return -EINVAL;

    /*
     * hypfs refuses a second leaf of the same name: a node registered
     * twice keeps its first owner's callbacks.  Nothing reads a node
     * before dom0 runs, long after the initcalls that register them.
     */
    rc = hypfs_add_leaf(&telemetry_dir, &n->leaf, false);
    if ( rc )
        return rc;
    n->fill = fill;
    n->refresh = refresh;
    return 0;
}

/*
 * A presmp initcall: it runs before every initcall of the fixes, which
 * add their nodes to the directory made here.
 */
static int __init cf_check telemetry_init(void)
{
#define TELEMETRY_COUNT(n_, N_, dsize) + 1
    BUILD_BUG_ON((0 TELEMETRY_FOR_EACH_NODE(TELEMETRY_COUNT)) !=
                 TELEMETRY_NR_NODES);
#undef TELEMETRY_COUNT

    telemetry_generation = get_cycles();
    hypfs_add_dir(&hypfs_root, &telemetry_dir, true);
    return 0;
}
presmp_initcall(telemetry_init);
