/*
 * test_analysis.c - the state machines and the recommendation rules, fed
 * with records built in memory (no file, no reader).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis.h"
#include "dist.h"
#include "recommend.h"

static uint64_t seq;

/* A catalogue record from field values in catalogue order. */
static struct xte_record mk(unsigned int cpu, uint64_t tsc,
                            enum xte_event_index idx, ...)
{
    const struct xte_event_desc *ev = &xte_events[idx];
    struct xte_record r;
    va_list ap;

    memset(&r, 0, sizeof(r));
    r.event = ev->id;
    r.cpu = cpu;
    r.tsc = tsc;
    r.has_tsc = 1;
    r.seq = seq++;
    va_start(ap, idx);
    for (unsigned int i = 0; i < ev->nr_fields; i++) {
        uint64_t v = va_arg(ap, uint64_t);

        r.extra[r.nr_extra++] = (uint32_t)v;
        if (ev->fields[i].bits == 64)
            r.extra[r.nr_extra++] = (uint32_t)(v >> 32);
    }
    va_end(ap);
    return r;
}

static struct xte_record raw(unsigned int cpu, uint64_t tsc, uint32_t event,
                             unsigned int n, const uint32_t *extra)
{
    struct xte_record r;

    memset(&r, 0, sizeof(r));
    r.event = event;
    r.cpu = cpu;
    r.tsc = tsc;
    r.nr_extra = n;
    if (n)
        memcpy(r.extra, extra, n * sizeof(uint32_t));
    r.seq = seq++;
    return r;
}

#define U(x) ((uint64_t)(x))
#define FEED(a, ...) do { struct xte_record r_ = mk(__VA_ARGS__); xa_feed(a, &r_); } while (0)

static void test_timebase(void **state)
{
    struct xa_analysis a;

    xa_init(&a, 0, 0, NULL, NULL);
    FEED(&a, 0, 500, XTE_EV_PI_WAKEUP, U(0), U(1), U(1), U(1));
    assert_int_equal(a.hz_source, XA_HZ_NONE);
    assert_string_equal(xa_time_unit(&a), "ticks");
    FEED(&a, 0, 1000, XTE_EV_RUN_INFO, U(2000000000), U(4), U(1), U(0));
    assert_int_equal(a.hz_source, XA_HZ_TRACE);
    assert_int_equal(a.cpu_hz, 2000000000);
    assert_int_equal(xa_tsc_to_rel(&a, 2500), 1000);   /* 2000 ticks */
    xa_free(&a);

    /* --cpu-hz wins over RUN_INFO, and both are remembered */
    xa_init(&a, 1000000000, 0, NULL, NULL);
    FEED(&a, 0, 1000, XTE_EV_RUN_INFO, U(2000000000), U(4), U(1), U(0));
    assert_int_equal(a.hz_source, XA_HZ_OPTION);
    assert_int_equal(a.cpu_hz, 1000000000);
    assert_int_equal(a.trace_hz, 2000000000);
    xa_free(&a);
}

static void test_pi_state(void **state)
{
    struct xa_analysis a;

    xa_init(&a, 1000000000, 0, NULL, NULL);
    FEED(&a, 0, 100, XTE_EV_PI_LIST_ADD, U(1), U(0), U(2), U(1), U(2), U(3));
    FEED(&a, 0, 200, XTE_EV_PI_LIST_ADD, U(1), U(1), U(2), U(2), U(0), U(3));
    FEED(&a, 0, 300, XTE_EV_PI_LIST_ADD, U(2), U(0), U(2), U(3), U(2), U(3));
    FEED(&a, 0, 400, XTE_EV_PI_LIST_DEL, U(1), U(0), U(2), U(2));
    FEED(&a, 0, 500, XTE_EV_PI_WAKEUP, U(2), U(2), U(1), U(40));
    assert_int_equal(a.nr_pcpus, 3);
    assert_int_equal(a.pcpus[2].pi_adds, 3);
    assert_int_equal(a.pcpus[2].pi_adds_redirected, 1);  /* from pCPU 0 */
    assert_int_equal(a.pcpus[2].pi_hwm, 3);
    assert_int_equal(a.pcpus[2].pi_hwm_tsc, 300);
    assert_int_equal(a.pcpus[2].pi_len, 2);
    assert_int_equal(a.pcpus[2].pi_limit, 3);
    assert_int_equal(a.pcpus[2].pi_wakeups, 1);
    assert_int_equal(a.pcpus[2].pi_walk.max, 2);
    assert_int_equal(xa_domain_find(&a, 1)->pi_adds, 2);
    assert_int_equal(xa_domain_find(&a, 1)->vcpus_seen, 2);
    /* the length-over-time series covers the trace, no slot beyond it */
    FEED(&a, 0, 100 + 1000000, XTE_EV_PI_LIST_ADD, U(1), U(3), U(2), U(9),
         U(2), U(3));
    assert_true(a.series_used >= 1 && a.series_used <= XA_SERIES_SLOTS);
    assert_true((a.series_used - 1) * a.series_slot_ticks <= 1000000);
    assert_true(a.series_used * a.series_slot_ticks > 1000000);
    assert_int_equal(a.pcpus[2].pi_series[a.series_used - 1], 9);
    assert_int_equal(a.pcpus[2].pi_series[0], 3);
    xa_free(&a);
}

