/*
 * scenario_mixed.c - all five subsystems at once on one simulated host.
 *
 * The default scenario, and the one `make demo` runs: the PI, MSI-X, dpci,
 * maptrack and EPT scenarios share one booted host, each with its own
 * guests (distinct domids: each scenario's domains are numbered from its
 * own base), and their workloads run at the same time, so every view of
 * xentop-pi and every report of xenalyze-ext has data from one trace.
 *
 * Composition, not a sixth workload: the Xen command line is the members'
 * command lines joined, setup and teardown call the members' in turn, and
 * run() drives each member's run() from its own thread until the common
 * deadline.  Each member drives its own range of pCPUs (its work items
 * occupy them the way its guests would), while the hypervisor state it
 * touches - PI lists, softirqs, IPIs, the telemetry - is the one host's:
 * a redirected PI vCPU may land on a pCPU of another member's range.  The
 * figures reported are each member's first few, prefixed with its name.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <xen/lib.h>
#include <hvh/harness.h>

#include "scenario.h"

extern const struct hvsim_scenario *const __start_hvsim_scenarios[]
    __attribute__((weak));
extern const struct hvsim_scenario *const __stop_hvsim_scenarios[]
    __attribute__((weak));

/* Members, in the order of the seeds; each gets domids from its base. */
static const char *const member_names[] = {
    "pi", "msix", "dpci", "maptrack", "ept",
};
/* pCPUs each member drives; EPT's migration needs 20 (16 vCPUs + 4). */
#define EPT_PCPUS 20
#define MIN_OTHER_PCPUS 2
#define NR_MEMBERS ARRAY_SIZE(member_names)
#define DOMID_STRIDE 1000   /* PI alone creates 256 domains */
#define METRICS_PER_MEMBER (HVSIM_MAX_METRICS / NR_MEMBERS)

struct member {
    const struct hvsim_scenario *s;
    struct hvsim_ctx ctx;
    struct hvsim_result res;
    pthread_t thread;
    int rc;
    bool set_up;
};

static struct member members[NR_MEMBERS];
static char metric_names[HVSIM_MAX_METRICS][64];

static const struct hvsim_scenario *lookup(const char *name)
{
    const struct hvsim_scenario *const *s;

    for ( s = __start_hvsim_scenarios; s && s < __stop_hvsim_scenarios; s++ )
        if ( !strcmp((*s)->name, name) )
            return *s;
    return NULL;
}

static const char *mixed_cmdline(bool optimized)
{
    static char buf[1024];
    unsigned int i;
    size_t used = 0;

    buf[0] = '\0';
    for ( i = 0; i < NR_MEMBERS; i++ )
    {
        const struct hvsim_scenario *s = lookup(member_names[i]);

        if ( s && used < sizeof(buf) )
            used += snprintf(buf + used, sizeof(buf) - used, "%s%s",
                             used ? " " : "", s->cmdline(optimized));
    }
    return buf;
}

static void mixed_teardown(struct hvsim_ctx *ctx)
{
    unsigned int i;

    for ( i = NR_MEMBERS; i-- > 0; )
        if ( members[i].set_up )
        {
            members[i].s->teardown(&members[i].ctx);
            members[i].set_up = false;
        }
}

static int mixed_setup(struct hvsim_ctx *ctx)
{
    unsigned int i, next_cpu = 0, others = NR_MEMBERS - 1, share;

    if ( ctx->pcpus < EPT_PCPUS + others * MIN_OTHER_PCPUS )
    {
        fprintf(stderr, "hvsim: mixed: needs --pcpus %u or more\n",
               EPT_PCPUS + others * MIN_OTHER_PCPUS);
        return -1;
    }
    share = (ctx->pcpus - EPT_PCPUS) / others;
    memset(members, 0, sizeof(members));
    for ( i = 0; i < NR_MEMBERS; i++ )
    {
        struct member *m = &members[i];

        m->s = lookup(member_names[i]);
        if ( !m->s )
        {
            fprintf(stderr, "hvsim: mixed: scenario '%s' is not built in\n",
                   member_names[i]);
            goto fail;
        }
        m->ctx = *ctx;
        m->ctx.priv = NULL;
        m->ctx.first_cpu = next_cpu;
        m->ctx.paced = true;
        m->ctx.pcpus = !strcmp(member_names[i], "ept") ? EPT_PCPUS : share;
        next_cpu += m->ctx.pcpus;
        hvh_set_domid_base((i + 1) * DOMID_STRIDE);
        if ( m->s->setup(&m->ctx) )
        {
            fprintf(stderr, "hvsim: mixed: setup of '%s' failed\n",
                    member_names[i]);
            goto fail;
        }
        m->set_up = true;
    }
    hvh_set_domid_base(0);
    return 0;

 fail:
    hvh_set_domid_base(0);
    mixed_teardown(ctx);
    return -1;
}

static void *member_thread(void *arg)
{
    struct member *m = arg;

    m->rc = m->s->run(&m->ctx, &m->res);
    return NULL;
}

static int mixed_run(struct hvsim_ctx *ctx, struct hvsim_result *res)
{
    unsigned int i, j, started = 0;
    int rc = 0;

    for ( i = 0; i < NR_MEMBERS; i++ )
    {
        struct member *m = &members[i];

        /* The deadline is set after setup. */
        m->ctx.deadline_ns = ctx->deadline_ns;
        if ( pthread_create(&m->thread, NULL, member_thread, m) )
        {
            rc = -1;
            break;
        }
        started++;
    }
    for ( i = 0; i < started; i++ )
    {
        pthread_join(members[i].thread, NULL);
        if ( members[i].rc )
            rc = members[i].rc;
    }

    for ( i = 0; i < started; i++ )
        for ( j = 0; j < members[i].res.nr && j < METRICS_PER_MEMBER; j++ )
        {
            const struct hvsim_metric *mm = &members[i].res.m[j];
            char *name = metric_names[res->nr];

            snprintf(name, sizeof(metric_names[0]), "%s.%s",
                     member_names[i], mm->name);
            hvsim_metric(res, name, mm->unit, mm->value,
                         mm->higher_is_better);
        }
    return rc;
}

static const struct hvsim_scenario scenario_mixed = {
    .name = "mixed",
    .id = 6,
    .description = "all five at once on one host (PI, MSI-X, dpci, maptrack, "
                   "EPT), guests of several shapes; the default",
    .default_pcpus = 36,
    .cmdline = mixed_cmdline,
    .setup = mixed_setup,
    .run = mixed_run,
    .teardown = mixed_teardown,
};
HVSIM_SCENARIO(scenario_mixed);
