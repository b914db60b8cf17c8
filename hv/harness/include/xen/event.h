#ifndef __XEN_EVENT_H__
#define __XEN_EVENT_H__
#include <xen/sched.h>

/* dpci: deliver pirq to a guest that bound it to an event channel. */
struct pirq;
void send_guest_pirq(struct domain *, const struct pirq *);
#endif
