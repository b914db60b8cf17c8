/*
 * main.c - xentop-pi: live view of PI blocking lists, dpci, maptrack, EPT
 * flushes and MSI-X emulation.  Options, then the batch or ncurses loop.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"

#define PRIVCMD "/dev/xen/privcmd"

static void usage(FILE *f)
{
    fprintf(f,
"usage: xentop-pi [--xen | --sim NAME | --trace FILE|- | --replay DB]\n"
"                 [-b] [-i ITERATIONS] [-d DELAY] [--csv] [--record DB]\n"
"                 [-V VIEW|all] [-s COLUMN] [-r] [--follow] [--cpu-hz HZ]\n"
"\n"
"Sources (default --xen when %s exists):\n"
"  --xen            this Xen host: hypfs /telemetry/*, libxenctrl, libxenstat\n"
"  --sim NAME       the shared memory `hvsim --shm NAME` publishes\n"
"  --trace FILE|-   derive the counters from a trace file or pipe\n"
"  --replay DB      step through samples recorded with --record\n"
"Output:\n"
"  -b, --batch      plain-text frames on standard output\n"
"  -i, --iterations N   stop after N frames\n"
"  -d, --delay SEC  seconds between samples (default 1; --trace: trace time,\n"
"                   a sample per interval, one without records too)\n"
"  --csv            batch frames as CSV\n"
"  -V, --view NAME  pi, dpci, maptrack, ept, msix, or all (batch default)\n"
"  -s, --sort COL   sort column (heading, e.g. LEN), -r to reverse\n"
"  --record DB      store every sample shown in sqlite (schemas/schema.sql)\n"
"  --follow         --trace FILE: wait for more at end of file\n"
"  --cpu-hz HZ      --trace: TSC frequency when the trace lacks RUN_INFO\n"
"Keys: 1-5 or p d m e x views, < > s sort column, r reverse, space pause,\n"
"      arrows/PgUp/PgDn/Home/End scroll, h or ? help, q quit\n"
"Exit status: 0 ok (also on a Xen without the telemetry nodes: it names\n"
"them and shows what the hypervisor offers; a node missing from a\n"
"/telemetry is a fix not built into that hypervisor, named in the note);\n"
"1 a source or recording\n"
"failed (the message names the file and offset or field); 2 usage\n"
"error, or --xen where there is no Xen.\n", PRIVCMD);
}

static int parse_double(const char *s, double *out)
{
    char *end;

    *out = strtod(s, &end);
    return *s && !*end && *out > 0 && *out < 86400;
}

/*
 * An empty file or shared-memory name is refused here: sqlite would take
 * "" as a temporary database and record nothing.
 */
static int empty_name(const char *opt, const char *arg)
{
    if (*arg)
        return 0;
    fprintf(stderr, "xentop-pi: --%s '': expected a name\n", opt);
    return 1;
}

static int find_col(int view, const char *name)
{
    const struct xtp_view_desc *d = &xtp_views[view];

    for (unsigned int c = 0; c < d->ncols; c++)
        if (strcasecmp(d->cols[c].title, name) == 0 ||
            strcasecmp(d->cols[c].csv, name) == 0)
            return (int)c;
    return -1;
}