static void test_ept_dpci_maptrack_msix(void **state)
{
    struct xa_analysis a;
    struct xa_domain *d;

    xa_init(&a, 1000000000, 0, NULL, NULL);
    for (int k = 1; k <= 100; k++)
        FEED(&a, 1, 1000 + k, XTE_EV_EPT_FLUSH, U(7), U(4), U(1), U(2),
             U(k) * 1000 + (U(1) << 33), U(k % 2));
    d = xa_domain_find(&a, 7);
    assert_non_null(d);
    assert_int_equal(d->ept_flushes, 100);
    assert_int_equal(d->ept_sync, 50);
    assert_int_equal(d->ept_deferred, 50);
    assert_int_equal(d->ept_coalesced, 200);
    assert_int_equal(d->ept_ipis, 400);
    /* the 64-bit latency field is read whole */
    assert_int_equal(dist_percentile(&d->ept_latency, 50),
                     50000 + (U(1) << 33));
    assert_int_equal(dist_percentile(&d->ept_latency, 99),
                     99000 + (U(1) << 33));

    FEED(&a, 1, 3000, XTE_EV_DPCI_RUN, U(7), U(1), U(1), U(123));
    FEED(&a, 1, 3001, XTE_EV_DPCI_BATCH, U(1), U(5));
    assert_int_equal(d->dpci_runs, 1);
    assert_int_equal(a.pcpus[1].dpci_batch.max, 5);

    FEED(&a, 1, 3002, XTE_EV_MAPTRACK_GROW, U(7), U(0), U(3), U(8), U(9));
    FEED(&a, 1, 3003, XTE_EV_MAPTRACK_EXHAUSTED, U(7), U(0), U(8), U(99));
    assert_int_equal(d->mt_frames_max, 8);
    assert_int_equal(d->mt_limit, 8);
    assert_int_equal(d->mt_exhausted, 1);
    assert_int_equal(d->mt_first_exhausted_tsc, 3003);
    assert_int_equal(d->mt_in_use_max, 99);

    FEED(&a, 1, 3004, XTE_EV_MSIX_FORWARD, U(7), U(0), U(4), U(0));
    FEED(&a, 1, 3005, XTE_EV_MSIX_FORWARD, U(7), U(0), U(4), U(1));
    FEED(&a, 1, 3006, XTE_EV_MSIX_EMULATED, U(7), U(0), U(4));
    assert_int_equal(d->msix_reads_forwarded, 1);
    assert_int_equal(d->msix_writes_forwarded, 1);
    assert_int_equal(d->msix_reads_emulated, 1);
    xa_free(&a);
}

static void test_upstream_context(void **state)
{
    struct xa_analysis a;
    const uint32_t lost[4] = { 12, 0, 400, 0 };
    const uint32_t run[2] = { 5u << 16 | 2, 1u | 0u << 4 };
    const uint32_t block[2] = { 5u << 16 | 2, 0u | 2u << 4 };
    const uint32_t exit64[3] = { 30, 0, 0 };
    const uint32_t dom[1] = { 5 };
    struct xte_record r;

    xa_init(&a, 0, 0, NULL, NULL);
    r = raw(1, 1000, XTE_TRC_LOST_RECORDS, 4, lost);
    xa_feed(&a, &r);
    assert_int_equal(a.lost_records, 12);
    assert_int_equal(a.lost_hidden_ticks, 600);
    assert_int_equal(a.pcpus[1].lost_records, 12);
    r = raw(1, 1001, XA_TRC_SCHED_DOM_ADD, 1, dom);
    xa_feed(&a, &r);
    r = raw(1, 1002, XA_RUNSTATE_EVENT(1, 0), 2, run);
    xa_feed(&a, &r);
    assert_int_equal(a.pcpus[1].running_domid, 5);
    assert_int_equal(a.pcpus[1].running_vcpu, 2);
    r = raw(1, 1003, XA_TRC_HVM_VMEXIT64, 3, exit64);
    xa_feed(&a, &r);
    assert_int_equal(xa_domain_find(&a, 5)->vmexits, 1);
    r = raw(1, 1004, XA_RUNSTATE_EVENT(0, 2), 2, block);
    xa_feed(&a, &r);
    assert_int_equal(a.pcpus[1].running_domid, XA_DOMID_OTHER);
    assert_true(xa_domain_find(&a, 5)->created);
    assert_int_equal(xa_domain_find(&a, 5)->vcpus_seen, 1);
    /* an unknown id: counted, nothing else */
    r = raw(0, 1005, 0x00f0f001u, 0, NULL);
    xa_feed(&a, &r);
    xa_feed(&a, &r);
    assert_int_equal(xa_event_id_count(&a, 0x00f0f001u), 2);
    assert_int_equal(a.unknown_records, 2);
    assert_int_equal(a.upstream_records, 5);
    xa_free(&a);
}

