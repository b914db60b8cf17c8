/* SPDX-License-Identifier: GPL-2.0-only */
/* Harness emulation of Xen 4.17's xen/pci.h: the dpci teardown hook only. */
#ifndef __XEN_PCI_H__
#define __XEN_PCI_H__

struct domain;

/* Called by pci_release_devices(); -ERESTART asks for a continuation. */
int arch_pci_clean_pirqs(struct domain *d);

#endif /* __XEN_PCI_H__ */
