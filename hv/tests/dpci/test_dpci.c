/*
 * test_dpci.c - passthrough interrupt injection (dpci), both policies.
 *
 * Directed tests (inline pCPUs, deterministic): scheduling at most once
 * until run, -EAGAIN teardown while an item is in flight, a rebind that
 * waits (bounded) for it, CPU offline with items queued.
 *
 * Race test (threaded pCPUs; built again with -fsanitize=thread): pCPUs
 * take interrupts for every pirq of a guest non-stop while a control pCPU
 * unbinds, rebinds and destroys in a loop.  Checked at every step:
 *  - never run after teardown: no injection for a pirq once its teardown
 *    returned 0 (until it is bound again);
 *  - never lost: once interrupts pause and softirqs drain, every accepted
 *    interrupt of a still-bound pirq was followed by an injection that
 *    started after it;
 *  - never duplicated: every run consumes a schedule (items_run equals
 *    items_scheduled once drained), injections never exceed runs;
 *  - nothing stranded: no item is SCHED or RUN after the drain;
 *  - counters agree: the pCPU records published in hypfs add up to the
 *    domain's, and teardown_eagain counts the -EAGAINs the test saw.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <hvh/harness.h>
#include <xen/sched.h>
#include <xen/softirq.h>
#include <xen/errno.h>
#include <xen/hvm/dpci.h>
#include <hvh/dpci.h>
#include <asm/hvm/io.h>
#include <asm/io_apic.h>
#include <xen/iommu.h>
#include <public/domctl.h>
#include <public/telemetry.h>

#include "xentrace.h"

#define NR_PIRQS 4

/* ---- what the guest saw -------------------------------------------------- */

static struct {
    uint64_t tick;          /* bumped by every interrupt before it fires */
    uint64_t accepted;      /* highest tick hvh_dpci_irq() took */
    uint64_t seen;          /* highest tick an injection observed */
    uint64_t injections;
    int torn;               /* teardown returned 0, not bound since */
    uint64_t bind_tick;     /* tick when last bound, after the unbind */
    unsigned long torn_runs;    /* the item's run count at teardown */
    bool torn_valid;
} pirqs[NR_PIRQS];
static uint64_t violations_after_teardown;

static void deliver(struct domain *d, const struct hvm_pirq_dpci *pirq_dpci)
{
    unsigned int p = hvh_dpci_pirq_nr(pirq_dpci);
    uint64_t t = __atomic_load_n(&pirqs[p].tick, __ATOMIC_SEQ_CST);
    uint64_t s = __atomic_load_n(&pirqs[p].seen, __ATOMIC_RELAXED);

    if ( __atomic_load_n(&pirqs[p].torn, __ATOMIC_SEQ_CST) )
        __atomic_fetch_add(&violations_after_teardown, 1, __ATOMIC_RELAXED);
    while ( s < t && !__atomic_compare_exchange_n(&pirqs[p].seen, &s, t, false,
                                                  __ATOMIC_RELAXED,
                                                  __ATOMIC_RELAXED) )
        ;
    __atomic_fetch_add(&pirqs[p].injections, 1, __ATOMIC_RELAXED);
}

/* One device interrupt for pirq p on the current pCPU. */
static int fire(struct domain *d, unsigned int p)
{
    uint64_t t = __atomic_add_fetch(&pirqs[p].tick, 1, __ATOMIC_SEQ_CST);
    int taken = hvh_dpci_irq(d, p);

    if ( taken )
    {
        uint64_t a = __atomic_load_n(&pirqs[p].accepted, __ATOMIC_RELAXED);

        while ( a < t &&
                !__atomic_compare_exchange_n(&pirqs[p].accepted, &a, t, false,
                                             __ATOMIC_RELAXED,
                                             __ATOMIC_RELAXED) )
            ;
    }
    return taken;
}

static void reset_guest_view(void)
{
    memset(pirqs, 0, sizeof(pirqs));
    violations_after_teardown = 0;
}

/* ---- counters, as an administrator reads them ---------------------------- */

struct dpci_totals {
    uint64_t raised, run, eagain, lock_acq;
    uint64_t dom_scheduled, dom_run;
};

static void read_totals(domid_t domid, struct dpci_totals *t)
{
    static uint8_t buf[1 << 20];
    const struct telemetry_header *h = (const void *)buf;
    size_t len = 0;
    unsigned int i;

    memset(t, 0, sizeof(*t));
    assert_int_equal(hvh_hypfs_read("/telemetry/dpci", buf, sizeof(buf),
                                     &len), 0);
    assert_true(len >= sizeof(*h));
    assert_int_equal(h->magic, TELEMETRY_MAGIC);
    assert_int_equal(h->version, TELEMETRY_DPCI_VERSION);
    assert_true(h->pcpu_record_size >= sizeof(struct telemetry_dpci_pcpu));
    for ( i = 0; i < h->nr_pcpus; i++ )
    {
        struct telemetry_dpci_pcpu r;

        memcpy(&r, buf + h->header_size + (size_t)i * h->pcpu_record_size,
               sizeof(r));
        t->raised += r.softirqs_raised;
        t->run += r.items_run;
        t->eagain += r.teardown_eagain;
        t->lock_acq += r.lock_acquisitions;
    }
    for ( i = 0; i < h->nr_domains; i++ )
    {
        struct telemetry_dpci_domain r;

        memcpy(&r, buf + h->header_size +
                   (size_t)h->nr_pcpus * h->pcpu_record_size +
                   (size_t)i * h->domain_record_size, sizeof(r));
        if ( r.domid == domid )
        {
            t->dom_scheduled = r.items_scheduled;
            t->dom_run = r.items_run;
        }
    }
}

/* ---- directed tests (inline) ------------------------------------------- */

static struct domain *new_guest(domid_t domid, enum dpci_policy policy)
{
    struct domain *d;

    dpci_policy = policy;
    d = hvh_domain_create(domid, 1, true);
    assert_non_null(d);
    assert_int_equal(hvh_dpci_domain_init(d, NR_PIRQS, deliver), 0);
    reset_guest_view();
    return d;
}

static void free_guest(struct domain *d)
{
    assert_int_equal(arch_pci_clean_pirqs(d), 0);
    msixtbl_pt_cleanup(d);      /* hvm_domain_relinquish_resources() */
    hvh_dpci_domain_free(d);
    hvh_domain_destroy(d);
}

static void test_schedule_once(void **state)
{
    struct domain *d;
    struct dpci_totals t0, t1;

    hvh_cpu_enter(1);
    d = new_guest(11, DPCI_POLICY_SOFTIRQ);
    read_totals(11, &t0);
    assert_int_equal(fire(d, 0), 0);               /* not bound */
    assert_int_equal(hvh_dpci_bind(d, 0, 0x40), 0);
    for ( unsigned int i = 0; i < 10; i++ )
        assert_int_equal(fire(d, 0), 1);
    /* Ten interrupts, one queued item, one softirq raised. */
    assert_int_equal(dpci_softirq_queued(1), 1);
    assert_true(pt_pirq_softirq_active(hvh_dpci_item(d, 0)));
    assert_true(softirq_pending(1) & (1UL << HVM_DPCI_SOFTIRQ));
    hvh_cpu_poll();
    assert_int_equal(dpci_softirq_queued(1), 0);
    assert_false(pt_pirq_softirq_active(hvh_dpci_item(d, 0)));
    assert_int_equal(pirqs[0].injections, 1);
    assert_int_equal(pirqs[0].seen, pirqs[0].accepted);
    read_totals(11, &t1);
    assert_int_equal(t1.raised - t0.raised, 1);
    assert_int_equal(t1.run - t0.run, 1);
    assert_int_equal(t1.dom_scheduled, 1);
    assert_int_equal(t1.dom_run, 1);
    /* The fix takes no global lock on this path. */
    assert_int_equal(t1.lock_acq, t0.lock_acq);
    free_guest(d);
    hvh_cpu_leave();
}

/* Bind pirq with explicit MSI gflags, through Xen's domctl argument. */
static int bind_msi(struct domain *d, unsigned int p, uint8_t gvec,
                    uint32_t gflags)
{
    struct xen_domctl_bind_pt_irq bind = {
        .machine_irq = p,
        .irq_type = PT_IRQ_TYPE_MSI,
        .u.msi.gvec = gvec,
        .u.msi.gflags = gflags | XEN_DOMCTL_VMSI_X86_UNMASKED,
    };

    return pt_irq_create_bind(d, &bind);
}

/*
 * A guest EOI of a vector reaches the machine MSI's descriptor only for a
 * pirq bound to that vector whose destination is the EOIing vCPU, and
 * only while bound.
 */
