/*
 * devmodel.c - a device model thread serving forwarded MSI-X accesses over
 * an ioreq slot + eventfds, and the guest's bound device in front of it
 * (see devmodel.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/irq.h>
#include <xen/pci.h>
#include <xen/rwlock.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <asm/msi.h>
#include <asm/hvm/io.h>
#include <hvh/dpci.h>
#include <hvh/msix.h>

#include "devmodel.h"

/* What the device model knows of a guest address range. */
enum dm_region_kind { DM_TABLE, DM_PBA, DM_OTHER };

struct dm_region {
    uint64_t start, end;            /* [start, end) */
    enum dm_region_kind kind;
};

struct msix_dm {
    struct domain *d;
    unsigned int nr_entries;
    /* The guest's MSI-X table as qemu keeps it (address, data; control
     * comes from the vector's mask bit). */
    uint32_t table[MSIX_DM_MAX_ENTRIES][4];
    uint64_t pba[MSIX_DM_MAX_ENTRIES / 64];     /* the device's */
    struct dm_region regions[4];
    unsigned int nr_regions;

    /* The channel: one ioreq slot, a doorbell each way. */
    ioreq_t slot;
    /* Release/acquire around the slot (TSan does not see eventfds). */
    uint32_t req_seq, resp_seq;
    int req_fd, resp_fd;
    pthread_t thread;
    uint64_t requests, reads;       /* written by the model thread only */
    int stop;
};

/* The vector's machine side: its irq_desc, locked, with its msi_desc. */
static struct irq_desc *dm_lock_vector(struct msix_dm *dm, unsigned int nr,
                                       unsigned long *flags)
{
    struct irq_desc *desc = domain_spin_lock_irq_desc(dm->d, nr, flags);

    if ( desc && !desc->msi_desc )
    {
        spin_unlock_irqrestore(&desc->lock, *flags);
        return NULL;
    }
    return desc;
}

/* Dispatch: binary search of the sorted regions, as a memory map lookup. */
static const struct dm_region *dm_find(const struct msix_dm *dm, uint64_t a)
{
    unsigned int lo = 0, hi = dm->nr_regions;

    while ( lo < hi )
    {
        unsigned int mid = (lo + hi) / 2;

        if ( a < dm->regions[mid].start )
            hi = mid;
        else if ( a >= dm->regions[mid].end )
            lo = mid + 1;
        else
            return &dm->regions[mid];
    }
    return NULL;
}

static uint8_t dm_read_byte(struct msix_dm *dm, uint64_t a)
{
    const struct dm_region *r = dm_find(dm, a);
    uint64_t off;

    if ( !r || r->kind == DM_OTHER )
        return 0xff;
    off = a - r->start;
    if ( r->kind == DM_PBA )
    {
        uint64_t w = __atomic_load_n(&dm->pba[off / 8], __ATOMIC_RELAXED);

        return w >> (8 * (off % 8));
    }
    else
    {
        unsigned int nr = off / PCI_MSIX_ENTRY_SIZE;
        unsigned int dw = (off % PCI_MSIX_ENTRY_SIZE) / 4;
        uint32_t v;

        if ( dw == 3 )
        {
            unsigned long flags;
            struct irq_desc *desc = dm_lock_vector(dm, nr, &flags);

            v = 1;                  /* no vector: masked */
            if ( desc )
            {
                v = desc->msi_desc->msi_attrib.guest_masked;
                spin_unlock_irqrestore(&desc->lock, flags);
            }
        }
        else
            v = dm->table[nr][dw];
        return v >> (8 * (off % 4));
    }
}

