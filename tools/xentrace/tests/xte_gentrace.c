/*
 * xte_gentrace - write a trace with libxentrace-ext for the compatibility
 * test against upstream xenalyze: several pCPUs, every catalogue event and
 * a few upstream events, in xentrace's window layout.  Prints what it wrote
 * ("records N windows M") so the test can compare with what xenalyze saw.
 *
 *   xte_gentrace FILE NR_CPUS RECORDS_PER_CPU
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xentrace.h"

/* Upstream events with the payload shapes Xen gives them. */
static const struct { uint32_t id; unsigned int n; } upstream[] = {
    { 0x00802008, 3 },          /* TRC_HW_IRQ_HANDLED: irq, start, end */
    { 0x00801002, 2 },          /* TRC_PM_IDLE_ENTRY: cstate, expected */
    { 0x00801003, 2 },          /* TRC_PM_IDLE_EXIT */
    { 0x00041001, 1 },          /* TRC_DOM0_DOM_ADD: domid */
};

int main(int argc, char **argv)
{
    struct xte_error err;
    struct xte_writer *w;
    unsigned int cpus;
    unsigned long per_cpu, records = 0;
    uint64_t tsc = 1000000;
    uint32_t x[XTE_MAX_EXTRA];

    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE NR_CPUS RECORDS_PER_CPU\n", argv[0]);
        return 2;
    }
    cpus = (unsigned int)strtoul(argv[2], NULL, 0);
    per_cpu = strtoul(argv[3], NULL, 0);
    /* Small windows: many of them, as a busy host produces. */
    w = xte_writer_open(argv[1], cpus, 4096, &err);
    if (!w) {
        xte_print_error(stderr, &err);
        return 1;
    }
    for (unsigned long i = 0; i < per_cpu; i++) {
        for (unsigned int c = 0; c < cpus; c++) {
            unsigned long k = i * cpus + c;
            uint32_t ev;
            unsigned int n;

            tsc += 1000 + (k * 7919) % 500;
            if (k % 10 == 9) {
                ev = upstream[(k / 10) % 4].id;
                n = upstream[(k / 10) % 4].n;
            } else {
                const struct xte_event_desc *d = &xte_events[k % XTE_NR_EVENTS];

                ev = d->id;
                n = d->nr_words;
            }
            for (unsigned int j = 0; j < n; j++)
                x[j] = (uint32_t)(k + j);
            if (xte_writer_add(w, c, ev, 1, tsc, x, n)) {
                xte_print_error(stderr, xte_writer_error(w));
                return 1;
            }
            records++;
        }
    }
    /* One lost-records report per pCPU, shaped as Xen writes it. */
    for (unsigned int c = 0; c < cpus; c++) {
        uint32_t lost[4] = { 3, 0 /* dom0 vcpu0 */, (uint32_t)tsc, 0 };

        tsc += 100;
        if (xte_writer_add(w, c, XTE_TRC_LOST_RECORDS, 1, tsc, lost, 4))
            return 1;
        records++;
    }
    if (xte_writer_close(w))
        return 1;
    /* Read it back: the counts the test compares xenalyze's with. */
    {
        struct xte_reader *r = xte_reader_open(argv[1], NULL, &err);
        struct xte_record rec;
        const struct xte_reader_stats *st;

        if (!r) {
            xte_print_error(stderr, &err);
            return 1;
        }
        while (xte_reader_next(r, &rec) == 1)
            ;
        st = xte_reader_stats(r);
        if (xte_reader_error(r)->msg[0] || st->records != records) {
            xte_print_error(stderr, xte_reader_error(r));
            fprintf(stderr, "read back %llu of %lu records\n",
                    (unsigned long long)st->records, records);
            return 1;
        }
        printf("records %llu windows %llu\n",
               (unsigned long long)st->records,
               (unsigned long long)st->windows);
        xte_reader_close(r);
    }
    return 0;
}
