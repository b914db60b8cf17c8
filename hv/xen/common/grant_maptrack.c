/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen/common/grant_maptrack.c: maptrack handles with per-vCPU free lists.
 *
 * Problem.  Every grant map takes a maptrack handle and every unmap gives
 * it back.  Before this change both went through one free list per domain
 * protected by the domain's maptrack lock, so a guest with many vCPUs doing
 * network I/O through grant copies/maps serialised all of its vCPUs on
 * that lock (seed 003: aggregate network throughput with many VMs was
 * limited by it).
 *
 * Fix.  Each vCPU owns a free list.  A get pops from the running vCPU's own
 * list with no lock.  A put returns the handle to the list of the vCPU
 * that owns it (entry .vcpu): the owner itself pushes it back in front
 * of its list (a tagged cmpxchg on its own head, as a pop), any other
 * vCPU appends it by swinging that list's tail with cmpxchg and then
 * linking the old tail to the handle, so the owner never writes its tail
 * on the common path and remote puts do not bounce its cache line.  The
 * lock is only taken on the slow paths: to add a frame to
 * the table, and to steal.  When the domain is at its frame limit
 * (gnttab_max_maptrack_frames frames per vCPU times its vCPUs, so a domain
 * doing all of its grant work on one vCPU still reaches the same total,
 * capped by the toolstack's max_maptrack_frames for the domain if it set
 * one) a vCPU with an empty list takes a free handle from another vCPU's
 * list before failing.
 *
 * Invariants.
 *  - A vCPU's list is never made empty by a get: the last entry stays,
 *    so that the tail always names a free entry a put can link after.
 *    (A vCPU that has no list at all has head == tail == MAPTRACK_TAIL, and
 *    then no entry names it as owner, so nobody puts to it.)
 *  - Every handle below nr_frames * MAPTRACK_PER_PAGE is, at any quiescent
 *    point, either in exactly one free list or held by exactly one mapping
 *    (tests/maptrack audits this after concurrent gets, puts, growth and
 *    steals).
 *  - Free-list links (.ref) and owners (.vcpu) are read and written with
 *    read_atomic()/write_atomic(): other vCPUs access them locklessly.
 *  - The list head carries a tag bumped on every update, so a pop (by the
 *    owner, or by a thief stealing) that read a stale head fails its
 *    cmpxchg instead of corrupting the list.  (Fooling it would take
 *    exactly 2^32 updates of that head between its read and its cmpxchg.)
 *
 * Counters (node "maptrack", catalogue.def): per pCPU gets, puts,
 * remote_puts, frames_grown, steals, failures, lock_acquisitions; per
 * domain nr_vcpus, in_use, frames, limit_frames, steals, failures.  Trace
 * events MAPTRACK_GROW, MAPTRACK_STEAL, MAPTRACK_EXHAUSTED.
 *
 * The pre-fix behaviour stays available for comparison with
 * maptrack_policy=locked (latched when a domain is created).
 */

#include <xen/errno.h>
#include <xen/init.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/param.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/xmalloc.h>
#include <xen/grant_maptrack.h>

/* Frames per vCPU; Xen 4.17's default for gnttab_max_maptrack_frames. */
unsigned int __read_mostly opt_max_maptrack_frames = 1024;
integer_runtime_param("gnttab_max_maptrack_frames", opt_max_maptrack_frames);

unsigned int __read_mostly opt_maptrack_policy = MAPTRACK_POLICY_PERCPU;

static int __init cf_check parse_maptrack_policy(const char *s)
{
    if ( !strcmp(s, "locked") )
        opt_maptrack_policy = MAPTRACK_POLICY_LOCKED;
    else if ( !strcmp(s, "percpu") )
        opt_maptrack_policy = MAPTRACK_POLICY_PERCPU;
    else
        return -EINVAL;

    return 0;
}
custom_param("maptrack_policy", parse_maptrack_policy);

