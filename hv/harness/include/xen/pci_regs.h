/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's xen/pci_regs.h: the MSI-X values the
 * hv/ files use (PCI spec values).
 */
#ifndef __XEN_PCI_REGS_H__
#define __XEN_PCI_REGS_H__

#define PCI_CAP_ID_MSI                      0x05
#define PCI_CAP_ID_MSIX                     0x11
#define PCI_MSIX_FLAGS_QSIZE                0x07ff

#define PCI_MSIX_ENTRY_SIZE                 16
#define PCI_MSIX_ENTRY_LOWER_ADDR_OFFSET    0
#define PCI_MSIX_ENTRY_UPPER_ADDR_OFFSET    4
#define PCI_MSIX_ENTRY_DATA_OFFSET          8
#define PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET   12
#define PCI_MSIX_VECTOR_BITMASK             (1 << 0)

#endif /* __XEN_PCI_REGS_H__ */
