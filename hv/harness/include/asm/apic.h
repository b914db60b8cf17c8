#ifndef __ASM_APIC_H
#define __ASM_APIC_H
#include <asm/irq.h>
#endif
