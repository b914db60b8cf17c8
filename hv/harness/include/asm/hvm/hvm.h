/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/hvm.h: only the MSI injection
 * dpci uses.  The harness's vmsi_deliver_pirq() (hv/harness/dpci.c) calls
 * the hook the test or scenario gave hvh_dpci_domain_init().
 */
#ifndef __ASM_X86_HVM_HVM_H__
#define __ASM_X86_HVM_HVM_H__

struct domain;
struct hvm_pirq_dpci;

void vmsi_deliver_pirq(struct domain *d, const struct hvm_pirq_dpci *);

#endif /* __ASM_X86_HVM_HVM_H__ */