#define MT_HEAD(tag, h)   (((uint64_t)(tag) << 32) | (uint32_t)(h))
#define MT_HEAD_IDX(x)    ((uint32_t)(x))
#define MT_HEAD_TAG(x)    ((uint32_t)((x) >> 32))

/* Owner-only statistic of the running vCPU (read by others atomically). */
#define MT_VCPU_INC(mv, f) write_atomic(&(mv)->f, (mv)->f + 1)

struct grant_mapping *maptrack_entry(const struct domain *d,
                                      unsigned int handle)
{
    const struct maptrack_domain *md = &d->maptrack;
    struct grant_mapping *frame;

    ASSERT(handle / MAPTRACK_PER_PAGE < read_atomic(&md->nr_frames));
    frame = read_atomic(&md->frames[handle / MAPTRACK_PER_PAGE]);

    return &frame[handle % MAPTRACK_PER_PAGE];
}

unsigned int maptrack_limit_frames(const struct domain *d)
{
    unsigned int per_vcpu = read_atomic(&opt_max_maptrack_frames);
    unsigned long limit = (unsigned long)per_vcpu * d->max_vcpus;

    /* A runtime change can lower the limit, not raise it past frames[]. */
    return min_t(unsigned long, limit, d->maptrack.max_frames);
}

unsigned int maptrack_in_use(const struct domain *d)
{
    const struct vcpu *v;
    unsigned long gets = 0, puts = 0;

    for_each_vcpu ( d, v )
    {
        gets += read_atomic(&v->maptrack.gets);
        puts += read_atomic(&v->maptrack.puts);
    }

    /* Sums of counters read at slightly different times: clamp. */
    return gets > puts ? gets - puts : 0;
}

/*
 * Pop the first entry of mv's list, unless it is the last one (see the
 * invariant at the top: the list is never left empty).  Lock free; used by
 * the owner on every get and by other vCPUs when stealing.
 */
static unsigned int maptrack_pop(const struct domain *d,
                                 struct maptrack_vcpu *mv)
{
    uint64_t old = read_atomic(&mv->head), seen;

    for ( ; ; )
    {
        unsigned int head = MT_HEAD_IDX(old), next;

        if ( unlikely(head == MAPTRACK_TAIL) )
            return INVALID_MAPTRACK_HANDLE;

        /*
         * If head is the tail (or a put that has swung the tail past it has
         * not linked it yet), next reads MAPTRACK_TAIL: leave it there.  If
         * head was taken by someone else meanwhile, next may be anything,
         * but then the tag has moved and the cmpxchg below fails.
         */
        next = read_atomic(&maptrack_entry(d, head)->ref);
        if ( next == MAPTRACK_TAIL )
            return INVALID_MAPTRACK_HANDLE;

        seen = cmpxchg(&mv->head, old, MT_HEAD(MT_HEAD_TAG(old) + 1, next));
        if ( likely(seen == old) )
            return head;
        old = seen;
    }
}

/* Link a chain first..last (last.ref is overwritten) in front of mv's list. */
static void maptrack_push_chain(const struct domain *d,
                                struct maptrack_vcpu *mv,
                                unsigned int first, unsigned int last)
{
    uint64_t old = read_atomic(&mv->head), seen;

    for ( ; ; )
    {
        write_atomic(&maptrack_entry(d, last)->ref, MT_HEAD_IDX(old));
        seen = cmpxchg(&mv->head, old, MT_HEAD(MT_HEAD_TAG(old) + 1, first));
        if ( seen == old )
            return;
        old = seen;
    }
}

/*
 * Make handle the head of a vCPU's list that has none yet.  Only the vCPU
 * itself does this and nobody else updates an absent list, but thieves
 * read the head, so it is published with a tag bump like any update.
 */
static void maptrack_set_head(struct maptrack_vcpu *mv, unsigned int handle)
{
    uint64_t old = read_atomic(&mv->head);

    ASSERT(MT_HEAD_IDX(old) == MAPTRACK_TAIL);
    cmpxchg(&mv->head, old, MT_HEAD(MT_HEAD_TAG(old) + 1, handle));
}

