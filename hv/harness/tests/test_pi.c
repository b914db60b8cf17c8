/*
 * test_pi.c - the PI blocking-list fix against its invariants.
 *
 * Property test: seeded random sequences of thousands of operations -
 * block, resume, wake by other means, interrupts posted through IRTEs,
 * IRTE retargeting, pCPU offline/online, slack changes, domains created
 * and destroyed - and after every step:
 *   - every list entry is a blocked vCPU whose NDST is that list's pCPU,
 *     whose v->pi.lock is that list's lock, on no other list;
 *   - bounded: every blocked vCPU with an IRTE is on a list; no list is
 *     over the limit while an online pCPU's list is under it;
 *     baseline: every blocked vCPU is on its own pCPU's list (4.17);
 *   - no wakeup is lost: after all pending interrupts are handled, no
 *     blocked vCPU has ON set;
 *   - offline pCPUs have empty lists;
 *   - num_hvm_vcpus equals the HVM vCPUs alive;
 *   - the telemetry agrees: list_len and list_hwm gauges, skipped_no_irte,
 *     walk counters against their histogram.
 * Plus directed tests of the wakeup handler, redirection and NDST, the
 * IRTE filter, CPU offline and the trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include <xen/cpu.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/telemetry.h>
#include <asm/apic.h>
#include <asm/hvm/vmx/pi_blocking.h>
#include <asm/hvm/vmx/vmx.h>
#include <hvh/harness.h>

#include "pi_model.h"
#include "telemetry.h"
#include "xentrace.h"

#define MAX_DOMS  12
#define MAX_IRTES 96

static struct domain *doms[MAX_DOMS];
static unsigned int wakes;
static uint64_t expect_skipped;
static uint64_t total_redirected;

static void on_wake(struct vcpu *v)
{
    wakes++;
}

static struct hvh_hooks wake_hooks = { .name = "test", .vcpu_wake = on_wake };

struct irte {
    struct vcpu *target;
};
static struct irte irtes[MAX_IRTES];

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
    return rand_r(seed) % n;
}

/* Take every online pCPU's pending interrupts (inline mode). */
static void poll_all(void)
{
    unsigned int cpu;

    for_each_online_cpu ( cpu )
    {
        hvh_cpu_enter(cpu);
        hvh_cpu_poll();
        hvh_cpu_leave();
    }
}

static unsigned int nr_hvm_alive(void)
{
    unsigned int i, n = 0;

    for ( i = 0; i < MAX_DOMS; i++ )
        if ( doms[i] && doms[i]->is_hvm )
            n += doms[i]->max_vcpus;
    return n;
}

