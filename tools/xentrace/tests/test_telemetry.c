/*
 * test_telemetry: decoding telemetry nodes, and the simulator's shared
 * memory (a writer and a concurrent reader never see a torn snapshot).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "telemetry.h"

static uint8_t buf[1 << 16];

static size_t make_pi_node(unsigned int nr_pcpus)
{
    const struct xte_node_desc *d = &xte_nodes[XTE_NODE_pi];
    const struct xte_counter_desc *adds = xte_node_field(d, 0, "adds");
    const struct xte_counter_desc *walk = xte_node_field(d, 0, "walk_len");
    size_t len = xte_node_init(buf, sizeof(buf), XTE_NODE_pi, nr_pcpus, 5,
                               123, 9);

    for (unsigned int p = 0; p < nr_pcpus; p++) {
        uint8_t *rec = buf + sizeof(struct xte_telemetry_header) +
                       p * d->pcpu_record_size;
        uint64_t v = 1000 + p;
        struct xte_hist h = { .sum = 0 };

        memcpy(rec + adds->offset, &v, sizeof(v));
        h.bucket[xte_hist_bucket(5)] = 3;
        h.bucket[xte_hist_bucket(100)] = 1;
        h.sum = 115;
        h.max = 100;
        memcpy(rec + walk->offset, &h, sizeof(h));
    }
    return len;
}

static void test_parse_good_node(void **state)
{
    struct xte_node_view v;
    struct xte_error err;
    struct xte_hist h;
    size_t len = make_pi_node(4);
    const struct xte_node_desc *d = &xte_nodes[XTE_NODE_pi];

    (void)state;
    assert_int_not_equal(len, 0);
    assert_int_equal(xte_node_parse(buf, len, "mem", &v, &err), 0);
    assert_ptr_equal(v.desc, d);
    assert_int_equal(v.hdr.nr_pcpus, 4);
    /* PI has no domain records: the request for 5 was dropped. */
    assert_int_equal(v.hdr.nr_domains, 0);
    assert_int_equal(v.hdr.timestamp_ns, 123);
    assert_int_equal(xte_rec_u64(xte_node_pcpu(&v, 3),
                                 xte_node_field(d, 0, "adds")), 1003);
    xte_rec_hist(xte_node_pcpu(&v, 2), xte_node_field(d, 0, "walk_len"), &h);
    assert_int_equal(xte_hist_count(&h), 4);
    /* 3 of 4 samples are 5 (bucket [4,8)): the median is reported as 7. */
    assert_int_equal(xte_hist_quantile(&h, 0.5), 7);
    /* The top sample is in [64,128) but never above the recorded max. */
    assert_int_equal(xte_hist_quantile(&h, 1.0), 100);
}

static void test_parse_rejects_bad_nodes(void **state)
{
    struct xte_node_view v;
    struct xte_error err;
    size_t len = make_pi_node(4);
    uint8_t bad[sizeof(buf)];

    (void)state;
    assert_int_equal(xte_node_parse(buf, 10, "short", &v, &err), -1);
    assert_string_equal(err.file, "short");
    assert_non_null(strstr(err.msg, "shorter than"));

    memcpy(bad, buf, len);
    bad[0] ^= 0xff;
    assert_int_equal(xte_node_parse(bad, len, "magic", &v, &err), -1);
    assert_int_equal(err.offset, offsetof(struct xte_telemetry_header, magic));

    memcpy(bad, buf, len);
    ((struct xte_telemetry_header *)bad)->version = 99;
    assert_int_equal(xte_node_parse(bad, len, "ver", &v, &err), -1);
    assert_int_equal(err.offset,
                     offsetof(struct xte_telemetry_header, version));
    assert_non_null(strstr(err.msg, "version 99"));

    memcpy(bad, buf, len);
    ((struct xte_telemetry_header *)bad)->node = 77;
    assert_int_equal(xte_node_parse(bad, len, "node", &v, &err), -1);

    memcpy(bad, buf, len);
    ((struct xte_telemetry_header *)bad)->pcpu_record_size = 8;
    assert_int_equal(xte_node_parse(bad, len, "recsz", &v, &err), -1);

    /* A count that overruns the buffer, even with 32-bit overflow bait. */
    memcpy(bad, buf, len);
    ((struct xte_telemetry_header *)bad)->nr_pcpus = 0xffffffffu;
    assert_int_equal(xte_node_parse(bad, len, "count", &v, &err), -1);
    assert_int_equal(xte_node_parse(buf, len - 1, "cut", &v, &err), -1);

    /* Larger records than we know (fields appended later) are fine. */
    assert_int_equal(xte_node_parse(buf, len, "ok", &v, &err), 0);
}

