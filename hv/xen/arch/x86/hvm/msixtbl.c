/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch/x86/hvm/msixtbl.c: MSI-X table accesses of passthrough devices in
 * HVM guests: the table registry (msixtbl_init(), msixtbl_pt_register(),
 * msixtbl_pt_unregister(), msixtbl_pt_cleanup()), the MMIO handler's
 * accept and write sides (msixtbl_mmio_ops), and msix_write_completion().
 * Together with msixtbl_read.c it replaces the MSI-X table code of Xen
 * 4.17's xen/arch/x86/hvm/vmsi.c, with Xen's prototypes and Xen's
 * structures (d->arch.hvm.msixtbl_list, the pci_dev's msi_list, the
 * msi_desc's guest_masked, v->arch.hvm.hvm_io's msix_* addresses).
 *
 * Problem (seed 001): see asm/hvm/msixtbl.h.  The baseline
 * (msixtbl_policy=forward) is the pre-fix behaviour: the hypervisor
 * handles vector-control writes of bound vectors (the guest mask bit,
 * guest_mask_msi_irq()) and forwards every read.  msixtbl_policy=emulate
 * (the default, the fix) answers table reads (msixtbl_read.c).
 *
 * Invariant: a shadow dword (entry->gentries[].msi_ad[], valid while its
 * acc_valid bit is set) equals what the device model holds for it.  An
 * aligned 4- or 8-byte write records the dwords it writes and is still
 * forwarded; any other write that touches the table (sizes 1 and 2,
 * misaligned, or a REP MOVS of several) clears the bits of the dwords it
 * touches before it is forwarded, also when msixtbl_range() does not take
 * it (Xen 4.17 left the shadow stale then).  Bits change with atomic bit
 * operations: vCPUs of one guest may write entries of one table at once.
 * An entry lives while a pirq of its device is bound (refcnt), on an RCU
 * list written under d->event_lock.
 *
 * Counters (node "msix"): writes_intercepted (pCPU and domain) for the
 * mask writes handled here, writes_forwarded (pCPU) and reads_forwarded
 * (pCPU and domain) for the accesses this handler took and left to the
 * device model.  Accesses msixtbl_range() does not take (the PBA, the
 * rest of the BAR, entries without a machine vector, devices whose table
 * is not registered) go to the device model without being counted.
 * Trace: MSIX_FORWARD for every counted forwarded access.
 */

#include <xen/lib.h>
#include <xen/errno.h>
#include <xen/irq.h>
#include <xen/nospec.h>
#include <xen/param.h>
#include <xen/pci.h>
#include <xen/rcupdate.h>
#include <xen/sched.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/xmalloc.h>
#include <asm/atomic.h>
#include <asm/current.h>
#include <asm/msi.h>
#include <asm/hvm/emulate.h>
#include <asm/hvm/io.h>
#include <asm/hvm/msixtbl.h>
#include <asm/hvm/support.h>

#include "msixtbl_private.h"

enum msixtbl_policy __read_mostly msixtbl_policy = MSIXTBL_POLICY_EMULATE;

static int __init cf_check parse_msixtbl_policy(const char *s)
{
    if ( !strcmp(s, "forward") )
        msixtbl_policy = MSIXTBL_POLICY_FORWARD;
    else if ( !strcmp(s, "emulate") )
        msixtbl_policy = MSIXTBL_POLICY_EMULATE;
    else
        return -EINVAL;

    return 0;
}
custom_param("msixtbl_policy", parse_msixtbl_policy);

DEFINE_RCU_READ_LOCK(msixtbl_rcu_lock);

/* The list head is set up by msixtbl_init(), at the first MSI-X device. */
static bool msixtbl_initialised(const struct domain *d)
{
    return d->arch.hvm.msixtbl_list.next;
}

struct msixtbl_entry *msixtbl_find_entry(const struct vcpu *v,
                                         unsigned long addr)
{
    struct msixtbl_entry *entry;

    list_for_each_entry ( entry, &v->domain->arch.hvm.msixtbl_list, list )
        if ( addr >= entry->gtable &&
             addr < entry->gtable + entry->table_len )
            return entry;

    return NULL;
}