static void check_invariants(bool bounded, const char *when)
{
    unsigned int cpu, limit = vmx_pi_list_limit();
    unsigned int listed = 0, max_len = 0, min_online_len = ~0U;
    uint64_t skipped = 0;
    struct domain *d;
    struct vcpu *v;
    unsigned int i;

    /* Mark: v->hvh_priv = list cpu + 1 while walking. */
    for ( i = 0; i < MAX_DOMS; i++ )
        if ( doms[i] )
            for_each_vcpu ( doms[i], v )
                v->hvh_priv = NULL;

    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
    {
        struct pi_blocking_pcpu *p = &per_cpu(pi_blocking, cpu);
        struct telemetry_pi_pcpu *t = telemetry_block(pi, cpu);
        unsigned int n = 0;

        list_for_each_entry ( v, &p->list, pi.list )
        {
            if ( v->hvh_priv )
                fail_msg("%s: d%uv%u on two lists", when,
                         v->domain->domain_id, v->vcpu_id);
            v->hvh_priv = (void *)(unsigned long)(cpu + 1);
            if ( v->pi.lock != &p->lock )
                fail_msg("%s: d%uv%u lock is not pCPU%u's", when,
                         v->domain->domain_id, v->vcpu_id, cpu);
            if ( pi_desc_ndst(vmx_pi_desc(v)) != vmx_pi_ndst(cpu) ||
                 v->pi.ndst_cpu != cpu )
                fail_msg("%s: d%uv%u on pCPU%u's list, NDST %u (pCPU %u)",
                         when, v->domain->domain_id, v->vcpu_id, cpu,
                         pi_desc_ndst(vmx_pi_desc(v)), v->pi.ndst_cpu);
            if ( pi_desc_nv(vmx_pi_desc(v)) != pi_wakeup_vector )
                fail_msg("%s: listed vCPU's NV is not the wakeup vector", when);
            if ( !v->pi.blocked )
                fail_msg("%s: d%uv%u listed but not blocked", when,
                         v->domain->domain_id, v->vcpu_id);
            n++;
        }
        assert_int_equal(n, p->len);
        assert_int_equal(t->list_len, n);
        assert_true(t->list_hwm >= n);
        skipped += t->skipped_no_irte;
        {
            struct telemetry_hist *h = &t->walk_len;
            uint64_t cnt = 0, b;

            for ( b = 0; b < TELEMETRY_HIST_BUCKETS; b++ )
                cnt += h->bucket[b];
            assert_int_equal(cnt, t->wakeup_irqs);
            assert_int_equal(h->sum, t->entries_walked);
        }
        listed += n;
        if ( !cpu_online(cpu) )
        {
            if ( n )
                fail_msg("%s: offline pCPU%u has %u entries", when, cpu, n);
            continue;
        }
        max_len = max(max_len, n);
        min_online_len = min(min_online_len, n);
    }
    if ( bounded && max_len > limit && min_online_len < limit )
        fail_msg("%s: a list of %u over the limit %u while one has %u",
                 when, max_len, limit, min_online_len);
    assert_int_equal(skipped, expect_skipped);

    for_each_domain ( d )
        for_each_vcpu ( d, v )
        {
            bool blocked = test_bit(_VPF_blocked, &v->pause_flags);

            if ( blocked && pi_desc_on(vmx_pi_desc(v)) )
                fail_msg("%s: d%uv%u blocked with ON set: lost wakeup", when,
                         d->domain_id, v->vcpu_id);
            if ( blocked && !v->hvh_priv && (!bounded || v->pi.irte_refs) )
                fail_msg("%s: blocked d%uv%u (irte_refs %u) on no list",
                         when, d->domain_id, v->vcpu_id, v->pi.irte_refs);
            if ( !bounded && v->hvh_priv &&
                 (unsigned long)v->hvh_priv - 1 != (unsigned long)v->processor &&
                 cpu_online(v->processor) )
                fail_msg("%s: baseline put d%uv%u off its own pCPU", when,
                         d->domain_id, v->vcpu_id);
        }
    assert_int_equal(atomic_read(&num_hvm_vcpus), nr_hvm_alive());
}

/* A random HVM vCPU (only they use VT-d posted interrupts). */
static struct vcpu *random_vcpu(unsigned int *seed)
{
    unsigned int tries;

    for ( tries = 0; tries < 16; tries++ )
    {
        struct domain *d = doms[rnd(seed, MAX_DOMS)];

        if ( d && d->is_hvm )
            return d->vcpu[rnd(seed, d->max_vcpus)];
    }
    return NULL;
}

static unsigned int random_online(unsigned int *seed)
{
    unsigned int k = rnd(seed, num_online_cpus()), cpu;

    for_each_online_cpu ( cpu )
        if ( !k-- )
            return cpu;
    return cpumask_first(&cpu_online_map);
}

static void drop_irtes_of(struct domain *d)
{
    unsigned int i;

    for ( i = 0; i < MAX_IRTES; i++ )
        if ( irtes[i].target && irtes[i].target->domain == d )
        {
            vmx_pi_irte_unref(irtes[i].target);
            irtes[i].target = NULL;
        }
}

