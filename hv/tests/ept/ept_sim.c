/*
 * ept_sim.c - see ept_sim.h.
 */
#include <string.h>

#include <hvh/harness.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/telemetry.h>
#include <asm/hvm/vmx/vmx.h>
#include <asm/p2m-ept-flush.h>

#include "ept_sim.h"

struct ept_model ept_model;

static int ept_domain_create(struct domain *d)
{
    return ept_flush_domain_init(d);
}

static struct hvh_hooks ept_hooks = {
    .name = "ept",
    .domain_create = ept_domain_create,
};

static void model_invept(unsigned long type, uint64_t eptp)
{
    unsigned int cpu = smp_processor_id();

    __atomic_store_n(&ept_model.tlb_gen[cpu],
                     __atomic_load_n(&ept_model.change_gen, __ATOMIC_SEQ_CST),
                     __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&ept_model.invepts, 1, __ATOMIC_RELAXED);
}

/* Registration survives hvh_shutdown(): once, until unregistered. */
static bool hooks_registered;

void ept_sim_register_hooks(void)
{
    if ( !hooks_registered )
    {
        hvh_register_hooks(&ept_hooks);
        hooks_registered = true;
    }
    __atomic_store_n(&hvh_invept_hook, model_invept, __ATOMIC_RELEASE);
}

void ept_sim_unregister_hooks(void)
{
    if ( hooks_registered )
    {
        hvh_unregister_hooks(&ept_hooks);
        hooks_registered = false;
    }
    __atomic_store_n(&hvh_invept_hook, NULL, __ATOMIC_RELEASE);
}

void ept_sim_reset(void)
{
    unsigned int i;

    __atomic_store_n(&ept_model.change_gen, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&ept_model.committed_gen, 0, __ATOMIC_SEQ_CST);
    for ( i = 0; i < NR_CPUS; i++ )
        __atomic_store_n(&ept_model.tlb_gen[i], 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&ept_model.vmenters, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&ept_model.stale, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&ept_model.invepts, 0, __ATOMIC_SEQ_CST);
}

void ept_sim_change(struct domain *d)
{
    unsigned long gen, seen;

    /* The entry write: translations cached before now are stale. */
    gen = __atomic_add_fetch(&ept_model.change_gen, 1, __ATOMIC_SEQ_CST);
    ept_sync_domain(p2m_get_hostp2m(d));

    /* Visible: from now on nobody may enter with an older generation. */
    seen = __atomic_load_n(&ept_model.committed_gen, __ATOMIC_SEQ_CST);
    while ( seen < gen &&
            !__atomic_compare_exchange_n(&ept_model.committed_gen, &seen, gen,
                                         false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST) )
        ;
}

void ept_sim_vmenter(struct vcpu *v)
{
    unsigned int cpu = smp_processor_id();
    unsigned long need = __atomic_load_n(&ept_model.committed_gen,
                                         __ATOMIC_SEQ_CST);

    ept_vmenter_invalidate(v);
    __atomic_fetch_add(&ept_model.vmenters, 1, __ATOMIC_RELAXED);
    if ( __atomic_load_n(&ept_model.tlb_gen[cpu], __ATOMIC_SEQ_CST) < need )
        __atomic_fetch_add(&ept_model.stale, 1, __ATOMIC_RELAXED);
}

void ept_sim_sched_in(struct vcpu *v)
{
    ept_ctxt_switch_to(v);
    ept_sim_vmenter(v);
}

void ept_sim_sched_out(struct vcpu *v)
{
    ept_ctxt_switch_from(v);
}

uint64_t ept_sim_counter(enum ept_ctr c)
{
    uint64_t sum = 0;
    unsigned int cpu;

    for ( cpu = 0; cpu < hvh_nr_cpus(); cpu++ )
    {
        const struct telemetry_ept_pcpu *p = telemetry_block(ept, cpu);

        switch ( c )
        {
        case EPT_CTR_REQUESTS:    sum += read_atomic(&p->flush_requests); break;
        case EPT_CTR_DEFERRED:    sum += read_atomic(&p->flushes_deferred); break;
        case EPT_CTR_COALESCED:   sum += read_atomic(&p->flushes_coalesced); break;
        case EPT_CTR_SYNC:        sum += read_atomic(&p->flushes_sync); break;
        case EPT_CTR_IPIS:        sum += read_atomic(&p->ipis_sent); break;
        case EPT_CTR_VMENTER_INV: sum += read_atomic(&p->vmenter_invalidations);
                                  break;
        }
    }

    return sum;
}
