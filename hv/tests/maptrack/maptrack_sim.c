/*
 * maptrack_sim.c - see maptrack_sim.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hvh/harness.h>
#include <xen/sched.h>
#include <xen/telemetry.h>
#include <xen/grant_maptrack.h>

#include "maptrack_sim.h"

int mt_sim_toolstack_frames = -1;

static int mt_domain_create(struct domain *d)
{
    return maptrack_domain_init(d, mt_sim_toolstack_frames);
}

static void mt_domain_destroy(struct domain *d)
{
    maptrack_domain_destroy(d);
}

static int mt_vcpu_create(struct vcpu *v)
{
    maptrack_vcpu_init(v);
    return 0;
}

static struct hvh_hooks mt_hooks = {
    .name = "maptrack",
    .domain_create = mt_domain_create,
    .domain_destroy = mt_domain_destroy,
    .vcpu_create = mt_vcpu_create,
};

/* Registration survives hvh_shutdown(): once, until unregistered. */
static bool hooks_registered;

void mt_sim_register_hooks(void)
{
    if ( !hooks_registered )
    {
        hvh_register_hooks(&mt_hooks);
        hooks_registered = true;
    }
}

void mt_sim_unregister_hooks(void)
{
    if ( hooks_registered )
    {
        hvh_unregister_hooks(&mt_hooks);
        hooks_registered = false;
    }
}

uint64_t mt_sim_counter(enum mt_ctr c)
{
    uint64_t sum = 0;
    unsigned int cpu;

    for ( cpu = 0; cpu < hvh_nr_cpus(); cpu++ )
    {
        const struct telemetry_maptrack_pcpu *p =
            telemetry_block(maptrack, cpu);

        switch ( c )
        {
        case MT_CTR_GETS:         sum += read_atomic(&p->gets); break;
        case MT_CTR_PUTS:         sum += read_atomic(&p->puts); break;
        case MT_CTR_REMOTE_PUTS:  sum += read_atomic(&p->remote_puts); break;
        case MT_CTR_FRAMES_GROWN: sum += read_atomic(&p->frames_grown); break;
        case MT_CTR_STEALS:       sum += read_atomic(&p->steals); break;
        case MT_CTR_FAILURES:     sum += read_atomic(&p->failures); break;
        case MT_CTR_LOCKS:        sum += read_atomic(&p->lock_acquisitions);
                                  break;
        }
    }

    return sum;
}

/* ---- stress workload ---------------------------------------------------- */

static void claim(struct mt_stress *st, unsigned int h)
{
    if ( h >= st->nr_handles ||
         __atomic_exchange_n(&st->claimed[h], 1, __ATOMIC_ACQ_REL) != 0 )
    {
        fprintf(stderr, "maptrack: handle %u handed out while held\n", h);
        __atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
    }
}

static void unclaim(struct mt_stress *st, unsigned int h)
{
    if ( h >= st->nr_handles ||
         __atomic_exchange_n(&st->claimed[h], 0, __ATOMIC_ACQ_REL) != 1 )
    {
        fprintf(stderr, "maptrack: handle %u put while not held\n", h);
        __atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
    }
}

static void do_put(struct mt_worker *w, unsigned int h)
{
    unclaim(w->st, h);
    put_maptrack_handle(w->st->d, h);
}

static unsigned int take_held(struct mt_worker *w)
{
    unsigned int i = rand_r(&w->seed) % w->nr_held, h = w->held[i];

    w->held[i] = w->held[--w->nr_held];
    return h;
}

static void drain_mailbox(struct mt_worker *w)
{
    struct mt_mailbox *mb = &w->st->mbox[w->idx];
    unsigned int *h, n;

    pthread_mutex_lock(&mb->lock);
    n = mb->n;
    h = malloc(sizeof(*h) * (n ? n : 1));
    if ( !h )
        abort();
    if ( n )
        memcpy(h, mb->h, sizeof(*h) * n);
    mb->n = 0;
    pthread_mutex_unlock(&mb->lock);

    while ( n )
        do_put(w, h[--n]);
    free(h);
}

static void send_to(struct mt_worker *w, unsigned int to, unsigned int h)
{
    struct mt_mailbox *mb = &w->st->mbox[to];

    pthread_mutex_lock(&mb->lock);
    if ( mb->n == mb->cap )
    {
        mb->cap = mb->cap ? 2 * mb->cap : 64;
        mb->h = realloc(mb->h, sizeof(*mb->h) * mb->cap);
        if ( !mb->h )
            abort();
    }
    mb->h[mb->n++] = h;
    pthread_mutex_unlock(&mb->lock);
}

