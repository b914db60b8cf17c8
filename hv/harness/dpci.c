/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dpci.c: the rest of Xen around the dpci fix (see hvh/dpci.h): pirq
 * lookups, one irq_desc per pirq, vmsi_deliver_pirq(), the bind/unbind
 * domctls, and the machine MSI's side of a binding (mask bit, posted
 * IRTE, affinity, MSI-X table registration), recorded for the tests.
 */
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/iommu.h>
#include <xen/irq.h>
#include <xen/lib.h>
#include <xen/pci.h>
#include <xen/rwlock.h>
#include <xen/sched.h>
#include <xen/xmalloc.h>
#include <asm/hvm/hvm.h>
#include <asm/hvm/irq.h>
#include <asm/hvm/vioapic.h>
#include <asm/hvm/vlapic.h>
#include <asm/iommu.h>
#include <asm/msi.h>
#include <public/domctl.h>
#include <hvh/dpci.h>
#include <hvh/msix.h>

/* struct msixtbl_entry, to report the registration (read only). */
#include "../xen/arch/x86/hvm/msixtbl_private.h"

static struct hvh_pirq *slot(struct domain *d, int pirq)
{
    struct hvh_pirq_table *t = d->pirq_tree.hvh;

    if ( !t || pirq < 0 || (unsigned int)pirq >= t->nr )
        return NULL;

    return &t->pirqs[pirq];
}

static struct hvh_pirq *slot_of(struct pirq *pirq)
{
    return container_of(pirq, struct hvh_pirq, pirq);
}

int hvh_dpci_domain_init(struct domain *d, unsigned int nr_pirqs,
                         hvh_dpci_deliver_t deliver)
{
    struct hvh_pirq_table *t;
    unsigned int i;

    t = xzalloc_flex_struct(struct hvh_pirq_table, pirqs, nr_pirqs);
    if ( !t )
        return -ENOMEM;
    /* Xen allocates d->arch.hvm.irq when it creates an HVM domain. */
    hvm_domain_irq(d) = xzalloc(struct hvm_irq);
    if ( !hvm_domain_irq(d) )
    {
        xfree(t);
        return -ENOMEM;
    }

    t->deliver = deliver;
    t->nr = nr_pirqs;
    INIT_LIST_HEAD(&t->pdev.msi_list);
    t->pdev.msix = &t->msix;
    t->msix.nr_entries = nr_pirqs;
    for ( i = 0; i < nr_pirqs; i++ )
    {
        struct hvh_pirq *s = &t->pirqs[i];

        s->pirq.pirq = i;
        spin_lock_init(&s->desc.lock);
        s->desc.msi.affinity = -1;
        s->msi_desc.msi_attrib.type = PCI_CAP_ID_MSIX;
        s->msi_desc.msi_attrib.entry_nr = i;
        s->msi_desc.dev = &t->pdev;
        s->msi_desc.irq = hvh_irq_register(&s->desc);
        list_add_tail(&s->msi_desc.list, &t->pdev.msi_list);
        s->desc.msi_desc = &s->msi_desc;
    }
    for ( i = 0; i < ARRAY_SIZE(t->gsis); i++ )
        t->gsis[i].masked = true;       /* a vIO-APIC's reset state */
    hvm_domain_irq(d)->nr_gsis = ARRAY_SIZE(t->gsis);

    rwlock_init(&d->event_lock);
    d->nr_pirqs = nr_pirqs;
    d->hvh_iommu_enabled = true;
    d->pirq_tree.hvh = t;
    memset(&d->dpci, 0, sizeof(d->dpci));

    return 0;
}

void hvh_dpci_domain_free(struct domain *d)
{
    struct hvh_pirq_table *t = d->pirq_tree.hvh;
    unsigned int i;

    if ( !t )
        return;

    ASSERT(!domain_get_irq_dpci(d));
    for ( i = 0; i < t->nr; i++ )
        ASSERT(!t->pirqs[i].bound &&
               !pt_pirq_softirq_active(pirq_dpci(&t->pirqs[i].pirq)));

    d->pirq_tree.hvh = NULL;
    d->nr_pirqs = 0;
    for ( i = 0; i < t->nr; i++ )
        hvh_irq_unregister(t->pirqs[i].msi_desc.irq);
    xfree(t);
    xfree(hvm_domain_irq(d));
    hvm_domain_irq(d) = NULL;
}

