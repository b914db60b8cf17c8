/*
 * main.c - xenalyze-ext: analyse a xentrace file for the VT-d scalability
 * events (PI blocking lists, dpci, maptrack, EPT flushes, MSI-X) and the
 * upstream context around them.
 *
 * One pass over the trace feeds, per record: the analysis state
 * (analysis.c), the --dump printer, the --interval series and the --sqlite
 * ingest.  The records are decoded on a second thread (read_ahead.c).  The summary, the recommendations and the closing sqlite
 * transaction follow the last record.
 *
 * Exit status: 0 success; 1 the trace (or the database) had an error: all
 * records before it are reported and ingested, or the report could not be
 * written; 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "output.h"
#include "read_ahead.h"
#include "recommend.h"
#include "report.h"
#include "sqlite_ingest.h"

#define PROG "xenalyze-ext"

struct opts {
    int summary, dump, recommend;
    enum xa_format fmt;
    double interval_s;
    const char *sqlite;
    uint64_t cpu_hz;
    const char *trace;
};

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " [options] TRACE\n"
"Analyse a xentrace file (TRACE, or - for standard input): PI blocking\n"
"lists, dpci, grant maptrack, EPT flushes and MSI-X table accesses, per\n"
"pCPU and per domain, with the upstream context (lost records, CPU\n"
"windows, domains, runstate changes).\n"
"\n"
"  --summary        the per-subsystem report (the default when no other\n"
"                   output is asked for)\n"
"  --dump           every record in TSC order, decoded\n"
"  --csv, --json    machine-readable output instead of text\n"
"  --interval SEC   a time series, one row per SEC seconds\n"
"  --sqlite DB      store the trace in the sqlite database DB (created if\n"
"                   absent; ingesting the same trace twice adds nothing)\n"
"  --recommend      tuning advice with the exact boot parameters and\n"
"                   xenhypfs commands\n"
"  --cpu-hz HZ      TSC frequency (overrides the trace's RUN_INFO record;\n"
"                   e.g. 2400000000 or 2.4e9 or 2.4G)\n"
"  -h, --help       this text\n"
"\n"
"Exit status: 0 ok, 1 bad input (what came before it is still reported),\n"
"2 usage error.\n");
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '" PROG " --help'.\n");
    return 2;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        { "summary", no_argument, NULL, 's' },
        { "dump", no_argument, NULL, 'd' },
        { "csv", no_argument, NULL, 'c' },
        { "json", no_argument, NULL, 'j' },
        { "interval", required_argument, NULL, 'i' },
        { "sqlite", required_argument, NULL, 'q' },
        { "recommend", no_argument, NULL, 'r' },
        { "cpu-hz", required_argument, NULL, 'z' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, csv = 0, json = 0;
    char *end;

    memset(o, 0, sizeof(*o));
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': o->summary = 1; break;
        case 'd': o->dump = 1; break;
        case 'c': csv = 1; break;
        case 'j': json = 1; break;
        case 'r': o->recommend = 1; break;
        case 'q':
            if (!*optarg)
                return bad_usage("--sqlite: '%s' is not a file name", optarg);
            o->sqlite = optarg;
            break;
        case 'i':
            errno = 0;
            o->interval_s = strtod(optarg, &end);
            /* the series counts whole nanoseconds: 1e-10 would be 0 */
            if (end == optarg || *end || errno || !(o->interval_s >= 1e-9) ||
                o->interval_s > 1e6)
                return bad_usage("--interval: '%s' is not a number of "
                                 "seconds from 1e-9 (1 ns) to 1e6", optarg);
            break;
        case 'z':
            if (xte_parse_hz(optarg, &o->cpu_hz))
                return bad_usage("--cpu-hz: '%s' is not a frequency (1 kHz "
                                 "to 1 THz, e.g. 2400000000 or 2.4G)",
                                 optarg);
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case '?':
            if (optopt)
                return bad_usage("unknown option '-%s'",
                                 (char[]){ (char)optopt, 0 });
            return bad_usage("unknown option '%s'", argv[optind - 1]);
        case ':':
        default:
            return bad_usage("option '%s' needs an argument",
                             argv[optind - 1]);
        }
    }
    if (csv && json)
        return bad_usage("%s", "--csv and --json exclude each other");
    o->fmt = json ? XA_FMT_JSON : csv ? XA_FMT_CSV : XA_FMT_TEXT;
    if (o->dump && o->interval_s > 0)
        return bad_usage("%s", "--dump and --interval cannot be combined "
                         "(both print as they read)");
    if (optind == argc)
        return bad_usage("%s", "no TRACE given (a file, or - for standard "
                         "input)");
    if (optind + 1 < argc)
        return bad_usage("unexpected argument '%s' (one TRACE only)",
                         argv[optind + 1]);
    o->trace = argv[optind];
    if (!o->dump && o->interval_s <= 0 && !o->sqlite && !o->recommend)
        o->summary = 1;
    return 0;
}

