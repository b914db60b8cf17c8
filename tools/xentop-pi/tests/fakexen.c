/*
 * fakexen.c - just enough of libxenctrl, libxenhypfs, libxenstat and
 * libxentoollog for src_xen.c (xentop-pi --xen, xen-telemetry-export --xen)
 * to run on a machine without Xen, with a hypfs whose /telemetry holds the
 * nodes a test chooses.  Linked instead of the real libraries into test
 * binaries only (with -Wl,--wrap=access, so that /dev/xen/privcmd
 * "exists").
 *
 * Environment:
 *   FAKEXEN_NODES      nodes under /telemetry, comma-separated (default:
 *                      every node of the catalogue; "" none)
 *   FAKEXEN_TELEMETRY  0: no /telemetry directory at all (stock Xen)
 *   FAKEXEN_EACCES     nodes whose read fails with EACCES
 *
 * Each node present has 2 pCPU records and one domain record (dom0) if it
 * has domain records; every counter, gauge and histogram word is
 * 100 * (record + 1) + field, so a node that is there never reads as zeros.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenhypfs.h>
#include <xenstat.h>
#include <xentoollog.h>

#include "catalogue.h"
#include "telemetry.h"

#define FAKE_PCPUS 2

int __real_access(const char *path, int mode);
int __wrap_access(const char *path, int mode);

int __wrap_access(const char *path, int mode)
{
    if (!strcmp(path, "/dev/xen/privcmd"))
        return 0;
    return __real_access(path, mode);
}

static int in_list(const char *env, const char *name, int dflt)
{
    const char *l = getenv(env);
    size_t n = strlen(name);

    if (!l)
        return dflt;
    for (const char *p = l; *p;) {
        const char *e = strchrnul(p, ',');

        if ((size_t)(e - p) == n && !strncmp(p, name, n))
            return 1;
        p = *e ? e + 1 : e;
    }
    return 0;
}

static int have_dir(void)
{
    const char *t = getenv("FAKEXEN_TELEMETRY");

    return !t || strcmp(t, "0");
}

/* ---- libxentoollog, libxenctrl ---------------------------------------- */

static int fake_handle;

xentoollog_logger_stdiostream *xtl_createlogger_stdiostream(
    FILE *f, xentoollog_level min_level, unsigned flags)
{
    return (xentoollog_logger_stdiostream *)&fake_handle;
}

void xtl_logger_destroy(struct xentoollog_logger *logger)
{
}

xc_interface *xc_interface_open(xentoollog_logger *logger,
                                xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    return (xc_interface *)&fake_handle;
}

int xc_interface_close(xc_interface *xch)
{
    return 0;
}

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
    info->nr_cpus = FAKE_PCPUS;
    return 0;
}

int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
                          unsigned int max_domains, xc_domaininfo_t *info)
{
    if (!max_domains)
        return 0;
    memset(info, 0, sizeof(*info));
    info->domain = 0;
    info->nr_online_vcpus = 2;
    return first_domain == 0 ? 1 : 0;
}

/* ---- libxenstat: no names ------------------------------------------------ */

xenstat_handle *xenstat_init(void)
{
    return NULL;
}

void xenstat_uninit(xenstat_handle *handle)
{
}

xenstat_node *xenstat_get_node(xenstat_handle *handle, unsigned int flags)
{
    return NULL;
}

void xenstat_free_node(xenstat_node *node)
{
}

unsigned int xenstat_node_num_domains(xenstat_node *node)
{
    return 0;
}

xenstat_domain *xenstat_node_domain_by_index(xenstat_node *node,
                                             unsigned int index)
{
    return NULL;
}

char *xenstat_domain_name(xenstat_domain *domain)
{
    return NULL;
}

unsigned int xenstat_domain_id(xenstat_domain *domain)
{
    return 0;
}

/* ---- libxenhypfs ---------------------------------------------------------- */

xenhypfs_handle *xenhypfs_open(struct xentoollog_logger *logger,
                               unsigned int open_flags)
{
    return (xenhypfs_handle *)&fake_handle;
}

int xenhypfs_close(xenhypfs_handle *fshdl)
{
    return 0;
}