static void make_domain(unsigned int slot, unsigned int *seed)
{
    doms[slot] = hvh_domain_create(slot + 1, 1 + rnd(seed, 6),
                                   rnd(seed, 5) != 0);
    assert_non_null(doms[slot]);
}

static const char *redirect_policy = "next";

static void run_sequence(unsigned int nr_cpus, bool bounded, unsigned int seed0,
                         unsigned int steps)
{
    char cmdline[128];
    unsigned int seed = seed0, step, i;
    char when[64];

    snprintf(cmdline, sizeof(cmdline),
             "pi_list_policy=%s pi_list_slack=%u pi_list_redirect=%s",
             bounded ? "bounded" : "baseline", seed0 % 3, redirect_policy);
    assert_int_equal(hvh_boot(nr_cpus, cmdline), 0);
    hvh_register_hooks(pi_model_hooks());
    hvh_register_hooks(&wake_hooks);
    memset(irtes, 0, sizeof(irtes));
    memset(doms, 0, sizeof(doms));
    expect_skipped = 0;
    wakes = 0;
    for ( i = 0; i < MAX_DOMS; i++ )
        make_domain(i, &seed);

    for ( step = 0; step < steps; step++ )
    {
        unsigned int op = rnd(&seed, 100);
        struct vcpu *v = random_vcpu(&seed);

        snprintf(when, sizeof(when), "seed %u step %u op %u", seed0, step, op);
        if ( op < 15 )
        {
            /* A woken vCPU runs again, if there is one. */
            unsigned int tries;

            for ( tries = 0; tries < 8 && v; tries++, v = random_vcpu(&seed) )
                if ( v->pi.blocked && !test_bit(_VPF_blocked, &v->pause_flags) )
                {
                    hvh_cpu_enter(random_online(&seed));
                    pi_model_resume(v);
                    hvh_cpu_leave();
                    break;
                }
            v = random_vcpu(&seed);
        }
        if ( op < 30 && v && !v->pi.blocked )
        {
            /* v ran somewhere (mostly the first online pCPU, the seed's
             * worst case) and blocks there. */
            unsigned int cpu = rnd(&seed, 3) ? cpumask_first(&cpu_online_map)
                                             : random_online(&seed);

            hvh_cpu_enter(cpu);
            v->processor = cpu;
            if ( bounded && !v->pi.irte_refs )
                expect_skipped++;
            pi_model_block(v);
            hvh_cpu_leave();
        }
        else if ( op >= 30 && op < 35 && v )
        {
            /* An event channel wakes it (not a posted interrupt). */
            hvh_cpu_enter(random_online(&seed));
            vcpu_unblock(v);
            hvh_cpu_leave();
        }
        else if ( op >= 35 && op < 50 )
        {
            /* A device interrupt through a random IRTE. */
            struct irte *e = &irtes[rnd(&seed, MAX_IRTES)];

            if ( e->target )
                pi_model_post(e->target, 0x30 + rnd(&seed, 64));
        }
        else if ( op >= 50 && op < 80 && v )
        {
            /* Retarget an IRTE: the new descriptor first, then the old
             * one loses its reference (the IRTE update in between). */
            struct irte *e = &irtes[rnd(&seed, MAX_IRTES)];
            struct vcpu *old = e->target;

            hvh_cpu_enter(random_online(&seed));
            if ( rnd(&seed, 4) )
            {
                vmx_pi_irte_ref(v);
                e->target = v;
            }
            else
                e->target = NULL;
            if ( old )
                vmx_pi_irte_unref(old);
            hvh_cpu_leave();
        }
        else if ( op >= 80 && op < 87 )
        {
            unsigned int cpu = rnd(&seed, nr_cpus);

            if ( cpu_online(cpu) && num_online_cpus() > 1 )
            {
                struct domain *d;
                struct pi_blocking_pcpu *p = &per_cpu(pi_blocking, cpu);

                /* Sometimes a notification is in flight to it. */
                if ( !list_empty(&p->list) && rnd(&seed, 2) )
                    pi_model_post(list_entry(p->list.prev, struct vcpu,
                                             pi.list), 0x70);
                assert_int_equal(hvh_cpu_down(cpu), 0);
                /* The scheduler moves vCPUs off the dead pCPU: blocked
                 * ones to the pCPU whose list now holds them. */
                for_each_domain ( d )
                    for_each_vcpu ( d, v )
                        if ( v->processor == (int)cpu )
                            v->processor = v->pi.lock
                                ? container_of(v->pi.lock,
                                               struct pi_blocking_pcpu,
                                               lock)->cpu
                                : cpumask_first(&cpu_online_map);
            }
            else if ( !cpu_online(cpu) )
                assert_int_equal(hvh_cpu_up(cpu), 0);
        }
        else if ( op >= 87 && op < 92 )
        {
            char val[8];

            snprintf(val, sizeof(val), "%u", rnd(&seed, 4));
            assert_int_equal(hvh_param_set("pi_list_slack", val), 0);
        }
        else if ( op >= 92 && op < 95 )
        {
            unsigned int slot = rnd(&seed, MAX_DOMS);

            drop_irtes_of(doms[slot]);
            hvh_domain_destroy(doms[slot]);
            doms[slot] = NULL;
            make_domain(slot, &seed);
        }
        poll_all();
        check_invariants(bounded, when);
    }

    {
        uint64_t adds = 0, redirected = 0, woken = 0, irqs = 0;
        unsigned int cpu;

        for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
        {
            adds += telemetry_block(pi, cpu)->adds;
            redirected += telemetry_block(pi, cpu)->adds_redirected;
            woken += telemetry_block(pi, cpu)->vcpus_woken;
            irqs += telemetry_block(pi, cpu)->wakeup_irqs;
        }
        printf("%s %u pCPUs seed %u: %u steps, adds %llu (redirected %llu), "
               "wakeup irqs %llu, woken by them %llu, all wakes %u, "
               "skipped (no IRTE) %llu\n", bounded ? "bounded" : "baseline",
               nr_cpus, seed0, steps, (unsigned long long)adds,
               (unsigned long long)redirected, (unsigned long long)irqs,
               (unsigned long long)woken, wakes,
               (unsigned long long)expect_skipped);
        assert_true(adds > steps / 20);
        assert_true(woken > 0);
        total_redirected += redirected;
    }

    for ( i = 0; i < MAX_DOMS; i++ )
    {
        drop_irtes_of(doms[i]);
        hvh_domain_destroy(doms[i]);
        doms[i] = NULL;
    }
    assert_int_equal(atomic_read(&num_hvm_vcpus), 0);
    hvh_unregister_hooks(&wake_hooks);
    hvh_unregister_hooks(pi_model_hooks());
    hvh_shutdown();
}

