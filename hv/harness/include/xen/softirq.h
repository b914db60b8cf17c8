/*
 * Harness emulation of xen/softirq.h (numbers as in Xen 4.17, x86).
 * Pending bits are per simulated pCPU; raising one on another pCPU kicks
 * that pCPU's thread, which runs its softirqs when it next has
 * interrupts enabled outside an interrupt handler.
 */
#ifndef __XEN_SOFTIRQ_H__
#define __XEN_SOFTIRQ_H__

#include <xen/types.h>
#include <xen/cpumask.h>

enum {
    TIMER_SOFTIRQ = 0,
    RCU_SOFTIRQ,
    SCHED_SLAVE_SOFTIRQ,
    SCHEDULE_SOFTIRQ,
    NEW_TLBFLUSH_CLOCK_PERIOD_SOFTIRQ,
    TASKLET_SOFTIRQ,
    NR_COMMON_SOFTIRQS
};

#include <asm/softirq.h>

#define NR_SOFTIRQS (NR_COMMON_SOFTIRQS + NR_ARCH_SOFTIRQS)

typedef void (*softirq_handler)(void);

/* Pending softirqs of a pCPU (irq_stat[cpu].__softirq_pending in Xen). */
extern unsigned long hvh_softirq_pending[NR_CPUS + 1];
#define softirq_pending(cpu) (hvh_softirq_pending[cpu])

void do_softirq(void);
void open_softirq(int nr, softirq_handler handler);
void cpumask_raise_softirq(const cpumask_t *mask, unsigned int nr);
void cpu_raise_softirq(unsigned int cpu, unsigned int nr);
void raise_softirq(unsigned int nr);
void cpu_raise_softirq_batch_begin(void);
void cpu_raise_softirq_batch_finish(void);
void process_pending_softirqs(void);

#endif /* __XEN_SOFTIRQ_H__ */
