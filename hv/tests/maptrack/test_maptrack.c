/*
 * test_maptrack.c - maptrack handles (xen/common/grant_maptrack.c).
 *
 * The property: at any quiescent point every handle of the table is either
 * on exactly one free list or held by exactly one mapping; nothing is lost
 * and nothing is handed out twice.  The stress cases check it after many
 * vCPUs (pCPU threads, more than the host's cores) got and put handles
 * concurrently, with puts done by other vCPUs than the one that got the
 * handle, through table growth, steals at the frame limit and failures.
 * While they run, every get is checked against a claim flag per handle
 * (a handle given out while still held fails the test at once).
 *
 * The deterministic cases pin down the semantics: the limit is frames per
 * vCPU x vCPUs, a vCPU at the limit steals before failing, a vCPU that
 * never had a list can still get handles, the common path takes no lock
 * under the per-vCPU policy and always does under the locked one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hvh/harness.h>
#include <xen/sched.h>
#include <xen/telemetry.h>
#include <xen/grant_maptrack.h>

#include "maptrack_sim.h"
#include "telemetry.h"              /* tools/xentrace: the tools' decoder */

/* ---- helpers ---------------------------------------------------------- */

/*
 * Boot parameters keep their values across boots of one process: every
 * case names both, defaults first.
 */
static void boot(unsigned int cpus, const char *cmdline)
{
    char full[256];

    snprintf(full, sizeof(full), "maptrack_policy=percpu "
             "gnttab_max_maptrack_frames=1024 %s", cmdline);
    assert_int_equal(hvh_boot(cpus, full), 0);
    mt_sim_register_hooks();
}

/* Also after a failed case, so that the next one boots a fresh host. */
static int teardown(void **state)
{
    hvh_cpu_leave();
    hvh_shutdown();
    return 0;
}

struct audit {
    unsigned int total;
    unsigned char *count;       /* times each handle was seen */
    unsigned int bad_owner;     /* free entry on a list not its owner's */
    const struct domain *d;
};

static void audit_free(unsigned int h, unsigned int vcpu, void *arg)
{
    struct audit *a = arg;

    if ( h < a->total )
        a->count[h]++;
    if ( vcpu != ~0u &&
         __atomic_load_n(&maptrack_entry(a->d, h)->vcpu, __ATOMIC_RELAXED) !=
         vcpu )
        a->bad_owner++;
}

/*
 * Every handle below nr_frames * MAPTRACK_PER_PAGE must be free exactly
 * once or held exactly once (held[h] set by the caller's bookkeeping).
 */
static void audit_domain(const struct domain *d, const unsigned char *held,
                         unsigned int nr_held_expected)
{
    struct audit a = { .d = d };
    unsigned int h, dup = 0, missing = 0, held_seen = 0;
    int n;

    a.total = d->maptrack.nr_frames * MAPTRACK_PER_PAGE;
    a.count = calloc(a.total ? a.total : 1, 1);
    assert_non_null(a.count);

    n = maptrack_for_each_free(d, audit_free, &a);
    assert_true(n >= 0);

    for ( h = 0; h < a.total; h++ )
    {
        if ( held && held[h] )
        {
            a.count[h]++;
            held_seen++;
        }
        if ( a.count[h] > 1 )
            dup++;
        else if ( a.count[h] == 0 )
            missing++;
    }
    if ( dup || missing || a.bad_owner )
        print_error("audit: %u handles, %u duplicated, %u lost, %u on a "
                    "foreign list\n", a.total, dup, missing, a.bad_owner);
    assert_int_equal(dup, 0);
    assert_int_equal(missing, 0);
    assert_int_equal(a.bad_owner, 0);
    assert_int_equal(held_seen, nr_held_expected);
    assert_int_equal((unsigned int)n + held_seen, a.total);
    assert_int_equal(maptrack_in_use(d), nr_held_expected);
    free(a.count);
}

/*
 * The domain's record in /telemetry/maptrack, read and decoded as the
 * tools do (hypfs node bytes, tools/xentrace decoder).
 */
