/*
 * scenario_maptrack.c - seed 003 live: network backends mapping guests'
 * grants flat out.  Four guests of 8 vCPUs; on every pCPU a stream of
 * grant maps and unmaps by the guests' vCPUs (a quarter of the unmaps on
 * another vCPU than the map).  Guest 1 does nearly all of its grant work
 * on vCPU 0 and has a small frame limit, so it grows to its limit and
 * then steals from its other vCPUs (and sometimes runs out: MAPTRACK_*
 * events in the trace).
 *
 * Baseline: one free list per domain under the maptrack lock
 * (maptrack_policy=locked).  Optimized: per-vCPU free lists.
 * Measured: map/unmap pairs per second, maptrack lock acquisitions per
 * operation, steals, failures, from the hypervisor's own telemetry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/time.h>
#include <xen/grant_maptrack.h>
#include <hvh/harness.h>

#include "../../tests/maptrack/maptrack_sim.h"
#include "scenario.h"

#define MT_DOMAINS  4
#define MT_VCPUS    8
#define MT_HOLD     64          /* mappings a vCPU keeps at most */
#define MT_HOLD_HOT 900         /* guest 1's vCPU 0: more than 3 frames */
#define MT_HOLD_MAX MT_HOLD_HOT

struct mt_vcpu_work {
    unsigned int held[MT_HOLD_MAX];
    unsigned int nr_held;
    unsigned int slot;          /* handed over by another vCPU, or ~0u */
};

struct mt_scn {
    struct domain *doms[MT_DOMAINS];
    struct mt_vcpu_work w[MT_DOMAINS][MT_VCPUS];
    unsigned int stop;
    uint64_t pairs[NR_CPUS];    /* per pCPU, written by that pCPU */
    unsigned int first_cpu;     /* the pCPUs driven: first_cpu.. */
    unsigned int pcpus;         /* ..first_cpu + pcpus - 1 */
};

static struct mt_scn *mscn;

static const char *mt_cmdline(bool optimized)
{
    /* Guest 1's small limit comes from the runtime parameter in setup. */
    return optimized ? "maptrack_policy=percpu gnttab_max_maptrack_frames=64"
                     : "maptrack_policy=locked gnttab_max_maptrack_frames=64";
}

static int mt_setup(struct hvsim_ctx *ctx)
{
    unsigned int i, j;

    mscn = calloc(1, sizeof(*mscn));
    if ( !mscn )
        return -1;
    mt_sim_register_hooks();
    for ( i = 0; i < MT_DOMAINS; i++ )
    {
        /* Guest 1: one frame per vCPU (8 in all), the others 64. */
        if ( hvh_param_set("gnttab_max_maptrack_frames", i ? "64" : "1") )
            return -1;
        mscn->doms[i] = hvh_domain_create(i + 1, MT_VCPUS, true);
        if ( !mscn->doms[i] )
            return -1;
        for ( j = 0; j < MT_VCPUS; j++ )
            mscn->w[i][j].slot = ~0u;
    }
    ctx->priv = mscn;
    return 0;
}

/* One burst of grant work by vCPU v of domain di, on the current pCPU. */
static unsigned int mt_burst(unsigned int di, unsigned int vi,
                             unsigned int *seed)
{
    struct domain *d = mscn->doms[di];
    struct mt_vcpu_work *w = &mscn->w[di][vi];
    struct mt_vcpu_work *next = &mscn->w[di][(vi + 1) % MT_VCPUS];
    unsigned int n, pairs = 0, h;
    unsigned int hold = (di == 0 && vi == 0) ? MT_HOLD_HOT : MT_HOLD;

    set_current(d->vcpu[vi]);
    for ( n = 0; n < 256; n++ )
    {
        h = __atomic_exchange_n(&w->slot, ~0u, __ATOMIC_ACQ_REL);
        if ( h != ~0u )
            put_maptrack_handle(d, h);

        if ( w->nr_held < hold )
        {
            h = get_maptrack_handle(d);
            if ( h != INVALID_MAPTRACK_HANDLE )
                w->held[w->nr_held++] = h;
        }
        /* Guest 1's vCPU 0 fills up; everybody else maps and unmaps. */
        if ( w->nr_held && rand_r(seed) % (hold == MT_HOLD ? 2 : 3) == 0 )
        {
            unsigned int k = rand_r(seed) % w->nr_held;

            h = w->held[k];
            w->held[k] = w->held[--w->nr_held];
            /* A quarter of the unmaps happen on the next vCPU. */
            if ( rand_r(seed) % 4 == 0 )
                h = __atomic_exchange_n(&next->slot, h, __ATOMIC_ACQ_REL);
            if ( h != ~0u )
                put_maptrack_handle(d, h);
            pairs++;
        }
    }
    return pairs;
}

