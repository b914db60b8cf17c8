/*
 * maptrack_sim.h - driving the maptrack code in the harness: lifecycle
 * hooks, counter sums, and the concurrent get/put workload shared by the
 * test, the benchmark and the hvsim scenario.
 */
#ifndef MAPTRACK_SIM_H
#define MAPTRACK_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

struct domain;

/* Register maptrack_domain_init()/maptrack_vcpu_init() as domain hooks. */
void mt_sim_register_hooks(void);
/*
 * The toolstack's max_maptrack_frames the hooks pass to domains created
 * from now on (-1, the default: none set).
 */
extern int mt_sim_toolstack_frames;
void mt_sim_unregister_hooks(void);

enum mt_ctr {
    MT_CTR_GETS,
    MT_CTR_PUTS,
    MT_CTR_REMOTE_PUTS,
    MT_CTR_FRAMES_GROWN,
    MT_CTR_STEALS,
    MT_CTR_FAILURES,
    MT_CTR_LOCKS,
};
/* A maptrack counter summed over every pCPU's telemetry block. */
uint64_t mt_sim_counter(enum mt_ctr c);

#ifndef MT_STRESS_ITERS
#define MT_STRESS_ITERS 20000
#endif

struct mt_mailbox {
    pthread_mutex_t lock;
    unsigned int *h;
    unsigned int n, cap;
};

struct mt_stress;

struct mt_worker {
    struct mt_stress *st;
    unsigned int idx;
    unsigned int seed;
    unsigned int *held;
    unsigned int nr_held, hold_max;
};

/*
 * vCPU i of d runs on pCPU i and gets, puts, and hands handles to other
 * vCPUs' mailboxes, which those put back (remote puts).  claimed[h] is set
 * while the workload holds h (in a worker or a mailbox); a get of a handle
 * already claimed, or a put of one not claimed, counts an error.
 */
struct mt_stress {
    struct domain *d;
    unsigned int nr;
    unsigned int iters;
    unsigned int nr_handles;    /* size of claimed[] */
    unsigned char *claimed;
    struct mt_mailbox *mbox;
    struct mt_worker *w;
    unsigned int errors;
};

void mt_stress_init(struct mt_stress *st, struct domain *d,
                    unsigned int iters, unsigned int seed);
/* One churn round on every vCPU; drain: then give every handle back. */
void mt_stress_run(struct mt_stress *st, bool drain);
unsigned int mt_stress_nr_claimed(const struct mt_stress *st);
void mt_stress_free(struct mt_stress *st);

#endif /* MAPTRACK_SIM_H */
