/*
 * test_msixtbl.c - MSI-X table accesses: what a guest reads is what the
 * device would return, whether the hypervisor answers it (fix) or the
 * device model does (baseline and everything the fix leaves to it).
 *
 * The reference is an independent byte-level model of the device below;
 * the path under test is the hypervisor's MMIO handler plus the device
 * model thread behind its real eventfd channel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <hvh/harness.h>
#include <xen/errno.h>
#include <xen/irq.h>
#include <xen/pci.h>
#include <xen/sched.h>
#include <xen/telemetry.h>
#include <asm/hvm/io.h>
#include <asm/hvm/msixtbl.h>
#include <hvh/dpci.h>

#include "devmodel.h"
#include "xentrace.h"

#define GTABLE   0xfebf0000ULL
#define NR_ENT   8
#define GPBA     (GTABLE + 0x800)
/* Accesses land anywhere in [REGION_LO, REGION_HI). */
#define REGION_LO (GTABLE - 0x40)
#define REGION_HI (GPBA + 0x40)

/* ---- reference device ---------------------------------------------- */

struct ref_dev {
    uint32_t ad[NR_ENT][3];         /* address low, high, data */
    uint32_t mask[NR_ENT];
    uint64_t pba;
};

static void ref_reset(struct ref_dev *r)
{
    memset(r, 0, sizeof(*r));
    for ( unsigned int i = 0; i < NR_ENT; i++ )
        r->mask[i] = 1;
}

static uint8_t ref_byte(const struct ref_dev *r, uint64_t a)
{
    if ( a >= GTABLE && a < GTABLE + NR_ENT * 16 )
    {
        unsigned int off = a - GTABLE, nr = off / 16, dw = (off % 16) / 4;
        uint32_t v = dw == 3 ? r->mask[nr] : r->ad[nr][dw];

        return v >> (8 * (off % 4));
    }
    if ( a >= GPBA && a < GPBA + 8 )
        return r->pba >> (8 * (a - GPBA));
    return 0xff;
}

static uint64_t ref_read(const struct ref_dev *r, uint64_t a, unsigned int len)
{
    uint64_t v = 0;

    for ( unsigned int i = 0; i < len; i++ )
        v |= (uint64_t)ref_byte(r, a + i) << (8 * i);
    return v;
}

static void ref_write(struct ref_dev *r, uint64_t a, unsigned int len,
                      uint64_t v)
{
    for ( unsigned int i = 0; i < len; i++, a++ )
    {
        uint8_t b = v >> (8 * i);

        if ( a >= GTABLE && a < GTABLE + NR_ENT * 16 )
        {
            unsigned int off = a - GTABLE, nr = off / 16, dw = (off % 16) / 4;
            unsigned int sh = 8 * (off % 4);

            if ( dw == 3 )
            {
                if ( sh == 0 )
                    r->mask[nr] = b & 1;
            }
            else
                r->ad[nr][dw] = (r->ad[nr][dw] & ~(0xffu << sh)) |
                                ((uint32_t)b << sh);
        }
    }
}

/* ---- the system under test --------------------------------------------- */

struct rig {
    struct domain *d;
    struct msix_dm *dm;
    struct ref_dev ref;
};

static struct rig *rig_new(enum msixtbl_policy policy, uint16_t domid)
{
    struct rig *g = calloc(1, sizeof(*g));

    assert_non_null(g);
    msixtbl_policy = policy;
    g->d = hvh_domain_create(domid, 1, true);
    assert_non_null(g->d);
    g->dm = msix_dev_attach(g->d, GTABLE, NR_ENT, GPBA);
    assert_non_null(g->dm);
    ref_reset(&g->ref);
    return g;
}

static void rig_free(struct rig *g)
{
    msix_dev_detach(g->dm);
    hvh_domain_destroy(g->d);
    free(g);
}

static uint64_t guest_read(struct rig *g, uint64_t a, unsigned int len)
{
    uint64_t v = 0xdeadbeefdeadbeefULL;

    assert_int_equal(msix_guest_access(g->dm, a, len, false, &v), 0);
    return v;
}

