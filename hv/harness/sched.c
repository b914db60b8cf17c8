/*
 * sched.c - domains and vCPUs, as far as the fixes need them: creation
 * and destruction (calling the registered fix hooks where the patched Xen
 * would), the RCU-protected domain list, idle vCPUs and vcpu_unblock().
 * Scheduling itself belongs to the scenarios (hvh_hooks.vcpu_wake).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/xmalloc.h>
#include <hvh/harness.h>

#include "internal.h"

struct domain *domain_list;
DEFINE_RCU_READ_LOCK(domlist_read_lock);
struct vcpu *idle_vcpu[NR_CPUS];

static DEFINE_SPINLOCK(domlist_update_lock);
static struct hvh_hooks *hooks;
static struct domain idle_domain = { .domain_id = DOMID_IDLE };
static struct vcpu *idle_vcpus;
static unsigned int nr_domains;

void hvh_register_hooks(struct hvh_hooks *h)
{
    struct hvh_hooks **pp = &hooks;

    while ( *pp )
    {
        if ( *pp == h )
            return;
        pp = &(*pp)->next;
    }
    h->next = NULL;
    *pp = h;
}

void hvh_unregister_hooks(struct hvh_hooks *h)
{
    struct hvh_hooks **pp;

    for ( pp = &hooks; *pp; pp = &(*pp)->next )
        if ( *pp == h )
        {
            *pp = h->next;
            return;
        }
}

int hvh_sched_init(unsigned int nr_cpus)
{
    unsigned int cpu;

    /* struct vcpu holds Xen's 64-byte aligned struct pi_desc */
    idle_vcpus = aligned_alloc(__alignof__(struct vcpu),
                               nr_cpus * sizeof(*idle_vcpus));
    if ( !idle_vcpus )
        return -1;
    memset(idle_vcpus, 0, nr_cpus * sizeof(*idle_vcpus));
    for ( cpu = 0; cpu < nr_cpus; cpu++ )
    {
        struct vcpu *v = &idle_vcpus[cpu];

        v->vcpu_id = cpu;
        v->processor = cpu;
        v->domain = &idle_domain;
        v->is_running = true;
        idle_vcpu[cpu] = v;
        per_cpu(curr_vcpu, cpu) = v;
    }
    per_cpu(curr_vcpu, NR_CPUS) = NULL;
    return 0;
}

void hvh_sched_shutdown(void)
{
    while ( domain_list )
        hvh_domain_destroy(domain_list);
    free(idle_vcpus);
    idle_vcpus = NULL;
    memset(idle_vcpu, 0, sizeof(idle_vcpu));
}

unsigned int hvh_nr_domains(void)
{
    return __atomic_load_n(&nr_domains, __ATOMIC_RELAXED);
}

static void destroy_vcpus(struct domain *d, unsigned int n)
{
    while ( n-- )
    {
        struct hvh_hooks *h;
        struct hvh_hooks *rev[32];
        unsigned int nh = 0;

        for ( h = hooks; h && nh < ARRAY_SIZE(rev); h = h->next )
            rev[nh++] = h;
        while ( nh-- )
            if ( rev[nh]->vcpu_destroy )
                rev[nh]->vcpu_destroy(d->vcpu[n]);
    }
}

static uint16_t domid_base;

void hvh_set_domid_base(uint16_t base)
{
    domid_base = base;
}

