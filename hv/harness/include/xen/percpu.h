/*
 * Harness emulation of xen/percpu.h.  As in Xen, every DEFINE_PER_CPU
 * variable lives in one section; hvh_boot() gives each simulated pCPU its
 * own copy of that section and per_cpu() adds the pCPU's offset.
 */
#ifndef __XEN_PERCPU_H__
#define __XEN_PERCPU_H__

#include <xen/types.h>

/* Index NR_CPUS is the area of threads that are not simulated pCPUs. */
extern unsigned long __per_cpu_offset[NR_CPUS + 1];
extern __thread unsigned int hvh_this_cpu;

#define __DEFINE_PER_CPU(attr, type, name) \
    __attribute__((__section__("hvh_percpu"), __used__)) \
    __typeof__(type) per_cpu_##attr##_##name
#define DEFINE_PER_CPU(type, name) __DEFINE_PER_CPU(, type, name)
#define DEFINE_PER_CPU_READ_MOSTLY(type, name) __DEFINE_PER_CPU(, type, name)
#define DEFINE_PER_CPU_PAGE_ALIGNED(type, name) __DEFINE_PER_CPU(, type, name)
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) per_cpu__##name

#define per_cpu(var, cpu) \
    (*RELOC_HIDE(&per_cpu__##var, __per_cpu_offset[cpu]))
#define this_cpu(var) per_cpu(var, hvh_this_cpu)
#define this_cpu_ptr(var) (&this_cpu(var))
#define per_cpu_ptr(var, cpu) (&per_cpu(var, cpu))

#endif /* __XEN_PERCPU_H__ */
