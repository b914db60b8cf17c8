/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * drivers/passthrough/x86/hvm.c: binding of passthrough interrupts (MSIs,
 * PCI INTx, the hardware domain's GSIs) to an HVM domain, their injection
 * and the domain's EOIs: a
 * replacement for Xen 4.17's file of the same name, written against Xen's
 * own structures (struct pirq, struct hvm_pirq_dpci, struct hvm_irq_dpci,
 * d->event_lock) and prototypes (xen/iommu.h, xen/pci.h, asm/hvm/irq.h,
 * asm/hvm/io.h), shared by both injection policies.
 *
 * Problem (seed 002): see dpci_softirq.c.  This file chooses the path
 * (boot parameter dpci_policy=softirq, or tasklet where the baseline is
 * built in) and holds
 * the teardown rules of the fix:
 *  - pt_irq_destroy_bind() unbinds the pirq, then returns -EAGAIN while an
 *    injection is still queued or running; arch_pci_clean_pirqs() unbinds
 *    every pirq and returns -ERESTART in the same case (domain destruction
 *    continues later).  The caller processes softirqs and calls again.
 *  - pt_irq_create_bind() on an item still in flight from an earlier
 *    binding drops the event lock, processes softirqs and retries, for at
 *    most dpci_teardown_timeout_ms, then returns -EAGAIN.
 * The baseline (CONFIG_DPCI_BASELINE, harness builds) keeps the pre-fix
 * teardown: tasklet_kill(), which spins.
 *
 * Invariant: the binding (->flags) is written under d->event_lock, set
 * before pirq_guest_bind() and cleared after pirq_guest_unbind(); both take
 * the irq_desc lock that do_IRQ() holds around hvm_do_IRQ_dpci(), so an
 * interrupt sees a complete binding or none, and once a teardown returned
 * 0 for an item no injection for it runs until it is bound again.
 * With posted interrupts (iommu_intpost), a guest MSI's IRTE names the PI
 * descriptor of the vCPU gmsi.posted/gmsi.dest_vcpu_id were computed for
 * at its last bind, or no descriptor (remapped delivery): every MSI bind
 * and rebind calls pi_update_irte(), and an unbind of a posted MSI resets
 * it to remapped delivery before the machine interrupt is released.
 *
 * Handled here: guest MSIs on machine MSIs (binding and retargeting, the
 * destination vCPU, VT-d posting through pi_update_irte(), the MSI-X
 * table registration, the guest mask bit); guest PCI INTx pins on machine
 * GSIs or, translated, on machine MSIs (binding, injection, the guest's
 * EOI through the vIO-APIC or, for a link routed to an ISA IRQ, through
 * hvm_dpci_isairq_eoi()); the hardware domain's GSIs, identity-mapped
 * onto its vIO-APIC (HVM_IRQ_DPCI_IDENTITY_GSI, no hvm_irq_dpci).
 * PT_IRQ_TYPE_ISA returns -EOPNOTSUPP, as in Xen 4.17.  With iommu=verbose
 * INTx binding changes are logged.  Where this file differs from
 * upstream's on purpose: docs/PATCHING.md.
 *
 * Counters (node "dpci"): teardown_eagain per pCPU (trace
 * DPCI_TEARDOWN_EAGAIN); the domain records (items_scheduled, items_run)
 * are published from here.
 */

#include <xen/lib.h>
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/iommu.h>
#include <xen/irq.h>
#include <xen/param.h>
#include <xen/pci.h>
#include <xen/radix-tree.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/time.h>
#include <xen/xmalloc.h>
#include <xen/hvm/dpci.h>
#include <asm/current.h>
#include <asm/hvm/hvm.h>
#include <asm/hvm/io.h>
#include <asm/hvm/irq.h>
#include <asm/hvm/vioapic.h>
#include <asm/hvm/vlapic.h>
#include <asm/io_apic.h>
#include <asm/msi.h>
#include <public/domctl.h>
#include <public/event_channel.h>

/* pirq_dpci() is a macro testing its argument; gcc 12 warns about that. */
static inline struct hvm_pirq_dpci *dpci_of(struct pirq *pirq)
{
    return &pirq->arch.hvm.dpci;
}

enum dpci_policy __read_mostly dpci_policy = DPCI_POLICY_SOFTIRQ;

#ifdef CONFIG_DPCI_BASELINE
#define dpci_baseline() (dpci_policy == DPCI_POLICY_TASKLET)
#else
/* Without the baseline built in (a Xen tree), the policy is fixed. */
#define dpci_baseline() false
#endif

static int __init cf_check parse_dpci_policy(const char *s)
{
#ifdef CONFIG_DPCI_BASELINE
    if ( !strcmp(s, "tasklet") )
        dpci_policy = DPCI_POLICY_TASKLET;
    else
#endif
    if ( !strcmp(s, "softirq") )
        dpci_policy = DPCI_POLICY_SOFTIRQ;
    else
        return -EINVAL;

    return 0;
}
custom_param("dpci_policy", parse_dpci_policy);

/* How long pt_irq_create_bind() waits for an in-flight injection. */
static unsigned int __read_mostly dpci_teardown_timeout_ms = 1000;
integer_runtime_param("dpci_teardown_timeout_ms", dpci_teardown_timeout_ms);

static void dpci_count_eagain(const struct domain *d,
                              const struct pirq *pirq)
{
    TELEMETRY_INC(dpci, teardown_eagain);
    trace_dpci_teardown_eagain(d->domain_id, pirq->pirq);
}

struct hvm_irq_dpci *domain_get_irq_dpci(const struct domain *d)
{
    if ( !d || !is_hvm_domain(d) )
        return NULL;

    return hvm_domain_irq(d)->dpci;
}

void free_hvm_irq_dpci(struct hvm_irq_dpci *dpci)
{
    unsigned int i;

    for ( i = 0; i < NR_HVM_DOMU_IRQS; i++ )
    {
        struct hvm_girq_dpci_mapping *girq, *tmp;

        list_for_each_entry_safe ( girq, tmp, &dpci->girq[i], list )
        {
            list_del(&girq->list);
            xfree(girq);
        }
    }

    xfree(dpci);
}

void pt_pirq_init(struct domain *d, struct hvm_pirq_dpci *dpci)
{
    INIT_LIST_HEAD(&dpci->digl_list);
    INIT_LIST_HEAD(&dpci->softirq_list);
    dpci->gmsi.dest_vcpu_id = -1;
}

/* May the pirq's structure go?  Not while bound or in flight. */
bool pt_pirq_cleanup_check(struct hvm_pirq_dpci *dpci)
{
    if ( dpci->flags || pt_pirq_softirq_active(dpci) )
        return false;

    write_atomic(&dpci->dom, NULL);

    return true;
}

/*
 * Call cb for each mapped pirq of d, under the event lock, until it
 * returns non-zero.  Walks only the pirqs the domain has (d->pirq_tree),
 * a batch at a time: a guest's every EOI of an MSI vector comes here.
 */
int pt_pirq_iterate(struct domain *d,
                    int (*cb)(struct domain *,
                              struct hvm_pirq_dpci *, void *),
                    void *arg)
{
    struct pirq *batch[8];
    unsigned long next = 0;
    unsigned int n, i;
    int rc = 0;

    ASSERT(rw_is_locked(&d->event_lock));

    do {
        n = radix_tree_gang_lookup(&d->pirq_tree, (void **)batch, next,
                                   ARRAY_SIZE(batch));
        for ( i = 0; !rc && i < n; i++ )
        {
            struct hvm_pirq_dpci *pirq_dpci = dpci_of(batch[i]);

            next = batch[i]->pirq + 1UL;
            if ( pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED )
                rc = cb(d, pirq_dpci, arg);
        }
    } while ( !rc && n == ARRAY_SIZE(batch) && next < d->nr_pirqs );

    return rc;
}

/* The event lock is held for writing. */
static struct hvm_irq_dpci *get_or_alloc_irq_dpci(struct domain *d)
{
    struct hvm_irq_dpci *dpci = domain_get_irq_dpci(d);
    unsigned int i;

    if ( dpci )
        return dpci;

    dpci = xzalloc(struct hvm_irq_dpci);
    if ( !dpci )
        return NULL;

    for ( i = 0; i < NR_HVM_DOMU_IRQS; i++ )
        INIT_LIST_HEAD(&dpci->girq[i]);
    hvm_domain_irq(d)->dpci = dpci;

    return dpci;
}

/*
 * The first binding of a pirq: make it complete, then let interrupts in.
 * Event lock held for writing; nothing in flight for the item.
 */
static int dpci_first_bind(struct domain *d, struct pirq *pirq,
                           uint32_t flags, int share)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_of(pirq);
    int rc;

#ifdef CONFIG_DPCI_BASELINE
    if ( dpci_baseline() )
        dpci_tasklet_init(pirq_dpci);
#endif
    write_atomic(&pirq_dpci->masked, false);
    pirq_dpci->pending = 0;
    write_atomic(&pirq_dpci->dom, d);
    write_atomic(&pirq_dpci->flags, flags);

    rc = pirq_guest_bind(d->vcpu[0], pirq, share);
    if ( unlikely(rc) )
        write_atomic(&pirq_dpci->flags, 0);

    return rc;
}