/* --dump: a streaming table in CSV/JSON, plain lines in text. */
static void dump_record(struct xa_out *out, enum xa_format fmt,
                        const struct xa_analysis *a,
                        const struct xte_record *rec)
{
    struct xte_timebase tb = { a->cpu_hz, a->first_tsc, 1 };
    char line[1024];

    xte_format_record(rec, &tb, line, sizeof(line));
    if (fmt == XA_FMT_TEXT) {
        out_note(out, "%s", line);
    } else {
        char id[16];
        const struct xte_event_desc *ev = xte_event_by_id(rec->event);
        const char *name = ev ? ev->name
                              : xte_upstream_event_name(rec->event);

        snprintf(id, sizeof(id), "0x%08x", rec->event);
        struct xa_cell r[6] = {
            cell_u(rec->seq), cell_u(rec->tsc), cell_u(rec->cpu), cell_s(id),
            name ? cell_s(name) : cell_null(), cell_s(line),
        };
        out_row(out, r);
    }
}

int main(int argc, char **argv)
{
    static const char *const dump_cols[] = {
        "seq", "tsc", "cpu", "event", "name", "text",
    };
    struct opts o;
    struct xa_analysis a;
    struct xte_error xerr;
    struct xte_reader *rd;
    struct xte_record rec;
    struct xa_out *out;
    struct xa_db *db = NULL;
    struct xa_read_ahead *ra;
    struct xa_input_info in = { 0 };
    char err[1024], errtext[600] = "", identity[96];
    long long existing = 0;
    int rc, status = 0, skip_db = 0, batched;

    rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;

    if (o.sqlite) {
        db = db_open(o.sqlite, err, sizeof(err));
        if (!db) {
            fprintf(stderr, PROG ": %s\n", err);
            return 1;
        }
    }
    memset(&xerr, 0, sizeof(xerr));
    rd = xte_reader_open(o.trace, NULL, &xerr);
    if (!rd) {
        fprintf(stderr, PROG ": ");
        xte_print_error(stderr, &xerr);
        db_close(db);
        return 1;
    }
    if (db) {
        int have_id = db_file_identity(o.trace, identity,
                                       sizeof(identity)) == 0;

        rc = db_run_begin(db, have_id ? identity : NULL, o.trace, &existing,
                          err, sizeof(err));
        if (rc < 0) {
            fprintf(stderr, PROG ": %s\n", err);
            xte_reader_close(rd);
            db_close(db);
            return 1;
        }
        skip_db = rc == 1;
    }

    out = out_open(stdout, o.fmt);
    xa_init(&a, o.cpu_hz, (uint64_t)(o.interval_s * 1e9),
            o.interval_s > 0 ? report_interval_row : NULL, out);
    if (o.dump && o.fmt != XA_FMT_TEXT)
        out_table_begin(out, "dump", "Records in TSC order", NULL, 6,
                        dump_cols, 1);
    if (o.interval_s > 0) {
        a.interval_ns = (uint64_t)(o.interval_s * 1e9);
        report_interval_begin(out, &a);
    }

    ra = read_ahead_start(rd);
    /*
     * Without a per-record output the analysis takes the reader's batches
     * whole and groups them by event type (xa_feed_batch()); --dump and
     * --sqlite read the analysis after each record, so they feed records
     * one by one.
     */
    batched = ra && !o.dump && !db;
    for (;;) {
        const struct xte_record *r = &rec;
        unsigned int n;

        if (batched)
            rc = read_ahead_next_n(ra, &r, UINT_MAX, &n);
        else
            rc = ra ? read_ahead_next(ra, &r) : xte_reader_next(rd, &rec);
        if (rc != 1)
            break;
        if (batched) {
            xa_feed_batch(&a, r, n);
            continue;
        }
        xa_feed(&a, r);
        if (o.dump)
            dump_record(out, o.fmt, &a, r);
        if (db && !skip_db && db_add(db, &a, r)) {
            fprintf(stderr, PROG ": %s: cannot store record %llu: %s\n",
                    o.sqlite, (unsigned long long)r->seq, db_errmsg(db));
            status = 1;
            db_close(db);
            db = NULL;
        }
    }
    read_ahead_stop(ra);      /* the reader is ours again: errors, stats */
    if (rc < 0) {
        const struct xte_error *e = xte_reader_error(rd);

        snprintf(errtext, sizeof(errtext), "%s: offset %llu: %s", e->file,
                 (unsigned long long)e->offset, e->msg);
        status = 1;
    }
    xa_finish(&a);
    if (o.interval_s > 0) {
        report_interval_end(out);
        if (!a.cpu_hz)
            out_note(out, "--interval: no rows, the TSC frequency is "
                     "unknown (no RUN_INFO record): give --cpu-hz");
        if (a.intervals_skipped)
            out_note(out, "--interval: %llu empty rows left out (gaps of "
                     "more than %u intervals without records)",
                     (unsigned long long)a.intervals_skipped,
                     XA_INTERVAL_MAX_EMPTY);
    }
    if (o.dump && o.fmt != XA_FMT_TEXT)
        out_table_end(out);

    in.path = o.trace;
    in.stats = xte_reader_stats(rd);
    in.error = errtext[0] ? errtext : NULL;
    if (o.summary)
        report_summary(out, &a, &in);
    else if (o.dump || o.interval_s > 0 || o.recommend)
        report_timebase(out, &a);
    if (o.recommend) {
        struct xa_rec recs[16];
        unsigned int n = recommend(&a, recs, 16);

        recommend_print(out, o.fmt, recs, n);
    }
    if (db && skip_db) {
        out_note(out, "sqlite: %s is already in %s as run %lld; nothing "
                 "added", o.trace, o.sqlite, existing);
    } else if (db) {
        rc = db_run_end(db, &a, in.stats, in.error, &existing, err,
                        sizeof(err));
        if (rc < 0) {
            fprintf(stderr, PROG ": %s\n", err);
            status = 1;
        } else if (rc == 1) {
            out_note(out, "sqlite: this input is already in %s as run %lld;"
                     " nothing added", o.sqlite, existing);
        } else {
            out_note(out, "sqlite: run %lld written to %s (%llu rows)",
                     db_run_id(db), o.sqlite,
                     (unsigned long long)db_rows(db));
        }
    }
    if (out_close(out) < 0) {
        fprintf(stderr, PROG ": standard output: write failed (%s): the "
                "report is incomplete\n", strerror(errno));
        status = 1;
    }
    if (errtext[0])
        fprintf(stderr, PROG ": %s (the report covers the %llu records "
                "before it)\n", errtext, (unsigned long long)a.records);
    db_close(db);
    xte_reader_close(rd);
    xa_free(&a);
    return status;
}
