/*
 * scenario_msix.c - seed 001 at this machine's scale: G guests (one per
 * pCPU, at most 24), each with a passthrough NIC whose MSI-X vector takes
 * interrupts at a high rate; the guest's Linux-like edge flow masks the
 * vector, reads the table back to flush, unmasks it and reads back again.
 * Each guest has its own device model thread (one qemu per guest) behind a
 * real eventfd ioreq channel (hv/tests/msix/devmodel.c).
 *
 * baseline: msixtbl_policy=forward (table reads go to the device model);
 * optimized: msixtbl_policy=emulate (answered from the hypervisor's shadow).
 *
 * Figures: interrupts handled per second, device-model CPU (% of one CPU,
 * and seconds per million interrupts: the seed's dom0 CPU), table reads
 * forwarded and emulated per interrupt (from /telemetry/msix).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/lib.h>
#include <xen/errno.h>
#include <xen/pci_regs.h>
#include <xen/sched.h>
#include <xen/time.h>
#include <asm/hvm/msixtbl.h>
#include <hvh/harness.h>

#include "../../tests/msix/devmodel.h"
#include "telemetry.h"
#include "scenario.h"

#define MSIX_MAX_GUESTS 24
#define MSIX_GTABLE     0xfebf0000ULL
#define MSIX_GPBA       (MSIX_GTABLE + 0x800)
#define MSIX_ENTRIES    4
#define MSIX_BURST      200         /* interrupts per queued burst */

struct msix_guest {
    struct domain *d;
    struct msix_dm *dm;
    unsigned int outstanding;
    unsigned int burst;             /* interrupts per burst */
    uint64_t irqs;                  /* written by its pCPU only */
    int errors;
};

static struct msix_scn {
    unsigned int nr;
    struct msix_guest g[MSIX_MAX_GUESTS];
} *scn;

static const char *msix_cmdline(bool optimized)
{
    return optimized ? "msixtbl_policy=emulate" : "msixtbl_policy=forward";
}

static int mmio(struct msix_guest *g, uint64_t a, bool wr, uint64_t v,
                uint64_t *out)
{
    int rc = msix_guest_access(g->dm, a, 4, wr, &v);

    if ( out )
        *out = v;
    return rc;
}

/* The guest driver programs vector 0 (on its pCPU, at the first burst). */
static void msix_program(struct msix_guest *g)
{
    uint64_t ctrl = MSIX_GTABLE + PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET;

    g->errors |= mmio(g, MSIX_GTABLE, true, 0xfee00000, NULL);
    g->errors |= mmio(g, MSIX_GTABLE + 4, true, 0, NULL);
    g->errors |= mmio(g, MSIX_GTABLE + 8, true, 0x4021, NULL);
    g->errors |= mmio(g, ctrl, true, 0, NULL);
}

static int msix_setup(struct hvsim_ctx *ctx)
{
    unsigned int i;

    scn = calloc(1, sizeof(*scn));
    if ( !scn )
        return -ENOMEM;
    scn->nr = min(ctx->pcpus, (unsigned int)MSIX_MAX_GUESTS);
    for ( i = 0; i < scn->nr; i++ )
    {
        struct msix_guest *g = &scn->g[i];

        g->d = hvh_domain_create(i + 1, 1, true);
        if ( !g->d )
            return -ENOMEM;
        g->dm = msix_dev_attach(g->d, MSIX_GTABLE, MSIX_ENTRIES, MSIX_GPBA);
        if ( !g->dm )
            return -EIO;
        msix_program(g);
    }
    ctx->priv = scn;
    return 0;
}

/* A burst of interrupts: Linux's edge flow under load, per interrupt. */
static void msix_burst(void *arg)
{
    struct msix_guest *g = arg;
    uint64_t ctrl = MSIX_GTABLE + PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET, v;
    unsigned int n;

    for ( n = 0; n < g->burst; n++ )
    {
        g->errors |= mmio(g, ctrl, true, 1, NULL);
        g->errors |= mmio(g, MSIX_GTABLE, false, 0, &v);
        g->errors |= v != 0xfee00000;
        g->errors |= mmio(g, ctrl, true, 0, NULL);
        g->errors |= mmio(g, MSIX_GTABLE, false, 0, &v);
        g->errors |= v != 0xfee00000;
    }
    __atomic_store_n(&g->irqs, g->irqs + g->burst, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&g->outstanding, 1, __ATOMIC_RELEASE);
}

