/*
 * test_catalogue: the runtime tables the tools use agree with what the
 * hypervisor is compiled with (hv/xen/include/public/telemetry.h): event
 * ids, record sizes and every field's offset and size.  The field list is
 * generated at build time by `gencat layoutcheck`, so a field the compiler
 * places differently from the tools' running sum is caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "catalogue.h"
#include "telemetry.h"
#include "xentrace.h"
#include "../../../hv/xen/include/public/telemetry.h"

static void test_event_ids_match_public_header(void **state)
{
    (void)state;
#define CAT_FIELD(n, b, u, d)
#define CAT_NODE(sub, ver, desc, pf, df)
#define CAT_EVENT(sub, ev, num, desc, fields)                            \
    assert_int_equal(TRC_VTDSCALE_##ev, XTE_TRC_##ev);                   \
    assert_non_null(xte_event_by_id(TRC_VTDSCALE_##ev));                 \
    assert_string_equal(xte_event_by_id(TRC_VTDSCALE_##ev)->name, #ev);
#include "catalogue.def"
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE
    assert_int_equal(TRC_HW_VTDSCALE, XTE_TRC_SUBCLASS);
#define CAT_FIELD(n, b, u, d)
#define CAT_NODE(sub, ver, desc, pf, df)
#define CAT_EVENT(sub, ev, num, desc, fields)
#define CAT_CONST(name, value, desc)                                     \
    assert_int_equal(TELEMETRY_##name, XTE_##name);                      \
    assert_int_equal(XTE_##name, value);
#include "catalogue.def"
#undef CAT_CONST
#undef CAT_EVENT
#undef CAT_FIELD
#undef CAT_NODE
    assert_int_equal(sizeof(struct telemetry_header),
                     sizeof(struct xte_telemetry_header));
    assert_int_equal(sizeof(struct telemetry_hist), sizeof(struct xte_hist));
}

static void test_record_layouts_match_public_header(void **state)
{
    unsigned int checked = 0;

    (void)state;
#define CHECK_SIZE(node, dom, size)                                      \
    assert_int_equal(dom ? xte_nodes[node].domain_record_size            \
                         : xte_nodes[node].pcpu_record_size, size);
#define CHECK_FIELD(node, dom, name, strct, member)                      \
    do {                                                                 \
        const struct xte_counter_desc *f =                               \
            xte_node_field(&xte_nodes[node], dom, name);                 \
        assert_non_null(f);                                              \
        assert_int_equal(f->offset, offsetof(strct, member));            \
        assert_int_equal(f->size, sizeof(((strct *)0)->member));         \
        checked++;                                                       \
    } while (0);
#include "layoutcheck.inc"
    assert_true(checked > 20);
}

static void test_event_fields_fit_trace_records(void **state)
{
    (void)state;
    for (unsigned int e = 0; e < XTE_NR_EVENTS; e++) {
        assert_true(xte_events[e].nr_words <= 7);
        assert_true(xte_events[e].nr_fields > 0);
        for (unsigned int j = e + 1; j < XTE_NR_EVENTS; j++)
            assert_int_not_equal(xte_events[e].id, xte_events[j].id);
    }
}

static void test_field_value_and_buckets(void **state)
{
    const struct xte_event_desc *ev = xte_event_by_name("DPCI_RUN");
    uint32_t words[5] = { 7, 42, 3, 0x89abcdefu, 0x1 };

    (void)state;
    assert_non_null(ev);
    assert_int_equal(xte_field_value(&ev->fields[3], words, 5),
                     0x189abcdefull);
    /* Missing words read as zero instead of past the record. */
    assert_int_equal(xte_field_value(&ev->fields[3], words, 4), 0x89abcdefu);
    assert_int_equal(xte_hist_bucket(0), 0);
    assert_int_equal(xte_hist_bucket(1), 1);
    assert_int_equal(xte_hist_bucket(2), 2);
    assert_int_equal(xte_hist_bucket(3), 2);
    assert_int_equal(xte_hist_bucket(4), 3);
    assert_int_equal(xte_hist_bucket(UINT64_MAX), XTE_HIST_BUCKETS - 1);
    for (unsigned int b = 1; b < XTE_HIST_BUCKETS - 1; b++) {
        assert_int_equal(xte_hist_bucket(xte_hist_bucket_low(b)), b);
        assert_int_equal(xte_hist_bucket(xte_hist_bucket_high(b) - 1), b);
    }
    assert_null(xte_event_by_id(0x00804fff));
    assert_null(xte_event_by_id(0x0002f001));
    assert_null(xte_node_by_name("nope"));
    assert_non_null(xte_node_by_name("ept"));
}

/* --cpu-hz as every tool takes it (xte_parse_hz, shared by the CLIs). */
static void test_parse_hz(void **state)
{
    uint64_t hz = 0;

    (void)state;
    assert_int_equal(xte_parse_hz("2400000000", &hz), 0);
    assert_int_equal(hz, 2400000000ull);
    assert_int_equal(xte_parse_hz("2.4e9", &hz), 0);
    assert_int_equal(hz, 2400000000ull);
    assert_int_equal(xte_parse_hz("2.4G", &hz), 0);
    assert_int_equal(hz, 2400000000ull);
    assert_int_equal(xte_parse_hz("2400MHz", &hz), 0);
    assert_int_equal(hz, 2400000000ull);
    assert_int_equal(xte_parse_hz("1k", &hz), 0);
    assert_int_equal(hz, 1000);
    hz = 7;
    assert_int_equal(xte_parse_hz("", &hz), -1);
    assert_int_equal(xte_parse_hz("fast", &hz), -1);
    assert_int_equal(xte_parse_hz("2.4Gx", &hz), -1);
    assert_int_equal(xte_parse_hz("999", &hz), -1);
    assert_int_equal(xte_parse_hz("2T", &hz), -1);
    assert_int_equal(xte_parse_hz("-2G", &hz), -1);
    assert_int_equal(xte_parse_hz("nan", &hz), -1);
    assert_int_equal(hz, 7);            /* untouched on error */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_ids_match_public_header),
        cmocka_unit_test(test_record_layouts_match_public_header),
        cmocka_unit_test(test_event_fields_fit_trace_records),
        cmocka_unit_test(test_field_value_and_buckets),
        cmocka_unit_test(test_parse_hz),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
