/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvh/dpci.h: the harness side of passthrough interrupts (seed 002).
 *
 * hv/xen/drivers/passthrough/x86/{hvm,dpci_softirq}.c use Xen 4.17's
 * interfaces unchanged (struct pirq, struct hvm_pirq_dpci, d->event_lock,
 * pt_irq_create_bind() with a struct xen_domctl_bind_pt_irq, ...).  This
 * file gives tests, benchmarks and hvsim what the rest of Xen would:
 *  - a domain's pirq table (d->pirq_tree in Xen) and d->nr_pirqs;
 *  - one irq_desc per pirq: hvh_dpci_irq() is do_IRQ() -> __do_IRQ_guest()
 *    (desc lock held around hvm_do_IRQ_dpci(), only while bound), and
 *    pirq_guest_bind()/pirq_guest_unbind() take the same lock, so after an
 *    unbind no interrupt for the pirq is in progress or can start;
 *  - vmsi_deliver_pirq(), which calls the domain's deliver hook,
 *    hvm_domain_use_pirq()/send_guest_pirq() for a guest that takes a pirq
 *    as an event channel (counted per pirq), and
 *    hvm_pci_intx_assert()/hvm_pci_intx_deassert(), which record the
 *    guest's PCI INTx wires;
 *  - the descriptor side of a guest's EOI (pirq_spin_lock_irq_desc(),
 *    desc_guest_eoi(), counted per pirq) and vlapic_match_dest();
 *  - the XEN_DOMCTL_bind_pt_irq/unbind_pt_irq calls for an MSI;
 *  - the machine MSI's side of a guest MSI binding, recorded in the
 *    irq_desc under its lock: the guest mask bit (guest_mask_msi_irq()),
 *    the posted-interrupt IRTE (pi_update_irte(), when iommu_intpost is
 *    set), and the pCPU the MSI is steered to (hvm_migrate_pirq());
 *  - each pirq's machine MSI is entry <pirq> of one MSI-X device per
 *    domain (desc->msi_desc, a struct msi_desc on the device's msi_list,
 *    with a machine irq number), so the real msixtbl_pt_register() and
 *    msixtbl_pt_unregister() (xen/arch/x86/hvm/msixtbl.c) serve hvm.c
 *    once the test called msixtbl_init(d); hvh_dpci_msi_view() reports
 *    the registration from d->arch.hvm.msixtbl_list, and a test can take
 *    the msi_desc away to make the registration fail;
 *  - hvm_girq_dest_2_vcpu_id() with Xen's rule (the one vCPU the
 *    destination names, vCPU 0 for a 1-vCPU guest, else -1);
 *  - the vIO-APIC pins the hardware domain's GSIs are identity-mapped to
 *    (mask bit, trigger mode, wire: vioapic_get_mask(),
 *    vioapic_get_trigger_mode(), hvm_gsi_assert()/hvm_gsi_deassert()),
 *    the guest's PCI link routes and hvm_dpci_isairq_eoi() with Xen's
 *    semantics (drivers/passthrough/vtd/x86/hvm.c, not replaced).
 * Struct pirq memory lives as long as the domain's table: the harness's
 * pirq_cleanup_check() only unlinks it, as Xen's does before its RCU free.
 */
#ifndef __HVH_DPCI_H__
#define __HVH_DPCI_H__

#include <xen/iommu.h>
#include <xen/irq.h>
#include <xen/pci.h>
#include <xen/spinlock.h>
#include <xen/tasklet.h>
#include <asm/hvm/irq.h>
#include <asm/msi.h>
#include <hvh/irq_desc.h>

struct domain;
struct hvm_pirq_dpci;

typedef void (*hvh_dpci_deliver_t)(struct domain *d,
                                   const struct hvm_pirq_dpci *pirq_dpci);

/* One entry of a domain's pirq table. */
struct hvh_pirq {
    struct pirq pirq;
    bool present;               /* in the "tree": pirq_info() finds it */
    bool bound;                 /* pirq_guest_bind()ed: interrupts reach it */
    struct irq_desc desc;
    struct msi_desc msi_desc;   /* desc.msi_desc: MSI-X entry pirq of pdev */
    struct tasklet tasklet;     /* the baseline's (dpci_tasklet.c) */
    uint64_t evtchn_sends;      /* send_guest_pirq() calls */
};

