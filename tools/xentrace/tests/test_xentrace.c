/*
 * test_xentrace: libxentrace-ext reads what upstream xentrace writes, writes
 * what upstream xenalyze reads, merges pCPUs by TSC, and meets bad input
 * with an error at the exact offset after delivering every good record.
 *
 * Every reading test runs twice: from a regular file (cursor mode, preads)
 * and through a pipe (stream mode), the two ways the library fills its
 * per-pCPU buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "xentrace.h"
#include "testutil.h"

int xte_upstream_table_sorted(void);

enum mode { FILE_MODE, PIPE_MODE };

struct feeder {
    int fd;
    const uint8_t *p;
    size_t len;
};

static void *feed(void *arg)
{
    struct feeder *f = arg;
    size_t off = 0;

    while (off < f->len) {
        ssize_t n = write(f->fd, f->p + off, f->len - off);

        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(f->fd);
    return NULL;
}

/* Everything a reader produced from some bytes. */
struct result {
    struct xte_record *recs;
    size_t n;
    int rc;                     /* last xte_reader_next() return */
    struct xte_error err;
    struct xte_reader_stats stats;
};

/*
 * How read_all() reads: 0, one xte_reader_next() call per record; 1,
 * xte_reader_next_batch() with batch sizes from 1 to 300 mixed with single
 * next() calls, which must give exactly the same records, results and
 * stats (tests run both ways).
 */
static int batch_style;

static void grow(struct result *res, size_t *cap, size_t want)
{
    while (*cap < want)
        *cap = *cap ? *cap * 2 : 64;
    res->recs = realloc(res->recs, *cap * sizeof(*res->recs));
    assert_non_null(res->recs);
}

static void read_all(struct xte_reader *r, struct result *res)
{
    size_t cap = 0;
    struct xte_record rec;
    unsigned int k = 0;

    memset(res, 0, sizeof(*res));
    for (;;) {
        unsigned int max = batch_style ? 1 + (k * 37) % 300 : 1;

        grow(res, &cap, res->n + max);
        if (!batch_style || k % 5 == 4) {
            res->rc = xte_reader_next(r, &res->recs[res->n]);
            if (res->rc != 1)
                break;
            res->n++;
        } else {
            res->rc = xte_reader_next_batch(r, &res->recs[res->n], max);
            if (res->rc <= 0)
                break;
            assert_true((unsigned int)res->rc <= max);
            res->n += (size_t)res->rc;
            res->rc = 1;
        }
        k++;
    }
    res->err = *xte_reader_error(r);
    res->stats = *xte_reader_stats(r);
    /* Records are numbered in delivery order, and all counted. */
    for (size_t i = 0; i < res->n; i++)
        assert_int_equal(res->recs[i].seq, i);
    assert_int_equal(res->stats.records, res->n);
    /* The end is sticky, whichever way it is asked for. */
    assert_int_equal(xte_reader_next(r, &rec), res->rc);
    assert_int_equal(xte_reader_next_batch(r, &rec, 1), res->rc);
}

/* Read bytes from a file or through a pipe. */
static void read_bytes(enum mode mode, const void *p, size_t len,
                       const struct xte_reader_opts *opts,
                       struct result *res)
{
    struct xte_error err;
    struct xte_reader *r;

    if (mode == FILE_MODE) {
        char *path = tmp_path("rd");

        write_file(path, p, len);
        r = xte_reader_open(path, opts, &err);
        assert_non_null(r);
        read_all(r, res);
        xte_reader_close(r);
        /* Errors name the file. */
        if (res->rc < 0)
            assert_string_equal(res->err.file, path);
        unlink(path);
        free(path);
    } else {
        int fds[2];
        pthread_t t;
        struct feeder f;

        assert_int_equal(pipe(fds), 0);
        f.fd = fds[1];
        f.p = p;
        f.len = len;
        assert_int_equal(pthread_create(&t, NULL, feed, &f), 0);
        r = xte_reader_fdopen(fds[0], "pipe:test", opts, &err);
        assert_non_null(r);
        read_all(r, res);
        xte_reader_close(r);
        pthread_join(t, NULL);
        close(fds[0]);
        if (res->rc < 0)
            assert_string_equal(res->err.file, "pipe:test");
    }
}

static void free_result(struct result *res)
{
    free(res->recs);
    res->recs = NULL;
}

/* ---- encoding -------------------------------------------------------- */

static void test_encode_record_layout(void **state)
{
    uint8_t buf[4 + 8 + 4 * XTE_MAX_EXTRA];
    uint32_t extra[3] = { 0x11223344, 0x55667788, 0x99aabbcc };
    const uint8_t want_tsc[] = {
        0x01, 0x41, 0x80, 0xb0,             /* 0x00804101 | 3<<28 | 1<<31 */
        0x88, 0x77, 0x66, 0x55, 0x04, 0x03, 0x02, 0x01,
        0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55,
        0xcc, 0xbb, 0xaa, 0x99,
    };
    const uint8_t want_plain[] = { 0x0a, 0x80, 0x02, 0x10, 0x44, 0x33, 0x22,
                                   0x11 };
    (void)state;

    assert_int_equal(xte_encode_record(buf, 0x00804101, 1,
                                       0x0102030455667788ull, extra, 3), 24);
    assert_memory_equal(buf, want_tsc, sizeof(want_tsc));
    assert_int_equal(xte_encode_record(buf, 0x0002800a, 0, 0, extra, 1), 8);
    assert_memory_equal(buf, want_plain, sizeof(want_plain));
}