unsigned int radix_tree_gang_lookup(struct radix_tree_root *root,
                                    void **results, unsigned long first_index,
                                    unsigned int max_items)
{
    struct hvh_pirq_table *t = root->hvh;
    unsigned long i;
    unsigned int n = 0;

    for ( i = first_index; t && i < t->nr && n < max_items; i++ )
        if ( t->pirqs[i].present )
            results[n++] = &t->pirqs[i].pirq;

    return n;
}

struct pirq *hvh_pirq_info(struct domain *d, int pirq)
{
    struct hvh_pirq *s = slot(d, pirq);

    if ( d->pirq_tree.hvh )
        __atomic_fetch_add(&d->pirq_tree.hvh->lookups, 1, __ATOMIC_RELAXED);

    return s && s->present ? &s->pirq : NULL;
}

/* Xen allocates here; the harness's entries exist already. */
struct pirq *pirq_get_info(struct domain *d, int pirq)
{
    struct hvh_pirq *s = slot(d, pirq);

    if ( !s )
        return NULL;

    if ( !s->present )
    {
        /* As Xen's alloc for an HVM domain: no emulated IRQ yet. */
        s->pirq.arch.hvm.emuirq = IRQ_UNBOUND;
        pt_pirq_init(d, pirq_dpci(&s->pirq));
        s->present = true;
    }

    return &s->pirq;
}

/* The function behind Xen's pirq_cleanup_check() macro (evtchn == 0). */
#undef pirq_cleanup_check
void pirq_cleanup_check(struct pirq *pirq, struct domain *d)
{
    ASSERT(rw_is_write_locked(&d->event_lock));

    if ( pt_pirq_cleanup_check(pirq_dpci(pirq)) )
        slot_of(pirq)->present = false;
}

int pirq_guest_bind(struct vcpu *v, struct pirq *pirq, int will_share)
{
    struct hvh_pirq *s = slot_of(pirq);
    unsigned long flags;
    int rc = 0;

    (void)v;
    (void)will_share;

    spin_lock_irqsave(&s->desc.lock, flags);
    if ( s->bound )
        rc = -EBUSY;
    else
        s->bound = true;
    spin_unlock_irqrestore(&s->desc.lock, flags);

    return rc;
}

void pirq_guest_unbind(struct domain *d, struct pirq *pirq)
{
    struct hvh_pirq *s = slot_of(pirq);
    unsigned long flags;

    (void)d;

    spin_lock_irqsave(&s->desc.lock, flags);
    s->bound = false;
    spin_unlock_irqrestore(&s->desc.lock, flags);
}

void vmsi_deliver_pirq(struct domain *d, const struct hvm_pirq_dpci *pirq_dpci)
{
    d->pirq_tree.hvh->deliver(d, pirq_dpci);
}

int hvh_dpci_bind(struct domain *d, unsigned int pirq, uint8_t gvec)
{
    struct xen_domctl_bind_pt_irq bind = {
        .machine_irq = pirq,
        .irq_type = PT_IRQ_TYPE_MSI,
        .u.msi.gvec = gvec,
        .u.msi.gflags = XEN_DOMCTL_VMSI_X86_UNMASKED,
    };

    return pt_irq_create_bind(d, &bind);
}

int hvh_dpci_unbind(struct domain *d, unsigned int pirq)
{
    struct xen_domctl_bind_pt_irq bind = {
        .machine_irq = pirq,
        .irq_type = PT_IRQ_TYPE_MSI,
    };

    return pt_irq_destroy_bind(d, &bind);
}

int hvh_dpci_irq(struct domain *d, unsigned int pirq)
{
    struct hvh_pirq *s = slot(d, pirq);
    unsigned long flags;
    int taken = 0;

    if ( !s )
        return 0;

    /* do_IRQ(): the descriptor lock around the guest's action. */
    spin_lock_irqsave(&s->desc.lock, flags);
    if ( s->bound )
        taken = hvm_do_IRQ_dpci(d, &s->pirq);
    spin_unlock_irqrestore(&s->desc.lock, flags);

    return taken;
}

struct hvm_pirq_dpci *hvh_dpci_item(struct domain *d, unsigned int pirq)
{
    struct hvh_pirq *s = slot(d, pirq);

    return s ? pirq_dpci(&s->pirq) : NULL;
}

unsigned int hvh_dpci_pirq_nr(const struct hvm_pirq_dpci *pirq_dpci)
{
    return container_of(pirq_dpci, const struct pirq, arch.hvm.dpci)->pirq;
}

struct tasklet *hvh_dpci_tasklet(struct hvm_pirq_dpci *pirq_dpci)
{
    return &slot_of(dpci_pirq(pirq_dpci))->tasklet;
}

