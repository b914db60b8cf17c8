/*
 * locks.c - spinlocks and rwlocks on GCC/C11 atomics.
 *
 * Test-and-test-and-set with cpu_relax() while waiting: under heavy
 * oversubscription (hundreds of pCPU threads on two cores) a FIFO ticket
 * lock would hand the lock to preempted threads and crawl, while the
 * exclusion and the acquire/release ordering - what the hv/ code relies
 * on - are the same.
 */
#include <xen/lib.h>
#include <xen/rwlock.h>
#include <xen/smp.h>
#include <xen/spinlock.h>
#include <asm/processor.h>

static inline bool try_take(spinlock_t *lock)
{
    return !__atomic_load_n(&lock->locked, __ATOMIC_RELAXED) &&
           !__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void set_owner(spinlock_t *lock)
{
    __atomic_store_n(&lock->owner, smp_processor_id(), __ATOMIC_RELAXED);
}

void _spin_lock(spinlock_t *lock)
{
    while ( !try_take(lock) )
        cpu_relax();
    set_owner(lock);
}

void _spin_lock_irq(spinlock_t *lock)
{
    ASSERT(local_irq_is_enabled());
    local_irq_disable();
    _spin_lock(lock);
}

unsigned long _spin_lock_irqsave(spinlock_t *lock)
{
    unsigned long flags;

    local_irq_save(flags);
    _spin_lock(lock);
    return flags;
}

void _spin_unlock(spinlock_t *lock)
{
    ASSERT(__atomic_load_n(&lock->locked, __ATOMIC_RELAXED));
    __atomic_store_n(&lock->owner, SPINLOCK_NO_CPU, __ATOMIC_RELAXED);
    __atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

void _spin_unlock_irq(spinlock_t *lock)
{
    _spin_unlock(lock);
    local_irq_enable();
}

void _spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
    _spin_unlock(lock);
    local_irq_restore(flags);
}

int _spin_is_locked(const spinlock_t *lock)
{
    return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED);
}

int _spin_trylock(spinlock_t *lock)
{
    if ( !try_take(lock) )
        return 0;
    set_owner(lock);
    return 1;
}

void _spin_barrier(spinlock_t *lock)
{
    while ( __atomic_load_n(&lock->locked, __ATOMIC_ACQUIRE) )
        cpu_relax();
}

int _spin_trylock_recursive(spinlock_t *lock)
{
    unsigned int cpu = smp_processor_id();

    if ( __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != cpu )
    {
        if ( !try_take(lock) )
            return 0;
        set_owner(lock);
    }
    lock->recurse_cnt++;
    return 1;
}

void _spin_lock_recursive(spinlock_t *lock)
{
    while ( !_spin_trylock_recursive(lock) )
        cpu_relax();
}

void _spin_unlock_recursive(spinlock_t *lock)
{
    ASSERT(lock->recurse_cnt);
    if ( --lock->recurse_cnt == 0 )
        _spin_unlock(lock);
}

/* ---- rwlocks ---------------------------------------------------------------- */

#define RW_LOCKED  1U
#define RW_WAITING 2U
#define RW_READER  4U

int _read_trylock(rwlock_t *lock)
{
    unsigned int c = __atomic_load_n(&lock->cnts, __ATOMIC_RELAXED);

    while ( !(c & (RW_LOCKED | RW_WAITING)) )
        if ( __atomic_compare_exchange_n(&lock->cnts, &c, c + RW_READER,
                                         true, __ATOMIC_ACQUIRE,
                                         __ATOMIC_RELAXED) )
            return 1;
    return 0;
}

void _read_lock(rwlock_t *lock)
{
    while ( !_read_trylock(lock) )
        cpu_relax();
}

void _read_unlock(rwlock_t *lock)
{
    ASSERT(__atomic_load_n(&lock->cnts, __ATOMIC_RELAXED) >= RW_READER);
    __atomic_fetch_sub(&lock->cnts, RW_READER, __ATOMIC_RELEASE);
}

int _write_trylock(rwlock_t *lock)
{
    unsigned int c = __atomic_load_n(&lock->cnts, __ATOMIC_RELAXED);

    /* Free, or only our own waiting bit set. */
    while ( (c & ~RW_WAITING) == 0 )
        if ( __atomic_compare_exchange_n(&lock->cnts, &c, RW_LOCKED, true,
                                         __ATOMIC_ACQUIRE, __ATOMIC_RELAXED) )
        {
            __atomic_store_n(&lock->owner, smp_processor_id(),
                             __ATOMIC_RELAXED);
            return 1;
        }
    return 0;
}

void _write_lock(rwlock_t *lock)
{
    while ( !_write_trylock(lock) )
    {
        /* Announce ourselves so no new reader gets in. */
        __atomic_fetch_or(&lock->cnts, RW_WAITING, __ATOMIC_RELAXED);
        cpu_relax();
    }
}

void _write_unlock(rwlock_t *lock)
{
    ASSERT(__atomic_load_n(&lock->cnts, __ATOMIC_RELAXED) & RW_LOCKED);
    __atomic_store_n(&lock->owner, SPINLOCK_NO_CPU, __ATOMIC_RELAXED);
    /* Keep a waiting bit another writer may have set meanwhile. */
    __atomic_fetch_and(&lock->cnts, ~RW_LOCKED, __ATOMIC_RELEASE);
}

int _rw_is_locked(const rwlock_t *lock)
{
    return (__atomic_load_n(&lock->cnts, __ATOMIC_RELAXED) &
            ~RW_WAITING) != 0;
}

int _rw_is_write_locked(const rwlock_t *lock)
{
    return __atomic_load_n(&lock->cnts, __ATOMIC_RELAXED) & RW_LOCKED;
}

unsigned long _read_lock_irqsave(rwlock_t *lock)
{
    unsigned long flags;

    local_irq_save(flags);
    _read_lock(lock);
    return flags;
}

void _read_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
{
    _read_unlock(lock);
    local_irq_restore(flags);
}

unsigned long _write_lock_irqsave(rwlock_t *lock)
{
    unsigned long flags;

    local_irq_save(flags);
    _write_lock(lock);
    return flags;
}

void _write_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
{
    _write_unlock(lock);
    local_irq_restore(flags);
}
