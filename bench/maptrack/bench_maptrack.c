/*
 * bench_maptrack - seed 003: maptrack handle get/put throughput of one
 * domain whose vCPUs all do grant maps at once, pre-fix (one free list
 * under the maptrack lock, maptrack_policy=locked) against the fix
 * (per-vCPU free lists, maptrack_policy=percpu), in the same process.
 *
 * Each vCPU runs on its own simulated pCPU (a thread) and does get/put
 * pairs as fast as it can for a fixed time; a quarter of its puts give the
 * handle back from another vCPU (the unmap of a mapping made elsewhere),
 * through a per-vCPU hand-off slot.  Reported per vCPU count (1, 2, 4, 16):
 * pairs per second (median of REPS alternating runs of each policy), and
 * maptrack lock acquisitions per operation from the hypervisor's own
 * per-pCPU telemetry (hypfs /telemetry/maptrack).
 *
 * This host has few cores: with more vCPU threads than cores, threads
 * share cores and throughput cannot grow past the core count; what can be
 * seen is whether it holds up (fix) or collapses under lock contention and
 * lock-holder preemption (baseline).
 *
 * With one vCPU nothing contends and no put is remote: the lock costs an
 * xchg to take and a store to drop, the fix a cmpxchg on the vCPU's own
 * list head per get and per put, all on lines that stay in the core's
 * cache.  The seed's gain is the contention the lock adds, which takes a
 * second vCPU, so at one vCPU the claim is only that the fix costs no more
 * than the lock, less 10% for noise (over 19 runs on this 2-core machine,
 * shared with other jobs, the 1-vCPU ratio ranged 0.84-1.35, median
 * 1.07); from two vCPUs on, that it is faster.
 *
 * A control runs the same hand-off with the maptrack calls left out (a
 * counter stands in for get, nothing for put), at 1 and 2 vCPUs: the same
 * for both policies, so neither gets a free pass from it, but at 2 vCPUs
 * its two slot exchanges per four pairs cross cores, and the 1-vCPU run
 * hands nothing off.  The time per pair it adds at 2 vCPUs, on top of the
 * fix's own 1-vCPU time per pair, gives the most any fix could do at 2
 * vCPUs in this workload even if its own gets and puts never crossed
 * cores (if each thread has a core to itself: on a busy machine the
 * figure means less); that ceiling is printed next to the 2-vCPU scaling
 * claim, which measures the hand-off too (on 2 host cores it comes out near
 * 1.2x, under that claim's 1.3x, whatever the fix does).  A second scaling
 * claim, 16 vCPUs over 1, shows whether the second core adds throughput
 * once both are busy with contending vCPUs.
 *
 * usage: bench_maptrack [--seconds S]   (default 0.5 s per point)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hvh/harness.h>
#include <xen/sched.h>
#include <xen/grant_maptrack.h>

#include "../../hv/tests/maptrack/maptrack_sim.h"

#define MAX_VCPUS 16
#define REPS      3

struct worker {
    struct domain *d;
    unsigned int idx, nr;
    uint64_t pairs;
    unsigned int seed;
    /*
     * Hand-off slot: a handle or ~0u.  The previous vCPU writes it, so it
     * has a cache line of its own: sharing one with the fields above,
     * which the owner reads on every pair, made each hand-off cost the
     * owner a miss that had nothing to do with maptrack.
     */
    unsigned int slot __attribute__((aligned(64)));
} __attribute__((aligned(64)));

static struct worker workers[MAX_VCPUS];
static unsigned int go, stop;
/* The control: hand-off without maptrack calls. */
static bool handoff_only;
static volatile unsigned int sink;

/* Out of line, as get_maptrack_handle() and put_maptrack_handle() are. */
static noinline unsigned int fake_get(unsigned int *next)
{
    return (*next)++ % MAPTRACK_PER_PAGE;
}

static noinline void fake_put(unsigned int h)
{
    sink = h;
}

static void do_put(struct domain *d, unsigned int h)
{
    if ( handoff_only )
        fake_put(h);
    else
        put_maptrack_handle(d, h);
}

static void worker_fn(void *arg)
{
    struct worker *w = arg;
    struct domain *d = w->d;
    struct vcpu *saved = current;
    struct worker *next = &workers[(w->idx + 1) % w->nr];
    uint64_t pairs = 0;
    unsigned int fake = 0;

    set_current(d->vcpu[w->idx]);
    while ( !__atomic_load_n(&go, __ATOMIC_ACQUIRE) )
        cpu_relax();

    while ( !__atomic_load_n(&stop, __ATOMIC_RELAXED) )
    {
        unsigned int h = handoff_only ? fake_get(&fake)
                                      : get_maptrack_handle(d);

        if ( h == INVALID_MAPTRACK_HANDLE )
            break;
        /*
         * Every fourth handle is left for the next vCPU to unmap, and the
         * one the previous vCPU left here is unmapped; if the next vCPU
         * has not taken the last one yet, that one is put back here.
         */
        if ( w->nr > 1 && (pairs & 3) == 3 )
        {
            unsigned int in = __atomic_exchange_n(&w->slot, ~0u,
                                                  __ATOMIC_ACQ_REL);

            if ( in != ~0u )
                do_put(d, in);
            h = __atomic_exchange_n(&next->slot, h, __ATOMIC_ACQ_REL);
        }
        if ( h != ~0u )
            do_put(d, h);
        pairs++;
    }
    w->pairs = pairs;
    set_current(saved);
}