static uint64_t dom_field(const struct domain *d, const char *name)
{
    static uint8_t buf[1 << 16];
    struct xte_node_view view;
    struct xte_error err;
    size_t len;
    unsigned int i;

    assert_int_equal(hvh_hypfs_read("/telemetry/maptrack", buf, sizeof(buf),
                                    &len), 0);
    assert_int_equal(xte_node_parse(buf, len, "/telemetry/maptrack", &view,
                                    &err), 0);
    for ( i = 0; i < view.hdr.nr_domains; i++ )
    {
        const uint8_t *rec = xte_node_domain(&view, i);

        if ( xte_rec_u64(rec, xte_node_field(view.desc, 1, "domid")) ==
             d->domain_id )
            return xte_rec_u64(rec, xte_node_field(view.desc, 1, name));
    }
    fail_msg("domain %u has no record in /telemetry/maptrack",
             d->domain_id);
    return 0;
}

/* ---- deterministic cases (inline mode, one thread) -------------------- */

static unsigned int get_as(struct domain *d, unsigned int vcpu)
{
    set_current(d->vcpu[vcpu]);
    return get_maptrack_handle(d);
}

static void put_as(struct domain *d, unsigned int vcpu, unsigned int h)
{
    set_current(d->vcpu[vcpu]);
    put_maptrack_handle(d, h);
}

/* Per-vCPU lists: the common path takes no lock. */
static void test_percpu_common_path_lockless(void **state)
{
    struct domain *d;
    unsigned int h[64], i, round;
    uint64_t locks;

    boot(2, "maptrack_policy=percpu");
    hvh_cpu_enter(0);
    d = hvh_domain_create(1, 2, true);
    assert_non_null(d);
    assert_int_equal(d->maptrack.policy, MAPTRACK_POLICY_PERCPU);

    /* First get grows the table: one lock acquisition, one frame. */
    h[0] = get_as(d, 0);
    assert_int_not_equal(h[0], INVALID_MAPTRACK_HANDLE);
    assert_int_equal(d->maptrack.nr_frames, 1);
    put_as(d, 0, h[0]);
    locks = mt_sim_counter(MT_CTR_LOCKS);
    assert_int_equal(locks, 1);

    for ( round = 0; round < 100; round++ )
    {
        for ( i = 0; i < 64; i++ )
        {
            h[i] = get_as(d, 0);
            assert_int_not_equal(h[i], INVALID_MAPTRACK_HANDLE);
        }
        for ( i = 0; i < 64; i++ )
            put_as(d, i & 1, h[i]);     /* half of them remote puts */
    }
    assert_int_equal(mt_sim_counter(MT_CTR_LOCKS), locks);
    assert_int_equal(mt_sim_counter(MT_CTR_GETS), 1 + 6400);
    assert_int_equal(mt_sim_counter(MT_CTR_PUTS), 1 + 6400);
    assert_int_equal(mt_sim_counter(MT_CTR_REMOTE_PUTS), 3200);
    assert_int_equal(d->maptrack.nr_frames, 1);
    audit_domain(d, NULL, 0);

    hvh_domain_destroy(d);
}

/*
 * Where a put puts: the owner's goes in front of its own list (the next get
 * returns it, and the owner's tail, which remote puts write, is left
 * alone); another vCPU's is appended at the owner's tail.
 */
static void test_put_placement(void **state)
{
    struct domain *d;
    unsigned int a, b, tail;

    boot(2, "maptrack_policy=percpu");
    hvh_cpu_enter(0);
    d = hvh_domain_create(1, 2, true);
    assert_non_null(d);

    a = get_as(d, 0);
    b = get_as(d, 0);
    assert_int_not_equal(a, INVALID_MAPTRACK_HANDLE);
    assert_int_not_equal(b, INVALID_MAPTRACK_HANDLE);
    tail = d->vcpu[0]->maptrack.tail;

    /* Owner put: in front, tail unchanged, got again first. */
    put_as(d, 0, a);
    assert_int_equal(d->vcpu[0]->maptrack.tail, tail);
    assert_int_equal((uint32_t)d->vcpu[0]->maptrack.head, a);
    assert_int_equal(get_as(d, 0), a);

    /* Remote put: becomes vCPU 0's tail, linked after the old one. */
    put_as(d, 1, b);
    assert_int_equal(d->vcpu[0]->maptrack.tail, b);
    assert_int_equal(maptrack_entry(d, tail)->ref, b);
    assert_int_equal(maptrack_entry(d, b)->ref, MAPTRACK_TAIL);
    assert_int_equal(mt_sim_counter(MT_CTR_REMOTE_PUTS), 1);

    put_as(d, 0, a);
    audit_domain(d, NULL, 0);

    hvh_domain_destroy(d);
}

