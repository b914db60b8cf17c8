/*
 * bench_dpci - seed 002 at this machine's scale: half the pCPUs take
 * passthrough interrupts for their guests non-stop; the other half run
 * idle guests whose only event is a 1 ms timer VIRQ, delivered through a
 * tasklet (the global tasklet lock, as in Xen, in both runs).
 *
 * Baseline (dpci_policy=tasklet): every passthrough interrupt goes through
 * the global tasklet lock (schedule, run).  Fix (dpci_policy=softirq):
 * per-pCPU lists and HVM_DPCI_SOFTIRQ.  Same process, same work.
 *
 * Reported, from the hypervisor's own per-pCPU telemetry (hypfs
 * /telemetry/dpci) and the guests' view:
 *  - the share of the idle pCPUs' time spent waiting for the tasklet lock
 *    (lock_wait_ns of those pCPUs / run time): the seed's stolen time;
 *  - injection latency p50/p99, from the first interrupt pending to the
 *    injection into the guest;
 *  - global lock acquisitions per passthrough interrupt on the busy pCPUs.
 *
 * usage: bench_dpci [--pcpus P] [--seconds S]   (defaults: host cores
 * rounded up to even, at least 2; 2 s per run)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hvh/harness.h>
#include <xen/sched.h>
#include <xen/softirq.h>
#include <xen/tasklet.h>
#include <xen/hvm/dpci.h>
#include <hvh/dpci.h>
#include <public/telemetry.h>

#define MAX_PCPUS   64
#define PIRQS       4               /* per busy guest */
#define MAX_SAMPLES (1u << 20)

struct busy {
    struct domain *d;
    uint64_t first_pending[PIRQS];  /* ns, 0: nothing pending */
    uint64_t fired, accepted;
    uint64_t *lat;                  /* injection latencies, ns */
    unsigned int nr_lat;
};

struct idle {
    struct tasklet timer;           /* the guest's VIRQ_TIMER tasklet */
    uint64_t virqs;
    s_time_t fired;                 /* when the timer went off */
    uint64_t delay[16384];          /* timer to VIRQ delivered, ns */
    unsigned int nr_delay;
};

static struct busy busy[MAX_PCPUS];
static struct idle idle[MAX_PCPUS];
static unsigned int nr_pcpus, nr_busy;
static int stop;

static void deliver(struct domain *d, const struct hvm_pirq_dpci *pirq_dpci)
{
    struct busy *b = d->hvh_priv;
    uint64_t t = __atomic_exchange_n(&b->first_pending[hvh_dpci_pirq_nr(pirq_dpci)], 0,
                                     __ATOMIC_ACQ_REL);

    if ( t && b->nr_lat < MAX_SAMPLES )
        b->lat[b->nr_lat++] = NOW() - t;
}

