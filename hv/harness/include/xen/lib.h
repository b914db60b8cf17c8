/* Harness emulation of xen/lib.h: printk, ASSERT, BUG_ON and helpers. */
#ifndef __XEN_LIB_H__
#define __XEN_LIB_H__

#include <xen/types.h>
#include <xen/string.h>

#define XENLOG_ERR     "<0>"
#define XENLOG_WARNING "<1>"
#define XENLOG_INFO    "<2>"
#define XENLOG_DEBUG   "<3>"
#define XENLOG_G_ERR     XENLOG_ERR
#define XENLOG_G_WARNING XENLOG_WARNING
#define XENLOG_G_INFO    XENLOG_INFO
#define XENLOG_G_DEBUG   XENLOG_DEBUG

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define gprintk(lvl, fmt, args...) printk(lvl "%s: " fmt, __func__, ## args)
#define gdprintk(lvl, fmt, args...) gprintk(lvl, fmt, ## args)
#define dprintk(lvl, fmt, args...) printk(lvl fmt, ## args)
void noreturn panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void noreturn hvh_assert_failed(const char *cond, const char *file, int line);

#define BUG() hvh_assert_failed("BUG", __FILE__, __LINE__)
#define BUG_ON(p) do { if ( unlikely(p) ) hvh_assert_failed(#p, __FILE__, __LINE__); } while ( 0 )
#define WARN_ON(p) ({ bool w_ = !!(p); if ( unlikely(w_) ) printk(XENLOG_WARNING "WARN_ON(%s) at %s:%d\n", #p, __FILE__, __LINE__); w_; })
#define WARN() printk(XENLOG_WARNING "WARN at %s:%d\n", __FILE__, __LINE__)
/* The harness always checks assertions (a debug=y hypervisor). */
#define ASSERT(p) do { if ( unlikely(!(p)) ) hvh_assert_failed(#p, __FILE__, __LINE__); } while ( 0 )
#define ASSERT_UNREACHABLE() hvh_assert_failed("unreachable", __FILE__, __LINE__)
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#define DIV_ROUND(n, d) (((n) + (d) / 2) / (d))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define IS_ALIGNED(val, align) (((val) & ((align) - 1)) == 0)

#define min(x, y) ({ const __typeof__(x) _x = (x); const __typeof__(y) _y = (y); \
                     (void)(&_x == &_y); _x < _y ? _x : _y; })
#define max(x, y) ({ const __typeof__(x) _x = (x); const __typeof__(y) _y = (y); \
                     (void)(&_x == &_y); _x > _y ? _x : _y; })
#define min_t(type, x, y) ({ type _x = (x); type _y = (y); _x < _y ? _x : _y; })
#define max_t(type, x, y) ({ type _x = (x); type _y = (y); _x > _y ? _x : _y; })
#define clamp(val, lo, hi) min(max(val, lo), hi)
#define swap(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while ( 0 )

/* A field of v under mask m, shifted down; and its inverse (as Xen's). */
#define MASK_EXTR(v, m) (((v) & (m)) / ((m) & -(m)))
#define MASK_INSR(v, m) (((v) * ((m) & -(m))) & (m))

#ifndef offsetof
#define offsetof(t, m) __builtin_offsetof(t, m)
#endif
#define container_of(ptr, type, member) ({ \
        __typeof__(((type *)0)->member) *mptr_ = (ptr); \
        (type *)((char *)mptr_ - offsetof(type, member)); })

unsigned long simple_strtoul(const char *cp, const char **endp,
                             unsigned int base);
unsigned long long simple_strtoull(const char *cp, const char **endp,
                                   unsigned int base);
int parse_bool(const char *s, const char *e);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* __XEN_LIB_H__ */
