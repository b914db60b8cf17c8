/* Harness emulation of xen/compiler.h (GCC/clang attributes). */
#ifndef __XEN_COMPILER_H__
#define __XEN_COMPILER_H__

#define likely(x)     __builtin_expect(!!(x), 1)
#define unlikely(x)   __builtin_expect(!!(x), 0)
#define inline        __inline__
#define always_inline __inline__ __attribute__((__always_inline__))
#define noinline      __attribute__((__noinline__))
#define noreturn      __attribute__((__noreturn__))
#define __packed      __attribute__((__packed__))
#define __aligned(a)  __attribute__((__aligned__(a)))
#define __maybe_unused __attribute__((__unused__))
#define __used        __attribute__((__used__))
#define __must_check  __attribute__((__warn_unused_result__))
#define __section(s)  __attribute__((__section__(s)))
#define __cacheline_aligned __attribute__((__aligned__(64)))
#define barrier()     __asm__ __volatile__ ( "" : : : "memory" )

/* Sections and attributes that matter only in a real hypervisor image. */
#define __init
#define __initdata
#define __initconst
#define __exit
#define __read_mostly
#define __ro_after_init
#define cf_check
#define __hwdom_init
#define __initconstrel

#define ACCESS_ONCE(x) (*(volatile __typeof__(x) *)&(x))

#define RELOC_HIDE(ptr, off)                    \
    ({ unsigned long __ptr;                     \
       __asm__ ( "" : "=r" (__ptr) : "0" (ptr) ); \
       (__typeof__(ptr))(__ptr + (off)); })

#define __stringify_1(x) #x
#define __stringify(x)   __stringify_1(x)

#endif /* __XEN_COMPILER_H__ */