/* ---- a file assembled by hand ---------------------------------------- */

/*
 * Two pCPUs, three windows, records with and without TSC, a TSC above
 * 2^32, a lost-records record, catalogue, upstream and unknown events.
 */
static void build_hand_file(struct bytes *b, uint64_t *offs)
{
    uint32_t pi[6] = { 7, 1, 3, 12, 0, 64 };
    uint32_t sw[2] = { 0x00010002, 0x00020003 };
    uint32_t lost[4] = { 5, 0x00070001, 900, 0 };
    uint32_t vmexit[7] = { 1, 2, 3, 4, 5, 6, 7 };
    uint32_t run[5] = { 2000000000u, 0, 2, 1, 0xabc };

    /* cpu0: A (tsc 1000), B (no tsc), C lost records (tsc 1500) */
    b_window(b, 0, (4 + 8 + 24) + (4 + 8) + (4 + 8 + 16));
    offs[0] = b->len;
    b_record(b, 0x00804101, 1, 1000, 6, pi);                 /* A */
    offs[1] = b->len;
    b_record(b, 0x0002800a, 0, 0, 2, sw);                    /* B */
    offs[2] = b->len;
    b_record(b, 0x0001f001, 1, 1500, 4, lost);               /* C */
    /* cpu1: D unknown (tsc 1200), E VMEXIT (tsc 2^32 + 5) */
    b_window(b, 1, (4 + 8) + (4 + 8 + 28));
    offs[3] = b->len;
    b_record(b, 0x00abc123, 1, 1200, 0, NULL);               /* D */
    offs[4] = b->len;
    b_record(b, 0x00081002, 1, 0x100000005ull, 7, vmexit);   /* E */
    /* an empty window: legal, carries nothing */
    b_window(b, 1, 0);
    /* cpu0 again: F RUN_INFO (tsc 2000) */
    b_window(b, 0, 4 + 8 + 20);
    offs[5] = b->len;
    b_record(b, 0x00804001, 1, 2000, 5, run);                /* F */
}

static void check_hand_file(enum mode mode)
{
    struct bytes b = { 0 };
    uint64_t offs[6];
    struct result res;
    /* Expected delivery order: A B D C F E. */
    const int order[6] = { 0, 1, 3, 2, 5, 4 };
    const uint64_t tsc[6] = { 1000, 1000, 1500, 1200, 0x100000005ull, 2000 };
    const uint32_t cpu[6] = { 0, 0, 0, 1, 1, 0 };
    const uint32_t event[6] = { 0x00804101, 0x0002800a, 0x0001f001,
                                0x00abc123, 0x00081002, 0x00804001 };
    const unsigned int nx[6] = { 6, 2, 4, 0, 7, 5 };

    build_hand_file(&b, offs);
    read_bytes(mode, b.p, b.len, NULL, &res);
    assert_int_equal(res.rc, 0);
    assert_int_equal(res.n, 6);
    for (int i = 0; i < 6; i++) {
        const struct xte_record *r = &res.recs[i];
        int k = order[i];

        assert_int_equal(r->seq, i);
        assert_int_equal(r->event, event[k]);
        assert_int_equal(r->cpu, cpu[k]);
        assert_int_equal(r->tsc, tsc[k]);
        assert_int_equal(r->has_tsc, k != 1);
        assert_int_equal(r->nr_extra, nx[k]);
        assert_int_equal(r->offset, offs[k]);
    }
    assert_int_equal(res.recs[0].extra[5], 64);
    assert_int_equal(res.recs[1].extra[1], 0x00020003);
    assert_int_equal(res.recs[5].extra[6], 7);
    assert_int_equal(res.stats.records, 6);
    assert_int_equal(res.stats.windows, 4);
    assert_int_equal(res.stats.lost_events, 1);
    assert_int_equal(res.stats.lost_records, 5);
    assert_int_equal(res.stats.catalogue_events, 2);
    assert_int_equal(res.stats.unknown_events, 1);
    assert_int_equal(res.stats.max_cpu, 1);
    assert_int_equal(res.stats.out_of_order, 0);
    assert_int_equal(res.stats.bytes, b.len);
    free_result(&res);
    free(b.p);
}

static void test_hand_built_file(void **state)
{
    (void)state;
    check_hand_file(FILE_MODE);
}

static void test_hand_built_pipe(void **state)
{
    (void)state;
    check_hand_file(PIPE_MODE);
}

/* ---- round trip, property style -------------------------------------- */

struct gen {
    uint32_t cpu, event, nx, extra[XTE_MAX_EXTRA];
    int has_tsc;
    uint64_t tsc;               /* as the reader must report it */
    size_t idx;                 /* position in generation order */
};

