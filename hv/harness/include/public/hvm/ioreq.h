/* SPDX-License-Identifier: MIT */
/*
 * Harness emulation of Xen 4.17's public/hvm/ioreq.h: the I/O request a
 * vCPU's emulation hands to its handlers and to the device model (the
 * same fields, bit widths and values as Xen's interface).
 */
#ifndef __XEN_PUBLIC_HVM_IOREQ_H__
#define __XEN_PUBLIC_HVM_IOREQ_H__

#include <xen/types.h>

#define IOREQ_READ      1
#define IOREQ_WRITE     0

#define STATE_IOREQ_NONE        0
#define STATE_IOREQ_READY       1
#define STATE_IOREQ_INPROCESS   2
#define STATE_IORESP_READY      3

#define IOREQ_TYPE_PIO          0
#define IOREQ_TYPE_COPY         1

struct ioreq {
    uint64_t addr;          /* physical address */
    uint64_t data;          /* data (or guest paddr of data) */
    uint32_t count;         /* for rep prefixes */
    uint32_t size;          /* size in bytes */
    uint32_t vp_eport;      /* evtchn for notifications to/from device model */
    uint16_t _pad0;
    uint8_t state:4;
    uint8_t data_is_ptr:1;  /* if 1, data above is the guest paddr */
    uint8_t dir:1;          /* 1=read, 0=write */
    uint8_t df:1;
    uint8_t _pad1:1;
    uint8_t type;           /* I/O type */
};
typedef struct ioreq ioreq_t;

#endif /* __XEN_PUBLIC_HVM_IOREQ_H__ */
