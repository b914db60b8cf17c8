/*
 * hypfs.c - the hypervisor filesystem tree, boot command line and
 * runtime parameters (/params).
 *
 * hvh_hypfs_read()/hvh_hypfs_write() walk the tree and call the node's
 * hypfs_funcs exactly as Xen's do_hypfs_op() does (enter, getsize, read or
 * write, exit, under the hypfs lock), so a node's handlers run unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm/atomic.h>
#include <xen/err.h>
#include <xen/guest_access.h>
#include <xen/hypfs.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/spinlock.h>
#include <hvh/harness.h>

#include "internal.h"

HYPFS_DIR_INIT(hypfs_root, "");
static HYPFS_DIR_INIT(params_dir, "params");
static pthread_mutex_t hypfs_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread void *dyndata;

extern const struct kernel_param __start_hvh_param[] __attribute__((weak));
extern const struct kernel_param __stop_hvh_param[] __attribute__((weak));
extern struct param_hypfs __start_hvh_paramhypfs[] __attribute__((weak));
extern struct param_hypfs __stop_hvh_paramhypfs[] __attribute__((weak));

/* ---- the tree ------------------------------------------------------------- */

static void add_entry(struct hypfs_entry_dir *parent, struct hypfs_entry *e)
{
    struct list_head *pos;

    /* Sorted by name, as Xen keeps directories. */
    list_for_each ( pos, &parent->dirlist )
    {
        struct hypfs_entry *o = list_entry(pos, struct hypfs_entry, list);

        if ( strcmp(o->name, e->name) > 0 )
            break;
    }
    list_add_tail(&e->list, pos);
    e->parent = &parent->e;
}

static struct hypfs_entry *find_child(const struct hypfs_entry_dir *dir,
                                      const char *name, unsigned int len)
{
    struct hypfs_entry *e;

    list_for_each_entry ( e, &dir->dirlist, list )
        if ( strlen(e->name) == len && !strncmp(e->name, name, len) )
            return e;
    return NULL;
}

int hypfs_add_dir(struct hypfs_entry_dir *parent,
                  struct hypfs_entry_dir *dir, bool nofault)
{
    if ( find_child(parent, dir->e.name, strlen(dir->e.name)) )
    {
        BUG_ON(nofault);
        return -EEXIST;
    }
    INIT_LIST_HEAD(&dir->dirlist);
    add_entry(parent, &dir->e);
    return 0;
}

int hypfs_add_leaf(struct hypfs_entry_dir *parent,
                   struct hypfs_entry_leaf *leaf, bool nofault)
{
    /* As Xen's: a leaf must have content (Xen BUG()s under nofault). */
    if ( !leaf->u.content )
    {
        BUG_ON(nofault);
        return -EINVAL;
    }
    if ( find_child(parent, leaf->e.name, strlen(leaf->e.name)) )
    {
        BUG_ON(nofault);
        return -EEXIST;
    }
    add_entry(parent, &leaf->e);
    return 0;
}

void hvh_hypfs_reset(void)
{
    INIT_LIST_HEAD(&hypfs_root.dirlist);
    INIT_LIST_HEAD(&params_dir.dirlist);
}

const struct hypfs_entry *hypfs_node_enter(const struct hypfs_entry *entry)
{
    return entry;
}

void hypfs_node_exit(const struct hypfs_entry *entry)
{
}

unsigned int hypfs_getsize(const struct hypfs_entry *entry)
{
    return entry->size;
}

struct hypfs_entry *hypfs_leaf_findentry(const struct hypfs_entry_dir *dir,
                                         const char *name,
                                         unsigned int name_len)
{
    return ERR_PTR(-ENOTDIR);
}

struct hypfs_entry *hypfs_dir_findentry(const struct hypfs_entry_dir *dir,
                                        const char *name,
                                        unsigned int name_len)
{
    return find_child(dir, name, name_len);
}

