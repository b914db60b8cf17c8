/* Harness emulation of asm/irq.h: direct APIC vectors. */
#ifndef _ASM_HW_IRQ_H
#define _ASM_HW_IRQ_H

#include <xen/types.h>
#include <asm/processor.h>

#define FIRST_DYNAMIC_VECTOR 0x20
#define LAST_DYNAMIC_VECTOR  0xdf
#define NR_VECTORS 256

void alloc_direct_apic_vector(uint8_t *vector,
                              void (*handler)(struct cpu_user_regs *regs));
void ack_APIC_irq(void);

#endif /* _ASM_HW_IRQ_H */
