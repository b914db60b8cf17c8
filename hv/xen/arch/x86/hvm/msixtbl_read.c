/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch/x86/hvm/msixtbl_read.c: MSI-X table reads answered by the
 * hypervisor (the fix of seed 001; msixtbl_policy=emulate).  Replaces
 * msixtbl_read() of Xen 4.17's vmsi.c (.read of msixtbl_mmio_ops).
 *
 * Problem: Linux reads the vector control word back after every mask and
 * unmask to flush the posted write; each read forwarded to the device
 * model is an ioreq, so dom0 spends CPU in proportion to guests x
 * interrupt rate.
 *
 * Fix: an aligned 4- or 8-byte read inside the table of a bound vector is
 * answered here: address and data from the shadow msixtbl.c keeps of what
 * the guest wrote (entries below MAX_MSIX_ACC_ENTRIES, dwords written
 * through an aligned access and not touched by a forwarded write since),
 * vector control from the vector's guest mask bit (msi_desc), other bits
 * 0.  Anything else goes to the device model: sizes 1 and 2, misaligned
 * reads, dwords not known, and (under msixtbl_policy=forward, the
 * baseline) every read.  msixtbl_range() accepts only accesses that start
 * in a table entry with a machine vector (msi_desc) of a registered
 * device: the PBA and the rest of the BAR never come here.
 *
 * Invariant: a read answered here returns exactly what the device model
 * would have returned for it (msixtbl.c keeps the shadow exact).
 *
 * Counters (node "msix"): reads_emulated, or reads_forwarded (pCPU and
 * domain); trace MSIX_EMULATED, or MSIX_FORWARD.
 */

#include <xen/lib.h>
#include <xen/nospec.h>
#include <xen/rcupdate.h>
#include <xen/sched.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <asm/atomic.h>
#include <asm/current.h>
#include <asm/hvm/msixtbl.h>

#include "msixtbl_private.h"

/* One dword of the entry at addr: false if the hypervisor cannot say. */
static bool msixtbl_read_dword(const struct msixtbl_entry *entry,
                               unsigned long addr, uint32_t *dw)
{
    unsigned int nr_entry = (addr - entry->gtable) / PCI_MSIX_ENTRY_SIZE;
    unsigned int index = (addr & (PCI_MSIX_ENTRY_SIZE - 1)) /
                         sizeof(uint32_t);
    const struct msi_desc *desc;

    if ( index * sizeof(uint32_t) == PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET )
    {
        desc = msixtbl_addr_to_desc(entry, addr);
        if ( !desc )
            return false;
        *dw = MASK_INSR(desc->msi_attrib.guest_masked,
                        PCI_MSIX_VECTOR_BITMASK);
        return true;
    }

    if ( nr_entry >= ARRAY_SIZE(entry->gentries) )
        return false;
    nr_entry = array_index_nospec(nr_entry, ARRAY_SIZE(entry->gentries));
    if ( !test_bit(nr_entry * 3 + index, entry->acc_valid) )
        return false;
    *dw = read_atomic(&entry->gentries[nr_entry].msi_ad[index]);

    return true;
}

int cf_check msixtbl_read(const struct hvm_io_handler *handler,
                          uint64_t address, uint32_t len, uint64_t *pval)
{
    struct vcpu *curr = current;
    const struct msixtbl_entry *entry;
    uint32_t lo, hi = 0;
    int r = X86EMUL_UNHANDLEABLE;

    if ( msixtbl_policy != MSIXTBL_POLICY_EMULATE ||
         (len != 4 && len != 8) || (address & (len - 1)) )
        goto forward;

    rcu_read_lock(&msixtbl_rcu_lock);

    entry = msixtbl_find_entry(curr, address);
    /* Aligned, so inside one entry; the entry must be in the table. */
    if ( entry && address + len <= entry->gtable + entry->table_len &&
         msixtbl_read_dword(entry, address, &lo) &&
         (len == 4 || msixtbl_read_dword(entry, address + 4, &hi)) )
    {
        *pval = lo | ((uint64_t)hi << 32);
        r = X86EMUL_OKAY;
        TELEMETRY_INC(msix, reads_emulated);
        arch_fetch_and_add(&curr->domain->msixtbl.reads_emulated, 1);
        trace_msix_emulated(curr->domain->domain_id,
                            address - entry->gtable, len);
    }

    rcu_read_unlock(&msixtbl_rcu_lock);

    if ( r == X86EMUL_OKAY )
        return r;

 forward:
    msixtbl_count_forward(curr, address, len, false);

    return r;
}
