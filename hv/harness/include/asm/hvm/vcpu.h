/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/vcpu.h: struct hvm_vcpu
 * (v->arch.hvm) reduced to the MSI-X addresses of its I/O state (hvm_io)
 * and its VMX/SVM union, VMX part only.
 */
#ifndef __ASM_X86_HVM_VCPU_H__
#define __ASM_X86_HVM_VCPU_H__

#include <asm/hvm/vmx/vmcs.h>

struct hvm_vcpu_io {
    unsigned long msix_unmask_address;
    unsigned long msix_snoop_address;
    unsigned long msix_snoop_gpa;
};

struct hvm_vcpu {
    struct hvm_vcpu_io hvm_io;
    union {
        struct vmx_vcpu vmx;
    };
};

#endif /* __ASM_X86_HVM_VCPU_H__ */
