/*
 * bench_ept - seed 004: live migration of a guest whose p2m keeps
 * changing, pre-fix (ept_flush_policy=sync: every ept_sync_domain() IPIs
 * the pCPUs running the guest and waits for their INVEPT, under the p2m
 * write lock) against the fix (ept_flush_policy=deferred: one flush per
 * write-locked section, after the unlock), in the same process.
 *
 * The host: a guest of V vCPUs (16, then 64), each running on its own
 * pCPU; W writer pCPUs changing the guest's p2m (log-dirty faults: 1-4
 * entries per write-locked section, then a pause); one toolstack pCPU
 * mapping the guest's memory in batches of 1024 GFNs, taking the p2m read
 * lock once per GFN, as the migration toolstack does; and as many idle
 * pCPUs again as the guest has vCPUs.  Costs are real work in the harness:
 * an IPI is delivered IPI_DELAY_NS after it is sent (a cross-thread
 * interrupt), an INVEPT busies its pCPU for INVEPT_NS.
 *
 * Reported per guest size: the toolstack's read-lock wait p50/p99/max
 * (each take timed around the lock, exact percentiles), and watchdog
 * trips: batches whose read-lock waiting adds up to more than WATCHDOG_MS.
 * That threshold is Xen's 5 s watchdog scaled down by the same factor as
 * the flush cost: the seed's ept_sync_domain() took 3-5 ms on a 160-pCPU
 * host, a flush here costs about IPI_DELAY_NS = 50 us, a factor of 100.
 *
 * A run is cut after RUN_BUDGET (the batch then in progress counts as a
 * trip), so that a starved toolstack cannot hang the benchmark.
 *
 * usage: bench_ept [--batches N]   (default 8 per run)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <hvh/harness.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/time.h>
#include <asm/hvm/vmx/vmx.h>
#include <asm/p2m-ept-flush.h>

#include "../../hv/tests/ept/ept_sim.h"

#define IPI_DELAY_NS  50000
#define INVEPT_NS     2000
#define WRITERS       4
#define WRITER_PAUSE_US 1000
#define RUN_BUDGET    SECONDS(8)
#define BATCH         1024
#define MAP_NS        2000
#define WATCHDOG_MS   50

struct run_cfg {
    unsigned int vcpus;
    unsigned int batches;
};

struct run_out {
    uint64_t *wait;             /* every read-lock wait, ns */
    unsigned int nr;
    unsigned int trips;         /* batches over the watchdog threshold */
    uint64_t max_batch_wait;
    uint64_t changes;
    bool cut;                   /* stopped at RUN_BUDGET */
};

static struct domain *dom;
static unsigned int stop, writers_stop;
static struct run_out *out;
static unsigned int batches;

static void sched_in_fn(void *arg)
{
    ept_sim_sched_in(arg);
}

static void busy(s_time_t ns)
{
    s_time_t end = NOW() + ns;

    while ( NOW() < end )
        cpu_relax();
}

/*
 * The simulated host time-shares two cores among dozens of pCPU threads: a
 * thread holding the p2m lock can be preempted by the host scheduler for
 * milliseconds, which no real pCPU is.  The writers and, above them, the
 * toolstack run at a higher host priority, so that what the toolstack
 * waits for is the lock rather than the host's scheduler (both policies
 * alike).
 */
