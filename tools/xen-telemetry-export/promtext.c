/*
 * promtext.c - the Prometheus text exposition of telemetry nodes.
 *
 * The naming rule is in promtext.h; everything here walks the catalogue's
 * node tables, so a field added to catalogue.def shows up in the export
 * with no change to this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "promtext.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);

    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* The unit suffix of the rule, and the field-name tail it replaces. */
static void unit_suffix(enum xte_unit unit, const char **suffix,
                        const char **strip)
{
    *suffix = "";
    *strip = NULL;
    switch (unit) {
    case XTE_UNIT_NS:
        *suffix = "_seconds";
        *strip = "_ns";
        break;
    case XTE_UNIT_BYTES:
        *suffix = "_bytes";
        *strip = "_bytes";
        break;
    case XTE_UNIT_HZ:
        *suffix = "_hertz";
        *strip = "_hz";
        break;
    default:
        break;
    }
}

/* extra goes between the base and the unit ("_max" for a histogram's max). */
static int build_name(char *buf, size_t len, const struct xte_node_desc *d,
                      const struct xte_counter_desc *f, int domain,
                      const char *extra)
{
    const char *usuf, *strip, *kind = "";
    size_t base_len = strlen(f->name);
    int n;

    if (f->kind == XTE_KIND_KEY)
        return -1;
    unit_suffix(f->unit, &usuf, &strip);
    if (strip && ends_with(f->name, strip))
        base_len -= strlen(strip);
    if (f->kind == XTE_KIND_COUNTER)
        kind = "_total";
    n = snprintf(buf, len, XTX_PREFIX "%s_%s%.*s%s%s%s", d->subsystem,
                 domain ? "domain_" : "", (int)base_len, f->name, extra,
                 usuf, kind);
    if (n < 0 || (size_t)n >= len)
        return -1;
    /* Catalogue names are C identifiers; anything else is made one. */
    for (char *p = buf; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == ':'))
            *p = '_';
    return n;
}

int xtx_metric_name(char *buf, size_t len, const struct xte_node_desc *d,
                    const struct xte_counter_desc *f, int domain)
{
    return build_name(buf, len, d, f, domain, "");
}

int xtx_in_seconds(const struct xte_counter_desc *f)
{
    return f->unit == XTE_UNIT_NS;
}

void xtx_format_value(char *buf, size_t len, uint64_t v, int ns)
{
    uint64_t whole, frac;
    int n;

    if (!ns) {
        snprintf(buf, len, "%" PRIu64, v);
        return;
    }
    whole = v / 1000000000u;
    frac = v % 1000000000u;
    if (frac == 0) {
        snprintf(buf, len, "%" PRIu64, whole);
        return;
    }
    n = snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, whole, frac);
    if (n > 0 && (size_t)n < len)
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
}

static void put_escaped(FILE *out, const char *s, int quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", out);
        else if (*s == '\n')
            fputs("\\n", out);
        else if (quote && *s == '"')
            fputs("\\\"", out);
        else
            fputc(*s, out);
    }
}

void xtx_put_label_value(FILE *out, const char *s)
{
    put_escaped(out, s, 1);
}

void xtx_put_help_text(FILE *out, const char *s)
{
    put_escaped(out, s, 0);
}

static void put_family_header(FILE *out, const char *name, const char *type,
                              const struct xte_node_desc *d,
                              const struct xte_counter_desc *f, int domain,
                              const char *what)
{
    fprintf(out, "# HELP %s ", name);
    xtx_put_help_text(out, what ? what : "");
    xtx_put_help_text(out, f->desc);
    fprintf(out, ". Field %s of the per-%s record of telemetry node %s (",
            f->name, domain ? "domain" : "pCPU", d->subsystem);
    xtx_put_help_text(out, d->desc);
    fputs(")", out);
    if (xtx_in_seconds(f))
        fputs(", in seconds", out);
    fprintf(out, ".\n# TYPE %s %s\n", name, type);
}

/* ---- labels of one record ---------------------------------------------- */

struct rec_ref {
    const uint8_t *rec;
    unsigned int index;         /* pCPU number, or domain record index */
    char *labels;               /* e.g. pcpu="3" or domid="7",domain="web1" */
};

