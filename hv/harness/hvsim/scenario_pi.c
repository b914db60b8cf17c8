/*
 * scenario_pi.c - seed 000 live: many HVM vCPUs with passthrough devices,
 * all running on and blocking from pCPU 0, while their devices post
 * interrupts.  Baseline: one long list on pCPU 0, every notification
 * walks it with interrupts off.  Optimized: bounded lists spread over the
 * pCPUs, NDST following.
 *
 * Workload: every tick (1 ms) the main thread (the devices) posts
 * interrupts to random vCPUs, and pCPU 0 (the scheduler) runs the vCPUs
 * woken since the last tick - resume, a moment of guest time, HLT again.
 * Measured: the handler's own telemetry (walks, handler time), the
 * latency from a post to the vCPU's wakeup, and the wakeups per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <xen/telemetry.h>
#include <xen/time.h>
#include <asm/hvm/vmx/pi_blocking.h>
#include <hvh/harness.h>

#include "../tests/pi_model.h"
#include "scenario.h"
#include "telemetry.h"

#define PI_DOMAINS   256
#define PI_VCPUS     16         /* per domain: 4096 vCPUs */
#define PI_POSTS_PER_TICK 40    /* 40k interrupts/s offered */

struct pi_vcpu_state {
    int64_t posted_at;          /* atomic: NOW() of the first pending post */
};

struct pi_scn {
    struct domain *doms[PI_DOMAINS];
    struct pi_vcpu_state *vs;
    spinlock_t runq_lock;       /* woken vCPUs for pCPU 0 to run */
    struct vcpu **runq;
    unsigned int runq_len;
    struct telemetry_hist latency;   /* post -> wake, ns (under runq_lock) */
    uint64_t wakes;                  /* under runq_lock */
    uint64_t posts;
};

static struct pi_scn *scn;

static const char *pi_cmdline(bool optimized)
{
    return optimized ? "pi_list_policy=bounded pi_list_slack=16"
                     : "pi_list_policy=baseline";
}

/*
 * The scenario's own domains have consecutive domids from doms[0]'s (hvsim
 * mixed gives each member scenario a domid base); other domains on the
 * host are not ours to count.
 */
static bool is_scenario_vcpu(const struct vcpu *v)
{
    unsigned int i;

    if ( !scn->doms[0] )
        return false;
    i = v->domain->domain_id - scn->doms[0]->domain_id;
    return i < PI_DOMAINS && scn->doms[i] == v->domain;
}

static struct pi_vcpu_state *vstate(const struct vcpu *v)
{
    unsigned int i = v->domain->domain_id - scn->doms[0]->domain_id;

    return &scn->vs[i * PI_VCPUS + v->vcpu_id];
}

/* Wake hook: in the wakeup handler (interrupts off), any pCPU. */
static void pi_woken(struct vcpu *v)
{
    int64_t at;
    unsigned long flags;

    if ( !is_scenario_vcpu(v) )
        return;
    at = __atomic_exchange_n(&vstate(v)->posted_at, 0, __ATOMIC_ACQ_REL);

    spin_lock_irqsave(&scn->runq_lock, flags);
    scn->runq[scn->runq_len++] = v;
    scn->wakes++;
    if ( at )
        telemetry_hist_add(&scn->latency, NOW() - at);
    spin_unlock_irqrestore(&scn->runq_lock, flags);
}

static struct hvh_hooks pi_scn_hooks = { .name = "pi-scenario",
                                         .vcpu_wake = pi_woken };

static int pi_setup(struct hvsim_ctx *ctx)
{
    unsigned int i;
    struct vcpu *v;

    scn = calloc(1, sizeof(*scn));
    if ( !scn )
        return -1;
    scn->vs = calloc(PI_DOMAINS * PI_VCPUS, sizeof(*scn->vs));
    scn->runq = calloc(PI_DOMAINS * PI_VCPUS, sizeof(*scn->runq));
    if ( !scn->vs || !scn->runq )
        return -1;
    spin_lock_init(&scn->runq_lock);
    hvh_register_hooks(pi_model_hooks());
    hvh_register_hooks(&pi_scn_hooks);

    /* All vCPUs run on pCPU 0, have a device, and halt. */
    for ( i = 0; i < PI_DOMAINS; i++ )
    {
        scn->doms[i] = hvh_domain_create(i + 1, PI_VCPUS, true);
        if ( !scn->doms[i] )
            return -1;
        for_each_vcpu ( scn->doms[i], v )
        {
            v->processor = ctx->first_cpu;
            vmx_pi_irte_ref(v);
            pi_model_block(v);
        }
    }
    ctx->priv = scn;
    return 0;
}

/* pCPU 0: run the woken vCPUs; each halts again after its moment. */
static void pi_tick(void *arg)
{
    struct vcpu *batch[256];
    unsigned int n, i;
    unsigned long flags;

    do {
        spin_lock_irqsave(&scn->runq_lock, flags);
        n = min(scn->runq_len, (unsigned int)ARRAY_SIZE(batch));
        scn->runq_len -= n;
        memcpy(batch, scn->runq + scn->runq_len, n * sizeof(*batch));
        spin_unlock_irqrestore(&scn->runq_lock, flags);

        for ( i = 0; i < n; i++ )
        {
            pi_model_resume(batch[i]);
            pi_model_block(batch[i]);
        }
        process_pending_softirqs();
    } while ( n );
}

