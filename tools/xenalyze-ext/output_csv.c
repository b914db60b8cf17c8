/*
 * output_csv.c - tables as CSV (RFC 4180 quoting), one block per table:
 * a "## id: title" line, its note as a "# " line, the header, the rows, a
 * blank line.  Notes are "# " lines.  Spreadsheet tools and pandas'
 * comment='#' read it; a script finds a table by its "## id:" line.
 */
#include <string.h>

#include "output_impl.h"

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_begin(struct xa_out *o)
{
    fprintf(o->f, "%s## %s: %s\n", o->nr_tables ? "\n" : "", o->id, o->title);
    if (o->note && *o->note)
        fprintf(o->f, "# %s\n", o->note);
    for (unsigned int c = 0; c < o->ncols; c++) {
        if (c)
            fputc(',', o->f);
        csv_field(o->f, o->cols[c]);
    }
    fputc('\n', o->f);
}

static void csv_row(struct xa_out *o, const struct xa_cell *cells)
{
    char buf[256];

    for (unsigned int c = 0; c < o->ncols; c++) {
        if (c)
            fputc(',', o->f);
        if (cells[c].kind == XA_CELL_NULL)
            continue;
        if (cells[c].kind == XA_CELL_STR) {       /* any length */
            csv_field(o->f, cells[c].s ? cells[c].s : "");
            continue;
        }
        cell_format(&cells[c], buf, sizeof(buf));
        csv_field(o->f, buf);
    }
    fputc('\n', o->f);
}

static void csv_end(struct xa_out *o)
{
}

static void csv_note(struct xa_out *o, const char *text)
{
    fprintf(o->f, "# %s\n", text);
}

static void csv_close(struct xa_out *o)
{
}

const struct xa_out_ops xa_out_csv_ops = {
    csv_begin, csv_row, csv_end, csv_note, csv_close,
};