struct msi_desc *msixtbl_addr_to_desc(const struct msixtbl_entry *entry,
                                      unsigned long addr)
{
    struct msi_desc *desc;
    unsigned int nr_entry;

    if ( !entry || !entry->pdev )
        return NULL;

    nr_entry = (addr - entry->gtable) / PCI_MSIX_ENTRY_SIZE;

    list_for_each_entry ( desc, &entry->pdev->msi_list, list )
        if ( desc->msi_attrib.type == PCI_CAP_ID_MSIX &&
             desc->msi_attrib.entry_nr == nr_entry )
            return desc;

    return NULL;
}

/* Offset of addr in its device's table for MSIX_FORWARD, ~0 if none. */
static uint32_t msixtbl_offset(const struct vcpu *v, unsigned long addr)
{
    const struct msixtbl_entry *entry;
    uint32_t off = ~0U;

    rcu_read_lock(&msixtbl_rcu_lock);
    entry = msixtbl_find_entry(v, addr);
    if ( entry )
        off = addr - entry->gtable;
    rcu_read_unlock(&msixtbl_rcu_lock);

    return off;
}

void msixtbl_count_forward(const struct vcpu *v, unsigned long addr,
                           unsigned int len, bool is_write)
{
    if ( is_write )
        TELEMETRY_INC(msix, writes_forwarded);
    else
    {
        TELEMETRY_INC(msix, reads_forwarded);
        arch_fetch_and_add(&v->domain->msixtbl.reads_forwarded, 1);
    }
    if ( telemetry_trace_enabled() )
        trace_msix_forward(v->domain->domain_id, msixtbl_offset(v, addr), len,
                           is_write);
}

/*
 * Forget the shadow dwords that a write of [addr, addr + len) to the
 * device model may change.  msixtbl_rcu_lock held.
 */
static void msixtbl_forget(struct msixtbl_entry *entry, unsigned long addr,
                           unsigned long len)
{
    unsigned long a = max(addr & ~3UL, entry->gtable);
    unsigned long end = min(addr + len, entry->gtable + entry->table_len);

    for ( ; a < end; a += sizeof(uint32_t) )
    {
        unsigned int nr_entry = (a - entry->gtable) / PCI_MSIX_ENTRY_SIZE;
        unsigned int index = (a & (PCI_MSIX_ENTRY_SIZE - 1)) /
                             sizeof(uint32_t);

        if ( nr_entry >= ARRAY_SIZE(entry->gentries) )
            break;
        if ( index < ARRAY_SIZE(entry->gentries[0].msi_ad) )
            clear_bit(nr_entry * 3 + index, entry->acc_valid);
    }
}

/*
 * A guest write of the table at address: X86EMUL_OKAY if handled here,
 * X86EMUL_UNHANDLEABLE if the device model must see it (address and data
 * always; an unmask after an address or data change, which the device
 * model applies first and msix_write_completion() finishes).
 */