irq_desc_t *pirq_spin_lock_irq_desc(const struct pirq *pirq,
                                    unsigned long *pflags)
{
    /* The descriptor is not part of the const pirq: drop the const. */
    struct hvh_pirq *s = container_of((struct pirq *)pirq, struct hvh_pirq,
                                      pirq);

    if ( pflags )
        spin_lock_irqsave(&s->desc.lock, *pflags);
    else
        spin_lock_irq(&s->desc.lock);

    return &s->desc;
}

void desc_guest_eoi(struct irq_desc *desc, struct pirq *pirq)
{
    (void)pirq;

    ASSERT(spin_is_locked(&desc->lock));
    write_atomic(&desc->guest_eois, desc->guest_eois + 1);
    spin_unlock_irq(&desc->lock);
}

uint64_t hvh_dpci_guest_eois(struct domain *d, unsigned int pirq)
{
    struct hvh_pirq *s = slot(d, pirq);

    return s ? read_atomic(&s->desc.guest_eois) : 0;
}

bool vlapic_match_dest(const struct vlapic *target,
                       const struct vlapic *source,
                       int short_hand, uint32_t dest, bool dest_mode)
{
    const struct vcpu *v = (const struct vcpu *)target;

    (void)source;
    (void)short_hand;

    if ( !v )
        return false;
    if ( dest == 0xff )
        return true;
    if ( dest_mode )
        return v->vcpu_id < 8 && (dest & (1u << v->vcpu_id));

    return dest == (uint32_t)v->vcpu_id;
}

/* Called with d->event_lock held for writing, as in Xen. */
void hvm_pci_intx_assert(struct domain *d, unsigned int device,
                         unsigned int intx)
{
    struct hvh_pirq_table *t = d->pirq_tree.hvh;

    ASSERT(rw_is_write_locked(&d->event_lock));
    ASSERT(device < 32 && intx < 4);
    write_atomic(&t->intx_wire[device][intx], true);
    write_atomic(&t->intx_asserts[device][intx],
                 t->intx_asserts[device][intx] + 1);
}

void hvm_pci_intx_deassert(struct domain *d, unsigned int device,
                           unsigned int intx)
{
    struct hvh_pirq_table *t = d->pirq_tree.hvh;

    ASSERT(rw_is_write_locked(&d->event_lock));
    ASSERT(device < 32 && intx < 4);
    write_atomic(&t->intx_wire[device][intx], false);
}

bool hvh_dpci_intx_wire(struct domain *d, unsigned int device,
                        unsigned int intx)
{
    return device < 32 && intx < 4 &&
           read_atomic(&d->pirq_tree.hvh->intx_wire[device][intx]);
}

uint64_t hvh_dpci_intx_asserts(struct domain *d, unsigned int device,
                               unsigned int intx)
{
    return device < 32 && intx < 4 ?
           read_atomic(&d->pirq_tree.hvh->intx_asserts[device][intx]) : 0;
}

bool hvm_domain_use_pirq(const struct domain *d, const struct pirq *pirq)
{
    return is_hvm_domain(d) && pirq && pirq->arch.hvm.emuirq != IRQ_UNBOUND;
}

/* Called with d->event_lock held, from hvm_dirq_assist(). */
void send_guest_pirq(struct domain *d, const struct pirq *pirq)
{
    struct hvh_pirq *s = container_of((struct pirq *)pirq, struct hvh_pirq,
                                      pirq);

    ASSERT(rw_is_locked(&d->event_lock));
    write_atomic(&s->evtchn_sends, s->evtchn_sends + 1);
}

void hvh_dpci_set_emuirq(struct domain *d, unsigned int pirq, int emuirq)
{
    struct hvh_pirq *s = slot(d, pirq);

    write_lock(&d->event_lock);
    if ( s && s->present )
        s->pirq.arch.hvm.emuirq = emuirq;
    write_unlock(&d->event_lock);
}

uint64_t hvh_dpci_evtchn_sends(struct domain *d, unsigned int pirq)
{
    struct hvh_pirq *s = slot(d, pirq);

    return s ? read_atomic(&s->evtchn_sends) : 0;
}

/* ---- the machine MSI's side of a guest MSI binding ---------------------- */

/* Xen's default: no posted interrupts unless the IOMMU offers them. */
bool iommu_intpost;
bool iommu_verbose;

irq_desc_t *domain_spin_lock_irq_desc(struct domain *d, int pirq,
                                      unsigned long *pflags)
{
    struct hvh_pirq *s = slot(d, pirq);

    if ( !s )
        return NULL;

    spin_lock_irqsave(&s->desc.lock, *pflags);

    return &s->desc;
}

