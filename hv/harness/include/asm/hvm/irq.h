/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/irq.h, the dpci part: the
 * HVM_IRQ_DPCI_* flags (same bit numbers as Xen), struct hvm_gmsi_info,
 * struct hvm_irq_dpci, struct hvm_pirq_dpci (Xen's fields and order, plus
 * the fix's ->ext, as the patched Xen structure embeds it), struct hvm_irq
 * (->dpci, ->pci_link, ->nr_gsis), the guest's INTx and GSI wires and the
 * pt_pirq_*() declarations.
 */
#ifndef __ASM_X86_HVM_IRQ_H__
#define __ASM_X86_HVM_IRQ_H__

#include <xen/types.h>
#include <xen/list.h>
#include <xen/hvm/dpci.h>

/*
 * The harness links the pre-fix injection (dpci_tasklet.c) for
 * dpci_policy=tasklet; a Xen tree has no such option.
 */
#define CONFIG_DPCI_BASELINE 1

struct domain;

struct dev_intx_gsi_link {
    struct list_head list;
    uint8_t bus;
    uint8_t device;
    uint8_t intx;
};

#define _HVM_IRQ_DPCI_MACH_PCI_SHIFT            0
#define _HVM_IRQ_DPCI_MACH_MSI_SHIFT            1
#define _HVM_IRQ_DPCI_MAPPED_SHIFT              2
#define _HVM_IRQ_DPCI_GUEST_PCI_SHIFT           4
#define _HVM_IRQ_DPCI_GUEST_MSI_SHIFT           5
#define _HVM_IRQ_DPCI_IDENTITY_GSI_SHIFT        6
#define _HVM_IRQ_DPCI_NO_EOI_SHIFT              7
#define _HVM_IRQ_DPCI_TRANSLATE_SHIFT          15
#define HVM_IRQ_DPCI_MACH_PCI        (1u << _HVM_IRQ_DPCI_MACH_PCI_SHIFT)
#define HVM_IRQ_DPCI_MACH_MSI        (1u << _HVM_IRQ_DPCI_MACH_MSI_SHIFT)
#define HVM_IRQ_DPCI_MAPPED          (1u << _HVM_IRQ_DPCI_MAPPED_SHIFT)
#define HVM_IRQ_DPCI_GUEST_PCI       (1u << _HVM_IRQ_DPCI_GUEST_PCI_SHIFT)
#define HVM_IRQ_DPCI_GUEST_MSI       (1u << _HVM_IRQ_DPCI_GUEST_MSI_SHIFT)
#define HVM_IRQ_DPCI_IDENTITY_GSI    (1u << _HVM_IRQ_DPCI_IDENTITY_GSI_SHIFT)
#define HVM_IRQ_DPCI_NO_EOI          (1u << _HVM_IRQ_DPCI_NO_EOI_SHIFT)
#define HVM_IRQ_DPCI_TRANSLATE       (1u << _HVM_IRQ_DPCI_TRANSLATE_SHIFT)

/* A guest GSI's passthrough pins and the machine GSI of each. */
struct hvm_girq_dpci_mapping {
    struct list_head list;
    uint8_t bus;
    uint8_t device;
    uint8_t intx;
    uint8_t machine_gsi;
};

/* Guest PCI routing as in Xen: device/pin to GSI, and to PCI-ISA link. */
#define hvm_pci_intx_gsi(dev, intx)  \
    (((((dev) << 2) + ((dev) >> 3) + (intx)) & 31) + 16)
#define hvm_pci_intx_link(dev, intx) \
    (((dev) + (intx)) & 3)

/* A guest PCI INTx wire (harness: recorded per domain, hv/harness/dpci.c). */
void hvm_pci_intx_assert(struct domain *d, unsigned int device,
                         unsigned int intx);
void hvm_pci_intx_deassert(struct domain *d, unsigned int device,
                           unsigned int intx);
/* A GSI of the domain's vIO-APIC, for the hardware domain's identity map. */
void hvm_gsi_assert(struct domain *d, unsigned int gsi);
void hvm_gsi_deassert(struct domain *d, unsigned int gsi);

struct hvm_gmsi_info {
    uint32_t gvec;
    uint32_t gflags;
    int dest_vcpu_id;
    bool posted;
};

/* The vIO-APIC's pin count in Xen (ARRAY_SIZE of its redirtbl). */
#define NR_HVM_DOMU_IRQS 48
#define NR_ISAIRQS       16
#define NR_LINK          4

/* Per domain, under d->event_lock; the harness uses none of its lists. */
struct hvm_irq_dpci {
    struct list_head girq[NR_HVM_DOMU_IRQS];
    unsigned long isairq_map[1];
    uint8_t link_cnt[NR_LINK];
};

struct hvm_pirq_dpci {
    uint32_t flags;
    /*
     * unsigned int in Xen, whose x86 bitops take 32-bit operands; the
     * harness's bitops work on whole longs.
     */
    unsigned long state;
    bool masked;
    uint16_t pending;
    struct list_head digl_list;
    struct domain *dom;
    struct hvm_gmsi_info gmsi;
    struct list_head softirq_list;
    struct dpci_pirq_ext ext;           /* the fix's line in Xen */
};

/* The guest's PCI-ISA bridge: the ISA IRQ each PCI link is routed to. */
struct hvm_hw_pci_link {
    uint8_t route[NR_LINK];
};

/* d->arch.hvm.irq, reduced to what dpci reads. */
struct hvm_irq {
    struct hvm_irq_dpci *dpci;
    struct hvm_hw_pci_link pci_link;
    unsigned int nr_gsis;           /* the vIO-APIC's pins */
};
#define hvm_domain_irq(d) ((d)->arch.hvm.irq)

void pt_pirq_init(struct domain *, struct hvm_pirq_dpci *);
bool pt_pirq_cleanup_check(struct hvm_pirq_dpci *);
int pt_pirq_iterate(struct domain *d,
                    int (*cb)(struct domain *,
                              struct hvm_pirq_dpci *, void *arg),
                    void *arg);
bool pt_pirq_softirq_active(struct hvm_pirq_dpci *);

struct pirq;
/* Whether a PVHVM guest takes pirq as an event channel (emuirq bound). */
bool hvm_domain_use_pirq(const struct domain *, const struct pirq *);

#endif /* __ASM_X86_HVM_IRQ_H__ */
