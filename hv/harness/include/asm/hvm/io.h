/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/io.h: the dpci EOI hooks, and
 * the MMIO intercept handlers (struct hvm_io_handler, struct hvm_io_ops,
 * hvm_next_io_handler()) that the harness's MMIO emulation
 * (hv/harness/hvmio.c, hvh/msix.h) walks as hvm_io_intercept() does.
 */
#ifndef __ASM_X86_HVM_IO_H__
#define __ASM_X86_HVM_IO_H__

#include <xen/types.h>
#include <xen/pci.h>
#include <public/hvm/ioreq.h>
#include <asm/hvm/emulate.h>

#define NR_IO_HANDLERS 32

struct domain;
struct vcpu;
struct hvm_io_handler;

typedef int (*hvm_io_read_t)(const struct hvm_io_handler *,
                             uint64_t addr, uint32_t size, uint64_t *data);
typedef int (*hvm_io_write_t)(const struct hvm_io_handler *,
                              uint64_t addr, uint32_t size, uint64_t data);
typedef bool (*hvm_io_accept_t)(const struct hvm_io_handler *,
                                const ioreq_t *p);
typedef void (*hvm_io_complete_t)(const struct hvm_io_handler *);

struct hvm_io_ops {
    hvm_io_accept_t   accept;
    hvm_io_read_t     read;
    hvm_io_write_t    write;
    hvm_io_complete_t complete;
};

struct hvm_io_handler {
    const struct hvm_io_ops *ops;
    uint8_t type;                   /* IOREQ_TYPE_* */
};

/* The domain's next free handler slot, or NULL if all are taken. */
struct hvm_io_handler *hvm_next_io_handler(struct domain *d);

/* The guest EOIed vector on current's vLAPIC (vlapic_handle_EOI()). */
void hvm_dpci_msi_eoi(struct domain *d, int vector);
/* The guest EOIed a GSI on its vIO-APIC or vPIC. */
void hvm_dpci_eoi(struct domain *d, unsigned int guest_irq);

/* After the device model completed v's I/O (ioreq.c). */
void msix_write_completion(struct vcpu *);
void msixtbl_init(struct domain *d);

#endif /* __ASM_X86_HVM_IO_H__ */
