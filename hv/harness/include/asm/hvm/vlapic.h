/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/vlapic.h: destination matching
 * only.  The harness has no vLAPIC state: vcpu_vlapic(v) stands for the
 * vCPU itself and a vCPU's APIC ID is its vcpu_id (Xen uses 2 * vcpu_id);
 * logical destinations are flat (bit vcpu_id), 0xff is a broadcast.
 */
#ifndef __ASM_X86_HVM_VLAPIC_H__
#define __ASM_X86_HVM_VLAPIC_H__

#include <xen/types.h>

struct vlapic;

#define vcpu_vlapic(v) ((struct vlapic *)(v))
#define vlapic_vcpu(vlapic) ((struct vcpu *)(vlapic))

bool vlapic_match_dest(const struct vlapic *target,
                       const struct vlapic *source,
                       int short_hand, uint32_t dest, bool dest_mode);

#endif /* __ASM_X86_HVM_VLAPIC_H__ */