void *(hypfs_alloc_dyndata)(unsigned long size)
{
    ASSERT(!dyndata);
    dyndata = calloc(1, size);
    return dyndata;
}

void *hypfs_get_dyndata(void)
{
    return dyndata;
}

void hypfs_free_dyndata(void)
{
    free(dyndata);
    dyndata = NULL;
}

/* A directory reads as its entries' names, one per line (the harness's
 * stand-in for struct xen_hypfs_dirlistentry records). */
int hypfs_read_dir(const struct hypfs_entry *entry,
                   XEN_GUEST_HANDLE_PARAM(void) uaddr)
{
    const struct hypfs_entry_dir *d =
        container_of(entry, const struct hypfs_entry_dir, e);
    const struct hypfs_entry *e;
    size_t off = 0;

    list_for_each_entry ( e, &d->dirlist, list )
    {
        size_t n = strlen(e->name);

        memcpy((char *)uaddr.p + off, e->name, n);
        ((char *)uaddr.p)[off + n] = '\n';
        off += n + 1;
    }
    return 0;
}

static unsigned int dir_getsize(const struct hypfs_entry *entry)
{
    const struct hypfs_entry_dir *d =
        container_of(entry, const struct hypfs_entry_dir, e);
    const struct hypfs_entry *e;
    unsigned int size = 0;

    list_for_each_entry ( e, &d->dirlist, list )
        size += strlen(e->name) + 1;
    return size;
}

int hypfs_read_leaf(const struct hypfs_entry *entry,
                    XEN_GUEST_HANDLE_PARAM(void) uaddr)
{
    const struct hypfs_entry_leaf *l =
        container_of(entry, const struct hypfs_entry_leaf, e);

    switch ( entry->size )
    {
    /* Parameters are written concurrently: read them in one access. */
    case 1: { uint8_t v = read_atomic((const uint8_t *)l->u.content);
              memcpy(uaddr.p, &v, 1); break; }
    case 2: { uint16_t v = read_atomic((const uint16_t *)l->u.content);
              memcpy(uaddr.p, &v, 2); break; }
    case 4: { uint32_t v = read_atomic((const uint32_t *)l->u.content);
              memcpy(uaddr.p, &v, 4); break; }
    case 8: { uint64_t v = read_atomic((const uint64_t *)l->u.content);
              memcpy(uaddr.p, &v, 8); break; }
    default:
        memcpy(uaddr.p, l->u.content, entry->size);
    }
    return 0;
}

int hypfs_write_deny(struct hypfs_entry_leaf *leaf,
                     XEN_GUEST_HANDLE_PARAM(const_void) uaddr,
                     unsigned int ulen)
{
    return -EACCES;
}

int hypfs_write_leaf(struct hypfs_entry_leaf *leaf,
                     XEN_GUEST_HANDLE_PARAM(const_void) uaddr,
                     unsigned int ulen)
{
    if ( ulen > leaf->e.max_size )
        return -ENOSPC;
    if ( leaf->e.type != XEN_HYPFS_TYPE_STRING &&
         leaf->e.type != XEN_HYPFS_TYPE_BLOB && ulen != leaf->e.size )
        return -EDOM;
    switch ( ulen )
    {
    case 1: { uint8_t v; memcpy(&v, uaddr.p, 1);
              write_atomic((uint8_t *)leaf->u.write_ptr, v); break; }
    case 2: { uint16_t v; memcpy(&v, uaddr.p, 2);
              write_atomic((uint16_t *)leaf->u.write_ptr, v); break; }
    case 4: { uint32_t v; memcpy(&v, uaddr.p, 4);
              write_atomic((uint32_t *)leaf->u.write_ptr, v); break; }
    case 8: { uint64_t v; memcpy(&v, uaddr.p, 8);
              write_atomic((uint64_t *)leaf->u.write_ptr, v); break; }
    default:
        memcpy(leaf->u.write_ptr, uaddr.p, ulen);
    }
    leaf->e.size = ulen;
    return 0;
}

