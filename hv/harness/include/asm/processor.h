/*
 * Harness emulation of asm/processor.h.  cpu_relax() is where a spinning
 * simulated pCPU takes its pending IPIs (when its interrupts are enabled)
 * and yields the host core: hundreds of pCPU threads share two cores.
 */
#ifndef __ASM_X86_PROCESSOR_H
#define __ASM_X86_PROCESSOR_H

#include <xen/types.h>

struct cpu_user_regs {
    uint64_t rip;
    uint64_t rflags;
    uint32_t entry_vector;
};

void hvh_cpu_relax(void);
#define cpu_relax() hvh_cpu_relax()

#endif /* __ASM_X86_PROCESSOR_H */