static void test_msi_eoi(void **state)
{
    struct domain *d;
    struct vcpu *prev;

    hvh_cpu_enter(1);
    d = new_guest(13, DPCI_POLICY_SOFTIRQ);
    prev = current;
    set_current(d->vcpu[0]);

    hvm_dpci_msi_eoi(d, 0x40);                      /* nothing bound yet */
    assert_int_equal(bind_msi(d, 0, 0x40, 0), 0);   /* physical, APIC 0 */
    assert_int_equal(bind_msi(d, 1, 0x41, 1), 0);   /* physical, APIC 1 */
    assert_int_equal(bind_msi(d, 2, 0x42, XEN_DOMCTL_VMSI_X86_DM_MASK | 0x1),
                     0);                            /* logical, vCPU 0 */
    assert_int_equal(bind_msi(d, 3, 0x43, XEN_DOMCTL_VMSI_X86_DM_MASK | 0x2),
                     0);                            /* logical, vCPU 1 */

    hvm_dpci_msi_eoi(d, 0x40);
    hvm_dpci_msi_eoi(d, 0x41);
    hvm_dpci_msi_eoi(d, 0x42);
    hvm_dpci_msi_eoi(d, 0x43);
    hvm_dpci_msi_eoi(d, 0x44);                      /* no pirq has it */
    assert_int_equal(hvh_dpci_guest_eois(d, 0), 1);
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 0);
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 1);
    assert_int_equal(hvh_dpci_guest_eois(d, 3), 0);

    /*
     * The guest moves pirq 0 to another vector: an EOI the machine MSI may
     * still wait for is given at once (pirq_guest_eoi()), and the old
     * vector is not its any more.  The same vector again owes nothing.
     */
    assert_int_equal(bind_msi(d, 0, 0x50, 0), 0);
    assert_int_equal(hvh_dpci_guest_eois(d, 0), 2);
    hvm_dpci_msi_eoi(d, 0x40);
    assert_int_equal(hvh_dpci_guest_eois(d, 0), 2);
    hvm_dpci_msi_eoi(d, 0x50);
    assert_int_equal(hvh_dpci_guest_eois(d, 0), 3);
    assert_int_equal(bind_msi(d, 0, 0x50, 0), 0);
    assert_int_equal(hvh_dpci_guest_eois(d, 0), 3);

    /* Unbound: its vector's EOI goes nowhere. */
    assert_int_equal(hvh_dpci_unbind(d, 2), 0);
    hvm_dpci_msi_eoi(d, 0x42);
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 1);

    /* An MSI pirq takes no INTx pin; Xen 4.17 has no ISA binding. */
    {
        struct xen_domctl_bind_pt_irq intx = {
            .machine_irq = 3, .irq_type = PT_IRQ_TYPE_PCI,
        };
        struct xen_domctl_bind_pt_irq isa = {
            .machine_irq = 1, .irq_type = PT_IRQ_TYPE_ISA,
        };

        assert_int_equal(pt_irq_create_bind(d, &intx), -EBUSY);
        assert_int_equal(pt_irq_create_bind(d, &isa), -EOPNOTSUPP);
    }

    /* Domain teardown: every binding and the dpci state gone. */
    assert_int_equal(arch_pci_clean_pirqs(d), 0);
    hvm_dpci_msi_eoi(d, 0x50);
    assert_int_equal(hvh_dpci_guest_eois(d, 0), 3);

    set_current(prev);
    free_guest(d);
    hvh_cpu_leave();
}

/* ---- posted interrupts, affinity, MSI-X table, mask bit ------------------ */

#define DM_LOGICAL  XEN_DOMCTL_VMSI_X86_DM_MASK
#define DELIV_LOWEST MASK_INSR(dest_LowestPrio, XEN_DOMCTL_VMSI_X86_DELIV_MASK)

/* Bind pirq p with the guest's MSI address/data as gflags, and gtable. */
static int bind_msi_table(struct domain *d, unsigned int p, uint8_t gvec,
                          uint32_t gflags, uint64_t gtable)
{
    struct xen_domctl_bind_pt_irq bind = {
        .machine_irq = p,
        .irq_type = PT_IRQ_TYPE_MSI,
        .u.msi.gvec = gvec,
        .u.msi.gflags = gflags,
        .u.msi.gtable = gtable,
    };

    return pt_irq_create_bind(d, &bind);
}

static struct hvh_dpci_msi_view msi_view(struct domain *d, unsigned int p)
{
    struct hvh_dpci_msi_view v;

    hvh_dpci_msi_view(d, p, &v);
    return v;
}

static const struct pi_desc *pi_of(struct domain *d, unsigned int vcpu)
{
    return &d->vcpu[vcpu]->arch.hvm.vmx.pi_desc;
}

static struct domain *new_guest_vcpus(domid_t domid, unsigned int nr_vcpus)
{
    struct domain *d;

    dpci_policy = DPCI_POLICY_SOFTIRQ;
    d = hvh_domain_create(domid, nr_vcpus, true);
    assert_non_null(d);
    assert_int_equal(hvh_dpci_domain_init(d, NR_PIRQS, deliver), 0);
    reset_guest_view();
    return d;
}

/*
 * With posted interrupts (iommu_intpost), binding a guest MSI points the
 * IRTE at the PI descriptor of the one vCPU its fixed destination names,
 * a rebind follows the guest's new destination and vector, a destination
 * naming several vCPUs (or none) goes back to remapped delivery (NULL),
 * and the unbind does too.  A posted MSI is not steered after its vCPU.
 */
static void test_msi_posted_fixed(void **state)
{
    struct hvh_dpci_msi_view v;
    struct hvm_pirq_dpci *item;
    struct domain *d;

    hvh_cpu_enter(1);
    iommu_intpost = true;
    d = new_guest_vcpus(21, 4);

    /* Physical destination APIC 2: vCPU 2. */
    assert_int_equal(bind_msi_table(d, 0, 0x40,
                                    2 | XEN_DOMCTL_VMSI_X86_UNMASKED, 0), 0);
    item = hvh_dpci_item(d, 0);
    v = msi_view(d, 0);
    assert_int_equal(v.pi_updates, 1);
    assert_ptr_equal(v.pi_desc, pi_of(d, 2));
    assert_int_equal(v.pi_gvec, 0x40);
    assert_int_equal(item->gmsi.dest_vcpu_id, 2);
    assert_true(item->gmsi.posted);
    assert_int_equal(v.migrations, 0);              /* posted: not steered */
    assert_false(v.guest_masked);

    /* The guest retargets it: APIC 3, vector 0x41. */
    assert_int_equal(bind_msi_table(d, 0, 0x41, 3, 0), 0);
    v = msi_view(d, 0);
    assert_int_equal(v.pi_updates, 2);
    assert_ptr_equal(v.pi_desc, pi_of(d, 3));
    assert_int_equal(v.pi_gvec, 0x41);
    assert_int_equal(item->gmsi.dest_vcpu_id, 3);
    assert_true(item->gmsi.posted);

    /* Logical destination naming vCPUs 1 and 2: no single target. */
    assert_int_equal(bind_msi_table(d, 0, 0x41, DM_LOGICAL | 0x6, 0), 0);
    v = msi_view(d, 0);
    assert_int_equal(v.pi_updates, 3);
    assert_null(v.pi_desc);
    assert_int_equal(item->gmsi.dest_vcpu_id, -1);
    assert_false(item->gmsi.posted);

    /* Logical destination naming vCPU 1 alone: posted to it again. */
    assert_int_equal(bind_msi_table(d, 0, 0x42, DM_LOGICAL | 0x2, 0), 0);
    v = msi_view(d, 0);
    assert_int_equal(v.pi_updates, 4);
    assert_ptr_equal(v.pi_desc, pi_of(d, 1));
    assert_int_equal(v.pi_gvec, 0x42);

    /* A destination no vCPU has: remapped. */
    assert_int_equal(bind_msi_table(d, 0, 0x42, 9, 0), 0);
    v = msi_view(d, 0);
    assert_int_equal(v.pi_updates, 5);
    assert_null(v.pi_desc);
    assert_false(item->gmsi.posted);

    /* Back to APIC 2, then unbind: remapped again, the MSI left masked. */
    assert_int_equal(bind_msi_table(d, 0, 0x43, 2, 0), 0);
    assert_ptr_equal(msi_view(d, 0).pi_desc, pi_of(d, 2));
    assert_int_equal(hvh_dpci_unbind(d, 0), 0);
    v = msi_view(d, 0);
    assert_int_equal(v.pi_updates, 7);
    assert_null(v.pi_desc);
    assert_int_equal(v.pi_gvec, 0);
    assert_true(v.guest_masked);
    assert_false(item->gmsi.posted);
    assert_int_equal(v.migrations, 0);

    /* Not posted when unbound: the unbind leaves the IRTE alone. */
    assert_int_equal(bind_msi_table(d, 1, 0x44, DM_LOGICAL | 0xf, 0), 0);
    assert_int_equal(msi_view(d, 1).pi_updates, 1);
    assert_null(msi_view(d, 1).pi_desc);
    assert_int_equal(hvh_dpci_unbind(d, 1), 0);
    assert_int_equal(msi_view(d, 1).pi_updates, 1);

    /* A 1-vCPU guest's MSI goes to vCPU 0 whatever it names (Xen's rule). */
    free_guest(d);
    d = new_guest_vcpus(22, 1);
    assert_int_equal(bind_msi_table(d, 2, 0x45, 5, 0), 0);
    assert_ptr_equal(msi_view(d, 2).pi_desc, pi_of(d, 0));
    assert_int_equal(hvh_dpci_item(d, 2)->gmsi.dest_vcpu_id, 0);

    iommu_intpost = false;
    free_guest(d);
    hvh_cpu_leave();
}

