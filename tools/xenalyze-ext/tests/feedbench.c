/*
 * feedbench.c - xa-feedbench: the analysis alone, without the reader.
 *
 *   xa-feedbench [--single] [--grouped] TRACE [RUNS]
 *
 * First times the reader alone (xte_reader_next_batch() into a small
 * buffer, nothing kept: what xenalyze-ext's reader thread costs), then
 * reads every record of TRACE into memory, then, RUNS times (3),
 * feeds them to a fresh analysis in batches of 4096 (xa_feed_batch(), as
 * xenalyze-ext does; --single: one xa_feed() call per record) and writes
 * the summary report to /dev/null, and prints per run the CPU time of
 * feeding per record, of xa_finish() + report_summary(), and the page
 * faults taken while feeding.
 * The first run is the one xenalyze-ext pays for (fresh memory); later
 * ones may reuse pages the allocator kept.  A "null pass" first gives the
 * cost of only touching the records in memory.
 *
 * --grouped feeds the same records sorted by event id (stable): what the
 * analysis costs when the dispatch on the event is always predicted and
 * xa_feed_batch() finds each chunk of one type already.  The grouped
 * figures are a diagnosis, not a result: the report of sorted records
 * differs.
 *
 * A measuring tool, not a test: speed targets are in bench/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "analysis.h"
#include "output.h"
#include "report.h"

static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long minor_faults(void)
{
    struct rusage u;

    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

static int by_event(const void *x, const void *y)
{
    const struct xte_record *a = x, *b = y;

    if (a->event != b->event)
        return a->event < b->event ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int main(int argc, char **argv)
{
    struct xte_error err;
    struct xte_reader *rd;
    struct xte_record *recs;
    size_t n = 0, cap = 1u << 16;
    int grouped = 0, single = 0, runs = 3, argi = 1, rc;

    for (; argi < argc && argv[argi][0] == '-' && argv[argi][1]; argi++) {
        if (strcmp(argv[argi], "--grouped") == 0)
            grouped = 1;
        else if (strcmp(argv[argi], "--single") == 0)
            single = 1;
        else
            break;
    }
    if (argi >= argc) {
        fprintf(stderr, "usage: xa-feedbench [--single] [--grouped] TRACE "
                "[RUNS]\n");
        return 2;
    }
    if (argi + 1 < argc)
        runs = atoi(argv[argi + 1]);
    memset(&err, 0, sizeof(err));
    {
        static struct xte_record batch[256];
        size_t got = 0;
        double t0 = cpu_now();

        rd = xte_reader_open(argv[argi], NULL, &err);
        if (!rd) {
            xte_print_error(stderr, &err);
            return 1;
        }
        while ((rc = xte_reader_next_batch(rd, batch, 256)) > 0)
            got += (size_t)rc;
        t0 = cpu_now() - t0;
        if (got)
            printf("reader alone: %.2f ns/record (%zu records, %.3f s)\n",
                   t0 * 1e9 / (double)got, got, t0);
        xte_reader_close(rd);
    }
    rd = xte_reader_open(argv[argi], NULL, &err);
    if (!rd) {
        xte_print_error(stderr, &err);
        return 1;
    }
    recs = malloc(cap * sizeof(*recs));
    while (recs && (rc = xte_reader_next(rd, &recs[n])) == 1) {
        if (++n == cap) {
            cap *= 2;
            recs = realloc(recs, cap * sizeof(*recs));
        }
    }
    if (!recs) {
        fprintf(stderr, "xa-feedbench: out of memory\n");
        return 1;
    }
    if (rc < 0)
        xte_print_error(stderr, xte_reader_error(rd));
    if (!n) {
        fprintf(stderr, "xa-feedbench: no records\n");
        return 1;
    }
    if (grouped)
        qsort(recs, n, sizeof(*recs), by_event);
    printf("%zu records%s, %s\n", n, grouped ? ", grouped by event id" : "",
           single ? "xa_feed() one by one" : "xa_feed_batch() by 4096");
    {
        volatile uint64_t sink;
        uint64_t acc = 0;
        double t0 = cpu_now();

        for (size_t i = 0; i < n; i++)
            acc += recs[i].event + recs[i].extra[0] + recs[i].tsc;
        sink = acc;
        (void)sink;
        printf("null pass: %.2f ns/record\n", (cpu_now() - t0) * 1e9 / n);
    }
    for (int r = 0; r < runs; r++) {
        struct xa_analysis a;
        FILE *null = fopen("/dev/null", "w");
        struct xa_out *out;
        struct xa_input_info in = { argv[argi], xte_reader_stats(rd), NULL };
        double t0, t1, t2;
        long f0, f1;

        if (!null)
            return 1;
        out = out_open(null, XA_FMT_TEXT);
        xa_init(&a, 0, 0, NULL, NULL);
        f0 = minor_faults();
        t0 = cpu_now();
        if (single)
            for (size_t i = 0; i < n; i++)
                xa_feed(&a, &recs[i]);
        else
            for (size_t i = 0; i < n; i += 4096)
                xa_feed_batch(&a, &recs[i], n - i < 4096 ? n - i : 4096);
        t1 = cpu_now();
        f1 = minor_faults();
        xa_finish(&a);
        report_summary(out, &a, &in);
        t2 = cpu_now();
        out_close(out);
        fclose(null);
        xa_free(&a);
        printf("run %d: xa_feed %.2f ns/record (%.3f s), report %.3f s, "
               "%ld page faults while feeding\n", r + 1,
               (t1 - t0) * 1e9 / n, t1 - t0, t2 - t1, f1 - f0);
    }
    free(recs);
    xte_reader_close(rd);
    return 0;
}
