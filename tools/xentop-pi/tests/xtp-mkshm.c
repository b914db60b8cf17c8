/*
 * xtp-mkshm NAME [--pcpus N] [--domains M] [--seconds S] [--period MS]
 *           [--restart-after K]
 *
 * A stand-in publisher for tests and the benchmark: creates the simulator's
 * shared memory /dev/shm/xte-NAME with xte_shm_create and publishes every
 * node each period, the counters growing at known rates: on publish p,
 * pCPU c's PI record has adds = p (c + 1), list_len = c % 7 and limit 5;
 * domain d's maptrack record has in_use = 10 d + p, frames = 1, limit 4,
 * steals = p; EPT flushes = 2p per domain.  --restart-after K starts the
 * counters again from zero with a new generation after K publishes (a
 * simulator restart).  Removes the file at the end.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "telemetry.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    stop = 1;
}

static void set(uint8_t *rec, const struct xte_node_desc *nd, int dom,
                const char *name, uint64_t v)
{
    const struct xte_counter_desc *f = xte_node_field(nd, dom, name);

    if (f)
        memcpy(rec + f->offset, &v, 8);
}

int main(int argc, char **argv)
{
    unsigned int pcpus = 4, doms = 3, period_ms = 100;
    long restart = -1;
    double seconds = 5;
    struct xte_error err;
    struct xte_shm *shm;
    void *bytes[XTE_NR_NODES];
    const void *cbytes[XTE_NR_NODES];
    size_t len[XTE_NR_NODES], slot = 0;
    uint64_t gen = 1, p = 0;
    struct timespec t0, now;

    if (argc < 2) {
        fprintf(stderr, "usage: xtp-mkshm NAME [--pcpus N] [--domains M] "
                "[--seconds S] [--period MS] [--restart-after K]\n");
        return 2;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--pcpus"))
            pcpus = (unsigned int)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--domains"))
            doms = (unsigned int)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds"))
            seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--period"))
            period_ms = (unsigned int)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--restart-after"))
            restart = atol(argv[i + 1]);
    }
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        size_t l = sizeof(struct xte_telemetry_header) +
                   (size_t)pcpus * xte_nodes[n].pcpu_record_size +
                   (size_t)doms * xte_nodes[n].domain_record_size;
        if (l > slot)
            slot = l;
    }
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        bytes[n] = calloc(1, slot);
        cbytes[n] = bytes[n];
        if (!bytes[n])
            return 1;
    }
    shm = xte_shm_create(argv[1], slot, &err);
    if (!shm) {
        xte_print_error(stderr, &err);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        uint64_t ts;

        clock_gettime(CLOCK_MONOTONIC, &now);
        ts = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
        if (stop || (double)(now.tv_sec - t0.tv_sec) +
            (double)(now.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
            break;
        if (restart >= 0 && p == (uint64_t)restart && gen == 1) {
            gen = 2;
            p = 0;
        }
        p++;
        for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
            const struct xte_node_desc *nd = &xte_nodes[n];
            struct xte_node_view v;

            len[n] = xte_node_init(bytes[n], slot, n, pcpus, doms, ts, gen);
            if (xte_node_parse(bytes[n], len[n], "mkshm", &v, &err) < 0) {
                xte_print_error(stderr, &err);
                return 1;
            }
            for (unsigned int c = 0; c < pcpus; c++) {
                uint8_t *r = (uint8_t *)xte_node_pcpu(&v, c);

                if (n == XTE_NODE_pi) {
                    set(r, nd, 0, "adds", p * (c + 1));
                    set(r, nd, 0, "list_len", c % 7);
                    set(r, nd, 0, "list_hwm", c % 7 + 1);
                    set(r, nd, 0, "list_limit", 5);
                    set(r, nd, 0, "hvm_vcpus", 2ull * doms);
                    set(r, nd, 0, "wakeup_irqs", p);
                }
                if (n == XTE_NODE_dpci) {
                    set(r, nd, 0, "softirqs_raised", p);
                    set(r, nd, 0, "items_run", 3 * p);
                }
            }
            for (unsigned int d = 0; d < v.hdr.nr_domains; d++) {
                uint8_t *r = (uint8_t *)xte_node_domain(&v, d);

                set(r, nd, 1, "domid", d + 1);
                set(r, nd, 1, "nr_vcpus", 2);
                set(r, nd, 1, "in_use", 10ull * d + p);
                set(r, nd, 1, "frames", 1);
                set(r, nd, 1, "limit_frames", 4);
                set(r, nd, 1, "steals", p);
                set(r, nd, 1, "flushes", 2 * p);
                set(r, nd, 1, "reads_emulated", p);
                set(r, nd, 1, "items_run", p);
            }
        }
        if (xte_shm_publish(shm, cbytes, len) < 0) {
            fprintf(stderr, "xtp-mkshm: publish failed\n");
            return 1;
        }
        usleep(period_ms * 1000u);
    }
    xte_shm_close(shm, 1);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++)
        free(bytes[n]);
    return 0;
}
