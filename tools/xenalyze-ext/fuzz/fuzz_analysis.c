/*
 * fuzz_analysis - libFuzzer target for everything after the reader: the
 * state machines, the reports in all three formats, the interval series
 * and the recommendations.  (The reader has its own target,
 * tools/xentrace/fuzz/fuzz_reader.c.)
 *
 * The input is a sequence of 24-byte records: a selector byte (catalogue
 * event by index, or a raw event id, so both paths are reached often), the
 * pCPU, a TSC step, the number of extra words and the words themselves,
 * which repeat to fill the record.  xa_fuzz_one() is also called by
 * test_analysis on pseudo-random input, so `make check` runs it too.
 *
 * The same records also go through xa_feed_batch(), in batches cut where
 * the input says, and every report must come out byte for byte as from
 * xa_feed() one record at a time (xa_batch_check(), which test_analysis
 * calls on a trace of its own as well).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "output.h"
#include "recommend.h"
#include "report.h"

int xa_fuzz_one(const uint8_t *data, size_t size);
int xa_batch_check(const struct xte_record *recs, size_t n, uint64_t hz,
                   const unsigned int *sizes, size_t nr_sizes);

/*
 * Every report of recs[0..n) (recommendations first: they read the
 * domains in the order they were first seen, the summary sorts them), fed
 * one by one (sizes NULL) or in batches of sizes[0], sizes[1]... records,
 * round and round (a size of 0: all the rest).  A malloc'd string.
 */
static char *reports(const struct xte_record *recs, size_t n, uint64_t hz,
                     const unsigned int *sizes, size_t nr_sizes)
{
    static const enum xa_format fmts[3] = {
        XA_FMT_TEXT, XA_FMT_CSV, XA_FMT_JSON,
    };
    struct xa_analysis a;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        abort();
    xa_init(&a, hz, 0, NULL, NULL);
    if (!sizes) {
        for (size_t i = 0; i < n; i++)
            xa_feed(&a, &recs[i]);
    } else {
        for (size_t i = 0, c = 0; i < n; c++) {
            size_t m = sizes[c % nr_sizes];

            if (!m || m > n - i)
                m = n - i;
            xa_feed_batch(&a, &recs[i], m);
            i += m;
        }
    }
    xa_finish(&a);
    for (unsigned int k = 0; k < 3; k++) {
        struct xa_input_info in = { "fuzz", NULL, NULL };
        struct xa_rec rs[16];
        struct xa_out *out = out_open(f, fmts[k]);
        unsigned int nr = recommend(&a, rs, 16);

        recommend_print(out, fmts[k], rs, nr);
        report_summary(out, &a, &in);
        out_close(out);
    }
    xa_free(&a);
    fclose(f);
    return buf;
}

/* 0 when batches and single records give the same reports. */
int xa_batch_check(const struct xte_record *recs, size_t n, uint64_t hz,
                   const unsigned int *sizes, size_t nr_sizes)
{
    static const unsigned int whole[1] = { 0 };
    char *one = reports(recs, n, hz, NULL, 0);
    char *batched = reports(recs, n, hz, nr_sizes ? sizes : whole,
                            nr_sizes ? nr_sizes : 1);
    int rc = strcmp(one, batched) != 0;

    if (rc) {
        fprintf(stderr, "xa_batch_check: the reports differ; one by one:\n"
                "%s\nin batches:\n%s\n", one, batched);
    }
    free(one);
    free(batched);
    return rc;
}

int xa_fuzz_one(const uint8_t *data, size_t size)
{
    static const uint32_t raw_ids[] = {
        XTE_TRC_LOST_RECORDS, XA_TRC_SCHED_DOM_ADD, XA_TRC_SCHED_DOM_REM,
        XA_RUNSTATE_EVENT(1, 0), XA_RUNSTATE_EVENT(0, 2),
        XA_TRC_HVM_VMENTRY, XA_TRC_HVM_VMEXIT, XA_TRC_HVM_VMEXIT64,
    };
    struct xa_analysis a;
    struct xte_record rec;
    uint64_t tsc = 0;
    FILE *null = fopen("/dev/null", "w");
    enum xa_format fmts[3] = { XA_FMT_TEXT, XA_FMT_CSV, XA_FMT_JSON };
    struct xa_out *out;
    static struct xte_record all[1 << 14];
    size_t nr_all = 0;
    unsigned int sizes[16];

    if (!null)
        return 0;
    out = out_open(null, XA_FMT_CSV);
    xa_init(&a, size && data[0] & 1 ? 1000000 : 0, 1000,
            report_interval_row, out);
    report_interval_begin(out, &a);
    for (size_t off = 1; off + 24 <= size; off += 24) {
        const uint8_t *p = data + off;
        uint32_t words[5];

        memset(&rec, 0, sizeof(rec));
        if (p[0] < 0xc0)
            rec.event = xte_events[p[0] % XTE_NR_EVENTS].id;
        else if (p[0] < 0xe0)
            rec.event = raw_ids[p[0] % (sizeof(raw_ids) / sizeof(raw_ids[0]))];
        else
            memcpy(&rec.event, p + 4, 4);
        rec.event &= 0x0fffffffu;
        rec.cpu = p[1] | (p[2] & 0x3) << 8;
        tsc += p[3] & 0x80 ? (uint64_t)p[3] << 24 : p[3];   /* jumps too */
        rec.tsc = p[3] == 0xff ? tsc / 2 : tsc;              /* and back */
        rec.nr_extra = p[8] % (XTE_MAX_EXTRA + 1);
        memcpy(words, p + 4, sizeof(words));
        for (unsigned int i = 0; i < rec.nr_extra; i++)
            rec.extra[i] = words[i % 5];
        rec.seq = off / 24;
        xa_feed(&a, &rec);
        if (nr_all < sizeof(all) / sizeof(all[0]))
            all[nr_all++] = rec;
    }
    xa_finish(&a);
    report_interval_end(out);
    out_close(out);
    for (unsigned int f = 0; f < 3; f++) {
        struct xa_input_info in = { "fuzz", NULL, NULL };
        struct xa_rec recs[16];
        unsigned int n;

        out = out_open(null, fmts[f]);
        report_summary(out, &a, &in);
        n = recommend(&a, recs, 16);
        recommend_print(out, fmts[f], recs, n);
        out_close(out);
    }
    xa_free(&a);
    fclose(null);
    /* batch sizes from the input's last bytes */
    for (size_t i = 0; i < 16; i++)
        sizes[i] = i < size ? 1 + data[size - 1 - i] * 37u : 0;
    if (nr_all && xa_batch_check(all, nr_all, size && data[0] & 1 ? 1000000
                                 : 0, sizes, 16))
        abort();
    return 0;
}

#ifdef XA_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return xa_fuzz_one(data, size);
}
#endif
