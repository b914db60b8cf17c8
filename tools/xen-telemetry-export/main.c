/*
 * xen-telemetry-export - write the telemetry counters in Prometheus's text
 * format for node_exporter's textfile collector.
 *
 *   xen-telemetry-export --textfile DIR [-d SEC] [--once] [--file NAME]
 *                        [--histograms record|host]
 *                        (--xen | --sim NAME | --trace FILE|-)
 *
 * Every interval the nodes are read from the source and DIR/NAME
 * (xen_telemetry.prom) is replaced atomically, so node_exporter, which
 * reads the directory at each scrape, never serves half a file.  Counters
 * stay cumulative: Prometheus computes the rates.  Metric names and the
 * rule behind them: promtext.h.  Deployment: docs/PROMETHEUS.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "promtext.h"
#include "source.h"

#define DEFAULT_FILE "xen_telemetry.prom"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
"usage: xen-telemetry-export --textfile DIR [-d SEC] [--once] [--file NAME]\n"
"                            [--histograms record|host]\n"
"                            (--xen | --sim NAME | --trace FILE|-)\n"
"\n"
"Writes the hypervisor's telemetry counters to DIR/NAME (default\n"
"" DEFAULT_FILE ") in Prometheus's text format, for node_exporter's\n"
"--collector.textfile.directory=DIR.  The file is replaced atomically.\n"
"\n"
"  --textfile DIR   directory node_exporter reads (required)\n"
"  -d, --delay SEC  seconds between exports (default 10; fractions allowed)\n"
"  --once           export once and exit (for a systemd timer)\n"
"  --file NAME      file name in DIR (must end in .prom)\n"
"  --histograms record|host\n"
"                   one histogram series per pCPU/domain record (default),\n"
"                   or one per host, summed over the records\n"
"  --xen            this Xen host, through hypfs /telemetry/*; a node the\n"
"                   hypervisor lacks is a fix not built into it: its\n"
"                   metrics are left out, xen_telemetry_node_present is 0\n"
"  --sim NAME       the simulator's shared memory (hvsim --shm NAME)\n"
"  --trace FILE     counters rebuilt from a trace file, '-' for stdin\n"
"                   (a pipe from xentrace is followed live; a file is\n"
"                   read to its end and its final counters exported)\n");
}

static int parse_delay(const char *s, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < 0.05 || v > 86400) {
        fprintf(stderr, "xen-telemetry-export: -d '%s': expected seconds "
                "between 0.05 and 86400\n", s);
        return -1;
    }
    *out = v;
    return 0;
}

static void sleep_until(struct timespec *next, double delay)
{
    long long ns = (long long)(delay * 1e9);

    next->tv_sec += ns / 1000000000LL;
    next->tv_nsec += ns % 1000000000LL;
    if (next->tv_nsec >= 1000000000L) {
        next->tv_sec++;
        next->tv_nsec -= 1000000000L;
    }
    while (!stop_requested &&
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
        ;
}

struct node_state {
    uint8_t *buf;
    size_t cap, len;
    struct xte_node_view view;
    char last_error[600];       /* said once, not every interval */
};

static const char *source_domain_name(void *arg, uint64_t domid)
{
    struct xtx_source *src = arg;

    return src->domain_name ? src->domain_name(src, domid) : NULL;
}

/* One export; returns the number of nodes read, or -1 if writing failed. */
static int export_once(struct xtx_source *src, struct node_state *ns,
                       struct xtx_opts *opts, const char *dir,
                       const char *file)
{
    const struct xte_node_view *views[XTE_NR_NODES];
    int present[XTE_NR_NODES];
    struct xte_error err;
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem;
    int nr_ok = 0, rc;

    if (src->refresh)
        src->refresh(src);
    /* A round cut short by a signal is not a whole sample: keep the last. */
    if (stop_requested)
        return 0;
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        char msg[600];

        views[n] = NULL;
        present[n] = -1;
        memset(&err, 0, sizeof(err));
        rc = src->read_node(src, n, &ns[n].buf, &ns[n].cap, &ns[n].len, &err);
        if (rc >= 0)
            present[n] = rc;
        if (rc == 1 && xte_node_parse(ns[n].buf, ns[n].len, src->what,
                                      &ns[n].view, &err) == 0) {
            views[n] = &ns[n].view;
            nr_ok++;
            ns[n].last_error[0] = '\0';
            continue;
        }
        /* A trace that failed has said why: not once more per node. */
        if (rc == 0 && src->finished && src->finished(src) < 0)
            continue;
        if (rc == 0)
            snprintf(msg, sizeof(msg), "%s: node %s: %s", src->what,
                     xte_nodes[n].subsystem,
                     src->absent ? src->absent : "not provided");
        else
            snprintf(msg, sizeof(msg), "%s: offset %llu: node %s: %s",
                     err.file, (unsigned long long)err.offset,
                     xte_nodes[n].subsystem, err.msg);
        if (strcmp(msg, ns[n].last_error) != 0) {
            fprintf(stderr, "xen-telemetry-export: %s\n", msg);
            snprintf(ns[n].last_error, sizeof(ns[n].last_error), "%s", msg);
        }
    }

    mem = open_memstream(&text, &text_len);
    if (!mem) {
        perror("xen-telemetry-export: open_memstream");
        return -1;
    }
    opts->arg = src;
    opts->present = present;
    rc = xtx_write(mem, views, opts);
    if (fclose(mem) != 0 || rc < 0) {
        fprintf(stderr, "xen-telemetry-export: formatting failed\n");
        free(text);
        return -1;
    }
    memset(&err, 0, sizeof(err));
    rc = xtx_write_file_atomic(dir, file, text, text_len, &err);
    free(text);
    if (rc < 0) {
        fputs("xen-telemetry-export: ", stderr);
        xte_print_error(stderr, &err);
        return -1;
    }
    return nr_ok;
}

