/*
 * scenario_dpci.c - seed 002 at this machine's scale: half the pCPUs take
 * passthrough interrupts for their guests non-stop, the other half host
 * idle guests whose only event is a 1 ms timer VIRQ delivered through a
 * tasklet (the global tasklet lock, in both variants).  Now and then the
 * toolstack unbinds and rebinds a busy guest's pirq while its interrupts
 * are in flight, retrying on -EAGAIN the way a domctl continuation does.
 *
 * baseline: dpci_policy=tasklet (every interrupt through the global lock);
 * optimized: dpci_policy=softirq (per-pCPU lists, HVM_DPCI_SOFTIRQ).
 *
 * Figures, from /telemetry/dpci as the tools read it: interrupts injected
 * per second, the idle pCPUs' share of time spent waiting for the tasklet
 * lock (the seed's stolen time), global lock acquisitions per interrupt on
 * the busy pCPUs, schedule-to-run latency p50/p99 (log2 histogram: upper
 * bucket edges, within a factor of 2), teardown -EAGAIN returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/lib.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/softirq.h>
#include <xen/tasklet.h>
#include <xen/time.h>
#include <xen/hvm/dpci.h>
#include <hvh/dpci.h>
#include <hvh/harness.h>

#include "telemetry.h"
#include "scenario.h"

#define DPCI_PIRQS      4           /* per busy guest */
#define DPCI_BURST      2000        /* interrupts per queued burst */
#define DPCI_MAX_PCPUS  512

struct dpci_busy {
    struct domain *d;
    unsigned int outstanding;       /* bursts queued, not yet done */
    unsigned int burst;             /* interrupts per burst */
    uint64_t accepted;              /* written by its pCPU only */
    uint64_t injected;
};

struct dpci_idle {
    struct domain *d;
    struct tasklet timer;           /* the guest's VIRQ_TIMER tasklet */
    uint64_t virqs;
};

struct dpci_rebind {
    struct domain *d;
    unsigned int pirq;
    bool unbound;
    int busy;                       /* queued, not finished */
    uint64_t done, eagain;
};

static struct dpci_scn {
    unsigned int nr_busy, nr_idle;
    struct dpci_busy busy[DPCI_MAX_PCPUS];
    struct dpci_idle idle[DPCI_MAX_PCPUS];
    struct dpci_rebind rebind;
} *scn;

static const char *dpci_cmdline(bool optimized)
{
    return optimized ? "dpci_policy=softirq" : "dpci_policy=tasklet";
}

static void dpci_deliver(struct domain *d, const struct hvm_pirq_dpci *pirq_dpci)
{
    struct dpci_busy *b = d->hvh_priv;

    /* Under the domain's event lock: one writer at a time. */
    __atomic_store_n(&b->injected, b->injected + 1, __ATOMIC_RELAXED);
}

static void timer_virq(void *data)
{
    struct dpci_idle *i = data;

    __atomic_store_n(&i->virqs, i->virqs + 1, __ATOMIC_RELAXED);
}

static int dpci_setup(struct hvsim_ctx *ctx)
{
    unsigned int c, p;

    if ( ctx->pcpus < 2 || ctx->pcpus > DPCI_MAX_PCPUS )
    {
        fprintf(stderr, "hvsim: dpci: needs --pcpus 2 to %u\n",
                DPCI_MAX_PCPUS);
        return -EINVAL;
    }
    scn = calloc(1, sizeof(*scn));
    if ( !scn )
        return -ENOMEM;
    scn->nr_busy = ctx->pcpus / 2;
    scn->nr_idle = ctx->pcpus - scn->nr_busy;

    for ( c = 0; c < scn->nr_busy; c++ )
    {
        struct dpci_busy *b = &scn->busy[c];

        b->d = hvh_domain_create(c + 1, 1, true);
        if ( !b->d || hvh_dpci_domain_init(b->d, DPCI_PIRQS, dpci_deliver) )
            return -ENOMEM;
        b->d->hvh_priv = b;
        for ( p = 0; p < DPCI_PIRQS; p++ )
            if ( hvh_dpci_bind(b->d, p, 0x40 + p) )
                return -EIO;
    }
    for ( c = 0; c < scn->nr_idle; c++ )
    {
        struct dpci_idle *i = &scn->idle[c];

        i->d = hvh_domain_create(scn->nr_busy + c + 1, 1, true);
        if ( !i->d )
            return -ENOMEM;
        tasklet_init(&i->timer, timer_virq, i);
    }
    scn->rebind.d = scn->busy[0].d;
    ctx->priv = scn;
    return 0;
}

