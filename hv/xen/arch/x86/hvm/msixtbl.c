/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch/x86/hvm/msixtbl.c: MSI-X table accesses of passthrough devices:
 * finding the device, the write side, and the forwarding of what the
 * hypervisor does not handle to the device model (the vmsi.c and
 * hvm_io_intercept()/ioreq path of Xen 4.17, reduced to this device).
 *
 * Problem (seed 001): see asm/hvm/msixtbl.h.  The baseline
 * (msixtbl_policy=forward) is the pre-fix behaviour: the hypervisor handles
 * vector-control writes (the mask bit, which it programs into the device)
 * and forwards everything else, every read included.  With
 * msixtbl_policy=emulate (the fix) the write side also keeps the shadow
 * that msixtbl_read.c answers reads from.
 *
 * Invariant: a shadow dword is valid only if it equals what the device
 * model holds (valid bits change with atomic bit operations: vCPUs of one
 * guest may touch different entries of the same table at once); a forwarded write that may change a dword (odd size,
 * misaligned, straddling the table's edge) invalidates it before it is
 * forwarded; aligned writes of address or data dwords are recorded and
 * still forwarded, so the device model and the shadow agree.
 *
 * Counters (node "msix"): writes_intercepted (pCPU and domain),
 * writes_forwarded and reads_forwarded (pCPU; reads also per domain).
 * Trace: MSIX_FORWARD for every forwarded access.
 */

#include <xen/lib.h>
#include <xen/errno.h>
#include <xen/param.h>
#include <xen/rwlock.h>
#include <xen/sched.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <asm/atomic.h>
#include <asm/hvm/msixtbl.h>

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

void msixtbl_domain_init(struct domain *d,
                         int (*forward)(void *, struct msix_ioreq *),
                         void *priv)
{
    struct msixtbl_domain *md = &d->msixtbl;

    rwlock_init(&md->lock);
    INIT_LIST_HEAD(&md->entries);
    md->forward = forward;
    md->forward_priv = priv;
    md->reads_emulated = 0;
    md->reads_forwarded = 0;
    md->writes_intercepted = 0;
}

void msixtbl_entry_init(struct msixtbl_entry *entry, struct msix_pdev *pdev,
                        paddr_t gtable, unsigned int nr_entries,
                        paddr_t gpba)
{
    unsigned int i;

    ASSERT(nr_entries && nr_entries <= MSIXTBL_MAX_ENTRIES);

    memset(entry, 0, sizeof(*entry));
    INIT_LIST_HEAD(&entry->list);
    entry->pdev = pdev;
    entry->gtable = gtable;
    entry->nr_entries = nr_entries;
    entry->gpba = gpba;
    entry->pba_len = DIV_ROUND_UP(nr_entries, 64) * 8;

    /*
     * After reset every vector is masked, and the hypervisor knows it;
     * address and data are unknown until the guest writes them.
     */
    for ( i = 0; i < nr_entries; i++ )
    {
        entry->gentries[i][3] = PCI_MSIX_VECTOR_BITMASK;
        __set_bit(i * MSIXTBL_ENTRY_DWORDS + 3, entry->valid);
    }
}

void msixtbl_add(struct domain *d, struct msixtbl_entry *entry)
{
    write_lock(&d->msixtbl.lock);
    list_add_tail(&entry->list, &d->msixtbl.entries);
    write_unlock(&d->msixtbl.lock);
}

void msixtbl_del(struct domain *d, struct msixtbl_entry *entry)
{
    write_lock(&d->msixtbl.lock);
    list_del_init(&entry->list);
    write_unlock(&d->msixtbl.lock);
}

static paddr_t table_end(const struct msixtbl_entry *entry)
{
    return entry->gtable + (paddr_t)entry->nr_entries * PCI_MSIX_ENTRY_SIZE;
}

/* The device whose table [addr, addr + len) overlaps.  Lock held. */
struct msixtbl_entry *msixtbl_find_entry(struct domain *d, paddr_t addr,
                                         unsigned int len)
{
    struct msixtbl_entry *entry;

    list_for_each_entry ( entry, &d->msixtbl.entries, list )
        if ( addr < table_end(entry) && addr + len > entry->gtable )
            return entry;

    return NULL;
}

bool msixtbl_access_in_table(const struct msixtbl_entry *entry,
                             paddr_t addr, unsigned int len)
{
    return addr >= entry->gtable && addr + len <= table_end(entry);
}

/* Forget the shadow dwords that [addr, addr + len) touches. */
static void msixtbl_invalidate(struct msixtbl_entry *entry, paddr_t addr,
                               unsigned int len)
{
    paddr_t a = max(addr, entry->gtable);
    paddr_t end = min(addr + len, table_end(entry));

    for ( ; a < end; a++ )
        clear_bit((a - entry->gtable) / 4, entry->valid);
}

int msixtbl_write(struct domain *d, paddr_t addr, unsigned int len,
                  uint64_t val)
{
    struct msixtbl_entry *entry;
    unsigned int nr, first, i;
    int rc = X86EMUL_UNHANDLEABLE;

    read_lock(&d->msixtbl.lock);

    entry = msixtbl_find_entry(d, addr, len);
    if ( !entry )
        goto out;

    if ( (len != 4 && len != 8) || (addr & (len - 1)) ||
         !msixtbl_access_in_table(entry, addr, len) )
    {
        /* The device model applies it; we no longer know those dwords. */
        if ( msixtbl_policy == MSIXTBL_POLICY_EMULATE )
            msixtbl_invalidate(entry, addr, len);
        goto out;
    }

    nr = (addr - entry->gtable) / PCI_MSIX_ENTRY_SIZE;
    first = (addr & (PCI_MSIX_ENTRY_SIZE - 1)) / 4;

    if ( len == 4 && first * 4 == PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET )
    {
        /* Mask or unmask: the hypervisor owns the device's mask bit. */
        uint32_t ctrl = val & PCI_MSIX_VECTOR_BITMASK;

        write_atomic(&entry->pdev->ctrl[nr], ctrl);
        write_atomic(&entry->gentries[nr][3], ctrl);
        set_bit(nr * MSIXTBL_ENTRY_DWORDS + 3, entry->valid);

        TELEMETRY_INC(msix, writes_intercepted);
        arch_fetch_and_add(&d->msixtbl.writes_intercepted, 1);
        rc = X86EMUL_OKAY;
        goto out;
    }

    /* Address or data (8 bytes at offset 8 also carries vector control). */
    if ( msixtbl_policy == MSIXTBL_POLICY_EMULATE )
        for ( i = 0; i < len / 4; i++ )
        {
            uint32_t dw = val >> (32 * i);

            if ( first + i == 3 )
                dw &= PCI_MSIX_VECTOR_BITMASK;
            write_atomic(&entry->gentries[nr][first + i], dw);
            set_bit(nr * MSIXTBL_ENTRY_DWORDS + first + i, entry->valid);
        }

 out:
    read_unlock(&d->msixtbl.lock);

    return rc;
}

/*
 * Offset of addr in its device's MSI-X region (table first, PBA after it)
 * for the MSIX_FORWARD trace record; ~0 if it is in no device's region.
 */
static uint32_t msixtbl_region_offset(struct domain *d, paddr_t addr)
{
    const struct msixtbl_entry *entry;
    uint32_t off = ~0U;

    read_lock(&d->msixtbl.lock);
    list_for_each_entry ( entry, &d->msixtbl.entries, list )
        if ( addr >= entry->gtable &&
             addr < max(table_end(entry), entry->gpba + entry->pba_len) )
        {
            off = addr - entry->gtable;
            break;
        }
    read_unlock(&d->msixtbl.lock);

    return off;
}

int hvm_msix_mmio_access(struct domain *d, paddr_t addr, unsigned int len,
                         bool is_write, uint64_t *val)
{
    struct msix_ioreq req;
    int rc;

    if ( is_write )
        rc = msixtbl_write(d, addr, len, *val);
    else
        rc = msixtbl_read(d, addr, len, val);
    if ( rc == X86EMUL_OKAY )
        return 0;

    if ( is_write )
        TELEMETRY_INC(msix, writes_forwarded);
    else
    {
        TELEMETRY_INC(msix, reads_forwarded);
        arch_fetch_and_add(&d->msixtbl.reads_forwarded, 1);
    }
    if ( telemetry_trace_enabled() )
        trace_msix_forward(d->domain_id, msixtbl_region_offset(d, addr), len,
                           is_write);

    memset(&req, 0, sizeof(req));
    req.addr = addr;
    req.size = len;
    req.domid = d->domain_id;
    req.dir = is_write ? IOREQ_WRITE : IOREQ_READ;
    req.data = is_write ? *val : 0;

    rc = d->msixtbl.forward(d->msixtbl.forward_priv, &req);
    if ( !rc && !is_write )
        *val = req.data;

    return rc;
}

/* Domain records of /telemetry/msix. */
static void msixtbl_fill_domain(const struct domain *d, void *record)
{
    struct telemetry_msix_domain *r = record;

    r->reads_emulated = read_atomic(&d->msixtbl.reads_emulated);
    r->reads_forwarded = read_atomic(&d->msixtbl.reads_forwarded);
    r->writes_intercepted = read_atomic(&d->msixtbl.writes_intercepted);
}

static int __init msixtbl_telemetry_init(void)
{
    return telemetry_register_domain_fill(TELEMETRY_NODE_MSIX,
                                          msixtbl_fill_domain);
}
__initcall(msixtbl_telemetry_init);
