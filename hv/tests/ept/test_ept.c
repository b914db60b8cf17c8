/*
 * test_ept.c - EPT invalidations (arch/x86/mm/p2m-ept-flush.c), both
 * policies.
 *
 * The property: no vCPU enters the guest with a stale translation once the
 * change that invalidated it is visible (ept_sim.h explains the model: a
 * generation number checked at every simulated VMENTER).  The stress cases
 * check it with writers changing the p2m, a toolstack reading it, and
 * vCPUs entering, leaving and moving between pCPUs all at once, on more
 * pCPU threads than the host has cores.
 *
 * The deterministic cases pin down what each policy does: the deferred one
 * coalesces the requests of a write-locked section into one flush done
 * after the lock is released, interrupts only the pCPUs running the domain
 * and marks the others; the sync one flushes under the lock, every time;
 * p2m_tlb_flush_sync() flushes at once; a reader gets the lock while a
 * deferred flush is still in flight but not while a synchronous one is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <hvh/harness.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/telemetry.h>
#include <xen/time.h>
#include <asm/hvm/vmx/vmx.h>
#include <asm/p2m-ept-flush.h>

#include "ept_sim.h"
#include "telemetry.h"              /* tools/xentrace: the tools' decoder */

#ifndef EPT_STRESS_SECTIONS
#define EPT_STRESS_SECTIONS 400
#endif

/* Also after a failed case, so that the next one boots a fresh host. */
static int teardown(void **state)
{
    hvh_set_ipi_delay(0);
    hvh_cpu_leave();
    hvh_shutdown();
    return 0;
}

static void boot(unsigned int cpus, const char *cmdline)
{
    assert_int_equal(hvh_boot(cpus, cmdline), 0);
    ept_sim_register_hooks();
    ept_sim_reset();
    hvh_set_ipi_delay(0);
    hvh_invept_ns = 0;
}

/* The domain's record in /telemetry/ept, decoded as the tools do. */
static uint64_t dom_field(const struct domain *d, const char *name,
                          struct xte_hist *hist)
{
    static uint8_t buf[1 << 16];
    struct xte_node_view view;
    struct xte_error err;
    size_t len;
    unsigned int i;

    assert_int_equal(hvh_hypfs_read("/telemetry/ept", buf, sizeof(buf),
                                    &len), 0);
    assert_int_equal(xte_node_parse(buf, len, "/telemetry/ept", &view,
                                    &err), 0);
    for ( i = 0; i < view.hdr.nr_domains; i++ )
    {
        const uint8_t *rec = xte_node_domain(&view, i);

        if ( xte_rec_u64(rec, xte_node_field(view.desc, 1, "domid")) !=
             d->domain_id )
            continue;
        if ( hist )
        {
            xte_rec_hist(rec, xte_node_field(view.desc, 1, name), hist);
            return xte_hist_count(hist);
        }
        return xte_rec_u64(rec, xte_node_field(view.desc, 1, name));
    }
    fail_msg("domain %u has no record in /telemetry/ept", d->domain_id);
    return 0;
}

/* ---- deterministic cases ------------------------------------------------ */

struct on_cpu {
    struct domain *d;
    unsigned int vcpu;
    unsigned int nr_changes;
    bool flush_sync;
    s_time_t flushed;           /* the last change's ept_sync_domain() returned */
    s_time_t done;              /* the writer's unlock returned */
    s_time_t got;               /* when the reader got the lock */
    unsigned int signal;        /* writer about to release / flush */
};

static void sched_in_fn(void *arg)
{
    struct on_cpu *o = arg;

    ept_sim_sched_in(o->d->vcpu[o->vcpu]);
}

static void writer_section_fn(void *arg)
{
    struct on_cpu *o = arg;
    unsigned int i;

    ept_p2m_lock(o->d);
    for ( i = 0; i < o->nr_changes; i++ )
    {
        if ( i + 1 == o->nr_changes )
            __atomic_store_n(&o->signal, 1, __ATOMIC_SEQ_CST);
        ept_sim_change(o->d);
        o->flushed = NOW();
    }
    if ( o->flush_sync )
        p2m_tlb_flush_sync(p2m_get_hostp2m(o->d));
    ept_p2m_unlock(o->d);
    o->done = NOW();
}

static void sched_out_fn(void *arg)
{
    struct on_cpu *o = arg;

    ept_sim_sched_out(o->d->vcpu[o->vcpu]);
}

