/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's xen/nospec.h: an index clamped to its
 * array's size (no speculation to stop in userspace: a plain bound).
 */
#ifndef __XEN_NOSPEC_H__
#define __XEN_NOSPEC_H__

#define array_index_nospec(index, size) \
    ((index) < (size) ? (index) : 0)

#endif /* __XEN_NOSPEC_H__ */
