/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/vmx/vmcs.h: the posted-interrupt
 * descriptor with Xen's layout and name, and the part of struct vmx_vcpu
 * (v->arch.hvm.vmx) that hv/ code touches.
 */
#ifndef __ASM_X86_HVM_VMX_VMCS_H__
#define __ASM_X86_HVM_VMX_VMCS_H__

#include <xen/types.h>
#include <xen/list.h>
#include <xen/spinlock.h>

#define X86_NR_VECTORS 256

/*
 * VT-d posted-interrupt descriptor: 256 request bits, then a 64-bit word
 * the IOMMU updates atomically (ON bit 0, SN bit 1, NV bits 16-23, NDST
 * bits 32-63), then reserved space up to 64 bytes; 64-byte aligned.
 */
struct pi_desc {
    DECLARE_BITMAP(pir, X86_NR_VECTORS);
    union {
        struct {
            uint16_t on     : 1,
                     sn     : 1,
                     rsvd_1 : 14;
            uint8_t  nv;
            uint8_t  rsvd_2;
            uint32_t ndst;
        };
        uint64_t control;
    };
    uint32_t rsvd[6];
} __attribute__((aligned(64)));

/* Xen's own per-vCPU blocking-list link (unused by hv/ code). */
struct pi_blocking_vcpu {
    struct list_head list;
    spinlock_t *lock;
};

struct vmx_vcpu {
    struct pi_desc pi_desc;
};

#endif /* __ASM_X86_HVM_VMX_VMCS_H__ */