void pirq_guest_eoi(struct pirq *pirq)
{
    irq_desc_t *desc = pirq_spin_lock_irq_desc(pirq, NULL);

    if ( desc )
        desc_guest_eoi(desc, pirq);     /* unlocks desc */
}

void guest_mask_msi_irq(struct irq_desc *desc, bool mask)
{
    ASSERT(spin_is_locked(&desc->lock));
    if ( desc->msi_desc )
        desc->msi_desc->msi_attrib.guest_masked = mask;
    desc->msi.guest_masked = mask;
    desc->msi.mask_updates++;
}

int pi_update_irte(const struct pi_desc *pi_desc, const struct pirq *pirq,
                   const uint8_t gvec)
{
    irq_desc_t *desc = pirq_spin_lock_irq_desc(pirq, NULL);

    if ( !desc )
        return -EINVAL;

    desc->msi.pi_desc = pi_desc;
    desc->msi.pi_gvec = gvec;
    desc->msi.pi_updates++;
    spin_unlock_irq(&desc->lock);

    return 0;
}

int hvm_girq_dest_2_vcpu_id(struct domain *d, uint8_t dest, uint8_t dest_mode)
{
    const struct vcpu *v;
    int found = -1;

    if ( d->max_vcpus == 1 )
        return 0;

    for_each_vcpu ( d, v )
    {
        if ( !vlapic_match_dest(vcpu_vlapic(v), NULL, 0, dest, dest_mode) )
            continue;
        if ( found >= 0 )
            return -1;              /* more than one: no single target */
        found = v->vcpu_id;
    }

    return found;
}

void hvm_migrate_pirq(struct hvm_pirq_dpci *pirq_dpci, const struct vcpu *v)
{
    irq_desc_t *desc;

    /* Xen's condition: a machine MSI aimed at v alone, and not posted. */
    if ( !(pirq_dpci->flags & HVM_IRQ_DPCI_MACH_MSI) ||
         pirq_dpci->gmsi.posted || pirq_dpci->gmsi.dest_vcpu_id != v->vcpu_id )
        return;

    desc = pirq_spin_lock_irq_desc(dpci_pirq(pirq_dpci), NULL);
    if ( !desc )
        return;
    desc->msi.affinity = v->processor;
    desc->msi.migrations++;
    spin_unlock_irq(&desc->lock);
}

void hvh_dpci_msi_view(struct domain *d, unsigned int pirq,
                       struct hvh_dpci_msi_view *view)
{
    struct hvh_pirq *s = slot(d, pirq);
    unsigned long flags;

    memset(view, 0, sizeof(*view));
    if ( !s )
        return;

    spin_lock_irqsave(&s->desc.lock, flags);
    *view = s->desc.msi;
    spin_unlock_irqrestore(&s->desc.lock, flags);

    /* The registration, as msixtbl.c keeps it (written under this lock). */
    read_lock(&d->event_lock);
    if ( d->arch.hvm.msixtbl_list.next )
    {
        const struct msixtbl_entry *entry;

        list_for_each_entry ( entry, &d->arch.hvm.msixtbl_list, list )
            if ( entry->pdev == s->msi_desc.dev )
            {
                view->msixtbl_registered = true;
                view->msixtbl_gtable = entry->gtable;
                view->msixtbl_refcnt = atomic_read(&entry->refcnt);
            }
    }
    read_unlock(&d->event_lock);
}

void hvh_dpci_set_msixtbl_rc(struct domain *d, int rc)
{
    struct hvh_pirq_table *t = d->pirq_tree.hvh;
    unsigned long flags;
    unsigned int i;

    ASSERT(!rc || rc == -EINVAL);
    write_lock(&d->event_lock);
    for ( i = 0; i < t->nr; i++ )
    {
        spin_lock_irqsave(&t->pirqs[i].desc.lock, flags);
        t->pirqs[i].desc.msi_desc = rc ? NULL : &t->pirqs[i].msi_desc;
        spin_unlock_irqrestore(&t->pirqs[i].desc.lock, flags);
    }
    write_unlock(&d->event_lock);
}

/* ---- vIO-APIC pins, PCI link routes, ISA IRQ EOIs ------------------------ */

static struct hvh_gsi *gsi_of(const struct domain *d, unsigned int gsi)
{
    struct hvh_pirq_table *t = d->pirq_tree.hvh;

    if ( !t || gsi >= hvm_domain_irq(d)->nr_gsis )
        return NULL;

    return &t->gsis[gsi];
}

