/* Harness copy of the trace class constants (public/trace.h, Xen 4.17). */
#ifndef __XEN_PUBLIC_TRACE_H__
#define __XEN_PUBLIC_TRACE_H__

#define TRACE_EXTRA_MAX    7
#define TRACE_EXTRA_SHIFT 28

#define TRC_CLS_SHIFT 16
#define TRC_GEN      0x0001f000
#define TRC_SCHED    0x0002f000
#define TRC_DOM0OP   0x0004f000
#define TRC_HVM      0x0008f000
#define TRC_MEM      0x0010f000
#define TRC_PV       0x0020f000
#define TRC_SHADOW   0x0040f000
#define TRC_HW       0x0080f000
#define TRC_GUEST    0x0800f000
#define TRC_ALL      0x0ffff000

#define TRC_LOST_RECORDS        (TRC_GEN + 1)
#define TRC_TRACE_WRAP_BUFFER   (TRC_GEN + 2)
#define TRC_TRACE_CPU_CHANGE    (TRC_GEN + 3)

#define TRC_HW_PM  (TRC_HW + 0x1000)
#define TRC_HW_IRQ (TRC_HW + 0x2000)

#endif /* __XEN_PUBLIC_TRACE_H__ */
