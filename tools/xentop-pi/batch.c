/*
 * batch.c - the state both front-ends compute frames from, and batch mode
 * (-b): plain-text or CSV frames on standard output, like `xentop -b`.
 *
 * Text frame:   a host line ("xentop-pi <time> source=... pcpus=...")
 *               then, per view, "== <view>: <summary>", the column heading
 *               and one line per row, columns at fixed widths;
 * CSV frame:    per view, one heading line "time,view,<columns>" and one
 *               line per row.
 * Frames from recorded sources are printed as fast as they are read; live
 * sources are sampled every -d seconds.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontend.h"

void xtp_report_error(const struct xte_error *err, int with_offset)
{
    if (with_offset || err->offset)
        fprintf(stderr, "xentop-pi: %s: offset %llu: %s\n", err->file,
                (unsigned long long)err->offset, err->msg);
    else if (err->file[0])
        fprintf(stderr, "xentop-pi: %s: %s\n", err->file, err->msg);
    else
        fprintf(stderr, "xentop-pi: %s\n", err->msg);
}

int xtp_state_init(struct xtp_state *st, const char *label, int recorded)
{
    memset(st, 0, sizeof(*st));
    st->prev = xtp_sample_new();
    st->cur = xtp_sample_new();
    st->next = xtp_sample_new();
    st->label = label;
    st->recorded = recorded;
    for (unsigned int v = 0; v < XTP_NR_VIEWS; v++)
        xtp_table_init(&st->table[v]);
    return st->prev && st->cur && st->next ? 0 : -1;
}

void xtp_state_free(struct xtp_state *st)
{
    xtp_sample_free(st->prev);
    xtp_sample_free(st->cur);
    xtp_sample_free(st->next);
    xtp_interval_free(&st->iv);
    for (unsigned int v = 0; v < XTP_NR_VIEWS; v++)
        xtp_table_free(&st->table[v]);
}

int xtp_state_advance(struct xtp_state *st)
{
    struct xtp_sample *t;

    if (st->have_cur && st->next->t_ns == st->cur->t_ns &&
        st->next->generation == st->cur->generation && !st->recorded) {
        /* Same counters again: keep the baseline, refresh the facts. */
        st->cur->host = st->next->host;
        memcpy(st->cur->note, st->next->note, sizeof(st->cur->note));
        return 0;
    }
    t = st->prev;
    st->prev = st->cur;
    st->cur = st->next;
    st->next = t;
    st->have_prev = st->have_cur;
    st->have_cur = 1;
    return 1;
}

int xtp_state_build(struct xtp_state *st, int view)
{
    if (!st->have_cur)
        return 0;
    if (xtp_interval_set(&st->iv, st->have_prev ? st->prev : NULL,
                         st->cur) < 0)
        return -1;
    for (unsigned int v = 0; v < XTP_NR_VIEWS; v++)
        if ((view == XTP_NR_VIEWS || (int)v == view) &&
            xtp_view_build(&st->table[v], v, &st->iv) < 0)
            return -1;
    return 0;
}

int xtp_host_line(const struct xtp_state *st, char *buf, size_t len)
{
    const struct xtp_sample *s = st->cur;
    char when[32], hvm[24] = "?", lim[24] = "?";
    size_t used;

    if (s->wall_s) {
        time_t w = (time_t)s->wall_s;
        struct tm tm;

        localtime_r(&w, &tm);
        strftime(when, sizeof(when), "%H:%M:%S", &tm);
    } else {
        /* Recorded data: the time the sample was taken, in seconds. */
        snprintf(when, sizeof(when), "t=%.3fs", (double)s->t_ns / 1e9);
    }
    if (s->host.have_hvm_vcpus)
        snprintf(hvm, sizeof(hvm), "%llu",
                 (unsigned long long)s->host.hvm_vcpus);
    if (s->host.have_pi_limit)
        snprintf(lim, sizeof(lim), s->host.pi_limit ? "%llu" : "none",
                 (unsigned long long)s->host.pi_limit);
    used = (size_t)snprintf(buf, len,
                            "xentop-pi %s source=%s pcpus=%u domains=%u "
                            "hvm_vcpus=%s pi_limit=%s", when, st->label,
                            s->host.nr_pcpus, s->host.nr_domains, hvm, lim);
    for (unsigned int i = 0; i < s->host.nr_params && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, " %s=%s",
                                 s->host.params[i].name,
                                 s->host.params[i].value);
    return (int)used;
}