static void guest_write(struct rig *g, uint64_t a, unsigned int len,
                        uint64_t v)
{
    assert_int_equal(msix_guest_access(g->dm, a, len, true, &v), 0);
    ref_write(&g->ref, a, len, v);
}

/* The device latches an interrupt: both models see the pending bit. */
static void device_pending(struct rig *g, unsigned int vec, bool set)
{
    uint64_t bit = 1ULL << vec;

    msix_dm_set_pending(g->dm, vec, set);
    g->ref.pba = set ? (g->ref.pba | bit) : (g->ref.pba & ~bit);
}

/* Accesses msixtbl_range() takes: those starting in the table. */
static bool in_table(uint64_t a)
{
    return a >= GTABLE && a < GTABLE + NR_ENT * 16;
}

/* The guest's mask bit of vector nr, as the hypervisor set it. */
static bool vector_masked(struct rig *g, unsigned int nr)
{
    struct hvh_dpci_msi_view v;

    hvh_dpci_msi_view(g->d, nr, &v);
    return v.guest_masked;
}

static uint64_t len_mask(unsigned int len)
{
    return len == 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
}

/* ---- property test ------------------------------------------------------- */

static uint64_t rnd_state;
static uint64_t rnd(void)
{
    /* xorshift64*: reproducible from the seed printed on failure. */
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return rnd_state * 2685821657736338717ULL;
}

static uint64_t rnd_addr(unsigned int len)
{
    switch ( rnd() % 4 )
    {
    case 0:     /* anywhere, any alignment */
        return REGION_LO + rnd() % (REGION_HI - REGION_LO - len);
    case 1:     /* PBA */
        return GPBA + (rnd() % 8 / len) * len;
    default:    /* the table, naturally aligned most of the time */
    {
        uint64_t a = GTABLE + rnd() % (NR_ENT * 16);

        return rnd() % 8 ? a & ~(uint64_t)(len - 1) : a;
    }
    }
}

struct prop_stats {
    unsigned long reads, emulated_before, forwarded_reads;
};

static void run_property(enum msixtbl_policy policy, unsigned long ops,
                         uint64_t seed)
{
    /* Drivers use 4 and 8 bytes; 1 and 2 exercise the forwarded path. */
    static const unsigned int sizes[] = { 1, 2, 4, 4, 4, 8, 8, 8 };
    struct rig *g = rig_new(policy, 7);
    unsigned long reads = 0, taken = 0, i;
    uint64_t dm_reads0 = msix_dm_reads(g->dm);

    rnd_state = seed;
    for ( i = 0; i < ops; i++ )
    {
        unsigned int len = sizes[rnd() % ARRAY_SIZE(sizes)];
        uint64_t a = rnd_addr(len);
        unsigned int kind = rnd() % 10;

        if ( kind < 5 )
        {
            uint64_t got = guest_read(g, a, len);
            uint64_t want = ref_read(&g->ref, a, len);

            reads++;
            taken += in_table(a);
            if ( (got & len_mask(len)) != want )
                fail_msg("seed %#llx op %lu: read %#llx len %u = %#llx, "
                         "device has %#llx", (unsigned long long)seed, i,
                         (unsigned long long)a, len,
                         (unsigned long long)got, (unsigned long long)want);
        }
        else if ( kind < 9 )
        {
            uint64_t v = rnd();

            /* Mostly mask/unmask values in vector control. */
            if ( rnd() % 2 )
                v &= 1;
            guest_write(g, a, len, v);
        }
        else
            device_pending(g, rnd() % NR_ENT, rnd() % 2);
    }

    print_message("policy %s: %lu ops, %lu reads (%lu in the table), "
                  "%llu emulated, %llu forwarded\n",
                  policy == MSIXTBL_POLICY_FORWARD ? "forward" : "emulate",
                  ops, reads, taken,
                  (unsigned long long)g->d->msixtbl.reads_emulated,
                  (unsigned long long)g->d->msixtbl.reads_forwarded);
    /*
     * Every table read was answered exactly once, by one of the two
     * paths; the rest of the region went to the device model uncounted.
     */
    assert_int_equal(g->d->msixtbl.reads_emulated + g->d->msixtbl.reads_forwarded,
                     taken);
    assert_int_equal(msix_dm_reads(g->dm) - dm_reads0,
                     g->d->msixtbl.reads_forwarded + (reads - taken));
    if ( policy == MSIXTBL_POLICY_FORWARD )
        assert_int_equal(g->d->msixtbl.reads_emulated, 0);
    else
    {
        /* Both paths must have been exercised for the test to mean much. */
        assert_true(g->d->msixtbl.reads_emulated > reads / 10);
        assert_true(g->d->msixtbl.reads_forwarded > reads / 10);
    }
    rig_free(g);
}

