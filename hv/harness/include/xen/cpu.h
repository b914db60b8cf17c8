/*
 * Harness emulation of xen/cpu.h: CPU hotplug notifiers.  hvh_cpu_down()
 * and hvh_cpu_up() (or cpu_down()/cpu_up() from pCPU context) drive them:
 * CPU_DOWN_PREPARE and CPU_DEAD on the pCPU doing the offlining, CPU_DYING
 * on the dying pCPU with interrupts off; CPU_UP_PREPARE, then CPU_STARTING
 * on the new pCPU and CPU_ONLINE.
 */
#ifndef __XEN_CPU_H__
#define __XEN_CPU_H__

#include <xen/types.h>
#include <xen/spinlock.h>
#include <xen/notifier.h>

bool get_cpu_maps(void);
void put_cpu_maps(void);
void cpu_hotplug_begin(void);
void cpu_hotplug_done(void);

void register_cpu_notifier(struct notifier_block *nb);

#define NOTIFY_FORWARD 0x0000
#define NOTIFY_REVERSE 0x8000
#define CPU_UP_PREPARE    (0x0001 | NOTIFY_FORWARD)
#define CPU_UP_CANCELED   (0x0002 | NOTIFY_REVERSE)
#define CPU_STARTING      (0x0003 | NOTIFY_FORWARD)
#define CPU_ONLINE        (0x0004 | NOTIFY_FORWARD)
#define CPU_DOWN_PREPARE  (0x0005 | NOTIFY_REVERSE)
#define CPU_DOWN_FAILED   (0x0006 | NOTIFY_FORWARD)
#define CPU_DYING         (0x0007 | NOTIFY_REVERSE)
#define CPU_DEAD          (0x0008 | NOTIFY_REVERSE)
#define CPU_REMOVE        (0x0009 | NOTIFY_REVERSE)
#define CPU_RESUME_FAILED (0x000a | NOTIFY_REVERSE)

int cpu_down(unsigned int cpu);
int cpu_up(unsigned int cpu);

#endif /* __XEN_CPU_H__ */
