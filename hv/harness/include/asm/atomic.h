/*
 * Harness emulation of asm/atomic.h (x86).  read_atomic()/write_atomic()
 * are single plain loads/stores on x86; here they are relaxed atomics,
 * which compile to the same instructions and keep TSan informed.
 */
#ifndef __ARCH_X86_ATOMIC__
#define __ARCH_X86_ATOMIC__

#include <xen/types.h>
#include <asm/system.h>

#define read_atomic(p)     __atomic_load_n(p, __ATOMIC_RELAXED)
#define write_atomic(p, x) __atomic_store_n(p, x, __ATOMIC_RELAXED)
#define add_sized(p, x)    __atomic_fetch_add(p, x, __ATOMIC_RELAXED)

typedef struct { int counter; } atomic_t;
#define ATOMIC_INIT(i) { (i) }

static inline int atomic_read(const atomic_t *v)
{
    return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}
static inline int _atomic_read(atomic_t v) { return v.counter; }
static inline void atomic_set(atomic_t *v, int i)
{
    __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}
static inline void _atomic_set(atomic_t *v, int i) { v->counter = i; }
static inline void atomic_add(int i, atomic_t *v)
{
    __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline void atomic_sub(int i, atomic_t *v)
{
    __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline int atomic_add_return(int i, atomic_t *v)
{
    return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline int atomic_sub_return(int i, atomic_t *v)
{
    return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline void atomic_inc(atomic_t *v) { atomic_add(1, v); }
static inline void atomic_dec(atomic_t *v) { atomic_sub(1, v); }
static inline int atomic_inc_return(atomic_t *v) { return atomic_add_return(1, v); }
static inline int atomic_dec_return(atomic_t *v) { return atomic_sub_return(1, v); }
static inline int atomic_inc_and_test(atomic_t *v) { return atomic_add_return(1, v) == 0; }
static inline int atomic_dec_and_test(atomic_t *v) { return atomic_sub_return(1, v) == 0; }
static inline int atomic_sub_and_test(int i, atomic_t *v) { return atomic_sub_return(i, v) == 0; }
static inline int atomic_add_negative(int i, atomic_t *v) { return atomic_add_return(i, v) < 0; }
static inline int atomic_cmpxchg(atomic_t *v, int old, int new)
{
    return cmpxchg(&v->counter, old, new);
}
static inline int atomic_xchg(atomic_t *v, int new)
{
    return xchg(&v->counter, new);
}
static inline int atomic_add_unless(atomic_t *v, int a, int u)
{
    int c = atomic_read(v);

    while ( c != u )
    {
        int old = atomic_cmpxchg(v, c, c + a);

        if ( old == c )
            break;
        c = old;
    }
    return c;
}

#endif /* __ARCH_X86_ATOMIC__ */
