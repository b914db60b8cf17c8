/*
 * test_harness.c - the emulated Xen primitives behave as Xen's do: per-CPU
 * data, spinlocks under contention from more pCPU threads than host cores,
 * cross-pCPU calls with delivery delay, softirqs, the interrupt flag,
 * CPU hotplug notifiers, boot and runtime parameters, hypfs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include <xen/cpu.h>
#include <xen/hypfs.h>
#include <xen/irq.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/percpu.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <xen/time.h>
#include <hvh/harness.h>

static DEFINE_PER_CPU(unsigned int, test_pcpu_val);
static unsigned int test_knob = 3;
integer_runtime_param("test_knob", test_knob);
static bool test_flag;
boolean_param("test_flag", test_flag);

static void test_percpu(void **state)
{
    unsigned int cpu;

    assert_int_equal(hvh_boot(4, NULL), 0);
    for ( cpu = 0; cpu < 4; cpu++ )
    {
        hvh_cpu_enter(cpu);
        assert_int_equal(smp_processor_id(), cpu);
        this_cpu(test_pcpu_val) = 100 + cpu;
        hvh_cpu_leave();
    }
    for ( cpu = 0; cpu < 4; cpu++ )
    {
        assert_int_equal(per_cpu(test_pcpu_val, cpu), 100 + cpu);
        if ( cpu )
            assert_ptr_not_equal(&per_cpu(test_pcpu_val, cpu),
                                 &per_cpu(test_pcpu_val, cpu - 1));
    }
    assert_int_equal(num_online_cpus(), 4);
    hvh_shutdown();
}

static DEFINE_SPINLOCK(count_lock);
static unsigned long shared_count;

static void bump(void *arg)
{
    unsigned int i;

    for ( i = 0; i < 200; i++ )
    {
        unsigned long flags, v;

        spin_lock_irqsave(&count_lock, flags);
        ASSERT(!local_irq_is_enabled());
        v = shared_count;
        cpu_relax();            /* widen the window a broken lock leaves */
        shared_count = v + 1;
        spin_unlock_irqrestore(&count_lock, flags);
    }
}

static void test_spinlock_many_threads(void **state)
{
    unsigned int cpu;

    assert_int_equal(hvh_boot(64, NULL), 0);
    assert_int_equal(hvh_start_cpus(), 0);
    shared_count = 0;
    for ( cpu = 0; cpu < 64; cpu++ )
        assert_int_equal(hvh_queue_on(cpu, bump, NULL), 0);
    hvh_quiesce();
    hvh_stop_cpus();
    assert_int_equal(shared_count, 64 * 200);
    hvh_shutdown();
}

static unsigned int ran_on[NR_CPUS];

static void note_cpu(void *arg)
{
    __atomic_fetch_add(&ran_on[smp_processor_id()], 1, __ATOMIC_RELAXED);
}

static void call_all_note(void *arg)
{
    on_selected_cpus(&cpu_online_map, note_cpu, NULL, 1);
}

/* Hundreds of pCPU threads on a two-core host. */
static void test_hundreds_of_pcpus(void **state)
{
    unsigned int cpu;

    assert_int_equal(hvh_boot(448, NULL), 0);
    assert_int_equal(hvh_start_cpus(), 0);
    memset(ran_on, 0, sizeof(ran_on));
    for ( cpu = 0; cpu < 448; cpu++ )
        assert_int_equal(hvh_queue_on(cpu, note_cpu, NULL), 0);
    hvh_quiesce();
    for ( cpu = 0; cpu < 448; cpu++ )
        assert_int_equal(ran_on[cpu], 1);
    /* An IPI to all of them, from one of them, waited for. */
    assert_int_equal(hvh_run_on(447, call_all_note, NULL), 0);
    for ( cpu = 0; cpu < 448; cpu++ )
        assert_int_equal(ran_on[cpu], 2);
    hvh_stop_cpus();
    hvh_shutdown();
}

static void mark(void *arg)
{
    ASSERT(!local_irq_is_enabled());
    __atomic_fetch_add(&ran_on[smp_processor_id()], 1, __ATOMIC_RELAXED);
}

static s_time_t call_took;

static void call_all(void *arg)
{
    s_time_t t0 = NOW();

    on_selected_cpus(&cpu_online_map, mark, NULL, 1);
    call_took = NOW() - t0;
}

