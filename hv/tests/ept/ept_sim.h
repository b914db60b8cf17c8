/*
 * ept_sim.h - driving the EPT flush code in the harness: lifecycle hooks,
 * a model of each pCPU's TLB (which p2m generation it caches), simulated
 * VMENTERs that check it, and counter sums.  Shared by the test, the
 * benchmark and the hvsim scenario.
 *
 * Model.  A p2m change is ept_sim_change(): it bumps change_gen under the
 * write lock, then calls ept_sync_domain().  Once that returns the change
 * is "visible": committed_gen is raised to its generation.  INVEPT (the
 * harness's __invept hook) sets the pCPU's tlb_gen to change_gen at that
 * moment.  A VMENTER reads committed_gen, runs the VMENTER hook of the fix
 * (ept_vmenter_invalidate()) and then requires tlb_gen >= what it read:
 * entering with an older generation means using a stale translation.
 */
#ifndef EPT_SIM_H
#define EPT_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/config.h>

struct domain;
struct vcpu;

struct ept_model {
    unsigned long change_gen;
    unsigned long committed_gen;
    unsigned long tlb_gen[NR_CPUS];
    unsigned long vmenters;
    unsigned long stale;            /* VMENTERs with a stale TLB */
    unsigned long invepts;
};

extern struct ept_model ept_model;

/* Register ept_flush_domain_init() as domain hook; install the INVEPT hook. */
void ept_sim_register_hooks(void);
void ept_sim_unregister_hooks(void);
/* Zero the model (between runs). */
void ept_sim_reset(void);

/* Under the write lock: one p2m change, then ept_sync_domain(). */
void ept_sim_change(struct domain *d);

/* On v's pCPU: v starts running there (dirty mask) and enters the guest. */
void ept_sim_sched_in(struct vcpu *v);
void ept_sim_sched_out(struct vcpu *v);
/* On the current pCPU: a VMEXIT/VMENTER round trip of v, checked. */
void ept_sim_vmenter(struct vcpu *v);

enum ept_ctr {
    EPT_CTR_REQUESTS,
    EPT_CTR_DEFERRED,
    EPT_CTR_COALESCED,
    EPT_CTR_SYNC,
    EPT_CTR_IPIS,
    EPT_CTR_VMENTER_INV,
};
uint64_t ept_sim_counter(enum ept_ctr c);

#endif /* EPT_SIM_H */
