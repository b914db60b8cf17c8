/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch/x86/hvm/msixtbl_private.h: the guest MSI-X table of a passthrough
 * device as the hypervisor tracks it, shared by msixtbl.c (lookup, write
 * side, registration, write completion) and msixtbl_read.c (read side).
 * In Xen 4.17 this structure is private to vmsi.c, whose MSI-X table code
 * these two files replace (docs/PATCHING.md); the field names are Xen's.
 */

#ifndef __X86_HVM_MSIXTBL_PRIVATE_H__
#define __X86_HVM_MSIXTBL_PRIVATE_H__

#include <xen/types.h>
#include <xen/list.h>
#include <xen/pci.h>
#include <xen/rcupdate.h>
#include <asm/atomic.h>
#include <asm/msi.h>
#include <asm/hvm/io.h>

/*
 * Entries whose address and data are shadowed (Xen keeps 3).  Vector
 * control is never shadowed: it is read from the vector's msi_desc.
 */
#define MAX_MSIX_ACC_ENTRIES 64

struct msixtbl_entry
{
    struct list_head list;          /* d->arch.hvm.msixtbl_list, RCU */
    atomic_t refcnt;                /* bound pirqs of the device */
    struct pci_dev *pdev;
    unsigned long gtable;           /* guest address of the table */
    /* Entries whose address or data changed since their last unmask. */
    DECLARE_BITMAP(table_flags, MAX_MSIX_TABLE_ENTRIES);
    unsigned int table_len;         /* bytes */
    struct {
        uint32_t msi_ad[3];         /* address low, address high, data */
    } gentries[MAX_MSIX_ACC_ENTRIES];
    /* Which msi_ad[] dwords are known: bit entry * 3 + dword. */
    DECLARE_BITMAP(acc_valid, 3 * MAX_MSIX_ACC_ENTRIES);
    struct rcu_head rcu;
};

/* Readers of d->arch.hvm.msixtbl_list hold it. */
extern rcu_read_lock_t msixtbl_rcu_lock;

/* The device whose table holds addr, or NULL.  msixtbl_rcu_lock held. */
struct msixtbl_entry *msixtbl_find_entry(const struct vcpu *v,
                                         unsigned long addr);
/* The bound vector (MSI-X entry) at addr, or NULL. */
struct msi_desc *msixtbl_addr_to_desc(const struct msixtbl_entry *entry,
                                      unsigned long addr);
/* An access the device model will serve: counters and MSIX_FORWARD. */
void msixtbl_count_forward(const struct vcpu *v, unsigned long addr,
                           unsigned int len, bool is_write);

/* .read of msixtbl_mmio_ops (msixtbl_read.c). */
int cf_check msixtbl_read(const struct hvm_io_handler *handler,
                          uint64_t address, uint32_t len, uint64_t *pval);

#endif /* __X86_HVM_MSIXTBL_PRIVATE_H__ */
