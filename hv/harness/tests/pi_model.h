/*
 * pi_model.h - the world around the PI blocking-list code, for tests,
 * benchmarks and the pi scenario: what the VT-d hardware does when a
 * device's interrupt is posted, and what Xen's scheduler does around
 * vmx_vcpu_block()/vmx_pi_do_resume().
 */
#ifndef HVH_PI_MODEL_H
#define HVH_PI_MODEL_H

#include <xen/sched.h>
#include <asm/hvm/vmx/pi_blocking.h>
#include <hvh/harness.h>

/*
 * The IOMMU posts vector vec to v's descriptor: PIR bit, then ON and a
 * notification (vector NV to pCPU NDST, read in the same atomic update)
 * unless ON was already set or SN is set.  Returns the pCPU notified, or
 * -1 if none was.
 */
static inline int pi_model_post(struct vcpu *v, uint8_t vec)
{
    struct pi_desc *d = vmx_pi_desc(v);
    uint64_t old = __atomic_load_n(&d->control, __ATOMIC_ACQUIRE);

    __atomic_fetch_or(&d->pir[vec / BITS_PER_LONG], 1UL << (vec % BITS_PER_LONG),
                      __ATOMIC_SEQ_CST);
    do {
        if ( old & PI_CTRL_ON )
            return -1;
    } while ( !__atomic_compare_exchange_n(&d->control, &old,
                                           old | PI_CTRL_ON, false,
                                           __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE) );
    if ( old & PI_CTRL_SN )
        return -1;
    hvh_raise_vector(old >> PI_CTRL_NDST_SHIFT,
                     (old & PI_CTRL_NV_MASK) >> PI_CTRL_NV_SHIFT);
    return old >> PI_CTRL_NDST_SHIFT;
}

/*
 * Xen's vcpu_block() for v on the calling pCPU: mark it blocked, let the
 * PI code put it on a list, then do not sleep if an interrupt was posted
 * meanwhile (local_events_need_delivery()).
 */
static inline void pi_model_block(struct vcpu *v)
{
    set_bit(_VPF_blocked, &v->pause_flags);
    vmx_vcpu_block(v);
    if ( pi_desc_on(vmx_pi_desc(v)) )
        vcpu_unblock(v);
}

/* v runs again on the calling pCPU: VM entry takes its posted
 * interrupts (PIR to IRR, ON cleared). */
static inline void pi_model_resume(struct vcpu *v)
{
    unsigned int i;

    if ( v->processor != (int)smp_processor_id() )
        v->processor = smp_processor_id();
    vmx_pi_do_resume(v);
    __atomic_fetch_and(&vmx_pi_desc(v)->control, ~PI_CTRL_ON, __ATOMIC_SEQ_CST);
    for ( i = 0; i < ARRAY_SIZE(vmx_pi_desc(v)->pir); i++ )
        __atomic_store_n(&vmx_pi_desc(v)->pir[i], 0, __ATOMIC_RELAXED);
}



/* Where the patched vcpu_create()/vcpu_destroy() call the fix. */
static inline struct hvh_hooks *pi_model_hooks(void)
{
    static struct hvh_hooks hooks = {
        .name = "pi",
        .vcpu_create = vmx_pi_vcpu_create,
        .vcpu_destroy = vmx_pi_vcpu_destroy,
    };

    return &hooks;
}
#endif /* HVH_PI_MODEL_H */
