/*
 * src_xen.c - a real Xen host (--xen).
 *
 * Counters: the binary telemetry nodes /telemetry/<subsystem> through
 * libxenhypfs.  Host facts, domains and vCPU counts: libxenctrl; domain
 * names: libxenstat.  Limits: hypfs /params.  A hypervisor without the
 * telemetry nodes still yields host facts and domains; the sample's note
 * names the nodes that are missing.  A hypervisor with /telemetry publishes
 * only the nodes of the fixes built into it: a node it lacks is marked
 * not_built (the fix is not in this hypervisor), not read as zeros.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenhypfs.h>
#include <xenstat.h>
#include <xentoollog.h>

#include "source.h"

#define PRIVCMD "/dev/xen/privcmd"

/* Runtime parameters worth showing in the header, when the host has them. */
static const char *const shown_params[] = {
    "pi_list_slack", "gnttab_max_maptrack_frames", "ept_flush_policy",
};

struct xen {
    xentoollog_logger_stdiostream *log;
    xc_interface *xch;
    xenhypfs_handle *hyp;
    xenstat_handle *xst;
    xc_domaininfo_t *info;
    unsigned int info_cap;
};

/*
 * Append "what" (printf-style) to the sample's note, after sep when the
 * note already says something.
 */
static void note_add(struct xtp_sample *s, const char *sep,
                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note_add(struct xtp_sample *s, const char *sep,
                     const char *fmt, ...)
{
    size_t l = strlen(s->note);
    va_list ap;

    if (l && l + 1 < sizeof(s->note))
        l += (size_t)snprintf(s->note + l, sizeof(s->note) - l, "%s", sep);
    if (l + 1 >= sizeof(s->note))
        return;
    va_start(ap, fmt);
    vsnprintf(s->note + l, sizeof(s->note) - l, fmt, ap);
    va_end(ap);
}

/*
 * The note says why nodes are absent, from their flags: a hypervisor
 * without the telemetry core lacks them all; otherwise a node is of a fix
 * not built in, or could not be read.
 */
static void note_absent_nodes(struct xtp_sample *s)
{
    static const char *const heads[] = {
        "hypervisor lacks telemetry nodes: ",
        "fixes not built into this hypervisor: ",
        "cannot read ",
    };

    for (unsigned int kind = 0; kind < 3; kind++) {
        const char *head = heads[kind];

        for (unsigned int i = 0; i < XTE_NR_NODES; i++) {
            const struct xtp_node *n = &s->node[i];
            const char *name = xte_nodes[i].subsystem;
            /* Kinds apart by "; ", the nodes of one kind by a space. */
            const char *sep = head[0] ? "; " : " ";

            if (n->present ||
                kind != (n->not_built ? 1u : n->read_errno ? 2u : 0u))
                continue;

            if (kind == 1)
                note_add(s, sep, "%s%s", head, name);
            else if (kind == 2)
                note_add(s, sep, "%s/telemetry/%s (%s)", head, name,
                         strerror(n->read_errno));
            else
                note_add(s, sep, "%s/telemetry/%s", head, name);
            head = "";
        }
        /* A stock hypervisor: the rest says nothing more. */
        if (kind == 0 && s->note[0])
            return;
    }
}

static int xen_read(struct xtp_source *src, struct xtp_sample *s, int block,
                    struct xte_error *err)
{
    struct xen *x = src->priv;
    xc_physinfo_t phys;
    struct timespec ts;
    int n, have_dir = -1;

    xtp_sample_clear(s);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s->t_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    s->wall_s = time(NULL);
    s->generation = 1;

    memset(&phys, 0, sizeof(phys));
    if (xc_physinfo(x->xch, &phys) == 0)
        s->host.nr_pcpus = phys.nr_cpus;

    /* Domains: ids, vCPUs, HVM or not. */
    for (;;) {
        n = xc_domain_getinfolist(x->xch, 0, x->info_cap, x->info);
        if (n < 0)
            return xte_set_error(err, PRIVCMD, 0,
                                 "xc_domain_getinfolist: %s",
                                 strerror(errno));
        if ((unsigned int)n < x->info_cap)
            break;
        x->info_cap *= 2;
        free(x->info);
        x->info = calloc(x->info_cap, sizeof(*x->info));
        if (!x->info)
            return xte_set_error(err, PRIVCMD, 0, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        struct xtp_domain *d = xtp_sample_domain(s, x->info[i].domain);

        if (!d)
            return xte_set_error(err, PRIVCMD, 0, "out of memory");
        d->nr_vcpus = x->info[i].nr_online_vcpus;
        d->is_hvm = !!(x->info[i].flags & XEN_DOMINF_hvm_guest);
    }
    s->host.nr_domains = (uint32_t)n;

    /* Names, from xenstore through libxenstat. */
    if (x->xst) {
        xenstat_node *node = xenstat_get_node(x->xst, 0);

        if (node) {
            unsigned int nd = xenstat_node_num_domains(node);

            for (unsigned int i = 0; i < nd; i++) {
                xenstat_domain *dom = xenstat_node_domain_by_index(node, i);
                const char *name = dom ? xenstat_domain_name(dom) : NULL;
                struct xtp_domain *d;

                if (!name)
                    continue;
                d = xtp_sample_domain(s, xenstat_domain_id(dom));
                if (d)
                    snprintf(d->name, sizeof(d->name), "%s", name);
            }
            xenstat_free_node(node);
        }
    }

    for (unsigned int i = 0; x->hyp && i < XTE_NR_NODES; i++) {
        struct xenhypfs_dirent *ent = NULL;
        char path[64];
        void *data;

        snprintf(path, sizeof(path), "/telemetry/%s",
                 xte_nodes[i].subsystem);
        data = xenhypfs_read_raw(x->hyp, path, &ent);
        if (!data) {
            int e = errno;

            /* No such node in a /telemetry: its fix is not built in. */
            if (e == ENOENT && have_dir < 0) {
                unsigned int nr;
                struct xenhypfs_dirent *d =
                    xenhypfs_readdir(x->hyp, "/telemetry", &nr);

                have_dir = d != NULL;
                free(d);
            }
            if (e == ENOENT)
                s->node[i].not_built = have_dir;
            else
                s->node[i].read_errno = e;
            continue;
        }
        if (xtp_sample_set_node(s, i, data, ent->size, path, err) < 0) {
            free(data);
            free(ent);
            return XTP_READ_ERROR;
        }
        free(data);
        free(ent);
        if (s->node[i].view.hdr.generation)
            s->generation = s->node[i].view.hdr.generation;
    }
    if (!x->hyp)
        snprintf(s->note, sizeof(s->note), "no hypervisor filesystem "
                 "(hypfs): no telemetry nodes, no /params");
    else
        note_absent_nodes(s);

    for (unsigned int i = 0;
         x->hyp && i < sizeof(shown_params) / sizeof(*shown_params); i++) {
        char path[64], *val;

        snprintf(path, sizeof(path), "/params/%s", shown_params[i]);
        val = xenhypfs_read(x->hyp, path);
        if (!val)
            continue;
        if (s->host.nr_params < XTP_MAX_PARAMS) {
            unsigned int k = s->host.nr_params++;

            snprintf(s->host.params[k].name, sizeof(s->host.params[k].name),
                     "%s", shown_params[i]);
            snprintf(s->host.params[k].value,
                     sizeof(s->host.params[k].value), "%s", val);
        }
        free(val);
    }
    xtp_sample_derive_host(s);
    return XTP_READ_SAMPLE;
}

static void xen_close(struct xtp_source *src)
{
    struct xen *x = src->priv;

    if (x->xst)
        xenstat_uninit(x->xst);
    if (x->hyp)
        xenhypfs_close(x->hyp);
    if (x->xch)
        xc_interface_close(x->xch);
    if (x->log)
        xtl_logger_destroy((xentoollog_logger *)x->log);
    free(x->info);
    free(x);
}

static const struct xtp_source_ops xen_ops = { xen_read, xen_close };

int xtp_xen_open(struct xtp_source *src, const struct xtp_source_opts *o,
                 int *why, struct xte_error *err)
{
    struct xen *x;

    if (access(PRIVCMD, F_OK) != 0) {
        *why = XTP_ENOXEN;
        return xte_set_error(err, PRIVCMD, 0,
                             "no Xen hypervisor here (%s absent)", PRIVCMD);
    }
    x = calloc(1, sizeof(*x));
    if (!x)
        return xte_set_error(err, PRIVCMD, 0, "out of memory");
    /* Only errors reach the terminal: warnings would tear the screen. */
    x->log = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
    x->xch = xc_interface_open((xentoollog_logger *)x->log, NULL, 0);
    if (!x->xch) {
        xen_close(&(struct xtp_source){ .priv = x });
        return xte_set_error(err, PRIVCMD, 0,
                             "cannot open the Xen control interface: %s"
                             " (run as root in dom0)", strerror(errno));
    }
    /* Without hypfs there are no counters, but host facts still count. */
    x->hyp = xenhypfs_open((xentoollog_logger *)x->log, 0);
    x->xst = xenstat_init();     /* names only: optional */
    x->info_cap = 256;
    x->info = calloc(x->info_cap, sizeof(*x->info));
    if (!x->info) {
        xen_close(&(struct xtp_source){ .priv = x });
        return xte_set_error(err, PRIVCMD, 0, "out of memory");
    }
    src->ops = &xen_ops;
    src->priv = x;
    snprintf(src->label, sizeof(src->label), "xen");
    return 0;
}
