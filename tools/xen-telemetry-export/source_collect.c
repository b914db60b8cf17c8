/*
 * source_collect.c - --xen and --trace through xentop-pi's collector
 * (tools/xentop-pi/collect.h, libxentop-pi.a), so that reading hypfs,
 * naming domains (libxenstat) and rebuilding counters from a trace live in
 * one place.
 *
 * Live source (--xen): each round takes a fresh sample.
 * Recorded source (--trace FILE|-): each round takes every sample the trace
 * has produced so far and exports the newest, so a pipe from a running
 * xentrace is followed as it comes and a finished file ends with its final
 * counters; a trace that turns out malformed keeps what was read, and the
 * exporter then writes that and exits non-zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect.h"
#include "source.h"

struct collect_source {
    struct xtx_source pub;
    struct xtp_source *src;
    struct xtp_sample *cur, *next;
    int recorded;
    int to_end;                 /* recorded: read to the end each round */
    const volatile sig_atomic_t *stop;  /* to_end: give up when set */
    int have;                   /* cur holds a sample */
    int ended;                  /* 1 end of a recording, -1 failed */
    int failed_now;             /* last live read failed: err holds why */
    struct xte_error err;
    char what[320];
};

static void take(struct collect_source *c)
{
    struct xtp_sample *t = c->cur;

    c->cur = c->next;
    c->next = t;
    c->have = 1;
}

static void collect_refresh(struct xtx_source *pub)
{
    struct collect_source *c = (struct collect_source *)pub;
    int rc;

    if (!c->recorded) {
        memset(&c->err, 0, sizeof(c->err));
        rc = xtp_source_read(c->src, c->next, 1, &c->err);
        c->failed_now = rc != XTP_READ_SAMPLE;
        if (rc == XTP_READ_SAMPLE)
            take(c);
        else
            c->have = 0;
        return;
    }
    if (c->ended)
        return;
    /*
     * Wait for the first sample (an empty first export says nothing), and
     * for every sample when reading to the end; in short naps, so that a
     * signal (*stop) is seen within one nap, not only at the next sample.
     */
    for (;;) {
        if (c->stop && *c->stop)
            return;
        rc = xtp_source_read(c->src, c->next, 0, &c->err);
        if (rc == XTP_READ_SAMPLE) {
            take(c);
            continue;
        }
        if (rc == XTP_READ_AGAIN && (c->to_end || !c->have)) {
            struct timespec nap = { 0, 10 * 1000 * 1000 };

            nanosleep(&nap, NULL);
            continue;
        }
        if (rc == XTP_READ_END) {
            c->ended = 1;
        } else if (rc == XTP_READ_ERROR) {
            c->ended = -1;
            fputs("xen-telemetry-export: ", stderr);
            xte_print_error(stderr, &c->err);
        }
        return;
    }
}

static int collect_read(struct xtx_source *pub, enum xte_node_index node,
                        uint8_t **buf, size_t *cap, size_t *len,
                        struct xte_error *err)
{
    struct collect_source *c = (struct collect_source *)pub;
    const struct xtp_node *n;

    if (c->failed_now) {
        *err = c->err;
        return -1;
    }
    if (!c->have)
        return 0;
    n = &c->cur->node[node];
    if (!n->present && n->read_errno)
        return xte_set_error(err, c->what, 0, "cannot read /telemetry/%s: "
                             "%s", xte_nodes[node].subsystem,
                             strerror(n->read_errno));
    if (!n->present)
        return 0;
    if (*cap < n->len) {
        uint8_t *nb = realloc(*buf, n->len);

        if (!nb)
            return xte_set_error(err, c->what, 0, "out of memory");
        *buf = nb;
        *cap = n->len;
    }
    memcpy(*buf, n->buf, n->len);
    *len = n->len;
    return 1;
}

static const char *collect_domain_name(struct xtx_source *pub,
                                       uint64_t domid)
{
    struct collect_source *c = (struct collect_source *)pub;
    const struct xtp_domain *d;

    if (!c->have || domid > UINT32_MAX)
        return NULL;
    d = xtp_sample_find_domain(c->cur, (uint32_t)domid);
    return d && d->name[0] ? d->name : NULL;
}

static int collect_finished(struct xtx_source *pub)
{
    return ((struct collect_source *)pub)->ended;
}

static void collect_close(struct xtx_source *pub)
{
    struct collect_source *c = (struct collect_source *)pub;

    xtp_source_close(c->src);
    xtp_sample_free(c->cur);
    xtp_sample_free(c->next);
    free(c);
}

static struct xtx_source *collect_open(const struct xtp_source_opts *o,
                                       int *why, struct xte_error *err)
{
    struct collect_source *c = calloc(1, sizeof(*c));

    if (!c) {
        xte_set_error(err, o->arg ? o->arg : "xen", 0, "out of memory");
        return NULL;
    }
    c->cur = xtp_sample_new();
    c->next = xtp_sample_new();
    if (!c->cur || !c->next) {
        xte_set_error(err, o->arg ? o->arg : "xen", 0, "out of memory");
        goto fail;
    }
    c->src = xtp_source_open(o, why, err);
    if (!c->src)
        goto fail;
    c->recorded = xtp_source_is_recorded(c->src);
    snprintf(c->what, sizeof(c->what), "%s", xtp_source_label(c->src));
    c->pub.what = c->what;
    c->pub.read_node = collect_read;
    c->pub.domain_name = collect_domain_name;
    c->pub.refresh = collect_refresh;
    c->pub.finished = collect_finished;
    c->pub.close = collect_close;
    return &c->pub;

fail:
    xtp_sample_free(c->cur);
    xtp_sample_free(c->next);
    free(c);
    return NULL;
}

struct xtx_source *xtx_source_xen(int *no_xen, struct xte_error *err)
{
    struct xtp_source_opts o = { .kind = XTP_SRC_XEN };
    int why = 0;
    struct xtx_source *s = collect_open(&o, &why, err);

    *no_xen = !s && why == XTP_ENOXEN;
    /* Live hypfs: a node missing from /telemetry is a fix left out. */
    if (s)
        s->absent = "not in this hypervisor (the fix that publishes it is "
                    "not built in): its metrics are left out";
    return s;
}

struct xtx_source *xtx_source_trace(const char *path, double interval_s,
                                    int to_end,
                                    const volatile sig_atomic_t *stop,
                                    struct xte_error *err)
{
    struct xtp_source_opts o = {
        .kind = XTP_SRC_TRACE, .arg = path, .interval_s = interval_s,
    };
    struct xtx_source *s = collect_open(&o, NULL, err);

    if (s) {
        ((struct collect_source *)s)->to_end = to_end;
        ((struct collect_source *)s)->stop = stop;
    }
    return s;
}