static int gen_cmp(const void *a, const void *b)
{
    const struct gen *x = a, *y = b;

    if (x->tsc != y->tsc)
        return x->tsc < y->tsc ? -1 : 1;
    if (x->cpu != y->cpu)
        return x->cpu < y->cpu ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static const uint32_t pool[] = {
    0x00804101, 0x00804103, 0x00804302, 0x00804501, 0x00804001,
    0x0002800a, 0x00021001, 0x00081002, 0x00802008, 0x0010f001,
    0x0001f001, 0x00abc123, 0x0d00d001,
};

/* Generate n records on k pCPUs, write them, return them sorted. */
static struct gen *generate(uint64_t seed, const char *path, unsigned int k,
                            size_t n, size_t window, size_t *windows)
{
    struct gen *g = calloc(n, sizeof(*g));
    uint64_t *clock = calloc(k, sizeof(*clock));
    uint64_t *last = calloc(k, sizeof(*last));
    struct xte_error err;
    struct xte_writer *w = xte_writer_open(path, k, window, &err);
    uint64_t s = seed;

    assert_non_null(w);
    for (unsigned int c = 0; c < k; c++)
        clock[c] = prng(&s) % 100000;
    for (size_t i = 0; i < n; i++) {
        /* Skewed pCPU choice: some pCPUs are much slower than others. */
        uint32_t c = prng_below(&s, k * k);

        c = c < k ? c : (uint32_t)(c % (k > 1 ? k / 2 + 1 : 1));
        g[i].cpu = c;
        g[i].idx = i;
        g[i].event = pool[prng_below(&s, sizeof(pool) / sizeof(pool[0]))];
        g[i].nx = prng_below(&s, 8);
        for (unsigned int j = 0; j < g[i].nx; j++)
            g[i].extra[j] = (uint32_t)prng(&s);
        g[i].has_tsc = prng_below(&s, 5) != 0;
        if (g[i].has_tsc) {
            clock[c] += prng_below(&s, 3) == 0 ? 0 : prng_below(&s, 5000);
            if (prng_below(&s, 50) == 0)
                clock[c] += 1ull << 32;     /* exercise the high word */
            last[c] = clock[c];
        }
        /* A record without TSC takes its pCPU's previous one (or 0). */
        g[i].tsc = last[c];
        assert_int_equal(xte_writer_add(w, c, g[i].event, g[i].has_tsc,
                                        g[i].tsc, g[i].extra, g[i].nx), 0);
        if (prng_below(&s, 1000) == 0)
            assert_int_equal(xte_writer_flush(w), 0);
    }
    assert_int_equal(xte_writer_close(w), 0);
    free(clock);
    free(last);
    qsort(g, n, sizeof(*g), gen_cmp);
    (void)windows;
    return g;
}

static void check_same(const struct gen *g, const struct xte_record *r)
{
    assert_int_equal(r->cpu, g->cpu);
    assert_int_equal(r->event, g->event);
    assert_int_equal(r->nr_extra, g->nx);
    assert_int_equal(r->has_tsc, g->has_tsc);
    assert_int_equal(r->tsc, g->tsc);
    assert_memory_equal(r->extra, g->extra, 4 * g->nx);
}

static void test_roundtrip_property(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 24; seed++) {
        uint64_t s = seed * 0x9e3779b97f4a7c15ull;
        unsigned int k = 1 + prng_below(&s, 8);
        size_t n = 1 + prng_below(&s, 6000);
        size_t window = 64 + prng_below(&s, 4000);
        char *path = tmp_path("rt");
        struct gen *g = generate(seed, path, k, n, window, NULL);
        struct xte_error err;
        struct xte_reader *r;
        struct result res;
        size_t *next;

        /* From the file: exactly the TSC-sorted sequence. */
        r = xte_reader_open(path, NULL, &err);
        assert_non_null(r);
        read_all(r, &res);
        xte_reader_close(r);
        assert_int_equal(res.rc, 0);
        assert_int_equal(res.n, n);
        for (size_t i = 0; i < n; i++)
            check_same(&g[i], &res.recs[i]);
        assert_int_equal(res.stats.out_of_order, 0);
        assert_int_equal(res.stats.records, n);
        free_result(&res);

        /*
         * Through a pipe: every record, each pCPU's in its order; the
         * whole sequence in TSC order unless the reader says otherwise.
         */
        {
            FILE *f = fopen(path, "rb");
            struct bytes b = { 0 };

            assert_non_null(f);
            fseek(f, 0, SEEK_END);
            b.len = (size_t)ftell(f);
            rewind(f);
            b.p = malloc(b.len);
            assert_int_equal(fread(b.p, 1, b.len, f), b.len);
            fclose(f);
            read_bytes(PIPE_MODE, b.p, b.len, NULL, &res);
            free(b.p);
        }
        assert_int_equal(res.rc, 0);
        assert_int_equal(res.n, n);
        next = calloc(k, sizeof(*next));
        {
            /* per-pCPU expected sequences, in generation order */
            struct gen **byc = calloc(n, sizeof(*byc));
            size_t *cnt = calloc(k + 1, sizeof(*cnt));

            for (size_t i = 0; i < n; i++)
                cnt[g[i].cpu + 1]++;
            for (unsigned int c = 0; c < k; c++)
                cnt[c + 1] += cnt[c];
            for (size_t i = 0; i < n; i++)
                byc[cnt[g[i].cpu] + next[g[i].cpu]++] = &g[i];
            memset(next, 0, k * sizeof(*next));
            for (size_t i = 0; i < n; i++) {
                uint32_t c = res.recs[i].cpu;

                assert_true(c < k);
                check_same(byc[cnt[c] + next[c]++], &res.recs[i]);
                if (res.stats.out_of_order == 0 && i > 0)
                    assert_true(res.recs[i].tsc >= res.recs[i - 1].tsc);
            }
            free(byc);
            free(cnt);
        }
        free(next);
        free_result(&res);
        free(g);
        unlink(path);
        free(path);
    }
}

