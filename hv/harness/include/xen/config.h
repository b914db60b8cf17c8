/* Harness emulation of Xen 4.17's build configuration (xen/config.h). */
#ifndef __XEN_CONFIG_H__
#define __XEN_CONFIG_H__

#ifndef CONFIG_NR_CPUS
#define CONFIG_NR_CPUS 512
#endif
#define NR_CPUS CONFIG_NR_CPUS
#define CONFIG_HYPFS 1
#define CONFIG_X86 1
#define CONFIG_HVM 1
#define BITS_PER_LONG 64
#define BITS_PER_BYTE 8
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define SMP_CACHE_BYTES 64

#endif /* __XEN_CONFIG_H__ */