/*
 * Lowest-priority MSIs with posted interrupts go to one vCPU chosen by
 * vector hashing: of the vCPUs the destination names, in vcpu_id order,
 * the (vector modulo their number)-th.
 */
static void test_msi_posted_lowest(void **state)
{
    static const struct {
        uint8_t gvec;
        uint32_t dest;              /* gflags' destination and mode */
        int vcpu;                   /* posted to, -1 none */
        int dest_vcpu_id;
    } cases[] = {
        { 0x43, DM_LOGICAL | 0x6, 2, -1 },  /* {1, 2}: 0x43 % 2 = 1 */
        { 0x44, DM_LOGICAL | 0x6, 1, -1 },  /* {1, 2}: 0x44 % 2 = 0 */
        { 0x45, 0xff, 1, -1 },              /* all 4: 0x45 % 4 = 1 */
        { 0x47, 0xff, 3, -1 },              /* all 4: 0x47 % 4 = 3 */
        { 0x49, DM_LOGICAL | 0xd, 2, -1 },  /* {0, 2, 3}: 0x49 % 3 = 1 */
        { 0x4a, DM_LOGICAL | 0xd, 3, -1 },  /* {0, 2, 3}: 0x4a % 3 = 2 */
        { 0x50, 3, 3, 3 },                  /* physical APIC 3 alone */
        { 0x51, 7, -1, -1 },                /* nobody */
    };
    struct domain *d;

    hvh_cpu_enter(1);
    iommu_intpost = true;
    d = new_guest_vcpus(23, 4);

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        struct hvh_dpci_msi_view v;
        const struct hvm_pirq_dpci *item;

        assert_int_equal(bind_msi_table(d, 1, cases[i].gvec,
                                        cases[i].dest | DELIV_LOWEST, 0), 0);
        v = msi_view(d, 1);
        item = hvh_dpci_item(d, 1);
        assert_int_equal(v.pi_updates, i + 1);
        assert_int_equal(v.pi_gvec, cases[i].gvec);
        if ( cases[i].vcpu < 0 )
            assert_null(v.pi_desc);
        else
            assert_ptr_equal(v.pi_desc, pi_of(d, cases[i].vcpu));
        assert_int_equal(item->gmsi.posted, cases[i].vcpu >= 0);
        assert_int_equal(item->gmsi.dest_vcpu_id, cases[i].dest_vcpu_id);
    }
    assert_int_equal(hvh_dpci_unbind(d, 1), 0);     /* last: not posted */
    assert_int_equal(msi_view(d, 1).pi_updates, ARRAY_SIZE(cases));

    iommu_intpost = false;
    free_guest(d);
    hvh_cpu_leave();
}

/*
 * Without posted interrupts no IRTE is touched; an MSI aimed at one vCPU
 * is steered to that vCPU's pCPU instead (hvm_migrate_pirq()), also for
 * lowest priority (no vector hashing then).
 */
static void test_msi_remapped(void **state)
{
    struct hvh_dpci_msi_view v;
    struct domain *d;

    hvh_cpu_enter(1);
    assert_false(iommu_intpost);
    d = new_guest_vcpus(24, 4);

    assert_int_equal(bind_msi_table(d, 0, 0x40, 2, 0), 0);
    v = msi_view(d, 0);
    assert_int_equal(v.affinity, d->vcpu[2]->processor);
    assert_int_equal(v.migrations, 1);
    assert_false(hvh_dpci_item(d, 0)->gmsi.posted);
    assert_int_equal(hvh_dpci_item(d, 0)->gmsi.dest_vcpu_id, 2);

    assert_int_equal(bind_msi_table(d, 0, 0x40, 3 | DELIV_LOWEST, 0), 0);
    v = msi_view(d, 0);
    assert_int_equal(v.affinity, d->vcpu[3]->processor);
    assert_int_equal(v.migrations, 2);

    /* Several vCPUs: left where it is. */
    assert_int_equal(bind_msi_table(d, 0, 0x41, 0xff | DELIV_LOWEST, 0), 0);
    v = msi_view(d, 0);
    assert_int_equal(v.affinity, d->vcpu[3]->processor);
    assert_int_equal(v.migrations, 2);
    assert_int_equal(hvh_dpci_item(d, 0)->gmsi.dest_vcpu_id, -1);

    assert_int_equal(hvh_dpci_unbind(d, 0), 0);
    assert_int_equal(msi_view(d, 0).pi_updates, 0);
    assert_null(msi_view(d, 0).pi_desc);

    free_guest(d);
    hvh_cpu_leave();
}

/*
 * An MSI-X device's guest table is registered at the first bind (not at
 * a retarget) and unregistered at the unbind; a registration that fails
 * fails the bind and leaves the pirq unbound.  The guest's mask bit
 * follows the bind's UNMASKED flag and is set again by the unbind.
 */
static void test_msi_msixtbl_mask(void **state)
{
    struct hvh_dpci_msi_view v;
    struct domain *d;

    hvh_cpu_enter(1);
    d = new_guest_vcpus(25, 2);
    msixtbl_init(d);        /* as at the assignment of an MSI-X device */

    assert_int_equal(bind_msi_table(d, 0, 0x40, XEN_DOMCTL_VMSI_X86_UNMASKED,
                                    0xfebf0000), 0);
    v = msi_view(d, 0);
    assert_true(v.msixtbl_registered);
    assert_int_equal(v.msixtbl_gtable, 0xfebf0000);
    assert_int_equal(v.msixtbl_refcnt, 1);
    assert_false(v.guest_masked);

    assert_int_equal(bind_msi_table(d, 0, 0x41, 1, 0xfebf0000), 0);
    v = msi_view(d, 0);
    assert_true(v.msixtbl_registered);
    assert_int_equal(v.msixtbl_refcnt, 1);          /* not registered again */

    assert_int_equal(hvh_dpci_unbind(d, 0), 0);
    v = msi_view(d, 0);
    assert_false(v.msixtbl_registered);             /* refcnt 0: deleted */
    assert_true(v.guest_masked);

    /* Bound masked (no UNMASKED flag): the mask bit stays set. */
    assert_int_equal(bind_msi_table(d, 0, 0x40, 0, 0), 0);
    v = msi_view(d, 0);
    assert_true(v.guest_masked);
    assert_false(v.msixtbl_registered);             /* MSI: no table */
    assert_int_equal(hvh_dpci_unbind(d, 0), 0);

    /* The registration fails: no binding, no interrupt taken, retry works. */
    hvh_dpci_set_msixtbl_rc(d, -EINVAL);
    assert_int_equal(bind_msi_table(d, 1, 0x42, XEN_DOMCTL_VMSI_X86_UNMASKED,
                                    0xfebf1000), -EINVAL);
    v = msi_view(d, 1);
    assert_false(v.msixtbl_registered);
    assert_false(v.mask_updates);                   /* never unmasked */
    assert_int_equal(fire(d, 1), 0);
    hvh_dpci_set_msixtbl_rc(d, 0);
    assert_int_equal(bind_msi_table(d, 1, 0x42, XEN_DOMCTL_VMSI_X86_UNMASKED,
                                    0xfebf1000), 0);
    assert_true(msi_view(d, 1).msixtbl_registered);
    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_poll();
    assert_int_equal(pirqs[1].injections, 1);

    free_guest(d);
    hvh_cpu_leave();
}