/* Locked policy: one lock acquisition per get and per put. */
static void test_locked_takes_lock_per_op(void **state)
{
    struct domain *d;
    unsigned int h[32], i;
    unsigned char *held;

    boot(1, "maptrack_policy=locked");
    hvh_cpu_enter(0);
    d = hvh_domain_create(1, 4, true);
    assert_non_null(d);
    assert_int_equal(d->maptrack.policy, MAPTRACK_POLICY_LOCKED);

    for ( i = 0; i < 32; i++ )
        h[i] = get_as(d, i % 4);
    assert_int_equal(mt_sim_counter(MT_CTR_LOCKS), 32);

    held = calloc(MAPTRACK_PER_PAGE, 1);
    for ( i = 0; i < 32; i++ )
    {
        assert_true(h[i] < MAPTRACK_PER_PAGE);
        assert_int_equal(held[h[i]], 0);
        held[h[i]] = 1;
    }
    audit_domain(d, held, 32);

    for ( i = 0; i < 32; i++ )
        put_as(d, (i + 1) % 4, h[i]);
    assert_int_equal(mt_sim_counter(MT_CTR_LOCKS), 64);
    audit_domain(d, NULL, 0);
    free(held);

    hvh_domain_destroy(d);
}

/*
 * One frame per vCPU, two vCPUs: the domain may have two frames.  vCPU 1
 * takes frame 0, vCPU 0 frame 1; then vCPU 0 can have its frame's
 * handles less the one kept as tail, steals all of vCPU 1's but its tail,
 * and only then fails.
 */
static void test_steal_before_failing(void **state)
{
    struct domain *d;
    unsigned int *h, n = 0, i, h1;
    unsigned int per = MAPTRACK_PER_PAGE;
    unsigned char *held;

    boot(1, "gnttab_max_maptrack_frames=1");
    hvh_cpu_enter(0);
    d = hvh_domain_create(1, 2, true);
    assert_non_null(d);
    assert_int_equal(maptrack_limit_frames(d), 2);

    h1 = get_as(d, 1);
    put_as(d, 1, h1);
    assert_int_equal(d->maptrack.nr_frames, 1);

    h = calloc(2 * per, sizeof(*h));
    for ( ; ; )
    {
        unsigned int x = get_as(d, 0);

        if ( x == INVALID_MAPTRACK_HANDLE )
            break;
        assert_true(n < 2 * per);
        h[n++] = x;
    }
    assert_int_equal(d->maptrack.nr_frames, 2);
    assert_int_equal(n, 2 * (per - 1));
    assert_int_equal(mt_sim_counter(MT_CTR_STEALS), per - 1);
    assert_int_equal(mt_sim_counter(MT_CTR_FAILURES), 1);
    assert_int_equal(d->vcpu[0]->maptrack.steals, per - 1);

    /* What an administrator sees: usage against the limit. */
    assert_int_equal(dom_field(d, "nr_vcpus"), 2);
    assert_int_equal(dom_field(d, "in_use"), n);
    assert_int_equal(dom_field(d, "frames"), 2);
    assert_int_equal(dom_field(d, "limit_frames"), 2);
    assert_int_equal(dom_field(d, "steals"), per - 1);
    assert_int_equal(dom_field(d, "failures"), 1);

    held = calloc(2 * per, 1);
    for ( i = 0; i < n; i++ )
    {
        assert_int_equal(held[h[i]], 0);
        held[h[i]] = 1;
    }
    audit_domain(d, held, n);

    /* Stolen handles now belong to vCPU 0: put by vCPU 1, they go there. */
    for ( i = 0; i < n; i++ )
        put_as(d, 1, h[i]);
    audit_domain(d, NULL, 0);

    /* vCPU 0 gets them all back from its own list, without the lock. */
    {
        uint64_t locks = mt_sim_counter(MT_CTR_LOCKS);

        for ( i = 0; i < n; i++ )
            assert_int_not_equal(get_as(d, 0), INVALID_MAPTRACK_HANDLE);
        assert_int_equal(mt_sim_counter(MT_CTR_LOCKS), locks);
        assert_int_equal(mt_sim_counter(MT_CTR_STEALS), per - 1);
    }

    free(held);
    free(h);
    hvh_domain_destroy(d);
}

/*
 * vCPU 0 takes both frames of the domain; vCPU 1 has never had a list and
 * the table is full.  It steals one entry to serve as its tail and then
 * handles, so it is not starved.
 */
