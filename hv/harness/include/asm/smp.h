#ifndef __ASM_SMP_H
#define __ASM_SMP_H
#include <xen/smp.h>

/* The harness's APIC ids are the pCPU numbers. */
#define cpu_physical_id(cpu) (cpu)
#endif
