/*
 * stress_pi.c - the PI blocking lists under real concurrency, for
 * ThreadSanitizer: 24 pCPU threads on the host's cores block and resume
 * their vCPUs, post device interrupts through a shared IRTE table,
 * retarget IRTEs and take wakeup interrupts, while the main thread
 * offlines and onlines pCPUs and changes pi_list_slack at run time.
 *
 * Pass: every block episode ends with exactly one wake (wakes per vCPU ==
 * episodes ended), no blocked vCPU is left with ON set (no lost wakeup),
 * the lists are consistent and within the limit at the end, and TSan
 * reports nothing (it fails the run itself).
 */
#include <stdio.h>
#include <stdlib.h>

#include <xen/cpu.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/spinlock.h>
#include <asm/hvm/vmx/pi_blocking.h>
#include <hvh/harness.h>

#include "pi_model.h"

#define NR_PCPUS  24
#define NR_DOMS   6
#define NR_VCPUS  16            /* per domain */
#define NR_IRTES  64
#define ROUNDS    60

enum { RUNNING, BLOCKED, WOKEN };

struct vstate {
    int state;                  /* atomic */
    unsigned int blocks;        /* owner only */
    unsigned int wakes;         /* atomic: from the wake hook */
    unsigned int owner;         /* main thread, between rounds */
};

static struct domain *doms[NR_DOMS];
static struct vstate *vs[NR_DOMS];
static struct vcpu *irte[NR_IRTES];
static DEFINE_SPINLOCK(irte_lock);
static unsigned int bad;

static struct vstate *state_of(const struct vcpu *v)
{
    return &vs[v->domain->domain_id - 1][v->vcpu_id];
}

static void on_wake(struct vcpu *v)
{
    struct vstate *s = state_of(v);
    int old = BLOCKED;

    __atomic_fetch_add(&s->wakes, 1, __ATOMIC_RELAXED);
    if ( !__atomic_compare_exchange_n(&s->state, &old, WOKEN, false,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) )
        __atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);  /* woken twice */
}

static struct hvh_hooks wake_hooks = { .name = "stress", .vcpu_wake = on_wake };

static void round_fn(void *arg)
{
    unsigned int cpu = smp_processor_id();
    unsigned int seed = cpu * 2654435761U + (unsigned long)arg;
    unsigned int d, i, k;

    for ( d = 0; d < NR_DOMS; d++ )
        for ( i = 0; i < NR_VCPUS; i++ )
        {
            struct vstate *s = &vs[d][i];
            struct vcpu *v = doms[d]->vcpu[i];

            if ( s->owner != cpu )
                continue;
            switch ( __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) )
            {
            case RUNNING:
                if ( rand_r(&seed) % 2 )
                {
                    s->blocks++;
                    __atomic_store_n(&s->state, BLOCKED, __ATOMIC_RELEASE);
                    pi_model_block(v);
                }
                break;
            case WOKEN:
                pi_model_resume(v);
                __atomic_store_n(&s->state, RUNNING, __ATOMIC_RELEASE);
                break;
            }
        }

    /* This pCPU's devices raise interrupts; some IRTEs are retargeted. */
    for ( k = 0; k < 6; k++ )
    {
        unsigned int e = rand_r(&seed) % NR_IRTES;
        unsigned long flags;

        spin_lock_irqsave(&irte_lock, flags);
        if ( rand_r(&seed) % 5 )
        {
            if ( irte[e] )
                pi_model_post(irte[e], 0x30 + rand_r(&seed) % 32);
        }
        else
        {
            struct vcpu *old = irte[e];
            unsigned int dd = rand_r(&seed) % NR_DOMS;

            irte[e] = doms[dd]->vcpu[rand_r(&seed) % NR_VCPUS];
            vmx_pi_irte_ref(irte[e]);
            if ( old )
                vmx_pi_irte_unref(old);
        }
        spin_unlock_irqrestore(&irte_lock, flags);
    }
}

