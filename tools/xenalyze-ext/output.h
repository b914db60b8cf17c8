/*
 * output.h - one way to print a table, three formats.
 *
 * Reports are built as tables (a title, named columns, rows of cells) and
 * handed to a sink that renders them as aligned text, CSV or JSON, the way
 * lsirq and irqtop hand theirs to libsmartcols.  Rows are streamed: a sink
 * keeps at most one table of text rows for column alignment (text), and
 * nothing at all for CSV and JSON, so an --interval series of any length
 * prints in bounded memory (text aligns interval rows to their header,
 * not to each other).
 */
#ifndef XA_OUTPUT_H
#define XA_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

enum xa_format { XA_FMT_TEXT, XA_FMT_CSV, XA_FMT_JSON };

enum xa_cell_kind { XA_CELL_NULL, XA_CELL_U64, XA_CELL_F64, XA_CELL_STR };

struct xa_cell {
    enum xa_cell_kind kind;
    uint64_t u;
    double f;
    const char *s;              /* copied by the sink */
};

static inline struct xa_cell cell_u(uint64_t u)
{
    struct xa_cell c = { XA_CELL_U64, u, 0, NULL };
    return c;
}
static inline struct xa_cell cell_f(double f)
{
    struct xa_cell c = { XA_CELL_F64, 0, f, NULL };
    return c;
}
static inline struct xa_cell cell_s(const char *s)
{
    struct xa_cell c = { XA_CELL_STR, 0, 0, s };
    return c;
}
static inline struct xa_cell cell_null(void)
{
    struct xa_cell c = { XA_CELL_NULL, 0, 0, NULL };
    return c;
}

struct xa_out;

struct xa_out *out_open(FILE *f, enum xa_format fmt);
/*
 * A table: id is a stable machine name (CSV section, JSON key), title the
 * human heading, note an optional line under it (units, error bounds).
 * streaming: rows are printed as they come (text: aligned to the header
 * only).
 */
void out_table_begin(struct xa_out *o, const char *id, const char *title,
                     const char *note, unsigned int ncols,
                     const char *const *cols, int streaming);
void out_row(struct xa_out *o, const struct xa_cell *cells);
void out_table_end(struct xa_out *o);
/* A free-text line (text: printed; CSV: "# " comment; JSON: "notes"). */
void out_note(struct xa_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Ends the document (JSON: closes the object).  Frees the sink.  -1 if
 * the stream had a write error (a full disk): the report is incomplete.
 */
int out_close(struct xa_out *o);

#endif /* XA_OUTPUT_H */
