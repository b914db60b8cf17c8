/*
 * threads.c - one pthread per online simulated pCPU.
 *
 * A pCPU thread is Xen's idle loop: take due IPIs, run softirqs, run work
 * handed to it (hvh_run_on/hvh_queue_on: the harness's stand-in for
 * "a hypercall or a guest exit arrives on this pCPU"), otherwise sleep
 * until kicked or until the earliest delayed IPI is due.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/time.h>
#include <hvh/harness.h>

#include "internal.h"

#define HVH_JOIN_TIMEOUT_S 60

static bool idle_has_due_work(struct hvh_pcpu *p, unsigned int cpu,
                              s_time_t now, s_time_t *next_due)
{
    struct hvh_msg *m;

    if ( p->work || p->kicked ||
         __atomic_load_n(&softirq_pending(cpu), __ATOMIC_ACQUIRE) )
        return true;
    for ( m = p->msgs; m; m = m->next )
    {
        if ( m->due <= now )
            return true;
        if ( m->due < *next_due )
            *next_due = m->due;
    }
    return false;
}

static void *pcpu_thread(void *arg)
{
    unsigned int cpu = (unsigned long)arg;
    struct hvh_pcpu *p = &hvh_pcpus[cpu];

    hvh_this_cpu = cpu;
    set_current(idle_vcpu[cpu]);
    p->irqs_enabled = true;
    p->irq_depth = 0;
    /*
     * Simulated pCPUs outnumber the host's cores many times over; the
     * threads that serve them (trace drainer, telemetry publisher, the
     * scenario's driver) must not starve behind them, or trace buffers
     * overflow for want of a drain.  Best effort: a lower priority for
     * this thread only (Linux applies nice per thread).
     */
    if ( setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5) )
        errno = 0;

    for ( ; ; )
    {
        struct hvh_work *w;
        s_time_t now, next_due;

        hvh_deliver_ipis();
        do_softirq();

        pthread_mutex_lock(&p->lock);
        p->kicked = false;
        if ( (w = p->work) != NULL )
        {
            p->work = w->next;
            if ( !p->work )
                p->work_tail = NULL;
            p->busy = true;
            pthread_mutex_unlock(&p->lock);

            w->fn(w->arg);
            if ( !p->online )
            {
                /* take_cpu_down(): this pCPU is gone. */
                pthread_mutex_lock(&p->lock);
                p->busy = false;
                w->done = true;
                pthread_cond_broadcast(&p->done_cond);
                pthread_mutex_unlock(&p->lock);
                break;
            }
            if ( !p->irqs_enabled )
            {
                printk(XENLOG_ERR "work on pCPU%u returned with interrupts "
                       "disabled\n", cpu);
                p->irqs_enabled = true;
            }
            hvh_deliver_ipis();
            do_softirq();

            pthread_mutex_lock(&p->lock);
            p->busy = false;
            if ( w->wait )
            {
                w->done = true;
                pthread_cond_broadcast(&p->done_cond);
            }
            else
                free(w);
            pthread_mutex_unlock(&p->lock);
            continue;
        }
        if ( p->stop )
        {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        now = hvh_now();
        next_due = STIME_MAX;
        if ( !idle_has_due_work(p, cpu, now, &next_due) )
        {
            if ( next_due == STIME_MAX )
                pthread_cond_wait(&p->cond, &p->lock);
            else
            {
                struct timespec ts;

                clock_gettime(CLOCK_MONOTONIC, &ts);
                next_due -= now;
                ts.tv_sec += next_due / 1000000000LL;
                ts.tv_nsec += next_due % 1000000000LL;
                if ( ts.tv_nsec >= 1000000000L )
                {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000L;
                }
                pthread_cond_timedwait(&p->cond, &p->lock, &ts);
            }
        }
        pthread_mutex_unlock(&p->lock);
    }
    hvh_this_cpu = NR_CPUS;
    return NULL;
}