static void favour_this_thread(int nice)
{
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

static void writer_fn(void *arg)
{
    unsigned int seed = smp_processor_id() * 2654435761u;

    favour_this_thread(-5);

    while ( !__atomic_load_n(&writers_stop, __ATOMIC_ACQUIRE) )
    {
        unsigned int n = 1 + rand_r(&seed) % 4, i;

        ept_p2m_lock(dom);
        for ( i = 0; i < n; i++ )
            ept_sim_change(dom);
        ept_p2m_unlock(dom);
        /*
         * The writer's pCPU runs the guest for a while before its next
         * fault: a real sleep, so that it leaves the host's cores to the
         * others (no IPI targets a writer pCPU: it is not running the
         * guest, so it misses nothing while asleep).
         */
        usleep(WRITER_PAUSE_US);
    }
    favour_this_thread(0);
}

static void toolstack_fn(void *arg)
{
    unsigned int b, g;
    s_time_t deadline = NOW() + RUN_BUDGET;

    /* Its own pCPU in reality: the most favoured thread here. */
    favour_this_thread(-19);

    for ( b = 0; b < batches; b++ )
    {
        uint64_t batch_wait = 0;

        for ( g = 0; g < BATCH; g++ )
        {
            s_time_t t0 = NOW(), w;

            /*
             * A run that exceeds its time budget is cut: the batch in
             * progress counts as a watchdog trip.
             */
            if ( t0 > deadline )
            {
                out->trips++;
                out->cut = true;
                goto done;
            }
            ept_p2m_read_lock(dom);
            w = NOW() - t0;
            /* Look up the GFN and map it into the toolstack: ~2 us. */
            busy(MAP_NS);
            ept_p2m_read_unlock(dom);
            out->wait[out->nr++] = w;
            batch_wait += w;
        }
        if ( batch_wait > MILLISECS(WATCHDOG_MS) )
            out->trips++;
        if ( batch_wait > out->max_batch_wait )
            out->max_batch_wait = batch_wait;
    }
 done:
    favour_this_thread(0);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static uint64_t pct(const struct run_out *o, double q)
{
    unsigned int i;

    if ( !o->nr )
        return RUN_BUDGET;
    i = (unsigned int)(q * (o->nr - 1) + 0.5);
    return o->wait[i];
}

static int run(const char *policy, const struct run_cfg *c,
               struct run_out *o)
{
    unsigned int nr_pcpus = WRITERS + 1 + 2 * c->vcpus, i;
    unsigned int guest0 = WRITERS + 1;
    char cmd[64];

    snprintf(cmd, sizeof(cmd), "ept_flush_policy=%s", policy);
    if ( hvh_boot(nr_pcpus, cmd) )
        return -1;
    ept_sim_register_hooks();
    ept_sim_reset();
    hvh_set_ipi_delay(IPI_DELAY_NS);
    hvh_invept_ns = INVEPT_NS;
    dom = hvh_domain_create(1, c->vcpus, true);
    if ( !dom || hvh_start_cpus() )
        return -1;
    for ( i = 0; i < c->vcpus; i++ )
        hvh_run_on(guest0 + i, sched_in_fn, dom->vcpu[i]);

    memset(o, 0, sizeof(*o));
    o->wait = calloc((size_t)c->batches * BATCH, sizeof(*o->wait));
    if ( !o->wait )
        return -1;
    out = o;
    batches = c->batches;
    __atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&writers_stop, 0, __ATOMIC_RELEASE);

    for ( i = 0; i < WRITERS; i++ )
        hvh_queue_on(i, writer_fn, NULL);
    /* Migration starts once the guest's faults are in full swing. */
    usleep(100000);
    hvh_queue_on(WRITERS, toolstack_fn, NULL);
    /* Past the budget the writers stop, so a starved toolstack gets out. */
    for ( i = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); i++ )
    {
        usleep(1000);
        if ( i == RUN_BUDGET / MILLISECS(1) )
            __atomic_store_n(&writers_stop, 1, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&writers_stop, 1, __ATOMIC_RELEASE);
    hvh_quiesce();

    o->changes = ept_model.change_gen;
    if ( ept_model.stale )
    {
        fprintf(stderr, "%s: %lu VMENTERs with a stale translation\n",
                policy, ept_model.stale);
        return -1;
    }
    qsort(o->wait, o->nr, sizeof(*o->wait), cmp_u64);

    hvh_set_ipi_delay(0);
    hvh_invept_ns = 0;
    hvh_stop_cpus();
    hvh_domain_destroy(dom);
    hvh_shutdown();
    return 0;
}

static double us(uint64_t ns)
{
    return ns / 1000.0;
}

static double ratio(uint64_t base, uint64_t fix)
{
    return (double)base / (fix ? fix : 1);
}

int main(int argc, char **argv)
{
    static const unsigned int sizes[] = { 16, 64 };
    struct run_cfg cfg = { .batches = 8 };
    unsigned int i;

    for ( i = 1; i < (unsigned int)argc; i++ )
    {
        if ( !strcmp(argv[i], "--batches") && i + 1 < (unsigned int)argc )
            cfg.batches = atoi(argv[++i]);
        else
        {
            fprintf(stderr, "usage: %s [--batches N]\n", argv[0]);
            return 2;
        }
    }
    if ( cfg.batches < 1 || cfg.batches > 64 )
    {
        fprintf(stderr, "%s: --batches: want 1..64\n", argv[0]);
        return 2;
    }
    hvh_set_verbosity(1);

    for ( i = 0; i < 2; i++ )
    {
        struct run_out b, f;
        unsigned int v = sizes[i];

        cfg.vcpus = v;
        if ( run("sync", &cfg, &b) || run("deferred", &cfg, &f) )
        {
            fprintf(stderr, "bench_ept: run failed\n");
            return 1;
        }
        if ( b.cut || f.cut )
            printf("# %u vCPUs: run cut at its time budget: sync %s, "
                   "deferred %s\n", v, b.cut ? "yes" : "no",
                   f.cut ? "yes" : "no");
        printf("# %u vCPUs, %u pCPUs: sync %lu changes, read wait p50 %.1f "
               "p99 %.1f max %.1f us, worst batch %.1f ms, %u trips; "
               "deferred %lu changes, p50 %.1f p99 %.1f max %.1f us, worst "
               "batch %.1f ms, %u trips\n", v, WRITERS + 1 + 2 * v,
               (unsigned long)b.changes, us(pct(&b, 0.5)), us(pct(&b, 0.99)),
               us(pct(&b, 1)), b.max_batch_wait / 1e6, b.trips,
               (unsigned long)f.changes, us(pct(&f, 0.5)), us(pct(&f, 0.99)),
               us(pct(&f, 1)), f.max_batch_wait / 1e6, f.trips);

        printf("RESULT|ept-rwait-p99-%uvcpu|toolstack p2m read-lock wait p99, "
               "%u-vCPU guest migrating, %u pCPUs|sync=%.1f us|deferred=%.1f "
               "us|%.1f|at least 10x lower|%s\n", v, v, WRITERS + 1 + 2 * v,
               us(pct(&b, 0.99)), us(pct(&f, 0.99)),
               ratio(pct(&b, 0.99), pct(&f, 0.99)),
               ratio(pct(&b, 0.99), pct(&f, 0.99)) >= 10 ? "PASS" : "FAIL");
        printf("RESULT|ept-rwait-p50-%uvcpu|toolstack p2m read-lock wait p50, "
               "%u-vCPU guest migrating|sync=%.1f us|deferred=%.1f us|%.1f|"
               "lower|%s\n", v, v, us(pct(&b, 0.5)), us(pct(&f, 0.5)),
               ratio(pct(&b, 0.5), pct(&f, 0.5)),
               pct(&f, 0.5) <= pct(&b, 0.5) ? "PASS" : "FAIL");
        printf("RESULT|ept-rwait-max-%uvcpu|toolstack p2m read-lock wait max, "
               "%u-vCPU guest migrating|sync=%.1f us|deferred=%.1f us|%.1f|"
               "lower|%s\n", v, v, us(pct(&b, 1)), us(pct(&f, 1)),
               ratio(pct(&b, 1), pct(&f, 1)),
               pct(&f, 1) < pct(&b, 1) ? "PASS" : "FAIL");
        printf("RESULT|ept-watchdog-%uvcpu|1024-GFN batches whose read-lock "
               "waits exceed %u ms (watchdog), of %u, %u-vCPU guest|sync=%u "
               "batches|deferred=%u batches|%.1f|zero with the fix|%s\n",
               v, WATCHDOG_MS, cfg.batches, v, b.trips, f.trips,
               ratio(b.trips, f.trips), f.trips == 0 ? "PASS" : "FAIL");
        free(b.wait);
        free(f.wait);
    }

    return 0;
}
