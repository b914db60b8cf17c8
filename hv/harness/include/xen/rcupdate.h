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

#endif /* __XEN_RCUPDATE_H */
