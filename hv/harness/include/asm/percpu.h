#ifndef __X86_PERCPU_H__
#define __X86_PERCPU_H__
#include <xen/percpu.h>
#endif
