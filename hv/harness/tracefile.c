/*
 * tracefile.c - drain the per-pCPU trace rings into a xentrace-format file
 * through libxentrace-ext's writer, one window per pCPU per pass, as
 * xentrace copies each pCPU's buffer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xen/lib.h>
#include <xen/trace.h>
#include <asm/msr.h>
#include <hvh/harness.h>

#include "trace_internal.h"
#include "xentrace.h"

static struct xte_writer *writer;
static pthread_t drain_thread;
static pthread_mutex_t drain_lock = PTHREAD_MUTEX_INITIALIZER;
static bool draining, drain_failed;
static unsigned int trace_cpus;
static uint8_t *scratch;
static size_t scratch_size;

/* Copy out and write what pCPU cpu has produced.  drain_lock held. */
static void drain_cpu(unsigned int cpu)
{
    struct hvh_tbuf *t = &hvh_tbufs[cpu];
    uint64_t prod = __atomic_load_n(&t->prod, __ATOMIC_ACQUIRE);
    uint64_t cons = t->cons;
    size_t len = prod - cons, off, first;

    if ( !len || !t->data )
        return;
    off = cons % t->size;
    first = t->size - off < len ? t->size - off : len;
    memcpy(scratch, t->data + off, first);
    memcpy(scratch + first, t->data, len - first);
    __atomic_store_n(&t->cons, prod, __ATOMIC_RELEASE);
    if ( !drain_failed && xte_writer_window(writer, cpu, scratch, len) )
    {
        xte_print_error(stderr, xte_writer_error(writer));
        drain_failed = true;
    }
}

static void drain_all(void)
{
    unsigned int cpu;

    pthread_mutex_lock(&drain_lock);
    for ( cpu = 0; cpu < trace_cpus; cpu++ )
        drain_cpu(cpu);
    pthread_mutex_unlock(&drain_lock);
}

static void *drain_main(void *arg)
{
    struct timespec ts = { 0, 5 * 1000 * 1000 };

    while ( __atomic_load_n(&draining, __ATOMIC_ACQUIRE) )
    {
        drain_all();
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int hvh_trace_open(const char *path, size_t buf_bytes)
{
    struct xte_error err;
    unsigned int cpu;

    if ( writer )
        return -1;
    trace_cpus = hvh_nr_cpus();
    if ( !trace_cpus )
    {
        fprintf(stderr, "hvh_trace_open: boot first\n");
        return -1;
    }
    if ( buf_bytes < 4096 )
        buf_bytes = 4096;
    writer = xte_writer_open(path, trace_cpus, 64 * 1024, &err);
    if ( !writer )
    {
        xte_print_error(stderr, &err);
        return -1;
    }
    scratch_size = buf_bytes;
    scratch = malloc(scratch_size);
    if ( !scratch )
        goto fail;
    for ( cpu = 0; cpu < trace_cpus; cpu++ )
    {
        struct hvh_tbuf *t = &hvh_tbufs[cpu];

        memset(t, 0, sizeof(*t));
        t->data = malloc(buf_bytes);
        t->size = buf_bytes;
        if ( !t->data )
            goto fail;
    }
    drain_failed = false;
    __atomic_store_n(&draining, true, __ATOMIC_RELEASE);
    if ( pthread_create(&drain_thread, NULL, drain_main, NULL) )
        goto fail;
    tb_init_done = true;
    return 0;

 fail:
    fprintf(stderr, "hvh_trace_open: out of memory\n");
    __atomic_store_n(&draining, false, __ATOMIC_RELEASE);
    for ( cpu = 0; cpu < trace_cpus; cpu++ )
    {
        free(hvh_tbufs[cpu].data);
        hvh_tbufs[cpu].data = NULL;
    }
    free(scratch);
    scratch = NULL;
    xte_writer_close(writer);
    writer = NULL;
    return -1;
}

uint64_t hvh_trace_lost(void)
{
    uint64_t n = 0;
    unsigned int cpu;

    for ( cpu = 0; cpu < trace_cpus; cpu++ )
        n += __atomic_load_n(&hvh_tbufs[cpu].lost_total, __ATOMIC_RELAXED);
    return n;
}

uint64_t hvh_trace_records(void)
{
    uint64_t n = 0;
    unsigned int cpu;

    for ( cpu = 0; cpu < trace_cpus; cpu++ )
        n += __atomic_load_n(&hvh_tbufs[cpu].records, __ATOMIC_RELAXED);
    return n;
}

int hvh_trace_close(void)
{
    unsigned int cpu;
    int rc = 0;

    if ( !writer )
        return -1;
    tb_init_done = false;
    __atomic_store_n(&draining, false, __ATOMIC_RELEASE);
    pthread_join(drain_thread, NULL);
    drain_all();
    /*
     * A pCPU whose ring was still full when tracing stopped never got to
     * write its TRC_LOST_RECORDS (it goes in before the next record that
     * fits).  The pCPUs are quiet now: account for those losses here, so
     * the file says how many records are missing, not only stderr.
     */
    for ( cpu = 0; cpu < trace_cpus; cpu++ )
    {
        struct hvh_tbuf *t = &hvh_tbufs[cpu];
        uint32_t w[4];

        if ( !t->lost )
            continue;
        w[0] = (uint32_t)t->lost;
        w[1] = DOMID_IDLE;      /* did:16 = idle domain, vid:16 = 0 */
        w[2] = (uint32_t)t->first_lost_tsc;
        w[3] = (uint32_t)(t->first_lost_tsc >> 32);
        if ( xte_writer_add(writer, cpu, XTE_TRC_LOST_RECORDS, 1, rdtsc(),
                            w, 4) )
            rc = -1;
        t->lost = 0;
    }
    if ( drain_failed )
        rc = -1;
    if ( xte_writer_close(writer) )
        rc = -1;
    writer = NULL;
    if ( hvh_trace_lost() )
    {
        fprintf(stderr, "hvh: %llu trace records lost (buffers full)\n",
                (unsigned long long)hvh_trace_lost());
        rc = -1;
    }
    for ( cpu = 0; cpu < trace_cpus; cpu++ )
    {
        free(hvh_tbufs[cpu].data);
        hvh_tbufs[cpu].data = NULL;
    }
    free(scratch);
    scratch = NULL;
    return rc;
}
