/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen/telemetry_compat.h: the one place where the trace API of the Xen
 * release being built matters.
 *
 * Xen up to 4.18 emits a trace record with __trace_var(event, cycles,
 * bytes, data) behind the tb_init_done flag; Xen 4.19 replaced that with
 * trace()/trace_time().  The generated emit helpers
 * (xen/telemetry_trace.h) call only telemetry_trace_enabled() and
 * telemetry_trace(), so porting to another release means editing this
 * file alone.  Every record carries a TSC: the tools order pCPUs' records
 * by it.
 */
#ifndef __XEN_TELEMETRY_COMPAT_H__
#define __XEN_TELEMETRY_COMPAT_H__

#include <xen/compile.h>
#include <xen/trace.h>
#include <xen/types.h>

static inline bool telemetry_trace_enabled(void)
{
    return unlikely(tb_init_done);
}

#if XEN_VERSION > 4 || (XEN_VERSION == 4 && XEN_SUBVERSION >= 19)

static inline void telemetry_trace(uint32_t event, const void *words,
                                   unsigned int bytes)
{
    trace_time(event, bytes, words);
}

#else /* Xen 4.17, 4.18 */

static inline void telemetry_trace(uint32_t event, const void *words,
                                   unsigned int bytes)
{
    __trace_var(event, true, bytes, words);
}

#endif

#endif /* __XEN_TELEMETRY_COMPAT_H__ */