/* A pCPU whose only window is written at the very end still merges. */
static void test_slow_cpu_window_at_end(void **state)
{
    char *path = tmp_path("slow");
    struct xte_error err;
    struct xte_writer *w = xte_writer_open(path, 2, 256, &err);
    struct xte_reader *r;
    struct result res;
    uint32_t x[4] = { 1, 2, 3, 4 };
    (void)state;

    assert_non_null(w);
    for (uint64_t t = 0; t < 2000; t++) {
        assert_int_equal(xte_writer_add(w, 0, 0x00804103, 1, 10 + t * 10, x,
                                        4), 0);
        if (t % 500 == 0)       /* pCPU 1 logs rarely: its buffer waits */
            assert_int_equal(xte_writer_add(w, 1, 0x00804105, 1, 15 + t * 10,
                                            x, 4), 0);
    }
    assert_int_equal(xte_writer_close(w), 0);
    r = xte_reader_open(path, NULL, &err);
    assert_non_null(r);
    read_all(r, &res);
    xte_reader_close(r);
    assert_int_equal(res.rc, 0);
    assert_int_equal(res.n, 2004);
    assert_int_equal(res.stats.out_of_order, 0);
    for (size_t i = 1; i < res.n; i++)
        assert_true(res.recs[i].tsc >= res.recs[i - 1].tsc);
    assert_int_equal(res.recs[1].cpu, 1);
    free_result(&res);
    unlink(path);
    free(path);
}

/* ---- bad input ------------------------------------------------------- */

static uint32_t four[4] = { 1, 2, 3, 4 };

/* One window of cpu 0 holding three 16-byte records (tsc 100, 200, 300). */
static void three_records(struct bytes *b)
{
    b_window(b, 0, 3 * 16);
    for (int i = 1; i <= 3; i++)
        b_record(b, 0x00804103, 1, 100u * i, 1, four);
}

static void expect_fault(enum mode mode, const struct bytes *b,
                         size_t want_records, uint64_t want_offset,
                         const char *want_text)
{
    struct result res;

    read_bytes(mode, b->p, b->len, NULL, &res);
    assert_int_equal(res.rc, -1);
    assert_int_equal(res.n, want_records);
    assert_int_equal(res.err.offset, want_offset);
    if (!strstr(res.err.msg, want_text))
        fail_msg("error \"%s\" lacks \"%s\"", res.err.msg, want_text);
    /* Every record delivered before the fault lies before it. */
    for (size_t i = 0; i < res.n; i++)
        assert_true(res.recs[i].offset < want_offset);
    free_result(&res);
}

static void bad_inputs(enum mode mode)
{
    struct bytes b = { 0 };
    const char *text = "this is certainly not a xentrace file\n";

    /* zero length */
    expect_fault(mode, &b, 0, 0, "empty");

    /* garbage */
    b.p = (uint8_t *)strdup(text);
    b.len = strlen(text);
    expect_fault(mode, &b, 0, 0, "not a xentrace trace");
    free(b.p);
    memset(&b, 0, sizeof(b));

    /* truncated in the middle of the third record: two, then the cut */
    three_records(&b);
    b.len -= 6;
    expect_fault(mode, &b, 2, 12 + 32, "truncated record");

    /* window size past the end of file, records whole: cut at EOF */
    b.len = 0;
    b_window(&b, 0, 100);
    b_record(&b, 0x00804103, 1, 100, 1, four);
    b_record(&b, 0x00804103, 1, 200, 1, four);
    expect_fault(mode, &b, 2, 12 + 32, "declares 100 bytes");

    /* byte count not on a record boundary: the 2nd record crosses it */
    b.len = 0;
    b_window(&b, 0, 24);
    b_record(&b, 0x00804103, 1, 100, 1, four);
    b_record(&b, 0x00804103, 1, 200, 1, four);
    b_window(&b, 1, 16);
    b_record(&b, 0x00804103, 1, 300, 1, four);
    expect_fault(mode, &b, 1, 12 + 16, "crosses the end of its window");

    /* stray bytes at a window's end */
    b.len = 0;
    b_window(&b, 0, 18);
    b_record(&b, 0x00804103, 1, 100, 1, four);
    b.p[b.len++] = 0;
    b.p[b.len++] = 0;
    expect_fault(mode, &b, 1, 12 + 16, "stray bytes");

    /* after a window, something that is not a window record */
    b.len = 0;
    three_records(&b);
    b_record(&b, 0x00804103, 1, 400, 1, four);
    expect_fault(mode, &b, 3, 12 + 48, "expected a TRC_TRACE_CPU_CHANGE");

    /* a window record with an impossible extra count */
    b.len = 0;
    three_records(&b);
    b_put32(&b, 0x0001f003u | (1u << 28));
    b_put32(&b, 0);
    expect_fault(mode, &b, 3, 12 + 48, "extra words");

    /* a window record cut short by the end of the file */
    b.len = 0;
    three_records(&b);
    b_window(&b, 1, 16);
    b.len -= 5;
    expect_fault(mode, &b, 3, 12 + 48, "truncated window record");

    /* a window record inside a window */
    b.len = 0;
    b_window(&b, 0, 16 + 12);
    b_record(&b, 0x00804103, 1, 100, 1, four);
    b_window(&b, 1, 0);
    expect_fault(mode, &b, 1, 12 + 16, "inside the window");

    free(b.p);
}

