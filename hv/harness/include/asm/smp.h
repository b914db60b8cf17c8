#ifndef __ASM_SMP_H
#define __ASM_SMP_H
#include <xen/smp.h>
#endif
