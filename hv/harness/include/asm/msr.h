/* Harness emulation of asm/msr.h: rdtsc() reads the host TSC. */
#ifndef __ASM_MSR_H
#define __ASM_MSR_H

#include <xen/types.h>

static inline uint64_t rdtsc(void)
{
    uint32_t low, high;

    __asm__ __volatile__ ( "rdtsc" : "=a" (low), "=d" (high) );
    return ((uint64_t)high << 32) | low;
}

static inline uint64_t rdtsc_ordered(void)
{
    __asm__ __volatile__ ( "lfence" ::: "memory" );
    return rdtsc();
}

#endif /* __ASM_MSR_H */