static void test_bad_input_file(void **state)
{
    (void)state;
    bad_inputs(FILE_MODE);
}

static void test_bad_input_pipe(void **state)
{
    (void)state;
    bad_inputs(PIPE_MODE);
}

/*
 * A fault in one pCPU's window: every record of every pCPU that lies
 * before the fault in the file is still delivered, in TSC order.
 */
static void fault_keeps_other_cpus(enum mode mode)
{
    struct bytes b = { 0 };
    struct result res;
    uint64_t bad;
    int seen[5] = { 0 };

    b_window(&b, 0, 32);
    b_record(&b, 0x00804103, 1, 100, 1, four);      /* tsc 100 */
    b_record(&b, 0x00804103, 1, 400, 1, four);      /* tsc 400 */
    b_window(&b, 1, 32);
    b_record(&b, 0x00804103, 1, 200, 1, four);      /* tsc 200 */
    b_record(&b, 0x00804103, 1, 300, 1, four);      /* tsc 300 */
    b_window(&b, 0, 24);
    b_record(&b, 0x00804103, 1, 500, 1, four);      /* tsc 500 */
    bad = b.len;
    b_record(&b, 0x00804103, 1, 600, 1, four);      /* crosses: bad */
    b_window(&b, 1, 16);
    b_record(&b, 0x00804103, 1, 700, 1, four);
    read_bytes(mode, b.p, b.len, NULL, &res);
    assert_int_equal(res.rc, -1);
    assert_int_equal(res.err.offset, bad);
    for (size_t i = 0; i < res.n; i++) {
        if (i)
            assert_true(res.recs[i].tsc >= res.recs[i - 1].tsc);
        if (res.recs[i].tsc <= 500)
            seen[res.recs[i].tsc / 100 - 1]++;
    }
    for (int i = 0; i < 5; i++)
        assert_int_equal(seen[i], 1);
    free_result(&res);
    free(b.p);
}

static void test_fault_keeps_other_cpus(void **state)
{
    (void)state;
    fault_keeps_other_cpus(FILE_MODE);
    fault_keeps_other_cpus(PIPE_MODE);
}

/* The same checks, read with batches mixed with single records. */
static void test_batches(void **state)
{
    batch_style = 1;
    test_roundtrip_property(state);
    bad_inputs(FILE_MODE);
    bad_inputs(PIPE_MODE);
    fault_keeps_other_cpus(FILE_MODE);
    fault_keeps_other_cpus(PIPE_MODE);
    batch_style = 0;
}

/* A pCPU number lives in the low 16 bits of the window's first word. */
static void test_window_cpu_low_bits(void **state)
{
    struct bytes b = { 0 };
    struct result res;
    (void)state;

    b_window(&b, 0xabcd0003u, 16);
    b_record(&b, 0x00804103, 1, 100, 1, four);
    for (int m = FILE_MODE; m <= PIPE_MODE; m++) {
        read_bytes((enum mode)m, b.p, b.len, NULL, &res);
        assert_int_equal(res.rc, 0);
        assert_int_equal(res.n, 1);
        assert_int_equal(res.recs[0].cpu, 3);
        assert_int_equal(res.stats.max_cpu, 3);
        free_result(&res);
    }
    free(b.p);
}

/* ---- follow mode ----------------------------------------------------- */

struct live {
    int fd;                     /* where the writer thread appends */
    unsigned int windows;       /* it writes this many */
    unsigned int per_window;
    volatile int seen;          /* records the consumer has had */
    volatile int stop_now;
};

static void *live_writer(void *arg)
{
    struct live *l = arg;
    struct xte_error err;
    struct xte_writer *w = xte_writer_fdopen(l->fd, "live", 2, 4096, &err);
    uint32_t x[2] = { 9, 9 };

    for (unsigned int win = 0; win < l->windows; win++) {
        for (unsigned int i = 0; i < l->per_window; i++) {
            uint64_t tsc = 1000ull * (win * l->per_window + i);

            xte_writer_add(w, i % 2, 0x00804302, 1, tsc, x, 2);
        }
        xte_writer_flush(w);
        /*
         * Wait until the reader has handed this batch out: proof that it
         * reads while the writer is still going.
         */
        for (int spin = 0; spin < 500 && l->seen < (int)((win + 1) *
                                                       l->per_window); spin++)
            usleep(10000);
    }
    xte_writer_close(w);
    close(l->fd);               /* a writer given an fd leaves it open */
    return NULL;
}

/*
 * A live reader hands records out as they come: when the input goes quiet
 * it does not wait for a pCPU whose next window is not there yet, so a
 * record may come before one of another pCPU with a smaller TSC.  Each
 * pCPU's own order holds always, and every such inversion is counted.
 */