static void test_property_emulate(void **state)
{
    run_property(MSIXTBL_POLICY_EMULATE, 6000, 0x9e3779b97f4a7c15ULL);
    run_property(MSIXTBL_POLICY_EMULATE, 6000, 0x0123456789abcdefULL);
}

static void test_property_forward(void **state)
{
    run_property(MSIXTBL_POLICY_FORWARD, 4000, 0x9e3779b97f4a7c15ULL);
}

/* ---- directed tests -------------------------------------------------------- */

/* Linux's edge flow: program, then mask, unmask, read back to flush. */
static void test_edge_flow_emulated(void **state)
{
    struct rig *g = rig_new(MSIXTBL_POLICY_EMULATE, 8);
    uint64_t ctrl = GTABLE + 3 * 16 + PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET;
    uint64_t dm0, re0, wi0;

    guest_write(g, GTABLE + 3 * 16, 8, 0x00000000fee01000ULL);
    guest_write(g, GTABLE + 3 * 16 + 8, 4, 0x4041);
    /* The first unmask after programming goes by the device model. */
    guest_write(g, ctrl, 4, 0);
    assert_false(vector_masked(g, 3));
    dm0 = msix_dm_requests(g->dm);
    re0 = g->d->msixtbl.reads_emulated;
    wi0 = g->d->msixtbl.writes_intercepted;
    for ( unsigned int i = 0; i < 100; i++ )
    {
        guest_write(g, ctrl, 4, 1);
        assert_int_equal(guest_read(g, ctrl, 4), 1);
        guest_write(g, ctrl, 4, 0);
        assert_int_equal(guest_read(g, ctrl, 4), 0);
        assert_int_equal(guest_read(g, GTABLE + 3 * 16 + 8, 8), 0x4041);
    }
    /* Nothing of the flow reached the device model... */
    assert_int_equal(msix_dm_requests(g->dm), dm0);
    /* ...and the vector's mask bit is what the guest set. */
    assert_false(vector_masked(g, 3));
    assert_int_equal(g->d->msixtbl.reads_emulated - re0, 300);
    assert_int_equal(g->d->msixtbl.writes_intercepted - wi0, 200);
    rig_free(g);
}

static void test_edge_flow_forwarded(void **state)
{
    struct rig *g = rig_new(MSIXTBL_POLICY_FORWARD, 9);
    uint64_t ctrl = GTABLE + PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET;
    uint64_t dm0 = msix_dm_reads(g->dm);

    for ( unsigned int i = 0; i < 50; i++ )
    {
        guest_write(g, ctrl, 4, 1);
        assert_int_equal(guest_read(g, ctrl, 4), 1);
        guest_write(g, ctrl, 4, 0);
        assert_int_equal(guest_read(g, ctrl, 4), 0);
    }
    /* Baseline: every flush read is a device-model round trip. */
    assert_int_equal(msix_dm_reads(g->dm) - dm0, 100);
    assert_int_equal(g->d->msixtbl.writes_intercepted, 100);
    assert_int_equal(g->d->msixtbl.reads_emulated, 0);
    rig_free(g);
}