static void test_steal_without_own_list(void **state)
{
    struct domain *d;
    unsigned int per = MAPTRACK_PER_PAGE, i, n0 = 0, n1 = 0, x;
    unsigned int *h0, *h1;
    unsigned char *held;

    boot(1, "gnttab_max_maptrack_frames=1");
    hvh_cpu_enter(0);
    d = hvh_domain_create(1, 2, true);
    assert_non_null(d);

    h0 = calloc(2 * per, sizeof(*h0));
    h1 = calloc(2 * per, sizeof(*h1));
    /* vCPU 0 takes 300 handles: frame 0 and part of frame 1. */
    for ( i = 0; i < 300; i++ )
    {
        x = get_as(d, 0);
        assert_int_not_equal(x, INVALID_MAPTRACK_HANDLE);
        h0[n0++] = x;
    }
    assert_int_equal(d->maptrack.nr_frames, 2);
    assert_int_equal(d->vcpu[1]->maptrack.tail, MAPTRACK_TAIL);

    while ( (x = get_as(d, 1)) != INVALID_MAPTRACK_HANDLE )
        h1[n1++] = x;
    /* vCPU 0's free entries less its tail: one became vCPU 1's tail. */
    assert_int_equal(n1, 2 * per - 300 - 1 - 1);
    assert_int_not_equal(d->vcpu[1]->maptrack.tail, MAPTRACK_TAIL);

    held = calloc(2 * per, 1);
    for ( i = 0; i < n0; i++ )
        held[h0[i]] = 1;
    for ( i = 0; i < n1; i++ )
    {
        assert_int_equal(held[h1[i]], 0);
        held[h1[i]] = 1;
    }
    audit_domain(d, held, n0 + n1);

    for ( i = 0; i < n1; i++ )
        put_as(d, 0, h1[i]);
    for ( i = 0; i < n0; i++ )
        put_as(d, 1, h0[i]);
    audit_domain(d, NULL, 0);

    free(held);
    free(h0);
    free(h1);
    hvh_domain_destroy(d);
}

/*
 * The toolstack's max_maptrack_frames for a domain caps the per-vCPU
 * limit; it cannot raise it; 0 is a domain that may map nothing.
 */
static void test_toolstack_limit(void **state)
{
    static const struct {
        int toolstack;
        unsigned int limit;
    } cases[] = { { -1, 8 }, { 3, 3 }, { 8, 8 }, { 100, 8 }, { 0, 0 } };
    unsigned int i;

    boot(1, "gnttab_max_maptrack_frames=2");
    hvh_cpu_enter(0);
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        struct domain *d;
        unsigned int x;

        mt_sim_toolstack_frames = cases[i].toolstack;
        d = hvh_domain_create(1 + i, 4, true);
        mt_sim_toolstack_frames = -1;
        assert_non_null(d);
        assert_int_equal(maptrack_limit_frames(d), cases[i].limit);
        assert_int_equal(dom_field(d, "limit_frames"), cases[i].limit);
        x = get_as(d, 0);
        if ( cases[i].limit )
        {
            assert_int_not_equal(x, INVALID_MAPTRACK_HANDLE);
            put_as(d, 0, x);
        }
        else
            assert_int_equal(x, INVALID_MAPTRACK_HANDLE);
        hvh_domain_destroy(d);
    }
}

/* The runtime parameter lowers the limit of a live domain. */
static void test_runtime_limit(void **state)
{
    struct domain *d;
    unsigned int per = MAPTRACK_PER_PAGE, i, n = 0, x;
    unsigned int *h;

    boot(1, "gnttab_max_maptrack_frames=4");
    hvh_cpu_enter(0);
    d = hvh_domain_create(1, 1, true);
    assert_non_null(d);
    assert_int_equal(maptrack_limit_frames(d), 4);
    assert_int_equal(hvh_param_set("gnttab_max_maptrack_frames", "2"), 0);
    assert_int_equal(maptrack_limit_frames(d), 2);

    h = calloc(4 * per, sizeof(*h));
    while ( (x = get_as(d, 0)) != INVALID_MAPTRACK_HANDLE )
        h[n++] = x;
    /* One vCPU, no one to steal from: two frames less the kept tail. */
    assert_int_equal(n, 2 * per - 1);
    assert_int_equal(d->maptrack.nr_frames, 2);
    for ( i = 0; i < n; i++ )
        put_as(d, 0, h[i]);
    audit_domain(d, NULL, 0);

    free(h);
    hvh_domain_destroy(d);
}

/* ---- concurrent stress (threaded mode) --------------------------------- */

