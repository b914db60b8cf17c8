/*
 * gentrace.c - write traces of known content for the xenalyze-ext tests
 * and benchmark, through libxentrace-ext's writer (the same layout upstream
 * xentrace writes).
 *
 *   xa-gentrace golden FILE      every catalogue subsystem, lost records,
 *                                an out-of-order window, unknown events;
 *                                the expected figures are in
 *                                tests/golden.sh
 *   xa-gentrace vmx FILE [N]     an upstream-style VMX host capture: TRC_HVM
 *                                VMENTRY/VMEXIT, TRC_SCHED runstate changes,
 *                                domain creation, lost records, small
 *                                windows (many CPU changes), other upstream
 *                                events; prints the counts it wrote as
 *                                "key value" lines on stdout
 *   xa-gentrace big FILE MIB     a mixed catalogue workload of about MIB
 *                                MiB on 8 pCPUs (benchmark)
 *
 * Catalogue events are written from their field values in catalogue order
 * (cat_ev), so the layout of every record comes from catalogue.def.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xentrace.h"

static struct xte_writer *w;

static void die(const char *what)
{
    const struct xte_error *e = w ? xte_writer_error(w) : NULL;

    fprintf(stderr, "xa-gentrace: %s%s%s\n", what, e ? ": " : "",
            e ? e->msg : "");
    exit(1);
}

/* A catalogue event from its field values, in catalogue order. */
static void cat_ev(unsigned int cpu, uint64_t tsc, enum xte_event_index idx,
                   ...)
{
    const struct xte_event_desc *ev = &xte_events[idx];
    uint32_t extra[XTE_MAX_EXTRA];
    unsigned int n = 0;
    va_list ap;

    va_start(ap, idx);
    for (unsigned int i = 0; i < ev->nr_fields; i++) {
        uint64_t v = va_arg(ap, uint64_t);

        extra[n++] = (uint32_t)v;
        if (ev->fields[i].bits == 64)
            extra[n++] = (uint32_t)(v >> 32);
    }
    va_end(ap);
    if (xte_writer_add(w, cpu, ev->id, 1, tsc, extra, n))
        die("write");
}

static void raw_ev(unsigned int cpu, uint64_t tsc, uint32_t event,
                   unsigned int n, ...)
{
    uint32_t extra[XTE_MAX_EXTRA];
    va_list ap;

    va_start(ap, n);
    for (unsigned int i = 0; i < n; i++)
        extra[i] = va_arg(ap, uint32_t);
    va_end(ap);
    if (xte_writer_add(w, cpu, event, 1, tsc, extra, n))
        die("write");
}

#define U(x) ((uint64_t)(x))

