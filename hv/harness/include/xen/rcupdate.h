/*
 * Harness emulation of xen/rcupdate.h.  Readers take a reader-writer
 * lock's read side; the harness's updaters (domain destruction) take the
 * write side before freeing, which gives readers RCU's guarantee.
 */
#ifndef __XEN_RCUPDATE_H
#define __XEN_RCUPDATE_H

#include <xen/rwlock.h>

struct rcu_lock_t { rwlock_t lock; };
typedef struct rcu_lock_t rcu_read_lock_t;
#define DEFINE_RCU_READ_LOCK(x) rcu_read_lock_t x = { RW_LOCK_UNLOCKED }
#define rcu_read_lock(x)   _read_lock(&(x)->lock)
#define rcu_read_unlock(x) _read_unlock(&(x)->lock)
#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

/*
 * Deferred frees: call_rcu() queues head, rcu_barrier() runs every queued
 * callback (the harness calls it from hvh_shutdown(), when no reader is
 * left), so a reader never sees an object freed under it.
 */
struct rcu_head {
    struct rcu_head *next;
    void (*func)(struct rcu_head *head);
};
#define INIT_RCU_HEAD(ptr) do { (ptr)->next = NULL; (ptr)->func = NULL; } while ( 0 )
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
void rcu_barrier(void);

#endif /* __XEN_RCUPDATE_H */
