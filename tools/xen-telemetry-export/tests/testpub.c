/*
 * testpub.c - publish telemetry nodes whose counters follow known laws, for
 * the end-to-end test of the Prometheus export (e2e-prometheus.sh).
 *
 *   xtx-testpub --shm NAME [--seconds S] [--rate R] [--tick-ms MS]
 *
 * Every counter is a function of the time t elapsed since start, so the
 * rate Prometheus computes can be checked against the law itself:
 *
 *   pi.adds on pCPU p            floor(R * (p + 1) * t)
 *   ept.flush_latency on pCPU p  floor(R * t) samples; sample k is 2 ms
 *                                when k % 10 == 9, else 100 us
 *   dpci.latency on pCPU p       floor(R * t) samples; sample k is 600 us
 *                                when k % 20 == 19, else 3 us
 *
 * plus fixed gauges: pi.list_len 9 of list_limit 10 on pCPU 0 (90%, so the
 * example PI alert goes pending), maptrack domain 1 using 950 of 4 frames'
 * 1024 handles (93%).  At start it prints the expected answers, one
 * key=value per line, derived from those laws (nothing measured): the
 * rates, the true quantiles, the log2 bucket that holds them and the value
 * Prometheus's histogram_quantile() interpolates in that bucket.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "telemetry.h"

#define NR_PCPUS 2
#define NR_DOMAINS 2

struct mix {                    /* a two-valued sample stream */
    uint64_t base_ns, tail_ns;
    unsigned int period;        /* sample k is tail when k % period == period-1 */
};

