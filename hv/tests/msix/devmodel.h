/*
 * devmodel.h - the device model (dom0's qemu) side of an MSI-X passthrough
 * device, and the guest around it, for tests, benchmarks and hvsim.
 *
 * One device model per guest, as one qemu per HVM guest: a thread of its
 * own reached over a real request/response channel (an ioreq slot in
 * shared memory plus two eventfds, the way Xen posts an ioreq and kicks
 * qemu's event channel).  Every forwarded access therefore costs a wakeup,
 * a dispatch through the guest's memory regions and a reply: the dom0 CPU
 * the seed measured.  The thread's CPU time is read with
 * pthread_getcpuclockid() + clock_gettime().
 *
 * The device: every vector is bound (a pirq of the harness's dpci table,
 * hvh/dpci.h, whose msi_desc is entry <pirq> of the domain's MSI-X
 * device), and its table registered with the real msixtbl_pt_register().
 *
 * Device semantics (what a read returns):
 *   table, address low/high and data: what the guest last wrote there
 *     (0 after reset), byte-writable;
 *   table, vector control: the vector's mask bit, i.e. its msi_desc's
 *     guest_masked (guest_mask_msi_irq()), other bits 0; a forwarded
 *     write of byte 0 sets it (qemu rebinds the vector masked or not);
 *   PBA: the device's pending bits (msix_dm_set_pending()), read-only;
 *   anything else in the region: all ones, writes ignored.
 */
#ifndef HV_TESTS_MSIX_DEVMODEL_H
#define HV_TESTS_MSIX_DEVMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/types.h>
#include <public/hvm/ioreq.h>

#define MSIX_DM_MAX_ENTRIES 64

struct domain;
struct msix_dm;

/*
 * Give d (an HVM domain without a dpci table) an MSI-X device of
 * nr_entries vectors, all bound, its table at gtable and PBA at gpba, and
 * the device model behind it.  NULL on failure.
 */
struct msix_dm *msix_dev_attach(struct domain *d, uint64_t gtable,
                                unsigned int nr_entries, uint64_t gpba);
/* Unbind and unregister everything, stop the device model. */
void msix_dev_detach(struct msix_dm *dm);

/* vCPU 0 of the domain accesses guest physical a: 0 or -errno. */
int msix_guest_access(struct msix_dm *dm, uint64_t a, unsigned int len,
                      bool is_write, uint64_t *val);

/* The device latches (or clears) vector vec's pending bit. */
void msix_dm_set_pending(struct msix_dm *dm, unsigned int vec, bool set);

/* Requests served so far, and the model thread's CPU seconds. */
uint64_t msix_dm_requests(struct msix_dm *dm);
uint64_t msix_dm_reads(struct msix_dm *dm);
double msix_dm_cpu_seconds(struct msix_dm *dm);

#endif