static void test_property_bounded(void **state)
{
    static const unsigned int cpus[] = { 1, 2, 3, 5, 8, 16 };
    unsigned int i;

    total_redirected = 0;
    for ( i = 0; i < ARRAY_SIZE(cpus); i++ )
        run_sequence(cpus[i], true, 1000 + i, 3000);
    /* The other redirect policy keeps the same invariants. */
    redirect_policy = "least";
    run_sequence(8, true, 1100, 3000);
    run_sequence(16, true, 1101, 3000);
    redirect_policy = "next";
    /* The sequences did exercise redirection. */
    assert_true(total_redirected > 0);
}

static void test_property_baseline(void **state)
{
    static const unsigned int cpus[] = { 1, 4, 7 };
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(cpus); i++ )
        run_sequence(cpus[i], false, 2000 + i, 2000);
}

/* All vCPUs block on pCPU 0: lists fill to the limit, then overflow
 * elsewhere with NDST following; a wakeup walks only its own list. */
static void test_redirect_and_walk(void **state)
{
    struct domain *d;
    struct vcpu *v;
    unsigned int cpu, limit, total = 0;

    assert_int_equal(hvh_boot(4, "pi_list_policy=bounded pi_list_slack=1"), 0);
    hvh_register_hooks(pi_model_hooks());
    hvh_register_hooks(&wake_hooks);
    d = hvh_domain_create(1, 40, true);
    assert_int_equal(vmx_pi_list_limit(), 10 + 1);
    limit = vmx_pi_list_limit();
    hvh_cpu_enter(0);
    for_each_vcpu ( d, v )
    {
        vmx_pi_irte_ref(v);
        v->processor = 0;
        pi_model_block(v);
    }
    hvh_cpu_leave();
    for ( cpu = 0; cpu < 4; cpu++ )
    {
        assert_true(vmx_pi_list_len(cpu) <= limit);
        total += vmx_pi_list_len(cpu);
    }
    assert_int_equal(total, 40);
    assert_int_equal(vmx_pi_list_len(0), limit);
    assert_int_equal(telemetry_block(pi, 0)->adds_redirected, 0);
    assert_int_equal(telemetry_block(pi, 1)->adds_redirected,
                     vmx_pi_list_len(1));

    /* Interrupt for the last vCPU: NDST says where it is listed. */
    v = d->vcpu[39];
    wakes = 0;
    cpu = pi_model_post(v, 0x41);
    assert_int_not_equal(cpu, 0);
    assert_int_equal(pi_desc_ndst(vmx_pi_desc(v)), vmx_pi_ndst(cpu));
    hvh_cpu_enter(cpu);
    hvh_cpu_poll();
    hvh_cpu_leave();
    assert_int_equal(wakes, 1);
    assert_false(test_bit(_VPF_blocked, &v->pause_flags));
    assert_int_equal(telemetry_block(pi, cpu)->wakeup_irqs, 1);
    assert_int_equal(telemetry_block(pi, cpu)->vcpus_woken, 1);
    assert_true(telemetry_block(pi, cpu)->entries_walked <= limit);
    assert_int_equal(telemetry_block(pi, 0)->wakeup_irqs, 0);

    for_each_vcpu ( d, v )
    {
        hvh_cpu_enter(1);
        pi_model_resume(v);
        hvh_cpu_leave();
        vmx_pi_irte_unref(v);
    }
    for ( cpu = 0; cpu < 4; cpu++ )
        assert_int_equal(vmx_pi_list_len(cpu), 0);
    hvh_domain_destroy(d);
    hvh_unregister_hooks(&wake_hooks);
    hvh_unregister_hooks(pi_model_hooks());
    hvh_shutdown();
}