static void fill_record(uint8_t *rec, size_t size, unsigned int idx)
{
    for (size_t w = 0; w < size / 8; w++) {
        uint64_t v = 100 * (uint64_t)(idx + 1) + w;

        memcpy(rec + w * 8, &v, 8);
    }
}

static const struct xte_node_desc *node_of(const char *path)
{
    if (!have_dir() || strncmp(path, "/telemetry/", 11))
        return NULL;
    for (unsigned int i = 0; i < XTE_NR_NODES; i++)
        if (!strcmp(path + 11, xte_nodes[i].subsystem) &&
            in_list("FAKEXEN_NODES", xte_nodes[i].subsystem, 1))
            return &xte_nodes[i];
    return NULL;
}

void *xenhypfs_read_raw(xenhypfs_handle *fshdl, const char *path,
                        struct xenhypfs_dirent **dirent)
{
    const struct xte_node_desc *d = node_of(path);
    struct xte_telemetry_header h;
    unsigned int nr_dom;
    const struct xte_counter_desc *key;
    size_t size;
    uint8_t *buf;

    if (!d) {
        errno = ENOENT;
        return NULL;
    }
    if (in_list("FAKEXEN_EACCES", d->subsystem, 0)) {
        errno = EACCES;
        return NULL;
    }
    nr_dom = d->nr_domain_fields ? 1 : 0;
    size = sizeof(h) + FAKE_PCPUS * d->pcpu_record_size +
           nr_dom * d->domain_record_size;
    buf = calloc(1, size);
    *dirent = calloc(1, sizeof(**dirent));
    if (!buf || !*dirent) {
        free(buf);
        free(*dirent);
        errno = ENOMEM;
        return NULL;
    }
    memset(&h, 0, sizeof(h));
    h.magic = XTE_TELEMETRY_MAGIC;
    h.version = (uint16_t)d->version;
    h.header_size = sizeof(h);
    h.node = (uint32_t)(d - xte_nodes);
    h.nr_pcpus = FAKE_PCPUS;
    h.pcpu_record_size = (uint32_t)d->pcpu_record_size;
    h.nr_domains = nr_dom;
    h.domain_record_size = (uint32_t)d->domain_record_size;
    h.timestamp_ns = 1000000000ULL;
    h.generation = 7;
    memcpy(buf, &h, sizeof(h));
    for (unsigned int c = 0; c < FAKE_PCPUS; c++)
        fill_record(buf + sizeof(h) + c * d->pcpu_record_size,
                    d->pcpu_record_size, c);
    if (nr_dom) {
        uint8_t *rec = buf + sizeof(h) + FAKE_PCPUS * d->pcpu_record_size;
        uint64_t dom0 = 0;

        fill_record(rec, d->domain_record_size, 0);
        key = xte_node_field(d, 1, "domid");
        if (key)
            memcpy(rec + key->offset, &dom0, 8);
    }
    (*dirent)->size = size;
    (*dirent)->type = xenhypfs_type_blob;
    (*dirent)->encoding = xenhypfs_enc_plain;
    return buf;
}

/* Parameters: none. */
char *xenhypfs_read(xenhypfs_handle *fshdl, const char *path)
{
    errno = ENOENT;
    return NULL;
}

struct xenhypfs_dirent *xenhypfs_readdir(xenhypfs_handle *fshdl,
                                         const char *path,
                                         unsigned int *num_entries)
{
    struct xenhypfs_dirent *ents;
    unsigned int n = 0;

    if (strcmp(path, "/telemetry") || !have_dir()) {
        errno = ENOENT;
        return NULL;
    }
    /* Like libxenhypfs: one allocation (the names are static here). */
    ents = calloc(XTE_NR_NODES + 1, sizeof(*ents));
    if (!ents) {
        errno = ENOMEM;
        return NULL;
    }
    for (unsigned int i = 0; i < XTE_NR_NODES; i++)
        if (in_list("FAKEXEN_NODES", xte_nodes[i].subsystem, 1)) {
            ents[n].name = (char *)xte_nodes[i].subsystem;
            ents[n].type = xenhypfs_type_blob;
            n++;
        }
    *num_entries = n;
    return ents;
}