/* What the fix must still forward. */
static void test_still_forwarded(void **state)
{
    struct rig *g = rig_new(MSIXTBL_POLICY_EMULATE, 10);
    uint64_t e1 = GTABLE + 16;
    uint64_t fwd0, dm0;

    guest_write(g, e1, 4, 0xfee00000);
    guest_write(g, e1 + 4, 4, 0);
    guest_write(g, e1 + 8, 4, 0x31);
    fwd0 = g->d->msixtbl.reads_forwarded;

    dm0 = msix_dm_reads(g->dm);
    device_pending(g, 5, true);
    assert_int_equal(guest_read(g, GPBA, 8), 1ULL << 5);       /* PBA */
    assert_int_equal(guest_read(g, e1, 2), 0x0000);            /* size 2 */
    assert_int_equal(guest_read(g, e1 + 1, 1), 0x00);          /* size 1 */
    assert_int_equal(guest_read(g, e1 + 2, 4) & 0xffffffff,
                     ref_read(&g->ref, e1 + 2, 4));            /* misaligned */
    assert_int_equal(guest_read(g, GTABLE + 5 * 16, 4), 0);    /* never written */
    assert_int_equal(guest_read(g, GTABLE + NR_ENT * 16, 4),
                     0xffffffff);                              /* past the table */
    /* All six reached the device model; the handler saw the four that
     * start in the table (PBA and beyond are not its to take). */
    assert_int_equal(msix_dm_reads(g->dm) - dm0, 6);
    assert_int_equal(g->d->msixtbl.reads_forwarded - fwd0, 4);

    /* Known dwords are emulated; a byte write makes one unknown again. */
    fwd0 = g->d->msixtbl.reads_forwarded;
    assert_int_equal(guest_read(g, e1, 8), 0xfee00000);
    guest_write(g, e1 + 1, 1, 0x12);
    assert_int_equal(guest_read(g, e1, 4), 0xfee01200);
    assert_int_equal(g->d->msixtbl.reads_forwarded - fwd0, 1);
    guest_write(g, e1, 4, 0xfee02000);
    assert_int_equal(guest_read(g, e1, 4), 0xfee02000);
    assert_int_equal(g->d->msixtbl.reads_forwarded - fwd0, 1);

    /* A byte write that clears the mask goes to the device model, which
     * rebinds the vector unmasked: the hypervisor's answer follows. */
    guest_write(g, e1 + 12, 4, 1);
    assert_true(vector_masked(g, 1));
    guest_write(g, e1 + 12, 1, 0);
    assert_false(vector_masked(g, 1));
    assert_int_equal(guest_read(g, e1 + 12, 4), 0);
    assert_int_equal(g->d->msixtbl.reads_forwarded - fwd0, 1);
    rig_free(g);
}

/*
 * An unmask after the guest changed address or data goes to the device
 * model first (it must rebind the vector with the new message); the
 * hypervisor unmasks once the device model answered
 * (msix_write_completion()).  Without a change the unmask is the
 * hypervisor's alone.
 */
static void test_unmask_after_change(void **state)
{
    struct rig *g = rig_new(MSIXTBL_POLICY_EMULATE, 12);
    uint64_t e2 = GTABLE + 2 * 16, ctrl = e2 + 12, dm0, wf0;
    struct vcpu *v = g->d->vcpu[0];

    guest_write(g, e2 + 8, 4, 0x4242);
    dm0 = msix_dm_requests(g->dm);
    wf0 = g->d->msixtbl.writes_intercepted;
    guest_write(g, ctrl, 4, 0);
    assert_int_equal(msix_dm_requests(g->dm) - dm0, 1);
    assert_int_equal(g->d->msixtbl.writes_intercepted, wf0);
    assert_int_equal(v->arch.hvm.hvm_io.msix_unmask_address, 0);
    assert_false(vector_masked(g, 2));

    guest_write(g, ctrl, 4, 1);
    guest_write(g, ctrl, 4, 0);
    assert_int_equal(msix_dm_requests(g->dm) - dm0, 1);
    assert_int_equal(g->d->msixtbl.writes_intercepted - wf0, 2);
    assert_false(vector_masked(g, 2));
    rig_free(g);
}