int hypfs_write_bool(struct hypfs_entry_leaf *leaf,
                     XEN_GUEST_HANDLE_PARAM(const_void) uaddr,
                     unsigned int ulen)
{
    uint8_t v;

    if ( ulen != leaf->e.max_size || ulen != 1 )
        return -EDOM;
    memcpy(&v, uaddr.p, 1);
    if ( v > 1 )
        return -EDOM;
    write_atomic((uint8_t *)leaf->u.write_ptr, v);
    return 0;
}

int hypfs_write_custom(struct hypfs_entry_leaf *leaf,
                       XEN_GUEST_HANDLE_PARAM(const_void) uaddr,
                       unsigned int ulen)
{
    struct param_hypfs *p = container_of(leaf, struct param_hypfs, hypfs);
    char buf[256];
    int ret;

    if ( ulen == 0 || ulen >= sizeof(buf) )
        return -ENOSPC;
    memcpy(buf, uaddr.p, ulen);
    buf[ulen] = 0;
    if ( strlen(buf) != ulen && strlen(buf) != ulen - 1 )
        return -EDOM;
    ret = p->func(buf);
    if ( !ret && leaf->u.content )
        leaf->e.size = strlen(leaf->u.content) + 1;
    return ret;
}

const struct hypfs_funcs hypfs_dir_funcs = {
    .enter = hypfs_node_enter,
    .exit = hypfs_node_exit,
    .read = hypfs_read_dir,
    .write = hypfs_write_deny,
    .getsize = dir_getsize,
    .findentry = hypfs_dir_findentry,
};
const struct hypfs_funcs hypfs_leaf_ro_funcs = {
    .enter = hypfs_node_enter,
    .exit = hypfs_node_exit,
    .read = hypfs_read_leaf,
    .write = hypfs_write_deny,
    .getsize = hypfs_getsize,
    .findentry = hypfs_leaf_findentry,
};
const struct hypfs_funcs hypfs_leaf_wr_funcs = {
    .enter = hypfs_node_enter,
    .exit = hypfs_node_exit,
    .read = hypfs_read_leaf,
    .write = hypfs_write_leaf,
    .getsize = hypfs_getsize,
    .findentry = hypfs_leaf_findentry,
};
const struct hypfs_funcs hypfs_bool_wr_funcs = {
    .enter = hypfs_node_enter,
    .exit = hypfs_node_exit,
    .read = hypfs_read_leaf,
    .write = hypfs_write_bool,
    .getsize = hypfs_getsize,
    .findentry = hypfs_leaf_findentry,
};
const struct hypfs_funcs hypfs_custom_wr_funcs = {
    .enter = hypfs_node_enter,
    .exit = hypfs_node_exit,
    .read = hypfs_read_leaf,
    .write = hypfs_write_custom,
    .getsize = hypfs_getsize,
    .findentry = hypfs_leaf_findentry,
};

static struct hypfs_entry *lookup(const char *path)
{
    struct hypfs_entry *e = &hypfs_root.e;

    while ( *path == '/' )
        path++;
    while ( *path )
    {
        const char *end = strchrnul(path, '/');

        if ( e->type != XEN_HYPFS_TYPE_DIR )
            return NULL;
        e = e->funcs->findentry(container_of(e, struct hypfs_entry_dir, e),
                                path, end - path);
        if ( IS_ERR_OR_NULL(e) )
            return NULL;
        path = end;
        while ( *path == '/' )
            path++;
    }
    return e;
}

