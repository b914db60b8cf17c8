/*
 * scenario.h - what an hvsim scenario provides (one file per scenario:
 * hv/harness/hvsim/scenario_<name>.c, owned by its subsystem).
 *
 * The runner, for each variant asked for (baseline, optimized):
 *   1. hvh_boot(pcpus, s->cmdline(optimized))
 *   2. s->setup(ctx)          inline, on pCPU 0's context: register hooks,
 *                              create domains, set devices up
 *   3. opens the trace (--trace), writes RUN_INFO and DOMAIN_INFO records,
 *      starts publishing /telemetry to shared memory (--shm)
 *   4. hvh_start_cpus(), s->run(ctx, res) from the main thread: drive the
 *      workload (hvh_queue_on, device interrupts...) until
 *      hvsim_should_stop(ctx) - the time is up or Ctrl-C was pressed -
 *      then return with the pCPUs still running
 *   5. hvh_stop_cpus(), final publish, trace closed (complete even after
 *      Ctrl-C), s->teardown(ctx), hvh_shutdown()
 *   6. prints res: key/value lines, a side-by-side table of both variants
 *      with the ratio, or JSON (--json).
 *
 * Register with HVSIM_SCENARIO(var): a pointer in a linker section; the
 * runner links every scenario_*.c in this directory.
 */
#ifndef HVSIM_SCENARIO_H
#define HVSIM_SCENARIO_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#define HVSIM_MAX_METRICS 24

struct hvsim_ctx {
    bool optimized;             /* variant */
    unsigned int pcpus;         /* simulated pCPUs this scenario drives */
    unsigned int first_cpu;     /* the first of them: 0, except when hvsim's
                                 * mixed gives each member its own range
                                 * [first_cpu, first_cpu + pcpus) */
    bool paced;                 /* mixed: guests at a steady, plausible rate
                                 * (small bursts, one per millisecond), not
                                 * as fast as the pCPUs go, so that a trace
                                 * of all five stays readable in size */
    double seconds;             /* run time asked for */
    int64_t deadline_ns;        /* NOW() at which run() should return */
    volatile sig_atomic_t *stop;
    void *priv;                 /* the scenario's, from setup to teardown */
};

struct hvsim_metric {
    const char *name;           /* e.g. "walk_max" */
    const char *unit;           /* e.g. "entries" */
    double value;
    bool higher_is_better;      /* for the ratio column */
};

struct hvsim_result {
    unsigned int nr;
    struct hvsim_metric m[HVSIM_MAX_METRICS];
};

struct hvsim_scenario {
    const char *name;           /* --scenario NAME */
    uint32_t id;                /* RUN_INFO's scenario field */
    const char *description;    /* one line, for --list */
    unsigned int default_pcpus;
    /* Xen command line selecting the variant (and the scenario's knobs). */
    const char *(*cmdline)(bool optimized);
    int (*setup)(struct hvsim_ctx *ctx);
    int (*run)(struct hvsim_ctx *ctx, struct hvsim_result *res);
    void (*teardown)(struct hvsim_ctx *ctx);
};

#define HVSIM_SCENARIO(var)                                              \
    static const struct hvsim_scenario *const hvsim_reg_##var            \
        __attribute__((__section__("hvsim_scenarios"), __used__,         \
                       __aligned__(sizeof(void *)))) = &(var)

/* True once the deadline passed or Ctrl-C was pressed. */
bool hvsim_should_stop(const struct hvsim_ctx *ctx);
/* Sleep up to ns, returning early when the run must stop. */
void hvsim_sleep(const struct hvsim_ctx *ctx, int64_t ns);
/* Append a metric to res (ignored beyond HVSIM_MAX_METRICS). */
void hvsim_metric(struct hvsim_result *res, const char *name,
                  const char *unit, double value, bool higher_is_better);

#endif /* HVSIM_SCENARIO_H */
