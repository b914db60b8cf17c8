/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of the dpci declarations of Xen 4.17's xen/iommu.h,
 * with Xen's parameters, and iommu_intpost (VT-d posted interrupts in
 * use: false unless a test or scenario sets it, as Xen's default).
 */
#ifndef __XEN_IOMMU_H__
#define __XEN_IOMMU_H__

#include <xen/types.h>
#include <asm/iommu.h>

extern bool iommu_intpost;
/* iommu=verbose: log passthrough binding changes (false by default). */
extern bool iommu_verbose;

struct domain;
struct pirq;
struct hvm_irq_dpci;
struct xen_domctl_bind_pt_irq;

int hvm_do_IRQ_dpci(struct domain *, struct pirq *);
int pt_irq_create_bind(struct domain *, const struct xen_domctl_bind_pt_irq *);
int pt_irq_destroy_bind(struct domain *, const struct xen_domctl_bind_pt_irq *);

struct hvm_irq_dpci *domain_get_irq_dpci(const struct domain *);
/* The guest EOIed ISA IRQ isairq (PCI links routed to it). */
void hvm_dpci_isairq_eoi(struct domain *d, unsigned int isairq);
void free_hvm_irq_dpci(struct hvm_irq_dpci *dpci);

#endif /* __XEN_IOMMU_H__ */
