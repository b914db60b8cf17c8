/*
 * Harness emulation of the parts of xen/sched.h the hv/ fixes use: a
 * minimal struct vcpu / struct domain, the domain list, current, and
 * vcpu_unblock()/vcpu_wake().
 *
 * State a fix adds to a vCPU or a domain is a struct declared in the fix's
 * own hv/ header and embedded here with one line, as the patched Xen
 * structure would embed it.
 */
#ifndef __SCHED_H__
#define __SCHED_H__

#include <xen/types.h>
#include <xen/spinlock.h>
#include <xen/rwlock.h>
#include <xen/rcupdate.h>
#include <xen/smp.h>
#include <xen/bitops.h>
#include <xen/radix-tree.h>
#include <asm/atomic.h>
#include <asm/current.h>
#include <asm/domain.h>

/* FIX STATE headers: each fix adds its #include below */
#include <asm/hvm/vmx/pi_blocking.h>
#include <xen/grant_maptrack.h>
#include <asm/p2m-ept-flush.h>
#include <xen/hvm/dpci.h>
#include <hvh/irq_desc.h>           /* dpci: struct irq_desc */
#include <asm/hvm/msixtbl.h>

struct domain;

struct vcpu {
    int vcpu_id;
    int processor;              /* pCPU it runs on or last ran on */
    unsigned long pause_flags;  /* _VPF_* */
    bool is_running;
    struct domain *domain;
    struct vcpu *next_in_list;
    void *hvh_priv;             /* the harness's or a scenario's */
    struct arch_vcpu arch;      /* v->arch.hvm.vmx.pi_desc */

    /* FIX STATE: each fix adds one line below */
    struct vmx_pi_vcpu pi;
    struct maptrack_vcpu maptrack;
};

struct domain {
    domid_t domain_id;
    unsigned int max_vcpus;
    struct vcpu **vcpu;
    struct domain *next_in_list;
    bool is_hvm;
    bool is_dying;
    spinlock_t domain_lock;
    void *hvh_priv;
    struct arch_domain arch;    /* d->arch.p2m */
    rwlock_t event_lock;        /* dpci: as in Xen 4.17 */
    unsigned int nr_pirqs;      /* dpci: as in Xen */
    struct radix_tree_root pirq_tree; /* dpci: .hvh, hv/harness/dpci.c */
    bool hvh_iommu_enabled;     /* dpci: is_iommu_enabled() */

    /* FIX STATE: each fix adds one line below */
    struct maptrack_domain maptrack;
    struct ept_flush_domain ept_flush;
    struct dpci_domain dpci;
    struct msixtbl_domain msixtbl;
};

#define _VPF_blocked 0
#define VPF_blocked  (1UL << _VPF_blocked)
#define _VPF_down    1
#define VPF_down     (1UL << _VPF_down)
#define _VPF_blocked_in_xen 2
#define VPF_blocked_in_xen  (1UL << _VPF_blocked_in_xen)

extern struct domain *domain_list;
extern rcu_read_lock_t domlist_read_lock;
extern struct vcpu *idle_vcpu[NR_CPUS];

#define for_each_domain(_d)                         \
    for ( (_d) = rcu_dereference(domain_list);      \
          (_d) != NULL;                             \
          (_d) = rcu_dereference((_d)->next_in_list) )

#define for_each_vcpu(_d, _v)                       \
    for ( (_v) = (_d)->vcpu ? (_d)->vcpu[0] : NULL; \
          (_v) != NULL;                             \
          (_v) = (_v)->next_in_list )

#define is_idle_domain(d) ((d)->domain_id == DOMID_IDLE)
#define is_idle_vcpu(v)   (is_idle_domain((v)->domain))
static inline bool is_hvm_domain(const struct domain *d)
{
    return d->is_hvm;
}
#define is_hvm_vcpu(v) is_hvm_domain((v)->domain)
/* The harness's HVM guests all have a vLAPIC. */
#define has_vlapic(d) is_hvm_domain(d)
static inline bool is_iommu_enabled(const struct domain *d)
{
    return d->hvh_iommu_enabled;
}
/* dpci: Xen's default hardware domain id. */
#define is_hardware_domain(d) ((d)->domain_id == 0)

/* Clears _VPF_blocked and wakes the vCPU if it was blocked. */
void vcpu_unblock(struct vcpu *v);
void vcpu_wake(struct vcpu *v);
void vcpu_kick(struct vcpu *v);

struct domain *rcu_lock_domain_by_id(domid_t dom);
void rcu_unlock_domain(struct domain *d);
#define domain_lock(d)   spin_lock(&(d)->domain_lock)
#define domain_unlock(d) spin_unlock(&(d)->domain_lock)

#endif /* __SCHED_H__ */
