/*
 * Harness emulation of xen/guest_access.h: a guest handle is a plain
 * pointer into the caller's (the tool's) buffer.
 */
#ifndef __XEN_GUEST_ACCESS_H__
#define __XEN_GUEST_ACCESS_H__

#include <xen/types.h>
#include <xen/string.h>

typedef struct { void *p; } xen_guest_handle_void_t;
typedef struct { const void *p; } xen_guest_handle_const_void_t;
#define XEN_GUEST_HANDLE_PARAM(type) xen_guest_handle_##type##_t
#define XEN_GUEST_HANDLE(type) xen_guest_handle_##type##_t

#define guest_handle_add_offset(hnd, nr) \
    ((hnd).p = (char *)(hnd).p + (nr))
#define guest_handle_is_null(hnd) ((hnd).p == NULL)
/* Copies nr objects of *ptr's type; returns the bytes not copied (0). */
#define copy_to_guest_offset(hnd, off, ptr, nr) \
    (memcpy((char *)(hnd).p + (off) * sizeof(*(ptr)), ptr, \
            (nr) * sizeof(*(ptr))), 0UL)
#define copy_to_guest(hnd, ptr, nr) copy_to_guest_offset(hnd, 0, ptr, nr)
#define copy_from_guest_offset(ptr, hnd, off, nr) \
    (memcpy(ptr, (const char *)(hnd).p + (off) * sizeof(*(ptr)), \
            (nr) * sizeof(*(ptr))), 0UL)
#define copy_from_guest(ptr, hnd, nr) copy_from_guest_offset(ptr, hnd, 0, nr)

#endif /* __XEN_GUEST_ACCESS_H__ */
