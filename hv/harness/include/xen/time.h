/* Harness emulation of xen/time.h: NOW() is CLOCK_MONOTONIC in ns. */
#ifndef __XEN_TIME_H__
#define __XEN_TIME_H__

#include <xen/types.h>
#include <asm/time.h>

s_time_t hvh_now(void);
#define NOW() hvh_now()
#define get_s_time() hvh_now()
#define SECONDS(_s)   ((s_time_t)((_s) * 1000000000ULL))
#define MILLISECS(_ms) ((s_time_t)((_ms) * 1000000ULL))
#define MICROSECS(_us) ((s_time_t)((_us) * 1000ULL))
#define STIME_MAX ((s_time_t)((uint64_t)~0ULL >> 1))

#endif /* __XEN_TIME_H__ */
