/* Harness emulation of xen/notifier.h. */
#ifndef __XEN_NOTIFIER_H__
#define __XEN_NOTIFIER_H__

#include <xen/types.h>
#include <xen/errno.h>

struct notifier_block {
    int (*notifier_call)(struct notifier_block *nfb, unsigned long action,
                         void *hcpu);
    struct notifier_block *next;
    int priority;
};

#define NOTIFY_DONE      0x0000
#define NOTIFY_OK        0x0001
#define NOTIFY_STOP_MASK 0x8000
#define NOTIFY_BAD       (NOTIFY_STOP_MASK | EINVAL)
#define NOTIFY_STOP      (NOTIFY_OK | NOTIFY_STOP_MASK)

static inline int notifier_from_errno(int err)
{
    return err ? (NOTIFY_STOP_MASK | -err) : NOTIFY_DONE;
}

static inline int notifier_to_errno(int ret)
{
    return -(ret & ~NOTIFY_STOP_MASK);
}

#endif /* __XEN_NOTIFIER_H__ */