int main(int argc, char **argv)
{
    enum { O_XEN = 256, O_SIM, O_TRACE, O_REPLAY, O_CSV, O_RECORD,
           O_FOLLOW, O_CPUHZ };
    static const struct option longopts[] = {
        { "xen", no_argument, NULL, O_XEN },
        { "sim", required_argument, NULL, O_SIM },
        { "trace", required_argument, NULL, O_TRACE },
        { "replay", required_argument, NULL, O_REPLAY },
        { "batch", no_argument, NULL, 'b' },
        { "iterations", required_argument, NULL, 'i' },
        { "delay", required_argument, NULL, 'd' },
        { "csv", no_argument, NULL, O_CSV },
        { "record", required_argument, NULL, O_RECORD },
        { "view", required_argument, NULL, 'V' },
        { "sort", required_argument, NULL, 's' },
        { "reverse", no_argument, NULL, 'r' },
        { "follow", no_argument, NULL, O_FOLLOW },
        { "cpu-hz", required_argument, NULL, O_CPUHZ },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xtp_options o;
    const char *sort = NULL, *view = NULL;
    struct xtp_source *src;
    struct xtp_recorder *rec = NULL;
    struct xte_error err;
    int nsrc = 0, c, why = 1, rc;
    char *end;

    memset(&o, 0, sizeof(o));
    o.iterations = -1;
    o.delay_s = 1.0;
    o.sort_col = -1;
    o.src.kind = XTP_SRC_XEN;
    while ((c = getopt_long(argc, argv, "bi:d:V:s:rh", longopts, NULL)) != -1) {
        switch (c) {
        case O_XEN:
            o.src.kind = XTP_SRC_XEN;
            nsrc++;
            break;
        case O_SIM:
        case O_TRACE:
        case O_REPLAY:
            if (empty_name(c == O_SIM ? "sim" : c == O_TRACE ? "trace" :
                           "replay", optarg))
                return 2;
            o.src.kind = c == O_SIM ? XTP_SRC_SIM : c == O_TRACE ?
                         XTP_SRC_TRACE : XTP_SRC_REPLAY;
            o.src.arg = optarg;
            nsrc++;
            break;
        case 'b':
            o.batch = 1;
            break;
        case 'i':
            o.iterations = strtol(optarg, &end, 10);
            if (!*optarg || *end || o.iterations <= 0) {
                fprintf(stderr, "xentop-pi: -i %s: expected a positive "
                        "number of iterations\n", optarg);
                return 2;
            }
            break;
        case 'd':
            if (!parse_double(optarg, &o.delay_s)) {
                fprintf(stderr, "xentop-pi: -d %s: expected seconds "
                        "above 0 and below 86400\n", optarg);
                return 2;
            }
            break;
        case O_CSV:
            o.csv = 1;
            break;
        case O_RECORD:
            if (empty_name("record", optarg))
                return 2;
            o.record = optarg;
            break;
        case 'V':
            view = optarg;
            break;
        case 's':
            sort = optarg;
            break;
        case 'r':
            o.reverse = 1;
            break;
        case O_FOLLOW:
            o.src.follow = 1;
            break;
        case O_CPUHZ:
            if (xte_parse_hz(optarg, &o.src.cpu_hz)) {
                fprintf(stderr, "xentop-pi: --cpu-hz %s: expected a "
                        "frequency from 1 kHz to 1 THz (e.g. 2400000000, "
                        "2.4e9, 2.4G)\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "xentop-pi: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (nsrc > 1) {
        fprintf(stderr, "xentop-pi: give one source: --xen, --sim, --trace "
                "or --replay\n");
        return 2;
    }
    if (o.csv && !o.batch) {
        fprintf(stderr, "xentop-pi: --csv is a batch-mode format (add -b)\n");
        return 2;
    }
    o.view = o.batch ? XTP_NR_VIEWS : XTP_VIEW_PI;
    if (view && strcmp(view, "all") != 0) {
        o.view = xtp_view_by_name(view);
        if (o.view == XTP_NR_VIEWS) {
            fprintf(stderr, "xentop-pi: --view %s: expected pi, dpci, "
                    "maptrack, ept, msix or all\n", view);
            return 2;
        }
    }
    if (sort) {
        if (o.view == XTP_NR_VIEWS) {
            fprintf(stderr, "xentop-pi: --sort needs a single --view\n");
            return 2;
        }
        o.sort_col = find_col(o.view, sort);
        if (o.sort_col < 0) {
            fprintf(stderr, "xentop-pi: --sort %s: no such column in the %s "
                    "view\n", sort, xtp_views[o.view].name);
            return 2;
        }
    }
    o.src.interval_s = o.delay_s;

    src = xtp_source_open(&o.src, &why, &err);
    if (!src) {
        if (why == XTP_ENOXEN) {
            fprintf(stderr, "xentop-pi: no Xen hypervisor here (%s absent); "
                    "use --sim NAME, --trace FILE|- or --replay DB\n",
                    PRIVCMD);
            return 2;
        }
        xtp_report_error(&err, o.src.kind == XTP_SRC_TRACE);
        return 1;
    }
    if (o.record) {
        rec = xtp_recorder_open(o.record, xtp_source_label(src), &err);
        if (!rec) {
            xtp_report_error(&err, 0);
            xtp_source_close(src);
            return 1;
        }
    }
    rc = o.batch ? xtp_batch_run(&o, src, rec) : xtp_tui_run(&o, src, rec);
    if (rec && xtp_recorder_close(rec, &err) < 0) {
        xtp_report_error(&err, 0);
        rc = 1;
    }
    xtp_source_close(src);
    return rc;
}