/* See tests/golden.sh for what each of these must produce. */
static void golden(void)
{
    /* 8 pCPUs online, 4 of them tracing: 6 HVM vCPUs, 0.75 per pCPU */
    cat_ev(0, 1000, XTE_EV_RUN_INFO, U(2000000000), U(8), U(0), U(5));
    cat_ev(0, 1010, XTE_EV_DOMAIN_INFO, U(1), U(4), U(1), U(16));
    cat_ev(0, 1020, XTE_EV_DOMAIN_INFO, U(2), U(2), U(1), U(32));

    /* PI, baseline (limit 0): pCPU 0's list grows to 6 */
    cat_ev(0, 2000, XTE_EV_PI_LIST_ADD, U(1), U(0), U(0), U(1), U(0), U(0));
    cat_ev(0, 2100, XTE_EV_PI_LIST_ADD, U(1), U(1), U(0), U(2), U(0), U(0));
    cat_ev(0, 2200, XTE_EV_PI_LIST_ADD, U(1), U(2), U(0), U(3), U(0), U(0));
    cat_ev(0, 2300, XTE_EV_PI_LIST_ADD, U(2), U(0), U(0), U(4), U(0), U(0));
    cat_ev(0, 2400, XTE_EV_PI_LIST_ADD, U(2), U(1), U(0), U(5), U(0), U(0));
    cat_ev(0, 2450, XTE_EV_PI_LIST_ADD, U(1), U(3), U(0), U(6), U(0), U(0));
    cat_ev(0, 2500, XTE_EV_PI_WAKEUP, U(0), U(5), U(2), U(700));
    cat_ev(0, 2600, XTE_EV_PI_LIST_DEL, U(1), U(0), U(0), U(5));
    cat_ev(0, 2700, XTE_EV_PI_LIST_DEL, U(1), U(1), U(0), U(4));
    cat_ev(0, 2800, XTE_EV_PI_WAKEUP, U(0), U(3), U(0), U(300));
    cat_ev(0, 2900, XTE_EV_PI_WAKEUP, U(0), U(8), U(1), U(900));
    cat_ev(1, 3000, XTE_EV_PI_LIST_ADD, U(1), U(0), U(1), U(1), U(0), U(0));
    cat_ev(1, 3100, XTE_EV_PI_WAKEUP, U(1), U(1), U(1), U(100));

    /* dpci */
    cat_ev(1, 4000, XTE_EV_DPCI_SCHEDULE, U(1), U(40), U(1));
    cat_ev(1, 4100, XTE_EV_DPCI_RUN, U(1), U(40), U(1), U(1000));
    cat_ev(1, 4200, XTE_EV_DPCI_SCHEDULE, U(1), U(40), U(1));
    cat_ev(1, 4300, XTE_EV_DPCI_RUN, U(1), U(40), U(1), U(2000));
    cat_ev(1, 4400, XTE_EV_DPCI_SCHEDULE, U(1), U(41), U(1));
    cat_ev(1, 4500, XTE_EV_DPCI_RUN, U(1), U(41), U(1), U(3000));
    cat_ev(1, 4600, XTE_EV_DPCI_SCHEDULE, U(1), U(41), U(1));
    cat_ev(1, 4700, XTE_EV_DPCI_RUN, U(1), U(41), U(1), U(4000));
    cat_ev(1, 4800, XTE_EV_DPCI_BATCH, U(1), U(2));
    cat_ev(1, 4900, XTE_EV_DPCI_BATCH, U(1), U(2));
    cat_ev(1, 5000, XTE_EV_DPCI_SCHEDULE, U(2), U(50), U(1));
    cat_ev(1, 5100, XTE_EV_DPCI_RUN, U(2), U(50), U(1), U(10000));
    cat_ev(1, 5200, XTE_EV_DPCI_BATCH, U(1), U(1));
    cat_ev(1, 5300, XTE_EV_DPCI_LOCK_WAIT, U(1), U(1500));
    cat_ev(1, 5400, XTE_EV_DPCI_TEARDOWN_EAGAIN, U(2), U(50));

    /* maptrack: domain 1 reaches its 16-frame limit and runs out */
    cat_ev(2, 6000, XTE_EV_MAPTRACK_GROW, U(1), U(0), U(13), U(16), U(10));
    cat_ev(2, 6100, XTE_EV_MAPTRACK_GROW, U(1), U(1), U(14), U(16), U(300));
    cat_ev(2, 6200, XTE_EV_MAPTRACK_GROW, U(1), U(2), U(15), U(16), U(600));
    cat_ev(2, 6300, XTE_EV_MAPTRACK_GROW, U(1), U(3), U(16), U(16), U(900));
    cat_ev(2, 6400, XTE_EV_MAPTRACK_STEAL, U(1), U(0), U(2), U(1000));
    cat_ev(2, 6500, XTE_EV_MAPTRACK_STEAL, U(1), U(1), U(3), U(1020));
    cat_ev(2, 6600, XTE_EV_MAPTRACK_EXHAUSTED, U(1), U(2), U(16), U(1024));
    cat_ev(2, 6700, XTE_EV_MAPTRACK_GROW, U(2), U(0), U(1), U(32), U(5));

    /* MSI-X */
    for (int i = 0; i < 3; i++)
        cat_ev(2, 7000 + i, XTE_EV_MSIX_FORWARD, U(1), U(0x10), U(4), U(0));
    cat_ev(2, 7010, XTE_EV_MSIX_FORWARD, U(1), U(0x1c), U(4), U(1));
    for (int i = 0; i < 5; i++)
        cat_ev(2, 7020 + i, XTE_EV_MSIX_EMULATED, U(1), U(0x10), U(4));
    for (int i = 0; i < 2; i++)
        cat_ev(2, 7030 + i, XTE_EV_MSIX_EMULATED, U(2), U(0), U(4));

    /* 7 records lost on pCPU 2 over 2000 ticks (1000 ns) */
    raw_ev(2, 7900, XTE_TRC_LOST_RECORDS, 4, 7u, 0u, 5900u, 0u);
    /* an id of no known class, and a known upstream one not interpreted */
    raw_ev(2, 7950, 0x00f0f001u, 1, 1u);
    raw_ev(2, 7960, 0x00f0f001u, 1, 2u);
    raw_ev(2, 7970, 0x00f0f001u, 1, 3u);
    raw_ev(2, 7980, 0x0008200eu, 2, 1u, 2u);
    raw_ev(2, 7990, 0x0008200eu, 2, 1u, 2u);

    /* EPT: domain 1 synchronous, 1..10 ms; domain 2 deferred */
    raw_ev(0, 8050, 0x00021101u, 2, 1u << 16 | 2u, 1u);  /* d1v2 runs */
    for (int k = 1; k <= 10; k++) {
        cat_ev(0, 8000 + 100 * k, XTE_EV_EPT_FLUSH, U(1), U(8), U(0), U(0),
               U(1000000) * k, U(1));
        if (k == 9) {   /* waits that end during the slowest flush */
            cat_ev(0, 8950, XTE_EV_EPT_READ_WAIT, U(1), U(2500000));
            cat_ev(0, 8960, XTE_EV_EPT_READ_WAIT, U(1), U(500000));
        }
    }
    for (int k = 1; k <= 4; k++)
        cat_ev(0, 9000 + 100 * k, XTE_EV_EPT_FLUSH, U(2), U(0), U(2), U(1),
               U(5000), U(0));
    cat_ev(0, 9700, XTE_EV_EPT_VMENTER_INVEPT, U(2), U(3));

    if (xte_writer_flush(w))
        die("flush");
    /* pCPU 3's window comes last in the file but is older than most */
    raw_ev(3, 1500, 0x00028001u, 1, 3u);                /* DOM_ADD d3 */
    /* d3v0 runnable -> running: the states are in the event id too */
    raw_ev(3, 1600, 0x00021101u, 2, 3u << 16, 1u);
}

