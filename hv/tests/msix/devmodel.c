/*
 * devmodel.c - a device model thread serving forwarded MSI-X accesses over
 * an ioreq slot + eventfds (see devmodel.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devmodel.h"

/* What the device model knows of a guest address range. */
enum dm_region_kind { DM_TABLE, DM_PBA, DM_OTHER };

struct dm_region {
    uint64_t start, end;            /* [start, end) */
    enum dm_region_kind kind;
};

struct msix_dm {
    uint16_t domid;
    struct msix_pdev *pdev;
    unsigned int nr_entries;
    /* The guest's MSI-X table as qemu keeps it (address, data; control
     * comes from the device). */
    uint32_t table[MSIXTBL_MAX_ENTRIES][MSIXTBL_ENTRY_DWORDS];
    struct dm_region regions[4];
    unsigned int nr_regions;

    /* The channel: one ioreq slot, a doorbell each way. */
    struct msix_ioreq slot;
    /* Release/acquire around the slot (TSan does not see eventfds). */
    uint32_t req_seq, resp_seq;
    int req_fd, resp_fd;
    pthread_t thread;
    uint64_t requests, reads;       /* written by the model thread only */
    int stop;
};

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
        uint64_t w = __atomic_load_n(&dm->pdev->pba[off / 8], __ATOMIC_RELAXED);

        return w >> (8 * (off % 8));
    }
    else
    {
        unsigned int nr = off / PCI_MSIX_ENTRY_SIZE;
        unsigned int dw = (off % PCI_MSIX_ENTRY_SIZE) / 4;
        uint32_t v;

        if ( dw == 3 )
            v = __atomic_load_n(&dm->pdev->ctrl[nr], __ATOMIC_RELAXED) &
                PCI_MSIX_VECTOR_BITMASK;
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
        /* Only the mask bit is implemented; pass it to the device. */
        if ( sh == 0 )
            __atomic_store_n(&dm->pdev->ctrl[nr], b & PCI_MSIX_VECTOR_BITMASK,
                             __ATOMIC_RELAXED);
        return;
    }
    dm->table[nr][dw] = (dm->table[nr][dw] & ~(0xffu << sh)) |
                        ((uint32_t)b << sh);
}

static void dm_handle(struct msix_dm *dm, struct msix_ioreq *req)
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
        struct msix_ioreq req;

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
        if ( req.domid == dm->domid )
            dm_handle(dm, &req);
        else
            req.data = ~0ULL;
        memcpy(&dm->slot, &req, sizeof(req));
        __atomic_fetch_add(&dm->resp_seq, 1, __ATOMIC_RELEASE);
        n = 1;
        if ( write(dm->resp_fd, &n, sizeof(n)) != sizeof(n) )
            break;
    }
    return NULL;
}

int msix_dm_forward(void *opaque, struct msix_ioreq *req)
{
    struct msix_dm *dm = opaque;
    uint64_t n = 1;

    if ( req->size != 1 && req->size != 2 && req->size != 4 &&
         req->size != 8 )
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

struct msix_dm *msix_dm_start(uint16_t domid, struct msix_pdev *pdev,
                              uint64_t gtable, unsigned int nr_entries,
                              uint64_t gpba)
{
    struct msix_dm *dm = calloc(1, sizeof(*dm));
    uint64_t pba_end = gpba + ((nr_entries + 63) / 64) * 8;
    uint64_t tbl_end = gtable + (uint64_t)nr_entries * PCI_MSIX_ENTRY_SIZE;

    if ( !dm || nr_entries == 0 || nr_entries > MSIXTBL_MAX_ENTRIES ||
         gpba < tbl_end )
    {
        free(dm);
        return NULL;
    }
    dm->domid = domid;
    dm->pdev = pdev;
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

void msix_dm_stop(struct msix_dm *dm)
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
