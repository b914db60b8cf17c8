/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/iommu.h: the VT-d posted-interrupt
 * IRTE update only.  The harness's pi_update_irte() (hv/harness/dpci.c)
 * records the descriptor and vector per pirq (hvh/dpci.h).
 */
#ifndef __ARCH_X86_IOMMU_H__
#define __ARCH_X86_IOMMU_H__

#include <xen/types.h>

struct pi_desc;
struct pirq;

/*
 * Post pirq's interrupts as gvec into pi_desc (a vCPU's PI descriptor),
 * or, with pi_desc NULL, go back to remapped delivery.
 */
int pi_update_irte(const struct pi_desc *pi_desc, const struct pirq *pirq,
                   const uint8_t gvec);

#endif /* __ARCH_X86_IOMMU_H__ */
