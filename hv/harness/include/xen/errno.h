/* Harness emulation of xen/errno.h: Xen's errno values are Linux's. */
#ifndef __XEN_ERRNO_H__
#define __XEN_ERRNO_H__
#include <errno.h>
#endif