static void test_on_selected_cpus_delay(void **state)
{
    unsigned int cpu;

    assert_int_equal(hvh_boot(16, NULL), 0);
    assert_int_equal(hvh_start_cpus(), 0);
    memset(ran_on, 0, sizeof(ran_on));
    hvh_set_ipi_delay(MILLISECS(2));
    assert_int_equal(hvh_run_on(3, call_all, NULL), 0);
    hvh_set_ipi_delay(0);
    for ( cpu = 0; cpu < 16; cpu++ )
        assert_int_equal(ran_on[cpu], 1);
    assert_true(call_took >= MILLISECS(2));
    hvh_stop_cpus();
    hvh_shutdown();
}

static unsigned int softirq_ran_on = ~0U;

static void dpci_softirq(void)
{
    __atomic_store_n(&softirq_ran_on, smp_processor_id(), __ATOMIC_RELAXED);
}

static void raise_remote(void *arg)
{
    cpu_raise_softirq(5, HVM_DPCI_SOFTIRQ);
}

static void test_softirq(void **state)
{
    assert_int_equal(hvh_boot(8, NULL), 0);
    open_softirq(HVM_DPCI_SOFTIRQ, dpci_softirq);
    assert_int_equal(hvh_start_cpus(), 0);
    assert_int_equal(hvh_run_on(0, raise_remote, NULL), 0);
    hvh_quiesce();
    assert_int_equal(__atomic_load_n(&softirq_ran_on, __ATOMIC_RELAXED), 5);
    hvh_stop_cpus();
    hvh_shutdown();
}

static unsigned int irq_seen;

static void note_irq(void *arg)
{
    __atomic_store_n(&irq_seen, 1, __ATOMIC_RELEASE);
}

static void poke_cpu1(void *arg)
{
    on_selected_cpus(cpumask_of(1), note_irq, NULL, 0);
}

/* With interrupts off an IPI waits, and arrives once they are back on. */
static void irqs_off_spin(void *arg)
{
    s_time_t end;
    bool *ok = arg;

    local_irq_disable();
    *ok = true;
    end = NOW() + MILLISECS(20);
    /* Another pCPU sends the IPI meanwhile (from the test thread). */
    while ( NOW() < end )
    {
        cpu_relax();
        if ( __atomic_load_n(&irq_seen, __ATOMIC_ACQUIRE) )
            *ok = false;
    }
    local_irq_enable();
    if ( !__atomic_load_n(&irq_seen, __ATOMIC_ACQUIRE) )
        *ok = false;
}

static void test_irq_flag(void **state)
{
    bool ok = false;

    assert_int_equal(hvh_boot(3, NULL), 0);
    hvh_cpu_enter(0);
    assert_true(local_irq_is_enabled());
    {
        unsigned long flags;

        local_irq_save(flags);
        assert_false(local_irq_is_enabled());
        local_irq_restore(flags);
    }
    assert_true(local_irq_is_enabled());
    hvh_cpu_leave();

    assert_int_equal(hvh_start_cpus(), 0);
    irq_seen = 0;
    assert_int_equal(hvh_queue_on(1, irqs_off_spin, &ok), 0);
    /* Let pCPU1 disable its interrupts, then send. */
    {
        struct timespec ts = { 0, 5 * 1000 * 1000 };

        nanosleep(&ts, NULL);
    }
    assert_int_equal(hvh_run_on(2, poke_cpu1, NULL), 0);
    hvh_quiesce();
    assert_true(ok);
    hvh_stop_cpus();
    hvh_shutdown();
}

static unsigned long events[16];
static unsigned int nr_events;
static unsigned int dying_on;

static int test_cpu_callback(struct notifier_block *nfb, unsigned long action,
                             void *hcpu)
{
    if ( nr_events < ARRAY_SIZE(events) )
        events[nr_events++] = action;
    if ( action == CPU_DYING )
        dying_on = smp_processor_id();
    return NOTIFY_DONE;
}

static struct notifier_block test_nb = {
    .notifier_call = test_cpu_callback,
};