/*
 * Add one frame to the table, its entries owned by v.  Called with the
 * maptrack lock held.  Returns the first handle of the new frame, or
 * INVALID_MAPTRACK_HANDLE at the limit or without memory.
 */
static unsigned int maptrack_add_frame(struct domain *d, struct vcpu *v)
{
    struct maptrack_domain *md = &d->maptrack;
    struct grant_mapping *page;
    unsigned int nr = md->nr_frames, base, i;

    ASSERT(spin_is_locked(&md->lock));

    if ( nr >= maptrack_limit_frames(d) )
        return INVALID_MAPTRACK_HANDLE;

    page = xzalloc_array(struct grant_mapping, MAPTRACK_PER_PAGE);
    if ( !page )
        return INVALID_MAPTRACK_HANDLE;

    base = nr * MAPTRACK_PER_PAGE;
    for ( i = 0; i < MAPTRACK_PER_PAGE; i++ )
    {
        write_atomic(&page[i].vcpu, v->vcpu_id);
        write_atomic(&page[i].ref,
                     i + 1 < MAPTRACK_PER_PAGE ? base + i + 1 : MAPTRACK_TAIL);
    }

    /*
     * No barrier needed here: the handles of the frame become reachable
     * only through the cmpxchg that links them into a list (a full
     * barrier), after the frame pointer is written.
     */
    write_atomic(&md->frames[nr], page);
    write_atomic(&md->nr_frames, nr + 1);

    TELEMETRY_INC(maptrack, frames_grown);
    trace_maptrack_grow(d->domain_id, v->vcpu_id, nr + 1,
                        maptrack_limit_frames(d), maptrack_in_use(d));

    return base;
}

/* ---- pre-fix: one free list under the maptrack lock -------------------- */

static unsigned int get_maptrack_handle_locked(struct domain *d,
                                               struct vcpu *curr)
{
    struct maptrack_domain *md = &d->maptrack;
    unsigned int handle;

    spin_lock(&md->lock);
    TELEMETRY_INC(maptrack, lock_acquisitions);

    handle = md->free_head;
    if ( unlikely(handle == MAPTRACK_TAIL) )
    {
        unsigned int first = maptrack_add_frame(d, curr);

        if ( first != INVALID_MAPTRACK_HANDLE )
        {
            /* The new frame's last entry already ends with MAPTRACK_TAIL. */
            handle = first;
        }
    }
    if ( likely(handle != MAPTRACK_TAIL) )
        md->free_head = read_atomic(&maptrack_entry(d, handle)->ref);

    spin_unlock(&md->lock);

    return handle == MAPTRACK_TAIL ? INVALID_MAPTRACK_HANDLE : handle;
}

static void put_maptrack_handle_locked(struct domain *d, unsigned int handle)
{
    struct maptrack_domain *md = &d->maptrack;

    spin_lock(&md->lock);
    TELEMETRY_INC(maptrack, lock_acquisitions);
    write_atomic(&maptrack_entry(d, handle)->ref, md->free_head);
    md->free_head = handle;
    spin_unlock(&md->lock);
}

/* ---- per-vCPU free lists ------------------------------------------------ */

/*
 * Take a free handle from another vCPU's list for curr; the handle then
 * belongs to curr (it will be put back onto curr's list).  The pop itself
 * is lock free, but stealing is done under the maptrack lock: it is the
 * slow path at the frame limit, and the lock orders the thief after the
 * growth that created the entries it reads (which the owner, having grown
 * or stolen them itself, is ordered after already).
 */