/*
 * An 8-byte write of data and vector control: the hypervisor applies the
 * mask bit and the device model still gets the data; both read back.
 */
static void test_data_ctrl_qword(void **state)
{
    struct rig *g = rig_new(MSIXTBL_POLICY_EMULATE, 13);
    uint64_t e4 = GTABLE + 4 * 16, dm0, re0;

    guest_write(g, e4 + 8, 8, (1ULL << 32) | 0x77);
    assert_true(vector_masked(g, 4));
    dm0 = msix_dm_reads(g->dm);
    re0 = g->d->msixtbl.reads_emulated;
    assert_int_equal(guest_read(g, e4 + 8, 8), (1ULL << 32) | 0x77);
    assert_int_equal(guest_read(g, e4 + 8, 4), 0x77);
    assert_int_equal(g->d->msixtbl.reads_emulated - re0, 2);
    assert_int_equal(msix_dm_reads(g->dm), dm0);
    rig_free(g);
}

/*
 * The table is registered once per device and lives while one of its
 * vectors is bound: after the last unbind the handler takes nothing and
 * every access goes to the device model uncounted.  A domain whose
 * MSI-X handling was never set up refuses the registration.
 */
static void test_registration(void **state)
{
    struct rig *g = rig_new(MSIXTBL_POLICY_EMULATE, 14);
    uint64_t ctrl = GTABLE + 12, fwd0, re0, dm0;
    struct hvh_dpci_msi_view view;
    struct domain *d;
    unsigned int i;

    hvh_dpci_msi_view(g->d, 0, &view);
    assert_true(view.msixtbl_registered);
    assert_int_equal(view.msixtbl_gtable, GTABLE);
    assert_int_equal(view.msixtbl_refcnt, NR_ENT);

    write_lock(&g->d->event_lock);
    for ( i = 1; i < NR_ENT; i++ )
        msixtbl_pt_unregister(g->d, pirq_info(g->d, i));
    write_unlock(&g->d->event_lock);
    hvh_dpci_msi_view(g->d, 0, &view);
    assert_int_equal(view.msixtbl_refcnt, 1);
    re0 = g->d->msixtbl.reads_emulated;
    assert_int_equal(guest_read(g, ctrl, 4), 1);
    assert_int_equal(g->d->msixtbl.reads_emulated - re0, 1);

    write_lock(&g->d->event_lock);
    msixtbl_pt_unregister(g->d, pirq_info(g->d, 0));
    write_unlock(&g->d->event_lock);
    hvh_dpci_msi_view(g->d, 0, &view);
    assert_false(view.msixtbl_registered);
    fwd0 = g->d->msixtbl.reads_forwarded;
    dm0 = msix_dm_reads(g->dm);
    assert_int_equal(guest_read(g, ctrl, 4), 1);
    assert_int_equal(g->d->msixtbl.reads_forwarded, fwd0);
    assert_int_equal(msix_dm_reads(g->dm) - dm0, 1);
    rig_free(g);

    d = hvh_domain_create(15, 1, true);
    assert_non_null(d);
    assert_int_equal(hvh_dpci_domain_init(d, 2, NULL), 0);
    write_lock(&d->event_lock);
    assert_int_equal(msixtbl_pt_register(d, pirq_get_info(d, 0), GTABLE),
                     -ENODEV);
    write_unlock(&d->event_lock);
    hvh_dpci_domain_free(d);
    hvh_domain_destroy(d);
}

