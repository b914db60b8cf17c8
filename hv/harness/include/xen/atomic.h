#ifndef __XEN_ATOMIC_H__
#define __XEN_ATOMIC_H__
#include <asm/atomic.h>
#endif
