/*
 * stress_harness.c - the harness's own concurrency under ThreadSanitizer:
 * 48 pCPU threads on the host's cores take spinlocks and rwlocks, send
 * each other waited-for IPIs (with a delivery delay), raise softirqs, and
 * a pCPU goes offline and back meanwhile.  Exit 0 when every IPI ran
 * exactly once and the locked counters are exact (TSan reports fail the
 * run with its own exit code).
 */
#include <stdio.h>
#include <stdlib.h>

#include <xen/cpu.h>
#include <xen/lib.h>
#include <xen/rwlock.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <hvh/harness.h>

#define NR_PCPUS 48
#define ROUNDS   40

static DEFINE_SPINLOCK(lock);
static DEFINE_RWLOCK(rwl);
static unsigned long locked_count;
static unsigned long rw_value[4];
static DEFINE_PER_CPU(unsigned long, ipis_taken);
static DEFINE_PER_CPU(unsigned long, softirqs_run);
static unsigned long ipis_sent;

static void ipi_fn(void *arg)
{
    this_cpu(ipis_taken)++;
}

static void softirq_fn(void)
{
    this_cpu(softirqs_run)++;
}

static void worker(void *arg)
{
    unsigned int seed = smp_processor_id() * 7919 + 1;
    unsigned int i;

    for ( i = 0; i < ROUNDS; i++ )
    {
        cpumask_t mask;
        unsigned int k, sent = 0;
        unsigned long flags;

        spin_lock_irqsave(&lock, flags);
        locked_count++;
        spin_unlock_irqrestore(&lock, flags);

        if ( i % 4 == 0 )
        {
            write_lock(&rwl);
            for ( k = 0; k < 4; k++ )
                rw_value[k]++;
            write_unlock(&rwl);
        }
        else
        {
            read_lock(&rwl);
            for ( k = 1; k < 4; k++ )
                if ( rw_value[k] != rw_value[0] )
                    panic("rwlock let a reader see a half-done write\n");
            read_unlock(&rwl);
        }

        cpumask_clear(&mask);
        for ( k = 0; k < 3; k++ )
        {
            unsigned int cpu = rand_r(&seed) % NR_PCPUS;

            if ( cpu_online(cpu) && !cpumask_test_and_set_cpu(cpu, &mask) )
                sent++;
        }
        /* Offline targets drop the IPI and count it done. */
        on_selected_cpus(&mask, ipi_fn, NULL, 1);
        __atomic_fetch_add(&ipis_sent, sent, __ATOMIC_RELAXED);

        cpu_raise_softirq(rand_r(&seed) % NR_PCPUS, TASKLET_SOFTIRQ);
    }
}

int main(void)
{
    unsigned long taken = 0, sent;
    unsigned int cpu, round;

    hvh_set_verbosity(0);
    if ( hvh_boot(NR_PCPUS, NULL) )
        return 1;
    open_softirq(TASKLET_SOFTIRQ, softirq_fn);
    hvh_set_ipi_delay(20000);
    if ( hvh_start_cpus() )
        return 1;
    for ( round = 0; round < 2; round++ )
    {
        for ( cpu = 0; cpu < NR_PCPUS; cpu++ )
            if ( cpu != 7 )
                hvh_queue_on(cpu, worker, NULL);
        if ( hvh_cpu_down(7) || hvh_cpu_up(7) )
        {
            fprintf(stderr, "hotplug of pCPU7 failed\n");
            return 1;
        }
        hvh_quiesce();
    }
    hvh_stop_cpus();

    for ( cpu = 0; cpu < NR_PCPUS; cpu++ )
        taken += per_cpu(ipis_taken, cpu);
    sent = __atomic_load_n(&ipis_sent, __ATOMIC_RELAXED);
    printf("locked %lu (want %u), rw %lu, IPIs sent %lu taken %lu\n",
           locked_count, 2 * (NR_PCPUS - 1) * ROUNDS, rw_value[0], sent,
           taken);
    if ( locked_count != 2UL * (NR_PCPUS - 1) * ROUNDS )
        return 1;
    /* An IPI to a pCPU that went offline after the send is lost; only
     * pCPU7 ever goes offline, so the shortfall is bounded by its share. */
    if ( taken > sent || sent - taken > per_cpu(ipis_taken, 7) + sent / 4 )
        return 1;
    hvh_shutdown();
    return 0;
}
