/*
 * xte-hypfs-node: read telemetry nodes of a real hypervisor's hypfs and
 * hold their headers against the catalogue (the real-Xen test's dom0 tool,
 * not installed).
 *
 *   xte-hypfs-node [-o DIR] NODE...     NODE: pi, dpci, ... (catalogue names)
 *
 * Upstream `xenhypfs cat` cannot show a telemetry node: libxenhypfs's
 * xenhypfs_read() refuses a blob ("could not read: Numerical argument out
 * of domain"), and `cat -b` only escapes strings.  So this reads each
 * /telemetry/NODE with xenhypfs_read_raw(), as the tools do, and prints
 *
 *   node=NAME type=blob bytes=N magic=0x... version=V/CV header=48
 *     nr_pcpus=P pcpu_record_size=S/CS nr_domains=D domain_record_size=T/CT
 *     timestamp_ns=... generation=... parse=ok|<error>
 *
 * (V/CV: what the hypervisor says / what the catalogue says), then one line
 * per domain record with its catalogue fields (histograms as their count),
 * and per pCPU the sum of its counters.  A node the hypervisor does not
 * have (no such hypfs entry: the fix that publishes it is not built in)
 * gets one line, "node=NAME not-built-in", and is no failure: a
 * hypervisor publishes only the nodes of its fixes.  With -o DIR the raw
 * bytes go to DIR/telemetry-NODE.bin.  Exit 0 when every node the
 * hypervisor has reads, parses and matches the catalogue; 1 otherwise
 * (including a node that exists but cannot be read); 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenhypfs.h>

#include "catalogue.h"
#include "telemetry.h"

static void print_fields(const char *what, unsigned int idx,
                         const struct xte_node_desc *d, int domain,
                         const uint8_t *rec)
{
    unsigned int n = domain ? d->nr_domain_fields : d->nr_pcpu_fields;
    const struct xte_counter_desc *f = domain ? d->domain_fields
                                              : d->pcpu_fields;

    printf("  %s %u:", what, idx);
    for (unsigned int i = 0; i < n; i++) {
        if (f[i].kind == XTE_KIND_HIST) {
            struct xte_hist h;

            xte_rec_hist(rec, &f[i], &h);
            printf(" %s.count=%llu", f[i].name,
                   (unsigned long long)xte_hist_count(&h));
        } else {
            printf(" %s=%llu", f[i].name,
                   (unsigned long long)xte_rec_u64(rec, &f[i]));
        }
    }
    printf("\n");
}

static int one_node(xenhypfs_handle *h, const char *name, const char *dir)
{
    const struct xte_node_desc *d = xte_node_by_name(name);
    struct xenhypfs_dirent *ent = NULL;
    struct xte_telemetry_header hdr;
    struct xte_node_view view;
    struct xte_error err;
    char path[80];
    void *buf;
    int bad = 0;

    if (!d) {
        printf("node=%s not-in-catalogue\n", name);
        return 1;
    }
    snprintf(path, sizeof(path), "/telemetry/%s", name);
    buf = xenhypfs_read_raw(h, path, &ent);
    if (!buf && errno == ENOENT) {
        printf("node=%s not-built-in (no %s: the fix is not in this "
               "hypervisor)\n", name, path);
        return 0;
    }
    if (!buf) {
        printf("node=%s unreadable: %m\n", name);
        return 1;
    }
    if (dir) {
        char out[4096];
        FILE *f;

        snprintf(out, sizeof(out), "%s/telemetry-%s.bin", dir, name);
        f = fopen(out, "wb");
        if (!f || fwrite(buf, 1, ent->size, f) != ent->size || fclose(f))
            printf("node=%s cannot write %s\n", name, out);
    }
    if (ent->size < sizeof(hdr)) {
        printf("node=%s bytes=%u shorter than the %zu-byte header\n",
               name, (unsigned int)ent->size, sizeof(hdr));
        free(buf);
        free(ent);
        return 1;
    }
    memcpy(&hdr, buf, sizeof(hdr));
    memset(&err, 0, sizeof(err));
    bad = xte_node_parse(buf, ent->size, path, &view, &err) < 0;
    bad |= ent->type != xenhypfs_type_blob || hdr.magic != XTE_TELEMETRY_MAGIC ||
           hdr.version != d->version || hdr.header_size != sizeof(hdr) ||
           hdr.node != (uint32_t)(d - xte_nodes) ||
           hdr.pcpu_record_size != d->pcpu_record_size ||
           hdr.domain_record_size != d->domain_record_size ||
           ent->size != sizeof(hdr) +
                        (size_t)hdr.nr_pcpus * hdr.pcpu_record_size +
                        (size_t)hdr.nr_domains * hdr.domain_record_size;
    printf("node=%s type=%s bytes=%u magic=0x%08x version=%u/%u header=%u"
           " index=%u/%td nr_pcpus=%u pcpu_record_size=%u/%zu nr_domains=%u"
           " domain_record_size=%u/%zu timestamp_ns=%llu generation=%llu"
           " parse=%s\n",
           name, ent->type == xenhypfs_type_blob ? "blob" : "not-blob",
           (unsigned int)ent->size, hdr.magic, hdr.version, d->version, hdr.header_size,
           hdr.node, d - xte_nodes, hdr.nr_pcpus, hdr.pcpu_record_size,
           d->pcpu_record_size, hdr.nr_domains, hdr.domain_record_size,
           d->domain_record_size, (unsigned long long)hdr.timestamp_ns,
           (unsigned long long)hdr.generation,
           bad ? (err.msg[0] ? err.msg : "mismatch") : "ok");
    if (!bad) {
        for (unsigned int i = 0; i < view.hdr.nr_pcpus; i++)
            print_fields("pcpu", i, d, 0, xte_node_pcpu(&view, i));
        for (unsigned int i = 0; i < view.hdr.nr_domains; i++)
            print_fields("domain-record", i, d, 1, xte_node_domain(&view, i));
    }
    free(buf);
    free(ent);
    return bad;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    xenhypfs_handle *h;
    int i = 1, bad = 0;

    if (argc > 2 && !strcmp(argv[1], "-o")) {
        dir = argv[2];
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [-o DIR] NODE...\n", argv[0]);
        return 2;
    }
    h = xenhypfs_open(NULL, 0);
    if (!h) {
        printf("cannot open libxenhypfs: %m\n");
        return 1;
    }
    for (; i < argc; i++)
        bad |= one_node(h, argv[i], dir);
    xenhypfs_close(h);
    return bad;
}
