/*
 * devmodel.h - the device model (dom0's qemu) side of an MSI-X passthrough
 * device, for tests, benchmarks and hvsim.
 *
 * One device model per guest, as one qemu per HVM guest: a thread of its
 * own reached over a real request/response channel (an ioreq slot in
 * shared memory plus two eventfds, the way Xen posts an ioreq and kicks
 * qemu's event channel).  Every forwarded access therefore costs a wakeup,
 * a dispatch through the guest's memory regions and a reply: the dom0 CPU
 * the seed measured.  The thread's CPU time is read with
 * pthread_getcpuclockid() + clock_gettime().
 *
 * Device semantics (what a read returns):
 *   table, address low/high and data: what the guest last wrote there
 *     (0 after reset), byte-writable;
 *   table, vector control: the device's mask bit (struct msix_pdev, which
 *     the hypervisor programs), other bits 0; a forwarded write changes
 *     only bit 0 of byte 0;
 *   PBA: the device's pending bits, read-only;
 *   anything else in the region: all ones, writes ignored.
 */
#ifndef HV_TESTS_MSIX_DEVMODEL_H
#define HV_TESTS_MSIX_DEVMODEL_H

#include <stdint.h>

#include <xen/types.h>
#include <asm/hvm/msixtbl.h>

struct msix_dm;

/* Start the device model of one device with nr_entries vectors. */
struct msix_dm *msix_dm_start(uint16_t domid, struct msix_pdev *pdev,
                              uint64_t gtable, unsigned int nr_entries,
                              uint64_t gpba);
/* The forward callback for msixtbl_domain_init(): one round trip. */
int msix_dm_forward(void *dm, struct msix_ioreq *req);
/* Requests served so far, and the model thread's CPU seconds. */
uint64_t msix_dm_requests(struct msix_dm *dm);
uint64_t msix_dm_reads(struct msix_dm *dm);
double msix_dm_cpu_seconds(struct msix_dm *dm);
void msix_dm_stop(struct msix_dm *dm);

#endif
