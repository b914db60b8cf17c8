/*
 * Harness emulation of asm/system.h (x86): memory barriers, xchg and
 * cmpxchg on C11/GCC atomics, so ThreadSanitizer understands them.
 */
#ifndef __ASM_SYSTEM_H__
#define __ASM_SYSTEM_H__

#include <xen/types.h>

#define mb()      __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()     __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()     __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb()  mb()
#define smp_rmb() rmb()
#define smp_wmb() wmb()
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic()  smp_mb()

/* Returns the value *ptr held before the exchange. */
#define xchg(ptr, v) __atomic_exchange_n(ptr, v, __ATOMIC_SEQ_CST)

/* Returns the value *ptr held: equal to o when the swap happened. */
#define cmpxchg(ptr, o, n) ({                                             \
        __typeof__(*(ptr)) old_ = (o);                                    \
        __atomic_compare_exchange_n(ptr, &old_, (n), false,               \
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);  \
        old_; })

#define arch_fetch_and_add(ptr, v) __atomic_fetch_add(ptr, v, __ATOMIC_SEQ_CST)

#endif /* __ASM_SYSTEM_H__ */
