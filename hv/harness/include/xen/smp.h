/*
 * Harness emulation of xen/smp.h and asm/smp.h.  smp_processor_id() is the
 * simulated pCPU the calling thread is; IPIs are queued to the target
 * pCPU's thread and taken there when its interrupts are enabled.
 */
#ifndef __XEN_SMP_H__
#define __XEN_SMP_H__

#include <xen/types.h>
#include <xen/percpu.h>
#include <xen/cpumask.h>

#define smp_processor_id() (hvh_this_cpu)
#define raw_smp_processor_id() (hvh_this_cpu)
#define get_processor_id() (hvh_this_cpu)

void smp_send_event_check_mask(const cpumask_t *mask);
#define smp_send_event_check_cpu(cpu) \
    smp_send_event_check_mask(cpumask_of(cpu))

/* Run func(info) on every pCPU in selected; wait: until all have run it. */
void on_selected_cpus(const cpumask_t *selected, void (*func)(void *info),
                      void *info, int wait);
void smp_call_function(void (*func)(void *info), void *info, int wait);
static inline void on_each_cpu(void (*func)(void *info), void *info, int wait)
{
    on_selected_cpus(&cpu_online_map, func, info, wait);
}

/* Direct APIC vectors (asm/smp.h, asm/irq.h in Xen). */
void send_IPI_mask(const cpumask_t *mask, int vector);
void send_IPI_self(int vector);

#endif /* __XEN_SMP_H__ */