static unsigned int steal_maptrack_handle(struct domain *d, struct vcpu *curr)
{
    unsigned int i, n = d->max_vcpus;

    ASSERT(spin_is_locked(&d->maptrack.lock));

    for ( i = 1; i < n; i++ )
    {
        struct vcpu *v = d->vcpu[(curr->vcpu_id + i) % n];
        unsigned int handle;

        if ( !v )
            continue;

        handle = maptrack_pop(d, &v->maptrack);
        if ( handle == INVALID_MAPTRACK_HANDLE )
            continue;

        write_atomic(&maptrack_entry(d, handle)->vcpu, curr->vcpu_id);
        MT_VCPU_INC(&curr->maptrack, steals);
        TELEMETRY_INC(maptrack, steals);
        trace_maptrack_steal(d->domain_id, curr->vcpu_id, v->vcpu_id,
                             maptrack_in_use(d));

        return handle;
    }

    return INVALID_MAPTRACK_HANDLE;
}

/* Give a frame just added to the table (first handle first) to mv. */
static void maptrack_link_frame(const struct domain *d,
                                struct maptrack_vcpu *mv, unsigned int first)
{
    unsigned int last = first + MAPTRACK_PER_PAGE - 1;

    if ( read_atomic(&mv->tail) == MAPTRACK_TAIL )
    {
        /*
         * The first frame this vCPU ever gets.  It has no list yet, so no
         * entry names it as owner (no put can target its tail) and its head
         * is MAPTRACK_TAIL (no thief pops from it): the new frame simply
         * becomes the whole list, its last entry the tail.  The tail is set
         * before the head so that the list is complete the moment a thief
         * can see it.
         */
        write_atomic(&mv->tail, last);
        maptrack_set_head(mv, first);
    }
    else
        /* The list keeps its tail; the new frame goes in front. */
        maptrack_push_chain(d, mv, first, last);
}

static unsigned int get_maptrack_handle_slow(struct domain *d,
                                             struct vcpu *curr)
{
    struct maptrack_domain *md = &d->maptrack;
    struct maptrack_vcpu *mv = &curr->maptrack;
    unsigned int handle, first = INVALID_MAPTRACK_HANDLE;

    /* At the limit already: go straight to stealing, without the lock. */
    if ( read_atomic(&md->nr_frames) < maptrack_limit_frames(d) )
    {
        spin_lock(&md->lock);
        TELEMETRY_INC(maptrack, lock_acquisitions);
        first = maptrack_add_frame(d, curr);
        if ( first != INVALID_MAPTRACK_HANDLE )
            maptrack_link_frame(d, mv, first);
        spin_unlock(&md->lock);
    }

    if ( first != INVALID_MAPTRACK_HANDLE )
    {
        /*
         * Thieves may take from the new frame meanwhile, but they cannot
         * take all of it before the pop below without this vCPU getting
         * the rest; retry via the caller if they did.
         */
        return maptrack_pop(d, mv);
    }

    /* At the limit (or out of memory): take a handle from another vCPU. */
    spin_lock(&md->lock);
    TELEMETRY_INC(maptrack, lock_acquisitions);

    if ( read_atomic(&mv->tail) == MAPTRACK_TAIL )
    {
        /*
         * This vCPU has never had a list: first steal one entry to serve
         * as its tail, so that the handle stolen next has a list to return
         * to.
         */
        handle = steal_maptrack_handle(d, curr);
        if ( handle == INVALID_MAPTRACK_HANDLE )
            goto out;
        write_atomic(&maptrack_entry(d, handle)->ref, MAPTRACK_TAIL);
        write_atomic(&mv->tail, handle);
        maptrack_set_head(mv, handle);
    }

    handle = steal_maptrack_handle(d, curr);

 out:
    spin_unlock(&md->lock);

    return handle;
}