/*
 * The EOI walk (pt_pirq_iterate()) visits the pirqs the domain has, in
 * batches, without looking every pirq number up: on a domain with many
 * pirqs, every bound MSI is found across batch boundaries, an unbound one
 * is skipped, and no pirq_info() lookup is made.
 */
static void test_eoi_walk(void **state)
{
    static const unsigned int bound[] = { 1, 8, 9, 17, 40, 63 };
    struct domain *d;
    struct vcpu *prev;
    unsigned long lookups;

    hvh_cpu_enter(1);
    d = hvh_domain_create(28, 1, true);
    assert_non_null(d);
    assert_int_equal(hvh_dpci_domain_init(d, 64, deliver), 0);
    prev = current;
    set_current(d->vcpu[0]);

    /* Pirqs present but not bound (an INTx pin given up) are skipped. */
    for ( unsigned int p = 0; p < 64; p += 3 )
        assert_non_null(pirq_get_info(d, p));
    for ( unsigned int i = 0; i < ARRAY_SIZE(bound); i++ )
        assert_int_equal(bind_msi(d, bound[i], 0x40 + i, 0), 0);
    assert_int_equal(hvh_dpci_unbind(d, 9), 0);

    lookups = hvh_dpci_lookups(d);
    for ( unsigned int i = 0; i < ARRAY_SIZE(bound); i++ )
        hvm_dpci_msi_eoi(d, 0x40 + i);
    hvm_dpci_msi_eoi(d, 0x70);                      /* nobody's */
    assert_int_equal(hvh_dpci_lookups(d), lookups);
    for ( unsigned int i = 0; i < ARRAY_SIZE(bound); i++ )
        assert_int_equal(hvh_dpci_guest_eois(d, bound[i]),
                         bound[i] == 9 ? 0 : 1);

    set_current(prev);
    free_guest(d);
    hvh_cpu_leave();
}

/* XEN_DOMCTL_bind_pt_irq / unbind_pt_irq of a guest PCI INTx pin. */
static int intx_op(struct domain *d, bool bind, unsigned int p,
                   uint8_t device, uint8_t intx)
{
    struct xen_domctl_bind_pt_irq op = {
        .machine_irq = p,
        .irq_type = PT_IRQ_TYPE_PCI,
        .u.pci.bus = 0,
        .u.pci.device = device,
        .u.pci.intx = intx,
    };

    return bind ? pt_irq_create_bind(d, &op) : pt_irq_destroy_bind(d, &op);
}

/*
 * Guest INTx pins on machine GSIs: an interrupt asserts every pin bound
 * to its GSI; the machine GSI gets its EOI once the guest EOIed every
 * pin it raised; unbinding pins one by one keeps the GSI bound until the
 * last.
 */
static void test_intx(void **state)
{
    struct domain *d;
    unsigned int gsi_a = hvm_pci_intx_gsi(3, 0);
    unsigned int gsi_b = hvm_pci_intx_gsi(4, 1);
    unsigned int gsi_c = hvm_pci_intx_gsi(5, 2);

    hvh_cpu_enter(1);
    d = new_guest(14, DPCI_POLICY_SOFTIRQ);

    /* pirq 1: device 3 pin A alone. */
    assert_int_equal(intx_op(d, true, 1, 3, 0), 0);
    assert_int_equal(intx_op(d, true, 1, 3, 0), -EEXIST);
    assert_int_equal(intx_op(d, true, 1, 32, 0), -EINVAL);
    assert_int_equal(bind_msi(d, 1, 0x40, 0), -EBUSY);
    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_poll();
    assert_true(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(hvh_dpci_intx_asserts(d, 3, 0), 1);
    assert_int_equal(pirqs[1].injections, 0);       /* no MSI for INTx */
    hvm_dpci_eoi(d, gsi_b);                         /* not its GSI */
    assert_true(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 0);
    hvm_dpci_eoi(d, gsi_a);
    assert_false(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 1);
    hvm_dpci_eoi(d, gsi_a);                         /* nothing pending */
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 1);

    /* pirq 2: device 4 pin B and device 5 pin C share it. */
    assert_int_equal(intx_op(d, true, 2, 4, 1), 0);
    assert_int_equal(intx_op(d, true, 2, 5, 2), 0);
    assert_int_equal(fire(d, 2), 1);
    hvh_cpu_poll();
    assert_true(hvh_dpci_intx_wire(d, 4, 1));
    assert_true(hvh_dpci_intx_wire(d, 5, 2));
    hvm_dpci_eoi(d, gsi_b);
    assert_false(hvh_dpci_intx_wire(d, 4, 1));
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 0); /* pin C still up */
    hvm_dpci_eoi(d, gsi_c);
    assert_false(hvh_dpci_intx_wire(d, 5, 2));
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 1);

    /* Unbind pin B: the GSI stays bound for pin C only. */
    assert_int_equal(intx_op(d, false, 2, 4, 1), 0);
    assert_int_equal(intx_op(d, false, 2, 4, 1), -EINVAL);
    assert_int_equal(fire(d, 2), 1);
    hvh_cpu_poll();
    assert_int_equal(hvh_dpci_intx_asserts(d, 4, 1), 1);
    assert_int_equal(hvh_dpci_intx_asserts(d, 5, 2), 2);
    /* Unbind pin C while it is asserted: the wire drops, the GSI goes. */
    assert_int_equal(intx_op(d, false, 2, 5, 2), 0);
    assert_false(hvh_dpci_intx_wire(d, 5, 2));
    assert_int_equal(fire(d, 2), 0);
    hvm_dpci_eoi(d, gsi_c);
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 1);

    /* An unbound pirq 2 can take an MSI again. */
    assert_int_equal(bind_msi(d, 2, 0x42, 0), 0);

    /* Domain teardown with pin A still bound and asserted. */
    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_poll();
    assert_true(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(arch_pci_clean_pirqs(d), 0);
    assert_int_equal(fire(d, 1), 0);
    hvm_dpci_eoi(d, gsi_a);                         /* dpci state gone */
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 1);

    free_guest(d);
    hvh_cpu_leave();
}

/*
 * The hardware domain (PVH dom0) gets its GSIs identity-mapped: no
 * hvm_irq_dpci, the GSI of the same number raised on its vIO-APIC, the
 * machine GSI's EOI once dom0 EOIed a level GSI, none for an edge GSI.
 */
