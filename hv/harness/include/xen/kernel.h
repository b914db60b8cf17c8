#ifndef __XEN_KERNEL_H__
#define __XEN_KERNEL_H__
#include <xen/lib.h>
#endif