unsigned int get_maptrack_handle(struct domain *d)
{
    struct vcpu *curr = current;
    struct maptrack_vcpu *mv = &curr->maptrack;
    unsigned int handle, tries;

    ASSERT(curr->domain == d);

    if ( d->maptrack.policy == MAPTRACK_POLICY_LOCKED )
        handle = get_maptrack_handle_locked(d, curr);
    else
    {
        handle = maptrack_pop(d, mv);
        /*
         * A few rounds at most: another round is only needed if thieves
         * emptied a freshly added frame before this vCPU got to it.
         */
        for ( tries = 0;
              unlikely(handle == INVALID_MAPTRACK_HANDLE) && tries < 4;
              tries++ )
        {
            handle = get_maptrack_handle_slow(d, curr);
            if ( handle == INVALID_MAPTRACK_HANDLE &&
                 read_atomic(&d->maptrack.nr_frames) >=
                 maptrack_limit_frames(d) )
                break;
        }
    }

    if ( unlikely(handle == INVALID_MAPTRACK_HANDLE) )
    {
        MT_VCPU_INC(mv, failures);
        TELEMETRY_INC(maptrack, failures);
        trace_maptrack_exhausted(d->domain_id, curr->vcpu_id,
                                 read_atomic(&d->maptrack.nr_frames),
                                 maptrack_in_use(d));
        return handle;
    }

    MT_VCPU_INC(mv, gets);
    TELEMETRY_INC(maptrack, gets);

    return handle;
}

void put_maptrack_handle(struct domain *d, unsigned int handle)
{
    struct vcpu *curr = current;
    struct grant_mapping *e = maptrack_entry(d, handle);
    struct maptrack_vcpu *mv;
    unsigned int owner, prev, cur;

    ASSERT(curr->domain == d);

    if ( d->maptrack.policy == MAPTRACK_POLICY_LOCKED )
        put_maptrack_handle_locked(d, handle);
    else
    {
        owner = read_atomic(&e->vcpu);
        ASSERT(owner < d->max_vcpus && d->vcpu[owner]);
        mv = &d->vcpu[owner]->maptrack;

        if ( owner == (unsigned int)curr->vcpu_id )
        {
            /*
             * A put by the owner goes in front of its own list, with the
             * same tagged cmpxchg on the head as a pop (a thief popping
             * meanwhile makes it retry; the list stays non-empty and its
             * tail is untouched).  The head's cache line is the owner's
             * own, whereas the tail's is written by every remote put: an
             * owner appending at the tail would pull that line, and the
             * old tail's entry, back from the remote putter's pCPU on each
             * put.  The handle freed last is also the next one got, while
             * its entry is still in this pCPU's cache.
             */
            maptrack_push_chain(d, mv, handle, handle);
            goto done;
        }

        /* The handle will be the new tail: it ends the list. */
        write_atomic(&e->ref, MAPTRACK_TAIL);

        /*
         * Swing the owner's tail to the handle, then link the old tail to
         * it.  Until that link is written the list seems to end at the old
         * tail (its .ref is still MAPTRACK_TAIL), so a pop stops there and
         * never walks off the list; each old tail is returned by exactly
         * one successful cmpxchg, so each gets linked exactly once.  The
         * tail is never MAPTRACK_TAIL here: the owner has a list since it
         * owns this entry, and a list is never emptied.
         */
        prev = read_atomic(&mv->tail);
        do {
            cur = prev;
            ASSERT(cur != MAPTRACK_TAIL);
            prev = cmpxchg(&mv->tail, cur, handle);
        } while ( prev != cur );

        write_atomic(&maptrack_entry(d, cur)->ref, handle);

        TELEMETRY_INC(maptrack, remote_puts);
    }

 done:
    MT_VCPU_INC(&curr->maptrack, puts);
    TELEMETRY_INC(maptrack, puts);
}

/* ---- life cycle and inspection ----------------------------------------- */

void maptrack_vcpu_init(struct vcpu *v)
{
    struct maptrack_vcpu *mv = &v->maptrack;

    mv->head = MT_HEAD(0, MAPTRACK_TAIL);
    mv->tail = MAPTRACK_TAIL;
    mv->gets = mv->puts = mv->steals = mv->failures = 0;
}