struct domain *hvh_domain_create(uint16_t domid, unsigned int nr_vcpus,
                                 bool hvm)
{
    struct domain *d;
    struct vcpu *vcpus;
    struct hvh_hooks *h;
    unsigned int i, online = 0, cpu;
    unsigned int online_cpus[NR_CPUS];

    if ( !nr_vcpus )
        return NULL;
    for_each_online_cpu ( cpu )
        online_cpus[online++] = cpu;
    if ( !online )
        return NULL;
    d = xzalloc(struct domain);
    vcpus = xzalloc_array(struct vcpu, nr_vcpus);
    if ( d )
        d->vcpu = xzalloc_array(struct vcpu *, nr_vcpus);
    if ( !d || !vcpus || !d->vcpu )
        goto fail;
    d->domain_id = domid + domid_base;
    d->max_vcpus = nr_vcpus;
    d->is_hvm = hvm;
    spin_lock_init(&d->domain_lock);
    d->arch.hostp2m.domain = d;
    d->arch.hostp2m.ept.eptp = d->domain_id;
    d->arch.p2m = &d->arch.hostp2m;

    for ( h = hooks; h; h = h->next )
        if ( h->domain_create && h->domain_create(d) )
            goto fail_hooks;

    for ( i = 0; i < nr_vcpus; i++ )
    {
        struct vcpu *v = &vcpus[i];

        v->vcpu_id = i;
        v->processor = online_cpus[i % online];
        v->domain = d;
        d->vcpu[i] = v;
        if ( i )
            d->vcpu[i - 1]->next_in_list = v;
        for ( h = hooks; h; h = h->next )
            if ( h->vcpu_create && h->vcpu_create(v) )
            {
                struct hvh_hooks *u;

                /* Undo the hooks that succeeded on this vCPU. */
                for ( u = hooks; u != h; u = u->next )
                    if ( u->vcpu_destroy )
                        u->vcpu_destroy(v);
                destroy_vcpus(d, i);
                goto fail_vcpus;
            }
    }

    spin_lock(&domlist_update_lock);
    d->next_in_list = domain_list;
    rcu_assign_pointer(domain_list, d);
    nr_domains++;
    spin_unlock(&domlist_update_lock);
    return d;

 fail_vcpus:
    for ( h = hooks; h; h = h->next )
        if ( h->domain_destroy )
            h->domain_destroy(d);
 fail_hooks:
 fail:
    if ( d )
        xfree(d->vcpu);
    xfree(vcpus);
    xfree(d);
    return NULL;
}

void hvh_domain_destroy(struct domain *d)
{
    struct domain **pp;
    struct hvh_hooks *h, *rev[32];
    unsigned int nh = 0;

    spin_lock(&domlist_update_lock);
    for ( pp = &domain_list; *pp && *pp != d; pp = &(*pp)->next_in_list )
        ;
    if ( *pp )
    {
        rcu_assign_pointer(*pp, d->next_in_list);
        nr_domains--;
    }
    spin_unlock(&domlist_update_lock);
    d->is_dying = true;

    /* Wait for RCU readers of the domain list (rcu_read_lock users). */
    _write_lock(&domlist_read_lock.lock);
    _write_unlock(&domlist_read_lock.lock);

    destroy_vcpus(d, d->max_vcpus);
    for ( h = hooks; h && nh < ARRAY_SIZE(rev); h = h->next )
        rev[nh++] = h;
    while ( nh-- )
        if ( rev[nh]->domain_destroy )
            rev[nh]->domain_destroy(d);
    xfree(d->vcpu[0]);
    xfree(d->vcpu);
    xfree(d->arch.hvm.io_handler);  /* hvm_next_io_handler()'s */
    xfree(d);
}

struct domain *rcu_lock_domain_by_id(domid_t dom)
{
    struct domain *d;

    rcu_read_lock(&domlist_read_lock);
    for_each_domain ( d )
        if ( d->domain_id == dom )
            return d;
    rcu_read_unlock(&domlist_read_lock);
    return NULL;
}

void rcu_unlock_domain(struct domain *d)
{
    rcu_read_unlock(&domlist_read_lock);
}

void vcpu_wake(struct vcpu *v)
{
    struct hvh_hooks *h;

    for ( h = hooks; h; h = h->next )
        if ( h->vcpu_wake )
            h->vcpu_wake(v);
}

void vcpu_unblock(struct vcpu *v)
{
    if ( !test_and_clear_bit(_VPF_blocked, &v->pause_flags) )
        return;
    vcpu_wake(v);
}

void vcpu_kick(struct vcpu *v)
{
    vcpu_wake(v);
}
