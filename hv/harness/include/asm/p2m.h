/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/p2m.h: the host p2m of a domain
 * (d->arch.p2m), reduced to its back-pointer to the domain, its EPT data
 * (only the EP4TA the EPT fix hands to INVEPT; the harness has no EPT, so
 * the domain id stands in) and the deferred-flush fields, and the
 * declarations hv/ code defines.
 */
#ifndef __ASM_X86_P2M_H__
#define __ASM_X86_P2M_H__

struct domain;

#include <xen/types.h>

struct ept_data {
    uint64_t eptp;              /* EP4TA (Xen: a union with mt, wl, mfn) */
};

struct p2m_domain {
    struct domain *domain;      /* the owner */
    struct ept_data ept;        /* Xen's field of the same name */
    /*
     * Xen's deferred-flush pair: p2m_lock() raises defer_flush (the
     * harness's p2m lock, ept_p2m_lock(), leaves it 0), need_flush is the
     * flush a write-locked section owes.
     */
    unsigned int defer_flush;
    bool need_flush;
};

#define p2m_get_hostp2m(d) ((d)->arch.p2m)

/* EPT fix (arch/x86/mm/p2m-ept-flush.c). */
void p2m_tlb_flush_sync(struct p2m_domain *p2m);

#endif /* __ASM_X86_P2M_H__ */