static void run_stress(const char *cmdline, unsigned int nr_vcpus,
                       unsigned int iters)
{
    struct mt_stress st;
    struct domain *d;

    boot(nr_vcpus, cmdline);
    d = hvh_domain_create(1, nr_vcpus, true);
    assert_non_null(d);

    mt_stress_init(&st, d, iters, 0x5eed);
    assert_int_equal(hvh_start_cpus(), 0);

    /* Phase 1: churn, leaving some handles held at the end. */
    mt_stress_run(&st, false);
    assert_int_equal(st.errors, 0);
    audit_domain(d, st.claimed, mt_stress_nr_claimed(&st));
    assert_true(d->maptrack.nr_frames <= maptrack_limit_frames(d));

    /* Phase 2: more churn, then everything is given back. */
    mt_stress_run(&st, true);
    assert_int_equal(st.errors, 0);
    audit_domain(d, NULL, 0);

    hvh_stop_cpus();
    print_message("%s: %u vCPUs, %lu gets, %lu puts (%lu remote), %lu "
                  "steals, %lu failures, %u frames\n", cmdline, nr_vcpus,
                  (unsigned long)mt_sim_counter(MT_CTR_GETS),
                  (unsigned long)mt_sim_counter(MT_CTR_PUTS),
                  (unsigned long)mt_sim_counter(MT_CTR_REMOTE_PUTS),
                  (unsigned long)mt_sim_counter(MT_CTR_STEALS),
                  (unsigned long)mt_sim_counter(MT_CTR_FAILURES),
                  d->maptrack.nr_frames);
    if ( strstr(cmdline, "percpu") )
    {
        /* The run must have gone through growth, steals and remote puts. */
        assert_true(mt_sim_counter(MT_CTR_STEALS) > 0);
        assert_true(mt_sim_counter(MT_CTR_REMOTE_PUTS) > 0);
        assert_int_equal(d->maptrack.nr_frames, maptrack_limit_frames(d));
    }
    mt_stress_free(&st);
    hvh_domain_destroy(d);
}

/*
 * Thieves against remote puts.  Mappers (even vCPUs) get handles and hand
 * each to an unmapper (odd vCPUs), which puts it: a remote put, appended
 * at the mapper's tail.  The domain is at its limit almost at once, and a
 * mapper's list is down to its tail whenever its handles are in flight,
 * so mappers steal from each other's lists while unmappers append to
 * them, and pops race appends at lists of one or two entries.  Every
 * handle must come out exactly once (claim flags), and all of them come
 * back at the end.
 */
#define RACE_VCPUS 6   /* more threads than the host's cores */
#define RACE_GETS  (MT_STRESS_ITERS / 2)

struct race {
    struct domain *d;
    struct mt_mailbox mbox[RACE_VCPUS];
    unsigned char *claimed;
    unsigned int nr_handles;
    unsigned int mappers_left;
    unsigned int errors;
    unsigned long gets, fails;
};

struct race_vcpu {
    struct race *r;
    unsigned int idx;
};

static void race_claim(struct race *r, unsigned int h, unsigned char to)
{
    if ( h >= r->nr_handles ||
         __atomic_exchange_n(&r->claimed[h], to, __ATOMIC_ACQ_REL) == to )
        __atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
}

static void race_mapper(void *arg)
{
    struct race_vcpu *rv = arg;
    struct race *r = rv->r;
    struct vcpu *saved = current;
    unsigned int i, h, to = rv->idx + 1;
    unsigned long gets = 0, fails = 0;

    set_current(r->d->vcpu[rv->idx]);
    for ( i = 0; i < RACE_GETS; i++ )
    {
        h = get_maptrack_handle(r->d);
        if ( h == INVALID_MAPTRACK_HANDLE )
        {
            fails++;
            cpu_relax();
            continue;
        }
        gets++;
        race_claim(r, h, 1);
        /* Room for every handle of the table: cannot overflow. */
        pthread_mutex_lock(&r->mbox[to].lock);
        r->mbox[to].h[r->mbox[to].n++] = h;
        pthread_mutex_unlock(&r->mbox[to].lock);
    }
    __atomic_fetch_add(&r->gets, gets, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->fails, fails, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&r->mappers_left, 1, __ATOMIC_RELEASE);
    set_current(saved);
}