static void reader_fn(void *arg)
{
    struct on_cpu *o = arg;

    ept_p2m_read_lock(o->d);
    o->got = NOW();
    ept_p2m_read_unlock(o->d);
}

/*
 * Deferred: three changes in one section make one flush, after the
 * unlock, to the one pCPU running the domain; every other pCPU is marked
 * and invalidates at its next VMENTER only.
 */
static void test_deferred_coalesces_and_marks(void **state)
{
    struct on_cpu o = { .nr_changes = 3 };
    struct domain *d;
    unsigned int cpu;

    boot(4, "ept_flush_policy=deferred");
    o.d = d = hvh_domain_create(1, 2, true);
    assert_non_null(d);
    assert_int_equal(hvh_start_cpus(), 0);

    /* vCPU 0 runs on pCPU 1; vCPU 1 ran once on pCPU 2 and left. */
    o.vcpu = 0;
    hvh_run_on(1, sched_in_fn, &o);
    o.vcpu = 1;
    hvh_run_on(2, sched_in_fn, &o);
    hvh_run_on(2, sched_out_fn, &o);
    assert_int_equal(ept_model.stale, 0);

    hvh_run_on(0, writer_section_fn, &o);

    assert_int_equal(ept_sim_counter(EPT_CTR_REQUESTS), 3);
    assert_int_equal(ept_sim_counter(EPT_CTR_DEFERRED), 1);
    assert_int_equal(ept_sim_counter(EPT_CTR_COALESCED), 2);
    assert_int_equal(ept_sim_counter(EPT_CTR_SYNC), 0);
    assert_int_equal(ept_sim_counter(EPT_CTR_IPIS), 1);
    assert_int_equal(d->ept_flush.stats.flushes, 1);
    assert_int_equal(d->ept_flush.stats.flushes_deferred, 1);
    {
        struct xte_hist h;

        assert_int_equal(dom_field(d, "flushes", NULL), 1);
        assert_int_equal(dom_field(d, "flushes_deferred", NULL), 1);
        assert_int_equal(dom_field(d, "ipis_sent", NULL), 1);
        assert_int_equal(dom_field(d, "flush_latency", &h), 1);
    }
    for ( cpu = 0; cpu < 4; cpu++ )
        assert_true(cpumask_test_cpu(cpu, &d->ept_flush.invalidate));

    /* pCPU 2 enters again: it must invalidate (it was only marked). */
    o.vcpu = 1;
    hvh_run_on(2, sched_in_fn, &o);
    assert_false(cpumask_test_cpu(2, &d->ept_flush.invalidate));
    assert_int_equal(ept_model.tlb_gen[2], 3);
    assert_int_equal(ept_model.stale, 0);

    hvh_stop_cpus();
    hvh_domain_destroy(d);
}

/*
 * A section as a Xen tree runs it: mm-locks.h's p2m_lock() raises
 * p2m->defer_flush (ept_p2m_lock() is not used), and
 * p2m_unlock_and_tlb_flush() calls p2m->tlb_flush, ept_p2m_tlb_flush(),
 * for the flush owed once the lock is dropped.
 */
static void xen_section_fn(void *arg)
{
    struct on_cpu *o = arg;
    struct p2m_domain *p2m = p2m_get_hostp2m(o->d);
    unsigned int i;

    p2m->defer_flush++;
    for ( i = 0; i < o->nr_changes; i++ )
        ept_sim_change(o->d);
    assert_true(p2m->need_flush);
    assert_int_equal(ept_sim_counter(EPT_CTR_IPIS), 0);
    if ( --p2m->defer_flush == 0 && p2m->need_flush )
    {
        p2m->need_flush = false;
        ept_p2m_tlb_flush(p2m);
    }
    /* Outside the section: a change is flushed at once. */
    ept_sim_change(o->d);
}