static int msixtbl_write(struct vcpu *v, unsigned long address,
                         unsigned int len, unsigned long val)
{
    struct msixtbl_entry *entry;
    const struct msi_desc *msi_desc;
    struct irq_desc *desc;
    unsigned long offset, flags;
    unsigned int nr_entry, index;
    int r = X86EMUL_UNHANDLEABLE;

    rcu_read_lock(&msixtbl_rcu_lock);

    entry = msixtbl_find_entry(v, address);
    if ( !entry )
        goto out;

    if ( (len != 4 && len != 8) || (address & (len - 1)) )
    {
        msixtbl_forget(entry, address, len);
        goto out;
    }

    nr_entry = array_index_nospec((address - entry->gtable) /
                                  PCI_MSIX_ENTRY_SIZE,
                                  MAX_MSIX_TABLE_ENTRIES);
    offset = address & (PCI_MSIX_ENTRY_SIZE - 1);

    if ( offset != PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET )
    {
        index = offset / sizeof(uint32_t);
        if ( nr_entry < ARRAY_SIZE(entry->gentries) )
        {
            unsigned int i = array_index_nospec(nr_entry,
                                                ARRAY_SIZE(entry->gentries));

            write_atomic(&entry->gentries[i].msi_ad[index], (uint32_t)val);
            set_bit(i * 3 + index, entry->acc_valid);
            if ( len == 8 && !index )
            {
                write_atomic(&entry->gentries[i].msi_ad[1],
                             (uint32_t)(val >> 32));
                set_bit(i * 3 + 1, entry->acc_valid);
            }
        }
        set_bit(nr_entry, entry->table_flags);
        /* Only an 8-byte write of data carries vector control too. */
        if ( len != 8 || !index )
            goto out;
        val >>= 32;
        address += 4;
    }

    /* Unmask after an address or data change: the device model first. */
    if ( !(val & PCI_MSIX_VECTOR_BITMASK) &&
         test_and_clear_bit(nr_entry, entry->table_flags) )
    {
        v->arch.hvm.hvm_io.msix_unmask_address = address;
        goto out;
    }

    msi_desc = msixtbl_addr_to_desc(entry, address);
    if ( !msi_desc || msi_desc->irq < 0 )
        goto out;

    desc = irq_to_desc(msi_desc->irq);
    if ( !desc )
        goto out;

    spin_lock_irqsave(&desc->lock, flags);
    if ( desc->msi_desc )
    {
        ASSERT(msi_desc == desc->msi_desc);
        guest_mask_msi_irq(desc, val & PCI_MSIX_VECTOR_BITMASK);
    }
    spin_unlock_irqrestore(&desc->lock, flags);

    /* An 8-byte write still takes its data dword to the device model. */
    if ( len == 4 )
        r = X86EMUL_OKAY;

 out:
    rcu_read_unlock(&msixtbl_rcu_lock);

    return r;
}

static int cf_check _msixtbl_write(const struct hvm_io_handler *handler,
                                   uint64_t address, uint32_t len,
                                   uint64_t val)
{
    struct vcpu *curr = current;
    int r = msixtbl_write(curr, address, len, val);

    if ( r == X86EMUL_OKAY )
    {
        TELEMETRY_INC(msix, writes_intercepted);
        arch_fetch_and_add(&curr->domain->msixtbl.writes_intercepted, 1);
    }
    else
        msixtbl_count_forward(curr, address, len, true);

    return r;
}

/*
 * Take the accesses that start in a table entry that has a machine vector
 * (msi_desc) of a registered device.  For a
 * write that goes to the device model anyway, forget the shadow dwords it
 * touches, and note an unmask of vector control (an immediate value, or
 * the last dword of a REP MOVS that ends at an entry's end) so that
 * msix_write_completion() can apply it once the vector is bound.
 */
static bool cf_check msixtbl_range(const struct hvm_io_handler *handler,
                                   const ioreq_t *r)
{
    struct vcpu *curr = current;
    unsigned long addr = r->addr;
    struct msixtbl_entry *entry;
    const struct msi_desc *desc;
    unsigned int size = r->size;

    ASSERT(r->type == IOREQ_TYPE_COPY);

    rcu_read_lock(&msixtbl_rcu_lock);
    entry = msixtbl_find_entry(curr, addr);
    desc = msixtbl_addr_to_desc(entry, addr);
    if ( !desc && entry && r->dir == IOREQ_WRITE && r->count )
        msixtbl_forget(entry, addr,
                       (unsigned long)size * (r->data_is_ptr ? r->count : 1));
    rcu_read_unlock(&msixtbl_rcu_lock);

    if ( desc )
        return true;

    if ( r->state != STATE_IOREQ_READY || r->dir != IOREQ_WRITE )
        return false;

    if ( !r->data_is_ptr )
    {
        uint64_t data = r->data;

        if ( size == 8 )
        {
            /* Vector control is the upper half of an entry's last qword. */
            BUILD_BUG_ON(!(PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET & 4));
            data >>= 32;
            addr += 4;
            size = 4;
        }
        if ( size == 4 &&
             (addr & (PCI_MSIX_ENTRY_SIZE - 1)) ==
             PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET &&
             !(data & PCI_MSIX_VECTOR_BITMASK) )
        {
            curr->arch.hvm.hvm_io.msix_snoop_address = addr;
            curr->arch.hvm.hvm_io.msix_snoop_gpa = 0;
        }
    }
    else if ( (size == 4 || size == 8) && !r->df && r->count &&
              r->count <= PCI_MSIX_ENTRY_SIZE / size &&
              !((addr + size * r->count) & (PCI_MSIX_ENTRY_SIZE - 1)) )
    {
        /* A forward copy ending at an entry's end: its last dword. */
        BUILD_BUG_ON((PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET + 4) &
                     (PCI_MSIX_ENTRY_SIZE - 1));
        curr->arch.hvm.hvm_io.msix_snoop_address =
            addr + size * r->count - 4;
        curr->arch.hvm.hvm_io.msix_snoop_gpa =
            r->data + size * r->count - 4;
    }

    return false;
}

