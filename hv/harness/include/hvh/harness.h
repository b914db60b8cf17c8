/*
 * hvh/harness.h - the harness runtime, as tests, benchmarks and hvsim
 * scenarios drive it.  hv/ sources never include this file.
 *
 * Two ways to run hv/ code (see hv/harness/README.md):
 *
 *  - inline: after hvh_boot() the calling thread takes the identity of a
 *    simulated pCPU with hvh_cpu_enter(cpu) and calls hv/ functions
 *    directly.  No pCPU threads run; IPIs queue on their target and are
 *    taken when a thread enters that pCPU and calls hvh_cpu_poll().
 *    Deterministic: used by property tests and benchmarks.
 *  - threaded: hvh_start_cpus() gives every online pCPU its own pthread
 *    (hundreds on two host cores is fine).  hvh_run_on()/hvh_queue_on()
 *    run a function on a pCPU, IPIs and softirqs are delivered for real.
 */
#ifndef HVH_HARNESS_H
#define HVH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct domain;
struct vcpu;

/* ---- boot and pCPUs --------------------------------------------------- */

/*
 * Boot a simulated host of nr_cpus pCPUs (1..NR_CPUS, all online), parse
 * the Xen command line cmdline ("name=value name2 no-name3"; NULL: empty)
 * into the boot parameters, run presmp initcalls then initcalls on pCPU 0,
 * and build hypfs /params.  Unknown parameters are reported and ignored,
 * as Xen does.  Returns 0, or -1 with a message on stderr.
 */
int hvh_boot(unsigned int nr_cpus, const char *cmdline);
/* Stops pCPU threads, destroys domains; hvh_boot() may be called again. */
void hvh_shutdown(void);
unsigned int hvh_nr_cpus(void);

/* Inline mode: the calling thread becomes pCPU cpu (interrupts enabled). */
void hvh_cpu_enter(unsigned int cpu);
/* The calling thread is no simulated pCPU any more. */
void hvh_cpu_leave(void);
/* Inline mode: take the current pCPU's due IPIs, then its softirqs. */
void hvh_cpu_poll(void);

/* Threaded mode. */
int hvh_start_cpus(void);
void hvh_stop_cpus(void);
/* Run fn(arg) on pCPU cpu, interrupts enabled, softirqs run afterwards;
 * hvh_run_on waits for it, hvh_queue_on does not.  -1 if cpu is offline.
 * Callable from any thread that is not itself a running pCPU thread. */
int hvh_run_on(unsigned int cpu, void (*fn)(void *arg), void *arg);
int hvh_queue_on(unsigned int cpu, void (*fn)(void *arg), void *arg);
/* Wait until every pCPU's queued work, softirqs and due IPIs are done. */
void hvh_quiesce(void);

/* IPIs (on_selected_cpus, send_IPI_mask, event checks) are delivered no
 * earlier than this many ns after they were sent (default 0). */
void hvh_set_ipi_delay(int64_t ns);

/* A device's interrupt: vector on pCPU cpu, as an IOMMU posting a
 * notification does (handler from alloc_direct_apic_vector). */
void hvh_raise_vector(unsigned int cpu, uint8_t vector);

/* CPU hotplug from outside any pCPU: runs cpu_down()/cpu_up() on another
 * online pCPU (threaded) or inline.  0 or -errno. */
int hvh_cpu_down(unsigned int cpu);
int hvh_cpu_up(unsigned int cpu);

/* ---- domains ------------------------------------------------------------ */

/*
 * Lifecycle hooks: where the patched Xen calls a fix from domain and vCPU
 * creation/destruction, and where the scheduler wakes a vCPU.  A test or
 * scenario registers the hooks of the fixes it exercises (static storage;
 * registration order is call order, destruction in reverse).
 */
struct hvh_hooks {
    const char *name;
    int (*domain_create)(struct domain *d);
    void (*domain_destroy)(struct domain *d);
    int (*vcpu_create)(struct vcpu *v);
    void (*vcpu_destroy)(struct vcpu *v);
    /* vcpu_wake(): v was made runnable (e.g. by vcpu_unblock()). */
    void (*vcpu_wake)(struct vcpu *v);
    struct hvh_hooks *next;
};
void hvh_register_hooks(struct hvh_hooks *hooks);
void hvh_unregister_hooks(struct hvh_hooks *hooks);

/* Create a domain of nr_vcpus vCPUs (all on pCPU vcpu_id % online, not
 * running, not blocked); NULL on failure.  Call from outside pCPUs or from
 * inline pCPU context. */
struct domain *hvh_domain_create(uint16_t domid, unsigned int nr_vcpus,
                                 bool hvm);
void hvh_domain_destroy(struct domain *d);
unsigned int hvh_nr_domains(void);
/* Added to every domid hvh_domain_create() is given from now on, so that
 * scenarios composed on one host (hvsim's mixed) keep distinct domids. */
void hvh_set_domid_base(uint16_t base);

/* ---- hypfs and parameters ------------------------------------------------ */

/* Read a node's contents (as xenhypfs cat would get them); 0, -errno. */
int hvh_hypfs_read(const char *path, void *buf, size_t cap, size_t *len);
/* Raw write of a leaf (binary for UINT/BOOL nodes); 0, -errno. */
int hvh_hypfs_write(const char *path, const void *buf, size_t len);
/* `xenhypfs write /params/NAME VALUE`: value converted by node type. */
int hvh_param_set(const char *name, const char *value);
/* Visit every leaf under dir ("/telemetry"); path is the full path. */
int hvh_hypfs_for_each_leaf(const char *dir,
                            void (*fn)(const char *path, void *arg),
                            void *arg);

/* ---- trace ------------------------------------------------------------- */

/*
 * Start tracing into a xentrace-format file ("-": stdout): each pCPU gets
 * a buffer of buf_bytes, drained by a harness thread every few ms.
 * Call before hvh_start_cpus() (tb_init_done is set here).
 */
int hvh_trace_open(const char *path, size_t buf_bytes);
/* Stop (call after hvh_stop_cpus()), drain everything, close the file.
 * Returns 0, or -1 if records were lost or the file could not be written. */
int hvh_trace_close(void);
uint64_t hvh_trace_lost(void);
uint64_t hvh_trace_records(void);

/* ---- telemetry publishing ------------------------------------------------ */

/* Publish every /telemetry node into /dev/shm/xte-<name> every
 * interval_ms (and once immediately).  0 or -1. */
int hvh_publish_start(const char *name, unsigned int interval_ms);
int hvh_publish_now(void);
void hvh_publish_stop(bool unlink_file);

/* ---- misc ------------------------------------------------------------------ */

/* TSC ticks per second (calibrated at boot). */
uint64_t hvh_tsc_hz(void);
/* Printing of printk(): 0 quiet, 1 errors/warnings, 2 all (default 1). */
void hvh_set_verbosity(int level);

#endif /* HVH_HARNESS_H */