static void test_xen_p2m_lock_section(void **state)
{
    struct on_cpu o = { .nr_changes = 3 };
    struct domain *d;

    boot(3, "ept_flush_policy=deferred");
    o.d = d = hvh_domain_create(1, 1, true);
    assert_non_null(d);
    assert_int_equal(hvh_start_cpus(), 0);
    o.vcpu = 0;
    hvh_run_on(1, sched_in_fn, &o);

    hvh_run_on(0, xen_section_fn, &o);

    assert_int_equal(ept_sim_counter(EPT_CTR_REQUESTS), 4);
    assert_int_equal(ept_sim_counter(EPT_CTR_DEFERRED), 1);
    assert_int_equal(ept_sim_counter(EPT_CTR_COALESCED), 2);
    assert_int_equal(ept_sim_counter(EPT_CTR_IPIS), 2);
    assert_int_equal(d->ept_flush.stats.flushes, 2);
    assert_int_equal(d->ept_flush.stats.flushes_deferred, 1);
    assert_int_equal(d->ept_flush.nr_requests, 0);
    assert_false(p2m_get_hostp2m(d)->need_flush);
    assert_int_equal(ept_model.stale, 0);

    hvh_stop_cpus();
    hvh_domain_destroy(d);
}

/* Sync: every change is flushed at once, under the lock. */
static void test_sync_flushes_each_change(void **state)
{
    struct on_cpu o = { .nr_changes = 3 };
    struct domain *d;

    boot(4, "ept_flush_policy=sync");
    o.d = d = hvh_domain_create(1, 2, true);
    assert_non_null(d);
    assert_int_equal(hvh_start_cpus(), 0);
    o.vcpu = 0;
    hvh_run_on(1, sched_in_fn, &o);
    o.vcpu = 1;
    hvh_run_on(3, sched_in_fn, &o);

    hvh_run_on(0, writer_section_fn, &o);
    assert_int_equal(ept_sim_counter(EPT_CTR_REQUESTS), 3);
    assert_int_equal(ept_sim_counter(EPT_CTR_DEFERRED), 0);
    assert_int_equal(ept_sim_counter(EPT_CTR_SYNC), 3);
    assert_int_equal(ept_sim_counter(EPT_CTR_IPIS), 6);
    /* The IPI handler invalidated on the running pCPUs themselves. */
    assert_int_equal(ept_model.tlb_gen[1], 3);
    assert_int_equal(ept_model.tlb_gen[3], 3);
    assert_false(cpumask_test_cpu(1, &d->ept_flush.invalidate));
    assert_true(cpumask_test_cpu(2, &d->ept_flush.invalidate));

    hvh_stop_cpus();
    hvh_domain_destroy(d);
}

/* p2m_tlb_flush_sync() flushes what is owed there and then, under the lock. */
static void test_flush_sync_before_freeing(void **state)
{
    struct on_cpu o = { .nr_changes = 2, .flush_sync = true };
    struct domain *d;

    boot(3, "ept_flush_policy=deferred");
    o.d = d = hvh_domain_create(1, 1, true);
    assert_non_null(d);
    assert_int_equal(hvh_start_cpus(), 0);
    o.vcpu = 0;
    hvh_run_on(1, sched_in_fn, &o);

    hvh_run_on(0, writer_section_fn, &o);
    assert_int_equal(ept_sim_counter(EPT_CTR_DEFERRED), 1);
    assert_int_equal(ept_sim_counter(EPT_CTR_COALESCED), 1);
    assert_int_equal(ept_sim_counter(EPT_CTR_SYNC), 1);
    /* Nothing left for the unlock: one flush in all. */
    assert_int_equal(ept_sim_counter(EPT_CTR_IPIS), 1);
    assert_int_equal(d->ept_flush.stats.flushes, 1);
    assert_false(p2m_get_hostp2m(d)->need_flush);

    hvh_stop_cpus();
    hvh_domain_destroy(d);
}

/*
 * With a long IPI delivery delay, a reader waiting for the p2m lock gets
 * it before the writer's deferred flush completes; behind a synchronous
 * flush it gets it only after.  Bounds only in the direction the harness
 * cannot make faster (the IPI delay), so load cannot break them.
 */
static void reader_vs_flush(const char *policy, bool reader_first)
{
    struct on_cpu o = { .nr_changes = 1 };
    struct domain *d;
    char cmd[64];

    snprintf(cmd, sizeof(cmd), "ept_flush_policy=%s", policy);
    boot(4, cmd);
    o.d = d = hvh_domain_create(1, 1, true);
    assert_non_null(d);
    assert_int_equal(hvh_start_cpus(), 0);
    o.vcpu = 0;
    hvh_run_on(1, sched_in_fn, &o);
    hvh_set_ipi_delay(MILLISECS(200));

    hvh_queue_on(0, writer_section_fn, &o);
    while ( !__atomic_load_n(&o.signal, __ATOMIC_SEQ_CST) )
        usleep(100);
    usleep(2000);
    hvh_run_on(2, reader_fn, &o);
    hvh_quiesce();

    if ( reader_first )
        assert_true(o.got < o.done);    /* flush still in flight */
    else
        assert_true(o.got >= o.flushed);

    hvh_set_ipi_delay(0);
    hvh_stop_cpus();
    hvh_domain_destroy(d);
}

