/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/msi.h: the guest's mask bit of a
 * machine MSI (recorded in the harness's irq_desc, hvh/dpci.h).
 */
#ifndef __ASM_MSI_H
#define __ASM_MSI_H

#include <xen/types.h>

struct irq_desc;

/* Called with desc->lock held. */
void guest_mask_msi_irq(struct irq_desc *desc, bool mask);

#endif /* __ASM_MSI_H */