/* Small deterministic generator: same trace, same counts, every run. */
static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/*
 * A VMX host as upstream xentrace records it with -e all on a Xen without
 * our events.  The scheduling is kept consistent, as xenalyze checks it:
 * one clock, a vCPU runs on at most one pCPU, every switch is prev
 * running -> runnable, TRC_SCHED_SWITCH (prev dom, vcpu, next dom, vcpu),
 * next runnable -> running; pCPUs start on their idle vCPU.  A guest
 * vCPU's time on a pCPU is VMENTRY/VMEXIT pairs with a CPUID handler
 * record now and then; now and then the buffer overflowed (lost records).
 */
#define IDLE_DOMID 0x7fffu
static void vmx(unsigned int rounds)
{
    enum { NCPU = 4, NDOM = 2, NVCPU = 4 };
    uint64_t t = 1000000, runstate = 0, entries = 0, exits = 0, exits64 = 0;
    uint64_t cpuid = 0, switches = 0, lost_events = 0, lost = 0, recs = 0;
    uint32_t cur[NCPU];
    int where[NDOM][NVCPU];

    for (unsigned int c = 0; c < NCPU; c++)
        cur[c] = IDLE_DOMID << 16 | c;
    for (unsigned int d = 0; d < NDOM; d++)
        for (unsigned int v = 0; v < NVCPU; v++)
            where[d][v] = -1;
    /* domains 1 and 2 created on pCPU 0 */
    raw_ev(0, t++, 0x00028001u, 1, 1u);
    raw_ev(0, t++, 0x00028001u, 1, 2u);
    recs += 2;
    for (unsigned int r = 0; r < rounds; r++) {
        unsigned int c = rnd(NCPU), d, v, pairs = 1 + rnd(6);
        uint32_t prev = cur[c], next;

        /* a guest vCPU running nowhere else (8 vCPUs, 4 pCPUs) */
        do {
            d = rnd(NDOM);
            v = rnd(NVCPU);
        } while (where[d][v] >= 0);
        next = (d + 1) << 16 | v;
        t += 1000 + rnd(1000);
        raw_ev(c, t++, 0x00021011u, 2, prev, 0u | 1u << 4);
        raw_ev(c, t++, 0x0002800au, 4, prev >> 16, prev & 0xffff,
               next >> 16, next & 0xffff);
        raw_ev(c, t++, 0x00021101u, 2, next, 1u | 0u << 4);
        runstate += 2, switches++, recs += 3;
        if (prev >> 16 != IDLE_DOMID)
            where[(prev >> 16) - 1][prev & 0xffff] = -1;
        where[d][v] = (int)c;
        cur[c] = next;
        for (unsigned int p = 0; p < pairs; p++) {
            raw_ev(c, t += 50 + rnd(400), 0x00081001u, 0);
            entries++, recs++;
            if (rnd(2)) {
                raw_ev(c, t += 100 + rnd(5000), 0x00081102u, 3,
                       30u + rnd(20), 0xfff00000u + rnd(4096), 0xffffffffu);
                exits64++, recs++;
            } else {
                raw_ev(c, t += 100 + rnd(5000), 0x00081002u, 2,
                       30u + rnd(20), 0x00100000u + rnd(4096));
                exits++, recs++;
            }
            if (rnd(4) == 0) {
                raw_ev(c, t += 10, 0x0008200eu, 5, 1u, 2u, 3u, 4u, 5u);
                cpuid++, recs++;
            }
        }
        /* now and then the buffer overflowed: lost records */
        if (rnd(97) == 0) {
            uint32_t n = 1 + rnd(500);
            uint64_t first = t;

            t += 20000 + rnd(100000);
            raw_ev(c, t++, XTE_TRC_LOST_RECORDS, 4, n,
                   (d + 1) | v << 16, (uint32_t)first,
                   (uint32_t)(first >> 32));
            lost_events++, lost += n, recs++;
        }
    }
    printf("records %llu\n", (unsigned long long)recs);
    printf("vmentries %llu\n", (unsigned long long)entries);
    printf("vmexits %llu\n", (unsigned long long)(exits + exits64));
    printf("vmexit32 %llu\n", (unsigned long long)exits);
    printf("vmexit64 %llu\n", (unsigned long long)exits64);
    printf("runstate %llu\n", (unsigned long long)runstate);
    printf("switches %llu\n", (unsigned long long)switches);
    printf("cpuid %llu\n", (unsigned long long)cpuid);
    printf("lost_events %llu\n", (unsigned long long)lost_events);
    printf("lost_records %llu\n", (unsigned long long)lost);
}