/* Baseline walks one unbounded list; no IRTE filter. */
static void test_baseline_unbounded(void **state)
{
    struct domain *d;
    struct vcpu *v;

    assert_int_equal(hvh_boot(4, "pi_list_policy=baseline pi_list_slack=1"), 0);
    hvh_register_hooks(pi_model_hooks());
    d = hvh_domain_create(1, 40, true);
    assert_int_equal(vmx_pi_list_limit(), 0);
    hvh_cpu_enter(0);
    for_each_vcpu ( d, v )
    {
        v->processor = 0;
        pi_model_block(v);          /* no IRTE: still listed in 4.17 */
    }
    pi_model_post(d->vcpu[5], 0x41);
    hvh_cpu_poll();
    hvh_cpu_leave();
    assert_int_equal(vmx_pi_list_len(0), 39);
    assert_int_equal(telemetry_block(pi, 0)->entries_walked, 40);
    assert_int_equal(telemetry_block(pi, 0)->list_hwm, 40);
    /* pCPU 0 goes: 4.17 hands its whole list to the first online pCPU. */
    assert_int_equal(hvh_cpu_down(0), 0);
    assert_int_equal(vmx_pi_list_len(1), 39);
    hvh_domain_destroy(d);
    hvh_unregister_hooks(pi_model_hooks());
    hvh_shutdown();
}

/* A notification sent to a pCPU that dies before handling it is not
 * lost: the move sees ON and wakes the vCPU. */