static int read_msix_node(uint8_t *buf, size_t cap, struct xte_node_view *v)
{
    struct xte_error err;
    size_t len = 0;

    if ( hvh_hypfs_read("/telemetry/msix", buf, cap, &len) ||
         xte_node_parse(buf, len, "/telemetry/msix", v, &err) )
        return -1;
    return 0;
}

static uint64_t pcpu_sum(const struct xte_node_view *v, const char *name)
{
    const struct xte_counter_desc *f = xte_node_field(v->desc, 0, name);
    uint64_t s = 0;
    unsigned int c;

    for ( c = 0; f && c < v->hdr.nr_pcpus; c++ )
        s += xte_rec_u64(xte_node_pcpu(v, c), f);
    return s;
}

static int msix_run(struct hvsim_ctx *ctx, struct hvsim_result *res)
{
    static uint8_t before_buf[1 << 20], after_buf[1 << 20];
    struct xte_node_view before, after;
    double cpu0 = 0, cpu1 = 0;
    uint64_t irqs = 0, fwd, emu;
    int64_t start, elapsed;
    unsigned int i;
    int errors = 0;

    if ( read_msix_node(before_buf, sizeof(before_buf), &before) )
        return -1;
    for ( i = 0; i < scn->nr; i++ )
        cpu0 += msix_dm_cpu_seconds(scn->g[i].dm);
    /* Paced (mixed): 1/10 of a burst per millisecond, about 20k/s. */
    for ( i = 0; i < scn->nr; i++ )
        scn->g[i].burst = ctx->paced ? MSIX_BURST / 10 : MSIX_BURST;
    start = NOW();
    while ( !hvsim_should_stop(ctx) )
    {
        for ( i = 0; i < scn->nr; i++ )
            while ( __atomic_load_n(&scn->g[i].outstanding,
                                    __ATOMIC_ACQUIRE) < (ctx->paced ? 1 : 2) )
            {
                __atomic_fetch_add(&scn->g[i].outstanding, 1,
                                   __ATOMIC_ACQ_REL);
                hvh_queue_on(ctx->first_cpu + i, msix_burst, &scn->g[i]);
            }
        hvsim_sleep(ctx, MILLISECS(1));
    }
    hvh_quiesce();
    elapsed = NOW() - start;
    for ( i = 0; i < scn->nr; i++ )
    {
        cpu1 += msix_dm_cpu_seconds(scn->g[i].dm);
        irqs += __atomic_load_n(&scn->g[i].irqs, __ATOMIC_RELAXED);
        errors |= scn->g[i].errors;
    }
    if ( errors )
    {
        printk(XENLOG_ERR "msix: a guest access failed or read a wrong value\n");
        return -1;
    }
    if ( read_msix_node(after_buf, sizeof(after_buf), &after) )
        return -1;
    fwd = pcpu_sum(&after, "reads_forwarded") -
          pcpu_sum(&before, "reads_forwarded");
    emu = pcpu_sum(&after, "reads_emulated") -
          pcpu_sum(&before, "reads_emulated");

    hvsim_metric(res, "interrupts_per_s", "1/s", irqs / (elapsed / 1e9), true);
    hvsim_metric(res, "dm_cpu", "%", 100.0 * (cpu1 - cpu0) / (elapsed / 1e9),
                 false);
    hvsim_metric(res, "dm_cpu_per_M_irq", "s", irqs ?
                 (cpu1 - cpu0) / (irqs / 1e6) : 0, false);
    hvsim_metric(res, "reads_forwarded_per_irq", "", irqs ?
                 (double)fwd / irqs : 0, false);
    hvsim_metric(res, "reads_emulated_per_irq", "", irqs ?
                 (double)emu / irqs : 0, true);
    hvsim_metric(res, "guests", "", scn->nr, true);
    return 0;
}

static void msix_teardown(struct hvsim_ctx *ctx)
{
    unsigned int i;

    if ( !scn )
        return;
    for ( i = 0; i < scn->nr; i++ )
    {
        struct msix_guest *g = &scn->g[i];

        if ( g->dm )
            msix_dev_detach(g->dm);
        if ( g->d )
            hvh_domain_destroy(g->d);
    }
    free(scn);
    scn = NULL;
}

static const struct hvsim_scenario scenario_msix = {
    .name = "msix",
    .id = 2,
    .description = "seed 001: guests' edge-IRQ flow (mask, flush read, "
                   "unmask, flush read) on passthrough MSI-X; table reads "
                   "to the device model vs emulated",
    .default_pcpus = 8,
    .cmdline = msix_cmdline,
    .setup = msix_setup,
    .run = msix_run,
    .teardown = msix_teardown,
};
HVSIM_SCENARIO(scenario_msix);