/*
 * Lowest-priority delivery with posted interrupts: the IOMMU cannot pick
 * a vCPU per interrupt, so one is chosen per vector, as Intel CPUs do for
 * lowest priority ("vector hashing"): of the vCPUs the destination names,
 * in vcpu_id order, the (gvec modulo their number)-th.  Event lock held.
 */
static struct vcpu *dpci_msi_hash_dest(const struct domain *d, uint8_t dest,
                                       bool dest_mode, uint8_t gvec)
{
    struct vcpu *v;
    unsigned int nr = 0, nth;

    for_each_vcpu ( d, v )
        if ( vlapic_match_dest(vcpu_vlapic(v), NULL, 0 /* no shorthand */,
                               dest, dest_mode) )
            nr++;
    if ( !nr )
        return NULL;

    nth = gvec % nr;
    for_each_vcpu ( d, v )
        if ( vlapic_match_dest(vcpu_vlapic(v), NULL, 0, dest, dest_mode) &&
             !nth-- )
            return v;

    ASSERT_UNREACHABLE();
    return NULL;
}

/*
 * Where a bound guest MSI goes (event lock held): gmsi.dest_vcpu_id is
 * the one vCPU its destination names (-1 for none or several), used by
 * hvm_migrate_pirq() to steer the machine MSI after that vCPU.  With
 * posted interrupts (iommu_intpost), the vCPU it is posted to is that
 * one for fixed delivery, the vector-hashing choice for lowest priority;
 * gmsi.posted says whether there is one.  Returns it, or NULL.
 */