int main(int argc, char **argv)
{
    enum { OPT_TEXTFILE = 256, OPT_ONCE, OPT_FILE, OPT_XEN, OPT_SIM,
           OPT_TRACE, OPT_HIST };
    static const struct option longopts[] = {
        { "textfile", required_argument, NULL, OPT_TEXTFILE },
        { "delay", required_argument, NULL, 'd' },
        { "once", no_argument, NULL, OPT_ONCE },
        { "file", required_argument, NULL, OPT_FILE },
        { "xen", no_argument, NULL, OPT_XEN },
        { "sim", required_argument, NULL, OPT_SIM },
        { "trace", required_argument, NULL, OPT_TRACE },
        { "histograms", required_argument, NULL, OPT_HIST },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL, *file = DEFAULT_FILE, *src_arg = NULL;
    int src_kind = 0, nr_sources = 0, once = 0, opt, status = 0, fin;
    double delay = 10;
    struct node_state ns[XTE_NR_NODES];
    struct xtx_opts opts = { source_domain_name, NULL, 0, NULL };
    struct xtx_source *src;
    struct xte_error err;
    struct sigaction sa;
    struct timespec next;
    struct stat st;

    while ((opt = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_TEXTFILE: dir = optarg; break;
        case 'd':
            if (parse_delay(optarg, &delay) < 0)
                return 2;
            break;
        case OPT_ONCE: once = 1; break;
        case OPT_FILE: file = optarg; break;
        case OPT_HIST:
            if (strcmp(optarg, "record") == 0) {
                opts.hist_per_host = 0;
            } else if (strcmp(optarg, "host") == 0) {
                opts.hist_per_host = 1;
            } else {
                fprintf(stderr, "xen-telemetry-export: --histograms '%s': "
                        "expected record or host\n", optarg);
                return 2;
            }
            break;
        case OPT_XEN: case OPT_SIM: case OPT_TRACE:
            src_kind = opt;
            src_arg = optarg;
            nr_sources++;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "xen-telemetry-export: unexpected argument '%s'\n",
                argv[optind]);
        return 2;
    }
    if (!dir || nr_sources != 1) {
        fprintf(stderr, "xen-telemetry-export: %s\n", !dir ?
                "--textfile DIR is required" :
                "give exactly one of --xen, --sim NAME, --trace FILE");
        usage(stderr);
        return 2;
    }
    if (strchr(file, '/') || strlen(file) < 6 ||
        strcmp(file + strlen(file) - 5, ".prom") != 0) {
        fprintf(stderr, "xen-telemetry-export: --file '%s': a file name "
                "ending in .prom (the textfile collector reads no other)\n",
                file);
        return 2;
    }
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "xen-telemetry-export: --textfile %s: not a "
                "directory\n", dir);
        return 2;
    }

    memset(&err, 0, sizeof(err));
    switch (src_kind) {
    case OPT_SIM:
        src = xtx_source_sim(src_arg, &err);
        break;
    case OPT_XEN: {
        int no_xen = 0;

        src = xtx_source_xen(&no_xen, &err);
        if (!src && no_xen) {
            fprintf(stderr, "xen-telemetry-export: %s; use --sim NAME (the "
                    "simulator) or --trace FILE\n", err.msg);
            return 2;
        }
        break;
    }
    default:
        /*
         * A regular file is history: read it to the end and export its
         * final counters.  A pipe (xentrace | ...) is followed live.
         */
        src = xtx_source_trace(src_arg, delay, once ||
                               (strcmp(src_arg, "-") != 0 &&
                                stat(src_arg, &st) == 0 && S_ISREG(st.st_mode)),
                               &stop_requested, &err);
        break;
    }
    if (!src) {
        fputs("xen-telemetry-export: ", stderr);
        xte_print_error(stderr, &err);
        return 1;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    memset(ns, 0, sizeof(ns));
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        int nr = export_once(src, ns, &opts, dir, file);

        if (once) {
            status = nr > 0 ? 0 : 1;
            if (src->finished && src->finished(src) < 0)
                status = 1;
            break;
        }
        if (nr < 0)
            status = 1;     /* remembered; keep trying each interval */
        if (src->finished && (fin = src->finished(src)) != 0) {
            if (fin < 0)
                status = 1;
            break;
        }
        sleep_until(&next, delay);
        if (stop_requested)
            break;
    }
    src->close(src);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++)
        free(ns[n].buf);
    return status;
}
