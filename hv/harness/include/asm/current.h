/* Harness emulation of asm/current.h: current is a per-pCPU pointer. */
#ifndef __X86_CURRENT_H__
#define __X86_CURRENT_H__

#include <xen/percpu.h>

struct vcpu;
DECLARE_PER_CPU(struct vcpu *, curr_vcpu);
#define get_current() (this_cpu(curr_vcpu))
#define current (get_current())
#define set_current(v) (this_cpu(curr_vcpu) = (v))

#endif /* __X86_CURRENT_H__ */
