/*
 * Harness emulation of xen/param.h (Xen 4.17).  Parameters are collected
 * in linker sections; hvh_boot() parses the command line into them and
 * publishes runtime parameters as hypfs nodes under /params.
 */
#ifndef _XEN_PARAM_H
#define _XEN_PARAM_H

#include <xen/hypfs.h>
#include <xen/init.h>
#include <xen/lib.h>

struct kernel_param {
    const char *name;
    enum {
        OPT_STR,
        OPT_UINT,
        OPT_BOOL,
        OPT_SIZE,
        OPT_CUSTOM,
        OPT_IGNORE,
    } type;
    unsigned int len;
    union {
        void *var;
        int (*func)(const char *);
    } par;
};

struct param_hypfs {
    struct hypfs_entry_leaf hypfs;
    void (*init_leaf)(struct param_hypfs *par);
    int (*func)(const char *);
};

#define __setup_str static const char __attribute__((__unused__))
#define __kparam static const struct kernel_param \
    __attribute__((__section__("hvh_param"), __used__, __aligned__(8)))
#define __paramhypfs static struct param_hypfs \
    __attribute__((__section__("hvh_paramhypfs"), __used__, __aligned__(8)))

#define custom_param(_name, _var) \
    __kparam __setup_##_var = \
        { .name = (_name), .type = OPT_CUSTOM, .par.func = (_var) }
#define boolean_param(_name, _var) \
    __kparam __setup_##_var = \
        { .name = (_name), .type = OPT_BOOL, .len = sizeof(_var), \
          .par.var = &(_var) }
#define integer_param(_name, _var) \
    __kparam __setup_##_var = \
        { .name = (_name), .type = OPT_UINT, .len = sizeof(_var), \
          .par.var = &(_var) }
#define size_param(_name, _var) \
    __kparam __setup_##_var = \
        { .name = (_name), .type = OPT_SIZE, .len = sizeof(_var), \
          .par.var = &(_var) }
#define string_param(_name, _var) \
    __kparam __setup_##_var = \
        { .name = (_name), .type = OPT_STR, .len = sizeof(_var), \
          .par.var = &(_var) }

#define param_2_parfs(par) (&__parfs_##par)

/* Runtime parameters: nodes under hypfs /params. */
#define custom_runtime_only_param(nam, variable, initfunc) \
    __paramhypfs __parfs_##variable = \
        { .hypfs.e.type = XEN_HYPFS_TYPE_STRING, \
          .hypfs.e.encoding = XEN_HYPFS_ENC_PLAIN, \
          .hypfs.e.name = (nam), \
          .hypfs.e.funcs = &hypfs_custom_wr_funcs, \
          .init_leaf = (initfunc), \
          .func = (variable) }
#define boolean_runtime_only_param(nam, variable) \
    __paramhypfs __parfs_##variable = \
        { .hypfs.e.type = XEN_HYPFS_TYPE_BOOL, \
          .hypfs.e.encoding = XEN_HYPFS_ENC_PLAIN, \
          .hypfs.e.name = (nam), \
          .hypfs.e.size = sizeof(variable), \
          .hypfs.e.max_size = sizeof(variable), \
          .hypfs.e.funcs = &hypfs_bool_wr_funcs, \
          .hypfs.u.content = &(variable) }
#define integer_runtime_only_param(nam, variable) \
    __paramhypfs __parfs_##variable = \
        { .hypfs.e.type = XEN_HYPFS_TYPE_UINT, \
          .hypfs.e.encoding = XEN_HYPFS_ENC_PLAIN, \
          .hypfs.e.name = (nam), \
          .hypfs.e.size = sizeof(variable), \
          .hypfs.e.max_size = sizeof(variable), \
          .hypfs.e.funcs = &hypfs_leaf_wr_funcs, \
          .hypfs.u.content = &(variable) }

#define custom_runtime_set_var_sz(parfs, var, sz) \
    { \
        (parfs)->hypfs.u.content = (var); \
        (parfs)->hypfs.e.max_size = (sz); \
        (parfs)->hypfs.e.size = strlen(var) + 1; \
    }
#define custom_runtime_set_var(parfs, var) \
    custom_runtime_set_var_sz(parfs, var, sizeof(var))

#define custom_runtime_param(_name, _var, initfunc) \
    custom_param(_name, _var); \
    custom_runtime_only_param(_name, _var, initfunc)
#define boolean_runtime_param(_name, _var) \
    boolean_param(_name, _var); \
    boolean_runtime_only_param(_name, _var)
#define integer_runtime_param(_name, _var) \
    integer_param(_name, _var); \
    integer_runtime_only_param(_name, _var)

#endif /* _XEN_PARAM_H */