/* Runs on every pCPU until the end: the vCPUs placed on it take turns. */
static void mt_pcpu_loop(void *arg)
{
    /* Relative to the pCPUs this scenario drives (see hvsim_ctx). */
    unsigned int cpu = smp_processor_id() - mscn->first_cpu;
    unsigned int seed = cpu * 7919 + 1;
    unsigned int pcpus = mscn->pcpus;
    struct vcpu *idle = current;

    while ( !__atomic_load_n(&mscn->stop, __ATOMIC_ACQUIRE) )
    {
        unsigned int di, vi;

        for ( di = 0; di < MT_DOMAINS; di++ )
            for ( vi = 0; vi < MT_VCPUS; vi++ )
            {
                unsigned int slot = di * MT_VCPUS + vi;

                /* vCPU slot runs on pCPU slot % pcpus. */
                if ( slot % pcpus != cpu )
                    continue;
                /* Guest 1 maps almost only from vCPU 0. */
                if ( di == 0 && vi && rand_r(&seed) % 16 )
                    continue;
                mscn->pairs[cpu] += mt_burst(di, vi, &seed);
            }
        set_current(idle);
        process_pending_softirqs();
    }
    set_current(idle);
}

static int mt_run(struct hvsim_ctx *ctx, struct hvsim_result *res)
{
    int64_t start = NOW(), elapsed;
    uint64_t pairs = 0, ops, frames = 0;
    unsigned int cpu, i;

    mscn->first_cpu = ctx->first_cpu;
    mscn->pcpus = ctx->pcpus;
    for ( cpu = 0; cpu < ctx->pcpus; cpu++ )
        hvh_queue_on(ctx->first_cpu + cpu, mt_pcpu_loop, NULL);
    while ( !hvsim_should_stop(ctx) )
        hvsim_sleep(ctx, MILLISECS(50));
    __atomic_store_n(&mscn->stop, 1, __ATOMIC_RELEASE);
    hvh_quiesce();
    elapsed = NOW() - start;

    for ( cpu = 0; cpu < ctx->pcpus; cpu++ )
        pairs += mscn->pairs[cpu];
    for ( i = 0; i < MT_DOMAINS; i++ )
        frames += mscn->doms[i]->maptrack.nr_frames;
    ops = mt_sim_counter(MT_CTR_GETS) + mt_sim_counter(MT_CTR_PUTS);

    hvsim_metric(res, "map_unmap_per_s", "1/s", pairs / (elapsed / 1e9),
                 true);
    hvsim_metric(res, "locks_per_op", "", ops ?
                 (double)mt_sim_counter(MT_CTR_LOCKS) / ops : 0, false);
    hvsim_metric(res, "frames_grown", "", mt_sim_counter(MT_CTR_FRAMES_GROWN),
                 false);
    hvsim_metric(res, "frames", "", frames, false);
    hvsim_metric(res, "steals", "", mt_sim_counter(MT_CTR_STEALS), true);
    hvsim_metric(res, "failures", "", mt_sim_counter(MT_CTR_FAILURES), false);
    hvsim_metric(res, "guest1_in_use", "handles",
                 maptrack_in_use(mscn->doms[0]), true);
    return 0;
}

static void mt_teardown(struct hvsim_ctx *ctx)
{
    unsigned int i;

    if ( !mscn )
        return;
    /* Mappings still held die with their domain (its frames are freed). */
    for ( i = 0; i < MT_DOMAINS; i++ )
        if ( mscn->doms[i] )
            hvh_domain_destroy(mscn->doms[i]);
    mt_sim_unregister_hooks();
    free(mscn);
    mscn = NULL;
}

static const struct hvsim_scenario scenario_maptrack = {
    .name = "maptrack",
    .id = 4,
    .description = "seed 003: grant map/unmap storm, one maptrack lock vs "
                   "per-vCPU free lists (steals at a small limit)",
    .default_pcpus = 8,
    .cmdline = mt_cmdline,
    .setup = mt_setup,
    .run = mt_run,
    .teardown = mt_teardown,
};
HVSIM_SCENARIO(scenario_maptrack);