/* The record's labels, without braces (malloc'd, NULL if out of memory). */
static char *record_labels(const struct xte_node_desc *d, int domain,
                           const struct rec_ref *r,
                           const struct xtx_opts *opts)
{
    const struct xte_counter_desc *f;
    char *text = NULL;
    size_t len = 0;
    int any_key = 0;
    FILE *out = open_memstream(&text, &len);

    if (!out)
        return NULL;
    if (!domain) {
        fprintf(out, "pcpu=\"%u\"", r->index);
    } else {
        for (unsigned int i = 0; i < d->nr_domain_fields; i++) {
            f = &d->domain_fields[i];
            if (f->kind != XTE_KIND_KEY)
                continue;
            fprintf(out, "%s%s=\"%" PRIu64 "\"", any_key ? "," : "", f->name,
                    xte_rec_u64(r->rec, f));
            if (strcmp(f->name, "domid") == 0 && opts->domain_name) {
                const char *name = opts->domain_name(opts->arg,
                                                     xte_rec_u64(r->rec, f));

                if (name && *name) {
                    fputs(",domain=\"", out);
                    xtx_put_label_value(out, name);
                    fputc('"', out);
                }
            }
            any_key = 1;
        }
        if (!any_key)
            fprintf(out, "record=\"%u\"", r->index);
    }
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* ---- per-domain record order: by key, duplicates dropped --------------- */

static int cmp_keys(const void *a, const void *b, void *arg)
{
    const struct rec_ref *ra = a, *rb = b;
    const struct xte_node_desc *sort_desc = arg;

    for (unsigned int i = 0; i < sort_desc->nr_domain_fields; i++) {
        const struct xte_counter_desc *f = &sort_desc->domain_fields[i];
        uint64_t va, vb;

        if (f->kind != XTE_KIND_KEY)
            continue;
        va = xte_rec_u64(ra->rec, f);
        vb = xte_rec_u64(rb->rec, f);
        if (va != vb)
            return va < vb ? -1 : 1;
    }
    return ra->index < rb->index ? -1 : ra->index > rb->index;
}

static int same_keys(const struct xte_node_desc *d, const struct rec_ref *a,
                     const struct rec_ref *b)
{
    int any = 0;

    for (unsigned int i = 0; i < d->nr_domain_fields; i++) {
        const struct xte_counter_desc *f = &d->domain_fields[i];

        if (f->kind != XTE_KIND_KEY)
            continue;
        any = 1;
        if (xte_rec_u64(a->rec, f) != xte_rec_u64(b->rec, f))
            return 0;
    }
    return any;
}

static void free_records(struct rec_ref *refs, unsigned int n)
{
    for (unsigned int i = 0; refs && i < n; i++)
        free(refs[i].labels);
    free(refs);
}

/*
 * Records of one kind in output order, with their labels.  Two domain
 * records with the same key would be the same series twice, which makes
 * node_exporter reject the whole file: the later ones are dropped and said
 * so in a comment.
 */
static struct rec_ref *list_records(FILE *out, const struct xte_node_view *v,
                                    int domain, const struct xtx_opts *opts,
                                    unsigned int *nr)
{
    unsigned int n = domain ? v->hdr.nr_domains : v->hdr.nr_pcpus, kept = 0;
    struct rec_ref *refs = calloc(n ? n : 1, sizeof(*refs));

    if (!refs)
        return NULL;
    for (unsigned int i = 0; i < n; i++) {
        refs[i].index = i;
        refs[i].rec = domain ? xte_node_domain(v, i) : xte_node_pcpu(v, i);
    }
    if (domain && n > 1) {
        qsort_r(refs, n, sizeof(*refs), cmp_keys, (void *)v->desc);
        for (unsigned int i = 0; i < n; i++) {
            if (kept && same_keys(v->desc, &refs[kept - 1], &refs[i])) {
                fprintf(out, "# node %s: domain record %u has the same key "
                        "as record %u: dropped\n", v->desc->subsystem,
                        refs[i].index, refs[kept - 1].index);
                continue;
            }
            refs[kept++] = refs[i];
        }
        n = kept;
    }
    for (unsigned int i = 0; i < n; i++) {
        refs[i].labels = record_labels(v->desc, domain, &refs[i], opts);
        if (!refs[i].labels) {
            free_records(refs, i);
            return NULL;
        }
    }
    *nr = n;
    return refs;
}

/* ---- families ------------------------------------------------------------ */

struct family_ctx {
    const struct xte_node_desc *d;
    int domain;
    const struct xtx_opts *opts;
};

static void put_simple(FILE *out, const struct family_ctx *c,
                       const struct xte_counter_desc *f,
                       const struct rec_ref *refs, unsigned int nr)
{
    char name[256], val[32];
    const char *type = f->kind == XTE_KIND_COUNTER ? "counter" : "gauge";

    if (xtx_metric_name(name, sizeof(name), c->d, f, c->domain) < 0)
        return;
    put_family_header(out, name, type, c->d, f, c->domain, NULL);
    for (unsigned int i = 0; i < nr; i++) {
        xtx_format_value(val, sizeof(val), xte_rec_u64(refs[i].rec, f),
                         xtx_in_seconds(f));
        fprintf(out, "%s{%s} %s\n", name, refs[i].labels, val);
    }
}

/* One histogram series; labels "" for none. */
static void put_hist_series(FILE *out, const char *name, const char *labels,
                            const struct xte_hist *h, int ns)
{
    const char *sep = *labels ? "," : "";
    char val[32], le[32];
    uint64_t cum = 0;

    for (unsigned int b = 0; b < XTE_HIST_BUCKETS; b++) {
        cum += h->bucket[b];
        if (b == XTE_HIST_BUCKETS - 1)
            break;              /* open-ended: only in +Inf */
        xtx_format_value(le, sizeof(le), xte_hist_bucket_high(b) - 1, ns);
        fprintf(out, "%s_bucket{%s%sle=\"%s\"} %" PRIu64 "\n", name, labels,
                sep, le, cum);
    }
    fprintf(out, "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", name, labels,
            sep, cum);
    xtx_format_value(val, sizeof(val), h->sum, ns);
    if (*labels) {
        fprintf(out, "%s_sum{%s} %s\n", name, labels, val);
        fprintf(out, "%s_count{%s} %" PRIu64 "\n", name, labels, cum);
    } else {
        fprintf(out, "%s_sum %s\n%s_count %" PRIu64 "\n", name, val, name,
                cum);
    }
}

static void put_hist(FILE *out, const struct family_ctx *c,
                     const struct xte_counter_desc *f,
                     const struct rec_ref *refs, unsigned int nr)
{
    char name[256], val[32];
    int ns = xtx_in_seconds(f);
    struct xte_hist h, total;

    if (xtx_metric_name(name, sizeof(name), c->d, f, c->domain) < 0)
        return;
    put_family_header(out, name, "histogram", c->d, f, c->domain,
                      c->opts->hist_per_host ? "Summed over the host's "
                      "records: " : NULL);
    memset(&total, 0, sizeof(total));
    for (unsigned int i = 0; i < nr; i++) {
        xte_rec_hist(refs[i].rec, f, &h);
        if (!c->opts->hist_per_host) {
            put_hist_series(out, name, refs[i].labels, &h, ns);
            continue;
        }
        for (unsigned int b = 0; b < XTE_HIST_BUCKETS; b++)
            total.bucket[b] += h.bucket[b];
        total.sum += h.sum;
        if (h.max > total.max)
            total.max = h.max;
    }
    if (c->opts->hist_per_host)
        put_hist_series(out, name, "", &total, ns);

    if (build_name(name, sizeof(name), c->d, f, c->domain, "_max") < 0)
        return;
    put_family_header(out, name, "gauge", c->d, f, c->domain,
                      "Largest sample of the histogram: ");
    if (c->opts->hist_per_host) {
        xtx_format_value(val, sizeof(val), total.max, ns);
        fprintf(out, "%s %s\n", name, val);
        return;
    }
    for (unsigned int i = 0; i < nr; i++) {
        xte_rec_hist(refs[i].rec, f, &h);
        xtx_format_value(val, sizeof(val), h.max, ns);
        fprintf(out, "%s{%s} %s\n", name, refs[i].labels, val);
    }
}

static int put_records(FILE *out, const struct xte_node_view *v, int domain,
                       const struct xtx_opts *opts)
{
    const struct xte_node_desc *d = v->desc;
    unsigned int nf = domain ? d->nr_domain_fields : d->nr_pcpu_fields;
    const struct xte_counter_desc *fields =
        domain ? d->domain_fields : d->pcpu_fields;
    struct family_ctx c = { d, domain, opts };
    struct rec_ref *refs;
    unsigned int nr;

    if (nf == 0)
        return 0;
    refs = list_records(out, v, domain, opts, &nr);
    if (!refs)
        return -1;
    for (unsigned int i = 0; i < nf; i++) {
        switch (fields[i].kind) {
        case XTE_KIND_COUNTER:
        case XTE_KIND_GAUGE:
            put_simple(out, &c, &fields[i], refs, nr);
            break;
        case XTE_KIND_HIST:
            put_hist(out, &c, &fields[i], refs, nr);
            break;
        case XTE_KIND_KEY:
            break;
        }
    }
    free_records(refs, nr);
    return 0;
}

int xtx_write(FILE *out, const struct xte_node_view *const views[XTE_NR_NODES],
              const struct xtx_opts *opts)
{
    static const struct xtx_opts defaults;

    if (!opts)
        opts = &defaults;
    fputs("# HELP " XTX_PREFIX "up Whether the telemetry node was read and "
          "parsed (1) or not (0) at the last export.\n"
          "# TYPE " XTX_PREFIX "up gauge\n", out);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++)
        fprintf(out, XTX_PREFIX "up{node=\"%s\"} %d\n",
                xte_nodes[n].subsystem, views[n] != NULL);

    if (opts->present) {
        fputs("# HELP " XTX_PREFIX "node_present Whether the source has the "
              "telemetry node (1) or not (0: on a Xen host, the fix that "
              "publishes it is not built into the hypervisor, and the node's "
              "metrics are left out); no sample when the read failed for "
              "another reason.\n"
              "# TYPE " XTX_PREFIX "node_present gauge\n", out);
        for (unsigned int n = 0; n < XTE_NR_NODES; n++)
            if (opts->present[n] >= 0)
                fprintf(out, XTX_PREFIX "node_present{node=\"%s\"} %d\n",
                        xte_nodes[n].subsystem, opts->present[n] > 0);
    }

    fputs("# HELP " XTX_PREFIX "node_pcpus pCPU records in the telemetry "
          "node.\n# TYPE " XTX_PREFIX "node_pcpus gauge\n", out);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++)
        if (views[n])
            fprintf(out, XTX_PREFIX "node_pcpus{node=\"%s\"} %" PRIu32 "\n",
                    xte_nodes[n].subsystem, views[n]->hdr.nr_pcpus);
    fputs("# HELP " XTX_PREFIX "node_domains domain records in the telemetry "
          "node.\n# TYPE " XTX_PREFIX "node_domains gauge\n", out);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++)
        if (views[n])
            fprintf(out, XTX_PREFIX "node_domains{node=\"%s\"} %" PRIu32 "\n",
                    xte_nodes[n].subsystem, views[n]->hdr.nr_domains);

    fputs("# HELP " XTX_PREFIX "node_clock_seconds Source clock when the "
          "node was read (hypervisor NOW(), seconds since boot; the "
          "simulator's clock under --sim).  Counter deltas divided by its "
          "delta are rates in the source's own time, unaffected by export "
          "or scrape delays.\n"
          "# TYPE " XTX_PREFIX "node_clock_seconds gauge\n", out);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        char val[32];

        if (!views[n])
            continue;
        xtx_format_value(val, sizeof(val), views[n]->hdr.timestamp_ns, 1);
        fprintf(out, XTX_PREFIX "node_clock_seconds{node=\"%s\"} %s\n",
                xte_nodes[n].subsystem, val);
    }

    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        if (!views[n])
            continue;
        if (put_records(out, views[n], 0, opts) < 0 ||
            put_records(out, views[n], 1, opts) < 0)
            return -1;
    }
    return ferror(out) ? -1 : 0;
}

