/*
 * Harness emulation of asm/bitops.h (x86).  The atomic forms are GCC
 * atomics on unsigned long words; the __ forms are plain.  Reads of a
 * bitmap (test_bit(), the find_*_bit() walks) are acquire loads, as every
 * load is on x86: a pCPU that sees a bit set (a pCPU in cpu_online_map,
 * say) also sees what was written before the set_bit(), which is what hv/
 * code relies on and ThreadSanitizer needs told.
 */
#ifndef __X86_BITOPS_H__
#define __X86_BITOPS_H__

#include <xen/types.h>

#define BITOP_WORD(nr) ((nr) / BITS_PER_LONG)
#define BITOP_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BITOP_ADDR(addr, nr) (((unsigned long *)(addr)) + BITOP_WORD(nr))

static inline void set_bit(int nr, volatile void *addr)
{
    __atomic_fetch_or(BITOP_ADDR(addr, nr), BITOP_MASK(nr), __ATOMIC_SEQ_CST);
}
static inline void clear_bit(int nr, volatile void *addr)
{
    __atomic_fetch_and(BITOP_ADDR(addr, nr), ~BITOP_MASK(nr), __ATOMIC_SEQ_CST);
}
static inline void change_bit(int nr, volatile void *addr)
{
    __atomic_fetch_xor(BITOP_ADDR(addr, nr), BITOP_MASK(nr), __ATOMIC_SEQ_CST);
}
static inline int test_and_set_bit(int nr, volatile void *addr)
{
    return !!(__atomic_fetch_or(BITOP_ADDR(addr, nr), BITOP_MASK(nr),
                                __ATOMIC_SEQ_CST) & BITOP_MASK(nr));
}
static inline int test_and_clear_bit(int nr, volatile void *addr)
{
    return !!(__atomic_fetch_and(BITOP_ADDR(addr, nr), ~BITOP_MASK(nr),
                                 __ATOMIC_SEQ_CST) & BITOP_MASK(nr));
}
static inline int test_and_change_bit(int nr, volatile void *addr)
{
    return !!(__atomic_fetch_xor(BITOP_ADDR(addr, nr), BITOP_MASK(nr),
                                 __ATOMIC_SEQ_CST) & BITOP_MASK(nr));
}
static inline int test_bit(int nr, const volatile void *addr)
{
    return !!(__atomic_load_n(BITOP_ADDR(addr, nr), __ATOMIC_ACQUIRE) &
              BITOP_MASK(nr));
}
static inline void __set_bit(int nr, void *addr)
{
    *BITOP_ADDR(addr, nr) |= BITOP_MASK(nr);
}
static inline void __clear_bit(int nr, void *addr)
{
    *BITOP_ADDR(addr, nr) &= ~BITOP_MASK(nr);
}
static inline int __test_and_set_bit(int nr, void *addr)
{
    int old = !!(*BITOP_ADDR(addr, nr) & BITOP_MASK(nr));

    *BITOP_ADDR(addr, nr) |= BITOP_MASK(nr);
    return old;
}
static inline int __test_and_clear_bit(int nr, void *addr)
{
    int old = !!(*BITOP_ADDR(addr, nr) & BITOP_MASK(nr));

    *BITOP_ADDR(addr, nr) &= ~BITOP_MASK(nr);
    return old;
}

/* Index of the lowest set bit of a non-zero word. */
static inline unsigned int find_first_set_bit(unsigned long word)
{
    return __builtin_ctzl(word);
}

static inline unsigned int find_next_bit(const unsigned long *addr,
                                         unsigned int size,
                                         unsigned int offset)
{
    while ( offset < size )
    {
        unsigned long w = __atomic_load_n(&addr[BITOP_WORD(offset)],
                                          __ATOMIC_ACQUIRE);

        w &= ~0UL << (offset % BITS_PER_LONG);
        if ( w )
        {
            offset = BITOP_WORD(offset) * BITS_PER_LONG + __builtin_ctzl(w);
            return offset < size ? offset : size;
        }
        offset = (BITOP_WORD(offset) + 1) * BITS_PER_LONG;
    }
    return size;
}

static inline unsigned int find_next_zero_bit(const unsigned long *addr,
                                              unsigned int size,
                                              unsigned int offset)
{
    while ( offset < size )
    {
        unsigned long w = ~__atomic_load_n(&addr[BITOP_WORD(offset)],
                                           __ATOMIC_ACQUIRE);

        w &= ~0UL << (offset % BITS_PER_LONG);
        if ( w )
        {
            offset = BITOP_WORD(offset) * BITS_PER_LONG + __builtin_ctzl(w);
            return offset < size ? offset : size;
        }
        offset = (BITOP_WORD(offset) + 1) * BITS_PER_LONG;
    }
    return size;
}

#define find_first_bit(addr, size) find_next_bit(addr, size, 0)
#define find_first_zero_bit(addr, size) find_next_zero_bit(addr, size, 0)

/* After the C library's declarations of ffs()/ffsl() (strings.h). */
#include <string.h>
#define ffs(x)  __builtin_ffs(x)
#define ffsl(x) __builtin_ffsl(x)
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int flsl(unsigned long x) { return x ? 64 - __builtin_clzl(x) : 0; }
static inline unsigned int hweight_long(unsigned long w)
{
    return __builtin_popcountl(w);
}
#define hweight32(x) ((unsigned int)__builtin_popcount(x))
#define hweight64(x) ((unsigned int)__builtin_popcountll(x))

#endif /* __X86_BITOPS_H__ */
