/*
 * output_impl.h - what a format (output_text.c, output_csv.c,
 * output_json.c) provides to output.c.  Private to the output module.
 */
#ifndef XA_OUTPUT_IMPL_H
#define XA_OUTPUT_IMPL_H

#include "output.h"

struct xa_out_ops {
    void (*begin)(struct xa_out *o);
    void (*row)(struct xa_out *o, const struct xa_cell *cells);
    void (*end)(struct xa_out *o);
    void (*note)(struct xa_out *o, const char *text);
    void (*close)(struct xa_out *o);
};

struct xa_out {
    FILE *f;
    const struct xa_out_ops *ops;
    /* the table being printed */
    char *id, *title, *note;
    unsigned int ncols;
    char **cols;
    int streaming;
    uint64_t rows;
    /* format state */
    int nr_tables;
    char **buffered;            /* text: formatted cells, row major */
    size_t nbuffered, capbuffered;
    char **notes;               /* json: notes, printed at the end */
    unsigned int nr_notes;
};

extern const struct xa_out_ops xa_out_text_ops, xa_out_csv_ops,
    xa_out_json_ops;

/* A cell as plain text ("" for NULL): what text and CSV print. */
void cell_format(const struct xa_cell *c, char *buf, size_t len);

#endif /* XA_OUTPUT_IMPL_H */
