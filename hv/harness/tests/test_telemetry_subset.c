/*
 * test_telemetry_subset.c - a hypervisor built with only some of the fixes,
 * as docs/PATCHING.md allows: this program links the telemetry core with
 * the EPT and maptrack fixes only (their objects, not the library: see
 * hv/module.mk), as a Xen tree with only their obj-y lines would.  Only
 * their nodes are published; /telemetry/pi, dpci and msix do not exist,
 * so readers can tell a fix that is not built in from an idle one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <xen/sched.h>
#include <hvh/harness.h>

#include "telemetry.h"

static uint8_t buf[1 << 20];

static void list_leaf(const char *path, void *arg)
{
    char *names = arg;

    strcat(names, path);
    strcat(names, " ");
}

static void read_node(enum xte_node_index n, struct xte_node_view *v)
{
    char path[64];
    size_t len = 0;
    struct xte_error err;

    snprintf(path, sizeof(path), "/telemetry/%s", xte_nodes[n].subsystem);
    assert_int_equal(hvh_hypfs_read(path, buf, sizeof(buf), &len), 0);
    if ( xte_node_parse(buf, len, path, v, &err) )
    {
        xte_print_error(stderr, &err);
        fail();
    }
    assert_ptr_equal(v->desc, &xte_nodes[n]);
}

static void test_only_built_nodes(void **state)
{
    static const enum xte_node_index absent[] = {
        XTE_NODE_pi, XTE_NODE_dpci, XTE_NODE_msix,
    };
    char names[256] = "";
    struct xte_node_view v;
    struct domain *d;
    unsigned int i;

    assert_int_equal(hvh_boot(2, NULL), 0);
    assert_non_null(d = hvh_domain_create(3, 2, true));
    assert_int_equal(hvh_hypfs_for_each_leaf("/telemetry", list_leaf,
                                             names), 0);
    assert_string_equal(names, "/telemetry/ept /telemetry/maptrack ");
    for ( i = 0; i < sizeof(absent) / sizeof(absent[0]); i++ )
    {
        char path[64];
        size_t len = 0;

        snprintf(path, sizeof(path), "/telemetry/%s",
                 xte_nodes[absent[i]].subsystem);
        assert_int_equal(hvh_hypfs_read(path, buf, sizeof(buf), &len),
                         -ENOENT);
    }
    /* The nodes that are there read whole, with their domain records. */
    read_node(XTE_NODE_ept, &v);
    assert_int_equal(v.hdr.nr_pcpus, 2);
    assert_true(v.hdr.nr_domains >= 1);
    read_node(XTE_NODE_maptrack, &v);
    assert_int_equal(v.hdr.nr_pcpus, 2);
    assert_true(v.hdr.nr_domains >= 1);
    hvh_domain_destroy(d);
    hvh_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_built_nodes),
    };

    hvh_set_verbosity(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
