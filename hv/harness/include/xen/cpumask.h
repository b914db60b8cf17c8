/*
 * Harness emulation of xen/cpumask.h.  Bit updates on masks that other
 * pCPUs read (cpu_online_map...) are atomic, as Xen's are.
 */
#ifndef __XEN_CPUMASK_H
#define __XEN_CPUMASK_H

#include <xen/bitops.h>
#include <xen/lib.h>

typedef struct cpumask { DECLARE_BITMAP(bits, NR_CPUS); } cpumask_t;
typedef cpumask_t *cpumask_var_t;

extern unsigned int nr_cpu_ids;
extern cpumask_t cpu_online_map;
extern cpumask_t cpu_possible_map;
extern cpumask_t cpu_present_map;

#define cpumask_bits(m) ((m)->bits)

static inline void cpumask_set_cpu(int cpu, volatile cpumask_t *dstp)
{
    set_bit(cpu, dstp->bits);
}
static inline void __cpumask_set_cpu(int cpu, cpumask_t *dstp)
{
    __set_bit(cpu, dstp->bits);
}
static inline void cpumask_clear_cpu(int cpu, volatile cpumask_t *dstp)
{
    clear_bit(cpu, dstp->bits);
}
static inline void __cpumask_clear_cpu(int cpu, cpumask_t *dstp)
{
    __clear_bit(cpu, dstp->bits);
}
static inline int cpumask_test_cpu(unsigned int cpu, const cpumask_t *src)
{
    return test_bit(cpu, src->bits);
}
static inline int cpumask_test_and_set_cpu(int cpu, volatile cpumask_t *addr)
{
    return test_and_set_bit(cpu, addr->bits);
}
static inline int cpumask_test_and_clear_cpu(int cpu, volatile cpumask_t *addr)
{
    return test_and_clear_bit(cpu, addr->bits);
}

#define CPUMASK_OP2(name, expr)                                            \
static inline void cpumask_##name(cpumask_t *dstp, const cpumask_t *src1,  \
                                  const cpumask_t *src2)                   \
{                                                                          \
    unsigned int i_;                                                       \
    for ( i_ = 0; i_ < BITS_TO_LONGS(NR_CPUS); i_++ )                      \
    {                                                                      \
        unsigned long a = __atomic_load_n(&src1->bits[i_], __ATOMIC_RELAXED); \
        unsigned long b = __atomic_load_n(&src2->bits[i_], __ATOMIC_RELAXED); \
        __atomic_store_n(&dstp->bits[i_], (expr), __ATOMIC_RELAXED);       \
    }                                                                      \
}
CPUMASK_OP2(and, a & b)
CPUMASK_OP2(or, a | b)
CPUMASK_OP2(xor, a ^ b)
CPUMASK_OP2(andnot, a & ~b)
#undef CPUMASK_OP2

