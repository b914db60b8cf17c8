#ifndef __XEN_BITOPS_H__
#define __XEN_BITOPS_H__
#include <asm/bitops.h>
#endif