static const struct mix ept_mix = { 100000, 2000000, 10 };
static const struct mix dpci_mix = { 3000, 600000, 20 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void set_u64(uint8_t *rec, const struct xte_node_desc *d, int domain,
                    const char *field, uint64_t v)
{
    const struct xte_counter_desc *f = xte_node_field(d, domain, field);

    if (!f || f->kind == XTE_KIND_HIST) {
        fprintf(stderr, "xtx-testpub: catalogue has no field %s.%s\n",
                d->subsystem, field);
        exit(1);
    }
    memcpy(rec + f->offset, &v, sizeof(v));
}

static void set_mix(uint8_t *rec, const struct xte_node_desc *d,
                    const char *field, const struct mix *m, uint64_t n)
{
    const struct xte_counter_desc *f = xte_node_field(d, 0, field);
    uint64_t tails = n / m->period, bases = n - tails;
    struct xte_hist h;

    if (!f || f->kind != XTE_KIND_HIST) {
        fprintf(stderr, "xtx-testpub: catalogue has no histogram %s.%s\n",
                d->subsystem, field);
        exit(1);
    }
    memset(&h, 0, sizeof(h));
    h.bucket[xte_hist_bucket(m->base_ns)] += bases;
    h.bucket[xte_hist_bucket(m->tail_ns)] += tails;
    h.sum = bases * m->base_ns + tails * m->tail_ns;
    h.max = tails ? m->tail_ns : (bases ? m->base_ns : 0);
    memcpy(rec + f->offset, &h, sizeof(h));
}

/*
 * What histogram_quantile(q, rate(..._bucket)) should answer for a stream
 * in steady state: the bucket holding the q-quantile, and linear
 * interpolation inside it between the previous le and its own le (our le
 * for log2 bucket b is 2^b - 1, see promtext.h).
 */
static void print_quantile(const char *key, const struct mix *m, double q)
{
    double tail_frac = 1.0 / m->period;
    int in_tail = q > 1.0 - tail_frac;
    uint64_t v = in_tail ? m->tail_ns : m->base_ns;
    unsigned int b = xte_hist_bucket(v);
    double lo = (double)(xte_hist_bucket_high(b - 1) - 1) / 1e9;
    double hi = (double)(xte_hist_bucket_high(b) - 1) / 1e9;
    double below = in_tail ? 1.0 - tail_frac : 0.0;
    double inside = in_tail ? tail_frac : 1.0 - tail_frac;

    printf("%s_true_s=%.9f\n", key, (double)v / 1e9);
    printf("%s_bucket_low_s=%.9f\n%s_bucket_high_s=%.9f\n", key, lo, key, hi);
    printf("%s_interp_s=%.9f\n", key, lo + (hi - lo) * (q - below) / inside);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "shm", required_argument, NULL, 's' },
        { "seconds", required_argument, NULL, 't' },
        { "rate", required_argument, NULL, 'r' },
        { "tick-ms", required_argument, NULL, 'k' },
        { NULL, 0, NULL, 0 },
    };
    const char *name = NULL;
    double seconds = 60, rate = 1000, tick_ms = 10;
    static uint8_t bufs[XTE_NR_NODES][65536];
    const void *bytes[XTE_NR_NODES];
    size_t len[XTE_NR_NODES];
    struct xte_error err;
    struct xte_shm *shm;
    struct sigaction sa;
    uint64_t t0, gen;
    int opt;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 's': name = optarg; break;
        case 't': seconds = atof(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'k': tick_ms = atof(optarg); break;
        default: return 2;
        }
    }
    if (!name || !(seconds > 0) || !(rate > 0) || !(tick_ms > 0)) {
        fprintf(stderr, "usage: xtx-testpub --shm NAME [--seconds S] "
                "[--rate R] [--tick-ms MS]\n");
        return 2;
    }

    memset(&err, 0, sizeof(err));
    shm = xte_shm_create(name, sizeof(bufs[0]), &err);
    if (!shm) {
        xte_print_error(stderr, &err);
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    for (unsigned int p = 0; p < NR_PCPUS; p++)
        printf("pi_adds_rate_pcpu%u=%.6f\n", p, rate * (p + 1));
    printf("hist_rate_per_pcpu=%.6f\n", rate);
    print_quantile("ept_flush_p99", &ept_mix, 0.99);
    print_quantile("ept_flush_p50", &ept_mix, 0.50);
    print_quantile("dpci_latency_p99", &dpci_mix, 0.99);
    printf("pi_list_len_pcpu0=9\npi_list_limit=10\n");
    printf("maptrack_in_use_dom1=950\nmaptrack_limit_frames_dom1=4\n");
    fflush(stdout);

    t0 = now_ns();
    gen = t0;
    while (!stop) {
        uint64_t t = now_ns(), el = t - t0;
        double secs = (double)el / 1e9;
        struct timespec ts;

        if (secs >= seconds)
            break;
        for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
            const struct xte_node_desc *d = &xte_nodes[n];
            uint64_t hist_n = (uint64_t)floor(rate * secs);

            len[n] = xte_node_init(bufs[n], sizeof(bufs[n]), n, NR_PCPUS,
                                   NR_DOMAINS, t, gen);
            bytes[n] = bufs[n];
            if (!len[n]) {
                fprintf(stderr, "xtx-testpub: node %s does not fit\n",
                        d->subsystem);
                return 1;
            }
            for (unsigned int p = 0; p < NR_PCPUS; p++) {
                struct xte_node_view v;
                uint8_t *rec;

                xte_node_parse(bufs[n], len[n], "testpub", &v, &err);
                rec = (uint8_t *)xte_node_pcpu(&v, p);
                if (n == XTE_NODE_pi) {
                    set_u64(rec, d, 0, "adds",
                            (uint64_t)floor(rate * (p + 1) * secs));
                    set_u64(rec, d, 0, "list_len", p == 0 ? 9 : 3);
                    set_u64(rec, d, 0, "list_limit", 10);
                } else if (n == XTE_NODE_ept) {
                    set_mix(rec, d, "flush_latency", &ept_mix, hist_n);
                } else if (n == XTE_NODE_dpci) {
                    set_mix(rec, d, "latency", &dpci_mix, hist_n);
                }
            }
            for (unsigned int i = 0; i < NR_DOMAINS && d->nr_domain_fields;
                 i++) {
                struct xte_node_view v;
                uint8_t *rec;

                xte_node_parse(bufs[n], len[n], "testpub", &v, &err);
                rec = (uint8_t *)xte_node_domain(&v, i);
                set_u64(rec, d, 1, "domid", i + 1);
                if (n == XTE_NODE_maptrack) {
                    set_u64(rec, d, 1, "in_use", i == 0 ? 950 : 10);
                    set_u64(rec, d, 1, "limit_frames", 4);
                    set_u64(rec, d, 1, "frames", i == 0 ? 4 : 1);
                }
            }
        }
        if (xte_shm_publish(shm, bytes, len) < 0) {
            fprintf(stderr, "xtx-testpub: publish failed\n");
            return 1;
        }
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(tick_ms * 1e6);
        nanosleep(&ts, NULL);
    }
    xte_shm_close(shm, 1);
    return 0;
}