static void text_table(FILE *out, const struct xtp_table *t)
{
    const struct xtp_view_desc *d = t->desc;
    char cell[64];

    fprintf(out, "== %s: %s\n", d->name, t->note);
    if (!t->nrows && t->note[0] && strncmp(t->note, "no ", 3) == 0)
        return;
    for (unsigned int c = 0; c < d->ncols; c++)
        fprintf(out, c ? " %*s" : "%*s",
                d->cols[c].kind == XTP_COL_NAME ? -d->cols[c].width
                                                : d->cols[c].width,
                d->cols[c].title);
    fputc('\n', out);
    for (unsigned int i = 0; i < t->nrows; i++) {
        unsigned int r = t->order[i];

        for (unsigned int c = 0; c < d->ncols; c++) {
            int w = d->cols[c].width;

            xtp_cell_text(t, r, c, cell, sizeof(cell));
            if (d->cols[c].kind == XTP_COL_NAME)
                fprintf(out, c ? " %-*.*s" : "%-*.*s", w, w, cell);
            else
                fprintf(out, c ? " %*s" : "%*s", w, cell);
        }
        fputc('\n', out);
    }
}

static void csv_table(FILE *out, const struct xtp_table *t, const char *when)
{
    const struct xtp_view_desc *d = t->desc;
    char cell[128];

    fprintf(out, "time,view");
    for (unsigned int c = 0; c < d->ncols; c++)
        fprintf(out, ",%s", d->cols[c].csv);
    fputc('\n', out);
    for (unsigned int i = 0; i < t->nrows; i++) {
        unsigned int r = t->order[i];

        fprintf(out, "%s,%s", when, d->name);
        for (unsigned int c = 0; c < d->ncols; c++) {
            xtp_cell_csv(t, r, c, cell, sizeof(cell));
            fprintf(out, ",%s", cell);
        }
        fputc('\n', out);
    }
}

void xtp_batch_frame(FILE *out, struct xtp_state *st,
                     const struct xtp_options *o)
{
    char line[512], when[32];

    if (st->cur->wall_s)
        snprintf(when, sizeof(when), "%lld", (long long)st->cur->wall_s);
    else
        snprintf(when, sizeof(when), "%.3f", (double)st->cur->t_ns / 1e9);
    if (!o->csv) {
        xtp_host_line(st, line, sizeof(line));
        fprintf(out, "%s\n", line);
        if (st->cur->note[0])
            fprintf(out, "note: %s\n", st->cur->note);
    }
    for (unsigned int v = 0; v < XTP_NR_VIEWS; v++) {
        struct xtp_table *t = &st->table[v];

        if (o->view != XTP_NR_VIEWS && (int)v != o->view)
            continue;
        if (o->sort_col >= 0 && (int)v == o->view)
            xtp_table_sort(t, (unsigned int)o->sort_col, o->reverse);
        else
            xtp_table_sort(t, (unsigned int)xtp_views[v].default_sort,
                           o->view == (int)v && o->reverse);
        if (o->csv)
            csv_table(out, t, when);
        else
            text_table(out, t);
    }
    if (!o->csv)
        fputc('\n', out);
    fflush(out);
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int xtp_batch_run(const struct xtp_options *o, struct xtp_source *src,
                  struct xtp_recorder *rec)
{
    struct xtp_state st;
    struct xte_error err;
    long frames = 0;
    int rc = 0;

    if (xtp_state_init(&st, xtp_source_label(src),
                       xtp_source_is_recorded(src)) < 0) {
        fprintf(stderr, "xentop-pi: out of memory\n");
        xtp_state_free(&st);
        return 1;
    }
    while (o->iterations < 0 || frames < o->iterations) {
        int r;

        if (frames && !st.recorded)
            sleep_s(o->delay_s);
        r = xtp_source_read(src, st.next, 1, &err);
        if (r == XTP_READ_END)
            break;
        if (r == XTP_READ_ERROR) {
            xtp_report_error(&err, o->src.kind == XTP_SRC_TRACE);
            rc = 1;
            break;
        }
        if (r != XTP_READ_SAMPLE)
            continue;
        if (xtp_state_advance(&st) && rec &&
            xtp_recorder_add(rec, st.cur, &err) < 0) {
            xtp_report_error(&err, 0);
            rc = 1;
            break;
        }
        if (xtp_state_build(&st, o->view) < 0) {
            fprintf(stderr, "xentop-pi: out of memory\n");
            rc = 1;
            break;
        }
        xtp_batch_frame(stdout, &st, o);
        frames++;
        /* a full disk under the frames: stop, and not with success */
        if (ferror(stdout)) {
            fprintf(stderr, "xentop-pi: standard output: write failed "
                    "(%s)\n", strerror(errno));
            rc = 1;
            break;
        }
    }
    xtp_state_free(&st);
    return rc;
}
