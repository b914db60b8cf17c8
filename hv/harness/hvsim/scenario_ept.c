/*
 * scenario_ept.c - seed 004 live: a 16-vCPU guest is being migrated while
 * its p2m keeps changing.  The guest's vCPUs run on pCPUs 4..19 and enter
 * and leave the guest all the time; pCPUs 0 and 1 change its p2m
 * (log-dirty faults, 1-4 entries per write-locked section); pCPU 2 is the
 * toolstack, mapping the guest's memory in 1024-GFN batches with one p2m
 * read-lock take per GFN.  An IPI arrives 50 us after it is sent and an
 * INVEPT costs 2 us (bench/ept explains the scale).
 *
 * Baseline: every ept_sync_domain() IPIs the guest's pCPUs and waits for
 * their INVEPT under the p2m write lock (ept_flush_policy=sync).
 * Optimized: one flush per section after the unlock, the rest at VMENTER.
 * Measured: the toolstack's read-lock waits (p50/p99/max), batches whose
 * waiting passes the scaled watchdog (50 ms), flushes and IPIs from the
 * hypervisor's telemetry, and VMENTERs with a stale translation (always 0:
 * the run fails otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/time.h>
#include <asm/hvm/vmx/vmx.h>
#include <asm/p2m-ept-flush.h>
#include <hvh/harness.h>

#include "../../tests/ept/ept_sim.h"
#include "scenario.h"

#define EPT_VCPUS     16
#define EPT_WRITERS   2
#define EPT_TOOLSTACK 2
#define EPT_GUEST0    4
#define EPT_BATCH     1024
#define EPT_WATCHDOG  MILLISECS(50)
#define EPT_MAX_WAITS (1u << 22)

struct ept_scn {
    struct domain *d;
    unsigned int stop;
    uint64_t *wait;             /* toolstack read-lock waits, ns */
    unsigned int nr_wait;
    unsigned int batches, trips;
};

static struct ept_scn *escn;

static const char *ept_cmdline(bool optimized)
{
    return optimized ? "ept_flush_policy=deferred" : "ept_flush_policy=sync";
}

static int ept_setup(struct hvsim_ctx *ctx)
{
    if ( ctx->pcpus < EPT_GUEST0 + EPT_VCPUS )
    {
        fprintf(stderr, "hvsim: ept: needs --pcpus %u or more\n",
                EPT_GUEST0 + EPT_VCPUS);
        return -1;
    }
    escn = calloc(1, sizeof(*escn));
    if ( !escn )
        return -1;
    escn->wait = calloc(EPT_MAX_WAITS, sizeof(*escn->wait));
    if ( !escn->wait )
        return -1;
    ept_sim_register_hooks();
    ept_sim_reset();
    escn->d = hvh_domain_create(1, EPT_VCPUS, true);
    if ( !escn->d )
        return -1;
    hvh_set_ipi_delay(MICROSECS(50));
    hvh_invept_ns = 2000;
    ctx->priv = escn;
    return 0;
}

static void spin_for(s_time_t ns)
{
    s_time_t end = NOW() + ns;

    while ( NOW() < end )
        cpu_relax();
}

static void ept_writer(void *arg)
{
    unsigned int seed = smp_processor_id() + 1;

    while ( !__atomic_load_n(&escn->stop, __ATOMIC_ACQUIRE) )
    {
        unsigned int n = 1 + rand_r(&seed) % 4, i;

        ept_p2m_lock(escn->d);
        for ( i = 0; i < n; i++ )
            ept_sim_change(escn->d);
        /* Now and then a page-table page is freed: flush first. */
        if ( rand_r(&seed) % 8 == 0 )
            p2m_tlb_flush_sync(p2m_get_hostp2m(escn->d));
        ept_p2m_unlock(escn->d);
        usleep(1000);           /* guest time until the next fault */
    }
}