static void test_hotplug(void **state)
{
    unsigned int mode;

    for ( mode = 0; mode < 2; mode++ )
    {
        assert_int_equal(hvh_boot(4, NULL), 0);
        register_cpu_notifier(&test_nb);
        if ( mode )
            assert_int_equal(hvh_start_cpus(), 0);
        nr_events = 0;
        dying_on = ~0U;
        assert_int_equal(hvh_cpu_down(2), 0);
        assert_false(cpu_online(2));
        assert_int_equal(num_online_cpus(), 3);
        assert_int_equal(nr_events, 3);
        assert_int_equal(events[0], CPU_DOWN_PREPARE);
        assert_int_equal(events[1], CPU_DYING);
        assert_int_equal(events[2], CPU_DEAD);
        assert_int_equal(dying_on, 2);
        assert_int_equal(hvh_run_on(2, bump, NULL), -1);
        assert_int_equal(hvh_cpu_up(2), 0);
        assert_true(cpu_online(2));
        assert_int_equal(events[3], CPU_UP_PREPARE);
        assert_int_equal(events[4], CPU_STARTING);
        assert_int_equal(events[5], CPU_ONLINE);
        assert_int_equal(hvh_run_on(2, bump, NULL), 0);
        hvh_stop_cpus();
        hvh_shutdown();
    }
}

static void test_params(void **state)
{
    unsigned int v = 0;
    size_t len = 0;
    char dir[256];

    assert_int_equal(hvh_boot(2, "test_knob=7 test_flag unknown_thing=1"), 0);
    assert_int_equal(test_knob, 7);
    assert_true(test_flag);
    assert_int_equal(hvh_hypfs_read("/params/test_knob", &v, sizeof(v), &len),
                     0);
    assert_int_equal(len, sizeof(v));
    assert_int_equal(v, 7);
    assert_int_equal(hvh_param_set("test_knob", "9"), 0);
    assert_int_equal(test_knob, 9);
    assert_int_not_equal(hvh_param_set("test_knob", "nine"), 0);
    assert_int_not_equal(hvh_param_set("test_knob", "-1"), 0);
    assert_int_equal(test_knob, 9);
    assert_int_equal(hvh_param_set("no_such_param", "1"), -ENOENT);
    memset(dir, 0, sizeof(dir));
    assert_int_equal(hvh_hypfs_read("/params", dir, sizeof(dir) - 1, &len), 0);
    assert_non_null(strstr(dir, "test_knob\n"));
    assert_int_equal(hvh_hypfs_read("/nope", dir, sizeof(dir), &len), -ENOENT);
    hvh_shutdown();
    assert_int_not_equal(hvh_boot(2, "test_knob=x"), 0);
    hvh_shutdown();
}

static unsigned int woken;

static void count_wake(struct vcpu *v)
{
    woken++;
}

static struct hvh_hooks wake_hooks = { .name = "test", .vcpu_wake = count_wake };

static void test_domains(void **state)
{
    struct domain *d1, *d2, *d;
    struct vcpu *v;
    unsigned int n = 0;

    assert_int_equal(hvh_boot(4, NULL), 0);
    hvh_register_hooks(&wake_hooks);
    d1 = hvh_domain_create(1, 3, true);
    d2 = hvh_domain_create(2, 2, false);
    assert_non_null(d1);
    assert_non_null(d2);
    assert_int_equal(hvh_nr_domains(), 2);
    for_each_domain ( d )
        for_each_vcpu ( d, v )
        {
            assert_ptr_equal(v->domain, d);
            assert_true(cpu_online(v->processor));
            n++;
        }
    assert_int_equal(n, 5);
    assert_true(is_hvm_domain(d1));
    assert_false(is_hvm_vcpu(d2->vcpu[1]));
    woken = 0;
    set_bit(_VPF_blocked, &d1->vcpu[2]->pause_flags);
    vcpu_unblock(d1->vcpu[2]);
    vcpu_unblock(d1->vcpu[2]);          /* not blocked any more: no wake */
    assert_int_equal(woken, 1);
    hvh_domain_destroy(d1);
    assert_int_equal(hvh_nr_domains(), 1);
    hvh_unregister_hooks(&wake_hooks);
    hvh_shutdown();
    assert_int_equal(hvh_nr_domains(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percpu),
        cmocka_unit_test(test_spinlock_many_threads),
        cmocka_unit_test(test_on_selected_cpus_delay),
        cmocka_unit_test(test_hundreds_of_pcpus),
        cmocka_unit_test(test_softirq),
        cmocka_unit_test(test_irq_flag),
        cmocka_unit_test(test_hotplug),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_domains),
    };

    hvh_set_verbosity(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
