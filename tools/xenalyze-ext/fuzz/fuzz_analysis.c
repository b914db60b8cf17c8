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
 */
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "output.h"
#include "recommend.h"
#include "report.h"

int xa_fuzz_one(const uint8_t *data, size_t size);

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
    return 0;
}

#ifdef XA_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return xa_fuzz_one(data, size);
}
#endif