static struct vcpu *dpci_msi_target(struct domain *d,
                                    struct hvm_pirq_dpci *pirq_dpci)
{
    uint32_t gflags = pirq_dpci->gmsi.gflags;
    uint8_t dest = MASK_EXTR(gflags, XEN_DOMCTL_VMSI_X86_DEST_ID_MASK);
    bool dest_mode = gflags & XEN_DOMCTL_VMSI_X86_DM_MASK;
    unsigned int delivery = MASK_EXTR(gflags, XEN_DOMCTL_VMSI_X86_DELIV_MASK);
    int id = hvm_girq_dest_2_vcpu_id(d, dest, dest_mode);
    struct vcpu *v = id >= 0 ? d->vcpu[id] : NULL;

    pirq_dpci->gmsi.dest_vcpu_id = id;
    if ( iommu_intpost && delivery == dest_LowestPrio )
        v = dpci_msi_hash_dest(d, dest, dest_mode, pirq_dpci->gmsi.gvec);
    pirq_dpci->gmsi.posted = iommu_intpost && v;

    return v;
}

/*
 * A guest MSI on pirq: bind it, or retarget an existing binding.  On
 * success *target is the vCPU it is aimed at (dpci_msi_target()).
 */
static int dpci_bind_msi(struct domain *d, struct pirq *pirq,
                         const struct xen_domctl_bind_pt_irq *bind,
                         struct vcpu **target)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_of(pirq);
    uint32_t flags = pirq_dpci->flags;
    uint32_t gflags = bind->u.msi.gflags & ~XEN_DOMCTL_VMSI_X86_UNMASKED;
    int rc;

    if ( (flags & HVM_IRQ_DPCI_MAPPED) && !(flags & HVM_IRQ_DPCI_GUEST_MSI) )
        return -EBUSY;

    if ( flags & HVM_IRQ_DPCI_MAPPED )
    {
        /* The guest moved the MSI: no EOI owed under the old one stays. */
        if ( pirq_dpci->gmsi.gvec != bind->u.msi.gvec ||
             pirq_dpci->gmsi.gflags != gflags )
        {
            pirq_guest_eoi(pirq);
            pirq_dpci->gmsi.gvec = bind->u.msi.gvec;
            pirq_dpci->gmsi.gflags = gflags;
        }
        *target = dpci_msi_target(d, pirq_dpci);
        return 0;
    }

    pirq_dpci->gmsi.gvec = bind->u.msi.gvec;
    pirq_dpci->gmsi.gflags = gflags;
    rc = dpci_first_bind(d, pirq, HVM_IRQ_DPCI_MAPPED | HVM_IRQ_DPCI_MACH_MSI |
                                  HVM_IRQ_DPCI_GUEST_MSI, 0);
    if ( !rc && bind->u.msi.gtable )
    {
        /* The guest's MSI-X table: its reads and writes reach us. */
        rc = msixtbl_pt_register(d, pirq, bind->u.msi.gtable);
        if ( unlikely(rc) )
        {
            /* An interrupt queued meanwhile finds it unbound and drops. */
            pirq_guest_unbind(d, pirq);
            write_atomic(&pirq_dpci->flags, 0);
        }
    }
    if ( unlikely(rc) )
    {
        pirq_dpci->gmsi.gvec = 0;
        pirq_dpci->gmsi.gflags = 0;
        return rc;
    }

    *target = dpci_msi_target(d, pirq_dpci);

    return 0;
}

/*
 * After dpci_bind_msi(), event lock dropped (the IRTE update and the
 * affinity change take the irq_desc lock and, in Xen, the IOMMU's): steer
 * the machine MSI after its vCPU unless it is posted, point the IRTE at
 * the vCPU's PI descriptor or back to remapping, and let the MSI through
 * if the guest left it unmasked.
 */
static int dpci_msi_apply(struct domain *d, struct pirq *pirq,
                          const struct xen_domctl_bind_pt_irq *bind,
                          struct vcpu *target)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_of(pirq);

    if ( target && is_iommu_enabled(d) )
        hvm_migrate_pirq(pirq_dpci, target);

    if ( iommu_intpost )
        pi_update_irte(target ? &target->arch.hvm.vmx.pi_desc : NULL, pirq,
                       bind->u.msi.gvec);

    if ( bind->u.msi.gflags & XEN_DOMCTL_VMSI_X86_UNMASKED )
    {
        unsigned long flags;
        irq_desc_t *desc = pirq_spin_lock_irq_desc(pirq, &flags);

        if ( !desc )
        {
            pt_irq_destroy_bind(d, bind);
            return -EINVAL;
        }
        guest_mask_msi_irq(desc, false);
        spin_unlock_irqrestore(&desc->lock, flags);
    }

    return 0;
}

