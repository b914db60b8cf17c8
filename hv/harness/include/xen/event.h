#ifndef __XEN_EVENT_H__
#define __XEN_EVENT_H__
#include <xen/sched.h>
#endif