static void busy_loop(void *arg)
{
    struct busy *b = arg;
    unsigned int n = 0;

    while ( !__atomic_load_n(&stop, __ATOMIC_ACQUIRE) )
    {
        unsigned int p = n++ % PIRQS;
        uint64_t zero = 0;

        b->fired++;
        __atomic_compare_exchange_n(&b->first_pending[p], &zero, NOW(), false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
        b->accepted += hvh_dpci_irq(b->d, p);
        /* Softirqs run on the way back to the guest (vmx_do_resume). */
        if ( n % 2 == 0 )
            process_pending_softirqs();
    }
    process_pending_softirqs();
}

static void timer_virq(void *data)
{
    struct idle *i = data;

    i->virqs++;
    if ( i->nr_delay < ARRAY_SIZE(i->delay) )
        i->delay[i->nr_delay++] = NOW() - i->fired;
}

static void idle_loop(void *arg)
{
    struct idle *i = arg;
    struct timespec next;

    tasklet_init(&i->timer, timer_virq, i);
    clock_gettime(CLOCK_MONOTONIC, &next);
    while ( !__atomic_load_n(&stop, __ATOMIC_ACQUIRE) )
    {
        next.tv_nsec += 1000000;
        if ( next.tv_nsec >= 1000000000 )
        {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        /* Halted until the guest's timer fires. */
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        i->fired = NOW();
        tasklet_schedule(&i->timer);
        process_pending_softirqs();
    }
    tasklet_kill(&i->timer);
}

static struct telemetry_dpci_pcpu recs[MAX_PCPUS];

static int snapshot(struct telemetry_dpci_pcpu *out)
{
    static uint8_t buf[1 << 20];
    const struct telemetry_header *h = (const void *)buf;
    size_t len = 0;
    unsigned int i;

    if ( hvh_hypfs_read("/telemetry/dpci", buf, sizeof(buf), &len) ||
         len < sizeof(*h) || h->magic != TELEMETRY_MAGIC ||
         h->nr_pcpus < nr_pcpus )
        return -1;
    for ( i = 0; i < nr_pcpus; i++ )
        memcpy(&out[i], buf + h->header_size + (size_t)i * h->pcpu_record_size,
               sizeof(out[i]));
    return 0;
}

struct result {
    double idle_wait_share;         /* percent */
    double p50_us, p99_us;
    double lock_per_irq;
    double virq_p99_us;             /* idle guests' timer VIRQ delay */
    uint64_t accepted, virqs;
};

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static int run(enum dpci_policy policy, double seconds, struct result *r)
{
    struct telemetry_dpci_pcpu before[MAX_PCPUS];
    uint64_t *all, n = 0, lock = 0, wait = 0;
    struct timespec ts = { (time_t)seconds,
                           (long)((seconds - (time_t)seconds) * 1e9) };
    s_time_t t0, elapsed;
    unsigned int c, p;

    memset(r, 0, sizeof(*r));
    dpci_policy = policy;
    stop = 0;
    for ( c = 0; c < nr_busy; c++ )
    {
        struct busy *b = &busy[c];

        memset(b, 0, sizeof(*b));
        b->lat = calloc(MAX_SAMPLES, sizeof(*b->lat));
        b->d = hvh_domain_create(200 + c, 1, true);
        if ( !b->lat || !b->d || hvh_dpci_domain_init(b->d, PIRQS, deliver) )
            return -1;
        b->d->hvh_priv = b;
        hvh_cpu_enter(c);
        for ( p = 0; p < PIRQS; p++ )
            if ( hvh_dpci_bind(b->d, p, 0x40 + p) )
                return -1;
        hvh_cpu_leave();
    }
    for ( c = nr_busy; c < nr_pcpus; c++ )
        memset(&idle[c], 0, sizeof(idle[c]));

    if ( snapshot(before) || hvh_start_cpus() )
        return -1;
    t0 = NOW();
    for ( c = 0; c < nr_pcpus; c++ )
        if ( hvh_queue_on(c, c < nr_busy ? busy_loop : idle_loop,
                          c < nr_busy ? (void *)&busy[c] : (void *)&idle[c]) )
            return -1;
    nanosleep(&ts, NULL);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    hvh_quiesce();
    elapsed = NOW() - t0;
    hvh_stop_cpus();
    if ( snapshot(recs) )
        return -1;

    all = malloc(sizeof(*all) * ARRAY_SIZE(idle[0].delay) * nr_pcpus);
    if ( !all )
        return -1;
    for ( c = nr_busy; c < nr_pcpus; c++ )
    {
        wait += recs[c].lock_wait_ns - before[c].lock_wait_ns;
        r->virqs += idle[c].virqs;
        memcpy(all + n, idle[c].delay, idle[c].nr_delay * sizeof(*all));
        n += idle[c].nr_delay;
    }
    if ( !n )
        return -1;
    qsort(all, n, sizeof(*all), cmp_u64);
    r->virq_p99_us = all[(n * 99) / 100] / 1e3;
    printf("# %s: idle guests' timer VIRQ delay p50 %.2f us, p99.9 %.2f us, "
           "max %.2f us (%llu VIRQs)\n",
           policy == DPCI_POLICY_TASKLET ? "tasklet" : "softirq",
           all[n / 2] / 1e3, all[(n * 999) / 1000] / 1e3, all[n - 1] / 1e3,
           (unsigned long long)n);
    free(all);
    n = 0;
    r->idle_wait_share = 100.0 * wait / ((double)elapsed * (nr_pcpus - nr_busy));

    all = malloc(sizeof(*all) * (size_t)MAX_SAMPLES * nr_busy);
    if ( !all )
        return -1;
    for ( c = 0; c < nr_busy; c++ )
    {
        struct busy *b = &busy[c];

        lock += recs[c].lock_acquisitions - before[c].lock_acquisitions;
        r->accepted += b->accepted;
        memcpy(all + n, b->lat, b->nr_lat * sizeof(*all));
        n += b->nr_lat;

        hvh_cpu_enter(c);
        if ( arch_pci_clean_pirqs(b->d) )
            return -1;
        hvh_dpci_domain_free(b->d);
        hvh_cpu_leave();
        hvh_domain_destroy(b->d);
        free(b->lat);
    }
    if ( !n || !r->accepted )
        return -1;
    qsort(all, n, sizeof(*all), cmp_u64);
    r->p50_us = all[n / 2] / 1e3;
    r->p99_us = all[(n * 99) / 100] / 1e3;
    r->lock_per_irq = (double)lock / r->accepted;
    free(all);

    printf("# %s: %.2f s, %llu interrupts taken on %u busy pCPUs, %llu timer "
           "VIRQs on %u idle pCPUs, idle lock wait %.3f ms\n",
           policy == DPCI_POLICY_TASKLET ? "tasklet" : "softirq",
           elapsed / 1e9, (unsigned long long)r->accepted, nr_busy,
           (unsigned long long)r->virqs, nr_pcpus - nr_busy, wait / 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = 2.0;
    struct result base, fix;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int i;

    nr_pcpus = cores < 2 ? 2 : (cores + 1) & ~1L;
    for ( i = 1; i < argc; i++ )
    {
        if ( !strcmp(argv[i], "--pcpus") && i + 1 < argc )
            nr_pcpus = strtoul(argv[++i], NULL, 0);
        else if ( !strcmp(argv[i], "--seconds") && i + 1 < argc )
            seconds = strtod(argv[++i], NULL);
        else
        {
            fprintf(stderr, "usage: %s [--pcpus P (even, 2..%d)] [--seconds S]\n",
                    argv[0], MAX_PCPUS);
            return 2;
        }
    }
    if ( nr_pcpus < 2 || nr_pcpus > MAX_PCPUS || (nr_pcpus & 1) ||
         !(seconds > 0 && seconds <= 600) )
    {
        fprintf(stderr, "%s: --pcpus must be even, 2..%d; --seconds in (0, 600]\n",
                argv[0], MAX_PCPUS);
        return 2;
    }
    nr_busy = nr_pcpus / 2;

    if ( hvh_boot(nr_pcpus, NULL) )
        return 1;
    if ( run(DPCI_POLICY_TASKLET, seconds, &base) ||
         run(DPCI_POLICY_SOFTIRQ, seconds, &fix) )
    {
        fprintf(stderr, "bench_dpci: run failed\n");
        return 1;
    }
    hvh_shutdown();

    printf("# pCPUs are threads sharing %ld host cores with each other and with "
           "whatever else runs: a lock holder descheduled by the host inflates "
           "the baseline's waits (lock-holder preemption); the fix has no "
           "shared lock to wait for\n",
           cores);
    /* Fix figures of 0 are shown against floors of 0.01 % and 0.01 acq. */
    printf("RESULT|dpci-idle-lock-wait|idle pCPUs' time spent waiting for the tasklet lock, %u pCPUs (ratio: fix floored at 0.01%%)|"
           "tasklet=%.4f %%|softirq=%.4f %%|%.1f|fix below baseline and under 1%% (seed: 10%% of a slice)|%s\n",
           nr_pcpus, base.idle_wait_share, fix.idle_wait_share,
           base.idle_wait_share / (fix.idle_wait_share > 0.01 ? fix.idle_wait_share : 0.01),
           fix.idle_wait_share < base.idle_wait_share && fix.idle_wait_share < 1.0 ? "PASS" : "FAIL");
    printf("RESULT|dpci-idle-virq-p99|idle guests' 1 ms timer VIRQ, timer to delivery p99|"
           "tasklet=%.2f us|softirq=%.2f us|%.2f|fix p99 not above baseline|%s\n",
           base.virq_p99_us, fix.virq_p99_us, base.virq_p99_us / fix.virq_p99_us,
           fix.virq_p99_us <= base.virq_p99_us ? "PASS" : "FAIL");
    printf("RESULT|dpci-latency-p50|passthrough injection latency p50|"
           "tasklet=%.2f us|softirq=%.2f us|%.2f|fix p50 not above baseline|%s\n",
           base.p50_us, fix.p50_us, base.p50_us / fix.p50_us,
           fix.p50_us <= base.p50_us ? "PASS" : "FAIL");
    printf("RESULT|dpci-latency-p99|passthrough injection latency p99|"
           "tasklet=%.2f us|softirq=%.2f us|%.2f|fix p99 not above baseline|%s\n",
           base.p99_us, fix.p99_us, base.p99_us / fix.p99_us,
           fix.p99_us <= base.p99_us ? "PASS" : "FAIL");
    printf("RESULT|dpci-lock-per-irq|global tasklet-lock acquisitions per passthrough interrupt (ratio: fix floored at 0.01)|"
           "tasklet=%.2f acq|softirq=%.2f acq|%.1f|fix takes no global lock on the dpci path|%s\n",
           base.lock_per_irq, fix.lock_per_irq,
           base.lock_per_irq / (fix.lock_per_irq > 0.01 ? fix.lock_per_irq : 0.01),
           fix.lock_per_irq == 0 ? "PASS" : "FAIL");
    return 0;
}