static void race_unmapper(void *arg)
{
    struct race_vcpu *rv = arg;
    struct race *r = rv->r;
    struct mt_mailbox *mb = &r->mbox[rv->idx];
    struct vcpu *saved = current;
    bool last = false;

    set_current(r->d->vcpu[rv->idx]);
    while ( !last )
    {
        unsigned int h = INVALID_MAPTRACK_HANDLE;

        /* Read before the mailbox: once no mapper is left, empty is final. */
        last = !__atomic_load_n(&r->mappers_left, __ATOMIC_ACQUIRE);
        pthread_mutex_lock(&mb->lock);
        if ( mb->n )
        {
            h = mb->h[--mb->n];
            last = false;
        }
        pthread_mutex_unlock(&mb->lock);
        if ( h == INVALID_MAPTRACK_HANDLE )
        {
            cpu_relax();
            continue;
        }
        race_claim(r, h, 0);
        put_maptrack_handle(r->d, h);
    }
    set_current(saved);
}

static void test_stress_steals_vs_remote_puts(void **state)
{
    struct race r = { 0 };
    struct race_vcpu rv[RACE_VCPUS];
    unsigned int i;

    boot(RACE_VCPUS, "maptrack_policy=percpu gnttab_max_maptrack_frames=1");
    r.d = hvh_domain_create(1, RACE_VCPUS, true);
    assert_non_null(r.d);
    r.nr_handles = r.d->maptrack.max_frames * MAPTRACK_PER_PAGE;
    r.claimed = calloc(r.nr_handles, 1);
    assert_non_null(r.claimed);
    r.mappers_left = RACE_VCPUS / 2;
    for ( i = 0; i < RACE_VCPUS; i++ )
    {
        pthread_mutex_init(&r.mbox[i].lock, NULL);
        r.mbox[i].cap = r.nr_handles;
        r.mbox[i].h = calloc(r.nr_handles, sizeof(*r.mbox[i].h));
        assert_non_null(r.mbox[i].h);
        rv[i].r = &r;
        rv[i].idx = i;
    }

    assert_int_equal(hvh_start_cpus(), 0);
    for ( i = 0; i < RACE_VCPUS; i++ )
        hvh_queue_on(i, (i & 1) ? race_unmapper : race_mapper, &rv[i]);
    hvh_quiesce();

    assert_int_equal(r.errors, 0);
    /* Every handle got was put back: all free, each on one list. */
    for ( i = 0; i < RACE_VCPUS; i++ )
        assert_int_equal(r.mbox[i].n, 0);
    audit_domain(r.d, NULL, 0);
    assert_int_equal(r.d->maptrack.nr_frames, maptrack_limit_frames(r.d));
    /* The run went through the slow path: steals and failures. */
    assert_true(mt_sim_counter(MT_CTR_STEALS) > 0);
    assert_int_equal(mt_sim_counter(MT_CTR_REMOTE_PUTS), r.gets);
    hvh_stop_cpus();
    print_message("steal race: %u vCPUs, %lu gets, %lu failed, %lu steals\n",
                  RACE_VCPUS, r.gets, r.fails,
                  (unsigned long)mt_sim_counter(MT_CTR_STEALS));

    for ( i = 0; i < RACE_VCPUS; i++ )
    {
        free(r.mbox[i].h);
        pthread_mutex_destroy(&r.mbox[i].lock);
    }
    free(r.claimed);
    hvh_domain_destroy(r.d);
}

static void test_stress_percpu(void **state)
{
    run_stress("maptrack_policy=percpu gnttab_max_maptrack_frames=1", 16,
               MT_STRESS_ITERS);
}

static void test_stress_locked(void **state)
{
    run_stress("maptrack_policy=locked gnttab_max_maptrack_frames=1", 8,
               MT_STRESS_ITERS / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_percpu_common_path_lockless, teardown),
        cmocka_unit_test_teardown(test_put_placement, teardown),
        cmocka_unit_test_teardown(test_locked_takes_lock_per_op, teardown),
        cmocka_unit_test_teardown(test_steal_before_failing, teardown),
        cmocka_unit_test_teardown(test_steal_without_own_list, teardown),
        cmocka_unit_test_teardown(test_toolstack_limit, teardown),
        cmocka_unit_test_teardown(test_runtime_limit, teardown),
        cmocka_unit_test_teardown(test_stress_percpu, teardown),
        cmocka_unit_test_teardown(test_stress_locked, teardown),
        cmocka_unit_test_teardown(test_stress_steals_vs_remote_puts, teardown),
    };

    hvh_set_verbosity(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
