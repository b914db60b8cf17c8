/* trace_internal.h - the per-pCPU trace rings, shared by trace.c and
 * tracefile.c. */
#ifndef HVH_TRACE_INTERNAL_H
#define HVH_TRACE_INTERNAL_H

#include <stdint.h>
#include <xen/types.h>

struct hvh_tbuf {
    uint8_t *data;
    size_t size;
    uint64_t prod;              /* written by the owning pCPU */
    uint64_t cons;              /* written by the drainer */
    uint64_t lost;              /* owner only: lost since the last report */
    uint64_t first_lost_tsc;    /* owner only */
    uint64_t lost_total;        /* atomic */
    uint64_t records;           /* atomic */
};

extern struct hvh_tbuf hvh_tbufs[NR_CPUS];

#endif /* HVH_TRACE_INTERNAL_H */
