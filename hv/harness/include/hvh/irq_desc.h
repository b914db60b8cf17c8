/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvh/irq_desc.h: the harness's struct irq_desc (one per pirq, see
 * hvh/dpci.h).  Xen defines it in xen/irq.h; here it needs spinlock_t,
 * whose header includes xen/irq.h, so xen/sched.h brings it in for the
 * hv/ files that lock a descriptor themselves (desc->lock).
 */
#ifndef __HVH_IRQ_DESC_H__
#define __HVH_IRQ_DESC_H__

#include <xen/types.h>
#include <xen/spinlock.h>

struct pi_desc;
struct msi_desc;

/* What the machine MSI of a pirq was told (struct msi_desc in Xen). */
struct hvh_dpci_msi_view {
    const struct pi_desc *pi_desc;  /* posted to, NULL: remapped */
    uint8_t pi_gvec;                /* the vector posted */
    unsigned int pi_updates;        /* pi_update_irte() calls */
    bool guest_masked;              /* guest_mask_msi_irq() state */
    unsigned int mask_updates;      /* guest_mask_msi_irq() calls */
    int affinity;                   /* pCPU steered to, -1 never */
    unsigned int migrations;        /* hvm_migrate_pirq() that steered */
    /* Filled by hvh_dpci_msi_view() from d->arch.hvm.msixtbl_list: */
    bool msixtbl_registered;        /* the device's table is registered */
    uint64_t msixtbl_gtable;        /* its gtable */
    int msixtbl_refcnt;             /* its bound vectors (entry refcnt) */
};

/* The harness's irq_desc: its lock, and the guest EOIs it received. */
struct irq_desc {
    spinlock_t lock;
    uint64_t guest_eois;        /* desc_guest_eoi() calls */
    struct hvh_dpci_msi_view msi;   /* under lock */
    struct msi_desc *msi_desc;      /* as in Xen: the machine MSI(-X) */
};

#endif /* __HVH_IRQ_DESC_H__ */