static void ept_toolstack(void *arg)
{
    while ( !__atomic_load_n(&escn->stop, __ATOMIC_ACQUIRE) )
    {
        s_time_t batch_wait = 0;
        unsigned int g;

        for ( g = 0; g < EPT_BATCH &&
                     !__atomic_load_n(&escn->stop, __ATOMIC_ACQUIRE); g++ )
        {
            s_time_t t0 = NOW(), w;

            ept_p2m_read_lock(escn->d);
            w = NOW() - t0;
            spin_for(2000);     /* look the GFN up and map it */
            ept_p2m_read_unlock(escn->d);
            if ( escn->nr_wait < EPT_MAX_WAITS )
                escn->wait[escn->nr_wait++] = w;
            batch_wait += w;
        }
        escn->batches++;
        if ( batch_wait > EPT_WATCHDOG )
            escn->trips++;
    }
}

static void ept_vcpu_op(void *arg)
{
    struct vcpu *v = arg;

    ept_sim_vmenter(v);
}

static void ept_sched_in(void *arg)
{
    ept_sim_sched_in(arg);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static int ept_run(struct hvsim_ctx *ctx, struct hvsim_result *res)
{
    unsigned int i, seed = 4242;
    uint64_t flushes = 0, ipis = 0;
    struct telemetry_ept_domain st;

    for ( i = 0; i < EPT_VCPUS; i++ )
        hvh_run_on(ctx->first_cpu + EPT_GUEST0 + i, ept_sched_in,
                   escn->d->vcpu[i]);
    for ( i = 0; i < EPT_WRITERS; i++ )
        hvh_queue_on(ctx->first_cpu + i, ept_writer, NULL);
    hvh_queue_on(ctx->first_cpu + EPT_TOOLSTACK, ept_toolstack, NULL);

    /* The guest: its vCPUs leave and re-enter the guest now and then. */
    while ( !hvsim_should_stop(ctx) )
    {
        i = rand_r(&seed) % EPT_VCPUS;
        hvh_queue_on(ctx->first_cpu + EPT_GUEST0 + i, ept_vcpu_op,
                     escn->d->vcpu[i]);
        hvsim_sleep(ctx, MICROSECS(500));
    }
    __atomic_store_n(&escn->stop, 1, __ATOMIC_RELEASE);
    hvh_quiesce();

    ept_flush_domain_stats(escn->d, &st);
    flushes = st.flushes;
    ipis = st.ipis_sent;
    qsort(escn->wait, escn->nr_wait, sizeof(*escn->wait), cmp_u64);

#define PCT(q) (escn->nr_wait ? \
                escn->wait[(unsigned int)((q) * (escn->nr_wait - 1))] : 0)
    hvsim_metric(res, "p2m_changes", "", ept_model.change_gen, true);
    hvsim_metric(res, "flushes", "", flushes, false);
    hvsim_metric(res, "ipis_sent", "", ipis, false);
    hvsim_metric(res, "vmenter_invalidations", "",
                 ept_sim_counter(EPT_CTR_VMENTER_INV), false);
    hvsim_metric(res, "toolstack_batches", "", escn->batches, true);
    hvsim_metric(res, "read_wait_p50", "ns", PCT(0.5), false);
    hvsim_metric(res, "read_wait_p99", "ns", PCT(0.99), false);
    hvsim_metric(res, "read_wait_max", "ns", PCT(1.0), false);
    hvsim_metric(res, "watchdog_trips", "batches", escn->trips, false);
    hvsim_metric(res, "stale_vmenters", "", ept_model.stale, false);
#undef PCT

    if ( ept_model.stale )
    {
        fprintf(stderr, "hvsim: ept: %lu VMENTERs with a stale translation\n",
                ept_model.stale);
        return -1;
    }
    return 0;
}

static void ept_teardown(struct hvsim_ctx *ctx)
{
    hvh_set_ipi_delay(0);
    hvh_invept_ns = 0;
    if ( !escn )
        return;
    if ( escn->d )
        hvh_domain_destroy(escn->d);
    ept_sim_unregister_hooks();
    free(escn->wait);
    free(escn);
    escn = NULL;
}

static const struct hvsim_scenario scenario_ept = {
    .name = "ept",
    .id = 5,
    .description = "seed 004: migrating a 16-vCPU guest whose p2m keeps "
                   "changing, EPT flushes under the p2m lock vs deferred",
    .default_pcpus = 24,
    .cmdline = ept_cmdline,
    .setup = ept_setup,
    .run = ept_run,
    .teardown = ept_teardown,
};
HVSIM_SCENARIO(scenario_ept);