/* ---- atomic replacement of the output file ------------------------------ */

int xtx_write_file_atomic(const char *dir, const char *name,
                          const void *data, size_t len, struct xte_error *err)
{
    char tmp[4096], dst[4096];
    const char *p = data;
    int fd, dfd, n;

    n = snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(dst))
        return xte_set_error(err, dir, 0, "path too long");
    /* ".name.XXXXXX" does not end in .prom: the collector skips it. */
    n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return xte_set_error(err, dir, 0, "path too long");
    fd = mkstemp(tmp);
    if (fd < 0)
        return xte_set_error(err, dir, 0, "cannot create a temporary file: %s",
                             strerror(errno));
    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            xte_set_error(err, tmp, (uint64_t)(p - (const char *)data),
                          "write: %s", w < 0 ? strerror(errno) : "no progress");
            goto fail;
        }
        p += w;
        len -= (size_t)w;
    }
    if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
        xte_set_error(err, tmp, 0, "fchmod/fsync: %s", strerror(errno));
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        xte_set_error(err, tmp, 0, "close: %s", strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, dst) < 0) {
        xte_set_error(err, dst, 0, "rename from %s: %s", tmp, strerror(errno));
        goto fail;
    }
    /* The rename itself survives a crash only once the directory is synced. */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;

fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}
