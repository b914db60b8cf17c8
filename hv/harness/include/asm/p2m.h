/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/p2m.h: the host p2m of a domain
 * (d->arch.p2m), reduced to its back-pointer to the domain, and the
 * declarations hv/ code defines.
 */
#ifndef __ASM_X86_P2M_H__
#define __ASM_X86_P2M_H__

struct domain;

struct p2m_domain {
    struct domain *domain;      /* the owner */
};

#define p2m_get_hostp2m(d) ((d)->arch.p2m)

/* EPT fix (arch/x86/mm/p2m-ept-flush.c). */
void p2m_tlb_flush_sync(struct p2m_domain *p2m);

#endif /* __ASM_X86_P2M_H__ */
