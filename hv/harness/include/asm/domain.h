/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/domain.h: struct arch_vcpu
 * (v->arch) reduced to the HVM part hv/ code touches.
 */
#ifndef __ASM_DOMAIN_H__
#define __ASM_DOMAIN_H__

#include <asm/hvm/vcpu.h>

struct arch_vcpu {
    struct hvm_vcpu hvm;
};

#endif /* __ASM_DOMAIN_H__ */