int hvh_hypfs_read(const char *path, void *buf, size_t cap, size_t *len)
{
    const struct hypfs_entry *e;
    XEN_GUEST_HANDLE_PARAM(void) h = { buf };
    unsigned int size;
    int ret;

    pthread_mutex_lock(&hypfs_lock);
    e = lookup(path);
    if ( !e )
    {
        pthread_mutex_unlock(&hypfs_lock);
        return -ENOENT;
    }
    e = e->funcs->enter(e);
    if ( IS_ERR(e) )
    {
        pthread_mutex_unlock(&hypfs_lock);
        return PTR_ERR(e);
    }
    size = e->funcs->getsize(e);
    if ( size > cap )
        ret = -ENOBUFS;
    else
        ret = e->funcs->read(e, h);
    e->funcs->exit(e);
    pthread_mutex_unlock(&hypfs_lock);
    if ( len )
        *len = size;
    return ret;
}

int hvh_hypfs_write(const char *path, const void *buf, size_t len)
{
    struct hypfs_entry *e;
    XEN_GUEST_HANDLE_PARAM(const_void) h = { buf };
    int ret;

    pthread_mutex_lock(&hypfs_lock);
    e = lookup(path);
    if ( !e )
        ret = -ENOENT;
    else if ( e->type == XEN_HYPFS_TYPE_DIR )
        ret = -EISDIR;
    else if ( !e->max_size )
        ret = -EACCES;
    else
    {
        e->funcs->enter(e);
        ret = e->funcs->write(container_of(e, struct hypfs_entry_leaf, e),
                              h, len);
        e->funcs->exit(e);
    }
    pthread_mutex_unlock(&hypfs_lock);
    return ret;
}

static void walk(const char *prefix, const struct hypfs_entry_dir *dir,
                 void (*fn)(const char *path, void *arg), void *arg)
{
    const struct hypfs_entry *e;
    char path[XEN_HYPFS_MAX_PATHLEN];

    list_for_each_entry ( e, &dir->dirlist, list )
    {
        snprintf(path, sizeof(path), "%s/%s", prefix, e->name);
        if ( e->type == XEN_HYPFS_TYPE_DIR )
            walk(path, container_of(e, const struct hypfs_entry_dir, e),
                 fn, arg);
        else
            fn(path, arg);
    }
}

int hvh_hypfs_for_each_leaf(const char *dir,
                            void (*fn)(const char *path, void *arg),
                            void *arg)
{
    const struct hypfs_entry *e;
    char prefix[XEN_HYPFS_MAX_PATHLEN];

    pthread_mutex_lock(&hypfs_lock);
    e = lookup(dir);
    if ( !e || e->type != XEN_HYPFS_TYPE_DIR )
    {
        pthread_mutex_unlock(&hypfs_lock);
        return -ENOENT;
    }
    snprintf(prefix, sizeof(prefix), "%s", strcmp(dir, "/") ? dir : "");
    walk(prefix, container_of(e, const struct hypfs_entry_dir, e), fn, arg);
    pthread_mutex_unlock(&hypfs_lock);
    return 0;
}

/* ---- parameters ------------------------------------------------------------ */

static int assign_uint(void *var, unsigned int len, unsigned long long v)
{
    switch ( len )
    {
    case 1: write_atomic((uint8_t *)var, v); return v > UINT8_MAX ? -ERANGE : 0;
    case 2: write_atomic((uint16_t *)var, v); return v > UINT16_MAX ? -ERANGE : 0;
    case 4: write_atomic((uint32_t *)var, v); return v > UINT32_MAX ? -ERANGE : 0;
    case 8: write_atomic((uint64_t *)var, v); return 0;
    }
    return -EINVAL;
}