int hvh_pcpu_spawn(unsigned int cpu)
{
    struct hvh_pcpu *p = &hvh_pcpus[cpu];
    pthread_attr_t attr;
    int rc;

    pthread_mutex_lock(&p->lock);
    p->stop = false;
    p->running = true;
    pthread_mutex_unlock(&p->lock);

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    rc = pthread_create(&p->thread, &attr, pcpu_thread,
                        (void *)(unsigned long)cpu);
    pthread_attr_destroy(&attr);
    if ( rc )
    {
        p->running = false;
        fprintf(stderr, "hvh: pthread_create for pCPU%u: %s\n", cpu,
                strerror(rc));
        return -1;
    }
    return 0;
}

void hvh_pcpu_join(unsigned int cpu)
{
    struct hvh_pcpu *p = &hvh_pcpus[cpu];

    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    /*
     * Work that never returns (a test that failed before telling its
     * loops to stop) would hang the program here: fail loudly instead.
     */
    {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += HVH_JOIN_TIMEOUT_S;
        if ( pthread_timedjoin_np(p->thread, NULL, &ts) == ETIMEDOUT )
        {
            fprintf(stderr, "hvh: pCPU%u's thread has not finished its work "
                    "%d s after being told to stop (work that never "
                    "returns?): aborting\n", cpu, HVH_JOIN_TIMEOUT_S);
            abort();
        }
    }
    p->running = false;
}

int hvh_pcpu_post_work(unsigned int cpu, void (*fn)(void *), void *arg,
                       bool wait)
{
    struct hvh_pcpu *p = &hvh_pcpus[cpu];
    struct hvh_work *w = calloc(1, sizeof(*w));

    if ( !w )
        return -1;
    w->fn = fn;
    w->arg = arg;
    w->wait = wait;
    pthread_mutex_lock(&p->lock);
    if ( !p->running || p->stop )
    {
        pthread_mutex_unlock(&p->lock);
        free(w);
        return -1;
    }
    if ( p->work_tail )
        p->work_tail->next = w;
    else
        p->work = w;
    p->work_tail = w;
    p->kicked = true;
    pthread_cond_signal(&p->cond);
    if ( wait )
    {
        while ( !w->done )
            pthread_cond_wait(&p->done_cond, &p->lock);
        free(w);
    }
    pthread_mutex_unlock(&p->lock);
    return 0;
}

int hvh_start_cpus(void)
{
    unsigned int cpu;

    if ( hvh_threaded )
        return 0;
    hvh_threaded = true;
    hvh_this_cpu = NR_CPUS;
    for_each_online_cpu ( cpu )
        if ( hvh_pcpu_spawn(cpu) )
        {
            hvh_stop_cpus();
            return -1;
        }
    return 0;
}

void hvh_stop_cpus(void)
{
    unsigned int cpu;

    if ( !hvh_threaded )
        return;
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
        if ( hvh_pcpus[cpu].running )
            hvh_pcpu_join(cpu);
    hvh_threaded = false;
}

int hvh_run_on(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
    ASSERT(hvh_this_cpu >= NR_CPUS);
    if ( cpu >= nr_cpu_ids )
        return -1;
    if ( !hvh_threaded )
    {
        if ( !cpu_online(cpu) )
            return -1;
        hvh_cpu_enter(cpu);
        fn(arg);
        hvh_cpu_poll();
        hvh_cpu_leave();
        return 0;
    }
    return hvh_pcpu_post_work(cpu, fn, arg, true);
}

int hvh_queue_on(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
    if ( cpu >= nr_cpu_ids || !hvh_threaded )
        return -1;
    return hvh_pcpu_post_work(cpu, fn, arg, false);
}

static void nop(void *arg)
{
}

void hvh_quiesce(void)
{
    unsigned int cpu, round;

    if ( !hvh_threaded )
        return;
    /* Two rounds: work queued by the first may kick other pCPUs. */
    for ( round = 0; round < 2; round++ )
        for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
            if ( hvh_pcpus[cpu].running )
                hvh_pcpu_post_work(cpu, nop, NULL, true);
}
