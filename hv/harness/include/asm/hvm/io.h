/* SPDX-License-Identifier: GPL-2.0-only */
/* Harness emulation of Xen 4.17's asm/hvm/io.h: the dpci EOI hook only. */
#ifndef __ASM_X86_HVM_IO_H__
#define __ASM_X86_HVM_IO_H__

struct domain;

/* The guest EOIed vector on current's vLAPIC (vlapic_handle_EOI()). */
void hvm_dpci_msi_eoi(struct domain *d, int vector);
/* The guest EOIed a GSI on its vIO-APIC or vPIC. */
void hvm_dpci_eoi(struct domain *d, unsigned int guest_irq);

#endif /* __ASM_X86_HVM_IO_H__ */
