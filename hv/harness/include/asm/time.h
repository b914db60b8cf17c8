/* Harness emulation of asm/time.h. */
#ifndef __X86_TIME_H__
#define __X86_TIME_H__

#include <asm/msr.h>

typedef uint64_t cycles_t;
/* TSC frequency in kHz, calibrated against CLOCK_MONOTONIC at boot. */
extern unsigned long cpu_khz;

static inline cycles_t get_cycles(void)
{
    return rdtsc();
}

#endif /* __X86_TIME_H__ */
