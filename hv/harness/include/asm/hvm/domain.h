/* SPDX-License-Identifier: GPL-2.0-only */
/* Harness emulation of Xen 4.17's asm/hvm/domain.h: d->arch.hvm.irq only. */
#ifndef __ASM_X86_HVM_DOMAIN_H__
#define __ASM_X86_HVM_DOMAIN_H__

struct hvm_irq;

struct hvm_domain {
    struct hvm_irq *irq;        /* hvm_domain_irq(d), asm/hvm/irq.h */
};

#endif /* __ASM_X86_HVM_DOMAIN_H__ */