static void test_short_and_hostile_records(void **state)
{
    struct xa_analysis a;
    struct xte_record r;
    const uint32_t big[7] = { 0xffffffffu, 0xffffffffu, 0xffffffffu,
                              0xffffffffu, 0xffffffffu, 0xffffffffu, 0 };

    xa_init(&a, 0, 0, NULL, NULL);
    /* a PI_LIST_ADD with no words: read as zeros */
    r = raw(0, 10, XTE_TRC_PI_LIST_ADD, 0, NULL);
    xa_feed(&a, &r);
    assert_int_equal(a.pcpus[0].pi_adds, 1);
    /* out-of-range ids are folded, not allocated */
    r = raw(0, 11, XTE_TRC_PI_LIST_ADD, 7, big);
    xa_feed(&a, &r);
    assert_int_equal(a.nr_pcpus, XA_MAX_PCPUS);       /* clamped, not 2^32 */
    assert_non_null(xa_domain_find(&a, XA_DOMID_OTHER));
    /* many domains: capped */
    for (uint32_t d = 0; d < 6000; d++)
        FEED(&a, 0, 20 + d, XTE_EV_MSIX_EMULATED, U(d), U(0), U(4));
    assert_true(a.nr_domains <= XA_MAX_DOMAINS + 1);
    assert_true(a.domains_folded);
    /* many event ids: capped */
    for (uint32_t e = 0; e < 6000; e++) {
        r = raw(0, 10000 + e, 0x00f00000u + e, 0, NULL);
        xa_feed(&a, &r);
    }
    assert_int_equal(a.nr_event_ids, XA_MAX_EVENT_IDS);
    assert_true(a.event_ids_folded > 0);
    /* TSC going backwards is counted */
    r = raw(0, 5, 0x00f00000u, 0, NULL);
    xa_feed(&a, &r);
    assert_int_equal(a.tsc_backwards, 1);
    xa_free(&a);
}

static struct xa_interval rows[8];
static unsigned int nrows;

static void collect(const struct xa_interval *iv, void *arg)
{
    if (nrows < 8)
        rows[nrows] = *iv;
    nrows++;
}

static void test_intervals(void **state)
{
    struct xa_analysis a;

    nrows = 0;
    /* 1 GHz: 1 tick = 1 ns; 1 us intervals */
    xa_init(&a, 1000000000, 1000, collect, NULL);
    FEED(&a, 0, 10000, XTE_EV_EPT_FLUSH, U(1), U(2), U(0), U(0), U(50), U(1));
    FEED(&a, 0, 10500, XTE_EV_EPT_FLUSH, U(1), U(2), U(0), U(0), U(70), U(1));
    FEED(&a, 0, 12500, XTE_EV_PI_LIST_ADD, U(1), U(0), U(0), U(4), U(1), U(0));
    /* then a gap of a million intervals: no million empty rows */
    FEED(&a, 0, 12500 + 1000000000, XTE_EV_PI_WAKEUP, U(0), U(1), U(1), U(1));
    xa_finish(&a);
    assert_int_equal(nrows, 4);
    assert_int_equal(rows[0].t0_ns, 0);
    assert_int_equal(rows[0].ept_flushes, 2);
    assert_int_equal(rows[0].ept_max_latency, 70);
    assert_int_equal(rows[0].ept_ipis, 4);
    assert_int_equal(rows[1].records, 0);          /* the empty interval */
    assert_int_equal(rows[2].t0_ns, 2000);
    assert_int_equal(rows[2].pi_adds, 1);
    assert_int_equal(rows[2].pi_redirected, 1);
    assert_int_equal(rows[2].pi_max_len, 4);
    assert_int_equal(a.intervals_skipped, 1000002 - 3);   /* from tsc 10000 */
    assert_int_equal(rows[3].t0_ns, 1000002000);
    assert_int_equal(rows[3].pi_wakeups, 1);
    xa_free(&a);
}

static void collect_bounded(const struct xa_interval *iv, void *arg)
{
    if (++nrows > 16)
        fail_msg("row %u at %llu ns: the series does not move on", nrows,
                 (unsigned long long)iv->t0_ns);
}

/*
 * A TSC that jumps to the end of the 64-bit range (a corrupt trace): the
 * interval there ends past 2^64 ns.  Its end once wrapped to a small
 * number, and every record looked past it: the same row forever.
 */