/* A busy pCPU: a burst of device interrupts, softirqs on the way back. */
static void dpci_burst(void *arg)
{
    struct dpci_busy *b = arg;
    uint64_t accepted = 0;
    unsigned int n;

    for ( n = 0; n < b->burst; n++ )
    {
        accepted += hvh_dpci_irq(b->d, n % DPCI_PIRQS);
        if ( n % 2 )
            process_pending_softirqs();
    }
    __atomic_store_n(&b->accepted, b->accepted + accepted, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&b->outstanding, 1, __ATOMIC_RELEASE);
}

/* An idle pCPU: its guest's timer fired (softirqs run after this). */
static void dpci_tick(void *arg)
{
    struct dpci_idle *i = arg;

    tasklet_schedule(&i->timer);
}

/*
 * The toolstack: unbind pirq 0 of the first busy guest, then bind it again,
 * each step retried (re-queued) while it returns -EAGAIN.
 */
static void dpci_rebind_step(void *arg)
{
    struct dpci_rebind *r = arg;
    int rc;

    if ( !r->unbound )
    {
        rc = hvh_dpci_unbind(r->d, r->pirq);
        if ( !rc )
            r->unbound = true;
    }
    else
    {
        rc = hvh_dpci_bind(r->d, r->pirq, 0x40 + r->pirq);
        if ( !rc )
        {
            r->unbound = false;
            r->done++;
        }
    }
    if ( rc == -EAGAIN )
        r->eagain++;
    __atomic_store_n(&r->busy, 0, __ATOMIC_RELEASE);
}

static int read_dpci_node(uint8_t *buf, size_t cap, struct xte_node_view *v)
{
    struct xte_error err;
    size_t len = 0;

    if ( hvh_hypfs_read("/telemetry/dpci", buf, cap, &len) ||
         xte_node_parse(buf, len, "/telemetry/dpci", v, &err) )
        return -1;
    return 0;
}

static uint64_t field_sum(const struct xte_node_view *v, const char *name,
                          unsigned int from, unsigned int to)
{
    const struct xte_counter_desc *f = xte_node_field(v->desc, 0, name);
    uint64_t s = 0;
    unsigned int c;

    for ( c = from; f && c < to && c < v->hdr.nr_pcpus; c++ )
        s += xte_rec_u64(xte_node_pcpu(v, c), f);
    return s;
}