int vioapic_get_mask(const struct domain *d, unsigned int gsi)
{
    const struct hvh_gsi *g = gsi_of(d, gsi);

    return g ? read_atomic(&g->masked) : -EINVAL;
}

int vioapic_get_trigger_mode(const struct domain *d, unsigned int gsi)
{
    const struct hvh_gsi *g = gsi_of(d, gsi);

    if ( !g )
        return -EINVAL;

    return read_atomic(&g->level) ? VIOAPIC_LEVEL_TRIG : VIOAPIC_EDGE_TRIG;
}

/* As Xen's: an edge GSI is a pulse, a level GSI stays up until deasserted. */
void hvm_gsi_assert(struct domain *d, unsigned int gsi)
{
    struct hvh_gsi *g = gsi_of(d, gsi);

    ASSERT(rw_is_write_locked(&d->event_lock));
    if ( !g )
    {
        ASSERT_UNREACHABLE();
        return;
    }
    if ( g->level && g->wire )
        return;
    write_atomic(&g->wire, g->level);
    write_atomic(&g->asserts, g->asserts + 1);
}

void hvm_gsi_deassert(struct domain *d, unsigned int gsi)
{
    struct hvh_gsi *g = gsi_of(d, gsi);

    ASSERT(rw_is_write_locked(&d->event_lock));
    if ( g )
        write_atomic(&g->wire, false);
}

void hvh_dpci_set_gsi(struct domain *d, unsigned int gsi, bool masked,
                      bool level)
{
    struct hvh_gsi *g;

    write_lock(&d->event_lock);
    g = gsi_of(d, gsi);
    if ( g )
    {
        write_atomic(&g->masked, masked);
        write_atomic(&g->level, level);
    }
    write_unlock(&d->event_lock);
}

bool hvh_dpci_gsi_wire(struct domain *d, unsigned int gsi)
{
    const struct hvh_gsi *g = gsi_of(d, gsi);

    return g && read_atomic(&g->wire);
}

uint64_t hvh_dpci_gsi_asserts(struct domain *d, unsigned int gsi)
{
    const struct hvh_gsi *g = gsi_of(d, gsi);

    return g ? read_atomic(&g->asserts) : 0;
}

void hvh_dpci_route_link(struct domain *d, unsigned int link,
                         unsigned int isairq)
{
    struct hvm_irq *hvm_irq = hvm_domain_irq(d);
    unsigned int old, i;

    ASSERT(link < NR_LINK && isairq < NR_ISAIRQS);

    write_lock(&d->event_lock);
    old = hvm_irq->pci_link.route[link];
    hvm_irq->pci_link.route[link] = isairq;
    if ( old != isairq && hvm_irq->dpci )
    {
        if ( old )
            clear_bit(old, hvm_irq->dpci->isairq_map);
        for ( i = 0; i < NR_LINK; i++ )
            if ( hvm_irq->dpci->link_cnt[i] && hvm_irq->pci_link.route[i] )
                set_bit(hvm_irq->pci_link.route[i], hvm_irq->dpci->isairq_map);
    }
    write_unlock(&d->event_lock);
}

/* Each pin of a pirq whose link goes to isairq: lower it, one EOI less owed. */
static int cf_check isairq_eoi_one(struct domain *d,
                                   struct hvm_pirq_dpci *pirq_dpci, void *arg)
{
    unsigned int isairq = (unsigned long)arg;
    const struct dev_intx_gsi_link *digl;

    list_for_each_entry ( digl, &pirq_dpci->digl_list, list )
    {
        unsigned int link = hvm_pci_intx_link(digl->device, digl->intx);

        if ( hvm_domain_irq(d)->pci_link.route[link] != isairq )
            continue;
        hvm_pci_intx_deassert(d, digl->device, digl->intx);
        if ( pirq_dpci->pending && !--pirq_dpci->pending )
            pirq_guest_eoi(dpci_pirq(pirq_dpci));
    }

    return 0;
}

void hvm_dpci_isairq_eoi(struct domain *d, unsigned int isairq)
{
    struct hvm_irq_dpci *dpci;

    ASSERT(isairq < NR_ISAIRQS);
    if ( !is_iommu_enabled(d) )
        return;

    write_lock(&d->event_lock);
    dpci = domain_get_irq_dpci(d);
    if ( dpci && test_bit(isairq, dpci->isairq_map) )
        pt_pirq_iterate(d, isairq_eoi_one, (void *)(unsigned long)isairq);
    write_unlock(&d->event_lock);
}

unsigned long hvh_dpci_lookups(struct domain *d)
{
    return __atomic_load_n(&d->pirq_tree.hvh->lookups, __ATOMIC_RELAXED);
}