/* A vIO-APIC pin of the domain (the hardware domain's GSIs). */
struct hvh_gsi {
    bool masked, level;             /* vioapic_get_mask(), _trigger_mode() */
    bool wire;                      /* a level GSI asserted now */
    uint64_t asserts;               /* hvm_gsi_assert() that raised it */
};

/* d->pirq_tree in the harness, and the guest's PCI INTx wires. */
struct hvh_pirq_table {
    hvh_dpci_deliver_t deliver;
    struct pci_dev pdev;            /* the device of every pirq's MSI-X */
    struct arch_msix msix;          /* its capability: one entry a pirq */
    unsigned long lookups;          /* pirq_info() calls */
    bool intx_wire[32][4];          /* device, pin: asserted now */
    uint64_t intx_asserts[32][4];   /* hvm_pci_intx_assert() calls */
    struct hvh_gsi gsis[NR_HVM_DOMU_IRQS];  /* nr_gsis of them */
    unsigned int nr;
    struct hvh_pirq pirqs[];
};

/* Give d nr_pirqs pirqs, an IOMMU and a deliver hook: 0 or -errno. */
int hvh_dpci_domain_init(struct domain *d, unsigned int nr_pirqs,
                         hvh_dpci_deliver_t deliver);
/* Free the table; arch_pci_clean_pirqs() must have returned 0. */
void hvh_dpci_domain_free(struct domain *d);

/* XEN_DOMCTL_bind_pt_irq / unbind_pt_irq for MSI pirq at guest vector. */
int hvh_dpci_bind(struct domain *d, unsigned int pirq, uint8_t gvec);
int hvh_dpci_unbind(struct domain *d, unsigned int pirq);

/* A device interrupt for pirq on the current pCPU: 1 if taken for the
 * guest (hvm_do_IRQ_dpci() returned 1), 0 if not bound. */
int hvh_dpci_irq(struct domain *d, unsigned int pirq);

/* The item of pirq (allocated at first bind), or NULL. */
struct hvm_pirq_dpci *hvh_dpci_item(struct domain *d, unsigned int pirq);
/* The pirq number of an item. */
unsigned int hvh_dpci_pirq_nr(const struct hvm_pirq_dpci *pirq_dpci);
/* A guest PCI INTx wire: asserted now, and how often it was asserted. */
bool hvh_dpci_intx_wire(struct domain *d, unsigned int device,
                        unsigned int intx);
uint64_t hvh_dpci_intx_asserts(struct domain *d, unsigned int device,
                               unsigned int intx);
/* Take pirq as an event channel (emuirq), as a PVHVM guest does, or not. */
void hvh_dpci_set_emuirq(struct domain *d, unsigned int pirq, int emuirq);
/* How many times send_guest_pirq() delivered pirq. */
uint64_t hvh_dpci_evtchn_sends(struct domain *d, unsigned int pirq);
/* How many guest EOIs reached pirq's descriptor (hvm_dpci_msi_eoi()). */
uint64_t hvh_dpci_guest_eois(struct domain *d, unsigned int pirq);
/* A copy of what pirq's machine MSI was told (see struct above). */
void hvh_dpci_msi_view(struct domain *d, unsigned int pirq,
                       struct hvh_dpci_msi_view *view);
/* How many pirq_info() lookups were made in d's table. */
unsigned long hvh_dpci_lookups(struct domain *d);
/*
 * Make msixtbl_pt_register() fail with -EINVAL for d's pirqs (rc
 * -EINVAL: their irq_desc loses its msi_desc, as for a machine MSI that
 * is not MSI-X), or succeed again (rc 0).
 */
void hvh_dpci_set_msixtbl_rc(struct domain *d, int rc);
/* Program vIO-APIC pin gsi (all start masked, edge). */
void hvh_dpci_set_gsi(struct domain *d, unsigned int gsi, bool masked,
                      bool level);
/* A GSI's wire: asserted now (level), and how often it was raised. */
bool hvh_dpci_gsi_wire(struct domain *d, unsigned int gsi);
uint64_t hvh_dpci_gsi_asserts(struct domain *d, unsigned int gsi);
/* The guest routes PCI link to ISA IRQ isairq (0: none), as Xen's
 * hvm_set_pci_link_route() does for dpci (isairq_map). */
void hvh_dpci_route_link(struct domain *d, unsigned int link,
                         unsigned int isairq);
/* The baseline's tasklet for an item (dpci_tasklet.c). */
struct tasklet *hvh_dpci_tasklet(struct hvm_pirq_dpci *pirq_dpci);

#endif /* __HVH_DPCI_H__ */