int maptrack_domain_init(struct domain *d, int max_frames)
{
    struct maptrack_domain *md = &d->maptrack;
    unsigned long max = (unsigned long)opt_max_maptrack_frames * d->max_vcpus;

    /*
     * The tools turn frame counts into handles with the catalogue's
     * number (catalogue.def, CAT_CONST MAPTRACK_HANDLES_PER_FRAME).
     */
    BUILD_BUG_ON(MAPTRACK_PER_PAGE != TELEMETRY_MAPTRACK_HANDLES_PER_FRAME);

    /* The toolstack's limit for this domain, if it set one, caps it. */
    if ( max_frames >= 0 )
        max = min_t(unsigned long, max, max_frames);
    /* Handles must stay below MAPTRACK_TAIL. */
    max = min_t(unsigned long, max, (MAPTRACK_TAIL - 1) / MAPTRACK_PER_PAGE);

    spin_lock_init(&md->lock);
    md->policy = opt_maptrack_policy;
    md->nr_frames = 0;
    /* 0 is a domain that may not map grants: every get fails. */
    md->max_frames = max;
    md->free_head = MAPTRACK_TAIL;
    md->frames = xzalloc_array(struct grant_mapping *, max ?: 1);

    return md->frames ? 0 : -ENOMEM;
}

void maptrack_domain_destroy(struct domain *d)
{
    struct maptrack_domain *md = &d->maptrack;
    unsigned int i;

    if ( !md->frames )
        return;

    for ( i = 0; i < md->nr_frames; i++ )
        xfree(md->frames[i]);
    XFREE(md->frames);
    md->nr_frames = 0;
}

static int maptrack_walk(const struct domain *d, unsigned int head,
                         unsigned int tail, unsigned int owner,
                         void (*fn)(unsigned int, unsigned int, void *),
                         void *arg)
{
    unsigned int total = d->maptrack.nr_frames * MAPTRACK_PER_PAGE;
    unsigned int h = head, last = MAPTRACK_TAIL;
    int n = 0;

    while ( h != MAPTRACK_TAIL )
    {
        if ( h >= total || (unsigned int)n >= total )
            return -EOVERFLOW;
        fn(h, owner, arg);
        n++;
        last = h;
        h = read_atomic(&maptrack_entry(d, h)->ref);
    }

    /* A per-vCPU list must end exactly at its recorded tail. */
    if ( tail != MAPTRACK_TAIL && last != tail )
        return -EILSEQ;

    return n;
}

int maptrack_for_each_free(const struct domain *d,
                           void (*fn)(unsigned int handle, unsigned int vcpu,
                                      void *arg),
                           void *arg)
{
    const struct vcpu *v;
    int n = 0, rc;

    if ( d->maptrack.policy == MAPTRACK_POLICY_LOCKED )
        return maptrack_walk(d, d->maptrack.free_head, MAPTRACK_TAIL, ~0u,
                             fn, arg);

    for_each_vcpu ( d, v )
    {
        rc = maptrack_walk(d, MT_HEAD_IDX(v->maptrack.head),
                           v->maptrack.tail, v->vcpu_id, fn, arg);
        if ( rc < 0 )
            return rc;
        n += rc;
    }

    return n;
}

/* ---- telemetry ------------------------------------------------------------ */

static void cf_check maptrack_fill_domain(const struct domain *d,
                                          void *record)
{
    struct telemetry_maptrack_domain *r = record;
    const struct vcpu *v;

    r->nr_vcpus = d->max_vcpus;
    r->in_use = maptrack_in_use(d);
    r->frames = read_atomic(&d->maptrack.nr_frames);
    r->limit_frames = maptrack_limit_frames(d);
    for_each_vcpu ( d, v )
    {
        r->steals += read_atomic(&v->maptrack.steals);
        r->failures += read_atomic(&v->maptrack.failures);
    }
}

static int __init cf_check maptrack_telemetry_init(void)
{
    return telemetry_register_node(TELEMETRY_NODE_MAPTRACK,
                                   maptrack_fill_domain, NULL);
}
__initcall(maptrack_telemetry_init);
