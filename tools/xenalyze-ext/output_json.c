/*
 * output_json.c - one JSON object for the whole report:
 *
 *   { "<table id>": { "title": ..., "note": ..., "columns": [...],
 *                     "rows": [ { "<column>": value, ... }, ... ] },
 *     ...,
 *     "notes": [ "...", ... ] }
 *
 * Rows are written as they come; only the notes (a handful of lines) wait
 * for the end.
 */
#include <stdlib.h>
#include <string.h>

#include "output_impl.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_begin(struct xa_out *o)
{
    fputs(o->nr_tables ? ",\n" : "{\n", o->f);
    fputs("  ", o->f);
    json_str(o->f, o->id);
    fputs(": {\n    \"title\": ", o->f);
    json_str(o->f, o->title);
    if (o->note) {
        fputs(",\n    \"note\": ", o->f);
        json_str(o->f, o->note);
    }
    fputs(",\n    \"columns\": [", o->f);
    for (unsigned int c = 0; c < o->ncols; c++) {
        if (c)
            fputs(", ", o->f);
        json_str(o->f, o->cols[c]);
    }
    fputs("],\n    \"rows\": [", o->f);
}

static void json_row(struct xa_out *o, const struct xa_cell *cells)
{
    fputs(o->rows ? ",\n      {" : "\n      {", o->f);
    for (unsigned int c = 0; c < o->ncols; c++) {
        if (c)
            fputs(", ", o->f);
        json_str(o->f, o->cols[c]);
        fputs(": ", o->f);
        switch (cells[c].kind) {
        case XA_CELL_U64:
            fprintf(o->f, "%llu", (unsigned long long)cells[c].u);
            break;
        case XA_CELL_F64:
            fprintf(o->f, "%.6g", cells[c].f);
            break;
        case XA_CELL_STR:
            json_str(o->f, cells[c].s);
            break;
        default:
            fputs("null", o->f);
        }
    }
    fputc('}', o->f);
}

static void json_end(struct xa_out *o)
{
    fputs(o->rows ? "\n    ]\n  }" : "]\n  }", o->f);
}

static void json_note(struct xa_out *o, const char *text)
{
    char **n = realloc(o->notes, (o->nr_notes + 1) * sizeof(char *));

    if (!n)
        abort();
    o->notes = n;
    o->notes[o->nr_notes] = strdup(text);
    if (!o->notes[o->nr_notes])
        abort();
    o->nr_notes++;
}

static void json_close(struct xa_out *o)
{
    fputs(o->nr_tables ? ",\n  \"notes\": [" : "{\n  \"notes\": [", o->f);
    for (unsigned int i = 0; i < o->nr_notes; i++) {
        fputs(i ? ",\n    " : "\n    ", o->f);
        json_str(o->f, o->notes[i]);
    }
    fputs(o->nr_notes ? "\n  ]\n}\n" : "]\n}\n", o->f);
}

const struct xa_out_ops xa_out_json_ops = {
    json_begin, json_row, json_end, json_note, json_close,
};