static int pi_run(struct hvsim_ctx *ctx, struct hvsim_result *res)
{
    unsigned int seed = 12345, i, cpu, lists = 0;
    int64_t start = NOW(), elapsed;
    uint64_t irqs = 0, walked = 0, woken = 0, walk_max = 0, time_max = 0;
    uint64_t list_max = 0;
    struct xte_hist walk, time, lat;
    static uint8_t buf[1 << 20];
    struct xte_node_view view;
    struct xte_error err;
    size_t len;

    memset(&walk, 0, sizeof(walk));
    memset(&time, 0, sizeof(time));
    while ( !hvsim_should_stop(ctx) )
    {
        for ( i = 0; i < PI_POSTS_PER_TICK; i++ )
        {
            struct domain *d = scn->doms[rand_r(&seed) % PI_DOMAINS];
            struct vcpu *v = d->vcpu[rand_r(&seed) % PI_VCPUS];
            int64_t zero = 0;

            __atomic_compare_exchange_n(&vstate(v)->posted_at, &zero, NOW(),
                                        false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED);
            pi_model_post(v, 0x40 + rand_r(&seed) % 64);
            scn->posts++;
        }
        hvh_queue_on(ctx->first_cpu, pi_tick, NULL);
        hvsim_sleep(ctx, MILLISECS(1));
    }
    hvh_quiesce();
    elapsed = NOW() - start;

    /* The figures the hypervisor publishes, decoded as xentop-pi does. */
    if ( hvh_hypfs_read("/telemetry/pi", buf, sizeof(buf), &len) ||
         xte_node_parse(buf, len, "/telemetry/pi", &view, &err) )
    {
        fprintf(stderr, "hvsim: pi: cannot decode /telemetry/pi\n");
        return -1;
    }
    for ( cpu = 0; cpu < view.hdr.nr_pcpus; cpu++ )
    {
        const uint8_t *rec = xte_node_pcpu(&view, cpu);
        struct xte_hist h;
        unsigned int b;

        irqs += xte_rec_u64(rec, xte_node_field(view.desc, 0, "wakeup_irqs"));
        walked += xte_rec_u64(rec, xte_node_field(view.desc, 0,
                                                  "entries_walked"));
        woken += xte_rec_u64(rec, xte_node_field(view.desc, 0, "vcpus_woken"));
        list_max = max(list_max,
                       xte_rec_u64(rec, xte_node_field(view.desc, 0,
                                                       "list_hwm")));
        if ( xte_rec_u64(rec, xte_node_field(view.desc, 0, "adds")) )
            lists++;
        xte_rec_hist(rec, xte_node_field(view.desc, 0, "walk_len"), &h);
        for ( b = 0; b < XTE_HIST_BUCKETS; b++ )
            walk.bucket[b] += h.bucket[b];
        walk.sum += h.sum;
        walk_max = max(walk_max, h.max);
        xte_rec_hist(rec, xte_node_field(view.desc, 0, "wakeup_time"), &h);
        for ( b = 0; b < XTE_HIST_BUCKETS; b++ )
            time.bucket[b] += h.bucket[b];
        time.sum += h.sum;
        time_max = max(time_max, h.max);
    }
    walk.max = walk_max;
    time.max = time_max;
    memcpy(&lat, &scn->latency, sizeof(lat));

    hvsim_metric(res, "interrupts_posted", "", scn->posts, true);
    hvsim_metric(res, "wakeup_irqs", "", irqs, true);
    hvsim_metric(res, "vcpus_woken", "", woken, true);
    hvsim_metric(res, "wakeups_per_s", "1/s", woken / (elapsed / 1e9), true);
    hvsim_metric(res, "lists_used", "pCPUs", lists, true);
    hvsim_metric(res, "list_len_max", "entries", list_max, false);
    hvsim_metric(res, "walk_mean", "entries", irqs ? (double)walked / irqs : 0,
                 false);
    hvsim_metric(res, "walk_p99", "entries", xte_hist_quantile(&walk, 0.99),
                 false);
    hvsim_metric(res, "walk_max", "entries", walk.max, false);
    hvsim_metric(res, "handler_mean", "ns",
                 irqs ? (double)time.sum / irqs : 0, false);
    hvsim_metric(res, "handler_p99", "ns", xte_hist_quantile(&time, 0.99),
                 false);
    hvsim_metric(res, "handler_max", "ns", time.max, false);
    hvsim_metric(res, "post_to_wake_p50", "ns", xte_hist_quantile(&lat, 0.5),
                 false);
    hvsim_metric(res, "post_to_wake_p99", "ns", xte_hist_quantile(&lat, 0.99),
                 false);
    return 0;
}

static void pi_teardown(struct hvsim_ctx *ctx)
{
    unsigned int i;
    struct vcpu *v;

    if ( !scn )
        return;
    for ( i = 0; i < PI_DOMAINS; i++ )
        if ( scn->doms[i] )
        {
            for_each_vcpu ( scn->doms[i], v )
                vmx_pi_irte_unref(v);
            hvh_domain_destroy(scn->doms[i]);
        }
    hvh_unregister_hooks(&pi_scn_hooks);
    hvh_unregister_hooks(pi_model_hooks());
    free(scn->vs);
    free(scn->runq);
    free(scn);
    scn = NULL;
}

static const struct hvsim_scenario scenario_pi = {
    .name = "pi",
    .id = 1,
    .description = "seed 000: 4096 vCPUs with devices blocking from one "
                   "pCPU; PI wakeup walks (bounded lists)",
    .default_pcpus = 64,
    .cmdline = pi_cmdline,
    .setup = pi_setup,
    .run = pi_run,
    .teardown = pi_teardown,
};
HVSIM_SCENARIO(scenario_pi);
