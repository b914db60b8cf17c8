/*
 * output.c - the format-independent half of the table sink.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output_impl.h"

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");

    if (!d)
        abort();
    return d;
}

void cell_format(const struct xa_cell *c, char *buf, size_t len)
{
    switch (c->kind) {
    case XA_CELL_U64:
        snprintf(buf, len, "%llu", (unsigned long long)c->u);
        break;
    case XA_CELL_F64:
        snprintf(buf, len, "%.3f", c->f);
        break;
    case XA_CELL_STR:
        snprintf(buf, len, "%s", c->s ? c->s : "");
        break;
    default:
        snprintf(buf, len, "-");
        break;
    }
}

struct xa_out *out_open(FILE *f, enum xa_format fmt)
{
    struct xa_out *o = calloc(1, sizeof(*o));

    if (!o)
        abort();
    o->f = f;
    o->ops = fmt == XA_FMT_CSV ? &xa_out_csv_ops
           : fmt == XA_FMT_JSON ? &xa_out_json_ops : &xa_out_text_ops;
    return o;
}

void out_table_begin(struct xa_out *o, const char *id, const char *title,
                     const char *note, unsigned int ncols,
                     const char *const *cols, int streaming)
{
    o->id = xstrdup(id);
    o->title = xstrdup(title);
    o->note = note ? xstrdup(note) : NULL;
    o->ncols = ncols;
    o->cols = calloc(ncols, sizeof(char *));
    if (!o->cols)
        abort();
    for (unsigned int i = 0; i < ncols; i++)
        o->cols[i] = xstrdup(cols[i]);
    o->streaming = streaming;
    o->rows = 0;
    o->ops->begin(o);
}

void out_row(struct xa_out *o, const struct xa_cell *cells)
{
    o->ops->row(o, cells);
    o->rows++;
}

void out_table_end(struct xa_out *o)
{
    o->ops->end(o);
    for (unsigned int i = 0; i < o->ncols; i++)
        free(o->cols[i]);
    free(o->cols);
    free(o->id);
    free(o->title);
    free(o->note);
    o->cols = NULL;
    o->id = o->title = o->note = NULL;
    o->nr_tables++;
}

void out_note(struct xa_out *o, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    o->ops->note(o, buf);
}

int out_close(struct xa_out *o)
{
    int rc;

    o->ops->close(o);
    for (unsigned int i = 0; i < o->nr_notes; i++)
        free(o->notes[i]);
    free(o->notes);
    free(o->buffered);
    rc = fflush(o->f) == 0 && !ferror(o->f) ? 0 : -1;
    free(o);
    return rc;
}