static int dpci_run(struct hvsim_ctx *ctx, struct hvsim_result *res)
{
    static uint8_t before_buf[1 << 20], after_buf[1 << 20];
    struct xte_node_view before, after;
    const struct xte_counter_desc *lat;
    struct xte_hist h, sum;
    uint64_t accepted = 0, injected = 0, virqs = 0, wait, lock;
    unsigned int c, b, tick = 0;
    int64_t start, elapsed;

    if ( read_dpci_node(before_buf, sizeof(before_buf), &before) )
        return -1;
    /* Paced (mixed): 1/20 of a burst per millisecond, about 100k/s. */
    for ( c = 0; c < scn->nr_busy; c++ )
        scn->busy[c].burst = ctx->paced ? DPCI_BURST / 20 : DPCI_BURST;
    start = NOW();
    while ( !hvsim_should_stop(ctx) )
    {
        for ( c = 0; c < scn->nr_busy; c++ )
            while ( __atomic_load_n(&scn->busy[c].outstanding,
                                    __ATOMIC_ACQUIRE) < (ctx->paced ? 1 : 2) )
            {
                __atomic_fetch_add(&scn->busy[c].outstanding, 1,
                                   __ATOMIC_ACQ_REL);
                hvh_queue_on(ctx->first_cpu + c, dpci_burst,
                             &scn->busy[c]);
            }
        for ( c = 0; c < scn->nr_idle; c++ )
            hvh_queue_on(ctx->first_cpu + scn->nr_busy + c, dpci_tick,
                         &scn->idle[c]);
        /* Every 20 ms a toolstack step, on the first idle pCPU. */
        if ( ++tick % 20 == 0 &&
             !__atomic_exchange_n(&scn->rebind.busy, 1, __ATOMIC_ACQ_REL) )
            hvh_queue_on(ctx->first_cpu + scn->nr_busy, dpci_rebind_step,
                         &scn->rebind);
        hvsim_sleep(ctx, MILLISECS(1));
    }
    hvh_quiesce();
    /* Leave pirq 0 bound, as the run began. */
    while ( scn->rebind.unbound )
    {
        hvh_run_on(ctx->first_cpu + scn->nr_busy, dpci_rebind_step,
                   &scn->rebind);
        hvh_quiesce();
    }
    elapsed = NOW() - start;
    if ( read_dpci_node(after_buf, sizeof(after_buf), &after) )
        return -1;

    for ( c = 0; c < scn->nr_busy; c++ )
    {
        accepted += __atomic_load_n(&scn->busy[c].accepted, __ATOMIC_RELAXED);
        injected += __atomic_load_n(&scn->busy[c].injected, __ATOMIC_RELAXED);
    }
    for ( c = 0; c < scn->nr_idle; c++ )
        virqs += __atomic_load_n(&scn->idle[c].virqs, __ATOMIC_RELAXED);
    wait = field_sum(&after, "lock_wait_ns", scn->nr_busy, ctx->pcpus) -
           field_sum(&before, "lock_wait_ns", scn->nr_busy, ctx->pcpus);
    lock = field_sum(&after, "lock_acquisitions", 0, scn->nr_busy) -
           field_sum(&before, "lock_acquisitions", 0, scn->nr_busy);

    /* Latency histogram of this run: after minus before, all pCPUs. */
    memset(&sum, 0, sizeof(sum));
    lat = xte_node_field(after.desc, 0, "latency");
    for ( c = 0; lat && c < after.hdr.nr_pcpus; c++ )
    {
        struct xte_hist h0;

        xte_rec_hist(xte_node_pcpu(&after, c), lat, &h);
        xte_rec_hist(xte_node_pcpu(&before, c), lat, &h0);
        for ( b = 0; b < XTE_HIST_BUCKETS; b++ )
            sum.bucket[b] += h.bucket[b] - h0.bucket[b];
        sum.sum += h.sum - h0.sum;
        if ( h.max > sum.max )
            sum.max = h.max;
    }

    hvsim_metric(res, "injections_per_s", "1/s", injected / (elapsed / 1e9),
                 true);
    hvsim_metric(res, "idle_lock_wait", "%",
                 100.0 * wait / ((double)elapsed * scn->nr_idle), false);
    hvsim_metric(res, "lock_acq_per_irq", "", accepted ?
                 (double)lock / accepted : 0, false);
    hvsim_metric(res, "latency_p50", "ns", xte_hist_quantile(&sum, 0.5), false);
    hvsim_metric(res, "latency_p99", "ns", xte_hist_quantile(&sum, 0.99),
                 false);
    hvsim_metric(res, "timer_virqs", "", virqs, true);
    hvsim_metric(res, "rebinds", "", scn->rebind.done, true);
    hvsim_metric(res, "teardown_eagain", "",
                 field_sum(&after, "teardown_eagain", 0, ctx->pcpus) -
                 field_sum(&before, "teardown_eagain", 0, ctx->pcpus), false);
    return 0;
}

static void dpci_teardown(struct hvsim_ctx *ctx)
{
    unsigned int c;

    if ( !scn )
        return;
    for ( c = 0; c < scn->nr_busy; c++ )
        if ( scn->busy[c].d )
        {
            /* hvh_quiesce() in run() drained every injection. */
            if ( scn->busy[c].d->pirq_tree.hvh &&
                 arch_pci_clean_pirqs(scn->busy[c].d) )
                printk(XENLOG_ERR "dpci: guest %u still has injections "
                       "in flight\n", c + 1);
            else
                hvh_dpci_domain_free(scn->busy[c].d);
            hvh_domain_destroy(scn->busy[c].d);
        }
    for ( c = 0; c < scn->nr_idle; c++ )
        if ( scn->idle[c].d )
        {
            tasklet_kill(&scn->idle[c].timer);
            hvh_domain_destroy(scn->idle[c].d);
        }
    free(scn);
    scn = NULL;
}

static const struct hvsim_scenario scenario_dpci = {
    .name = "dpci",
    .id = 3,
    .description = "seed 002: passthrough interrupts on half the pCPUs, idle "
                   "guests' 1 ms timer VIRQs on the rest; global-lock "
                   "tasklet vs per-pCPU softirq",
    .default_pcpus = 4,
    .cmdline = dpci_cmdline,
    .setup = dpci_setup,
    .run = dpci_run,
    .teardown = dpci_teardown,
};
HVSIM_SCENARIO(scenario_dpci);
