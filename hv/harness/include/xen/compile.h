/* Harness emulation: the Xen release the hv/ sources are built against. */
#ifndef __XEN_COMPILE_H__
#define __XEN_COMPILE_H__
#define XEN_VERSION    4
#define XEN_SUBVERSION 17
#define XEN_EXTRAVERSION ".0-hvharness"
#endif