/*
 * A guest PCI device's INTx pin on the machine GSI pirq: link them both
 * ways (the pirq's digl_list, the guest GSI's girq[] list).  Several
 * guest pins may share one machine GSI; it is bound on the first.  With
 * PT_IRQ_TYPE_MSI_TRANSLATE the machine interrupt is an MSI shown to the
 * guest as this pin (HVM_IRQ_DPCI_TRANSLATE): not shared, and its EOI is
 * given as soon as the pin is raised (hvm_dirq_assist()).
 */
static int dpci_bind_intx(struct domain *d, struct hvm_irq_dpci *hvm_irq_dpci,
                          struct pirq *pirq,
                          const struct xen_domctl_bind_pt_irq *bind)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_of(pirq);
    unsigned int device = bind->u.pci.device, intx = bind->u.pci.intx;
    bool translate = bind->irq_type == PT_IRQ_TYPE_MSI_TRANSLATE;
    uint32_t kind = translate ? HVM_IRQ_DPCI_MACH_MSI | HVM_IRQ_DPCI_GUEST_PCI |
                                HVM_IRQ_DPCI_TRANSLATE
                              : HVM_IRQ_DPCI_MACH_PCI | HVM_IRQ_DPCI_GUEST_PCI;
    uint32_t mask = HVM_IRQ_DPCI_MACH_PCI | HVM_IRQ_DPCI_MACH_MSI |
                    HVM_IRQ_DPCI_GUEST_PCI | HVM_IRQ_DPCI_GUEST_MSI |
                    HVM_IRQ_DPCI_TRANSLATE;
    struct dev_intx_gsi_link *digl;
    struct hvm_girq_dpci_mapping *girq;
    unsigned int gsi, link;
    int rc = 0;

    if ( device > 31 || intx > 3 )
        return -EINVAL;
    /* More pins on it, but no other kind of binding. */
    if ( (pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED) &&
         (pirq_dpci->flags & mask) != kind )
        return -EBUSY;

    list_for_each_entry ( digl, &pirq_dpci->digl_list, list )
        if ( digl->bus == bind->u.pci.bus && digl->device == device &&
             digl->intx == intx )
            return -EEXIST;

    gsi = hvm_pci_intx_gsi(device, intx);
    link = hvm_pci_intx_link(device, intx);

    digl = xmalloc(struct dev_intx_gsi_link);
    girq = xmalloc(struct hvm_girq_dpci_mapping);
    if ( !digl || !girq )
    {
        xfree(digl);
        xfree(girq);
        return -ENOMEM;
    }

    digl->bus = girq->bus = bind->u.pci.bus;
    digl->device = girq->device = device;
    digl->intx = girq->intx = intx;
    girq->machine_gsi = pirq->pirq;
    list_add_tail(&digl->list, &pirq_dpci->digl_list);
    list_add_tail(&girq->list, &hvm_irq_dpci->girq[gsi]);
    hvm_irq_dpci->link_cnt[link]++;

    if ( !(pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED) )
    {
        rc = dpci_first_bind(d, pirq, HVM_IRQ_DPCI_MAPPED | kind,
                             translate ? 0 : BIND_PIRQ__WILL_SHARE);
        if ( unlikely(rc) )
        {
            list_del(&digl->list);
            list_del(&girq->list);
            hvm_irq_dpci->link_cnt[link]--;
            xfree(digl);
            xfree(girq);
        }
    }

    return rc;
}

/*
 * The hardware domain (a PVH dom0) gets machine GSIs on the same GSI of
 * its vIO-APIC (HVM_IRQ_DPCI_IDENTITY_GSI) and has no hvm_irq_dpci: it
 * routes nothing.  Bound when dom0 unmasks the pin; shared if the pin is
 * level triggered; an edge GSI owes no EOI (HVM_IRQ_DPCI_NO_EOI).  A
 * second bind of a bound GSI changes nothing.
 */
static int dpci_bind_identity_gsi(struct domain *d, struct pirq *pirq)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_of(pirq);
    uint32_t flags = HVM_IRQ_DPCI_MAPPED | HVM_IRQ_DPCI_MACH_PCI |
                     HVM_IRQ_DPCI_GUEST_PCI | HVM_IRQ_DPCI_IDENTITY_GSI;
    unsigned int gsi = pirq->pirq;
    int masked, trig;

    if ( gsi >= hvm_domain_irq(d)->nr_gsis )
        return -EINVAL;
    if ( pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED )
        return pirq_dpci->flags & HVM_IRQ_DPCI_IDENTITY_GSI ? 0 : -EBUSY;

    masked = vioapic_get_mask(d, gsi);
    trig = vioapic_get_trigger_mode(d, gsi);
    if ( masked < 0 || trig < 0 )
    {
        ASSERT_UNREACHABLE();
        return -EINVAL;
    }
    ASSERT(!masked);

    if ( trig == VIOAPIC_EDGE_TRIG )
        flags |= HVM_IRQ_DPCI_NO_EOI;

    return dpci_first_bind(d, pirq, flags,
                           trig == VIOAPIC_LEVEL_TRIG ? BIND_PIRQ__WILL_SHARE
                                                      : 0);
}