static void test_interval_at_the_end_of_time(void **state)
{
    struct xa_analysis a;

    nrows = 0;
    xa_init(&a, 1000000000, 1000000, collect_bounded, NULL);
    FEED(&a, 0, 0, XTE_EV_PI_WAKEUP, U(0), U(1), U(1), U(1));
    FEED(&a, 0, UINT64_MAX - 5, XTE_EV_PI_WAKEUP, U(0), U(1), U(1), U(1));
    FEED(&a, 0, UINT64_MAX, XTE_EV_PI_WAKEUP, U(0), U(1), U(1), U(1));
    xa_finish(&a);
    assert_int_equal(nrows, 2);
    assert_int_equal(a.intervals_skipped, UINT64_MAX / 1000000 - 1);
    xa_free(&a);
}

/*
 * The edges of the direct-indexed tables: the highest 16-bit domain id has
 * its own slot, anything above shares "other" (also after the reports
 * sorted the domains); pCPUs far beyond the first ones are reached without
 * moving the table, and every pCPU in between starts with nobody running.
 */
static void test_table_edges(void **state)
{
    struct xa_analysis a;
    struct xa_domain *top, *other;
    const uint32_t exit64[3] = { 30, 0, 0 };
    struct xte_record r;

    xa_init(&a, 0, 0, NULL, NULL);
    FEED(&a, 0, 10, XTE_EV_MSIX_EMULATED, U(65535), U(0), U(4));
    FEED(&a, 0, 11, XTE_EV_MSIX_EMULATED, U(65536), U(0), U(4));
    FEED(&a, 0, 12, XTE_EV_MSIX_EMULATED, U(0xffffffff), U(0), U(4));
    FEED(&a, 0, 13, XTE_EV_MSIX_EMULATED, U(3), U(0), U(4));
    top = xa_domain_find(&a, 65535);
    assert_non_null(top);
    assert_int_equal(top->domid, 65535);
    assert_int_equal(top->msix_reads_emulated, 1);
    assert_int_equal(top->first_tsc, 10);
    other = xa_domain_find(&a, XA_DOMID_OTHER);
    assert_non_null(other);
    assert_int_equal(other->msix_reads_emulated, 2);
    assert_int_equal(other->first_tsc, 11);
    assert_true(xa_domain_find(&a, 70000) == other);
    assert_int_equal(a.nr_domains, 3);
    assert_false(a.domains_folded);             /* not a cap, a big id */
    xa_sort_domains(&a);                        /* 3, 65535, other */
    assert_int_equal(a.domains[2].domid, XA_DOMID_OTHER);
    FEED(&a, 0, 14, XTE_EV_MSIX_EMULATED, U(1u << 20), U(0), U(4));
    FEED(&a, 0, 15, XTE_EV_MSIX_EMULATED, U(65535), U(0), U(4));
    assert_int_equal(a.nr_domains, 3);
    other = xa_domain_find(&a, XA_DOMID_OTHER);
    assert_int_equal(other->msix_reads_emulated, 3);
    assert_int_equal(xa_domain_find(&a, 65535)->msix_reads_emulated, 2);

    /* pCPU 5000 first, then a PI add redirected from pCPU 7000 to 2 */
    FEED(&a, 5000, 20, XTE_EV_DPCI_BATCH, U(5000), U(3));
    assert_int_equal(a.nr_pcpus, 5001);
    assert_int_equal(a.pcpus[5000].dpci_batches, 1);
    assert_int_equal(a.pcpus[4999].running_domid, XA_DOMID_OTHER);
    assert_false(a.pcpus[4999].seen);
    FEED(&a, 1, 21, XTE_EV_PI_LIST_ADD, U(3), U(0), U(2), U(1), U(7000), U(0));
    assert_int_equal(a.nr_pcpus, 7001);
    assert_int_equal(a.pcpus[7000].pi_redirected_away, 1);
    assert_int_equal(a.pcpus[2].pi_adds_redirected, 1);
    assert_int_equal(a.pcpus[5000].dpci_batches, 1);
    /* a VM exit on a pCPU only reached through a field: nobody runs there */
    r = raw(6000, 22, XA_TRC_HVM_VMEXIT64, 3, exit64);
    xa_feed(&a, &r);
    assert_int_equal(a.pcpus[6000].vmexits, 1);
    for (unsigned int i = 0; i < a.nr_domains; i++)
        assert_int_equal(a.domains[i].vmexits, 0);
    xa_free(&a);
}

/*
 * A record shorter than its catalogue entry reads the missing words as 0,
 * whatever the record's unused words hold; a 64-bit field cut after its
 * low word keeps that word.
 */
