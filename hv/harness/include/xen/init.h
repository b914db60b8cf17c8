/*
 * Harness emulation of xen/init.h.  Initcalls are collected in a linker
 * section and run by hvh_boot(): presmp ones first, then the others.
 */
#ifndef __XEN_INIT_H__
#define __XEN_INIT_H__

#include <xen/compiler.h>

typedef int (*initcall_t)(void);

#define presmp_initcall(fn) \
    static initcall_t __initcall_##fn \
        __attribute__((__section__("hvh_presmp_initcall"), __used__)) = (fn)
#define __initcall(fn) \
    static initcall_t __initcall_##fn \
        __attribute__((__section__("hvh_initcall"), __used__)) = (fn)

#endif /* __XEN_INIT_H__ */