/* Forget the guest pin (bus, device, intx) of machine GSI pirq. */
static int dpci_unbind_intx(struct domain *d, struct hvm_irq_dpci *hvm_irq_dpci,
                            struct pirq *pirq, uint8_t bus, uint8_t device,
                            uint8_t intx)
{
    struct hvm_pirq_dpci *pirq_dpci = dpci_of(pirq);
    struct dev_intx_gsi_link *digl, *found = NULL;
    struct hvm_girq_dpci_mapping *girq;
    unsigned int gsi = hvm_pci_intx_gsi(device, intx);

    list_for_each_entry ( digl, &pirq_dpci->digl_list, list )
        if ( digl->bus == bus && digl->device == device && digl->intx == intx )
        {
            found = digl;
            break;
        }
    if ( !found )
        return -EINVAL;

    list_for_each_entry ( girq, &hvm_irq_dpci->girq[gsi], list )
        if ( girq->machine_gsi == pirq->pirq && girq->bus == bus &&
             girq->device == device && girq->intx == intx )
        {
            list_del(&girq->list);
            xfree(girq);
            break;
        }

    list_del(&found->list);
    xfree(found);
    hvm_irq_dpci->link_cnt[hvm_pci_intx_link(device, intx)]--;
    /* Do not leave the guest's wire asserted by a device that is gone. */
    hvm_pci_intx_deassert(d, device, intx);

    return 0;
}

/*
 * With iommu=verbose, one line per change of an INTx binding (a guest pin
 * or an identity-mapped GSI), as upstream logs them.  what: "bind",
 * "unbind" (the machine GSI let go) or "unbind pin" (other pins remain).
 */
static void dpci_log_intx(const struct domain *d,
                          const struct xen_domctl_bind_pt_irq *bind,
                          const char *what)
{
    unsigned int device = bind->u.pci.device, intx = bind->u.pci.intx;

    if ( !iommu_verbose )
        return;

    if ( is_hardware_domain(d) )
        printk(XENLOG_G_INFO "d%d: dpci %s: m_gsi=%u g_gsi=%u identity\n",
               d->domain_id, what, bind->machine_irq, bind->machine_irq);
    else
        printk(XENLOG_G_INFO
               "d%d: dpci %s: m_%s=%u g_gsi=%u dev=%02x:%02x intx=%c\n",
               d->domain_id, what,
               bind->irq_type == PT_IRQ_TYPE_MSI_TRANSLATE ? "msi" : "gsi",
               bind->machine_irq, hvm_pci_intx_gsi(device, intx),
               bind->u.pci.bus, device, 'A' + intx);
}

int pt_irq_create_bind(
    struct domain *d, const struct xen_domctl_bind_pt_irq *pt_irq_bind)
{
    int nr = pt_irq_bind->machine_irq;
    s_time_t start = NOW();
    struct hvm_irq_dpci *hvm_irq_dpci;
    struct hvm_pirq_dpci *pirq_dpci;
    struct pirq *pirq;
    struct vcpu *target = NULL;
    int rc;

    switch ( pt_irq_bind->irq_type )
    {
    case PT_IRQ_TYPE_MSI:
    case PT_IRQ_TYPE_PCI:
        break;
    case PT_IRQ_TYPE_MSI_TRANSLATE:
        /* The hardware domain only maps GSIs onto themselves. */
        if ( is_hardware_domain(d) )
            return -EINVAL;
        break;
    default:
        /* PT_IRQ_TYPE_ISA: Xen 4.17 has no such binding either. */
        return -EOPNOTSUPP;
    }
    if ( nr < 0 || (unsigned int)nr >= d->nr_pirqs )
        return -EINVAL;

 restart:
    write_lock(&d->event_lock);

    /* The hardware domain has none (dpci_bind_identity_gsi()). */
    hvm_irq_dpci = NULL;
    if ( !is_hardware_domain(d) )
    {
        hvm_irq_dpci = get_or_alloc_irq_dpci(d);
        if ( !hvm_irq_dpci )
        {
            write_unlock(&d->event_lock);
            return -ENOMEM;
        }
    }

    pirq = pirq_get_info(d, nr);
    if ( !pirq )
    {
        write_unlock(&d->event_lock);
        return -ENOMEM;
    }
    pirq_dpci = dpci_of(pirq);

    /*
     * An injection of an earlier binding may still be queued or running on
     * some pCPU: let it finish before the item is reused, but never wait
     * for ever.
     */
    if ( !(pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED) && !dpci_baseline() &&
         pt_pirq_softirq_active(pirq_dpci) )
    {
        write_unlock(&d->event_lock);
        if ( NOW() - start > MILLISECS(dpci_teardown_timeout_ms) )
        {
            dpci_count_eagain(d, pirq);
            return -EAGAIN;
        }
        process_pending_softirqs();
        cpu_relax();
        goto restart;
    }

    if ( pt_irq_bind->irq_type == PT_IRQ_TYPE_MSI )
        rc = dpci_bind_msi(d, pirq, pt_irq_bind, &target);
    else if ( !hvm_irq_dpci )
        rc = dpci_bind_identity_gsi(d, pirq);
    else
        rc = dpci_bind_intx(d, hvm_irq_dpci, pirq, pt_irq_bind);

    if ( rc && !pirq_dpci->flags )
        pirq_cleanup_check(pirq, d);

    write_unlock(&d->event_lock);

    if ( !rc && pt_irq_bind->irq_type == PT_IRQ_TYPE_MSI )
        rc = dpci_msi_apply(d, pirq, pt_irq_bind, target);
    else if ( !rc )
        dpci_log_intx(d, pt_irq_bind, "bind");

