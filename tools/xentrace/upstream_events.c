/*
 * upstream_events.c - names of the upstream Xen 4.17 trace events the
 * library knows, so a dump of a real host's trace reads as more than hex.
 *
 * Ids are those of Xen's public trace ABI (class | subclass | number); the
 * 64-bit variants carry the 0x100 flag.  Anything absent here is decoded
 * generically, and counted as unknown by the reader.
 */
#include <stdlib.h>

#include "xentrace.h"

struct upstream_event {
    uint32_t id;
    const char *name;
};

#define GEN          0x0001f000u
#define SCHED_MIN    0x00021000u
#define SCHED_VERB   0x00028000u
#define DOM0_DOMOPS  0x00041000u
#define HVM_ENTRY    0x00081000u
#define HVM_HANDLER  0x00082000u
#define HVM_EMUL     0x00084000u
#define MEM          0x0010f000u
#define PV_ENTRY     0x00201000u
#define PV_SUBCALL   0x00202000u
#define SHADOW       0x0040f000u
#define HW_PM        0x00801000u
#define HW_IRQ       0x00802000u
#define F64          0x100u

/* Sorted by id: looked up by binary search on the reader's hot path. */
static const struct upstream_event table[] = {
    { GEN + 0x1, "TRC_LOST_RECORDS" },
    { GEN + 0x2, "TRC_TRACE_WRAP_BUFFER" },
    { GEN + 0x3, "TRC_TRACE_CPU_CHANGE" },
    { GEN + 0x4, "TRC_TRACE_IRQ" },
    { GEN + 0xa, "TRC_LOST_RECORDS_END" },

    { SCHED_MIN + 0x1, "TRC_SCHED_RUNSTATE_CHANGE" },
    { SCHED_MIN + 0x2, "TRC_SCHED_CONTINUE_RUNNING" },

    { SCHED_VERB + 1, "TRC_SCHED_DOM_ADD" },
    { SCHED_VERB + 2, "TRC_SCHED_DOM_REM" },
    { SCHED_VERB + 3, "TRC_SCHED_SLEEP" },
    { SCHED_VERB + 4, "TRC_SCHED_WAKE" },
    { SCHED_VERB + 5, "TRC_SCHED_YIELD" },
    { SCHED_VERB + 6, "TRC_SCHED_BLOCK" },
    { SCHED_VERB + 7, "TRC_SCHED_SHUTDOWN" },
    { SCHED_VERB + 8, "TRC_SCHED_CTL" },
    { SCHED_VERB + 9, "TRC_SCHED_ADJDOM" },
    { SCHED_VERB + 10, "TRC_SCHED_SWITCH" },
    { SCHED_VERB + 11, "TRC_SCHED_S_TIMER_FN" },
    { SCHED_VERB + 12, "TRC_SCHED_T_TIMER_FN" },
    { SCHED_VERB + 13, "TRC_SCHED_DOM_TIMER_FN" },
    { SCHED_VERB + 14, "TRC_SCHED_SWITCH_INFPREV" },
    { SCHED_VERB + 15, "TRC_SCHED_SWITCH_INFNEXT" },
    { SCHED_VERB + 16, "TRC_SCHED_SHUTDOWN_CODE" },
    { SCHED_VERB + 17, "TRC_SCHED_SWITCH_INFCONT" },

    { DOM0_DOMOPS + 1, "TRC_DOM0_DOM_ADD" },
    { DOM0_DOMOPS + 2, "TRC_DOM0_DOM_REM" },

    { HVM_ENTRY + 0x01, "TRC_HVM_VMENTRY" },
    { HVM_ENTRY + 0x02, "TRC_HVM_VMEXIT" },
    { HVM_ENTRY + F64 + 0x02, "TRC_HVM_VMEXIT64" },

    { HVM_HANDLER + 0x01, "TRC_HVM_PF_XEN" },
    { HVM_HANDLER + 0x02, "TRC_HVM_PF_INJECT" },
    { HVM_HANDLER + 0x03, "TRC_HVM_INJ_EXC" },
    { HVM_HANDLER + 0x04, "TRC_HVM_INJ_VIRQ" },
    { HVM_HANDLER + 0x05, "TRC_HVM_REINJ_VIRQ" },
    { HVM_HANDLER + 0x06, "TRC_HVM_IO_READ" },
    { HVM_HANDLER + 0x07, "TRC_HVM_IO_WRITE" },
    { HVM_HANDLER + 0x08, "TRC_HVM_CR_READ" },
    { HVM_HANDLER + 0x09, "TRC_HVM_CR_WRITE" },
    { HVM_HANDLER + 0x0a, "TRC_HVM_DR_READ" },
    { HVM_HANDLER + 0x0b, "TRC_HVM_DR_WRITE" },
    { HVM_HANDLER + 0x0c, "TRC_HVM_MSR_READ" },
    { HVM_HANDLER + 0x0d, "TRC_HVM_MSR_WRITE" },
    { HVM_HANDLER + 0x0e, "TRC_HVM_CPUID" },
    { HVM_HANDLER + 0x0f, "TRC_HVM_INTR" },
    { HVM_HANDLER + 0x10, "TRC_HVM_NMI" },
    { HVM_HANDLER + 0x11, "TRC_HVM_SMI" },
    { HVM_HANDLER + 0x12, "TRC_HVM_VMMCALL" },
    { HVM_HANDLER + 0x13, "TRC_HVM_HLT" },
    { HVM_HANDLER + 0x14, "TRC_HVM_INVLPG" },
    { HVM_HANDLER + 0x15, "TRC_HVM_MCE" },
    { HVM_HANDLER + 0x16, "TRC_HVM_IOPORT_READ" },
    { HVM_HANDLER + 0x17, "TRC_HVM_IOMEM_READ" },
    { HVM_HANDLER + 0x18, "TRC_HVM_CLTS" },
    { HVM_HANDLER + 0x19, "TRC_HVM_LMSW" },
    { HVM_HANDLER + 0x1a, "TRC_HVM_RDTSC" },
    { HVM_HANDLER + 0x20, "TRC_HVM_INTR_WINDOW" },
    { HVM_HANDLER + 0x21, "TRC_HVM_NPF" },
    { HVM_HANDLER + 0x22, "TRC_HVM_REALMODE_EMULATE" },
    { HVM_HANDLER + 0x23, "TRC_HVM_TRAP" },
    { HVM_HANDLER + 0x24, "TRC_HVM_TRAP_DEBUG" },
    { HVM_HANDLER + 0x25, "TRC_HVM_VLAPIC" },
    { HVM_HANDLER + F64 + 0x01, "TRC_HVM_PF_XEN64" },
    { HVM_HANDLER + F64 + 0x02, "TRC_HVM_PF_INJECT64" },
    { HVM_HANDLER + F64 + 0x08, "TRC_HVM_CR_READ64" },
    { HVM_HANDLER + F64 + 0x09, "TRC_HVM_CR_WRITE64" },
    { HVM_HANDLER + F64 + 0x14, "TRC_HVM_INVLPG64" },
    { HVM_HANDLER + F64 + 0x19, "TRC_HVM_LMSW64" },
    { HVM_HANDLER + 0x216, "TRC_HVM_IOPORT_WRITE" },
    { HVM_HANDLER + 0x217, "TRC_HVM_IOMEM_WRITE" },

    { HVM_EMUL + 0x01, "TRC_HVM_EMUL_HPET_START_TIMER" },
    { HVM_EMUL + 0x02, "TRC_HVM_EMUL_PIT_START_TIMER" },
    { HVM_EMUL + 0x03, "TRC_HVM_EMUL_RTC_START_TIMER" },
    { HVM_EMUL + 0x04, "TRC_HVM_EMUL_LAPIC_START_TIMER" },
    { HVM_EMUL + 0x05, "TRC_HVM_EMUL_HPET_STOP_TIMER" },
    { HVM_EMUL + 0x06, "TRC_HVM_EMUL_PIT_STOP_TIMER" },
    { HVM_EMUL + 0x07, "TRC_HVM_EMUL_RTC_STOP_TIMER" },
    { HVM_EMUL + 0x08, "TRC_HVM_EMUL_LAPIC_STOP_TIMER" },
    { HVM_EMUL + 0x09, "TRC_HVM_EMUL_PIT_TIMER_CB" },
    { HVM_EMUL + 0x0a, "TRC_HVM_EMUL_LAPIC_TIMER_CB" },
    { HVM_EMUL + 0x0b, "TRC_HVM_EMUL_PIC_INT_OUTPUT" },
    { HVM_EMUL + 0x0c, "TRC_HVM_EMUL_PIC_KICK" },
    { HVM_EMUL + 0x0d, "TRC_HVM_EMUL_PIC_INTACK" },
    { HVM_EMUL + 0x0e, "TRC_HVM_EMUL_PIC_POSEDGE" },
    { HVM_EMUL + 0x0f, "TRC_HVM_EMUL_PIC_NEGEDGE" },
    { HVM_EMUL + 0x10, "TRC_HVM_EMUL_PIC_PEND_IRQ_CALL" },
    { HVM_EMUL + 0x11, "TRC_HVM_EMUL_LAPIC_PIC_INTR" },

    { MEM + 1, "TRC_MEM_PAGE_GRANT_MAP" },
    { MEM + 2, "TRC_MEM_PAGE_GRANT_UNMAP" },
    { MEM + 3, "TRC_MEM_PAGE_GRANT_TRANSFER" },
    { MEM + 4, "TRC_MEM_SET_P2M_ENTRY" },
    { MEM + 5, "TRC_MEM_DECREASE_RESERVATION" },
    { MEM + 16, "TRC_MEM_POD_POPULATE" },
    { MEM + 17, "TRC_MEM_POD_ZERO_RECLAIM" },
    { MEM + 18, "TRC_MEM_POD_SUPERPAGE_SPLINTER" },

    { PV_ENTRY + 1, "TRC_PV_HYPERCALL" },
    { PV_ENTRY + 3, "TRC_PV_TRAP" },
    { PV_ENTRY + 4, "TRC_PV_PAGE_FAULT" },
    { PV_ENTRY + 5, "TRC_PV_FORCED_INVALID_OP" },
    { PV_ENTRY + 6, "TRC_PV_EMULATE_PRIVOP" },
    { PV_ENTRY + 7, "TRC_PV_EMULATE_4GB" },
    { PV_ENTRY + 8, "TRC_PV_MATH_STATE_RESTORE" },
    { PV_ENTRY + 9, "TRC_PV_PAGING_FIXUP" },
    { PV_ENTRY + 10, "TRC_PV_GDT_LDT_MAPPING_FAULT" },
    { PV_ENTRY + 11, "TRC_PV_PTWR_EMULATION" },
    { PV_ENTRY + 12, "TRC_PV_PTWR_EMULATION_PAE" },
    { PV_ENTRY + 13, "TRC_PV_HYPERCALL_V2" },
    { PV_SUBCALL + 14, "TRC_PV_HYPERCALL_SUBCALL" },

    { SHADOW + 1, "TRC_SHADOW_NOT_SHADOW" },
    { SHADOW + 2, "TRC_SHADOW_FAST_PROPAGATE" },
    { SHADOW + 3, "TRC_SHADOW_FAST_MMIO" },
    { SHADOW + 4, "TRC_SHADOW_FALSE_FAST_PATH" },
    { SHADOW + 5, "TRC_SHADOW_MMIO" },
    { SHADOW + 6, "TRC_SHADOW_FIXUP" },
    { SHADOW + 7, "TRC_SHADOW_DOMF_DYING" },
    { SHADOW + 8, "TRC_SHADOW_EMULATE" },
    { SHADOW + 9, "TRC_SHADOW_EMULATE_UNSHADOW_USER" },
    { SHADOW + 10, "TRC_SHADOW_EMULATE_UNSHADOW_EVTINJ" },
    { SHADOW + 11, "TRC_SHADOW_EMULATE_UNSHADOW_UNHANDLED" },
    { SHADOW + 12, "TRC_SHADOW_WRMAP_BF" },
    { SHADOW + 13, "TRC_SHADOW_PREALLOC_UNPIN" },
    { SHADOW + 14, "TRC_SHADOW_RESYNC_FULL" },
    { SHADOW + 15, "TRC_SHADOW_RESYNC_ONLY" },

    { HW_PM + 1, "TRC_PM_FREQ_CHANGE" },
    { HW_PM + 2, "TRC_PM_IDLE_ENTRY" },
    { HW_PM + 3, "TRC_PM_IDLE_EXIT" },

    { HW_IRQ + 1, "TRC_HW_IRQ_MOVE_CLEANUP_DELAY" },
    { HW_IRQ + 2, "TRC_HW_IRQ_MOVE_CLEANUP" },
    { HW_IRQ + 3, "TRC_HW_IRQ_BIND_VECTOR" },
    { HW_IRQ + 4, "TRC_HW_IRQ_CLEAR_VECTOR" },
    { HW_IRQ + 5, "TRC_HW_IRQ_MOVE_FINISH" },
    { HW_IRQ + 6, "TRC_HW_IRQ_ASSIGN_VECTOR" },
    { HW_IRQ + 7, "TRC_HW_IRQ_UNMAPPED_VECTOR" },
    { HW_IRQ + 8, "TRC_HW_IRQ_HANDLED" },
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

const char *xte_upstream_event_name(uint32_t event)
{
    size_t lo = 0, hi = TABLE_LEN;

    event &= 0x0fffffffu;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (table[mid].id == event)
            return table[mid].name;
        if (table[mid].id < event)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* For the tests: the table must stay sorted for the search to work. */
int xte_upstream_table_sorted(void);
int xte_upstream_table_sorted(void)
{
    for (size_t i = 1; i < TABLE_LEN; i++)
        if (table[i - 1].id >= table[i].id)
            return 0;
    return 1;
}
