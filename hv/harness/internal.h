/* internal.h - shared between the harness's runtime files only. */
#ifndef HVH_INTERNAL_H
#define HVH_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <xen/types.h>

enum hvh_msg_kind { HVH_MSG_CALL, HVH_MSG_VECTOR };

struct hvh_msg {
    struct hvh_msg *next;
    enum hvh_msg_kind kind;
    void (*fn)(void *);
    void *arg;
    uint8_t vector;
    s_time_t due;
    int *pending;               /* decremented once handled or dropped */
};

struct hvh_work {
    struct hvh_work *next;
    void (*fn)(void *);
    void *arg;
    bool wait;
    bool done;
};

struct hvh_pcpu {
    pthread_mutex_t lock;       /* protects the queues and flags below */
    pthread_cond_t cond;        /* kicks the pCPU's thread */
    pthread_cond_t done_cond;   /* signals finished hvh_work */
    struct hvh_msg *msgs, *msgs_tail;
    unsigned int nr_msgs;       /* atomic: queued IPIs */
    struct hvh_work *work, *work_tail;
    bool kicked;
    bool online;
    bool stop;                  /* thread leaves its loop when idle */
    bool running;               /* thread exists */
    bool busy;                  /* running work or softirqs */
    pthread_t thread;
    /* Owned by whichever thread is this pCPU: */
    bool irqs_enabled;
    unsigned int irq_depth;
};

extern struct hvh_pcpu hvh_pcpus[NR_CPUS];
extern bool hvh_threaded;

void hvh_deliver_ipis(void);
void hvh_kick(unsigned int cpu);

/* threads.c */
int hvh_pcpu_spawn(unsigned int cpu);
void hvh_pcpu_join(unsigned int cpu);
int hvh_pcpu_post_work(unsigned int cpu, void (*fn)(void *), void *arg,
                       bool wait);

/* sched.c */
int hvh_sched_init(unsigned int nr_cpus);
void hvh_sched_shutdown(void);

/* hypfs.c / params.c */
int hvh_params_boot(const char *cmdline);
void hvh_params_hypfs_init(void);
void hvh_hypfs_reset(void);

#endif /* HVH_INTERNAL_H */
