/* Harness emulation of xen/string.h (the C library's). */
#ifndef __XEN_STRING_H__
#define __XEN_STRING_H__
#include <string.h>
#endif
