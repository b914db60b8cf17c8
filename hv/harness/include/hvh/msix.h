/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvh/msix.h: the rest of Xen around the MSI-X table code
 * (xen/arch/x86/hvm/msixtbl.c, msixtbl_read.c), as the harness plays it.
 *
 *  - machine irq numbers: hvh_irq_register() gives an irq_desc a number
 *    that irq_to_desc() finds (Xen's irq_desc[] array);
 *  - a guest's MMIO access (hvh_mmio_access()): the domain's intercept
 *    handlers are asked in turn (accept), the first that accepts serves
 *    it, and X86EMUL_UNHANDLEABLE or no handler sends the ioreq to the
 *    domain's device model (hvh_ioreq_server_set()), after which
 *    msix_write_completion() runs, as hvmemul_do_io(), hvm_io_intercept()
 *    and the ioreq completion of Xen 4.17 do.  The access runs with
 *    current set to the vCPU.
 */
#ifndef __HVH_MSIX_H__
#define __HVH_MSIX_H__

#include <xen/types.h>
#include <asm/hvm/domain.h>

struct irq_desc;
struct domain;
struct vcpu;

/* A machine irq number for desc (>= 0), or -ENOSPC. */
int hvh_irq_register(struct irq_desc *desc);
void hvh_irq_unregister(int irq);

/* The device model serving d's forwarded accesses (NULL: none). */
void hvh_ioreq_server_set(struct domain *d, hvh_ioreq_server_t fn,
                          void *priv);

/*
 * v's access of size bytes at guest physical addr (*val: the value
 * written, or the value read).  0, -ENODEV if the device model was needed
 * and d has none, or the device model's error.
 */
int hvh_mmio_access(struct vcpu *v, paddr_t addr, unsigned int size,
                    bool is_write, uint64_t *val);

#endif /* __HVH_MSIX_H__ */
