/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen/grant_maptrack.h: maptrack handle allocation for grant mappings,
 * with one free list per vCPU (see xen/common/grant_maptrack.c).
 *
 * The state lives in two structures that the (patched) Xen structures
 * embed: struct maptrack_domain in struct domain (it takes over from
 * struct grant_table's maptrack, maptrack_limit and maptrack_lock) and
 * struct maptrack_vcpu in struct vcpu (taking over from maptrack_head,
 * maptrack_tail and maptrack_freelist_lock).  common/grant_table.c finds
 * them through its grant table's domain (docs/PATCHING.md).
 */
#ifndef __XEN_GRANT_MAPTRACK_H__
#define __XEN_GRANT_MAPTRACK_H__

#include <xen/cache.h>
#include <xen/types.h>
#include <xen/spinlock.h>

struct domain;
struct vcpu;

/* End of a free list, and "no list yet" for a vCPU's head and tail. */
#define MAPTRACK_TAIL           (~0u)
#define INVALID_MAPTRACK_HANDLE (~0u)

/*
 * One tracked grant mapping.  While the entry is free, .ref links it to
 * the next free entry of its list (MAPTRACK_TAIL ends the list); while it
 * is in use, .ref is the grant reference mapped.  .vcpu names the vCPU
 * whose free list the entry returns to.  Both are accessed with
 * read_atomic()/write_atomic(): other vCPUs read and write them without
 * holding any lock.  It is Xen's own struct grant_mapping (same name,
 * fields and size), whose definition in common/grant_table.c a patched
 * tree deletes.
 */
struct grant_mapping {
    uint32_t ref;
    uint16_t flags;
    domid_t  domid;
    uint32_t vcpu;
    uint32_t pad;
};

#define MAPTRACK_PER_PAGE (PAGE_SIZE / sizeof(struct grant_mapping))

enum maptrack_policy {
    MAPTRACK_POLICY_LOCKED, /* pre-fix: one free list under maptrack_lock */
    MAPTRACK_POLICY_PERCPU, /* per-vCPU free lists, lock only to grow */
};

/* Per-domain state (struct grant_table in a real tree). */
struct maptrack_domain {
    /*
     * Serialises growth of the table.  Under MAPTRACK_POLICY_LOCKED it
     * also protects the single free list (free_head), as before the fix.
     */
    spinlock_t lock;
    /* Policy latched when the domain was created. */
    unsigned int policy;
    /* Frames allocated so far; written under lock, read without it. */
    unsigned int nr_frames;
    /* Size of frames[]: the most frames this domain may ever have. */
    unsigned int max_frames;
    struct grant_mapping **frames;
    /* MAPTRACK_POLICY_LOCKED only: the domain's one free list. */
    unsigned int free_head;
};

/*
 * Per-vCPU state (struct vcpu in a real tree).  The owner's fields and the
 * tail, which other vCPUs write on every remote put, sit on separate cache
 * lines, and neither shares a line with another vCPU's state.
 */
struct maptrack_vcpu {
    /*
     * Head of this vCPU's free list: the handle in the low 32 bits and a
     * tag in the high 32 bits that every successful update increments, so
     * that a pop racing with a steal cannot be fooled by a handle that
     * left the list and came back (ABA).  MAPTRACK_TAIL in the low half
     * means the vCPU has no list yet.
     */
    uint64_t head __cacheline_aligned;
    /*
     * Statistics, each written only by this vCPU while it runs (so
     * without atomic read-modify-write), summed over the domain's vCPUs
     * by readers.
     */
    unsigned long gets, puts, steals, failures;
    /* Last entry of the free list: where puts from any vCPU append. */
    uint32_t tail __cacheline_aligned;
} __cacheline_aligned;

/* Boot/runtime parameter "gnttab_max_maptrack_frames": frames per vCPU. */
extern unsigned int opt_max_maptrack_frames;
/* Boot parameter "maptrack_policy=locked|percpu", latched per domain. */
extern unsigned int opt_maptrack_policy;

/*
 * max_frames: the domain's own limit as the toolstack set it
 * (XEN_DOMCTL_createdomain's max_maptrack_frames, after grant_table_init()
 * applied its default), or negative for none; the domain may have at most
 * that many frames and at most gnttab_max_maptrack_frames per vCPU.
 */
int maptrack_domain_init(struct domain *d, int max_frames);
void maptrack_domain_destroy(struct domain *d);
void maptrack_vcpu_init(struct vcpu *v);

/*
 * Take a free handle for the current vCPU's domain; INVALID_MAPTRACK_HANDLE
 * if the domain is at its limit and no other vCPU has one to spare.
 */
unsigned int get_maptrack_handle(struct domain *d);
/* Give a handle back, from any vCPU of the domain. */
void put_maptrack_handle(struct domain *d, unsigned int handle);

struct grant_mapping *maptrack_entry(const struct domain *d,
                                      unsigned int handle);

/* Domain-wide figures (sums of per-vCPU counters; approximate when live). */
unsigned int maptrack_in_use(const struct domain *d);
unsigned int maptrack_limit_frames(const struct domain *d);

/*
 * Call fn once for every free handle of d, list by list (vcpu is the owner
 * whose list holds it, or ~0u for the single list of the locked policy).
 * Only meaningful while the domain's vCPUs are paused.  Returns the number
 * of entries visited, or -EOVERFLOW if a list is longer than the table (a
 * cycle).
 */
int maptrack_for_each_free(const struct domain *d,
                           void (*fn)(unsigned int handle, unsigned int vcpu,
                                      void *arg),
                           void *arg);

#endif /* __XEN_GRANT_MAPTRACK_H__ */