static void test_short_record_words(void **state)
{
    struct xa_analysis a;
    struct xte_record r;
    const uint32_t w[7] = { 9, 4, 1, 2, 0x1234, 0xdead, 0xbeef };
    struct xa_domain *d;

    xa_init(&a, 1000000000, 0, NULL, NULL);
    /* EPT_FLUSH: domid ipis marked coalesced latency(lo, hi) sync */
    r = raw(0, 100, XTE_TRC_EPT_FLUSH, 5, w);
    r.extra[5] = 0xdead;                      /* beyond nr_extra: ignored */
    r.extra[6] = 0xbeef;
    xa_feed(&a, &r);
    d = xa_domain_find(&a, 9);
    assert_non_null(d);
    assert_int_equal(d->ept_ipis, 4);
    assert_int_equal(d->ept_coalesced, 2);
    assert_int_equal(d->ept_latency.max, 0x1234);
    assert_int_equal(d->ept_deferred, 1);     /* sync missing: 0 */
    /* the whole record: the high word and sync count */
    r = raw(0, 101, XTE_TRC_EPT_FLUSH, 7, w);
    xa_feed(&a, &r);
    assert_int_equal(d->ept_latency.max, 0xdead00001234ull);
    assert_int_equal(d->ept_sync, 1);
    /* PI_LIST_ADD with domid, vcpu, pcpu only: len, from and limit are 0 */
    r = raw(3, 102, XTE_TRC_PI_LIST_ADD, 3, w);
    r.extra[3] = 77;
    xa_feed(&a, &r);
    assert_int_equal(a.pcpus[1].pi_adds, 1);
    assert_int_equal(a.pcpus[1].pi_len, 0);
    assert_int_equal(a.pcpus[1].pi_adds_redirected, 1);   /* from 0 */
    assert_int_equal(a.pcpus[0].pi_redirected_away, 1);
    assert_int_equal(xa_domain_find(&a, 9)->vcpus_seen, 1);
    xa_free(&a);
}

/*
 * The PI series remembers the slot of the last record; records that go
 * back in time, or past the last slot (which halves the resolution), must
 * land where the division would put them.
 */
static void test_series_slots(void **state)
{
    struct xa_analysis a;

    xa_init(&a, 0, 0, NULL, NULL);
    FEED(&a, 0, 1000, XTE_EV_PI_LIST_ADD, U(1), U(0), U(0), U(2), U(0), U(0));
    FEED(&a, 0, 1000 + 5000, XTE_EV_PI_LIST_ADD, U(1), U(0), U(0), U(7),
         U(0), U(0));
    FEED(&a, 0, 1000 + 100, XTE_EV_PI_LIST_DEL, U(1), U(0), U(0), U(3));
    assert_int_equal(a.series_slot_ticks, 1024);
    assert_int_equal(a.pcpus[0].pi_series[0], 3);
    assert_int_equal(a.pcpus[0].pi_series[4], 7);   /* 5000 / 1024 */
    assert_int_equal(a.series_used, 5);
    /* 70000 ticks: past 64 slots of 1024, so slots of 2048 */
    FEED(&a, 0, 1000 + 70000, XTE_EV_PI_LIST_ADD, U(1), U(0), U(0), U(5),
         U(0), U(0));
    assert_int_equal(a.series_slot_ticks, 2048);
    assert_int_equal(a.series_used, 70000 / 2048 + 1);
    assert_int_equal(a.pcpus[0].pi_series[0], 3);
    assert_int_equal(a.pcpus[0].pi_series[2], 7);   /* slot 4 merged into 2 */
    assert_int_equal(a.pcpus[0].pi_series[70000 / 2048], 5);
    FEED(&a, 0, 1000 + 2100, XTE_EV_PI_LIST_DEL, U(1), U(0), U(0), U(9));
    assert_int_equal(a.pcpus[0].pi_series[1], 9);   /* back in time */
    FEED(&a, 0, 500, XTE_EV_PI_LIST_DEL, U(1), U(0), U(0), U(11));
    assert_int_equal(a.pcpus[0].pi_series[0], 11);  /* before the first */
    FEED(&a, 0, 1000 + 70001, XTE_EV_PI_LIST_DEL, U(1), U(0), U(0), U(6));
    assert_int_equal(a.pcpus[0].pi_series[70000 / 2048], 6);
    xa_free(&a);
}

/*
 * An interval ends at the first TSC whose position in ns (rounded down)
 * reaches its end: exact when a tick is not a whole number of ns, and
 * following a time base that RUN_INFO changes half way.
 */
static void test_interval_edges(void **state)
{
    struct xa_analysis a;

    /* 2399999999 Hz: 1000 ns are 2399.999999 ticks */
    nrows = 0;
    xa_init(&a, 2399999999u, 1000, collect, NULL);
    FEED(&a, 0, 1000, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4));
    FEED(&a, 0, 1000 + 2399, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4));
    assert_int_equal(nrows, 0);                    /* 999 ns */
    FEED(&a, 0, 1000 + 2400, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4));
    assert_int_equal(nrows, 1);                    /* 1000 ns */
    assert_int_equal(rows[0].records, 2);
    assert_int_equal(rows[0].msix_reads_emulated, 2);
    FEED(&a, 0, 1000 + 4799, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4));
    assert_int_equal(nrows, 1);                    /* 1999 ns */
    FEED(&a, 0, 1000 + 4800, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4));
    assert_int_equal(nrows, 2);
    assert_int_equal(rows[1].t0_ns, 1000);
    assert_int_equal(rows[1].records, 2);
    xa_free(&a);

    /* the trace's clock: 2 GHz first, then 1 GHz */
    nrows = 0;
    xa_init(&a, 0, 1000, collect, NULL);
    FEED(&a, 0, 50, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4));   /* no clock */
    FEED(&a, 0, 100, XTE_EV_RUN_INFO, U(2000000000), U(4), U(0), U(0));
    FEED(&a, 0, 150, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4));  /* 50 ns */
    FEED(&a, 0, 1000, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4)); /* 475 ns */
    assert_int_equal(nrows, 0);
    FEED(&a, 0, 1010, XTE_EV_RUN_INFO, U(1000000000), U(4), U(0), U(0));
    assert_int_equal(nrows, 0);                    /* 960 ns */
    FEED(&a, 0, 1100, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4)); /* 1050 ns */
    assert_int_equal(nrows, 1);
    assert_int_equal(rows[0].records, 4);
    FEED(&a, 0, 2049, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4)); /* 1999 ns */
    assert_int_equal(nrows, 1);
    FEED(&a, 0, 2050, XTE_EV_MSIX_EMULATED, U(1), U(0), U(4)); /* 2000 ns */
    assert_int_equal(nrows, 2);
    assert_int_equal(rows[1].records, 2);
    xa_free(&a);
}

