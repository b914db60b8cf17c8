/* Harness copy of the hypfs ABI constants (public/hypfs.h, Xen 4.17). */
#ifndef __XEN_PUBLIC_HYPFS_H__
#define __XEN_PUBLIC_HYPFS_H__

#define XEN_HYPFS_TYPE_DIR     0
#define XEN_HYPFS_TYPE_BLOB    1
#define XEN_HYPFS_TYPE_STRING  2
#define XEN_HYPFS_TYPE_UINT    3
#define XEN_HYPFS_TYPE_INT     4
#define XEN_HYPFS_TYPE_BOOL    5
#define XEN_HYPFS_ENC_PLAIN    0
#define XEN_HYPFS_ENC_GZIP     1
#define XEN_HYPFS_MAX_PATHLEN  1024

#endif /* __XEN_PUBLIC_HYPFS_H__ */
