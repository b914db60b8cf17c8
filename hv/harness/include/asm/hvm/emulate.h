/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's asm/hvm/emulate.h: the emulator's
 * result codes and its cache switch (the harness's emulation has no cache).
 */
#ifndef __ASM_X86_HVM_EMULATE_H__
#define __ASM_X86_HVM_EMULATE_H__

#define X86EMUL_OKAY            0
#define X86EMUL_UNHANDLEABLE    1

struct vcpu;

unsigned int hvmemul_cache_disable(struct vcpu *);
void hvmemul_cache_restore(struct vcpu *, unsigned int token);

#endif /* __ASM_X86_HVM_EMULATE_H__ */