static void test_offline_keeps_wakeup(void **state)
{
    struct domain *d;
    struct vcpu *v;
    unsigned int cpu;

    assert_int_equal(hvh_boot(3, "pi_list_policy=bounded pi_list_slack=0"), 0);
    hvh_register_hooks(pi_model_hooks());
    hvh_register_hooks(&wake_hooks);
    d = hvh_domain_create(1, 6, true);
    hvh_cpu_enter(2);
    for_each_vcpu ( d, v )
    {
        vmx_pi_irte_ref(v);
        v->processor = 2;
        pi_model_block(v);
    }
    hvh_cpu_leave();
    assert_int_equal(vmx_pi_list_len(2), 2);
    v = list_first_entry(&per_cpu(pi_blocking, 2).list, struct vcpu, pi.list);
    wakes = 0;
    assert_int_equal(pi_model_post(v, 0x50), 2);    /* queued on pCPU 2 */
    assert_int_equal(hvh_cpu_down(2), 0);           /* ... which dies */
    assert_int_equal(wakes, 1);
    assert_false(test_bit(_VPF_blocked, &v->pause_flags));
    /* The other one moved, within the new limit (6/2 + 0). */
    for ( cpu = 0; cpu < 2; cpu++ )
        assert_true(vmx_pi_list_len(cpu) <= 3);
    assert_int_equal(vmx_pi_list_len(0) + vmx_pi_list_len(1), 5);
    hvh_domain_destroy(d);
    hvh_unregister_hooks(&wake_hooks);
    hvh_unregister_hooks(pi_model_hooks());
    hvh_shutdown();
}

/*
 * NDST holds the APIC id of the pCPU whose list holds the vCPU: in x2APIC
 * mode the id itself, in xAPIC mode the id in bits 8-15 (the harness's
 * APIC ids are the pCPU numbers); v->pi.ndst_cpu names the pCPU.
 */
static void test_ndst_encoding(void **state)
{
    struct domain *d;
    struct vcpu *v;

    assert_int_equal(vmx_pi_ndst(3), 3);
    x2apic_enabled = false;
    assert_int_equal(vmx_pi_ndst(3), 0x300);
    assert_int_equal(vmx_pi_ndst(0), 0);

    assert_int_equal(hvh_boot(2, "pi_list_policy=bounded pi_list_slack=4"), 0);
    hvh_register_hooks(pi_model_hooks());
    d = hvh_domain_create(1, 1, true);
    v = d->vcpu[0];
    hvh_cpu_enter(1);
    v->processor = 1;
    vmx_pi_irte_ref(v);
    pi_model_block(v);
    hvh_cpu_leave();
    assert_int_equal(vmx_pi_list_len(1), 1);
    assert_int_equal(pi_desc_ndst(vmx_pi_desc(v)), 0x100);
    assert_int_equal(v->pi.ndst_cpu, 1);
    assert_int_equal(pi_desc_nv(vmx_pi_desc(v)), pi_wakeup_vector);
    hvh_cpu_enter(1);
    vmx_pi_do_resume(v);
    hvh_cpu_leave();
    assert_int_equal(vmx_pi_list_len(1), 0);
    assert_int_equal(pi_desc_nv(vmx_pi_desc(v)), posted_intr_vector);
    x2apic_enabled = true;
    hvh_domain_destroy(d);
    hvh_unregister_hooks(pi_model_hooks());
    hvh_shutdown();
}