    return rc;
}

int pt_irq_destroy_bind(
    struct domain *d, const struct xen_domctl_bind_pt_irq *pt_irq_bind)
{
    int nr = pt_irq_bind->machine_irq;
    struct hvm_irq_dpci *hvm_irq_dpci;
    struct hvm_pirq_dpci *pirq_dpci;
    struct pirq *pirq;
    bool busy = false;

    if ( pt_irq_bind->irq_type != PT_IRQ_TYPE_MSI &&
         pt_irq_bind->irq_type != PT_IRQ_TYPE_PCI &&
         pt_irq_bind->irq_type != PT_IRQ_TYPE_MSI_TRANSLATE )
        return -EOPNOTSUPP;
    if ( nr < 0 || (unsigned int)nr >= d->nr_pirqs )
        return -EINVAL;

    if ( pt_irq_bind->irq_type == PT_IRQ_TYPE_MSI )
    {
        unsigned long flags;
        irq_desc_t *desc = domain_spin_lock_irq_desc(d, nr, &flags);

        if ( !desc )
            return -EINVAL;
        /* Leave it masked: every bind then starts from the same state. */
        guest_mask_msi_irq(desc, true);
        spin_unlock_irqrestore(&desc->lock, flags);
    }

    write_lock(&d->event_lock);

    hvm_irq_dpci = domain_get_irq_dpci(d);
    if ( !hvm_irq_dpci && !is_hardware_domain(d) )
    {
        write_unlock(&d->event_lock);
        return -EINVAL;
    }

    pirq = pirq_info(d, nr);
    if ( !pirq )
    {
        /* Never bound, or unbound and cleaned up already. */
        write_unlock(&d->event_lock);
        return pt_irq_bind->irq_type != PT_IRQ_TYPE_MSI ? -EINVAL : 0;
    }
    pirq_dpci = dpci_of(pirq);

    if ( pt_irq_bind->irq_type != PT_IRQ_TYPE_MSI && !hvm_irq_dpci )
    {
        /* The hardware domain's GSI: its wire goes down with it. */
        if ( !(pirq_dpci->flags & HVM_IRQ_DPCI_IDENTITY_GSI) )
        {
            write_unlock(&d->event_lock);
            return -EINVAL;
        }
        hvm_gsi_deassert(d, nr);
    }
    else if ( pt_irq_bind->irq_type != PT_IRQ_TYPE_MSI )
    {
        int rc = -EINVAL;

        if ( pirq_dpci->flags & HVM_IRQ_DPCI_GUEST_PCI )
            rc = dpci_unbind_intx(d, hvm_irq_dpci, pirq, pt_irq_bind->u.pci.bus,
                                  pt_irq_bind->u.pci.device,
                                  pt_irq_bind->u.pci.intx);
        /* Other guest pins still share the machine GSI: keep it bound. */
        if ( rc || !list_empty(&pirq_dpci->digl_list) )
        {
            write_unlock(&d->event_lock);
            if ( !rc )
                dpci_log_intx(d, pt_irq_bind, "unbind pin");
            return rc;
        }
    }
    else if ( (pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED) &&
              !(pirq_dpci->flags & HVM_IRQ_DPCI_GUEST_MSI) )
    {
        write_unlock(&d->event_lock);
        return -EINVAL;
    }
    else if ( pirq_dpci->gmsi.posted )
    {
        /* Back to remapped delivery before the machine MSI is let go. */
        pi_update_irte(NULL, pirq, 0);
        pirq_dpci->gmsi.posted = false;
    }

    if ( pirq_dpci->flags & HVM_IRQ_DPCI_MAPPED )
    {
        /* No interrupt reaches hvm_do_IRQ_dpci() for it after this. */
        pirq_guest_unbind(d, pirq);
        if ( pirq_dpci->flags & HVM_IRQ_DPCI_GUEST_MSI )
            msixtbl_pt_unregister(d, pirq);
        write_atomic(&pirq_dpci->flags, 0);
        pirq_dpci->gmsi.gvec = 0;
        pirq_dpci->gmsi.gflags = 0;
        pirq_dpci->pending = 0;
    }

    if ( !dpci_baseline() )
    {
        busy = pt_pirq_softirq_active(pirq_dpci);
        if ( !busy )
            pirq_cleanup_check(pirq, d);
    }

    write_unlock(&d->event_lock);

    if ( pt_irq_bind->irq_type != PT_IRQ_TYPE_MSI )
        dpci_log_intx(d, pt_irq_bind, "unbind");

#ifdef CONFIG_DPCI_BASELINE
    if ( dpci_baseline() )
    {
        /* Pre-fix: drop a queued run, spin while one is running. */
        dpci_tasklet_kill(pirq_dpci);
        return 0;
    }
#endif

    if ( busy )
    {
        dpci_count_eagain(d, pirq);
        return -EAGAIN;
    }

    return 0;
}

/*
 * Domain destruction (pci_release_devices()): unbind every pirq, then
 * free the per-domain dpci state once nothing is in flight; -ERESTART
 * until then.  Items unbound earlier are checked too: one may still be
 * queued from its last interrupt.
 */