static void test_hwdom_gsi(void **state)
{
    struct xen_domctl_bind_pt_irq translate = {
        .machine_irq = 1, .irq_type = PT_IRQ_TYPE_MSI_TRANSLATE,
    };
    const struct hvm_pirq_dpci *item;
    struct domain *d;
    struct vcpu *prev;

    hvh_cpu_enter(1);
    d = new_guest(0, DPCI_POLICY_SOFTIRQ);
    assert_true(is_hardware_domain(d));
    prev = current;
    set_current(d->vcpu[0]);
    hvh_dpci_set_gsi(d, 2, false, true);            /* level */
    hvh_dpci_set_gsi(d, 3, false, false);           /* edge */

    /* Only the pirq's own number: the u.pci fields do not matter. */
    assert_int_equal(intx_op(d, true, 2, 7, 1), 0);
    assert_null(domain_get_irq_dpci(d));
    item = hvh_dpci_item(d, 2);
    assert_int_equal(item->flags, HVM_IRQ_DPCI_MAPPED | HVM_IRQ_DPCI_MACH_PCI |
                                  HVM_IRQ_DPCI_GUEST_PCI |
                                  HVM_IRQ_DPCI_IDENTITY_GSI);
    assert_int_equal(intx_op(d, true, 2, 0, 0), 0);  /* bound: no change */
    assert_int_equal(intx_op(d, true, 3, 0, 0), 0);
    assert_true(hvh_dpci_item(d, 3)->flags & HVM_IRQ_DPCI_NO_EOI);
    assert_int_equal(pt_irq_create_bind(d, &translate), -EINVAL);

    /* Level: raised once, lowered and passed on by dom0's EOI. */
    assert_int_equal(fire(d, 2), 1);
    hvh_cpu_poll();
    assert_true(hvh_dpci_gsi_wire(d, 2));
    assert_int_equal(hvh_dpci_gsi_asserts(d, 2), 1);
    assert_int_equal(pirqs[2].injections, 0);       /* no MSI */
    assert_false(hvh_dpci_intx_wire(d, 7, 1));      /* no guest pin */
    hvm_dpci_eoi(d, 3);                             /* not that GSI */
    assert_true(hvh_dpci_gsi_wire(d, 2));
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 0);
    hvm_dpci_eoi(d, 2);
    assert_false(hvh_dpci_gsi_wire(d, 2));
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 1);
    hvm_dpci_eoi(d, 2);                             /* nothing owed */
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 1);

    /* Edge: a pulse each time, no EOI owed. */
    assert_int_equal(fire(d, 3), 1);
    hvh_cpu_poll();
    assert_int_equal(fire(d, 3), 1);
    hvh_cpu_poll();
    assert_int_equal(hvh_dpci_gsi_asserts(d, 3), 2);
    assert_false(hvh_dpci_gsi_wire(d, 3));
    hvm_dpci_eoi(d, 3);
    assert_int_equal(hvh_dpci_guest_eois(d, 3), 0);

    /* dom0's own MSIs work without an hvm_irq_dpci. */
    assert_int_equal(bind_msi(d, 1, 0x40, 0), 0);
    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_poll();
    assert_int_equal(pirqs[1].injections, 1);
    hvm_dpci_msi_eoi(d, 0x40);
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 1);
    assert_int_equal(intx_op(d, false, 1, 0, 0), -EINVAL);  /* an MSI */

    /* Unbound while raised: the wire drops, no interrupt is taken. */
    assert_int_equal(fire(d, 2), 1);
    hvh_cpu_poll();
    assert_true(hvh_dpci_gsi_wire(d, 2));
    assert_int_equal(intx_op(d, false, 2, 0, 0), 0);
    assert_false(hvh_dpci_gsi_wire(d, 2));
    assert_int_equal(fire(d, 2), 0);
    hvm_dpci_eoi(d, 2);
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 1);
    assert_int_equal(intx_op(d, false, 2, 0, 0), -EINVAL);
    /* Bound again: as new. */
    assert_int_equal(intx_op(d, true, 2, 0, 0), 0);
    assert_int_equal(fire(d, 2), 1);
    hvh_cpu_poll();
    hvm_dpci_eoi(d, 2);
    assert_int_equal(hvh_dpci_guest_eois(d, 2), 2);

    /* Teardown of dom0's bindings is by unbind (it has no dpci state). */
    assert_int_equal(intx_op(d, false, 2, 0, 0), 0);
    assert_int_equal(intx_op(d, false, 3, 0, 0), 0);
    assert_int_equal(hvh_dpci_unbind(d, 1), 0);
    set_current(prev);
    free_guest(d);

    /* A GSI beyond its vIO-APIC's pins is refused. */
    d = hvh_domain_create(0, 1, true);
    assert_non_null(d);
    assert_int_equal(hvh_dpci_domain_init(d, NR_HVM_DOMU_IRQS + 4, deliver),
                     0);
    assert_int_equal(intx_op(d, true, NR_HVM_DOMU_IRQS + 1, 0, 0), -EINVAL);
    free_guest(d);
    hvh_cpu_leave();
}

/*
 * PT_IRQ_TYPE_MSI_TRANSLATE: a machine MSI shown to the guest as an INTx
 * pin.  The machine MSI has its EOI when the pin is raised; the guest's
 * EOI only lowers the pin.  No other kind of binding may join it.
 */
static void test_msi_translate(void **state)
{
    struct xen_domctl_bind_pt_irq op = {
        .machine_irq = 1, .irq_type = PT_IRQ_TYPE_MSI_TRANSLATE,
        .u.pci.device = 3, .u.pci.intx = 0,
    };
    unsigned int gsi = hvm_pci_intx_gsi(3, 0);
    struct domain *d;

    hvh_cpu_enter(1);
    d = new_guest(26, DPCI_POLICY_SOFTIRQ);
    assert_int_equal(pt_irq_create_bind(d, &op), 0);
    assert_int_equal(hvh_dpci_item(d, 1)->flags,
                     HVM_IRQ_DPCI_MAPPED | HVM_IRQ_DPCI_MACH_MSI |
                     HVM_IRQ_DPCI_GUEST_PCI | HVM_IRQ_DPCI_TRANSLATE);
    assert_int_equal(intx_op(d, true, 1, 4, 0), -EBUSY);
    assert_int_equal(bind_msi(d, 1, 0x40, 0), -EBUSY);
    assert_int_equal(intx_op(d, true, 2, 5, 0), 0);
    op.machine_irq = 2;
    op.u.pci.device = 6;
    assert_int_equal(pt_irq_create_bind(d, &op), -EBUSY);

    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_poll();
    assert_true(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(pirqs[1].injections, 0);
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 1);  /* at once */
    hvm_dpci_eoi(d, gsi);
    assert_false(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 1);  /* not again */

    op.machine_irq = 1;
    op.u.pci.device = 3;
    assert_int_equal(pt_irq_destroy_bind(d, &op), 0);
    assert_int_equal(fire(d, 1), 0);
    assert_int_equal(pt_irq_destroy_bind(d, &op), -EINVAL);

    free_guest(d);
    hvh_cpu_leave();
}

/*
 * A guest that routes a PCI link to an ISA IRQ (its PIC) EOIs the pin as
 * that ISA IRQ: the pins on that link go down and the machine GSI gets
 * its EOI (hvm_dpci_isairq_eoi()).
 */
static void test_isairq_eoi(void **state)
{
    unsigned int link = hvm_pci_intx_link(3, 0);
    struct domain *d;

    hvh_cpu_enter(1);
    d = new_guest(27, DPCI_POLICY_SOFTIRQ);
    assert_int_equal(intx_op(d, true, 1, 3, 0), 0);
    hvh_dpci_route_link(d, link, 5);

    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_poll();
    assert_true(hvh_dpci_intx_wire(d, 3, 0));
    hvm_dpci_eoi(d, 6);                             /* another ISA IRQ */
    assert_true(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 0);
    hvm_dpci_eoi(d, 5);
    assert_false(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 1);

    /* Routed away: ISA IRQ 5 is not the pin's any more. */
    hvh_dpci_route_link(d, link, 0);
    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_poll();
    hvm_dpci_eoi(d, 5);
    assert_true(hvh_dpci_intx_wire(d, 3, 0));
    hvm_dpci_eoi(d, hvm_pci_intx_gsi(3, 0));        /* the vIO-APIC's way */
    assert_false(hvh_dpci_intx_wire(d, 3, 0));
    assert_int_equal(hvh_dpci_guest_eois(d, 1), 2);

    free_guest(d);
    hvh_cpu_leave();
}

/* ---- iommu=verbose ------------------------------------------------------- */

static char log_path[] = "/tmp/hv-dpci-log-XXXXXX";
static int log_saved_fd = -1;

/* Send the harness's printk (stderr) to a file until log_end(). */
static void log_begin(void)
{
    int fd;

    strcpy(log_path, "/tmp/hv-dpci-log-XXXXXX");
    fd = mkstemp(log_path);
    assert_true(fd >= 0);
    fflush(stderr);
    log_saved_fd = dup(2);
    assert_true(log_saved_fd >= 0);
    assert_true(dup2(fd, 2) == 2);
    close(fd);
    hvh_set_verbosity(2);
}

/* What was printed since log_begin(), NUL-terminated, in buf. */
static void log_end(char *buf, size_t size)
{
    FILE *f;
    size_t n;

    hvh_set_verbosity(1);
    fflush(stderr);
    assert_true(dup2(log_saved_fd, 2) == 2);
    close(log_saved_fd);
    f = fopen(log_path, "r");
    assert_non_null(f);
    n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(log_path);
}

/*
 * With iommu=verbose, every INTx binding change is logged (bind, a pin
 * unbound while others remain, the machine GSI let go, a hardware
 * domain's identity GSI); without it, nothing.
 */
