/*
 * output_text.c - tables as aligned columns for a terminal.
 *
 * A table is held until its end so every column is as wide as its widest
 * cell; a streaming table (--interval) is printed row by row, its columns
 * as wide as their headers or 12 characters, whichever is more.
 */
#include <stdlib.h>
#include <string.h>

#include "output_impl.h"

#define STREAM_WIDTH 12

/* "-" (no value) counts as a number: it sits in numeric columns. */
static int is_number(const char *s)
{
    char *end;

    if (strcmp(s, "-") == 0)
        return 1;
    strtod(s, &end);
    return end != s && *end == 0;
}

static void text_begin(struct xa_out *o)
{
    size_t n = strlen(o->title);

    fprintf(o->f, "%s%s\n", o->nr_tables ? "\n" : "", o->title);
    for (size_t i = 0; i < n; i++)
        fputc('-', o->f);
    fputc('\n', o->f);
    if (o->note && *o->note)
        fprintf(o->f, "(%s)\n", o->note);
    o->nbuffered = 0;
    if (o->streaming) {
        for (unsigned int c = 0; c < o->ncols; c++) {
            int w = (int)strlen(o->cols[c]);

            fprintf(o->f, "%s%*s", c ? "  " : "",
                    w > STREAM_WIDTH ? w : STREAM_WIDTH, o->cols[c]);
        }
        fputc('\n', o->f);
    }
}

static void text_row(struct xa_out *o, const struct xa_cell *cells)
{
    char buf[256];

    if (o->streaming) {
        for (unsigned int c = 0; c < o->ncols; c++) {
            int w = (int)strlen(o->cols[c]);

            cell_format(&cells[c], buf, sizeof(buf));
            fprintf(o->f, "%s%*s", c ? "  " : "",
                    w > STREAM_WIDTH ? w : STREAM_WIDTH, buf);
        }
        fputc('\n', o->f);
        return;
    }
    if (o->nbuffered + o->ncols > o->capbuffered) {
        size_t ncap = o->capbuffered ? o->capbuffered * 2 : 256;

        while (ncap < o->nbuffered + o->ncols)
            ncap *= 2;
        o->buffered = realloc(o->buffered, ncap * sizeof(char *));
        if (!o->buffered)
            abort();
        o->capbuffered = ncap;
    }
    for (unsigned int c = 0; c < o->ncols; c++) {
        const char *text = buf;

        if (cells[c].kind == XA_CELL_STR && cells[c].s)
            text = cells[c].s;                    /* any length */
        else
            cell_format(&cells[c], buf, sizeof(buf));
        o->buffered[o->nbuffered++] = strdup(text);
        if (!o->buffered[o->nbuffered - 1])
            abort();
    }
}

static void text_end(struct xa_out *o)
{
    size_t nrows;
    int *w;

    if (o->streaming) {
        if (!o->rows)
            fprintf(o->f, "(none)\n");
        return;
    }
    nrows = o->nbuffered / (o->ncols ? o->ncols : 1);
    w = calloc(o->ncols, sizeof(int));
    if (!w)
        abort();
    for (unsigned int c = 0; c < o->ncols; c++) {
        w[c] = (int)strlen(o->cols[c]);
        for (size_t r = 0; r < nrows; r++) {
            int l = (int)strlen(o->buffered[r * o->ncols + c]);

            if (l > w[c])
                w[c] = l;
        }
    }
    /* numbers right-aligned, words left-aligned, the first column always */
    for (unsigned int c = 0; c < o->ncols; c++) {
        int numeric = c > 0;

        for (size_t r = 0; r < nrows && numeric; r++)
            numeric = is_number(o->buffered[r * o->ncols + c]);
        if (!numeric)
            w[c] = -w[c];
    }
    for (unsigned int c = 0; c < o->ncols; c++)
        fprintf(o->f, "%s%*s", c ? "  " : "",
                c + 1 == o->ncols && w[c] < 0 ? 0 : w[c], o->cols[c]);
    fputc('\n', o->f);
    for (size_t r = 0; r < nrows; r++) {
        for (unsigned int c = 0; c < o->ncols; c++) {
            /* the last column, left-aligned, needs no padding */
            int wc = c + 1 == o->ncols && w[c] < 0 ? 0 : w[c];

            fprintf(o->f, "%s%*s", c ? "  " : "", wc,
                    o->buffered[r * o->ncols + c]);
            free(o->buffered[r * o->ncols + c]);
        }
        fputc('\n', o->f);
    }
    if (!nrows)
        fprintf(o->f, "(none)\n");
    o->nbuffered = 0;
    free(w);
}

static void text_note(struct xa_out *o, const char *text)
{
    fprintf(o->f, "%s\n", text);
}

static void text_close(struct xa_out *o)
{
}

const struct xa_out_ops xa_out_text_ops = {
    text_begin, text_row, text_end, text_note, text_close,
};