int arch_pci_clean_pirqs(struct domain *d)
{
    struct hvm_irq_dpci *hvm_irq_dpci;
    const struct pirq *busy = NULL;
    unsigned int nr;

    if ( !is_iommu_enabled(d) || !is_hvm_domain(d) )
        return 0;

    write_lock(&d->event_lock);

    hvm_irq_dpci = domain_get_irq_dpci(d);
    if ( !hvm_irq_dpci )
    {
        write_unlock(&d->event_lock);
        return 0;
    }

    for ( nr = 0; nr < d->nr_pirqs; nr++ )
    {
        struct pirq *pirq = pirq_info(d, nr);
        struct hvm_pirq_dpci *pirq_dpci;

        if ( !pirq )
            continue;
        pirq_dpci = dpci_of(pirq);

        if ( pirq_dpci->flags )
        {
            struct dev_intx_gsi_link *digl, *tmp;

            pirq_guest_unbind(d, pirq);
            write_atomic(&pirq_dpci->flags, 0);
            list_for_each_entry_safe ( digl, tmp, &pirq_dpci->digl_list, list )
            {
                list_del(&digl->list);
                xfree(digl);
            }
            pirq_dpci->pending = 0;
        }
        if ( !busy && !dpci_baseline() && pt_pirq_softirq_active(pirq_dpci) )
            busy = pirq;
    }

    if ( busy )
    {
        write_unlock(&d->event_lock);
        dpci_count_eagain(d, busy);
        return -ERESTART;
    }

#ifdef CONFIG_DPCI_BASELINE
    if ( dpci_baseline() )
    {
        /* The tasklets take the event lock: kill them without it. */
        write_unlock(&d->event_lock);
        for ( nr = 0; nr < d->nr_pirqs; nr++ )
        {
            struct pirq *pirq = pirq_info(d, nr);

            if ( pirq )
                dpci_tasklet_kill(dpci_of(pirq));
        }
        write_lock(&d->event_lock);
    }
#endif

    hvm_domain_irq(d)->dpci = NULL;
    free_hvm_irq_dpci(hvm_irq_dpci);

    write_unlock(&d->event_lock);

    return 0;
}

/* do_IRQ() -> __do_IRQ_guest(), with the pirq's irq_desc lock held. */
int hvm_do_IRQ_dpci(struct domain *d, struct pirq *pirq)
{
    struct hvm_pirq_dpci *pirq_dpci;

    ASSERT(is_hvm_domain(d));

    if ( !is_iommu_enabled(d) || !pirq ||
         (!domain_get_irq_dpci(d) && !is_hardware_domain(d)) )
        return 0;

    pirq_dpci = dpci_of(pirq);
    if ( !(read_atomic(&pirq_dpci->flags) & HVM_IRQ_DPCI_MAPPED) )
        return 0;

#ifdef CONFIG_DPCI_BASELINE
    if ( dpci_baseline() )
    {
        dpci_tasklet_schedule(pirq_dpci);
        return 1;
    }
#endif

    dpci_softirq_schedule(pirq_dpci);

    return 1;
}

void hvm_dirq_assist(struct domain *d, struct hvm_pirq_dpci *pirq_dpci)
{
    uint32_t flags;

    write_lock(&d->event_lock);

    write_atomic(&pirq_dpci->ext.runs, pirq_dpci->ext.runs + 1);

    /* Baseline: the interrupt's ->masked gate, consumed by this run. */
    if ( dpci_baseline() && !xchg(&pirq_dpci->masked, false) )
        goto out;

    flags = read_atomic(&pirq_dpci->flags);

    /* Unbound since it was scheduled: nothing to inject. */
    if ( !(flags & HVM_IRQ_DPCI_MAPPED) )
        goto out;

    /* A PVHVM guest that took the pirq as an event channel gets that. */
    if ( hvm_domain_use_pirq(d, dpci_pirq(pirq_dpci)) )
    {
        send_guest_pirq(d, dpci_pirq(pirq_dpci));
        if ( flags & HVM_IRQ_DPCI_GUEST_MSI )
            goto out;
    }

    if ( flags & HVM_IRQ_DPCI_GUEST_MSI )
        vmsi_deliver_pirq(d, pirq_dpci);
    else if ( flags & HVM_IRQ_DPCI_IDENTITY_GSI )
    {
        /* The hardware domain's GSI; an edge one owes no EOI. */
        hvm_gsi_assert(d, dpci_pirq(pirq_dpci)->pirq);
        if ( !(flags & HVM_IRQ_DPCI_NO_EOI) )
            pirq_dpci->pending++;
    }
    else if ( flags & HVM_IRQ_DPCI_GUEST_PCI )
    {
        const struct dev_intx_gsi_link *digl;

        /* Each pin is one more guest EOI to wait for (hvm_dpci_eoi()). */
        list_for_each_entry ( digl, &pirq_dpci->digl_list, list )
        {
            hvm_pci_intx_assert(d, digl->device, digl->intx);
            pirq_dpci->pending++;
        }

        /* An MSI shown as INTx: the machine MSI needs no guest EOI. */
        if ( flags & HVM_IRQ_DPCI_TRANSLATE )
            pirq_guest_eoi(dpci_pirq(pirq_dpci));
    }

 out:
    write_unlock(&d->event_lock);
}

/*
 * One mapped pirq, for hvm_dpci_msi_eoi(): if its guest vector is the one
 * EOIed and the guest's MSI targets the vCPU that EOIed it, pass the EOI
 * on to the machine interrupt.  Stops the walk at the first match.
 */