static const struct hvm_io_ops msixtbl_mmio_ops = {
    .accept = msixtbl_range,
    .read = msixtbl_read,
    .write = _msixtbl_write,
};

static void cf_check free_msixtbl_entry(struct rcu_head *rcu)
{
    xfree(container_of(rcu, struct msixtbl_entry, rcu));
}

static void del_msixtbl_entry(struct msixtbl_entry *entry)
{
    list_del_rcu(&entry->list);
    call_rcu(&entry->rcu, free_msixtbl_entry);
}

int msixtbl_pt_register(struct domain *d, struct pirq *pirq, uint64_t gtable)
{
    struct msixtbl_entry *entry, *new_entry;
    struct irq_desc *irq_desc;
    struct msi_desc *msi_desc;
    struct pci_dev *pdev;
    unsigned long ctrl = 0;
    struct vcpu *v;
    int r = -EINVAL;

    ASSERT(pcidevs_locked());
    ASSERT(rw_is_write_locked(&d->event_lock));

    if ( !msixtbl_initialised(d) )
        return -ENODEV;

    /* Allocated before the irq_desc lock, which disables interrupts. */
    new_entry = xzalloc(struct msixtbl_entry);
    if ( !new_entry )
        return -ENOMEM;

    irq_desc = pirq_spin_lock_irq_desc(pirq, NULL);
    if ( !irq_desc )
    {
        xfree(new_entry);
        return r;
    }

    msi_desc = irq_desc->msi_desc;
    if ( !msi_desc || !msi_desc->dev || !msi_desc->dev->msix )
        goto out;

    pdev = msi_desc->dev;

    list_for_each_entry ( entry, &d->arch.hvm.msixtbl_list, list )
        if ( entry->pdev == pdev )
            goto found;

    entry = new_entry;
    new_entry = NULL;
    INIT_LIST_HEAD(&entry->list);
    INIT_RCU_HEAD(&entry->rcu);
    atomic_set(&entry->refcnt, 0);
    entry->pdev = pdev;
    entry->gtable = gtable;
    entry->table_len = pdev->msix->nr_entries * PCI_MSIX_ENTRY_SIZE;
    list_add_rcu(&entry->list, &d->arch.hvm.msixtbl_list);

 found:
    atomic_inc(&entry->refcnt);
    ctrl = gtable + msi_desc->msi_attrib.entry_nr * PCI_MSIX_ENTRY_SIZE +
           PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET;
    r = 0;

 out:
    spin_unlock_irq(&irq_desc->lock);
    xfree(new_entry);

    /*
     * A vCPU that unmasked this vector through the device model before it
     * was bound (snooped by msixtbl_range()) gets the unmask applied by
     * msix_write_completion() once the device model answers.
     */
    if ( !r )
        for_each_vcpu ( d, v )
            if ( (v->pause_flags & VPF_blocked_in_xen) &&
                 !v->arch.hvm.hvm_io.msix_snoop_gpa &&
                 v->arch.hvm.hvm_io.msix_snoop_address == ctrl )
                v->arch.hvm.hvm_io.msix_unmask_address = ctrl;

    return r;
}

