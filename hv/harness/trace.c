/*
 * trace.c - per-pCPU trace buffers behind Xen's __trace_var().
 *
 * Each pCPU appends encoded records (xte_encode_record: upstream's record
 * format) to its own ring; only that pCPU writes, only the drainer
 * (tracefile.c) reads, so the ring needs nothing but acquire/release on
 * its two indices.  When a ring is full records are counted as lost and a
 * TRC_LOST_RECORDS record is written once there is room again, as Xen
 * does.
 */
#include <stdlib.h>
#include <string.h>

#include <xen/lib.h>
#include <xen/smp.h>
#include <xen/trace.h>
#include <xen/time.h>

#include "trace_internal.h"
#include "xentrace.h"

bool tb_init_done;
struct hvh_tbuf hvh_tbufs[NR_CPUS];

#define MAX_REC (4 + 8 + 4 * XTE_MAX_EXTRA)

static bool ring_put(struct hvh_tbuf *t, const uint8_t *rec, size_t len)
{
    uint64_t prod = t->prod;    /* only this pCPU writes prod */
    uint64_t cons = __atomic_load_n(&t->cons, __ATOMIC_ACQUIRE);
    size_t off, first;

    if ( t->size - (prod - cons) < len )
        return false;
    off = prod % t->size;
    first = t->size - off < len ? t->size - off : len;
    memcpy(t->data + off, rec, first);
    memcpy(t->data, rec + first, len - first);
    __atomic_store_n(&t->prod, prod + len, __ATOMIC_RELEASE);
    return true;
}

void __trace_var(uint32_t event, bool cycles, unsigned int extra,
                 const void *extra_data)
{
    unsigned int cpu = smp_processor_id();
    struct hvh_tbuf *t;
    uint8_t rec[MAX_REC], lost[MAX_REC];
    uint32_t words[XTE_MAX_EXTRA];
    unsigned int nr = extra / sizeof(uint32_t);
    uint64_t tsc = cycles ? rdtsc() : 0;
    size_t len;

    if ( !tb_init_done || cpu >= NR_CPUS )
        return;
    t = &hvh_tbufs[cpu];
    if ( !t->data )
        return;
    if ( nr > XTE_MAX_EXTRA )
        nr = XTE_MAX_EXTRA;
    memcpy(words, extra_data, nr * sizeof(uint32_t));
    len = xte_encode_record(rec, event, cycles, tsc, words, nr);

    if ( t->lost )
    {
        uint32_t w[4];
        size_t llen;

        w[0] = t->lost;
        w[1] = DOMID_IDLE;      /* did:16 = idle domain, vid:16 = 0 */
        w[2] = (uint32_t)t->first_lost_tsc;
        w[3] = (uint32_t)(t->first_lost_tsc >> 32);
        llen = xte_encode_record(lost, XTE_TRC_LOST_RECORDS, 1,
                                 tsc ? tsc : rdtsc(), w, 4);
        if ( !ring_put(t, lost, llen) )
            goto drop;
        t->lost = 0;
    }
    if ( ring_put(t, rec, len) )
    {
        __atomic_fetch_add(&t->records, 1, __ATOMIC_RELAXED);
        return;
    }
 drop:
    if ( !t->lost++ )
        t->first_lost_tsc = tsc ? tsc : rdtsc();
    __atomic_fetch_add(&t->lost_total, 1, __ATOMIC_RELAXED);
}
