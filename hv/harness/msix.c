/*
 * msix.c - machine irq numbers, MMIO handler slots and guest memory copies
 * for the MSI-X table code (see hvh/msix.h).
 */
#include <pthread.h>

#include <xen/errno.h>
#include <xen/irq.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/xmalloc.h>
#include <asm/hvm/emulate.h>
#include <asm/hvm/io.h>
#include <asm/hvm/support.h>
#include <hvh/msix.h>

#define HVH_NR_IRQS 4096

static pthread_mutex_t irq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct irq_desc *irq_descs[HVH_NR_IRQS];

int hvh_irq_register(struct irq_desc *desc)
{
    int irq;

    pthread_mutex_lock(&irq_lock);
    for ( irq = 0; irq < HVH_NR_IRQS; irq++ )
        if ( !irq_descs[irq] )
        {
            __atomic_store_n(&irq_descs[irq], desc, __ATOMIC_RELEASE);
            break;
        }
    pthread_mutex_unlock(&irq_lock);

    return irq < HVH_NR_IRQS ? irq : -ENOSPC;
}

void hvh_irq_unregister(int irq)
{
    if ( irq >= 0 && irq < HVH_NR_IRQS )
        __atomic_store_n(&irq_descs[irq], NULL, __ATOMIC_RELEASE);
}

struct irq_desc *irq_to_desc(int irq)
{
    if ( irq < 0 || irq >= HVH_NR_IRQS )
        return NULL;

    return __atomic_load_n(&irq_descs[irq], __ATOMIC_ACQUIRE);
}

/* As hvm_domain_initialise() allocates them, at first use. */
struct hvm_io_handler *hvm_next_io_handler(struct domain *d)
{
    struct hvm_domain *hd = &d->arch.hvm;

    if ( !hd->io_handler )
    {
        hd->io_handler = xzalloc_array(struct hvm_io_handler, NR_IO_HANDLERS);
        if ( !hd->io_handler )
            return NULL;
    }
    if ( hd->io_handler_count >= NR_IO_HANDLERS )
        return NULL;

    return &hd->io_handler[hd->io_handler_count++];
}

unsigned int hvmemul_cache_disable(struct vcpu *v)
{
    return 0;
}

void hvmemul_cache_restore(struct vcpu *v, unsigned int token)
{
}

enum hvm_translation_result hvm_copy_from_guest_phys(void *buf, paddr_t paddr,
                                                     unsigned int size)
{
    return HVMTRANS_bad_gfn_to_mfn;
}
