/*
 * xtp-mktrace FILE [--cut BYTES] - write the known trace the batch tests
 * read, with libxentrace-ext's writer.
 *
 * TSC runs at 1 GHz (RUN_INFO), so one tick is one nanosecond; time 0 is
 * the first record.  Host: 4 pCPUs; domains 0 (PV, 2 vCPUs), 1 (HVM, 4),
 * 2 (HVM, 2); PI limit 3.  In each second k = 0, 1, 2 (the last one cut
 * short, its events end at 2.12 s), on pCPU c:
 *   PI_LIST_ADD  (c+1)(k+1) times, len 1, 2, ...; every third one
 *                redirected from pCPU c+1; then one PI_LIST_DEL to len/2
 *   PI_WAKEUP    k+1 times, walked 2(c+1), ns 1000(c+1)
 *   DPCI_RUN     10(k+1) times, domains 1 and 2 alternately, latency
 *                500 + 100 i; a DPCI_BATCH of 5 after every fifth
 * and host-wide on pCPU 0:
 *   EPT_FLUSH    domain 1: 4(k+1) flushes, 3 IPIs each, latency 2000(j+1),
 *                every second one deferred; domain 2: one synchronous
 *                flush, 4 IPIs, latency 1 ms
 *   MSI-X        domain 1: 20(k+1) reads emulated, 2 forwarded;
 *                domain 2: 5 reads and 1 write forwarded
 *   maptrack     domain 1 grows to 1 frame (limit 8, 300 in use) at 0 s and
 *                steals 3k times (in use 400); domain 2 fails once at 2 s
 *                (4 frames, all 4 x XTE_MAPTRACK_HANDLES_PER_FRAME = 1024
 *                handles in use: full)
 * --cut BYTES truncates the file afterwards (a trace cut mid-record).
 * --split-at NS flushes every pCPU's window once the records before time
 * NS are written, and prints the file size at that point: a reader given
 * only those bytes has every record older than NS and no later one.
 * --jump NS moves the last second's records NS later: NS of trace time
 * without a record (a TSC that jumped, or a long idle stretch).
 * --far-pcpu N (after --jump) adds one PI list add on pCPU N at 0.5 s, so
 * that every sample carries N + 1 pCPU records (a trace naming a pCPU far
 * beyond the host's, as garbage does).
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xentrace.h"

struct ev {
    unsigned int cpu;
    uint64_t tsc;
    uint32_t id;
    unsigned int n;
    uint32_t w[XTE_MAX_EXTRA];
};

static struct ev *evs;
static size_t nev, cap;

static void emit(enum xte_event_index e, unsigned int cpu, uint64_t ns,
                 const uint64_t *v)
{
    const struct xte_event_desc *d = &xte_events[e];
    struct ev *x;

    if (nev == cap) {
        cap = cap ? cap * 2 : 1024;
        evs = realloc(evs, cap * sizeof(*evs));
        if (!evs)
            exit(1);
    }
    x = &evs[nev++];
    memset(x, 0, sizeof(*x));
    x->cpu = cpu;
    x->tsc = 1000 + ns;
    x->id = d->id;
    x->n = d->nr_words;
    for (unsigned int i = 0; i < d->nr_fields; i++) {
        const struct xte_field_desc *f = &d->fields[i];

        x->w[f->word] = (uint32_t)v[i];
        if (f->bits == 64)
            x->w[f->word + 1] = (uint32_t)(v[i] >> 32);
    }
}

static int by_cpu_time(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;

    if (x->cpu != y->cpu)
        return x->cpu < y->cpu ? -1 : 1;
    if (x->tsc != y->tsc)
        return x->tsc < y->tsc ? -1 : 1;
    return 0;
}

#define V(...) ((const uint64_t[]){ __VA_ARGS__ })

int main(int argc, char **argv)
{
    struct xte_error err;
    struct xte_writer *w;
    long cut = -1;
    int64_t split = -1;
    uint64_t jump = 0;
    unsigned int nr_cpus = 4, far = 0;

    if (argc == 4 && strcmp(argv[2], "--cut") == 0)
        cut = atol(argv[3]);
    else if (argc == 4 && strcmp(argv[2], "--split-at") == 0)
        split = atoll(argv[3]);
    else if ((argc == 4 || argc == 6) && strcmp(argv[2], "--jump") == 0 &&
             (argc == 4 || strcmp(argv[4], "--far-pcpu") == 0)) {
        jump = strtoull(argv[3], NULL, 10);
        far = argc == 6 ? (unsigned int)atoi(argv[5]) : 0;
        nr_cpus = far >= nr_cpus && far < 65536 ? far + 1 : nr_cpus;
    } else if (argc != 2) {
        fprintf(stderr, "usage: xtp-mktrace FILE [--cut BYTES | "
                "--split-at NS | --jump NS [--far-pcpu N]]\n");
        return 2;
    }
    if (far >= 4)
        emit(XTE_EV_PI_LIST_ADD, far, 500000000, V(1, 0, far, 1, far, 3));
    emit(XTE_EV_RUN_INFO, 0, 0, V(1000000000, 4, 1, 0));
    emit(XTE_EV_DOMAIN_INFO, 0, 1, V(0, 2, 0, 16));
    emit(XTE_EV_DOMAIN_INFO, 0, 2, V(1, 4, 1, 8));
    emit(XTE_EV_DOMAIN_INFO, 0, 3, V(2, 2, 1, 4));
    emit(XTE_EV_PI_LIMIT, 0, 4, V(3, 6, 4, 1));
    emit(XTE_EV_MAPTRACK_GROW, 0, 5, V(1, 0, 1, 8, 300));
    for (uint64_t k = 0; k < 3; k++) {
        uint64_t base = k * 1000000000ull;

        for (unsigned int c = 0; c < 4; c++) {
            uint64_t nadd = (c + 1) * (k + 1), i;

            for (i = 0; i < nadd; i++)
                emit(XTE_EV_PI_LIST_ADD, c,
                     base + 1000000 * (i + 1) + c * 1000,
                     V(1 + i % 2, i % 4, c, i + 1,
                       i % 3 == 2 ? (c + 1) % 4 : c, 3));
            emit(XTE_EV_PI_LIST_DEL, c, base + 1000000 * (i + 1) + c * 1000,
                 V(1, 0, c, nadd / 2));
            for (i = 0; i < k + 1; i++)
                emit(XTE_EV_PI_WAKEUP, c,
                     base + 50000000 + 1000000 * i + c * 1000,
                     V(c, 2 * (c + 1), 1, 1000 * (c + 1)));
            for (i = 0; i < 10 * (k + 1); i++) {
                uint64_t t = base + 60000000 + 100000 * i + c * 1000;

                emit(XTE_EV_DPCI_SCHEDULE, c, t, V(1 + i % 2, 40 + i % 2, c));
                emit(XTE_EV_DPCI_RUN, c, t + 10,
                     V(1 + i % 2, 40 + i % 2, c, 500 + 100 * i));
                if (i % 5 == 4)
                    emit(XTE_EV_DPCI_BATCH, c, t + 20, V(c, 5));
            }
        }
        for (uint64_t j = 0; j < 4 * (k + 1); j++)
            emit(XTE_EV_EPT_FLUSH, 0, base + 70000000 + 1000000 * j,
                 V(1, 3, 0, 0, 2000 * (j + 1), j % 2 == 0));
        emit(XTE_EV_EPT_FLUSH, 0, base + 90000000, V(2, 4, 0, 0, 1000000, 1));
        for (uint64_t j = 0; j < 20 * (k + 1); j++)
            emit(XTE_EV_MSIX_EMULATED, 0, base + 100000000 + 10000 * j,
                 V(1, 0x10 * (j % 4), 4));
        for (uint64_t j = 0; j < 2; j++)
            emit(XTE_EV_MSIX_FORWARD, 0, base + 101000000 + 10000 * j,
                 V(1, 0x1000, 4, 0));
        for (uint64_t j = 0; j < 6; j++)
            emit(XTE_EV_MSIX_FORWARD, 0, base + 102000000 + 10000 * j,
                 V(2, 0x1000, 4, j == 5));
        for (uint64_t j = 0; j < 3 * k; j++)
            emit(XTE_EV_MAPTRACK_STEAL, 0, base + 110000000 + 10000 * j,
                 V(1, 1, 2, 400));
        if (k == 2)
            emit(XTE_EV_MAPTRACK_EXHAUSTED, 0, base + 120000000,
                 V(2, 0, 4, 4 * XTE_MAPTRACK_HANDLES_PER_FRAME));
    }
    for (size_t i = 0; i < nev; i++)
        if (evs[i].tsc >= 1000 + 2000000000ull)
            evs[i].tsc += jump;
    qsort(evs, nev, sizeof(*evs), by_cpu_time);
    /* Small windows when there are many pCPUs: one buffer each. */
    w = xte_writer_open(argv[1], nr_cpus, nr_cpus > 4 ? 4096 : 0, &err);
    if (!w) {
        xte_print_error(stderr, &err);
        return 1;
    }
    for (int part = 0; part < 2; part++) {
        for (size_t i = 0; i < nev; i++) {
            int early = split >= 0 && evs[i].tsc < 1000 + (uint64_t)split;

            if (split >= 0 && early != (part == 0))
                continue;
            if (split < 0 && part == 1)
                break;
            if (xte_writer_add(w, evs[i].cpu, evs[i].id, 1, evs[i].tsc,
                               evs[i].w, evs[i].n) < 0) {
                xte_print_error(stderr, xte_writer_error(w));
                return 1;
            }
        }
        if (split >= 0 && part == 0) {
            struct stat st;

            if (xte_writer_flush(w) < 0 || stat(argv[1], &st) < 0) {
                xte_print_error(stderr, xte_writer_error(w));
                return 1;
            }
            printf("%lld\n", (long long)st.st_size);
        }
    }
    if (xte_writer_close(w) < 0)
        return 1;
    if (cut >= 0 && truncate(argv[1], cut) < 0) {
        perror(argv[1]);
        return 1;
    }
    free(evs);
    return 0;
}
