/*
 * views.h - the five views as tables of numbers (no drawing here).
 *
 * A view turns an interval (two samples) into rows of cells; the ncurses
 * and batch front-ends only lay the cells out.  A cell is a number or
 * "unknown" (no rate yet, counter reset, node absent) which prints as "-".
 */
#ifndef XTP_VIEWS_H
#define XTP_VIEWS_H

#include "rate.h"

enum xtp_view_id {
    XTP_VIEW_PI, XTP_VIEW_DPCI, XTP_VIEW_MAPTRACK, XTP_VIEW_EPT,
    XTP_VIEW_MSIX, XTP_NR_VIEWS
};

enum xtp_col_kind {
    XTP_COL_INT,        /* integer */
    XTP_COL_RATE,       /* per second, one decimal */
    XTP_COL_PCT,        /* percentage, one decimal */
    XTP_COL_NS,         /* nanoseconds, integer */
    XTP_COL_NAME,       /* the row's text */
};

#define XTP_MAX_COLS 10     /* the widest view */

struct xtp_column {
    const char *title;  /* screen and batch heading */
    const char *csv;    /* csv heading */
    enum xtp_col_kind kind;
    int width;
    int desc;           /* sort descending by default */
};

struct xtp_view_desc {
    const char *name;   /* "pi", also --view */
    const char *title;  /* tab label */
    char key;           /* letter key; the number key is index + 1 */
    const char *help;   /* one line */
    unsigned int ncols;
    const struct xtp_column *cols;
    int bar_col;        /* PCT column drawn as a bar on screen, or -1 */
    int bar_value_col, bar_limit_col;
    int default_sort;
};

extern const struct xtp_view_desc xtp_views[XTP_NR_VIEWS];

struct xtp_table {
    const struct xtp_view_desc *desc;
    unsigned int nrows, cap;
    double *val;        /* nrows x ncols */
    uint8_t *known;     /* nrows x ncols */
    char (*name)[48];   /* per row, for the NAME column */
    unsigned int *order;
    /* A line above the table: a summary or what is missing. */
    char note[256];
};

void xtp_table_init(struct xtp_table *t);
void xtp_table_free(struct xtp_table *t);

/* Fill t with view v of the interval.  -1: out of memory. */
int xtp_view_build(struct xtp_table *t, enum xtp_view_id v,
                   const struct xtp_interval *iv);
/*
 * Order the rows by column col (ties: first column, ascending); reverse
 * flips the column's natural direction.  Unknown cells sort last.
 */
void xtp_table_sort(struct xtp_table *t, unsigned int col, int reverse);

/* Text of a cell, right-aligned to nothing (callers pad). */
int xtp_cell_text(const struct xtp_table *t, unsigned int row,
                  unsigned int col, char *buf, size_t len);
/* Machine form: plain numbers, empty when unknown. */
int xtp_cell_csv(const struct xtp_table *t, unsigned int row,
                 unsigned int col, char *buf, size_t len);

static inline double xtp_cell(const struct xtp_table *t, unsigned int row,
                              unsigned int col, int *known)
{
    size_t i = (size_t)row * t->desc->ncols + col;

    if (known)
        *known = t->known[i];
    return t->val[i];
}

enum xtp_view_id xtp_view_by_name(const char *name);  /* XTP_NR_VIEWS: none */

#endif /* XTP_VIEWS_H */