static void dm_write_byte(struct msix_dm *dm, uint64_t a, uint8_t b)
{
    const struct dm_region *r = dm_find(dm, a);
    uint64_t off;
    unsigned int nr, dw, sh;

    if ( !r || r->kind != DM_TABLE )
        return;                     /* PBA is read-only, the rest unused */
    off = a - r->start;
    nr = off / PCI_MSIX_ENTRY_SIZE;
    dw = (off % PCI_MSIX_ENTRY_SIZE) / 4;
    sh = 8 * (off % 4);
    if ( dw == 3 )
    {
        /* Only the mask bit: qemu rebinds the vector masked or not. */
        if ( sh == 0 )
        {
            unsigned long flags;
            struct irq_desc *desc = dm_lock_vector(dm, nr, &flags);

            if ( desc )
            {
                guest_mask_msi_irq(desc, b & PCI_MSIX_VECTOR_BITMASK);
                spin_unlock_irqrestore(&desc->lock, flags);
            }
        }
        return;
    }
    dm->table[nr][dw] = (dm->table[nr][dw] & ~(0xffu << sh)) |
                        ((uint32_t)b << sh);
}

static void dm_handle(struct msix_dm *dm, ioreq_t *req)
{
    unsigned int i;

    if ( req->dir == IOREQ_READ )
    {
        uint64_t v = 0;

        for ( i = 0; i < req->size; i++ )
            v |= (uint64_t)dm_read_byte(dm, req->addr + i) << (8 * i);
        req->data = v;
        dm->reads++;
    }
    else
        for ( i = 0; i < req->size; i++ )
            dm_write_byte(dm, req->addr + i, req->data >> (8 * i));
    dm->requests++;
}

static void *dm_thread(void *arg)
{
    struct msix_dm *dm = arg;

    for ( ;; )
    {
        uint64_t n;
        ioreq_t req;

        if ( read(dm->req_fd, &n, sizeof(n)) != sizeof(n) )
        {
            if ( errno == EINTR )
                continue;
            break;
        }
        (void)__atomic_load_n(&dm->req_seq, __ATOMIC_ACQUIRE);
        if ( __atomic_load_n(&dm->stop, __ATOMIC_ACQUIRE) )
            break;
        /* Copy the request out of the shared slot, as qemu does. */
        memcpy(&req, &dm->slot, sizeof(req));
        dm_handle(dm, &req);
        memcpy(&dm->slot, &req, sizeof(req));
        __atomic_fetch_add(&dm->resp_seq, 1, __ATOMIC_RELEASE);
        n = 1;
        if ( write(dm->resp_fd, &n, sizeof(n)) != sizeof(n) )
            break;
    }
    return NULL;
}

/* The domain's ioreq server (hvh_ioreq_server_set()): one round trip. */
static int msix_dm_forward(void *opaque, ioreq_t *req)
{
    struct msix_dm *dm = opaque;
    uint64_t n = 1;

    if ( (req->size != 1 && req->size != 2 && req->size != 4 &&
          req->size != 8) || req->data_is_ptr || req->count != 1 )
        return -EINVAL;
    memcpy(&dm->slot, req, sizeof(*req));
    __atomic_fetch_add(&dm->req_seq, 1, __ATOMIC_RELEASE);
    if ( write(dm->req_fd, &n, sizeof(n)) != sizeof(n) )
        return -EIO;
    while ( read(dm->resp_fd, &n, sizeof(n)) != sizeof(n) )
        if ( errno != EINTR )
            return -EIO;
    (void)__atomic_load_n(&dm->resp_seq, __ATOMIC_ACQUIRE);
    memcpy(req, &dm->slot, sizeof(*req));
    return 0;
}

static struct msix_dm *msix_dm_start(struct domain *d, uint64_t gtable,
                                     unsigned int nr_entries, uint64_t gpba)
{
    struct msix_dm *dm = calloc(1, sizeof(*dm));
    uint64_t pba_end = gpba + ((nr_entries + 63) / 64) * 8;
    uint64_t tbl_end = gtable + (uint64_t)nr_entries * PCI_MSIX_ENTRY_SIZE;

    if ( !dm || nr_entries == 0 || nr_entries > MSIX_DM_MAX_ENTRIES ||
         gpba < tbl_end )
    {
        free(dm);
        return NULL;
    }
    dm->d = d;
    dm->nr_entries = nr_entries;
    /* The BAR page around table and PBA, sorted by address. */
    dm->regions[0] = (struct dm_region){ gtable, tbl_end, DM_TABLE };
    dm->regions[1] = (struct dm_region){ tbl_end, gpba, DM_OTHER };
    dm->regions[2] = (struct dm_region){ gpba, pba_end, DM_PBA };
    dm->nr_regions = 3;
    dm->req_fd = eventfd(0, EFD_CLOEXEC);
    dm->resp_fd = eventfd(0, EFD_CLOEXEC);
    if ( dm->req_fd < 0 || dm->resp_fd < 0 ||
         pthread_create(&dm->thread, NULL, dm_thread, dm) )
    {
        if ( dm->req_fd >= 0 )
            close(dm->req_fd);
        if ( dm->resp_fd >= 0 )
            close(dm->resp_fd);
        free(dm);
        return NULL;
    }
    return dm;
}

