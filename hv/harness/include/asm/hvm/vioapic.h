/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/vioapic.h: a vIO-APIC pin's
 * mask bit and trigger mode, as the dpci binding of the hardware
 * domain's GSIs reads them.  The harness keeps one pin per GSI below
 * hvm_domain_irq(d)->nr_gsis, set by tests (hvh_dpci_set_gsi()).
 */
#ifndef __ASM_X86_HVM_VIOAPIC_H__
#define __ASM_X86_HVM_VIOAPIC_H__

struct domain;

#define VIOAPIC_EDGE_TRIG  0
#define VIOAPIC_LEVEL_TRIG 1

/* 1 masked, 0 not, -EINVAL for a GSI the domain does not have. */
int vioapic_get_mask(const struct domain *d, unsigned int gsi);
/* VIOAPIC_EDGE_TRIG or VIOAPIC_LEVEL_TRIG, -EINVAL as above. */
int vioapic_get_trigger_mode(const struct domain *d, unsigned int gsi);

#endif /* __ASM_X86_HVM_VIOAPIC_H__ */