static void test_verbose_log(void **state)
{
    char buf[4096];
    struct domain *d;

    hvh_cpu_enter(1);
    d = new_guest(29, DPCI_POLICY_SOFTIRQ);

    log_begin();
    assert_int_equal(intx_op(d, true, 1, 3, 0), 0);
    assert_int_equal(intx_op(d, false, 1, 3, 0), 0);
    log_end(buf, sizeof(buf));
    assert_null(strstr(buf, "dpci"));

    iommu_verbose = true;
    log_begin();
    assert_int_equal(intx_op(d, true, 2, 4, 1), 0);
    assert_int_equal(intx_op(d, true, 2, 5, 2), 0);
    assert_int_equal(intx_op(d, false, 2, 4, 1), 0);
    assert_int_equal(intx_op(d, false, 2, 5, 2), 0);
    assert_int_equal(bind_msi(d, 3, 0x43, 0), 0);   /* MSIs: not logged */
    log_end(buf, sizeof(buf));
    iommu_verbose = false;

    assert_non_null(strstr(buf, "d29: dpci bind: m_gsi=2 g_gsi="));
    assert_non_null(strstr(buf, "dev=00:04 intx=B\n"));
    assert_non_null(strstr(buf, "dev=00:05 intx=C\n"));
    assert_non_null(strstr(buf, "d29: dpci unbind pin: m_gsi=2"));
    assert_non_null(strstr(buf, "d29: dpci unbind: m_gsi=2"));
    assert_null(strstr(buf, "m_gsi=3"));
    free_guest(d);

    d = new_guest(0, DPCI_POLICY_SOFTIRQ);
    hvh_dpci_set_gsi(d, 2, false, true);
    iommu_verbose = true;
    log_begin();
    assert_int_equal(intx_op(d, true, 2, 0, 0), 0);
    assert_int_equal(intx_op(d, false, 2, 0, 0), 0);
    log_end(buf, sizeof(buf));
    iommu_verbose = false;
    assert_non_null(strstr(buf, "d0: dpci bind: m_gsi=2 g_gsi=2 identity\n"));
    assert_non_null(strstr(buf, "d0: dpci unbind: m_gsi=2 g_gsi=2 identity\n"));
    free_guest(d);
    hvh_cpu_leave();
}

/*
 * A PVHVM guest that took a pirq as an event channel (emuirq bound) gets
 * its interrupts through send_guest_pirq(), not as an MSI; INTx pins are
 * asserted as well.
 */
static void test_evtchn_pirq(void **state)
{
    struct domain *d;

    hvh_cpu_enter(1);
    d = new_guest(15, DPCI_POLICY_SOFTIRQ);
    assert_int_equal(hvh_dpci_bind(d, 0, 0x40), 0);
    assert_int_equal(intx_op(d, true, 1, 6, 3), 0);

    hvh_dpci_set_emuirq(d, 0, 20);
    hvh_dpci_set_emuirq(d, 1, 21);
    assert_int_equal(fire(d, 0), 1);
    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_poll();
    assert_int_equal(hvh_dpci_evtchn_sends(d, 0), 1);
    assert_int_equal(pirqs[0].injections, 0);
    assert_int_equal(hvh_dpci_evtchn_sends(d, 1), 1);
    assert_true(hvh_dpci_intx_wire(d, 6, 3));

    /* The guest gives the event channel up: MSIs again. */
    hvh_dpci_set_emuirq(d, 0, IRQ_UNBOUND);
    assert_int_equal(fire(d, 0), 1);
    hvh_cpu_poll();
    assert_int_equal(hvh_dpci_evtchn_sends(d, 0), 1);
    assert_int_equal(pirqs[0].injections, 1);

    free_guest(d);
    hvh_cpu_leave();
}

static void test_teardown_eagain(void **state)
{
    struct domain *d;
    struct dpci_totals t0, t1;

    hvh_cpu_enter(2);
    d = new_guest(12, DPCI_POLICY_SOFTIRQ);
    read_totals(12, &t0);
    assert_int_equal(hvh_dpci_bind(d, 1, 0x41), 0);
    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_leave();

    /* pCPU 0 unbinds while the item waits on pCPU 2. */
    hvh_cpu_enter(0);
    assert_int_equal(hvh_dpci_unbind(d, 1), -EAGAIN);
    assert_int_equal(fire(d, 1), 0);               /* unbound: refused */
    assert_int_equal(hvh_dpci_unbind(d, 1), -EAGAIN);
    assert_int_equal(arch_pci_clean_pirqs(d), -ERESTART);
    hvh_cpu_leave();

    /* pCPU 2 runs its softirq: the item runs, injects nothing. */
    hvh_cpu_enter(2);
    hvh_cpu_poll();
    hvh_cpu_leave();
    hvh_cpu_enter(0);
    assert_int_equal(hvh_dpci_unbind(d, 1), 0);
    assert_int_equal(pirqs[1].injections, 0);
    read_totals(12, &t1);
    assert_int_equal(t1.eagain - t0.eagain, 3);
    assert_int_equal(t1.dom_scheduled, t1.dom_run);
    free_guest(d);
    hvh_cpu_leave();
}

static void test_rebind_bounded(void **state)
{
    struct domain *d;
    s_time_t start;
    struct dpci_totals t0, t1;

    assert_int_equal(hvh_param_set("dpci_teardown_timeout_ms", "20"), 0);
    hvh_cpu_enter(3);
    d = new_guest(13, DPCI_POLICY_SOFTIRQ);
    assert_int_equal(hvh_dpci_bind(d, 2, 0x42), 0);
    assert_int_equal(fire(d, 2), 1);
    hvh_cpu_leave();

    hvh_cpu_enter(0);
    read_totals(13, &t0);
    assert_int_equal(hvh_dpci_unbind(d, 2), -EAGAIN);
    /* pCPU 3 never runs its softirq: the rebind gives up in time. */
    start = NOW();
    assert_int_equal(hvh_dpci_bind(d, 2, 0x43), -EAGAIN);
    assert_true(NOW() - start >= MILLISECS(20));
    assert_true(NOW() - start < SECONDS(10));     /* bounded, not for ever */
    read_totals(13, &t1);
    assert_int_equal(t1.eagain - t0.eagain, 2);
    hvh_cpu_leave();

    hvh_cpu_enter(3);
    hvh_cpu_poll();
    hvh_cpu_leave();
    hvh_cpu_enter(0);
    assert_int_equal(hvh_dpci_bind(d, 2, 0x43), 0);
    assert_int_equal(fire(d, 2), 1);
    hvh_cpu_poll();
    assert_int_equal(pirqs[2].injections, 1);
    free_guest(d);
    hvh_cpu_leave();
    assert_int_equal(hvh_param_set("dpci_teardown_timeout_ms", "1000"), 0);
}

static void test_cpu_offline(void **state)
{
    struct domain *d;

    hvh_cpu_enter(3);
    d = new_guest(14, DPCI_POLICY_SOFTIRQ);
    assert_int_equal(hvh_dpci_bind(d, 0, 0x40), 0);
    assert_int_equal(hvh_dpci_bind(d, 3, 0x43), 0);
    assert_int_equal(fire(d, 0), 1);
    assert_int_equal(fire(d, 3), 1);
    assert_int_equal(dpci_softirq_queued(3), 2);
    hvh_cpu_leave();

    /* pCPU 3 goes away with two items queued and never run. */
    assert_int_equal(hvh_cpu_down(3), 0);
    hvh_cpu_enter(0);
    hvh_cpu_poll();
    hvh_cpu_leave();
    hvh_cpu_enter(1);
    hvh_cpu_poll();
    hvh_cpu_leave();
    hvh_cpu_enter(2);
    hvh_cpu_poll();
    assert_int_equal(pirqs[0].injections, 1);
    assert_int_equal(pirqs[3].injections, 1);
    assert_int_equal(arch_pci_clean_pirqs(d), 0);
    free_guest(d);
    hvh_cpu_leave();
    assert_int_equal(hvh_cpu_up(3), 0);

    /* The baseline's tasklets move too. */
    hvh_cpu_enter(3);
    d = new_guest(17, DPCI_POLICY_TASKLET);
    assert_int_equal(hvh_dpci_bind(d, 1, 0x41), 0);
    assert_int_equal(fire(d, 1), 1);
    hvh_cpu_leave();
    assert_int_equal(hvh_cpu_down(3), 0);
    for ( unsigned int cpu = 0; cpu < 3; cpu++ )
    {
        hvh_cpu_enter(cpu);
        hvh_cpu_poll();
        hvh_cpu_leave();
    }
    assert_int_equal(pirqs[1].injections, 1);
    hvh_cpu_enter(0);
    free_guest(d);
    hvh_cpu_leave();
    assert_int_equal(hvh_cpu_up(3), 0);
    dpci_policy = DPCI_POLICY_SOFTIRQ;
}