struct live_check {
    uint64_t next[2];
    uint64_t max;
    uint64_t inversions;
};

static void check_live(struct live_check *lc, const struct xte_record *rec)
{
    assert_true(rec->cpu < 2);
    assert_true(rec->tsc % 1000 == 0);
    /* pCPU c logs records 2k + c, k = 0, 1, 2... in order */
    assert_int_equal(rec->tsc / 1000, 2 * lc->next[rec->cpu] + rec->cpu);
    lc->next[rec->cpu]++;
    if (rec->tsc < lc->max)
        lc->inversions++;
    else
        lc->max = rec->tsc;
}

static int live_stop(void *arg)
{
    struct live *l = arg;

    return l->stop_now;
}

static void test_follow_pipe(void **state)
{
    int fds[2];
    pthread_t t;
    struct live l = { 0 };
    struct xte_reader_opts o = { .follow = 1, .poll_ms = 10,
                                 .stop = live_stop };
    struct live_check lc;
    struct xte_error err;
    struct xte_reader *r;
    struct xte_record rec;
    int rc;
    (void)state;

    memset(&lc, 0, sizeof(lc));

    assert_int_equal(pipe(fds), 0);
    l.fd = fds[1];
    l.windows = 5;
    l.per_window = 40;
    o.stop_arg = &l;
    r = xte_reader_fdopen(fds[0], "live-pipe", &o, &err);
    assert_non_null(r);
    assert_int_equal(pthread_create(&t, NULL, live_writer, &l), 0);
    while ((rc = xte_reader_next(r, &rec)) == 1) {
        check_live(&lc, &rec);
        l.seen++;
    }
    /* The writer closed the pipe: the end, not an error. */
    assert_int_equal(rc, 0);
    assert_int_equal(l.seen, 200);
    assert_int_equal(xte_reader_stats(r)->out_of_order, lc.inversions);
    pthread_join(t, NULL);
    xte_reader_close(r);
    close(fds[0]);
}

static void test_follow_growing_file(void **state)
{
    char *path = tmp_path("grow");
    pthread_t t;
    struct live l = { 0 };
    struct xte_reader_opts o = { .follow = 1, .poll_ms = 10,
                                 .stop = live_stop };
    struct live_check lc;
    struct xte_error err;
    struct xte_reader *r;
    struct xte_record rec;
    int rc;
    (void)state;

    memset(&lc, 0, sizeof(lc));

    l.fd = open(path, O_WRONLY | O_APPEND);
    assert_true(l.fd >= 0);
    l.windows = 4;
    l.per_window = 30;
    o.stop_arg = &l;
    r = xte_reader_open(path, &o, &err);
    assert_non_null(r);
    assert_int_equal(pthread_create(&t, NULL, live_writer, &l), 0);
    while ((rc = xte_reader_next(r, &rec)) == 1) {
        check_live(&lc, &rec);
        l.seen++;
        if (l.seen == 120)
            l.stop_now = 1;     /* the user quits once all is seen */
    }
    /* A file never ends by itself: stop() ended it. */
    assert_int_equal(rc, 0);
    assert_int_equal(l.seen, 120);
    assert_int_equal(xte_reader_stats(r)->out_of_order, lc.inversions);
    pthread_join(t, NULL);
    xte_reader_close(r);
    unlink(path);
    free(path);
}

/* ---- writer checks --------------------------------------------------- */

static void test_writer_rejects_bad_records(void **state)
{
    char *path = tmp_path("wr");
    struct xte_error err;
    struct xte_writer *w = xte_writer_open(path, 2, 0, &err);
    uint32_t x[8] = { 0 };
    struct bytes win = { 0 };
    struct result res;
    (void)state;

    assert_non_null(w);
    assert_int_equal(xte_writer_add(w, 2, 0x00804103, 1, 1, x, 1), -1);
    assert_non_null(strstr(xte_writer_error(w)->msg, "out of range"));
    assert_int_equal(xte_writer_add(w, 0, 0x00804103, 1, 1, x, 8), -1);
    assert_int_equal(xte_writer_add(w, 0, 0x10804103, 1, 1, x, 1), -1);
    assert_int_equal(xte_writer_add(w, 0, 0x0001f003, 0, 0, x, 2), -1);
    /* pre-encoded windows must hold whole records */
    b_record(&win, 0x00804103, 1, 5, 1, four);
    assert_int_equal(xte_writer_window(w, 1, win.p, win.len - 1), -1);
    assert_non_null(strstr(xte_writer_error(w)->msg, "past its end"));
    /* good ones go through, the pCPU's buffered records first */
    assert_int_equal(xte_writer_add(w, 1, 0x00804103, 1, 4, x, 1), 0);
    assert_int_equal(xte_writer_window(w, 1, win.p, win.len), 0);
    assert_int_equal(xte_writer_close(w), 0);
    {
        struct xte_reader *r = xte_reader_open(path, NULL, &err);

        assert_non_null(r);
        read_all(r, &res);
        xte_reader_close(r);
    }
    assert_int_equal(res.rc, 0);
    assert_int_equal(res.n, 2);
    assert_int_equal(res.recs[0].tsc, 4);
    assert_int_equal(res.recs[1].tsc, 5);
    assert_int_equal(res.stats.windows, 2);
    free_result(&res);
    free(win.p);
    unlink(path);
    free(path);
}