/* MSIX_EMULATED and MSIX_FORWARD records, with their fields. */
static void test_trace_events(void **state)
{
    char path[] = "/tmp/hv-msix-trace-XXXXXX";
    unsigned int emulated = 0, forwarded = 0;
    struct xte_reader *r;
    struct xte_record rec;
    struct xte_error err;
    struct rig *g;
    int fd = mkstemp(path), rc;

    assert_true(fd >= 0);
    close(fd);
    hvh_cpu_leave();
    assert_int_equal(hvh_trace_open(path, 1 << 16), 0);
    hvh_cpu_enter(0);
    g = rig_new(MSIXTBL_POLICY_EMULATE, 11);
    guest_write(g, GTABLE + 16 + 12, 4, 0);         /* intercepted */
    (void)guest_read(g, GTABLE + 16 + 12, 4);       /* emulated */
    (void)guest_read(g, GPBA, 2);                   /* not the handler's */
    (void)guest_read(g, GTABLE + 16, 2);            /* forwarded read */
    guest_write(g, GTABLE + 16 + 8, 4, 0x55);       /* forwarded write */
    rig_free(g);
    hvh_cpu_leave();
    assert_int_equal(hvh_trace_close(), 0);
    hvh_cpu_enter(0);

    r = xte_reader_open(path, NULL, &err);
    assert_non_null(r);
    while ( (rc = xte_reader_next(r, &rec)) == 1 )
    {
        if ( rec.event == TRC_VTDSCALE_MSIX_EMULATED )
        {
            assert_int_equal(rec.extra[0], 11);
            assert_int_equal(rec.extra[1], 16 + 12);
            assert_int_equal(rec.extra[2], 4);
            emulated++;
        }
        else if ( rec.event == TRC_VTDSCALE_MSIX_FORWARD )
        {
            assert_int_equal(rec.extra[0], 11);
            if ( forwarded == 0 )
            {
                assert_int_equal(rec.extra[1], 16);
                assert_int_equal(rec.extra[2], 2);
                assert_int_equal(rec.extra[3], 0);
            }
            else
            {
                assert_int_equal(rec.extra[1], 16 + 8);
                assert_int_equal(rec.extra[2], 4);
                assert_int_equal(rec.extra[3], 1);
            }
            forwarded++;
        }
    }
    assert_int_equal(rc, 0);
    xte_reader_close(r);
    unlink(path);
    assert_int_equal(emulated, 1);
    assert_int_equal(forwarded, 2);
}

/* The boot parameter: both values; a bad one is refused by name. */
static void test_boot_param(void **state)
{
    static const struct {
        const char *cmdline;
        enum msixtbl_policy want;
        int rc;
    } cases[] = {
        { "msixtbl_policy=forward", MSIXTBL_POLICY_FORWARD, 0 },
        { "msixtbl_policy=emulate", MSIXTBL_POLICY_EMULATE, 0 },
        { "msixtbl_policy=sideways", MSIXTBL_POLICY_EMULATE, -1 },
    };

    hvh_cpu_leave();
    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        hvh_shutdown();
        msixtbl_policy = MSIXTBL_POLICY_EMULATE;    /* the built-in default */
        assert_int_equal(hvh_boot(2, cases[i].cmdline), cases[i].rc);
        assert_int_equal(msixtbl_policy, cases[i].want);
    }
    assert_int_equal(hvh_boot(2, NULL), 0);
    hvh_cpu_enter(0);
}

static int setup(void **state)
{
    if ( hvh_boot(2, NULL) )
        return -1;
    hvh_cpu_enter(0);
    return 0;
}

static int teardown(void **state)
{
    hvh_cpu_leave();
    hvh_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_flow_emulated),
        cmocka_unit_test(test_edge_flow_forwarded),
        cmocka_unit_test(test_still_forwarded),
        cmocka_unit_test(test_unmask_after_change),
        cmocka_unit_test(test_data_ctrl_qword),
        cmocka_unit_test(test_registration),
        cmocka_unit_test(test_trace_events),
        cmocka_unit_test(test_boot_param),
        cmocka_unit_test(test_property_emulate),
        cmocka_unit_test(test_property_forward),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
