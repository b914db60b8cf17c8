/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * asm/hvm/msixtbl.h: what the MSI-X table part of the hypervisor adds to
 * a domain (the per-domain telemetry figures) and its boot-time policy.
 *
 * Problem (seed 001): a Linux guest's edge-interrupt flow masks and unmasks
 * MSI-X vectors and reads the vector control word back to flush each write.
 * When only the mask writes are intercepted, every table read goes to the
 * device model in dom0 as an ioreq, so dom0 CPU grows with the number of
 * guests (140% with 24 guests at 10Gb).
 *
 * Fix (xen/arch/x86/hvm/msixtbl.c and msixtbl_read.c, which take the place
 * of the MSI-X table code of Xen's vmsi.c): aligned 4- and 8-byte table
 * reads are answered from what the guest wrote (address and data) and from
 * the vector's guest mask bit (vector control).
 *
 * Invariant: a read answered by the hypervisor returns what the device
 * model would have returned; every shadow dword a forwarded write may have
 * changed is forgotten before the write reaches the device model.
 *
 * Counters (node "msix"): reads_emulated, reads_forwarded,
 * writes_intercepted, writes_forwarded per pCPU; the first three per
 * domain (struct msixtbl_domain, embedded as msixtbl at the end of struct
 * domain).  Trace: MSIX_EMULATED, MSIX_FORWARD.
 *
 * This header includes only xen/types.h, so that xen/sched.h can include
 * it; the table structure itself is private to the two files above
 * (arch/x86/hvm/msixtbl_private.h).
 */

#ifndef __ASM_X86_HVM_MSIXTBL_H__
#define __ASM_X86_HVM_MSIXTBL_H__

#include <xen/types.h>

/* Per-domain figures of /telemetry/msix (d->msixtbl). */
struct msixtbl_domain {
    uint64_t reads_emulated;
    uint64_t reads_forwarded;
    uint64_t writes_intercepted;
};

enum msixtbl_policy {
    MSIXTBL_POLICY_FORWARD,         /* pre-fix: table reads to the DM */
    MSIXTBL_POLICY_EMULATE,         /* fix: answered by the hypervisor */
};
/* Boot parameter msixtbl_policy=forward|emulate (default emulate). */
extern enum msixtbl_policy msixtbl_policy;

#endif /* __ASM_X86_HVM_MSIXTBL_H__ */