static void churn(void *arg)
{
    struct mt_worker *w = arg;
    struct mt_stress *st = w->st;
    struct domain *d = st->d;
    struct vcpu *saved = current;
    unsigned int i;

    set_current(d->vcpu[w->idx]);
    for ( i = 0; i < st->iters; i++ )
    {
        unsigned int r = rand_r(&w->seed) % 100, h;

        if ( r < 45 )
        {
            if ( w->nr_held >= w->hold_max )
                continue;
            h = get_maptrack_handle(d);
            if ( h == INVALID_MAPTRACK_HANDLE )
            {
                /* Exhausted: give some back, as a backend would. */
                drain_mailbox(w);
                continue;
            }
            claim(st, h);
            /* What a grant map records in the entry. */
            write_atomic(&maptrack_entry(d, h)->domid, (domid_t)w->idx);
            w->held[w->nr_held++] = h;
        }
        else if ( r < 70 )
        {
            if ( w->nr_held )
                do_put(w, take_held(w));
        }
        else if ( r < 90 )
        {
            if ( w->nr_held && st->nr > 1 )
                send_to(w, (w->idx + 1 + rand_r(&w->seed) % (st->nr - 1)) %
                        st->nr, take_held(w));
        }
        else
            drain_mailbox(w);
    }
    set_current(saved);
}

static void drain(void *arg)
{
    struct mt_worker *w = arg;
    struct vcpu *saved = current;

    set_current(w->st->d->vcpu[w->idx]);
    while ( w->nr_held )
        do_put(w, take_held(w));
    drain_mailbox(w);
    set_current(saved);
}

void mt_stress_init(struct mt_stress *st, struct domain *d,
                    unsigned int iters, unsigned int seed)
{
    unsigned int i;

    memset(st, 0, sizeof(*st));
    st->d = d;
    st->nr = d->max_vcpus;
    st->iters = iters;
    st->nr_handles = d->maptrack.max_frames * MAPTRACK_PER_PAGE;
    st->claimed = calloc(st->nr_handles, 1);
    st->mbox = calloc(st->nr, sizeof(*st->mbox));
    st->w = calloc(st->nr, sizeof(*st->w));
    if ( !st->claimed || !st->mbox || !st->w )
        abort();
    for ( i = 0; i < st->nr; i++ )
    {
        struct mt_worker *w = &st->w[i];

        pthread_mutex_init(&st->mbox[i].lock, NULL);
        w->st = st;
        w->idx = i;
        w->seed = seed * 7919 + i;
        /*
         * Uneven demand: the heavy vCPUs want more than a frame each, so
         * once every vCPU has its frame and the domain is at its limit they
         * must steal from the light ones.
         */
        w->hold_max = (i & 1) ? MAPTRACK_PER_PAGE * 3 / 8
                              : MAPTRACK_PER_PAGE * 5 / 4;
        w->held = calloc(w->hold_max, sizeof(*w->held));
        if ( !w->held )
            abort();
    }
}

void mt_stress_run(struct mt_stress *st, bool drain_all)
{
    unsigned int i;

    for ( i = 0; i < st->nr; i++ )
        hvh_queue_on(i % hvh_nr_cpus(), churn, &st->w[i]);
    hvh_quiesce();
    if ( !drain_all )
        return;
    for ( i = 0; i < st->nr; i++ )
        hvh_queue_on(i % hvh_nr_cpus(), drain, &st->w[i]);
    hvh_quiesce();
}

unsigned int mt_stress_nr_claimed(const struct mt_stress *st)
{
    unsigned int h, n = 0;

    for ( h = 0; h < st->nr_handles; h++ )
        n += __atomic_load_n(&st->claimed[h], __ATOMIC_ACQUIRE);
    return n;
}

void mt_stress_free(struct mt_stress *st)
{
    unsigned int i;

    for ( i = 0; i < st->nr; i++ )
    {
        free(st->w[i].held);
        free(st->mbox[i].h);
        pthread_mutex_destroy(&st->mbox[i].lock);
    }
    free(st->w);
    free(st->mbox);
    free(st->claimed);
}
