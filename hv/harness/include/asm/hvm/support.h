/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/support.h: copies from guest
 * physical memory.  The harness's guests have no memory: every copy
 * fails with HVMTRANS_bad_gfn_to_mfn.
 */
#ifndef __ASM_X86_HVM_SUPPORT_H__
#define __ASM_X86_HVM_SUPPORT_H__

#include <xen/types.h>

enum hvm_translation_result {
    HVMTRANS_okay,
    HVMTRANS_bad_linear_to_gfn,
    HVMTRANS_bad_gfn_to_mfn,
    HVMTRANS_unhandleable,
    HVMTRANS_gfn_paged_out,
    HVMTRANS_gfn_shared,
    HVMTRANS_need_retry,
};

enum hvm_translation_result hvm_copy_from_guest_phys(void *buf, paddr_t paddr,
                                                     unsigned int size);

#endif /* __ASM_X86_HVM_SUPPORT_H__ */