/* Owners: the vCPUs spread over the online pCPUs (main thread, quiet). */
static void assign_owners(void)
{
    unsigned int online[NR_PCPUS], n = 0, cpu, d, i;

    for_each_online_cpu ( cpu )
        online[n++] = cpu;
    for ( d = 0; d < NR_DOMS; d++ )
        for ( i = 0; i < NR_VCPUS; i++ )
        {
            vs[d][i].owner = online[(d * NR_VCPUS + i) % n];
            if ( __atomic_load_n(&vs[d][i].state, __ATOMIC_ACQUIRE) == RUNNING )
                doms[d]->vcpu[i]->processor = vs[d][i].owner;
        }
}

int main(void)
{
    unsigned int round, cpu, d, i, ended = 0, wakes = 0, still = 0;
    char val[8];

    hvh_set_verbosity(0);
    if ( hvh_boot(NR_PCPUS, "pi_list_policy=bounded pi_list_slack=1") )
        return 1;
    hvh_register_hooks(pi_model_hooks());
    hvh_register_hooks(&wake_hooks);
    for ( d = 0; d < NR_DOMS; d++ )
    {
        doms[d] = hvh_domain_create(d + 1, NR_VCPUS, true);
        vs[d] = calloc(NR_VCPUS, sizeof(*vs[d]));
        if ( !doms[d] || !vs[d] )
            return 1;
    }
    assign_owners();
    hvh_set_ipi_delay(2000);
    if ( hvh_start_cpus() )
        return 1;

    for ( round = 0; round < ROUNDS; round++ )
    {
        for_each_online_cpu ( cpu )
            hvh_queue_on(cpu, round_fn, (void *)(unsigned long)round);
        /* While the round runs: hotplug and slack changes. */
        if ( round % 10 == 3 )
            hvh_cpu_down(5 + round % 7);
        if ( round % 10 == 8 )
            hvh_cpu_up(5 + (round - 5) % 7);
        snprintf(val, sizeof(val), "%u", round % 4);
        hvh_param_set("pi_list_slack", val);
        hvh_quiesce();
        assign_owners();
    }
    /* Let every pending interrupt land. */
    hvh_quiesce();
    hvh_stop_cpus();

    for ( d = 0; d < NR_DOMS; d++ )
        for ( i = 0; i < NR_VCPUS; i++ )
        {
            struct vstate *s = &vs[d][i];
            struct vcpu *v = doms[d]->vcpu[i];
            bool blocked = test_bit(_VPF_blocked, &v->pause_flags);

            if ( blocked && pi_desc_on(vmx_pi_desc(v)) )
            {
                printf("d%uv%u: blocked with ON set: lost wakeup\n", d + 1, i);
                bad++;
            }
            if ( s->wakes != s->blocks - blocked )
            {
                printf("d%uv%u: %u blocks, %u wakes, blocked %d\n", d + 1, i,
                       s->blocks, s->wakes, blocked);
                bad++;
            }
            ended += s->blocks - blocked;
            wakes += s->wakes;
            still += blocked;
        }
    {
        unsigned int limit = vmx_pi_list_limit(), maxl = 0, minl = ~0U;

        for_each_online_cpu ( cpu )
        {
            maxl = max(maxl, vmx_pi_list_len(cpu));
            minl = min(minl, vmx_pi_list_len(cpu));
        }
        for ( cpu = 0; cpu < NR_PCPUS; cpu++ )
            if ( !cpu_online(cpu) && vmx_pi_list_len(cpu) )
                bad++;
        printf("episodes ended %u, wakes %u, still blocked %u, lists %u..%u "
               "(limit %u)\n", ended, wakes, still, minl, maxl, limit);
        if ( maxl > limit && minl < limit )
            bad++;
    }
    if ( ended < 100 )
    {
        printf("too little happened\n");
        bad++;
    }
    printf("%s\n", bad ? "FAIL" : "ok");
    return bad ? 1 : 0;
}