static void test_reader_not_blocked_by_deferred_flush(void **state)
{
    reader_vs_flush("deferred", true);
}

static void test_reader_blocked_by_sync_flush(void **state)
{
    reader_vs_flush("sync", false);
}

/* The policy is a runtime parameter, taken at the next write lock. */
static void test_runtime_policy(void **state)
{
    struct on_cpu o = { .nr_changes = 2 };
    struct domain *d;
    char buf[32];
    size_t len;

    boot(2, "ept_flush_policy=sync");
    o.d = d = hvh_domain_create(1, 1, true);
    assert_non_null(d);
    assert_int_equal(hvh_hypfs_read("/params/ept_flush_policy", buf,
                                    sizeof(buf), &len), 0);
    assert_string_equal(buf, "sync");
    assert_int_equal(hvh_param_set("ept_flush_policy", "deferred"), 0);
    assert_int_equal(hvh_hypfs_read("/params/ept_flush_policy", buf,
                                    sizeof(buf), &len), 0);
    assert_string_equal(buf, "deferred");
    assert_int_not_equal(hvh_param_set("ept_flush_policy", "bogus"), 0);

    hvh_cpu_enter(0);
    writer_section_fn(&o);
    hvh_cpu_leave();
    assert_int_equal(ept_sim_counter(EPT_CTR_DEFERRED), 1);
    assert_int_equal(ept_sim_counter(EPT_CTR_SYNC), 0);

    hvh_domain_destroy(d);
}

/* ---- concurrent stress ------------------------------------------------------ */

#define ST_WRITERS   2
#define ST_GUESTS    6
#define ST_PCPUS     (ST_WRITERS + 1 + ST_GUESTS + 2)

struct stress {
    struct domain *d;
    unsigned int stop;
    unsigned int writers_done;
    unsigned int sections;
    unsigned int reads;
    unsigned int seed;
};

static void stress_writer(void *arg)
{
    struct stress *st = arg;
    unsigned int seed = st->seed + smp_processor_id(), i;

    for ( i = 0; i < st->sections; i++ )
    {
        unsigned int n = 1 + rand_r(&seed) % 4, j;

        ept_p2m_lock(st->d);
        for ( j = 0; j < n; j++ )
        {
            ept_sim_change(st->d);
            /* Nested sections happen (mm_write_lock is recursive). */
            if ( rand_r(&seed) % 8 == 0 )
            {
                ept_p2m_lock(st->d);
                ept_sim_change(st->d);
                ept_p2m_unlock(st->d);
            }
        }
        /* Sometimes page-table pages are freed: flush before that. */
        if ( rand_r(&seed) % 5 == 0 )
            p2m_tlb_flush_sync(p2m_get_hostp2m(st->d));
        ept_p2m_unlock(st->d);
        /* A change made without the write lock is flushed at once. */
        if ( rand_r(&seed) % 16 == 0 )
            ept_sim_change(st->d);
        cpu_relax();
    }
    __atomic_fetch_add(&st->writers_done, 1, __ATOMIC_RELEASE);
}

static void stress_reader(void *arg)
{
    struct stress *st = arg;

    while ( !__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE) )
    {
        ept_p2m_read_lock(st->d);
        __atomic_fetch_add(&st->reads, 1, __ATOMIC_RELAXED);
        ept_p2m_read_unlock(st->d);
        cpu_relax();
    }
}

struct guest_op {
    struct vcpu *v;
    int what;                   /* 0 vmenter, 1 sched out, 2 sched in */
};

static void guest_op_fn(void *arg)
{
    struct guest_op *g = arg;

    switch ( g->what )
    {
    case 0:
        ept_sim_vmenter(g->v);
        break;
    case 1:
        ept_sim_sched_out(g->v);
        break;
    case 2:
        ept_sim_sched_in(g->v);
        break;
    }
    free(g);
}

