/*
 * Harness emulation of xen/irq.h and the interrupt-flag part of
 * asm/system.h: each simulated pCPU has its own interrupt flag.
 */
#ifndef __XEN_IRQ_H__
#define __XEN_IRQ_H__

#include <xen/types.h>
#include <asm/irq.h>

void hvh_local_irq_disable(void);
void hvh_local_irq_enable(void);
unsigned long hvh_local_irq_save(void);
void hvh_local_irq_restore(unsigned long flags);
bool hvh_local_irq_is_enabled(void);
bool hvh_in_irq(void);

#define local_irq_disable() hvh_local_irq_disable()
#define local_irq_enable()  hvh_local_irq_enable()
#define local_irq_save(x)   ((x) = hvh_local_irq_save())
#define local_irq_restore(x) hvh_local_irq_restore(x)
#define local_irq_is_enabled() hvh_local_irq_is_enabled()
#define local_save_flags(x) ((x) = (hvh_local_irq_is_enabled() ? 0x200UL : 0))
#define in_irq() hvh_in_irq()

#endif /* __XEN_IRQ_H__ */