/* About mib MiB of a mixed workload: every subsystem, 8 pCPUs. */
static void big(unsigned int mib)
{
    uint64_t target = (uint64_t)mib << 20, bytes = 0, t = 1000;
    unsigned int len[8] = { 0 };

    cat_ev(0, t, XTE_EV_RUN_INFO, U(2400000000), U(8), U(0), U(0));
    for (unsigned int d = 1; d <= 16; d++)
        cat_ev(0, t, XTE_EV_DOMAIN_INFO, U(d), U(4), U(1), U(64));
    while (bytes < target) {
        for (unsigned int c = 0; c < 8; c++) {
            uint64_t dom = 1 + rnd(16);

            t += 37;
            switch (rnd(8)) {
            case 0:
                len[c] = len[c] < 200 ? len[c] + 1 : 0;
                cat_ev(c, t, XTE_EV_PI_LIST_ADD, dom, U(rnd(4)), U(c),
                       U(len[c]), U(rnd(8)), U(0));
                bytes += 36;
                break;
            case 1:
                cat_ev(c, t, XTE_EV_PI_WAKEUP, U(c), U(len[c]), U(1),
                       U(rnd(5000)));
                bytes += 28;
                break;
            case 2:
                cat_ev(c, t, XTE_EV_DPCI_SCHEDULE, dom, U(40), U(c));
                bytes += 24;
                break;
            case 3:
                cat_ev(c, t, XTE_EV_DPCI_RUN, dom, U(40), U(c),
                       U(500 + rnd(100000)));
                bytes += 32;
                break;
            case 4:
                cat_ev(c, t, XTE_EV_EPT_FLUSH, dom, U(rnd(8)), U(0), U(0),
                       U(1000 + rnd(4000000)), U(1));
                bytes += 40;
                break;
            case 5:
                cat_ev(c, t, XTE_EV_MSIX_EMULATED, dom, U(0x10), U(4));
                bytes += 24;
                break;
            case 6:
                cat_ev(c, t, XTE_EV_MAPTRACK_GROW, dom, U(rnd(4)), U(8),
                       U(64), U(rnd(4000)));
                bytes += 32;
                break;
            default:
                cat_ev(c, t, XTE_EV_DPCI_BATCH, U(c), U(1 + rnd(8)));
                bytes += 20;
                break;
            }
        }
    }
}

int main(int argc, char **argv)
{
    struct xte_error err;

    if (argc < 3) {
        fprintf(stderr, "usage: xa-gentrace golden|vmx|big FILE [N]\n");
        return 2;
    }
    w = xte_writer_open(argv[2], 8, strcmp(argv[1], "vmx") == 0 ? 4096 : 0,
                        &err);
    if (!w) {
        xte_print_error(stderr, &err);
        return 1;
    }
    if (strcmp(argv[1], "golden") == 0)
        golden();
    else if (strcmp(argv[1], "vmx") == 0)
        vmx(argc > 3 ? (unsigned int)atoi(argv[3]) : 20000);
    else if (strcmp(argv[1], "big") == 0 && argc > 3)
        big((unsigned int)atoi(argv[3]));
    else {
        fprintf(stderr, "xa-gentrace: unknown scenario '%s'\n", argv[1]);
        return 2;
    }
    if (xte_writer_close(w))
        die("close");
    return 0;
}
