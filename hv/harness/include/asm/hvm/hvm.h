/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/hvm.h: only what dpci uses, the
 * MSI injection and the MSI's destination vCPU.  The harness's
 * vmsi_deliver_pirq() (hv/harness/dpci.c) calls the hook the test or
 * scenario gave hvh_dpci_domain_init(); hvm_migrate_pirq() records the
 * pCPU the machine MSI is steered to.
 */
#ifndef __ASM_X86_HVM_HVM_H__
#define __ASM_X86_HVM_HVM_H__

#include <xen/types.h>

struct domain;
struct vcpu;
struct hvm_pirq_dpci;

void vmsi_deliver_pirq(struct domain *d, const struct hvm_pirq_dpci *);
/* The one vCPU (dest, dest_mode) names, 0 for a 1-vCPU guest, else -1. */
int hvm_girq_dest_2_vcpu_id(struct domain *d, uint8_t dest, uint8_t dest_mode);
/* Steer the machine MSI to v's pCPU if v is its only, unposted target. */
void hvm_migrate_pirq(struct hvm_pirq_dpci *pirq_dpci, const struct vcpu *v);

#endif /* __ASM_X86_HVM_HVM_H__ */