/* A vCPU blocked with no IRTE is on no list; its first IRTE puts it on. */
static void test_irte_filter(void **state)
{
    struct domain *d;
    struct vcpu *v;

    assert_int_equal(hvh_boot(2, "pi_list_policy=bounded pi_list_slack=4"), 0);
    hvh_register_hooks(pi_model_hooks());
    hvh_register_hooks(&wake_hooks);
    d = hvh_domain_create(1, 1, true);
    v = d->vcpu[0];
    hvh_cpu_enter(1);
    v->processor = 1;
    pi_model_block(v);
    assert_int_equal(vmx_pi_list_len(1), 0);
    assert_int_equal(telemetry_block(pi, 1)->skipped_no_irte, 1);
    vmx_pi_irte_ref(v);
    assert_int_equal(vmx_pi_list_len(1), 1);
    assert_int_equal(pi_desc_ndst(vmx_pi_desc(v)), vmx_pi_ndst(1));
    vmx_pi_irte_ref(v);
    vmx_pi_irte_unref(v);
    assert_int_equal(v->pi.irte_refs, 1);
    wakes = 0;
    pi_model_post(v, 0x60);
    hvh_cpu_poll();
    hvh_cpu_leave();
    assert_int_equal(wakes, 1);
    assert_int_equal(vmx_pi_list_len(1), 0);
    hvh_domain_destroy(d);
    hvh_unregister_hooks(&wake_hooks);
    hvh_unregister_hooks(pi_model_hooks());
    hvh_shutdown();
}

/* The slack is a runtime parameter; lowering it moves the excess. */
static void test_runtime_slack(void **state)
{
    struct domain *d;
    struct vcpu *v;
    char buf[16] = { 0 };
    size_t len;

    assert_int_equal(hvh_boot(2, "pi_list_policy=bounded pi_list_slack=8"), 0);
    hvh_register_hooks(pi_model_hooks());
    d = hvh_domain_create(1, 8, true);
    assert_int_equal(vmx_pi_list_limit(), 4 + 8);
    hvh_cpu_enter(0);
    for_each_vcpu ( d, v )
    {
        vmx_pi_irte_ref(v);
        v->processor = 0;
        pi_model_block(v);
    }
    hvh_cpu_leave();
    assert_int_equal(vmx_pi_list_len(0), 8);
    assert_int_equal(hvh_param_set("pi_list_slack", "1"), 0);
    assert_int_equal(vmx_pi_list_limit(), 5);
    assert_int_equal(vmx_pi_list_len(0), 5);
    assert_int_equal(vmx_pi_list_len(1), 3);
    assert_int_equal(hvh_hypfs_read("/params/pi_list_slack", buf,
                                     sizeof(buf) - 1, &len), 0);
    assert_string_equal(buf, "1");
    assert_int_not_equal(hvh_param_set("pi_list_slack", "lots"), 0);
    assert_int_equal(vmx_pi_list_limit(), 5);
    {
        /* What an administrator reads: the gauges as of the read. */
        static uint8_t node[1 << 16];
        struct xte_node_view view;
        struct xte_error err;
        const struct xte_counter_desc *fl, *fv, *fn;
        unsigned int cpu;

        assert_int_equal(hvh_hypfs_read("/telemetry/pi", node, sizeof(node),
                                        &len), 0);
        assert_int_equal(xte_node_parse(node, len, "pi", &view, &err), 0);
        fl = xte_node_field(view.desc, 0, "list_limit");
        fv = xte_node_field(view.desc, 0, "hvm_vcpus");
        fn = xte_node_field(view.desc, 0, "list_len");
        for ( cpu = 0; cpu < 2; cpu++ )
        {
            assert_int_equal(xte_rec_u64(xte_node_pcpu(&view, cpu), fl), 5);
            assert_int_equal(xte_rec_u64(xte_node_pcpu(&view, cpu), fv), 8);
            assert_int_equal(xte_rec_u64(xte_node_pcpu(&view, cpu), fn),
                             vmx_pi_list_len(cpu));
        }
    }
    hvh_domain_destroy(d);
    hvh_unregister_hooks(pi_model_hooks());
    hvh_shutdown();
}