static const struct xa_rec *find_rec(const struct xa_rec *r, unsigned int n,
                                     const char *sub)
{
    for (unsigned int i = 0; i < n; i++)
        if (strcmp(r[i].subsystem, sub) == 0)
            return &r[i];
    return NULL;
}

static void test_recommend_bounded_pi(void **state)
{
    struct xa_analysis a;
    struct xa_rec recs[8];
    const struct xa_rec *r;
    unsigned int n;

    /* bounded at 10 (32 vCPUs / 4 pCPUs + slack 2), pCPUs 1, 2 and 3
     * overflow onto their neighbours */
    xa_init(&a, 1000000000, 0, NULL, NULL);
    FEED(&a, 0, 1, XTE_EV_PI_LIMIT, U(10), U(32), U(4), U(2));
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 10; i++)
            FEED(&a, c, 10 + 20 * c + i, XTE_EV_PI_LIST_ADD, U(1), U(i),
                 U(c), U(1 + i), U(i < 3 ? (c + 1) % 4 : c), U(10));
    n = recommend(&a, recs, 8);
    r = find_rec(recs, n, "pi");
    assert_non_null(r);
    assert_int_equal(r->action, XA_REC_CHANGE);
    assert_string_equal(r->boot, "pi_list_policy=bounded pi_list_slack=8");
    assert_string_equal(r->runtime, "xenhypfs write /params/pi_list_slack 8");
    assert_non_null(strstr(r->finding, "3 of 4 pCPUs (75%"));
    assert_int_equal(a.pcpus[3].pi_redirected_away, 3);
    assert_non_null(strstr(r->finding, "30.0% of 30 adds (9)"));
    xa_free(&a);

    /* redirects all away from pCPU 0: the bound at work */
    xa_init(&a, 1000000000, 0, NULL, NULL);
    FEED(&a, 0, 1, XTE_EV_PI_LIMIT, U(10), U(32), U(4), U(2));
    for (int i = 0; i < 10; i++)
        FEED(&a, 0, 10 + i, XTE_EV_PI_LIST_ADD, U(1), U(i), U(0), U(1 + i),
             U(0), U(10));
    for (int i = 0; i < 5; i++)        /* redirected from pCPU 0 */
        FEED(&a, 1, 30 + i, XTE_EV_PI_LIST_ADD, U(2), U(i), U(1), U(1 + i),
             U(0), U(10));
    n = recommend(&a, recs, 8);
    r = find_rec(recs, n, "pi");
    assert_non_null(r);
    assert_int_equal(r->action, XA_REC_KEEP);
    assert_string_equal(r->boot, "");
    assert_non_null(strstr(r->finding, "from 1 of 4 pCPUs"));
    xa_free(&a);

    /* unbounded with one long list: a quarter of the average as slack */
    xa_init(&a, 1000000000, 0, NULL, NULL);
    FEED(&a, 0, 1, XTE_EV_RUN_INFO, U(1000000000), U(4), U(0), U(0));
    FEED(&a, 0, 2, XTE_EV_DOMAIN_INFO, U(1), U(400), U(1), U(8));
    for (int i = 0; i < 300; i++)
        FEED(&a, 0, 10 + i, XTE_EV_PI_LIST_ADD, U(1), U(i), U(0), U(1 + i),
             U(0), U(0));
    n = recommend(&a, recs, 8);
    r = find_rec(recs, n, "pi");
    assert_non_null(r);
    assert_int_equal(r->action, XA_REC_CHANGE);
    assert_string_equal(r->boot, "pi_list_policy=bounded pi_list_slack=25");
    assert_non_null(strstr(r->finding, "no walk longer than 125 entries"));
    xa_free(&a);
}