/* One "name[=value]" of the command line; Xen's "no-name" negates bools. */
static int parse_one(const char *opt)
{
    const struct kernel_param *p;
    char name[128];
    const char *val = strchr(opt, '=');
    size_t nlen = val ? (size_t)(val - opt) : strlen(opt);
    bool negate = false, found = false;
    int rc = 0;

    if ( nlen >= sizeof(name) )
        nlen = sizeof(name) - 1;
    memcpy(name, opt, nlen);
    name[nlen] = 0;
    if ( val )
        val++;
    if ( !strncmp(name, "no-", 3) && !val )
    {
        negate = true;
        memmove(name, name + 3, strlen(name + 3) + 1);
    }

    for ( p = __start_hvh_param; p && p < __stop_hvh_param; p++ )
    {
        const char *end;

        if ( strcmp(p->name, name) )
            continue;
        found = true;
        switch ( p->type )
        {
        case OPT_UINT:
        case OPT_SIZE:
            if ( !val || !*val )
            {
                rc = -EINVAL;
                break;
            }
            {
                unsigned long long v = simple_strtoull(val, &end, 0);

                if ( *end )
                    rc = -EINVAL;
                else
                    rc = assign_uint(p->par.var, p->len, v);
            }
            break;
        case OPT_BOOL:
        {
            int b = val ? parse_bool(val, NULL) : 1;

            if ( b < 0 )
                rc = -EINVAL;
            else
                rc = assign_uint(p->par.var, p->len, negate ? !b : b);
            break;
        }
        case OPT_STR:
            snprintf(p->par.var, p->len, "%s", val ? val : "");
            break;
        case OPT_CUSTOM:
            rc = p->par.func(val ? val : (negate ? "no" : ""));
            break;
        case OPT_IGNORE:
            break;
        }
    }
    if ( !found )
    {
        printk(XENLOG_WARNING "parameter \"%s\" unknown!\n", name);
        return 0;
    }
    if ( rc )
        printk(XENLOG_ERR "parameter \"%s\" has invalid value \"%s\", rc=%d!\n",
               name, val ? val : "", rc);
    return rc;
}

int hvh_params_boot(const char *cmdline)
{
    char *copy, *tok, *save = NULL;
    int rc = 0;

    if ( !cmdline || !*cmdline )
        return 0;
    copy = strdup(cmdline);
    if ( !copy )
        return -1;
    for ( tok = strtok_r(copy, " \t", &save); tok;
          tok = strtok_r(NULL, " \t", &save) )
        if ( parse_one(tok) )
            rc = -1;
    free(copy);
    if ( rc )
        fprintf(stderr, "hvh_boot: bad parameter in command line \"%s\"\n",
                cmdline);
    return rc;
}

void hvh_params_hypfs_init(void)
{
    struct param_hypfs *p;

    hypfs_add_dir(&hypfs_root, &params_dir, true);
    for ( p = __start_hvh_paramhypfs; p && p < __stop_hvh_paramhypfs; p++ )
    {
        if ( p->init_leaf )
            p->init_leaf(p);
        else if ( p->hypfs.e.type == XEN_HYPFS_TYPE_STRING )
            continue;       /* a custom parameter with no value to show */
        hypfs_add_leaf(&params_dir, &p->hypfs, true);
    }
}

int hvh_param_set(const char *name, const char *value)
{
    char path[XEN_HYPFS_MAX_PATHLEN];
    char buf[16];
    const struct hypfs_entry *e;
    unsigned short type;
    unsigned int size;
    const char *end;

    snprintf(path, sizeof(path), "/params/%s", name);
    pthread_mutex_lock(&hypfs_lock);
    e = lookup(path);
    type = e ? e->type : 0;
    size = e ? e->max_size : 0;
    pthread_mutex_unlock(&hypfs_lock);
    if ( !e )
        return -ENOENT;

    switch ( type )
    {
    case XEN_HYPFS_TYPE_UINT:
    {
        unsigned long long v = simple_strtoull(value, &end, 0);

        if ( !*value || *end || value[0] == '-' )
            return -EINVAL;
        if ( size < 8 && v >> (size * 8) )
            return -ERANGE;
        memcpy(buf, &v, size);       /* little endian */
        return hvh_hypfs_write(path, buf, size);
    }
    case XEN_HYPFS_TYPE_BOOL:
    {
        int b = parse_bool(value, NULL);

        if ( b < 0 )
            return -EINVAL;
        buf[0] = b;
        return hvh_hypfs_write(path, buf, 1);
    }
    default:
        return hvh_hypfs_write(path, value, strlen(value) + 1);
    }
}
