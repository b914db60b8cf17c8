/* Harness emulation of xen/types.h. */
#ifndef __XEN_TYPES_H__
#define __XEN_TYPES_H__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/config.h>
#include <xen/compiler.h>

typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t   s8;
typedef int16_t  s16;
typedef int32_t  s32;
typedef int64_t  s64;
typedef uint16_t domid_t;
typedef uint64_t paddr_t;
typedef int64_t  s_time_t;
typedef unsigned long cpumask_word_t;

#define DECLARE_BITMAP(name, bits) \
    unsigned long name[((bits) + BITS_PER_LONG - 1) / BITS_PER_LONG]
#define BITS_TO_LONGS(bits) (((bits) + BITS_PER_LONG - 1) / BITS_PER_LONG)

#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_IDLE           0x7FFFU
#define DOMID_INVALID        0x7FF4U

#endif /* __XEN_TYPES_H__ */