void msixtbl_pt_unregister(struct domain *d, struct pirq *pirq)
{
    struct msixtbl_entry *entry;
    struct irq_desc *irq_desc;
    const struct msi_desc *msi_desc;

    ASSERT(pcidevs_locked());
    ASSERT(rw_is_write_locked(&d->event_lock));

    if ( !msixtbl_initialised(d) )
        return;

    irq_desc = pirq_spin_lock_irq_desc(pirq, NULL);
    if ( !irq_desc )
        return;

    msi_desc = irq_desc->msi_desc;
    if ( msi_desc )
        list_for_each_entry ( entry, &d->arch.hvm.msixtbl_list, list )
            if ( entry->pdev == msi_desc->dev )
            {
                /* The device's last bound vector takes its table along. */
                if ( atomic_dec_and_test(&entry->refcnt) )
                    del_msixtbl_entry(entry);
                break;
            }

    spin_unlock_irq(&irq_desc->lock);
}

void msixtbl_init(struct domain *d)
{
    struct hvm_io_handler *handler;

    if ( !is_hvm_domain(d) || !has_vlapic(d) || msixtbl_initialised(d) )
        return;

    INIT_LIST_HEAD(&d->arch.hvm.msixtbl_list);

    handler = hvm_next_io_handler(d);
    if ( handler )
    {
        handler->type = IOREQ_TYPE_COPY;
        handler->ops = &msixtbl_mmio_ops;
    }
}

void msixtbl_pt_cleanup(struct domain *d)
{
    struct msixtbl_entry *entry, *tmp;

    if ( !msixtbl_initialised(d) )
        return;

    write_lock(&d->event_lock);
    list_for_each_entry_safe ( entry, tmp, &d->arch.hvm.msixtbl_list, list )
        del_msixtbl_entry(entry);
    write_unlock(&d->event_lock);
}

/*
 * After the device model served v's MMIO write: apply an unmask it left
 * to the hypervisor (msixtbl_write() after an address or data change), or
 * one msixtbl_range() snooped from a REP MOVS whose last dword in guest
 * memory clears the mask bit.
 */
void msix_write_completion(struct vcpu *v)
{
    unsigned long ctrl_address = v->arch.hvm.hvm_io.msix_unmask_address;
    unsigned long snoop_addr = v->arch.hvm.hvm_io.msix_snoop_address;

    v->arch.hvm.hvm_io.msix_snoop_address = 0;

    if ( !ctrl_address && snoop_addr && v->arch.hvm.hvm_io.msix_snoop_gpa )
    {
        unsigned int token = hvmemul_cache_disable(v);
        const struct msi_desc *desc;
        uint32_t data;

        rcu_read_lock(&msixtbl_rcu_lock);
        desc = msixtbl_addr_to_desc(msixtbl_find_entry(v, snoop_addr),
                                    snoop_addr);
        rcu_read_unlock(&msixtbl_rcu_lock);

        if ( desc &&
             hvm_copy_from_guest_phys(&data,
                                      v->arch.hvm.hvm_io.msix_snoop_gpa,
                                      sizeof(data)) == HVMTRANS_okay &&
             !(data & PCI_MSIX_VECTOR_BITMASK) )
            ctrl_address = snoop_addr;

        hvmemul_cache_restore(v, token);
    }

    if ( !ctrl_address )
        return;

    v->arch.hvm.hvm_io.msix_unmask_address = 0;
    if ( msixtbl_write(v, ctrl_address, 4, 0) != X86EMUL_OKAY )
        gdprintk(XENLOG_WARNING, "MSI-X write completion failure\n");
}

/* Domain records of /telemetry/msix (called through a pointer). */
static void cf_check msixtbl_fill_domain(const struct domain *d, void *record)
{
    struct telemetry_msix_domain *rec = record;

    rec->reads_emulated = read_atomic(&d->msixtbl.reads_emulated);
    rec->reads_forwarded = read_atomic(&d->msixtbl.reads_forwarded);
    rec->writes_intercepted = read_atomic(&d->msixtbl.writes_intercepted);
}

static int __init cf_check msixtbl_telemetry_init(void)
{
    return telemetry_register_node(TELEMETRY_NODE_MSIX, msixtbl_fill_domain,
                                   NULL);
}
__initcall(msixtbl_telemetry_init);
