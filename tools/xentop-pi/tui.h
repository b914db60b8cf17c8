/*
 * tui.h - drawing one frame of the ncurses view (also used by the
 * benchmark, which draws into a terminal on /dev/null).
 */
#ifndef XTP_TUI_H
#define XTP_TUI_H

#include "frontend.h"

struct xtp_tui_view {
    int view;           /* enum xtp_view_id */
    int sort_col, reverse;
    int top;            /* first row shown (scrolling) */
    int paused, help;
    double delay_s;
    const char *status; /* bold line under the summary, or NULL */
};

/* Set up colours unless NO_COLOR is set or the terminal has none. */
void xtp_tui_colors(void);
/* Draw st's table for tv->view (built and sorted) on stdscr, refresh. */
void xtp_tui_draw(struct xtp_state *st, const struct xtp_tui_view *tv);

#endif /* XTP_TUI_H */