static void test_baseline_tasklet(void **state)
{
    struct domain *d;
    struct dpci_totals t0, t1;

    hvh_cpu_enter(1);
    d = new_guest(15, DPCI_POLICY_TASKLET);
    read_totals(15, &t0);
    assert_int_equal(hvh_dpci_bind(d, 0, 0x40), 0);
    assert_int_equal(fire(d, 0), 1);
    assert_int_equal(fire(d, 0), 1);
    hvh_cpu_poll();
    assert_int_equal(pirqs[0].injections, 1);
    read_totals(15, &t1);
    /* Two schedules and one run, each a global lock acquisition. */
    assert_true(t1.lock_acq - t0.lock_acq >= 4);
    /* Teardown kills a queued tasklet: it never runs afterwards. */
    assert_int_equal(fire(d, 0), 1);
    assert_int_equal(hvh_dpci_unbind(d, 0), 0);
    __atomic_store_n(&pirqs[0].torn, 1, __ATOMIC_SEQ_CST);
    hvh_cpu_poll();
    assert_int_equal(pirqs[0].injections, 1);
    assert_int_equal(violations_after_teardown, 0);
    free_guest(d);
    hvh_cpu_leave();
    dpci_policy = DPCI_POLICY_SOFTIRQ;
}

/* The DPCI_* records a short inline run leaves in a trace file. */
static void test_trace_events(void **state)
{
    char path[] = "/tmp/hv-dpci-trace-XXXXXX";
    unsigned int sched = 0, run = 0, batch = 0, eagain = 0;
    struct xte_reader *r;
    struct xte_record rec;
    struct xte_error err;
    struct domain *d;
    int fd = mkstemp(path), rc;

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(hvh_trace_open(path, 1 << 16), 0);
    hvh_cpu_enter(2);
    d = new_guest(16, DPCI_POLICY_SOFTIRQ);
    assert_int_equal(hvh_dpci_bind(d, 3, 0x43), 0);
    assert_int_equal(fire(d, 3), 1);
    assert_int_equal(fire(d, 3), 1);            /* coalesced: no record */
    assert_int_equal(hvh_dpci_unbind(d, 3), -EAGAIN);
    hvh_cpu_poll();
    assert_int_equal(hvh_dpci_unbind(d, 3), 0);
    free_guest(d);
    hvh_cpu_leave();
    assert_int_equal(hvh_trace_close(), 0);

    r = xte_reader_open(path, NULL, &err);
    assert_non_null(r);
    while ( (rc = xte_reader_next(r, &rec)) == 1 )
    {
        switch ( rec.event )
        {
        case TRC_VTDSCALE_DPCI_SCHEDULE:
            assert_int_equal(rec.nr_extra, 3);
            assert_int_equal(rec.extra[0], 16);         /* domid */
            assert_int_equal(rec.extra[1], 3);          /* pirq */
            assert_int_equal(rec.extra[2], 2);          /* pCPU */
            sched++;
            break;
        case TRC_VTDSCALE_DPCI_RUN:
            assert_int_equal(rec.nr_extra, 5);
            assert_int_equal(rec.extra[0], 16);
            assert_int_equal(rec.extra[1], 3);
            assert_int_equal(rec.cpu, 2);
            run++;
            break;
        case TRC_VTDSCALE_DPCI_BATCH:
            assert_int_equal(rec.extra[1], 1);          /* items */
            batch++;
            break;
        case TRC_VTDSCALE_DPCI_TEARDOWN_EAGAIN:
            assert_int_equal(rec.extra[0], 16);
            assert_int_equal(rec.extra[1], 3);
            eagain++;
            break;
        }
    }
    assert_int_equal(rc, 0);
    xte_reader_close(r);
    unlink(path);
    assert_int_equal(sched, 1);
    assert_int_equal(run, 1);
    assert_int_equal(batch, 1);
    assert_int_equal(eagain, 1);
}

/* ---- the race (threaded) -------------------------------------------------- */

#define RACE_CPUS 6                 /* more pCPU threads than host cores */

static struct {
    struct domain *d;
    int stop;
    int pause;                      /* control asks sources to pause */
    int paused;                     /* sources that acknowledged */
    int epoch;                      /* control's drain round */
    int acks[RACE_CPUS];            /* last round each source drained */
    unsigned int nr_sources;
    uint64_t eagains;               /* -EAGAIN returns seen by control */
    unsigned int iterations;
    const char *failure;
} race;

static void source_loop(void *arg)
{
    unsigned int me = (uintptr_t)arg, n = 0;
    uint64_t x = 0x9e3779b97f4a7c15ULL * (me + 1);

    while ( !__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE) )
    {
        if ( __atomic_load_n(&race.pause, __ATOMIC_ACQUIRE) )
        {
            /* Drain what this pCPU holds before saying so. */
            process_pending_softirqs();
            __atomic_fetch_add(&race.paused, 1, __ATOMIC_ACQ_REL);
            while ( __atomic_load_n(&race.pause, __ATOMIC_ACQUIRE) &&
                    !__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE) )
            {
                int e = __atomic_load_n(&race.epoch, __ATOMIC_ACQUIRE);

                process_pending_softirqs();
                /* Everything this pCPU ran so far is now visible. */
                __atomic_store_n(&race.acks[me], e, __ATOMIC_RELEASE);
                cpu_relax();
            }
            __atomic_fetch_sub(&race.paused, 1, __ATOMIC_ACQ_REL);
            continue;
        }
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        fire(race.d, x % NR_PIRQS);
        if ( ++n % 4 == 0 )
            process_pending_softirqs();
        if ( n % 64 == 0 )
            cpu_relax();
    }
    process_pending_softirqs();
}

/* Whether an injection of pirq p is queued or running anywhere. */
static bool in_flight(unsigned int p)
{
    struct hvm_pirq_dpci *pd = hvh_dpci_item(race.d, p);

    if ( dpci_policy == DPCI_POLICY_TASKLET )
        return tasklet_is_scheduled(hvh_dpci_tasklet(pd));
    return pt_pirq_softirq_active(pd);
}

/*
 * A teardown that returned 0 must leave nothing in flight: the binding is
 * gone, so nothing can be scheduled again, and whatever was queued has run
 * (fix) or was dropped (baseline).  In Xen a run after this point would
 * touch a freed pirq_dpci.
 */
static void check_torn(unsigned int p)
{
    if ( in_flight(p) )
        race.failure = "item still in flight after its teardown returned 0";
    pirqs[p].torn_runs = __atomic_load_n(&hvh_dpci_item(race.d, p)->ext.runs,
                                         __ATOMIC_SEQ_CST);
    pirqs[p].torn_valid = true;
}

/* Give in-flight work on other pCPUs a chance to (wrongly) run. */
static void linger(void)
{
    for ( unsigned int spin = 0; spin < 8; spin++ )
    {
        process_pending_softirqs();
        cpu_relax();
    }
}

/* Retry a teardown the way a domctl continuation does, bounded. */
static int retry(int (*op)(struct domain *, unsigned int), unsigned int p)
{
    s_time_t deadline = NOW() + SECONDS(10);
    int rc;

    while ( (rc = op(race.d, p)) == -EAGAIN || rc == -ERESTART )
    {
        race.eagains++;
        if ( NOW() > deadline )
            return rc;
        process_pending_softirqs();
        cpu_relax();
    }
    return rc;
}

static int clean_all(struct domain *d, unsigned int unused)
{
    return arch_pci_clean_pirqs(d);
}

static int bind(struct domain *d, unsigned int p)
{
    int rc;

    /*
     * The binding was cleared before this point, so an interrupt whose tick
     * is above this one and that was accepted belongs to the new binding.
     */
    pirqs[p].bind_tick = __atomic_load_n(&pirqs[p].tick, __ATOMIC_SEQ_CST);
    /* Nothing may have run for it between its teardown and now. */
    if ( d == race.d && pirqs[p].torn_valid &&
         __atomic_load_n(&hvh_dpci_item(d, p)->ext.runs, __ATOMIC_SEQ_CST) !=
         pirqs[p].torn_runs )
        race.failure = "item ran after its teardown returned 0";
    pirqs[p].torn_valid = false;
    __atomic_store_n(&pirqs[p].torn, 0, __ATOMIC_SEQ_CST);
    rc = hvh_dpci_bind(d, p, 0x40 + p);
    return rc;
}

static void torn(unsigned int p)
{
    __atomic_store_n(&pirqs[p].torn, 1, __ATOMIC_SEQ_CST);
}

