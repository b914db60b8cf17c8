/*
 * Harness emulation of the parts of asm/hvm/vmx/vmx.h the hv/ fixes use.
 *
 * INVEPT (EPT fix, arch/x86/mm/p2m-ept-flush.c): the instruction becomes a
 * busy period of hvh_invept_ns on the calling pCPU, then an optional hook
 * that tests use to model the pCPU's TLB (which EPT generation it now
 * caches).  Both are set by the program (test, benchmark, hvsim scenario);
 * they are weak so that every program linking the EPT code has them
 * without a harness source file of their own.
 *
 * Other fixes may add their vmx.h declarations below.
 */
#ifndef __ASM_X86_HVM_VMX_VMX_H__
#define __ASM_X86_HVM_VMX_VMX_H__

#include <xen/types.h>
#include <xen/time.h>

#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXT    2

/* Cost of one INVEPT in ns (0: free). */
__attribute__((weak)) int64_t hvh_invept_ns;
/* Called on the invalidating pCPU after the busy period, if set. */
__attribute__((weak)) void (*hvh_invept_hook)(unsigned long type,
                                              uint64_t eptp);

static inline void __invept(unsigned long type, uint64_t eptp)
{
    int64_t cost = __atomic_load_n(&hvh_invept_ns, __ATOMIC_RELAXED);
    void (*hook)(unsigned long, uint64_t) =
        __atomic_load_n(&hvh_invept_hook, __ATOMIC_ACQUIRE);

    if ( cost > 0 )
    {
        s_time_t end = NOW() + cost;

        /* An instruction: not interruptible, so no cpu_relax() here. */
        while ( NOW() < end )
            __builtin_ia32_pause();
    }
    if ( hook )
        hook(type, eptp);
}

/* EPT fix (arch/x86/mm/p2m-ept-flush.c). */
struct p2m_domain;
void ept_sync_domain(struct p2m_domain *p2m);

/*
 * Xen's vmx.c owns the posted-interrupt notification vector (the harness
 * allocates it in core.c); NDST's xAPIC-mode field.
 */
extern uint8_t posted_intr_vector;
#define PI_xAPIC_NDST_MASK 0xFF00

#endif /* __ASM_X86_HVM_VMX_VMX_H__ */
