/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness emulation of Xen 4.17's xen/radix-tree.h, as far as a domain's
 * pirq tree (d->pirq_tree) goes: the root holds the harness's flat pirq
 * table (hv/harness/dpci.c) and radix_tree_gang_lookup() returns the
 * present struct pirq entries from first_index on, in index order, as
 * Xen's returns the items of the tree.
 */
#ifndef __XEN_RADIX_TREE_H__
#define __XEN_RADIX_TREE_H__

struct hvh_pirq_table;

struct radix_tree_root {
    struct hvh_pirq_table *hvh;
};

unsigned int radix_tree_gang_lookup(struct radix_tree_root *root,
                                    void **results, unsigned long first_index,
                                    unsigned int max_items);

#endif /* __XEN_RADIX_TREE_H__ */
