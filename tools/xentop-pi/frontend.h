/*
 * frontend.h - what the batch and ncurses front-ends share: the options,
 * the pair of samples a frame is computed from, and the host-facts line.
 */
#ifndef XTP_FRONTEND_H
#define XTP_FRONTEND_H

#include <stdio.h>

#include "collect.h"
#include "views.h"

struct xtp_options {
    struct xtp_source_opts src;
    int batch, csv;
    long iterations;            /* -1: until the input ends or q */
    double delay_s;
    const char *record;
    int view;                   /* XTP_NR_VIEWS: all (batch only) */
    int sort_col;               /* -1: the view's default */
    int reverse;
};

/* Two samples and what the views made of them. */
struct xtp_state {
    struct xtp_sample *prev, *cur, *next;  /* sources read into next */
    int have_prev, have_cur;
    struct xtp_interval iv;
    struct xtp_table table[XTP_NR_VIEWS];
    const char *label;
    int recorded;
};

int xtp_state_init(struct xtp_state *st, const char *label, int recorded);
void xtp_state_free(struct xtp_state *st);
/*
 * Take the sample just read into st->next: it becomes cur and cur becomes
 * prev.  A
 * sample with the same clock and generation as cur (the source did not
 * move on) is dropped so that rates keep their baseline.  Returns 1 when
 * the frame changed.
 */
int xtp_state_advance(struct xtp_state *st);
/* Recompute the views' tables (all of them, or just one). */
int xtp_state_build(struct xtp_state *st, int view);

/* "xentop-pi 12:00:01 source=... pcpus=... ..." (no newline). */
int xtp_host_line(const struct xtp_state *st, char *buf, size_t len);

/* Batch mode: one frame of text or CSV. */
void xtp_batch_frame(FILE *out, struct xtp_state *st,
                     const struct xtp_options *o);
int xtp_batch_run(const struct xtp_options *o, struct xtp_source *src,
                  struct xtp_recorder *rec);
int xtp_tui_run(const struct xtp_options *o, struct xtp_source *src,
                struct xtp_recorder *rec);

/* The one-line error report of every front-end. */
void xtp_report_error(const struct xte_error *err, int with_offset);

#endif /* XTP_FRONTEND_H */