static void drain_fn(void *arg)
{
    struct worker *w = arg;
    struct vcpu *saved = current;
    unsigned int h = __atomic_exchange_n(&w->slot, ~0u, __ATOMIC_ACQ_REL);

    set_current(w->d->vcpu[w->idx]);
    if ( h != ~0u )
        do_put(w->d, h);
    set_current(saved);
}

struct point {
    double pairs_per_s;
    double locks_per_op;
    uint64_t ops;
};

static int run(const char *policy, unsigned int nr, double seconds,
               struct point *pt)
{
    char cmd[128];
    struct domain *d;
    struct timespec t0, t1;
    uint64_t pairs = 0, ops;
    unsigned int i;

    snprintf(cmd, sizeof(cmd), "maptrack_policy=%s "
             "gnttab_max_maptrack_frames=1024", policy);
    if ( hvh_boot(nr, cmd) )
        return -1;
    mt_sim_register_hooks();
    d = hvh_domain_create(1, nr, true);
    if ( !d || hvh_start_cpus() )
        return -1;

    memset(workers, 0, sizeof(workers));
    __atomic_store_n(&go, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
    for ( i = 0; i < nr; i++ )
    {
        workers[i].d = d;
        workers[i].idx = i;
        workers[i].nr = nr;
        workers[i].slot = ~0u;
        hvh_queue_on(i, worker_fn, &workers[i]);
    }
    usleep(20000);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    usleep((useconds_t)(seconds * 1e6));
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    hvh_quiesce();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for ( i = 0; i < nr; i++ )
        hvh_run_on(i, drain_fn, &workers[i]);

    for ( i = 0; i < nr; i++ )
        pairs += workers[i].pairs;
    ops = mt_sim_counter(MT_CTR_GETS) + mt_sim_counter(MT_CTR_PUTS);
    pt->ops = ops;
    pt->pairs_per_s = pairs / ((t1.tv_sec - t0.tv_sec) +
                               (t1.tv_nsec - t0.tv_nsec) / 1e9);
    pt->locks_per_op = ops ? (double)mt_sim_counter(MT_CTR_LOCKS) / ops : 0;
    if ( !handoff_only && maptrack_in_use(d) != 0 )
    {
        fprintf(stderr, "%s, %u vCPUs: %u handles still in use\n", policy,
                nr, maptrack_in_use(d));
        return -1;
    }

    hvh_stop_cpus();
    hvh_domain_destroy(d);
    hvh_shutdown();
    return 0;
}

static int cmp_point(const void *a, const void *b)
{
    double x = ((const struct point *)a)->pairs_per_s;
    double y = ((const struct point *)b)->pairs_per_s;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static const unsigned int counts[] = { 1, 2, 4, 16 };
    struct point base[4], fix[4], ctl[2];
    double seconds = 0.5, sb, sf;
    unsigned int i;

    for ( i = 1; i < (unsigned int)argc; i++ )
    {
        if ( !strcmp(argv[i], "--seconds") && i + 1 < (unsigned int)argc )
            seconds = atof(argv[++i]);
        else
        {
            fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
            return 2;
        }
    }
    if ( !(seconds > 0 && seconds <= 60) )
    {
        fprintf(stderr, "%s: --seconds: want a number in (0, 60]\n", argv[0]);
        return 2;
    }
    hvh_set_verbosity(1);

    /*
     * Baseline and fix (and at 1 and 2 vCPUs the control) alternate at
     * each point, REPS times, so that all see the same machine state; each
     * point is the median run.
     */
    for ( i = 0; i < 4; i++ )
    {
        struct point b[REPS], f[REPS], c[REPS];
        unsigned int r;

        for ( r = 0; r < REPS; r++ )
        {
            if ( run("locked", counts[i], seconds, &b[r]) ||
                 run("percpu", counts[i], seconds, &f[r]) )
                goto failed;
            if ( i < 2 )
            {
                handoff_only = true;
                if ( run("percpu", counts[i], seconds, &c[r]) )
                    goto failed;
                handoff_only = false;
            }
        }
        qsort(b, REPS, sizeof(*b), cmp_point);
        qsort(f, REPS, sizeof(*f), cmp_point);
        base[i] = b[REPS / 2];
        fix[i] = f[REPS / 2];
        if ( i < 2 )
        {
            qsort(c, REPS, sizeof(*c), cmp_point);
            ctl[i] = c[REPS / 2];
            printf("# %2u vCPUs: hand-off alone, no maptrack calls "
                   "(control) %.0f pairs/s\n", counts[i], ctl[i].pairs_per_s);
        }
        printf("# %2u vCPUs: locked %.0f pairs/s (%.4f locks/op), "
               "percpu %.0f pairs/s (%.6f locks/op)\n", counts[i],
               base[i].pairs_per_s, base[i].locks_per_op,
               fix[i].pairs_per_s, fix[i].locks_per_op);
    }

    for ( i = 0; i < 4; i++ )
    {
        double ratio = fix[i].pairs_per_s / base[i].pairs_per_s;
        /* One vCPU: no contention to remove (see the top of this file). */
        bool alone = counts[i] == 1;

        printf("RESULT|maptrack-pairs-%uvcpu|maptrack get/put pairs per "
               "second, %u vCPUs doing grant maps at once (%ld host cores)|"
               "locked=%.0f pairs/s|percpu=%.0f pairs/s|%.2f|%s|%s\n",
               counts[i], counts[i], sysconf(_SC_NPROCESSORS_ONLN),
               base[i].pairs_per_s, fix[i].pairs_per_s, ratio,
               alone ? "fix not slower than the uncontended lock (>= 0.9)"
                     : "fix faster than the maptrack lock",
               (alone ? ratio >= 0.9 : ratio > 1) ? "PASS" : "FAIL");
    }

    /*
     * Locks per operation.  The fix only locks to grow the table (a
     * handful of times per run), so its figure is near zero; the ratio
     * counts at least one lock for it, to stay finite.
     */
    for ( i = 0; i < 4; i++ )
    {
        double fl = fix[i].locks_per_op;
        double floor = fix[i].ops ? 1.0 / fix[i].ops : 1.0;

        printf("RESULT|maptrack-locks-per-op-%uvcpu|maptrack lock "
               "acquisitions per get or put, %u vCPUs|locked=%.4f locks/op|"
               "percpu=%.6f locks/op|%.0f|no lock on the common path "
               "(< 0.001 locks/op)|%s\n", counts[i], counts[i],
               base[i].locks_per_op, fl,
               base[i].locks_per_op / (fl > floor ? fl : floor),
               fl < 0.001 ? "PASS" : "FAIL");
    }

    /* Scaling from 1 to 2 vCPUs: the most this host's cores can show. */
    sb = base[1].pairs_per_s / base[0].pairs_per_s;
    sf = fix[1].pairs_per_s / fix[0].pairs_per_s;
    {
        /* Per thread: the fix's own time per pair plus the hand-off's. */
        double t = 1 / fix[0].pairs_per_s +
                   2 / ctl[1].pairs_per_s - 1 / ctl[0].pairs_per_s;

        printf("INFO|maptrack-scaling-2vcpu|ceiling at 2 vCPUs for a fix "
               "whose own gets and puts cost what they do at 1 vCPU, from "
               "the hand-off control: %.0f pairs/s (%.2f x)\n", 2 / t,
               2 / t / fix[0].pairs_per_s);
    }
    printf("RESULT|maptrack-scaling-2vcpu|throughput at 2 vCPUs over 1 vCPU "
           "(%ld host cores)|locked=%.2f x|percpu=%.2f x|%.2f|fix scales "
           "(>= 1.3x) where the lock does not|%s\n",
           sysconf(_SC_NPROCESSORS_ONLN), sb, sf, sf / sb,
           sf >= 1.3 && sf > sb ? "PASS" : "FAIL");

    /*
     * Scaling from 1 to 16 vCPUs: with 8 vCPU threads on each host core
     * the hand-off no longer sets the pace (a thread finds its slot filled
     * and its lines local more often), so this shows whether the second
     * core adds throughput under contention, which the lock cannot.
     */
    sb = base[3].pairs_per_s / base[0].pairs_per_s;
    sf = fix[3].pairs_per_s / fix[0].pairs_per_s;
    printf("RESULT|maptrack-scaling-16vcpu|throughput at 16 vCPUs over 1 vCPU "
           "(%ld host cores, all busy)|locked=%.2f x|percpu=%.2f x|%.2f|fix "
           "scales (>= 1.3x) where the lock does not|%s\n",
           sysconf(_SC_NPROCESSORS_ONLN), sb, sf, sf / sb,
           sf >= 1.3 && sf > sb ? "PASS" : "FAIL");

    return 0;

 failed:
    fprintf(stderr, "bench_maptrack: run failed\n");
    return 1;
}
