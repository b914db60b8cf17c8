/*
 * xte-grant-loop: grant-table map/unmap traffic inside one domain (the
 * real-Xen test's dom0 tool, not installed).
 *
 *   xte-grant-loop PAGES ROUNDS
 *
 * Shares PAGES pages of this domain with itself through gntalloc
 * (xengntshr_share_pages() to its own domain id, 0 in dom0), then ROUNDS
 * times maps all of them through gntdev (xengnttab_map_grant_refs(): one
 * GNTTABOP_map_grant_ref per page, each taking a maptrack handle), checks
 * that the mapping shows what was written through the shared pages, and
 * unmaps them (each handle put back).  This is the maptrack path of every
 * grant map and unmap, the only one of the fixes' hot paths a PV dom0
 * under QEMU can drive.
 *
 * Prints "maps=N unmaps=N pages=P rounds=R" and exits 0, or names the
 * failing call and exits 1 (2: usage).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xengnttab.h>

int main(int argc, char **argv)
{
    xengntshr_handle *sh;
    xengnttab_handle *gt;
    uint32_t *refs, *doms;
    unsigned long maps = 0, unmaps = 0;
    unsigned int pages, rounds;
    uint8_t *shared;

    if (argc != 3 || (pages = (unsigned int)atoi(argv[1])) == 0 ||
        (rounds = (unsigned int)atoi(argv[2])) == 0) {
        fprintf(stderr, "usage: %s PAGES ROUNDS\n", argv[0]);
        return 2;
    }
    refs = calloc(pages, sizeof(*refs));
    doms = calloc(pages, sizeof(*doms));
    sh = xengntshr_open(NULL, 0);
    gt = xengnttab_open(NULL, 0);
    if (!refs || !doms || !sh || !gt) {
        printf("cannot open gntalloc/gntdev: %s\n", strerror(errno));
        return 1;
    }
    if (xengnttab_set_max_grants(gt, pages))
        printf("xengnttab_set_max_grants(%u): %s (continuing)\n", pages,
               strerror(errno));
    /* Domain 0 grants to itself: the one domain there is. */
    shared = xengntshr_share_pages(sh, 0, (int)pages, refs, 1);
    if (!shared) {
        printf("xengntshr_share_pages(%u pages to domain 0): %s\n", pages,
               strerror(errno));
        return 1;
    }
    for (unsigned int p = 0; p < pages; p++)
        shared[(size_t)p * 4096] = (uint8_t)(p * 7 + 1);

    for (unsigned int r = 0; r < rounds; r++) {
        uint8_t *m = xengnttab_map_grant_refs(gt, pages, doms, refs,
                                              PROT_READ | PROT_WRITE);

        if (!m) {
            printf("round %u: xengnttab_map_grant_refs(%u refs of domain 0): %s\n",
                   r, pages, strerror(errno));
            return 1;
        }
        maps += pages;
        for (unsigned int p = 0; p < pages; p++)
            if (m[(size_t)p * 4096] != (uint8_t)(p * 7 + 1)) {
                printf("round %u: page %u mapped through ref %u reads %u, not %u\n",
                       r, p, refs[p], m[(size_t)p * 4096],
                       (uint8_t)(p * 7 + 1));
                return 1;
            }
        if (xengnttab_unmap(gt, m, pages)) {
            printf("round %u: xengnttab_unmap: %s\n", r, strerror(errno));
            return 1;
        }
        unmaps += pages;
    }
    xengntshr_unshare(sh, shared, pages);
    xengnttab_close(gt);
    xengntshr_close(sh);
    free(refs);
    free(doms);
    printf("maps=%lu unmaps=%lu pages=%u rounds=%u\n", maps, unmaps, pages,
           rounds);
    return 0;
}
