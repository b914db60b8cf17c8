#ifndef __ASM_APIC_H
#define __ASM_APIC_H
#include <xen/types.h>
#include <asm/irq.h>

/* Xen's asm/apicdef.h: the local APICs run in x2APIC mode (harness: set
 * false to check the xAPIC encoding of NDST). */
extern bool x2apic_enabled;
#endif
