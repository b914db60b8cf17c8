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

/*
 * dpci: struct pirq and its lookups as in Xen 4.17 (hv/harness/dpci.c).
 * The harness keeps a domain's pirqs in a flat table instead of
 * d->pirq_tree, and its pirq_guest_bind()/pirq_guest_unbind() play the
 * irq_desc of each pirq (see hvh/dpci.h).
 */
struct domain;
struct vcpu;

struct pirq {
    int pirq;
    uint32_t evtchn;            /* evtchn_port_t */
    bool masked;
    struct arch_pirq arch;
};

struct pirq *hvh_pirq_info(struct domain *d, int pirq);
#define pirq_info(d, p) hvh_pirq_info(d, p)
struct pirq *pirq_get_info(struct domain *, int pirq);
void pirq_cleanup_check(struct pirq *, struct domain *);
#define pirq_cleanup_check(pirq, d) \
    (!(pirq)->evtchn ? pirq_cleanup_check(pirq, d) : (void)0)
int pirq_guest_bind(struct vcpu *, struct pirq *, int will_share);
void pirq_guest_unbind(struct domain *d, struct pirq *);
/* The guest's EOI for a bound pirq, outside any EOI the guest made. */
void pirq_guest_eoi(struct pirq *);

/* The irq_desc of a pirq (harness: one per pirq, see hvh/dpci.h). */
struct irq_desc;
typedef struct irq_desc irq_desc_t;
/* Returns the pirq's descriptor locked (interrupts off if !pflags). */
irq_desc_t *pirq_spin_lock_irq_desc(const struct pirq *, unsigned long *pflags);
/* The descriptor of a machine irq number (hvh_irq_register()), or NULL. */
struct irq_desc *irq_to_desc(int irq);
/* The guest's EOI for pirq; drops the descriptor lock. */
void desc_guest_eoi(struct irq_desc *, struct pirq *);
/* The descriptor of d's pirq number, locked (irqsave), or NULL. */
irq_desc_t *domain_spin_lock_irq_desc(struct domain *d, int pirq,
                                      unsigned long *pflags);

#endif /* __XEN_IRQ_H__ */
