/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * asm/hvm/msixtbl.h: the guest-visible MSI-X table of a passthrough
 * device, as the hypervisor sees it.
 *
 * Problem (seed 001): a Linux guest's edge-interrupt flow masks and unmasks
 * MSI-X vectors and reads the vector control word back to flush each write.
 * Xen intercepted only the mask writes; every table read went to the device
 * model in dom0 as an ioreq, so dom0 CPU grew with the number of guests
 * (140% with 24 guests at 10Gb).
 *
 * Fix: the hypervisor keeps a shadow of every table dword the guest wrote
 * through an aligned 4- or 8-byte access (address low/high, data are
 * snooped and still forwarded; vector control is handled here), and
 * answers aligned 4- and 8-byte table reads from it when every dword the
 * read covers is known.  Reads of the PBA, of odd size or alignment, of
 * dwords never written or since changed by a forwarded write, and accesses
 * outside the table still go to the device model.
 *
 * Invariant: a valid shadow dword always equals what the device model would
 * return for it (vector control: only the mask bit is implemented, other
 * bits read 0); any forwarded write that touches a dword invalidates it
 * first.
 *
 * Counters (node "msix"): reads_emulated, reads_forwarded,
 * writes_intercepted, writes_forwarded per pCPU; the first three per
 * domain.  Trace: MSIX_EMULATED, MSIX_FORWARD.
 */

#ifndef __ASM_X86_HVM_MSIXTBL_H__
#define __ASM_X86_HVM_MSIXTBL_H__

#include <xen/types.h>
#include <xen/list.h>
#include <xen/rwlock.h>

#ifndef PCI_MSIX_ENTRY_SIZE
#define PCI_MSIX_ENTRY_SIZE                 16
#define PCI_MSIX_ENTRY_LOWER_ADDR_OFFSET    0
#define PCI_MSIX_ENTRY_UPPER_ADDR_OFFSET    4
#define PCI_MSIX_ENTRY_DATA_OFFSET          8
#define PCI_MSIX_ENTRY_VECTOR_CTRL_OFFSET   12
#define PCI_MSIX_VECTOR_BITMASK             (1u << 0)
#endif

#ifndef X86EMUL_OKAY
#define X86EMUL_OKAY          0
#define X86EMUL_UNHANDLEABLE  1
#endif

#define MSIXTBL_MAX_ENTRIES   64
/* Dwords of one entry: address low, address high, data, vector control. */
#define MSIXTBL_ENTRY_DWORDS  4

/*
 * The device's own registers that both the hypervisor and the device model
 * reach (in a real host: the physical BAR).  The hypervisor programs the
 * mask bits; the device model reads them back and reads the PBA.
 */
struct msix_pdev {
    uint32_t ctrl[MSIXTBL_MAX_ENTRIES];
    uint64_t pba[MSIXTBL_MAX_ENTRIES / 64];
};

/* One access forwarded to the device model (an ioreq, in Xen). */
struct msix_ioreq {
    uint64_t addr;
    uint64_t data;          /* written value, or the value read back */
    uint32_t size;
    uint16_t domid;
    uint8_t dir;            /* IOREQ_READ or IOREQ_WRITE */
};
#ifndef IOREQ_READ
#define IOREQ_READ  1
#define IOREQ_WRITE 0
#endif

/* One passthrough device's MSI-X region in a guest. */
struct msixtbl_entry {
    struct list_head list;
    struct msix_pdev *pdev;
    paddr_t gtable;                 /* guest address of the table */
    unsigned int nr_entries;
    paddr_t gpba;                   /* guest address of the PBA */
    unsigned int pba_len;           /* bytes */
    /* Shadow of what the guest wrote, and which dwords of it are known. */
    uint32_t gentries[MSIXTBL_MAX_ENTRIES][MSIXTBL_ENTRY_DWORDS];
    unsigned long valid[BITS_TO_LONGS(MSIXTBL_MAX_ENTRIES *
                                      MSIXTBL_ENTRY_DWORDS)];
};

/* Per-domain state, embedded in struct domain (d->msixtbl). */
struct msixtbl_domain {
    rwlock_t lock;                  /* the entries list (RCU in Xen) */
    struct list_head entries;
    /* Forward to the device model and wait for its answer (ioreq). */
    int (*forward)(void *priv, struct msix_ioreq *req);
    void *forward_priv;
    /* Per-domain telemetry figures. */
    uint64_t reads_emulated;
    uint64_t reads_forwarded;
    uint64_t writes_intercepted;
};

enum msixtbl_policy {
    MSIXTBL_POLICY_FORWARD,         /* pre-fix: table reads to the DM */
    MSIXTBL_POLICY_EMULATE,         /* fix: served from the shadow */
};
/* Boot parameter msixtbl_policy=forward|emulate (default emulate). */
extern enum msixtbl_policy msixtbl_policy;

struct domain;

void msixtbl_domain_init(struct domain *d,
                         int (*forward)(void *, struct msix_ioreq *),
                         void *priv);
/* Register a device's table (and PBA) at guest addresses; reset state. */
void msixtbl_entry_init(struct msixtbl_entry *entry, struct msix_pdev *pdev,
                        paddr_t gtable, unsigned int nr_entries,
                        paddr_t gpba);
void msixtbl_add(struct domain *d, struct msixtbl_entry *entry);
void msixtbl_del(struct domain *d, struct msixtbl_entry *entry);

/* Table lookups shared by the read and write sides (lock held). */
struct msixtbl_entry *msixtbl_find_entry(struct domain *d, paddr_t addr,
                                         unsigned int len);
bool msixtbl_access_in_table(const struct msixtbl_entry *entry,
                             paddr_t addr, unsigned int len);

/* Hypervisor handlers: X86EMUL_OKAY, or X86EMUL_UNHANDLEABLE (forward). */
int msixtbl_read(struct domain *d, paddr_t addr, unsigned int len,
                 uint64_t *pval);
int msixtbl_write(struct domain *d, paddr_t addr, unsigned int len,
                  uint64_t val);

/*
 * A guest access to a device's MSI-X region, as the vCPU's MMIO emulation
 * performs it: the hypervisor handler, else an ioreq to the device model.
 * 0, or the forward callback's error.
 */
int hvm_msix_mmio_access(struct domain *d, paddr_t addr, unsigned int len,
                         bool is_write, uint64_t *val);

#endif /* __ASM_X86_HVM_MSIXTBL_H__ */
