/* Harness emulation of xen/err.h. */
#ifndef __XEN_ERR_H__
#define __XEN_ERR_H__

#include <xen/compiler.h>
#include <xen/errno.h>

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

static inline void *ERR_PTR(long error)
{
    return (void *)error;
}
static inline long PTR_ERR(const void *ptr)
{
    return (long)ptr;
}
static inline long IS_ERR(const void *ptr)
{
    return IS_ERR_VALUE((unsigned long)ptr);
}
static inline long IS_ERR_OR_NULL(const void *ptr)
{
    return !ptr || IS_ERR_VALUE((unsigned long)ptr);
}

#endif /* __XEN_ERR_H__ */
