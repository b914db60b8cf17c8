/*
 * tui.c - the ncurses front-end.
 *
 * One epoll loop waits on a timerfd (the refresh), a signalfd (SIGINT and
 * SIGTERM quit, SIGWINCH resizes) and standard input (keys).  Signals are
 * blocked and read from the signalfd, so nothing runs in a signal handler
 * and the terminal is restored on every way out: q, a signal, or an error
 * (endwin first, then the one-line message).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "frontend.h"
#include "tui.h"

#define HEAD_ROWS 6     /* lines above the first table row */

enum { PAIR_OK = 1, PAIR_WARN, PAIR_BAD, PAIR_TAB };

static int use_color;

void xtp_tui_colors(void)
{
    const char *nc = getenv("NO_COLOR");

    /* https://no-color.org: present and not empty disables colour. */
    use_color = has_colors() && !(nc && nc[0]);
    if (!use_color)
        return;
    start_color();
    use_default_colors();
    init_pair(PAIR_OK, COLOR_GREEN, -1);
    init_pair(PAIR_WARN, COLOR_YELLOW, -1);
    init_pair(PAIR_BAD, COLOR_RED, -1);
    init_pair(PAIR_TAB, COLOR_BLACK, COLOR_CYAN);
}

/* A number squeezed into w columns with a k/M/G suffix if it must. */
static void fit(const struct xtp_table *t, unsigned int r, unsigned int c,
                int w, char *buf, size_t len)
{
    static const char sfx[] = "kMGTP";
    int known;
    double v = xtp_cell(t, r, c, &known);

    xtp_cell_text(t, r, c, buf, len);
    if ((int)strlen(buf) <= w || !known ||
        t->desc->cols[c].kind == XTP_COL_NAME ||
        t->desc->cols[c].kind == XTP_COL_NS)
        return;
    for (unsigned int i = 0; i < sizeof(sfx) - 1; i++) {
        v /= 1000;
        snprintf(buf, len, "%.0f%c", v, sfx[i]);
        if ((int)strlen(buf) <= w)
            return;
    }
}

static void draw_bar(int y, int x, int w, double pct, int known)
{
    int fill, attr = 0;

    if (w < 4)
        return;
    mvaddch(y, x, '[');
    mvaddch(y, x + w - 1, ']');
    if (!known)
        return;
    fill = (int)(pct / 100.0 * (w - 2) + 0.5);
    if (fill > w - 2)
        fill = w - 2;
    if (fill < 0)
        fill = 0;
    if (use_color)
        attr = COLOR_PAIR(pct >= 100 ? PAIR_BAD : pct >= 75 ? PAIR_WARN
                                                            : PAIR_OK);
    attron(attr);
    for (int i = 0; i < fill; i++)
        mvaddch(y, x + 1 + i, '|');
    attroff(attr);
}

static void draw_help(void)
{
    static const char *const lines[] = {
        "xentop-pi keys",
        "",
        "  1 p   PI blocking lists     4 e   EPT flushes",
        "  2 d   dpci softirqs         5 x   MSI-X table reads",
        "  3 m   maptrack handles",
        "",
        "  < >   sort by the column to the left / right",
        "  s     sort by the next column    r   reverse order",
        "  space pause / resume",
        "  up down PgUp PgDn Home End (j k g G)   scroll",
        "  h ?   this help          q   quit",
        "",
        "  any key closes this help",
    };
    int n = (int)(sizeof(lines) / sizeof(*lines)), w = 56;
    int y0 = (LINES - n - 2) / 2, x0 = (COLS - w) / 2;

    if (y0 < 0)
        y0 = 0;
    if (x0 < 0)
        x0 = 0;
    for (int i = 0; i < n + 2 && y0 + i < LINES; i++) {
        move(y0 + i, x0);
        for (int k = 0; k < w && x0 + k < COLS; k++)
            addch(i == 0 || i == n + 1 ? '-' : k == 0 || k == w - 1 ? '|'
                                                                    : ' ');
        if (i > 0 && i <= n)
            mvaddnstr(y0 + i, x0 + 2, lines[i - 1], COLS - x0 - 3);
    }
}

