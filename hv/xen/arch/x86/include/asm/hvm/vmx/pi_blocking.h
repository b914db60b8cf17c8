/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * asm/hvm/vmx/pi_blocking.h: bounded VT-d posted-interrupt blocking lists.
 *
 * See arch/x86/hvm/vmx/pi_blocking.c for the problem and the invariants.
 * struct vmx_pi_vcpu is what the patched struct vcpu embeds (it takes the
 * place of v->arch.hvm.vmx.pi_blocking); keep it small, a host may have
 * millions of vCPUs.
 *
 * Where a Xen 4.17 tree calls in (replacing vmx.c's own blocking list;
 * docs/PATCHING.md lists the edits):
 *   vmx_pi_vcpu_create/destroy  vmx_vcpu_initialise()/vmx_vcpu_destroy()
 *                               (the HVM vCPU count)
 *   vmx_vcpu_block              d->arch.hvm.pi_ops.vcpu_block, installed by
 *                               vmx_pi_hooks_assign()
 *   vmx_pi_do_resume            vmx_vmenter_helper(), and
 *                               vmx_pi_hooks_deassign()
 *   vmx_pi_irte_ref/unref       drivers/passthrough/vtd/intremap.c
 *                               pi_update_irte(), when an IRTE starts or
 *                               stops posting to a descriptor
 *   pi_wakeup_vector            allocated, with its handler, by
 *                               pi_blocking.c; posted_intr_vector and its
 *                               handler stay vmx.c's
 * The descriptor is Xen's own, v->arch.hvm.vmx.pi_desc (the harness
 * emulates it in its asm/hvm/vmx/vmcs.h).
 */
#ifndef __ASM_X86_HVM_VMX_PI_BLOCKING_H__
#define __ASM_X86_HVM_VMX_PI_BLOCKING_H__

#include <xen/types.h>
#include <xen/list.h>
#include <xen/percpu.h>
#include <xen/spinlock.h>
#include <asm/atomic.h>
#include <asm/hvm/vmx/vmcs.h>

struct vcpu;

/*
 * The posted-interrupt descriptor is Xen's struct pi_desc
 * (asm/hvm/vmx/vmcs.h, v->arch.hvm.vmx.pi_desc).  Its 64-bit control word
 * is read and updated here as a whole, atomically, as the IOMMU does: ON
 * (bit 0), SN (bit 1), NV (bits 16-23), NDST (bits 32-63: the pCPU's APIC
 * id, cpu_physical_id(), shifted into bits 8-15 in xAPIC mode; see
 * vmx_pi_ndst()).  Which pCPU NDST names is kept in v->pi.ndst_cpu.
 */
#define PI_CTRL_ON        (1ULL << 0)
#define PI_CTRL_SN        (1ULL << 1)
#define PI_CTRL_NV_SHIFT  16
#define PI_CTRL_NV_MASK   (0xffULL << PI_CTRL_NV_SHIFT)
#define PI_CTRL_NDST_SHIFT 32

#define vmx_pi_desc(v) (&(v)->arch.hvm.vmx.pi_desc)

static inline uint64_t pi_desc_control(const struct pi_desc *d)
{
    return __atomic_load_n(&d->control, __ATOMIC_ACQUIRE);
}
static inline bool pi_desc_on(const struct pi_desc *d)
{
    return pi_desc_control(d) & PI_CTRL_ON;
}
static inline uint32_t pi_desc_ndst(const struct pi_desc *d)
{
    return pi_desc_control(d) >> PI_CTRL_NDST_SHIFT;
}
static inline uint8_t pi_desc_nv(const struct pi_desc *d)
{
    return (pi_desc_control(d) & PI_CTRL_NV_MASK) >> PI_CTRL_NV_SHIFT;
}

/*
 * Per-vCPU state (one line in struct vcpu: struct vmx_pi_vcpu pi;).  It
 * replaces Xen's own link, v->arch.hvm.vmx.pi_blocking.
 */
struct vmx_pi_vcpu {
    struct list_head list;      /* entry on a pCPU's blocking list */
    spinlock_t *lock;           /* that list's lock, NULL when on none */
    spinlock_t vlock;           /* serialises block/resume/IRTE changes */
    unsigned int irte_refs;     /* IRTEs that post to desc (atomic) */
    unsigned int ndst_cpu;      /* the pCPU NDST names (atomic) */
    bool blocked;               /* between vmx_vcpu_block and resume */
};

/* Per-pCPU blocking list. */
struct pi_blocking_pcpu {
    struct list_head list;
    spinlock_t lock;
    unsigned int len;           /* under lock; read racily with read_atomic */
    unsigned int cpu;           /* whose list this is */
    unsigned int redirect_next; /* next-fit cursor for redirected adds */
};
DECLARE_PER_CPU(struct pi_blocking_pcpu, pi_blocking);

enum pi_list_policy {
    PI_POLICY_BASELINE,         /* Xen 4.17: local list, unbounded */
    PI_POLICY_BOUNDED,          /* this fix */
};
enum pi_list_redirect {
    PI_REDIRECT_NEXT,           /* next pCPU with room after the last one */
    PI_REDIRECT_LEAST,          /* the emptiest online pCPU */
};

/* HVM vCPUs on the host (common/domain.c in the patched Xen). */
extern atomic_t num_hvm_vcpus;

/* posted_intr_vector is Xen's own, declared in asm/hvm/vmx/vmx.h. */
extern uint8_t pi_wakeup_vector;

/* Called from vcpu_create()/vcpu_destroy(): count and set up. */
int vmx_pi_vcpu_create(struct vcpu *v);
void vmx_pi_vcpu_destroy(struct vcpu *v);

/* arch_vcpu_block(): v blocks on the running pCPU (v->processor). */
void cf_check vmx_vcpu_block(struct vcpu *v);
/* Before VM entry of v on the running pCPU: off any list, notifications
 * back to the posted-interrupt vector of this pCPU. */
void vmx_pi_do_resume(struct vcpu *v);

/* Interrupt remapping: an IRTE starts / stops posting to v's desc. */
void vmx_pi_irte_ref(struct vcpu *v);
void vmx_pi_irte_unref(struct vcpu *v);

/* Introspection for tests, benchmarks and the simulator. */
enum pi_list_policy vmx_pi_policy(void);
uint32_t vmx_pi_ndst(unsigned int cpu);     /* NDST naming pCPU cpu */
unsigned int vmx_pi_list_limit(void);       /* 0 when unbounded */
unsigned int vmx_pi_list_len(unsigned int cpu);

#endif /* __ASM_X86_HVM_VMX_PI_BLOCKING_H__ */