static void run_stress(const char *policy, unsigned int sections,
                       bool switch_policy)
{
    struct stress st = { .sections = sections, .seed = 12345 };
    unsigned int i, guest0 = ST_WRITERS + 1, round = 0;
    unsigned int where[ST_GUESTS];      /* pCPU of each vCPU, or ~0u */
    char cmd[64];

    snprintf(cmd, sizeof(cmd), "ept_flush_policy=%s", policy);
    boot(ST_PCPUS, cmd);
    hvh_set_ipi_delay(MICROSECS(20));
    hvh_invept_ns = 500;
    st.d = hvh_domain_create(1, ST_GUESTS, true);
    assert_non_null(st.d);
    assert_int_equal(hvh_start_cpus(), 0);

    for ( i = 0; i < ST_GUESTS; i++ )
    {
        struct guest_op *g = calloc(1, sizeof(*g));

        g->v = st.d->vcpu[i];
        g->what = 2;
        where[i] = guest0 + i;
        hvh_run_on(where[i], guest_op_fn, g);
    }

    hvh_queue_on(ST_WRITERS, stress_reader, &st);
    for ( i = 0; i < ST_WRITERS; i++ )
        hvh_queue_on(i, stress_writer, &st);

    /*
     * Drive the vCPUs from here until the writers are done: VMENTERs at
     * random, and now and then a vCPU leaves its pCPU and enters another
     * one (two spare pCPUs), so the dirty mask changes under the writers.
     */
    while ( __atomic_load_n(&st.writers_done, __ATOMIC_ACQUIRE) < ST_WRITERS )
    {
        unsigned int k = rand_r(&st.seed) % ST_GUESTS;
        struct guest_op *g = calloc(1, sizeof(*g));

        g->v = st.d->vcpu[k];
        if ( rand_r(&st.seed) % 10 == 0 )
        {
            unsigned int to = guest0 + ST_GUESTS + rand_r(&st.seed) % 2;
            struct guest_op *in = calloc(1, sizeof(*in));
            bool busy = false;

            for ( i = 0; i < ST_GUESTS; i++ )
                busy |= where[i] == to;
            if ( busy )
                to = guest0 + k;
            g->what = 1;
            hvh_run_on(where[k], guest_op_fn, g);
            in->v = st.d->vcpu[k];
            in->what = 2;
            where[k] = to;
            hvh_queue_on(to, guest_op_fn, in);
        }
        else
        {
            g->what = 0;
            hvh_queue_on(where[k], guest_op_fn, g);
        }
        if ( switch_policy && ++round % 200 == 0 )
            hvh_param_set("ept_flush_policy",
                          (round / 200) % 2 ? "sync" : "deferred");
        usleep(20);
    }
    __atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
    hvh_quiesce();

    print_message("%s: %lu changes, %lu VMENTERs, %lu INVEPTs, %u reads, "
                  "%lu IPIs, stale %lu\n", cmd, ept_model.change_gen,
                  ept_model.vmenters, ept_model.invepts, st.reads,
                  (unsigned long)ept_sim_counter(EPT_CTR_IPIS),
                  ept_model.stale);
    assert_int_equal(ept_model.stale, 0);
    assert_true(ept_model.vmenters > 50);
    assert_true(st.reads > 0);
    assert_true(ept_sim_counter(EPT_CTR_IPIS) > 0);

    hvh_stop_cpus();
    hvh_domain_destroy(st.d);
}

static void test_stress_deferred(void **state)
{
    run_stress("deferred", EPT_STRESS_SECTIONS, false);
}

static void test_stress_sync(void **state)
{
    run_stress("sync", EPT_STRESS_SECTIONS / 2, false);
}

static void test_stress_switching(void **state)
{
    run_stress("deferred", EPT_STRESS_SECTIONS / 2, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_deferred_coalesces_and_marks, teardown),
        cmocka_unit_test_teardown(test_xen_p2m_lock_section, teardown),
        cmocka_unit_test_teardown(test_sync_flushes_each_change, teardown),
        cmocka_unit_test_teardown(test_flush_sync_before_freeing, teardown),
        cmocka_unit_test_teardown(test_reader_not_blocked_by_deferred_flush, teardown),
        cmocka_unit_test_teardown(test_reader_blocked_by_sync_flush, teardown),
        cmocka_unit_test_teardown(test_runtime_policy, teardown),
        cmocka_unit_test_teardown(test_stress_deferred, teardown),
        cmocka_unit_test_teardown(test_stress_sync, teardown),
        cmocka_unit_test_teardown(test_stress_switching, teardown),
    };

    hvh_set_verbosity(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