static inline void cpumask_copy(cpumask_t *dstp, const cpumask_t *srcp)
{
    unsigned int i;

    for ( i = 0; i < BITS_TO_LONGS(NR_CPUS); i++ )
        __atomic_store_n(&dstp->bits[i],
                         __atomic_load_n(&srcp->bits[i], __ATOMIC_RELAXED),
                         __ATOMIC_RELAXED);
}
static inline void cpumask_clear(cpumask_t *dstp)
{
    unsigned int i;

    for ( i = 0; i < BITS_TO_LONGS(NR_CPUS); i++ )
        __atomic_store_n(&dstp->bits[i], 0UL, __ATOMIC_RELAXED);
}
static inline void cpumask_setall(cpumask_t *dstp)
{
    unsigned int i;

    for ( i = 0; i < nr_cpu_ids; i++ )
        set_bit(i, dstp->bits);
}
static inline void cpumask_complement(cpumask_t *dstp, const cpumask_t *srcp)
{
    unsigned int i;

    for ( i = 0; i < nr_cpu_ids; i++ )
        if ( test_bit(i, srcp->bits) )
            clear_bit(i, dstp->bits);
        else
            set_bit(i, dstp->bits);
}
static inline unsigned int cpumask_first(const cpumask_t *srcp)
{
    return find_first_bit(srcp->bits, nr_cpu_ids);
}
static inline unsigned int cpumask_next(int n, const cpumask_t *srcp)
{
    return find_next_bit(srcp->bits, nr_cpu_ids, n + 1);
}
static inline unsigned int cpumask_last(const cpumask_t *srcp)
{
    unsigned int cpu, last = nr_cpu_ids;

    for ( cpu = cpumask_first(srcp); cpu < nr_cpu_ids;
          cpu = cpumask_next(cpu, srcp) )
        last = cpu;
    return last;
}
/* Next set bit after n, wrapping around; nr_cpu_ids if the mask is empty. */
static inline unsigned int cpumask_cycle(int n, const cpumask_t *srcp)
{
    unsigned int nxt = cpumask_next(n, srcp);

    if ( nxt >= nr_cpu_ids )
        nxt = cpumask_first(srcp);
    return nxt;
}
static inline int cpumask_empty(const cpumask_t *srcp)
{
    return cpumask_first(srcp) >= nr_cpu_ids;
}
static inline int cpumask_equal(const cpumask_t *a, const cpumask_t *b)
{
    unsigned int i;

    for ( i = 0; i < nr_cpu_ids; i++ )
        if ( test_bit(i, a->bits) != test_bit(i, b->bits) )
            return 0;
    return 1;
}
static inline int cpumask_intersects(const cpumask_t *a, const cpumask_t *b)
{
    unsigned int i;

    for ( i = 0; i < BITS_TO_LONGS(NR_CPUS); i++ )
        if ( __atomic_load_n(&a->bits[i], __ATOMIC_RELAXED) &
             __atomic_load_n(&b->bits[i], __ATOMIC_RELAXED) )
            return 1;
    return 0;
}
static inline int cpumask_subset(const cpumask_t *a, const cpumask_t *b)
{
    unsigned int i;

    for ( i = 0; i < BITS_TO_LONGS(NR_CPUS); i++ )
        if ( __atomic_load_n(&a->bits[i], __ATOMIC_RELAXED) &
             ~__atomic_load_n(&b->bits[i], __ATOMIC_RELAXED) )
            return 0;
    return 1;
}
static inline int cpumask_full(const cpumask_t *srcp)
{
    return find_first_zero_bit(srcp->bits, nr_cpu_ids) >= nr_cpu_ids;
}
static inline unsigned int cpumask_weight(const cpumask_t *srcp)
{
    unsigned int i, w = 0;

    for ( i = 0; i < BITS_TO_LONGS(NR_CPUS); i++ )
        w += hweight_long(__atomic_load_n(&srcp->bits[i], __ATOMIC_RELAXED));
    return w;
}
static inline unsigned int cpumask_any(const cpumask_t *srcp)
{
    return cpumask_first(srcp);
}

const cpumask_t *cpumask_of(unsigned int cpu);

void free_cpumask_var(cpumask_var_t mask);
cpumask_t *hvh_alloc_cpumask(void);
static inline bool alloc_cpumask_var(cpumask_var_t *mask)
{
    *mask = hvh_alloc_cpumask();
    return *mask != NULL;
}
static inline bool zalloc_cpumask_var(cpumask_var_t *mask)
{
    return alloc_cpumask_var(mask);
}

#define for_each_cpu(cpu, mask)                 \
    for ( (cpu) = cpumask_first(mask);          \
          (cpu) < nr_cpu_ids;                   \
          (cpu) = cpumask_next(cpu, mask) )

#define cpu_online(cpu)   cpumask_test_cpu(cpu, &cpu_online_map)
#define cpu_possible(cpu) cpumask_test_cpu(cpu, &cpu_possible_map)
#define cpu_present(cpu)  cpumask_test_cpu(cpu, &cpu_present_map)
#define num_online_cpus() cpumask_weight(&cpu_online_map)
#define num_possible_cpus() cpumask_weight(&cpu_possible_map)
#define for_each_possible_cpu(cpu) for_each_cpu(cpu, &cpu_possible_map)
#define for_each_online_cpu(cpu)   for_each_cpu(cpu, &cpu_online_map)
#define for_each_present_cpu(cpu)  for_each_cpu(cpu, &cpu_present_map)

#endif /* __XEN_CPUMASK_H */