static void test_recommend_quiet(void **state)
{
    struct xa_analysis a;
    struct xa_rec recs[8];
    const struct xa_rec *r;
    unsigned int n;

    /* deferred EPT flushes that are fast, maptrack far from its limit */
    xa_init(&a, 1000000000, 0, NULL, NULL);
    FEED(&a, 0, 1, XTE_EV_EPT_FLUSH, U(1), U(0), U(2), U(0), U(4000), U(0));
    FEED(&a, 0, 2, XTE_EV_MAPTRACK_GROW, U(1), U(0), U(1), U(64), U(3));
    n = recommend(&a, recs, 8);
    assert_int_equal(n, 2);
    r = find_rec(recs, n, "ept");
    assert_int_equal(r->action, XA_REC_KEEP);
    r = find_rec(recs, n, "maptrack");
    assert_int_equal(r->action, XA_REC_KEEP);
    assert_null(find_rec(recs, n, "pi"));
    xa_free(&a);
}

int xa_fuzz_one(const uint8_t *data, size_t size);

/* The fuzz target's body on pseudo-random input: no crash, no leak. */
static void test_fuzz_smoke(void **state)
{
    static uint8_t buf[24 * 10000 + 1];
    uint64_t x = 0x9e3779b97f4a7c15ull;

    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[i] = (uint8_t)x;
        }
        assert_int_equal(xa_fuzz_one(buf, sizeof(buf)), 0);
    }
    assert_int_equal(dist_budget_used(), 0);
}

int xa_batch_check(const struct xte_record *recs, size_t n, uint64_t hz,
                   const unsigned int *sizes, size_t nr_sizes);

/* 0 .. n-1, pseudo-random (xorshift), the same sequence on every run */
static uint64_t rnd_state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(uint64_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state % n;
}

/*
 * xa_feed_batch() groups records by event type: its reports must be those
 * of xa_feed() one by one, byte for byte, on a trace that mixes every
 * event at random, with all the order-dependent cases in it: distributions
 * that grow, fold (a small budget) and widen (64-bit latencies) in the
 * middle of a batch, more domains than the table holds, ids of more than
 * 16 bits, gauges written by two event types, upstream context, short
 * records, TSCs going back and pCPUs out of range.
 */
static void test_batch_same_reports(void **state)
{
    enum { N = 60000 };
    static struct xte_record recs[N];
    static const uint32_t upstream[] = {
        XA_RUNSTATE_EVENT(1, 0), XA_RUNSTATE_EVENT(0, 2), XA_TRC_HVM_VMEXIT,
        XA_TRC_HVM_VMENTRY, XA_TRC_SCHED_DOM_ADD, XA_TRC_SCHED_DOM_REM,
        XTE_TRC_LOST_RECORDS, 0x0002f00f,
    };
    uint64_t tsc = 1000;
    unsigned int sizes[97];
    size_t old;

    recs[0] = mk(0, tsc, XTE_EV_RUN_INFO, U(2000000000), U(16), U(1), U(0));
    for (size_t i = 1; i < N; i++) {
        unsigned int cpu = rnd(50) ? (unsigned int)rnd(16) : 9000u + (unsigned int)rnd(4);
        uint64_t dom = rnd(8) ? 1 + rnd(24) : rnd(40) ? rnd(6000)
                                                      : 65536 + rnd(3);
        uint64_t lat = rnd(100) ? rnd(100000) : (1ull << 32) + rnd(1000);
        uint32_t w[XTE_MAX_EXTRA];

        tsc += rnd(50) ? rnd(100) : 0;
        if (!rnd(200))
            tsc -= rnd(500) < tsc ? rnd(500) : 0;
        if (rnd(6) == 0) {
            for (unsigned int k = 0; k < XTE_MAX_EXTRA; k++)
                w[k] = (uint32_t)(rnd(4) ? dom << 16 | rnd(8) : rnd(4096));
            recs[i] = raw(cpu, tsc, upstream[rnd(8)],
                          (unsigned int)rnd(XTE_MAX_EXTRA + 1), w);
            continue;
        }
        switch (rnd(14)) {
        case 0:
            recs[i] = mk(cpu, tsc, XTE_EV_PI_LIST_ADD, dom, U(rnd(8)),
                         U(rnd(16)), U(rnd(300)), U(rnd(16)), U(64));
            break;
        case 1:
            recs[i] = mk(cpu, tsc, XTE_EV_PI_LIST_DEL, dom, U(rnd(8)),
                         U(rnd(16)), U(rnd(300)));
            break;
        case 2:
            recs[i] = mk(cpu, tsc, XTE_EV_PI_WAKEUP, U(rnd(16)), U(rnd(300)),
                         U(1), U(rnd(5000)));
            break;
        case 3:
            recs[i] = mk(cpu, tsc, XTE_EV_DPCI_RUN, dom, U(40), U(rnd(16)),
                         lat);
            break;
        case 4:
            recs[i] = mk(cpu, tsc, XTE_EV_DPCI_BATCH, U(rnd(16)),
                         U(rnd(9)));
            break;
        case 5:
            recs[i] = mk(cpu, tsc, XTE_EV_EPT_FLUSH, dom, U(rnd(8)),
                         U(rnd(2)), U(rnd(3)), lat, U(1));
            break;
        case 6:
            recs[i] = mk(cpu, tsc, XTE_EV_MAPTRACK_GROW, dom, U(rnd(4)),
                         U(rnd(64)), U(rnd(2) * 64), U(rnd(4000)));
            break;
        case 7:
            recs[i] = mk(cpu, tsc, XTE_EV_MAPTRACK_STEAL, dom, U(rnd(4)),
                         U(rnd(4)), U(rnd(4000)));
            break;
        case 8:
            recs[i] = mk(cpu, tsc, XTE_EV_MAPTRACK_EXHAUSTED, dom, U(rnd(4)),
                         U(rnd(64)), U(rnd(4000)));
            break;
        case 9:
            recs[i] = mk(cpu, tsc, XTE_EV_DOMAIN_INFO, dom, U(4), U(1),
                         U(rnd(128)));
            break;
        case 10:
            recs[i] = mk(cpu, tsc, XTE_EV_MSIX_FORWARD, dom, U(16), U(4),
                         U(rnd(2)));
            break;
        case 11:
            recs[i] = mk(cpu, tsc, XTE_EV_PI_LIMIT, U(rnd(64)), U(64), U(16),
                         U(4));
            break;
        case 12:
            recs[i] = mk(cpu, tsc, XTE_EV_DPCI_LOCK_WAIT, U(rnd(16)), lat);
            break;
        default:
            /* a short record of any catalogue event */
            for (unsigned int k = 0; k < XTE_MAX_EXTRA; k++)
                w[k] = (uint32_t)(k ? rnd(100) : dom);
            recs[i] = raw(cpu, tsc, xte_events[rnd(XTE_NR_EVENTS)].id,
                          (unsigned int)rnd(3), w);
            break;
        }
    }
    for (size_t i = 0; i < 97; i++)
        sizes[i] = 1 + (unsigned int)rnd(3000);

    /* whole batches and cut ones; folding in the middle, and none */
    old = dist_set_budget(3000);
    assert_int_equal(xa_batch_check(recs, N, 0, NULL, 0), 0);
    assert_int_equal(xa_batch_check(recs, N, 0, sizes, 97), 0);
    dist_set_budget(old);
    assert_int_equal(xa_batch_check(recs, N, 1000000, sizes, 97),
                     0);
    /* only the first 20000: fewer domains than the cap */
    assert_int_equal(xa_batch_check(recs, 20000, 0, NULL, 0), 0);
    assert_int_equal(dist_budget_used(), 0);
}

