/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's xen/pci.h: struct pci_dev reduced to its
 * MSI part (the device's msi_desc list and MSI-X capability), the dpci
 * teardown hook and the MSI-X table registration of a bound pirq
 * (xen/arch/x86/hvm/msixtbl.c).  The harness has no PCI device list:
 * pcidevs_locked() is always true.
 */
#ifndef __XEN_PCI_H__
#define __XEN_PCI_H__

#include <xen/types.h>
#include <xen/list.h>
#include <xen/pci_regs.h>

struct domain;
struct pirq;
struct arch_msix;

struct pci_dev {
    struct list_head msi_list;      /* the msi_descs of its vectors */
    struct arch_msix *msix;         /* NULL: no MSI-X capability */
};

static inline bool pcidevs_locked(void)
{
    return true;
}

/* The guest's MSI-X table of pirq's device is at guest address gtable. */
int msixtbl_pt_register(struct domain *, struct pirq *, uint64_t gtable);
void msixtbl_pt_unregister(struct domain *, struct pirq *);
void msixtbl_pt_cleanup(struct domain *d);

/* Called by pci_release_devices(); -ERESTART asks for a continuation. */
int arch_pci_clean_pirqs(struct domain *d);

#endif /* __XEN_PCI_H__ */
