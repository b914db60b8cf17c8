/*
 * Harness emulation of xen/spinlock.h: real spinlocks on C11 atomics.
 *
 * A waiter spins with cpu_relax(), so it yields the host core to the other
 * simulated pCPUs and, while its interrupts are enabled, takes pending
 * IPIs, as a spinning pCPU does.  The lock records its holder's pCPU for
 * spin_is_locked()/ASSERT().
 */
#ifndef __SPINLOCK_H__
#define __SPINLOCK_H__

#include <xen/types.h>
#include <xen/irq.h>
#include <xen/percpu.h>

typedef struct spinlock {
    int locked;                 /* 0 free, 1 held */
    unsigned int owner;         /* pCPU holding it (recursive locks) */
    unsigned int recurse_cnt;
} spinlock_t;

#define SPINLOCK_NO_CPU 0xffffffffU
#define SPIN_LOCK_UNLOCKED { 0, SPINLOCK_NO_CPU, 0 }
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED
#define spin_lock_init(l) (*(l) = (spinlock_t)SPIN_LOCK_UNLOCKED)

void _spin_lock(spinlock_t *lock);
void _spin_lock_irq(spinlock_t *lock);
unsigned long _spin_lock_irqsave(spinlock_t *lock);
void _spin_unlock(spinlock_t *lock);
void _spin_unlock_irq(spinlock_t *lock);
void _spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
int _spin_is_locked(const spinlock_t *lock);
int _spin_trylock(spinlock_t *lock);
void _spin_barrier(spinlock_t *lock);
int _spin_trylock_recursive(spinlock_t *lock);
void _spin_lock_recursive(spinlock_t *lock);
void _spin_unlock_recursive(spinlock_t *lock);

#define spin_lock(l)              _spin_lock(l)
#define spin_lock_irq(l)          _spin_lock_irq(l)
#define spin_lock_irqsave(l, f)   ((f) = _spin_lock_irqsave(l))
#define spin_unlock(l)            _spin_unlock(l)
#define spin_unlock_irq(l)        _spin_unlock_irq(l)
#define spin_unlock_irqrestore(l, f) _spin_unlock_irqrestore(l, f)
#define spin_is_locked(l)         _spin_is_locked(l)
#define spin_trylock(l)           _spin_trylock(l)
#define spin_barrier(l)           _spin_barrier(l)
#define spin_trylock_recursive(l) _spin_trylock_recursive(l)
#define spin_lock_recursive(l)    _spin_lock_recursive(l)
#define spin_unlock_recursive(l)  _spin_unlock_recursive(l)

#endif /* __SPINLOCK_H__ */
