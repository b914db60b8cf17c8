/*
 * Harness emulation of xen/rwlock.h: a reader-writer lock on one atomic
 * word in the manner of Xen's queued rwlock (a waiting writer stops new
 * readers, so writers are not starved), and percpu rwlocks mapped onto it.
 */
#ifndef __RWLOCK_H__
#define __RWLOCK_H__

#include <xen/types.h>
#include <xen/spinlock.h>

typedef struct {
    unsigned int cnts;          /* readers << 2 | writer waiting | locked */
    unsigned int owner;         /* pCPU holding it for write */
} rwlock_t;

#define RW_LOCK_UNLOCKED { 0, SPINLOCK_NO_CPU }
#define DEFINE_RWLOCK(l) rwlock_t l = RW_LOCK_UNLOCKED
#define rwlock_init(l) (*(l) = (rwlock_t)RW_LOCK_UNLOCKED)

void _read_lock(rwlock_t *lock);
void _read_unlock(rwlock_t *lock);
int _read_trylock(rwlock_t *lock);
void _write_lock(rwlock_t *lock);
void _write_unlock(rwlock_t *lock);
int _write_trylock(rwlock_t *lock);
int _rw_is_locked(const rwlock_t *lock);
int _rw_is_write_locked(const rwlock_t *lock);
unsigned long _read_lock_irqsave(rwlock_t *lock);
void _read_unlock_irqrestore(rwlock_t *lock, unsigned long flags);
unsigned long _write_lock_irqsave(rwlock_t *lock);
void _write_unlock_irqrestore(rwlock_t *lock, unsigned long flags);

#define read_lock(l)          _read_lock(l)
#define read_unlock(l)        _read_unlock(l)
#define read_trylock(l)       _read_trylock(l)
#define write_lock(l)         _write_lock(l)
#define write_unlock(l)       _write_unlock(l)
#define write_trylock(l)      _write_trylock(l)
#define rw_is_locked(l)       _rw_is_locked(l)
#define rw_is_write_locked(l) _rw_is_write_locked(l)
#define read_lock_irqsave(l, f)  ((f) = _read_lock_irqsave(l))
#define read_unlock_irqrestore(l, f) _read_unlock_irqrestore(l, f)
#define write_lock_irqsave(l, f) ((f) = _write_lock_irqsave(l))
#define write_unlock_irqrestore(l, f) _write_unlock_irqrestore(l, f)
#define read_lock_irq(l)   do { local_irq_disable(); _read_lock(l); } while ( 0 )
#define read_unlock_irq(l) do { _read_unlock(l); local_irq_enable(); } while ( 0 )
#define write_lock_irq(l)  do { local_irq_disable(); _write_lock(l); } while ( 0 )
#define write_unlock_irq(l) do { _write_unlock(l); local_irq_enable(); } while ( 0 )

/*
 * percpu rwlocks: Xen's make readers cheap with a per-CPU owner pointer and
 * fall back to the rwlock while a writer is active.  The harness keeps the
 * API and the exclusion, on the plain rwlock.
 */
typedef struct percpu_rwlock {
    rwlock_t rwlock;
} percpu_rwlock_t;

#define PERCPU_RW_LOCK_UNLOCKED(owner) { RW_LOCK_UNLOCKED }
#define DEFINE_PERCPU_RWLOCK_RESOURCE(l, owner) \
    percpu_rwlock_t l = PERCPU_RW_LOCK_UNLOCKED(&get_per_cpu_var(owner))
#define percpu_rwlock_resource_init(l, owner) \
    (*(l) = (percpu_rwlock_t)PERCPU_RW_LOCK_UNLOCKED(&get_per_cpu_var(owner)))
#define DEFINE_PERCPU_RWLOCK_GLOBAL(name) DEFINE_PER_CPU(percpu_rwlock_t *, name)
#define DECLARE_PERCPU_RWLOCK_GLOBAL(name) DECLARE_PER_CPU(percpu_rwlock_t *, name)
#define get_per_cpu_var(var) (per_cpu__##var)
#define percpu_read_lock(percpu, lock)   _read_lock(&(lock)->rwlock)
#define percpu_read_unlock(percpu, lock) _read_unlock(&(lock)->rwlock)
#define percpu_write_lock(percpu, lock)  _write_lock(&(lock)->rwlock)
#define percpu_write_unlock(percpu, lock) _write_unlock(&(lock)->rwlock)
#define percpu_rw_is_write_locked(l)     _rw_is_write_locked(&(l)->rwlock)

#endif /* __RWLOCK_H__ */