/*
 * The one case of test_batch_same_reports that chance hardly meets: a
 * distribution whose sample needs 64 bits while it still has room (the
 * EPT latencies, x), then another that must grow (the dpci batch sizes,
 * y), then x full: one by one, y grows and x, past the budget, folds.
 * Grouped, x's later samples must wait for the replay too (dist_hold()),
 * or x would grow first and y fold.
 */
static void test_batch_widen_then_grow(void **state)
{
    struct xte_record recs[34];
    static const unsigned int sizes[2] = { 31, 3 };
    unsigned int n = 0;
    size_t old = dist_set_budget(48);    /* 16 + 16, and one more 16 */

    for (unsigned int i = 0; i < 15; i++)
        recs[n++] = mk(0, 100 + i, XTE_EV_EPT_FLUSH, U(1), U(1), U(1), U(0),
                       U(1000), U(1));
    for (unsigned int i = 0; i < 16; i++)
        recs[n++] = mk(0, 200 + i, XTE_EV_DPCI_BATCH, U(0), U(3));
    recs[n++] = mk(0, 300, XTE_EV_EPT_FLUSH, U(1), U(1), U(1), U(0),
                   U(1ull << 33), U(1));
    recs[n++] = mk(0, 301, XTE_EV_DPCI_BATCH, U(0), U(3));
    recs[n++] = mk(0, 302, XTE_EV_EPT_FLUSH, U(1), U(1), U(1), U(0),
                   U(1000), U(1));
    assert_int_equal(xa_batch_check(recs, n, 0, sizes, 2), 0);
    dist_set_budget(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timebase),
        cmocka_unit_test(test_pi_state),
        cmocka_unit_test(test_ept_dpci_maptrack_msix),
        cmocka_unit_test(test_upstream_context),
        cmocka_unit_test(test_short_and_hostile_records),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_interval_at_the_end_of_time),
        cmocka_unit_test(test_table_edges),
        cmocka_unit_test(test_short_record_words),
        cmocka_unit_test(test_series_slots),
        cmocka_unit_test(test_interval_edges),
        cmocka_unit_test(test_recommend_bounded_pi),
        cmocka_unit_test(test_recommend_quiet),
        cmocka_unit_test(test_fuzz_smoke),
        cmocka_unit_test(test_batch_same_reports),
        cmocka_unit_test(test_batch_widen_then_grow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
