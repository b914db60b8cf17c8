/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/domain.h: d->arch.hvm reduced to
 * the vIRQ state (dpci), the MMIO handlers and the MSI-X table list
 * (Xen's names), plus the
 * domain's device model (hvh/msix.h).
 */
#ifndef __ASM_X86_HVM_DOMAIN_H__
#define __ASM_X86_HVM_DOMAIN_H__

#include <xen/list.h>
#include <public/hvm/ioreq.h>

struct hvm_irq;
struct hvm_io_handler;

/* The device model of a domain: serves *p, 0 or -errno (hvh/msix.h). */
typedef int (*hvh_ioreq_server_t)(void *priv, ioreq_t *p);

struct hvm_domain {
    struct hvm_irq *irq;        /* hvm_domain_irq(d), asm/hvm/irq.h */

    struct hvm_io_handler *io_handler;
    unsigned int io_handler_count;

    struct list_head msixtbl_list;  /* set up by msixtbl_init() */

    /* harness: the domain's device model */
    hvh_ioreq_server_t hvh_ioreq_server;
    void *hvh_ioreq_priv;
};

#endif /* __ASM_X86_HVM_DOMAIN_H__ */
