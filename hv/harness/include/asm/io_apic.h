/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/io_apic.h: only the delivery modes
 * of an interrupt message (the MSI data / gflags delivery-mode field).
 */
#ifndef __ASM_IO_APIC_H
#define __ASM_IO_APIC_H

enum ioapic_irq_destination_types {
    dest_Fixed = 0,
    dest_LowestPrio = 1,
    dest_SMI = 2,
    dest__reserved_1 = 3,
    dest_NMI = 4,
    dest_INIT = 5,
    dest__reserved_2 = 6,
    dest_ExtINT = 7
};

#endif /* __ASM_IO_APIC_H */