void xtp_tui_draw(struct xtp_state *st, const struct xtp_tui_view *tv)
{
    const struct xtp_table *t = &st->table[tv->view];
    const struct xtp_view_desc *d = &xtp_views[tv->view];
    const struct xtp_sample *s = st->cur;
    char line[512], cell[64], pos[48];
    int x, rows, bar_w = 0, used = 0;

    erase();
    /* Line 0: clock, source, refresh; line 1: host facts. */
    if (s->wall_s) {
        time_t w = (time_t)s->wall_s;
        struct tm tm;

        localtime_r(&w, &tm);
        strftime(cell, sizeof(cell), "%H:%M:%S", &tm);
    } else {
        snprintf(cell, sizeof(cell), "t=%.3fs", (double)s->t_ns / 1e9);
    }
    snprintf(line, sizeof(line), "xentop-pi - %s  source %s  refresh %gs%s",
             cell, st->label, tv->delay_s, tv->paused ? "  [PAUSED]" : "");
    mvaddnstr(0, 0, line, COLS);
    {
        size_t u;

        if (s->host.have_hvm_vcpus)
            snprintf(cell, sizeof(cell), "%llu",
                     (unsigned long long)s->host.hvm_vcpus);
        else
            snprintf(cell, sizeof(cell), "?");
        u = (size_t)snprintf(line, sizeof(line),
                             "pCPUs %u  domains %u  HVM vCPUs %s  PI limit ",
                             s->host.nr_pcpus, s->host.nr_domains, cell);
        if (!s->host.have_pi_limit)
            u += (size_t)snprintf(line + u, sizeof(line) - u, "?");
        else if (!s->host.pi_limit)
            u += (size_t)snprintf(line + u, sizeof(line) - u, "none");
        else
            u += (size_t)snprintf(line + u, sizeof(line) - u, "%llu",
                                  (unsigned long long)s->host.pi_limit);
        for (unsigned int i = 0; i < s->host.nr_params && u < sizeof(line);
             i++)
            u += (size_t)snprintf(line + u, sizeof(line) - u, "  %s %s",
                                  s->host.params[i].name,
                                  s->host.params[i].value);
        mvaddnstr(1, 0, line, COLS);
    }
    /* Line 2: the views as tabs, and the sort order. */
    move(2, 0);
    for (unsigned int v = 0; v < XTP_NR_VIEWS; v++) {
        int a = (int)v == tv->view ? (use_color ? COLOR_PAIR(PAIR_TAB)
                                                : A_REVERSE) : 0;

        snprintf(cell, sizeof(cell), " %u:%s ", v + 1, xtp_views[v].title);
        attron(a);
        addnstr(cell, COLS - getcurx(stdscr) > 0 ? COLS - getcurx(stdscr)
                                                  : 0);
        attroff(a);
    }
    snprintf(line, sizeof(line), "  sort %s %s  h:help",
             d->cols[tv->sort_col].title,
             (d->cols[tv->sort_col].desc ^ tv->reverse) ? "desc" : "asc");
    if (COLS - getcurx(stdscr) > 0)
        addnstr(line, COLS - getcurx(stdscr));
    /*
     * Lines 3 and 4: the view's summary, then the source's note, with the
     * scroll position at the right when the rows do not all fit.
     */
    rows = LINES - HEAD_ROWS;
    pos[0] = '\0';
    if ((int)t->nrows > rows && rows > 0)
        snprintf(pos, sizeof(pos), " rows %d-%d of %u", tv->top + 1,
                 tv->top + rows < (int)t->nrows ? tv->top + rows
                                                : (int)t->nrows, t->nrows);
    mvaddnstr(3, 0, t->note, COLS);
    x = COLS - (int)strlen(pos);
    if (x < 0)
        x = 0;
    if (tv->status && tv->status[0]) {
        attron(A_BOLD);
        mvaddnstr(4, 0, tv->status, x);
        attroff(A_BOLD);
    } else if (s->note[0]) {
        mvaddnstr(4, 0, s->note, x);
    }
    mvaddnstr(4, x, pos, COLS - x);
    /* Line 5: column headings; the bar takes what is left, up to 22. */
    for (unsigned int c = 0; c < d->ncols; c++)
        used += d->cols[c].width + (c ? 1 : 0);
    if (d->bar_col >= 0 && COLS - used - 1 >= 6)
        bar_w = COLS - used - 1 > 22 ? 22 : COLS - used - 1;
    attron(A_REVERSE);
    mvhline(5, 0, ' ', COLS);
    x = 0;
    for (unsigned int c = 0; c < d->ncols && x < COLS; c++) {
        int w = d->cols[c].width;

        if ((int)c == tv->sort_col)
            attron(A_BOLD);
        if (d->cols[c].kind == XTP_COL_NAME)
            snprintf(cell, sizeof(cell), "%-*s", w, d->cols[c].title);
        else
            snprintf(cell, sizeof(cell), "%*s", w, d->cols[c].title);
        mvaddnstr(5, x, cell, COLS - x);
        if ((int)c == tv->sort_col)
            attroff(A_BOLD);
        x += w + 1;
    }
    if (bar_w)
        mvaddnstr(5, x, "USE", COLS - x);
    attroff(A_REVERSE);

    for (int i = 0; i < rows && tv->top + i < (int)t->nrows; i++) {
        unsigned int r = t->order[tv->top + i];
        int y = HEAD_ROWS + i;

        x = 0;
        for (unsigned int c = 0; c < d->ncols && x < COLS; c++) {
            int w = d->cols[c].width;

            fit(t, r, c, w, cell, sizeof(cell));
            if (d->cols[c].kind == XTP_COL_NAME)
                snprintf(line, sizeof(line), "%-*.*s", w, w, cell);
            else
                snprintf(line, sizeof(line), "%*s", w, cell);
            mvaddnstr(y, x, line, COLS - x);
            x += w + 1;
        }
        if (bar_w) {
            int known;
            double pct = xtp_cell(t, r, (unsigned int)d->bar_col, &known);

            draw_bar(y, x, bar_w, pct, known);
        }
    }
    if (tv->help)
        draw_help();
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- the loop ------------------------------------------------------------ */

struct tui {
    const struct xtp_options *o;
    struct xtp_source *src;
    struct xtp_recorder *rec;
    struct xtp_state st;
    struct xtp_tui_view tv;
    int sort[XTP_NR_VIEWS], rev[XTP_NR_VIEWS];
    char status[256];
    int ended;
    int pending;                /* st.next holds a sample not shown yet */
    uint64_t play_ns;           /* recorded sources: play clock */
    int quit;
    struct xte_error err;
    int failed;
};

static void set_view(struct tui *u, int v)
{
    u->sort[u->tv.view] = u->tv.sort_col;
    u->rev[u->tv.view] = u->tv.reverse;
    u->tv.view = v;
    u->tv.sort_col = u->sort[v];
    u->tv.reverse = u->rev[v];
    u->tv.top = 0;
}

static void rebuild(struct tui *u)
{
    struct xtp_table *t = &u->st.table[u->tv.view];

    if (u->st.have_cur) {
        if (xtp_state_build(&u->st, u->tv.view) < 0) {
            xte_set_error(&u->err, "", 0, "out of memory");
            u->failed = 1;
            return;
        }
    } else {
        t->desc = &xtp_views[u->tv.view];
        t->nrows = 0;
        snprintf(t->note, sizeof(t->note), "waiting for the first sample");
    }
    xtp_table_sort(t, (unsigned int)u->tv.sort_col, u->tv.reverse);
}

static void clamp_scroll(struct tui *u)
{
    int rows = LINES - HEAD_ROWS, n = (int)u->st.table[u->tv.view].nrows;

    if (u->tv.top > n - rows)
        u->tv.top = n - rows;
    if (u->tv.top < 0)
        u->tv.top = 0;
}

/*
 * Take the next sample.  Recorded sources (a trace file, a database) are
 * played at the pace they were recorded: a sample is shown once the play
 * clock, advanced by tick_ns per refresh, has covered the time between it
 * and the one on screen (a gap in the recording counts 10 s at most).
 */
static void sample(struct tui *u, int block, uint64_t tick_ns)
{
    const uint64_t max_gap = 10000000000ull;

    if (!u->pending) {
        int r;

        if (u->ended)
            return;
        r = xtp_source_read(u->src, u->st.next, block, &u->err);
        if (r == XTP_READ_ERROR) {
            u->failed = 1;
            return;
        }
        if (r == XTP_READ_END) {
            u->ended = 1;
            snprintf(u->status, sizeof(u->status),
                     "end of input: last sample shown (q quits)");
            return;
        }
        if (r != XTP_READ_SAMPLE)
            return;
        u->pending = 1;
    }
    if (u->st.recorded && u->st.have_cur &&
        u->st.next->generation == u->st.cur->generation &&
        u->st.next->t_ns > u->st.cur->t_ns) {
        uint64_t gap = u->st.next->t_ns - u->st.cur->t_ns;

        if (gap > max_gap)
            gap = max_gap;
        u->play_ns += tick_ns;
        if (u->play_ns < gap)
            return;             /* not due yet */
        u->play_ns -= gap;
    } else {
        u->play_ns = 0;
    }
    u->pending = 0;
    if (xtp_state_advance(&u->st) && u->rec &&
        xtp_recorder_add(u->rec, u->st.cur, &u->err) < 0) {
        u->failed = 1;
        return;
    }
    rebuild(u);
}

static void key(struct tui *u, int ch)
{
    const struct xtp_view_desc *d = &xtp_views[u->tv.view];
    int rows = LINES - HEAD_ROWS;

    if (u->tv.help) {
        u->tv.help = 0;
        if (ch != 'q' && ch != 'Q')
            return;
    }
    for (unsigned int v = 0; v < XTP_NR_VIEWS; v++)
        if (ch == (int)('1' + v) || ch == xtp_views[v].key) {
            set_view(u, (int)v);
            rebuild(u);
            return;
        }
    switch (ch) {
    case 'q':
    case 'Q':
        u->quit = 1;
        return;
    case 'h':
    case '?':
        u->tv.help = 1;
        return;
    case ' ':
        u->tv.paused = !u->tv.paused;
        return;
    case '<':
    case ',':
        u->tv.sort_col = u->tv.sort_col ? u->tv.sort_col - 1
                                        : (int)d->ncols - 1;
        break;
    case '>':
    case '.':
    case 's':
        u->tv.sort_col = (u->tv.sort_col + 1) % (int)d->ncols;
        break;
    case 'r':
        u->tv.reverse = !u->tv.reverse;
        break;
    case KEY_UP:
    case 'k':
        u->tv.top--;
        break;
    case KEY_DOWN:
    case 'j':
        u->tv.top++;
        break;
    case KEY_PPAGE:
        u->tv.top -= rows;
        break;
    case KEY_NPAGE:
        u->tv.top += rows;
        break;
    case KEY_HOME:
    case 'g':
        u->tv.top = 0;
        break;
    case KEY_END:
    case 'G':
        u->tv.top = (int)u->st.table[u->tv.view].nrows;
        break;
    default:
        return;
    }
    xtp_table_sort(&u->st.table[u->tv.view], (unsigned int)u->tv.sort_col,
                   u->tv.reverse);
    clamp_scroll(u);
}

static void resize(void)
{
    struct winsize ws;

    /* The signal was ours (blocked for ncurses): size the screen here. */
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        resizeterm(ws.ws_row, ws.ws_col);
}

int xtp_tui_run(const struct xtp_options *o, struct xtp_source *src,
                struct xtp_recorder *rec)
{
    struct tui u;
    struct itimerspec its;
    struct epoll_event ev;
    sigset_t mask, old;
    int ep = -1, tfd = -1, sfd = -1, rc = 0, screen = 0, in_fd;
    SCREEN *term = NULL;
    FILE *in;
    long frames = 0;

    memset(&u, 0, sizeof(u));
    u.o = o;
    u.src = src;
    u.rec = rec;
    u.tv.delay_s = o->delay_s;
    u.tv.status = u.status;
    for (unsigned int v = 0; v < XTP_NR_VIEWS; v++)
        u.sort[v] = xtp_views[v].default_sort;
    u.tv.view = o->view == XTP_NR_VIEWS ? XTP_VIEW_PI : o->view;
    u.tv.sort_col = o->sort_col >= 0 ? o->sort_col
                                     : xtp_views[u.tv.view].default_sort;
    u.tv.reverse = o->reverse;
    if (xtp_state_init(&u.st, xtp_source_label(src),
                       xtp_source_is_recorded(src)) < 0) {
        fprintf(stderr, "xentop-pi: out of memory\n");
        xtp_state_free(&u.st);
        return 1;
    }
    /* With the trace on standard input, keys come from the terminal. */
    if (o->src.kind == XTP_SRC_TRACE && strcmp(o->src.arg, "-") == 0)
        in = fopen("/dev/tty", "r");
    else
        in = stdin;
    if (!in || !isatty(fileno(in)) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "xentop-pi: the interactive view needs a terminal;"
                " use -b for batch mode\n");
        if (in && in != stdin)
            fclose(in);
        xtp_state_free(&u.st);
        return 2;
    }
    in_fd = fileno(in);

    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGWINCH);
    sigprocmask(SIG_BLOCK, &mask, &old);
    sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (sfd < 0 || tfd < 0 || ep < 0) {
        fprintf(stderr, "xentop-pi: %s\n", strerror(errno));
        rc = 1;
        goto out;
    }
    its.it_interval.tv_sec = (time_t)o->delay_s;
    its.it_interval.tv_nsec = (long)((o->delay_s - (double)(time_t)o->delay_s)
                                     * 1e9);
    if (!its.it_interval.tv_sec && !its.it_interval.tv_nsec)
        its.it_interval.tv_nsec = 1000000;
    its.it_value = its.it_interval;
    timerfd_settime(tfd, 0, &its, NULL);
    ev.events = EPOLLIN;
    ev.data.fd = tfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    ev.data.fd = sfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    ev.data.fd = in_fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, in_fd, &ev);

    term = newterm(NULL, stdout, in);
    if (!term) {
        fprintf(stderr, "xentop-pi: cannot drive terminal '%s'\n",
                getenv("TERM") ? getenv("TERM") : "(TERM unset)");
        rc = 1;
        goto out;
    }
    set_term(term);
    screen = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    xtp_tui_colors();

    /* First sample now: a trace source may need a moment for it. */
    sample(&u, u.st.recorded ? 0 : 1, 0);
    if (!u.st.have_cur && !u.failed && u.st.recorded) {
        for (int i = 0; i < 50 && !u.st.have_cur && !u.failed && !u.ended;
             i++) {
            usleep(20000);
            sample(&u, 0, 0);
        }
    }
    if (u.st.have_cur)
        frames++;
    rebuild(&u);
    while (!u.quit && !u.failed) {
        struct epoll_event evs[4];
        int n;

        clamp_scroll(&u);
        xtp_tui_draw(&u.st, &u.tv);
        if (o->iterations > 0 && frames >= o->iterations)
            break;
        n = epoll_wait(ep, evs, 4, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            xte_set_error(&u.err, "", 0, "epoll_wait: %s", strerror(errno));
            u.failed = 1;
            break;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.fd == tfd) {
                uint64_t ticks;

                if (read(tfd, &ticks, sizeof(ticks)) < 0)
                    continue;
                if (!u.tv.paused) {
                    int had = u.st.have_cur;
                    uint64_t t = u.st.cur->t_ns;

                    sample(&u, 0, (uint64_t)(o->delay_s * 1e9) * ticks);
                    if (u.st.have_cur && (!had || u.st.cur->t_ns != t))
                        frames++;
                }
            } else if (evs[i].data.fd == sfd) {
                struct signalfd_siginfo si;

                while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                    if (si.ssi_signo == SIGWINCH) {
                        resize();
                        clamp_scroll(&u);
                    } else {
                        u.quit = 1;
                    }
                }
            } else {
                int ch;

                while ((ch = getch()) != ERR) {
                    if (ch == KEY_RESIZE) {
                        clamp_scroll(&u);
                        continue;
                    }
                    key(&u, ch);
                    if (u.quit)
                        break;
                }
            }
        }
    }
out:
    if (screen) {
        endwin();
        delscreen(term);
    }
    if (in != stdin)
        fclose(in);
    if (u.failed) {
        xtp_report_error(&u.err, o->src.kind == XTP_SRC_TRACE);
        rc = 1;
    }
    if (ep >= 0)
        close(ep);
    if (tfd >= 0)
        close(tfd);
    if (sfd >= 0)
        close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    xtp_state_free(&u.st);
    return rc;
}
