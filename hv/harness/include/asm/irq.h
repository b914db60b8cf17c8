/* Harness emulation of asm/irq.h: direct APIC vectors. */
#ifndef _ASM_HW_IRQ_H
#define _ASM_HW_IRQ_H

#include <xen/types.h>
#include <asm/processor.h>
#include <asm/hvm/irq.h>

#define FIRST_DYNAMIC_VECTOR 0x20
#define LAST_DYNAMIC_VECTOR  0xdf
#define NR_VECTORS 256

void alloc_direct_apic_vector(uint8_t *vector,
                              void (*handler)(struct cpu_user_regs *regs));
void ack_APIC_irq(void);

/* dpci: the arch part of struct pirq (Xen's fields), pirq <-> pirq_dpci. */
struct arch_pirq {
    int irq;
    union {
        struct hvm_pirq {
            int emuirq;
            struct hvm_pirq_dpci dpci;
        } hvm;
    };
};

/* arch.hvm.emuirq of a pirq the guest has not taken as an event channel. */
#define IRQ_UNBOUND -1

#define pirq_dpci(pirq) ((pirq) ? &(pirq)->arch.hvm.dpci : NULL)
#define dpci_pirq(pd) container_of(pd, struct pirq, arch.hvm.dpci)

#endif /* _ASM_HW_IRQ_H */
