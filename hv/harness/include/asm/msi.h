/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/msi.h: struct msi_desc and struct
 * arch_msix with the fields hv/ code reads (Xen's names and widths), and
 * the guest's mask bit of a machine MSI (guest_mask_msi_irq(), which sets
 * msi_attrib.guest_masked as Xen's does, and records the call in the
 * harness's irq_desc, hvh/dpci.h).
 */
#ifndef __ASM_MSI_H
#define __ASM_MSI_H

#include <xen/types.h>
#include <xen/list.h>
#include <xen/pci_regs.h>

struct irq_desc;
struct pci_dev;

#define MAX_MSIX_TABLE_ENTRIES  (PCI_MSIX_FLAGS_QSIZE + 1)

struct msi_desc {
    struct msi_attrib {
        uint8_t type;               /* PCI_CAP_ID_MSI or PCI_CAP_ID_MSIX */
        uint8_t pos;
        uint8_t maskbit : 1;
        uint8_t is_64 : 1;
        uint8_t host_masked : 1;
        uint8_t guest_masked : 1;
        uint16_t entry_nr;          /* MSI-X table entry */
    } msi_attrib;
    struct list_head list;          /* in dev->msi_list */
    struct pci_dev *dev;
    int irq;
};

struct arch_msix {
    unsigned int nr_entries, used_entries;
};

/* Called with desc->lock held. */
void guest_mask_msi_irq(struct irq_desc *desc, bool mask);

#endif /* __ASM_MSI_H */
