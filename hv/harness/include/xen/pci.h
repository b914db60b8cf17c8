/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's xen/pci.h: the dpci teardown hook and
 * the MSI-X table registration of a bound pirq (recorded by
 * hv/harness/dpci.c, see hvh/dpci.h).
 */
#ifndef __XEN_PCI_H__
#define __XEN_PCI_H__

#include <xen/types.h>

struct domain;
struct pirq;

/* The guest's MSI-X table of pirq's device is at guest address gtable. */
int msixtbl_pt_register(struct domain *, struct pirq *, uint64_t gtable);
void msixtbl_pt_unregister(struct domain *, struct pirq *);

/* Called by pci_release_devices(); -ERESTART asks for a continuation. */
int arch_pci_clean_pirqs(struct domain *d);

#endif /* __XEN_PCI_H__ */