static int cf_check dpci_msi_eoi(
    struct domain *d, struct hvm_pirq_dpci *pirq_dpci, void *arg)
{
    uint32_t gflags = pirq_dpci->gmsi.gflags;
    struct pirq *pirq;
    irq_desc_t *desc;

    if ( !(pirq_dpci->flags & HVM_IRQ_DPCI_MACH_MSI) ||
         pirq_dpci->gmsi.gvec != (unsigned long)arg )
        return 0;

    /* The destination ID field is gflags' lowest byte. */
    if ( !vlapic_match_dest(vcpu_vlapic(current), NULL, 0,
                            gflags & XEN_DOMCTL_VMSI_X86_DEST_ID_MASK,
                            gflags & XEN_DOMCTL_VMSI_X86_DM_MASK) )
        return 0;

    pirq = dpci_pirq(pirq_dpci);
    BUG_ON(!local_irq_is_enabled());
    desc = pirq_spin_lock_irq_desc(pirq, NULL);
    if ( desc )
        desc_guest_eoi(desc, pirq);     /* unlocks desc */

    return 1;
}

/* vlapic_handle_EOI(): the guest on current EOIed vector. */
void hvm_dpci_msi_eoi(struct domain *d, int vector)
{
    if ( !is_iommu_enabled(d) )
        return;

    read_lock(&d->event_lock);
    if ( domain_get_irq_dpci(d) || is_hardware_domain(d) )
        pt_pirq_iterate(d, dpci_msi_eoi, (void *)(unsigned long)vector);
    read_unlock(&d->event_lock);
}

/*
 * The hardware domain EOIed its GSI gsi: lower it, and once every
 * assertion of a level GSI has been EOIed, pass the EOI on to the machine
 * GSI.  Event lock held for writing.
 */
static void dpci_identity_gsi_eoi(struct domain *d, unsigned int gsi)
{
    struct pirq *pirq = pirq_info(d, gsi);
    struct hvm_pirq_dpci *pirq_dpci;

    if ( !pirq )
        return;
    pirq_dpci = dpci_of(pirq);
    if ( !(pirq_dpci->flags & HVM_IRQ_DPCI_IDENTITY_GSI) )
        return;

    hvm_gsi_deassert(d, gsi);
    if ( !pirq_dpci->pending || --pirq_dpci->pending )
        return;

    BUG_ON(!local_irq_is_enabled());
    pirq_guest_eoi(pirq);
}

/*
 * The guest EOIed guest_gsi (vIO-APIC or vPIC): lower the wires of the
 * passthrough pins routed to it, and once every pin a machine GSI raised
 * has been EOIed, pass the EOI on to that GSI (not to a translated MSI,
 * which had its EOI when the pin was raised).  An ISA IRQ is the PCI
 * links routed to it: hvm_dpci_isairq_eoi() (vtd/x86/hvm.c) walks those.
 */
void hvm_dpci_eoi(struct domain *d, unsigned int guest_gsi)
{
    const struct hvm_girq_dpci_mapping *girq;
    struct hvm_irq_dpci *hvm_irq_dpci;

    if ( !is_iommu_enabled(d) )
        return;

    if ( is_hardware_domain(d) )
    {
        write_lock(&d->event_lock);
        dpci_identity_gsi_eoi(d, guest_gsi);
        write_unlock(&d->event_lock);
        return;
    }

    if ( guest_gsi < NR_ISAIRQS )
    {
        hvm_dpci_isairq_eoi(d, guest_gsi);
        return;
    }

    if ( guest_gsi >= NR_HVM_DOMU_IRQS )
        return;

    write_lock(&d->event_lock);

    hvm_irq_dpci = domain_get_irq_dpci(d);
    if ( !hvm_irq_dpci )
        goto unlock;

    list_for_each_entry ( girq, &hvm_irq_dpci->girq[guest_gsi], list )
    {
        struct pirq *pirq = pirq_info(d, girq->machine_gsi);
        struct hvm_pirq_dpci *pirq_dpci;

        if ( !pirq )
            continue;
        pirq_dpci = dpci_of(pirq);
        if ( !(pirq_dpci->flags & HVM_IRQ_DPCI_GUEST_PCI) )
            continue;

        hvm_pci_intx_deassert(d, girq->device, girq->intx);
        if ( !pirq_dpci->pending || --pirq_dpci->pending ||
             (pirq_dpci->flags & HVM_IRQ_DPCI_TRANSLATE) )
            continue;

        BUG_ON(!local_irq_is_enabled());
        pirq_guest_eoi(pirq);
    }

 unlock:
    write_unlock(&d->event_lock);
}

/* Domain records of /telemetry/dpci (called through a pointer: cf_check). */
static void cf_check dpci_fill_domain(const struct domain *d, void *record)
{
    struct telemetry_dpci_domain *r = record;

    r->items_scheduled = read_atomic(&d->dpci.items_scheduled);
    r->items_run = read_atomic(&d->dpci.items_run);
}

static int __init cf_check dpci_telemetry_init(void)
{
    return telemetry_register_node(TELEMETRY_NODE_DPCI, dpci_fill_domain,
                                   NULL);
}
__initcall(dpci_telemetry_init);