/* ---- decoding -------------------------------------------------------- */

static void fmt(const struct xte_record *r, struct xte_timebase *tb,
                const char *want)
{
    char buf[512];
    int n = xte_format_record(r, tb, buf, sizeof(buf));

    assert_string_equal(buf, want);
    assert_int_equal(n, (int)strlen(want));
}

static void test_decoder_lines(void **state)
{
    struct xte_timebase tb = { .cpu_hz = 2000000000u };
    struct xte_record r = { 0 };
    char small[16];
    (void)state;

    /* the first record sets time 0 */
    r.event = XTE_TRC_PI_WAKEUP;
    r.cpu = 2;
    r.tsc = 1000000;
    r.nr_extra = 4;
    r.extra[0] = 2;
    r.extra[1] = 10;
    r.extra[2] = 3;
    r.extra[3] = 1234;
    fmt(&r, &tb, "0.000000000 cpu2 PI_WAKEUP pcpu=2 walked=10 woken=3 "
        "ns=1234ns");
    /* 3e9 ticks later at 2 GHz: 1.5 s */
    r.tsc += 3000000000ull;
    r.event = XTE_TRC_MSIX_FORWARD;
    r.extra[1] = 0x1f;
    r.extra[3] = 1;
    fmt(&r, &tb, "1.500000000 cpu2 MSIX_FORWARD domid=2 offset=0x1f "
        "size=3 is_write=1");
    /* a 64-bit ns field, low word first */
    r.event = XTE_TRC_DPCI_RUN;
    r.tsc = 1000000 + 2001;
    r.nr_extra = 5;
    r.extra[0] = 1;
    r.extra[1] = 40;
    r.extra[2] = 0;
    r.extra[3] = 0x00000005;
    r.extra[4] = 0x00000001;
    fmt(&r, &tb, "0.000001000 cpu2 DPCI_RUN domid=1 pirq=40 pcpu=0 "
        "latency=4294967301ns");
    /* missing words print as '?', surplus words are kept */
    r.nr_extra = 4;
    fmt(&r, &tb, "0.000001000 cpu2 DPCI_RUN domid=1 pirq=40 pcpu=0 "
        "latency=?");
    r.event = XTE_TRC_PI_SKIP_NO_IRTE;
    r.nr_extra = 3;
    fmt(&r, &tb, "0.000001000 cpu2 PI_SKIP_NO_IRTE domid=1 vcpu=40 "
        "[ 0x00000000 ]");
    /* upstream events by name */
    r.event = 0x0002800a;
    r.nr_extra = 2;
    r.extra[0] = 0x00010002;
    r.extra[1] = 0xdeadbeef;
    fmt(&r, &tb, "0.000001000 cpu2 TRC_SCHED_SWITCH [ 0x00010002 "
        "0xdeadbeef ]");
    r.event = XTE_TRC_LOST_RECORDS;
    r.nr_extra = 1;
    r.extra[0] = 7;
    fmt(&r, &tb, "0.000001000 cpu2 TRC_LOST_RECORDS [ 0x00000007 ]");
    r.event = 0x00081002;
    r.nr_extra = 0;
    fmt(&r, &tb, "0.000001000 cpu2 TRC_HVM_VMEXIT [ ]");
    /* anything else: generic */
    r.event = 0x00abc123;
    r.nr_extra = 1;
    fmt(&r, &tb, "0.000001000 cpu2 event 0x00abc123 [ 0x00000007 ]");
    /* an unknown id in our own subclass is generic too */
    r.event = XTE_TRC_SUBCLASS | 0xfff;
    r.nr_extra = 0;
    fmt(&r, &tb, "0.000001000 cpu2 event 0x00804fff [ ]");
    /* before time 0 clamps; a short buffer still reports the length */
    r.tsc = 5;
    assert_int_equal(xte_format_record(&r, &tb, small, sizeof(small)),
                     (int)strlen("0.000000000 cpu2 event 0x00804fff [ ]"));
    assert_string_equal(small, "0.000000000 cpu");
}

static void test_upstream_names_and_time(void **state)
{
    struct xte_timebase tb = { 0 };
    (void)state;

    assert_true(xte_upstream_table_sorted());
    assert_string_equal(xte_upstream_event_name(0x0001f001),
                        "TRC_LOST_RECORDS");
    assert_string_equal(xte_upstream_event_name(0x0001f003),
                        "TRC_TRACE_CPU_CHANGE");
    assert_string_equal(xte_upstream_event_name(0x00021001),
                        "TRC_SCHED_RUNSTATE_CHANGE");
    assert_string_equal(xte_upstream_event_name(0x00041001),
                        "TRC_DOM0_DOM_ADD");
    assert_string_equal(xte_upstream_event_name(0x00081001),
                        "TRC_HVM_VMENTRY");
    assert_string_equal(xte_upstream_event_name(0x00082102),
                        "TRC_HVM_PF_INJECT64");
    assert_string_equal(xte_upstream_event_name(0x00802008),
                        "TRC_HW_IRQ_HANDLED");
    assert_string_equal(xte_upstream_event_name(0x0010f001),
                        "TRC_MEM_PAGE_GRANT_MAP");
    /* flag bits above the id are ignored */
    assert_string_equal(xte_upstream_event_name(0xa002800a),
                        "TRC_SCHED_SWITCH");
    assert_null(xte_upstream_event_name(0x00804101));
    assert_null(xte_upstream_event_name(0));
    /* no frequency: one tick shown as one ns */
    assert_int_equal(xte_tsc_to_ns(&tb, 500), 0);
    assert_int_equal(xte_tsc_to_ns(&tb, 1500), 1000);
    tb.cpu_hz = 3000000000u;
    assert_int_equal(xte_tsc_to_ns(&tb, 500 + 3000000000ull * 7),
                     7000000000ull);
    assert_int_equal(xte_tsc_to_ns(&tb, 400), 0);
}

