/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch/x86/hvm/msixtbl_read.c: MSI-X table reads answered by the
 * hypervisor (the fix of seed 001; msixtbl_policy=emulate).
 *
 * Problem: Linux reads the vector control word back after every mask and
 * unmask to flush the posted write; each read was an ioreq to the device
 * model, so dom0 spent CPU in proportion to guests x interrupt rate.
 *
 * Fix: an aligned 4- or 8-byte read inside the table is answered from the
 * shadow msixtbl.c keeps, if every dword it covers is known: the value is
 * the one the guest last wrote, and for vector control only the mask bit
 * (what the device returns).  Anything else is left to the device model:
 * the PBA, sizes 1 and 2, misaligned reads, reads that straddle the table,
 * and dwords the guest never wrote through an aligned access.
 *
 * Invariant: a read answered here returns exactly what the device model
 * would have returned for it (see msixtbl.c for how the shadow stays
 * exact).
 *
 * Counters (node "msix"): reads_emulated (pCPU and domain); trace
 * MSIX_EMULATED.
 */

#include <xen/lib.h>
#include <xen/rwlock.h>
#include <xen/sched.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <asm/atomic.h>
#include <asm/hvm/msixtbl.h>

int msixtbl_read(struct domain *d, paddr_t addr, unsigned int len,
                 uint64_t *pval)
{
    struct msixtbl_entry *entry;
    unsigned int nr, first, i;
    uint64_t val = 0;
    int rc = X86EMUL_UNHANDLEABLE;

    if ( msixtbl_policy != MSIXTBL_POLICY_EMULATE )
        return rc;

    if ( (len != 4 && len != 8) || (addr & (len - 1)) )
        return rc;

    read_lock(&d->msixtbl.lock);

    entry = msixtbl_find_entry(d, addr, len);
    if ( !entry || !msixtbl_access_in_table(entry, addr, len) )
        goto out;

    nr = (addr - entry->gtable) / PCI_MSIX_ENTRY_SIZE;
    first = (addr & (PCI_MSIX_ENTRY_SIZE - 1)) / 4;

    for ( i = 0; i < len / 4; i++ )
    {
        uint32_t dw;

        if ( !test_bit(nr * MSIXTBL_ENTRY_DWORDS + first + i, entry->valid) )
            goto out;

        dw = read_atomic(&entry->gentries[nr][first + i]);
        if ( first + i == 3 )
            dw &= PCI_MSIX_VECTOR_BITMASK;
        val |= (uint64_t)dw << (32 * i);
    }

    *pval = val;
    TELEMETRY_INC(msix, reads_emulated);
    arch_fetch_and_add(&d->msixtbl.reads_emulated, 1);
    trace_msix_emulated(d->domain_id, addr - entry->gtable, len);
    rc = X86EMUL_OKAY;

 out:
    read_unlock(&d->msixtbl.lock);

    return rc;
}
