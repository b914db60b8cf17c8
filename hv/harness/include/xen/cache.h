/*
 * Harness emulation of xen/cache.h: cache-line size and alignment (the
 * harness keeps __cacheline_aligned in xen/compiler.h; Xen code includes
 * this header for it).
 */
#ifndef __LINUX_CACHE_H
#define __LINUX_CACHE_H

#include <xen/config.h>
#include <xen/compiler.h>

#define L1_CACHE_BYTES SMP_CACHE_BYTES

#endif /* __LINUX_CACHE_H */