static void test_node_init_capacity(void **state)
{
    (void)state;
    assert_int_equal(xte_node_init(buf, 16, XTE_NODE_ept, 4, 4, 0, 0), 0);
    assert_int_equal(xte_node_init(buf, sizeof(buf), XTE_NR_NODES, 1, 1, 0,
                                   0), 0);
    assert_int_equal(xte_node_init(buf, sizeof(buf), XTE_NODE_maptrack, 2, 3,
                                   0, 0),
                     sizeof(struct xte_telemetry_header) +
                     2 * xte_nodes[XTE_NODE_maptrack].pcpu_record_size +
                     3 * xte_nodes[XTE_NODE_maptrack].domain_record_size);
}

/* ---- shared memory ------------------------------------------------------ */

struct torn_check {
    struct xte_shm *reader;
    volatile int stop;
    unsigned long reads, torn;
};

/* Every record of a published node carries the same "adds" value. */
static void *reader_thread(void *arg)
{
    struct torn_check *tc = arg;
    static uint8_t rbuf[1 << 16];
    const struct xte_counter_desc *adds =
        xte_node_field(&xte_nodes[XTE_NODE_pi], 0, "adds");

    while (!tc->stop) {
        struct xte_node_view v;
        struct xte_error err;
        size_t len;

        if (xte_shm_read(tc->reader, XTE_NODE_pi, rbuf, sizeof(rbuf), &len,
                         &err) != 0)
            continue;
        if (xte_node_parse(rbuf, len, "shm", &v, &err) != 0) {
            tc->torn++;
            continue;
        }
        uint64_t first = xte_rec_u64(xte_node_pcpu(&v, 0), adds);
        for (unsigned int p = 1; p < v.hdr.nr_pcpus; p++)
            if (xte_rec_u64(xte_node_pcpu(&v, p), adds) != first)
                tc->torn++;
        tc->reads++;
    }
    return NULL;
}

static void test_shm_round_trip_and_consistency(void **state)
{
    char name[64];
    struct xte_error err;
    struct xte_shm *w, *r;
    static uint8_t wbuf[1 << 16];
    const void *bytes[XTE_NR_NODES] = { 0 };
    size_t lens[XTE_NR_NODES] = { 0 };
    const struct xte_counter_desc *adds =
        xte_node_field(&xte_nodes[XTE_NODE_pi], 0, "adds");
    struct torn_check tc = { 0 };
    pthread_t th;
    size_t len;

    (void)state;
    snprintf(name, sizeof(name), "test-%d", (int)getpid());
    w = xte_shm_create(name, sizeof(wbuf), &err);
    assert_non_null(w);
    r = xte_shm_open(name, &err);
    assert_non_null(r);
    assert_true(xte_shm_writer_alive(r));
    /* Nothing published yet: a clear error, not garbage. */
    assert_int_equal(xte_shm_read(r, XTE_NODE_pi, wbuf, sizeof(wbuf), &len,
                                  &err), -1);
    assert_non_null(strstr(err.msg, "not published"));

    tc.reader = r;
    assert_int_equal(pthread_create(&th, NULL, reader_thread, &tc), 0);
    for (uint64_t i = 1; i <= 20000; i++) {
        size_t n = xte_node_init(wbuf, sizeof(wbuf), XTE_NODE_pi, 64, 0, i, 1);

        for (unsigned int p = 0; p < 64; p++)
            memcpy(wbuf + sizeof(struct xte_telemetry_header) +
                   p * xte_nodes[XTE_NODE_pi].pcpu_record_size + adds->offset,
                   &i, sizeof(i));
        bytes[XTE_NODE_pi] = wbuf;
        lens[XTE_NODE_pi] = n;
        assert_int_equal(xte_shm_publish(w, bytes, lens), 0);
    }
    while (tc.reads < 100)
        usleep(1000);
    tc.stop = 1;
    pthread_join(th, NULL);
    assert_int_equal(tc.torn, 0);
    assert_true(tc.reads >= 100);

    xte_shm_close(w, 0);
    assert_false(xte_shm_writer_alive(r));
    xte_shm_close(r, 0);
    w = xte_shm_create(name, 64, &err);     /* replaces, then cleans up */
    assert_non_null(w);
    xte_shm_close(w, 1);
    assert_null(xte_shm_open(name, &err));
    assert_non_null(strstr(err.file, name));
}

static void test_shm_bad_names_and_files(void **state)
{
    struct xte_error err;
    char path[128];
    FILE *f;

    (void)state;
    assert_null(xte_shm_open("../etc/passwd", &err));
    assert_null(xte_shm_open("", &err));
    snprintf(path, sizeof(path), "/dev/shm/xte-garbage-%d", (int)getpid());
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a telemetry directory at all, just text......"
          "..........................................................", f);
    fclose(f);
    assert_null(xte_shm_open(path + strlen("/dev/shm/xte-"), &err));
    assert_non_null(strstr(err.msg, "bad magic"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good_node),
        cmocka_unit_test(test_parse_rejects_bad_nodes),
        cmocka_unit_test(test_node_init_capacity),
        cmocka_unit_test(test_shm_round_trip_and_consistency),
        cmocka_unit_test(test_shm_bad_names_and_files),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
