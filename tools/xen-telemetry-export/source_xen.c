/*
 * source_xen.c - telemetry nodes of this Xen host: hypfs /telemetry/<node>
 * read with libxenhypfs (the bytes hypfs returns are the node, header and
 * records, exactly as catalogue.def lays them out).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenhypfs.h>

#include "source.h"

struct xen_source {
    struct xtx_source pub;
    xenhypfs_handle *h;
};

static int xen_read(struct xtx_source *pub, enum xte_node_index node,
                    uint8_t **buf, size_t *cap, size_t *len,
                    struct xte_error *err)
{
    struct xen_source *s = (struct xen_source *)pub;
    struct xenhypfs_dirent *ent = NULL;
    char path[64];
    void *data;

    snprintf(path, sizeof(path), "/telemetry/%s", xte_nodes[node].subsystem);
    data = xenhypfs_read_raw(s->h, path, &ent);
    if (!data) {
        free(ent);
        return 0;       /* this hypervisor has no such node */
    }
    if (ent->size > *cap) {
        uint8_t *nb = realloc(*buf, ent->size);

        if (!nb) {
            free(data);
            free(ent);
            return xte_set_error(err, path, 0, "out of memory");
        }
        *buf = nb;
        *cap = ent->size;
    }
    memcpy(*buf, data, ent->size);
    *len = ent->size;
    free(data);
    free(ent);
    return 1;
}

static void xen_close(struct xtx_source *pub)
{
    struct xen_source *s = (struct xen_source *)pub;

    xenhypfs_close(s->h);
    free(s);
}

struct xtx_source *xtx_source_xen(struct xte_error *err)
{
    struct xen_source *s;

    if (access("/dev/xen/privcmd", F_OK) != 0) {
        xte_set_error(err, "/dev/xen/privcmd", 0, "no Xen hypervisor here; "
                      "use --sim NAME (the simulator) or --trace FILE");
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        xte_set_error(err, "xen", 0, "out of memory");
        return NULL;
    }
    s->h = xenhypfs_open(NULL, 0);
    if (!s->h) {
        xte_set_error(err, "/dev/xen/hypfs", 0, "cannot open the hypervisor "
                      "file system (libxenhypfs); is this dom0 and is hypfs "
                      "enabled?");
        free(s);
        return NULL;
    }
    s->pub.what = "xen";
    s->pub.read_node = xen_read;
    s->pub.close = xen_close;
    return &s->pub;
}