static void test_error_text(void **state)
{
    struct xte_error e;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    (void)state;

    assert_int_equal(xte_set_error(&e, "t.bin", 4096, "bad %s %d", "x", 3),
                     -1);
    xte_print_error(f, &e);
    fclose(f);
    assert_string_equal(out, "t.bin: offset 4096: bad x 3\n");
    free(out);
}

/* ---- bounded memory -------------------------------------------------- */

static long vm_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, field, strlen(field)) == 0)
            v = atol(line + strlen(field) + 1);
    fclose(f);
    return v;
}

static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    int ok = f && fputs("5", f) >= 0;

    if (f && fclose(f))
        ok = 0;
    return ok;
}

#define BIG_MB 256

/* A writer process streams BIG_MB of trace into fd. */
static pid_t spawn_big_writer(int fd)
{
    pid_t pid = fork();

    if (pid == 0) {
        struct xte_error err;
        struct xte_writer *w = xte_writer_fdopen(fd, "big", 4, 0, &err);
        uint32_t x[6] = { 1, 2, 3, 4, 5, 6 };
        uint64_t bytes = 0;

        for (uint64_t i = 0; w && bytes < ((uint64_t)BIG_MB << 20); i++) {
            if (xte_writer_add(w, (unsigned int)(i & 3), 0x00804101, 1,
                               i * 7, x, 6))
                _exit(1);
            bytes += 36;
        }
        _exit(xte_writer_close(w) ? 1 : 0);
    }
    return pid;
}

static void test_bounded_memory(void **state)
{
    int fds[2], status;
    pid_t pid;
    struct xte_error err;
    struct xte_reader *r;
    struct xte_record rec;
    uint64_t n = 0;
    long before, peak;
    char *path;
    (void)state;

    if (!reset_peak()) {
        print_message("no /proc/self/clear_refs: peak RSS not measurable\n");
        skip();
    }
    /* through a pipe (stream mode) */
    assert_int_equal(pipe(fds), 0);
    pid = spawn_big_writer(fds[1]);
    close(fds[1]);
    assert_true(reset_peak());
    before = vm_kb("VmRSS:");
    r = xte_reader_fdopen(fds[0], "big-pipe", NULL, &err);
    assert_non_null(r);
    while (xte_reader_next(r, &rec) == 1)
        n++;
    assert_int_equal(xte_reader_error(r)->msg[0], 0);
    xte_reader_close(r);
    close(fds[0]);
    peak = vm_kb("VmHWM:");
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(n >= ((uint64_t)BIG_MB << 20) / 36);
    print_message("pipe: %llu records, peak RSS growth %ld KiB\n",
                  (unsigned long long)n, peak - before);
    assert_true(peak - before < 16 * 1024);

    /* from a file (cursor mode) */
    path = tmp_path("big");
    {
        int fd = open(path, O_WRONLY | O_TRUNC);

        assert_true(fd >= 0);
        pid = spawn_big_writer(fd);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(fd);
    }
    assert_true(reset_peak());
    before = vm_kb("VmRSS:");
    r = xte_reader_open(path, NULL, &err);
    assert_non_null(r);
    n = 0;
    while (xte_reader_next(r, &rec) == 1)
        n++;
    assert_int_equal(xte_reader_error(r)->msg[0], 0);
    xte_reader_close(r);
    peak = vm_kb("VmHWM:");
    print_message("file: %llu records, peak RSS growth %ld KiB\n",
                  (unsigned long long)n, peak - before);
    assert_true(n >= ((uint64_t)BIG_MB << 20) / 36);
    assert_true(peak - before < 16 * 1024);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_record_layout),
        cmocka_unit_test(test_hand_built_file),
        cmocka_unit_test(test_hand_built_pipe),
        cmocka_unit_test(test_roundtrip_property),
        cmocka_unit_test(test_slow_cpu_window_at_end),
        cmocka_unit_test(test_bad_input_file),
        cmocka_unit_test(test_bad_input_pipe),
        cmocka_unit_test(test_fault_keeps_other_cpus),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_window_cpu_low_bits),
        cmocka_unit_test(test_follow_pipe),
        cmocka_unit_test(test_follow_growing_file),
        cmocka_unit_test(test_writer_rejects_bad_records),
        cmocka_unit_test(test_decoder_lines),
        cmocka_unit_test(test_upstream_names_and_time),
        cmocka_unit_test(test_error_text),
        cmocka_unit_test(test_bounded_memory),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