/* The trace points, read back from the file with the tools' reader. */
static void test_trace_points(void **state)
{
    char path[] = "/tmp/hvh-pi-trace-XXXXXX";
    int fd = mkstemp(path);
    struct domain *d;
    struct vcpu *v;
    struct xte_reader *r;
    struct xte_record rec;
    struct xte_error err;
    unsigned int adds = 0, redirected_adds = 0, wakeups = 0, skips = 0;
    unsigned int limits = 0, moves = 0, dels = 0;

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(hvh_boot(3, "pi_list_policy=bounded pi_list_slack=0"), 0);
    hvh_register_hooks(pi_model_hooks());
    hvh_register_hooks(&wake_hooks);
    assert_int_equal(hvh_trace_open(path, 1 << 20), 0);
    d = hvh_domain_create(7, 6, true);          /* limit 2 */
    hvh_cpu_enter(1);
    for_each_vcpu ( d, v )
    {
        v->processor = 1;
        if ( v->vcpu_id )
            vmx_pi_irte_ref(v);
        pi_model_block(v);                      /* v0: no IRTE, skipped */
    }
    hvh_cpu_leave();
    v = list_first_entry(&per_cpu(pi_blocking, 1).list, struct vcpu, pi.list);
    pi_model_post(v, 0x44);
    hvh_cpu_enter(1);
    hvh_cpu_poll();
    hvh_cpu_leave();
    assert_int_equal(hvh_cpu_down(2), 0);
    assert_int_equal(hvh_trace_close(), 0);
    hvh_domain_destroy(d);
    hvh_unregister_hooks(&wake_hooks);
    hvh_unregister_hooks(pi_model_hooks());
    hvh_shutdown();

    r = xte_reader_open(path, NULL, &err);
    assert_non_null(r);
    while ( xte_reader_next(r, &rec) == 1 )
        switch ( rec.event )
        {
        case TRC_VTDSCALE_PI_LIST_ADD:
            assert_int_equal(rec.nr_extra, 6);
            assert_int_equal(rec.extra[0], 7);          /* domid */
            assert_true(rec.extra[1] < 6);              /* vcpu */
            assert_true(rec.extra[3] >= 1);             /* len */
            if ( rec.extra[4] == 1 && rec.extra[2] != 1 )
                redirected_adds++;                      /* from 1 to elsewhere */
            adds++;
            break;
        case TRC_VTDSCALE_PI_LIST_DEL:
            dels++;
            break;
        case TRC_VTDSCALE_PI_WAKEUP:
            assert_int_equal(rec.extra[0], 1);          /* pcpu */
            assert_int_equal(rec.extra[1], 2);          /* walked: the limit */
            assert_int_equal(rec.extra[2], 1);          /* woken */
            wakeups++;
            break;
        case TRC_VTDSCALE_PI_SKIP_NO_IRTE:
            assert_int_equal(rec.extra[0], 7);
            assert_int_equal(rec.extra[1], 0);
            skips++;
            break;
        case TRC_VTDSCALE_PI_LIMIT:
            limits++;
            break;
        case TRC_VTDSCALE_PI_CPU_MOVE:
            assert_int_equal(rec.extra[0], 2);          /* dead pCPU */
            assert_true(rec.extra[1] >= 1);
            moves++;
            break;
        }
    xte_reader_close(r);
    unlink(path);
    /* 5 placed (2 at home, 3 redirected), then moves off pCPU 2. */
    assert_true(adds >= 5);
    assert_int_equal(redirected_adds, 3);
    assert_int_equal(wakeups, 1);
    assert_int_equal(skips, 1);
    assert_int_equal(moves, 1);
    assert_true(dels >= 1);
    assert_true(limits >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redirect_and_walk),
        cmocka_unit_test(test_baseline_unbounded),
        cmocka_unit_test(test_offline_keeps_wakeup),
        cmocka_unit_test(test_irte_filter),
        cmocka_unit_test(test_ndst_encoding),
        cmocka_unit_test(test_runtime_slack),
        cmocka_unit_test(test_trace_points),
        cmocka_unit_test(test_property_bounded),
        cmocka_unit_test(test_property_baseline),
    };

    hvh_set_verbosity(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