static void check_quiet(void)
{
    struct dpci_totals t;
    uint64_t injections = 0;
    s_time_t deadline = NOW() + SECONDS(20);
    unsigned int p, cpu;
    bool busy;
    int e;

    __atomic_store_n(&race.pause, 1, __ATOMIC_RELEASE);
    while ( __atomic_load_n(&race.paused, __ATOMIC_ACQUIRE) <
            (int)race.nr_sources )
    {
        process_pending_softirqs();
        cpu_relax();
    }
    /* No new interrupts now: wait (bounded) for every item to drain. */
    do {
        process_pending_softirqs();
        cpu_relax();
        busy = false;
        for ( p = 0; p < NR_PIRQS; p++ )
            if ( pt_pirq_softirq_active(hvh_dpci_item(race.d, p)) ||
                 (dpci_policy == DPCI_POLICY_TASKLET &&
                  tasklet_is_scheduled(hvh_dpci_tasklet(hvh_dpci_item(race.d, p)))) )
                busy = true;
    } while ( busy && NOW() < deadline );
    if ( busy )
        race.failure = "item stranded: not run 20 s after interrupts stopped";
    /* One more round on every source, so that its counters are visible. */
    e = __atomic_add_fetch(&race.epoch, 1, __ATOMIC_ACQ_REL);
    for ( cpu = 1; cpu < RACE_CPUS; cpu++ )
        while ( __atomic_load_n(&race.acks[cpu], __ATOMIC_ACQUIRE) < e )
            cpu_relax();

    for ( p = 0; p < NR_PIRQS; p++ )
    {
        struct hvm_pirq_dpci *pd = hvh_dpci_item(race.d, p);
        uint64_t acc = __atomic_load_n(&pirqs[p].accepted, __ATOMIC_RELAXED);

        /* Interrupts accepted under an earlier binding may be dropped. */
        if ( (pd->flags & HVM_IRQ_DPCI_MAPPED) && acc > pirqs[p].bind_tick &&
             __atomic_load_n(&pirqs[p].seen, __ATOMIC_RELAXED) < acc )
            race.failure = "accepted interrupt never injected (lost)";
        injections += __atomic_load_n(&pirqs[p].injections, __ATOMIC_RELAXED);
    }
    read_totals(race.d->domain_id, &t);
    if ( dpci_policy == DPCI_POLICY_SOFTIRQ && t.dom_scheduled != t.dom_run )
        race.failure = "items_scheduled != items_run after drain";
    if ( injections > t.dom_run )
        race.failure = "more injections than runs (duplicated)";
    if ( __atomic_load_n(&violations_after_teardown, __ATOMIC_RELAXED) )
        race.failure = "injection after teardown completed";

    __atomic_store_n(&race.pause, 0, __ATOMIC_RELEASE);
}

static void control_loop(void *arg)
{
    uint64_t x = 0x5851f42d4c957f2dULL;
    unsigned int it, p;

    for ( p = 0; p < NR_PIRQS; p++ )
        if ( bind(race.d, p) )
            race.failure = "initial bind failed";

    for ( it = 0; it < race.iterations && !race.failure; it++ )
    {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        p = x % NR_PIRQS;
        /* Let interrupts flow. */
        for ( unsigned int spin = 0; spin < 20; spin++ )
        {
            process_pending_softirqs();
            cpu_relax();
        }
        switch ( (x >> 8) % 4 )
        {
        case 0:         /* unbind, rebind */
        case 1:
            if ( retry(hvh_dpci_unbind, p) )
                race.failure = "unbind did not complete";
            check_torn(p);
            torn(p);
            linger();
            if ( retry(bind, p) )
                race.failure = "rebind did not complete";
            break;
        case 2:         /* rebind straight away while it may be in flight */
            switch ( hvh_dpci_unbind(race.d, p) )
            {
            case -EAGAIN:
                race.eagains++;
                break;
            case 0:
                check_torn(p);
                break;
            default:
                race.failure = "unbind failed";
            }
            torn(p);
            if ( retry(bind, p) )
                race.failure = "rebind did not complete";
            break;
        case 3:         /* destroy: everything, then bind all again */
            if ( retry(clean_all, 0) )
                race.failure = "domain teardown did not complete";
            for ( p = 0; p < NR_PIRQS; p++ )
            {
                check_torn(p);
                torn(p);
            }
            linger();
            for ( p = 0; p < NR_PIRQS; p++ )
                if ( retry(bind, p) )
                    race.failure = "bind after teardown did not complete";
            break;
        }
        if ( it % 16 == 15 )
            check_quiet();
    }
    check_quiet();
    if ( retry(clean_all, 0) )
        race.failure = "final teardown did not complete";
    for ( p = 0; p < NR_PIRQS; p++ )
        torn(p);
}

static void run_race(enum dpci_policy policy, unsigned int iterations)
{
    struct dpci_totals t;
    unsigned int cpu;

    memset(&race, 0, sizeof(race));
    race.iterations = iterations;
    hvh_cpu_enter(0);
    race.d = new_guest(policy == DPCI_POLICY_SOFTIRQ ? 21 : 22, policy);
    hvh_cpu_leave();

    assert_int_equal(hvh_start_cpus(), 0);
    race.nr_sources = RACE_CPUS - 1;
    for ( cpu = 1; cpu < RACE_CPUS; cpu++ )
        assert_int_equal(hvh_queue_on(cpu, source_loop,
                                      (void *)(uintptr_t)cpu), 0);
    assert_int_equal(hvh_run_on(0, control_loop, NULL), 0);
    __atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
    hvh_quiesce();
    hvh_stop_cpus();

    if ( race.failure )
        fail_msg("%s policy, after %u iterations: %s",
                 policy == DPCI_POLICY_SOFTIRQ ? "softirq" : "tasklet",
                 race.iterations, race.failure);
    read_totals(race.d->domain_id, &t);
    print_message("%s: %llu scheduled, %llu run, %llu -EAGAIN\n",
                  policy == DPCI_POLICY_SOFTIRQ ? "softirq" : "tasklet",
                  (unsigned long long)t.dom_scheduled,
                  (unsigned long long)t.dom_run,
                  (unsigned long long)race.eagains);
    assert_true(t.dom_scheduled > 0);
    hvh_cpu_enter(0);
    free_guest(race.d);
    hvh_cpu_leave();
    dpci_policy = DPCI_POLICY_SOFTIRQ;
}

static void test_race_softirq(void **state)
{
    struct dpci_totals t0, t1;

    hvh_cpu_enter(0);
    read_totals(21, &t0);
    hvh_cpu_leave();
    run_race(DPCI_POLICY_SOFTIRQ, 1000);
    hvh_cpu_enter(0);
    read_totals(21, &t1);
    hvh_cpu_leave();
    /* Every -EAGAIN the control pCPU saw was counted, and no more. */
    assert_int_equal(t1.eagain - t0.eagain, race.eagains);
}

static void test_race_tasklet(void **state)
{
    run_race(DPCI_POLICY_TASKLET, 300);
}

/* The boot parameter: both values; a bad one is refused by name. */
static void test_boot_param(void **state)
{
    static const struct {
        const char *cmdline;
        enum dpci_policy want;
        int rc;
    } cases[] = {
        { "dpci_policy=tasklet", DPCI_POLICY_TASKLET, 0 },
        { "dpci_policy=softirq", DPCI_POLICY_SOFTIRQ, 0 },
        { "dpci_policy=both", DPCI_POLICY_SOFTIRQ, -1 },
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        hvh_shutdown();
        dpci_policy = DPCI_POLICY_SOFTIRQ;          /* the built-in default */
        assert_int_equal(hvh_boot(RACE_CPUS, cases[i].cmdline), cases[i].rc);
        assert_int_equal(dpci_policy, cases[i].want);
    }
    assert_int_equal(hvh_boot(RACE_CPUS, NULL), 0);
    dpci_policy = DPCI_POLICY_SOFTIRQ;
}

static int setup(void **state)
{
    hvh_set_verbosity(1);
    return hvh_boot(RACE_CPUS, "dpci_policy=softirq") ? -1 : 0;
}

static int teardown(void **state)
{
    hvh_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_once),
        cmocka_unit_test(test_msi_eoi),
        cmocka_unit_test(test_msi_posted_fixed),
        cmocka_unit_test(test_msi_posted_lowest),
        cmocka_unit_test(test_msi_remapped),
        cmocka_unit_test(test_msi_msixtbl_mask),
        cmocka_unit_test(test_eoi_walk),
        cmocka_unit_test(test_intx),
        cmocka_unit_test(test_hwdom_gsi),
        cmocka_unit_test(test_msi_translate),
        cmocka_unit_test(test_isairq_eoi),
        cmocka_unit_test(test_verbose_log),
        cmocka_unit_test(test_evtchn_pirq),
        cmocka_unit_test(test_teardown_eagain),
        cmocka_unit_test(test_rebind_bounded),
        cmocka_unit_test(test_cpu_offline),
        cmocka_unit_test(test_baseline_tasklet),
        cmocka_unit_test(test_trace_events),
        cmocka_unit_test(test_race_softirq),
        cmocka_unit_test(test_race_tasklet),
        cmocka_unit_test(test_boot_param),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
