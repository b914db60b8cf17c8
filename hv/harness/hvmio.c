/*
 * hvmio.c - a guest's MMIO access through the domain's intercept handlers
 * and, for what they leave, its device model (see hvh/msix.h).
 */
#include <xen/errno.h>
#include <xen/sched.h>
#include <asm/current.h>
#include <asm/hvm/emulate.h>
#include <asm/hvm/io.h>
#include <hvh/msix.h>

void hvh_ioreq_server_set(struct domain *d, hvh_ioreq_server_t fn,
                          void *priv)
{
    d->arch.hvm.hvh_ioreq_priv = priv;
    d->arch.hvm.hvh_ioreq_server = fn;
}

static const struct hvm_io_handler *find_handler(struct domain *d,
                                                 const ioreq_t *p)
{
    unsigned int i;

    for ( i = 0; i < d->arch.hvm.io_handler_count; i++ )
    {
        const struct hvm_io_handler *h = &d->arch.hvm.io_handler[i];

        if ( h->type == p->type && h->ops->accept(h, p) )
            return h;
    }

    return NULL;
}

int hvh_mmio_access(struct vcpu *v, paddr_t addr, unsigned int size,
                    bool is_write, uint64_t *val)
{
    struct domain *d = v->domain;
    struct vcpu *prev = current;
    const struct hvm_io_handler *h;
    ioreq_t p = {
        .addr = addr,
        .data = is_write ? *val : 0,
        .count = 1,
        .size = size,
        .state = STATE_IOREQ_READY,
        .dir = is_write ? IOREQ_WRITE : IOREQ_READ,
        .type = IOREQ_TYPE_COPY,
    };
    int rc = X86EMUL_UNHANDLEABLE, ret = 0;

    set_current(v);

    h = find_handler(d, &p);
    if ( h && is_write )
        rc = h->ops->write(h, addr, size, *val);
    else if ( h )
    {
        uint64_t data = 0;

        rc = h->ops->read(h, addr, size, &data);
        if ( rc == X86EMUL_OKAY )
            *val = data;
    }

    if ( rc != X86EMUL_OKAY )
    {
        /* hvm_send_ioreq(): the device model serves it, then completion. */
        if ( !d->arch.hvm.hvh_ioreq_server )
            ret = -ENODEV;
        else
        {
            ret = d->arch.hvm.hvh_ioreq_server(d->arch.hvm.hvh_ioreq_priv,
                                               &p);
            if ( !ret && !is_write )
                *val = p.data;
        }
        p.state = STATE_IOREQ_NONE;
        msix_write_completion(v);
    }

    set_current(prev);

    return ret;
}