uint64_t msix_dm_requests(struct msix_dm *dm)
{
    return __atomic_load_n(&dm->requests, __ATOMIC_RELAXED);
}

uint64_t msix_dm_reads(struct msix_dm *dm)
{
    return __atomic_load_n(&dm->reads, __ATOMIC_RELAXED);
}

double msix_dm_cpu_seconds(struct msix_dm *dm)
{
    clockid_t cid;
    struct timespec ts;

    if ( pthread_getcpuclockid(dm->thread, &cid) ||
         clock_gettime(cid, &ts) )
        return -1.0;
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msix_dm_stop(struct msix_dm *dm)
{
    uint64_t n = 1;

    if ( !dm )
        return;
    __atomic_store_n(&dm->stop, 1, __ATOMIC_RELEASE);
    if ( write(dm->req_fd, &n, sizeof(n)) != sizeof(n) )
        perror("msix_dm_stop");
    pthread_join(dm->thread, NULL);
    close(dm->req_fd);
    close(dm->resp_fd);
    free(dm);
}

struct msix_dm *msix_dev_attach(struct domain *d, uint64_t gtable,
                                unsigned int nr_entries, uint64_t gpba)
{
    struct msix_dm *dm;
    unsigned int i;
    int rc = 0;

    if ( hvh_dpci_domain_init(d, nr_entries, NULL) )
        return NULL;
    dm = msix_dm_start(d, gtable, nr_entries, gpba);
    if ( !dm )
    {
        hvh_dpci_domain_free(d);
        return NULL;
    }
    hvh_ioreq_server_set(d, msix_dm_forward, dm);

    /* Assignment of the device, then each vector's bind (hvm.c's call). */
    msixtbl_init(d);
    write_lock(&d->event_lock);
    for ( i = 0; i < nr_entries && !rc; i++ )
    {
        struct pirq *info = pirq_get_info(d, i);
        unsigned long flags;
        struct irq_desc *desc;

        rc = info ? msixtbl_pt_register(d, info, gtable) : -ENOMEM;
        /* After reset every vector is masked. */
        desc = domain_spin_lock_irq_desc(d, i, &flags);
        if ( desc )
        {
            guest_mask_msi_irq(desc, true);
            spin_unlock_irqrestore(&desc->lock, flags);
        }
    }
    write_unlock(&d->event_lock);
    if ( rc )
    {
        msix_dev_detach(dm);
        return NULL;
    }

    return dm;
}

void msix_dev_detach(struct msix_dm *dm)
{
    struct domain *d = dm->d;
    unsigned int i;

    write_lock(&d->event_lock);
    for ( i = 0; i < dm->nr_entries; i++ )
    {
        struct pirq *info = pirq_info(d, i);

        if ( info )
            msixtbl_pt_unregister(d, info);
    }
    write_unlock(&d->event_lock);
    msixtbl_pt_cleanup(d);
    hvh_ioreq_server_set(d, NULL, NULL);
    msix_dm_stop(dm);
    hvh_dpci_domain_free(d);
}

int msix_guest_access(struct msix_dm *dm, uint64_t a, unsigned int len,
                      bool is_write, uint64_t *val)
{
    return hvh_mmio_access(dm->d->vcpu[0], a, len, is_write, val);
}

void msix_dm_set_pending(struct msix_dm *dm, unsigned int vec, bool set)
{
    uint64_t bit = 1ULL << (vec % 64);

    if ( set )
        __atomic_fetch_or(&dm->pba[vec / 64], bit, __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&dm->pba[vec / 64], ~bit, __ATOMIC_RELAXED);
}
