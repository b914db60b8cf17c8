/* SPDX-License-Identifier: MIT */
/*
 * Harness emulation of the part of Xen 4.17's public/domctl.h that dpci
 * uses: XEN_DOMCTL_bind_pt_irq's argument (same field names and types).
 */
#ifndef __XEN_PUBLIC_DOMCTL_H__
#define __XEN_PUBLIC_DOMCTL_H__

#include <xen/types.h>

typedef enum pt_irq_type_e {
    PT_IRQ_TYPE_PCI,
    PT_IRQ_TYPE_ISA,
    PT_IRQ_TYPE_MSI,
    PT_IRQ_TYPE_MSI_TRANSLATE,
    PT_IRQ_TYPE_SPI,
} pt_irq_type_t;

struct xen_domctl_bind_pt_irq {
    uint32_t machine_irq;
    uint32_t irq_type;          /* enum pt_irq_type */
    union {
        struct {
            uint8_t isa_irq;
        } isa;
        struct {
            uint8_t bus;
            uint8_t device;
            uint8_t intx;
        } pci;
        struct {
            uint8_t gvec;
            uint32_t gflags;
            uint64_t gtable;
        } msi;
        struct {
            uint16_t spi;
        } spi;
    } u;
};

/* gflags fields used here (values as in Xen). */
#define XEN_DOMCTL_VMSI_X86_DEST_ID_MASK 0x0000ff
#define XEN_DOMCTL_VMSI_X86_RH_MASK      0x000100
#define XEN_DOMCTL_VMSI_X86_DM_MASK      0x000200
#define XEN_DOMCTL_VMSI_X86_DELIV_MASK   0x007000
#define XEN_DOMCTL_VMSI_X86_TRIG_MASK    0x008000
#define XEN_DOMCTL_VMSI_X86_UNMASKED     0x010000

#endif /* __XEN_PUBLIC_DOMCTL_H__ */
