#ifndef __XEN_MM_H__
#define __XEN_MM_H__
#include <xen/types.h>
#include <xen/xmalloc.h>
#endif
