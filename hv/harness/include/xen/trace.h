/*
 * Harness emulation of xen/trace.h (Xen 4.17 API).  __trace_var() encodes
 * the record into the calling pCPU's trace buffer; the harness drains the
 * buffers into a xentrace-format file.
 */
#ifndef __XEN_TRACE_H__
#define __XEN_TRACE_H__

#include <xen/types.h>
#include <public/trace.h>

extern bool tb_init_done;

void __trace_var(uint32_t event, bool cycles, unsigned int extra,
                 const void *extra_data);

static inline void trace_var(uint32_t event, bool cycles, unsigned int extra,
                             const void *extra_data)
{
    if ( unlikely(tb_init_done) )
        __trace_var(event, cycles, extra, extra_data);
}

#endif /* __XEN_TRACE_H__ */
