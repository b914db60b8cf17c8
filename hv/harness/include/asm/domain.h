/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/domain.h: struct arch_vcpu
 * (v->arch) reduced to the HVM part hv/ code touches, struct arch_domain
 * (d->arch) to the host p2m.
 */
#ifndef __ASM_DOMAIN_H__
#define __ASM_DOMAIN_H__

#include <asm/hvm/vcpu.h>
#include <asm/p2m.h>
#include <asm/hvm/domain.h>

struct arch_vcpu {
    struct hvm_vcpu hvm;
};

struct arch_domain {
    struct p2m_domain *p2m;     /* the host p2m, p2m_get_hostp2m(d) */
    struct p2m_domain hostp2m;  /* harness: where it lives */
    struct hvm_domain hvm;      /* d->arch.hvm.irq (dpci) */
};

#endif /* __ASM_DOMAIN_H__ */
