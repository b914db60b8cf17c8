/*
 * merge_ceiling.c - how fast can this machine hand out a trace in TSC order
 * at all?  A measuring probe for bench_reader, not a reader.
 *
 * The library's reader (tools/xentrace/reader.c) misses its target of 3x
 * cat's time by a wide margin, and its header comment lists the merge
 * designs tried outside it.  This file keeps the cheapest of them, so that
 * every bench run measures the ceiling again beside cat instead of quoting
 * a figure from an old session:
 *
 *  - the file is mapped, and its windows indexed per pCPU (one header read
 *    per window);
 *  - per pCPU, up to KEYS_PER_CPU record TSCs are decoded into an array
 *    with a pointer to each record;
 *  - every record at or below the horizon (the smallest last-decoded TSC of
 *    the pCPUs that have more to come) gets a composite key, TSC offset <<
 *    12 | pCPU << 9 | index, so that one 64-bit comparison orders by TSC
 *    then pCPU, the library's order;
 *  - three levels of two-way merges join the eight arrays (AVX-512 bitonic
 *    merges of 8 keys at a time when the CPU has them, branch-free scalar
 *    merges otherwise);
 *  - the records are copied out in that order into struct xte_record, as
 *    the library hands them out.
 *
 * It checks nothing a real reader must (truncation, window sizes, extra
 * counts, lost records), handles at most MAX_CPUS pCPUs and only files it
 * can map; bench_reader's own trace is all it is meant for.  Split by TSC
 * into one contiguous time slice per thread, it also says what the same
 * design could do on all cores, before any cost of handing the slices out
 * in order.  Each slice's output is checked: TSCs never go back, the slices
 * meet in order, and every record is seen once.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <immintrin.h>

#include "merge_ceiling.h"

#define MAX_CPUS      8u
#define KEYS_PER_CPU  512u
#define INDEX_BITS    9u                /* an index below KEYS_PER_CPU */
#define CPU_BITS      3u                /* a pCPU below MAX_CPUS */
#define OFFSET_SHIFT  (INDEX_BITS + CPU_BITS)
#define PAD8(n)       (((n) + 7u) & ~7u)
#define MAX_THREADS   16u

struct window {
    uint64_t off;                       /* its first record */
    uint32_t len;
    uint64_t first_tsc;                 /* 0 if its first record has none */
};

struct trace_map {
    const uint8_t *base;
    size_t size;
    struct window *windows[MAX_CPUS];
    uint32_t nr_windows[MAX_CPUS];
    unsigned int nr_cpus;
};

/* One thread's time slice [from, until) and its merge state. */
struct slice {
    const struct trace_map *map;
    uint64_t from, until;
    uint32_t window[MAX_CPUS], pos[MAX_CPUS];
    uint32_t decoded[MAX_CPUS], used[MAX_CPUS];
    uint64_t last_tsc[MAX_CPUS];
    int done[MAX_CPUS];
    uint64_t tsc[MAX_CPUS][KEYS_PER_CPU];
    const uint8_t *rec[MAX_CPUS][KEYS_PER_CPU];
    uint64_t keys[MAX_CPUS][KEYS_PER_CPU + 16] __attribute__((aligned(64)));
    uint64_t pairs[4][2 * KEYS_PER_CPU + 16] __attribute__((aligned(64)));
    uint64_t quads[2][4 * KEYS_PER_CPU + 32] __attribute__((aligned(64)));
    uint64_t all[8 * KEYS_PER_CPU + 64] __attribute__((aligned(64)));
    struct xte_record out[256];
    /* results */
    uint64_t records, sum, first_out, last_out;
    int went_back;
};

static int have_avx512;

/* Decode up to KEYS_PER_CPU TSCs of one pCPU, stopping at the slice end. */
static void decode_cpu(struct slice *s, unsigned int c)
{
    const struct trace_map *m = s->map;
    uint32_t n = s->decoded[c] - s->used[c];

    memmove(s->tsc[c], s->tsc[c] + s->used[c], n * sizeof(s->tsc[c][0]));
    memmove(s->rec[c], s->rec[c] + s->used[c], n * sizeof(s->rec[c][0]));
    s->used[c] = 0;
    while (n < KEYS_PER_CPU && !s->done[c]) {
        const struct window *w = &m->windows[c][s->window[c]];
        const uint8_t *p = m->base + w->off + s->pos[c];
        const uint8_t *end = m->base + w->off + w->len;
        uint64_t t = s->last_tsc[c];

        while (n < KEYS_PER_CPU && p < end) {
            uint32_t hdr;
            uint64_t next = t;

            memcpy(&hdr, p, 4);
            if (hdr >> 31)
                memcpy(&next, p + 4, 8);
            if (next >= s->until) {
                s->done[c] = 1;
                break;
            }
            t = next;
            s->tsc[c][n] = t;
            s->rec[c][n++] = p;
            p += XTE_REC_BYTES(hdr);
        }
        s->last_tsc[c] = t;
        s->pos[c] = (uint32_t)(p - (m->base + w->off));
        if (p >= end && ++s->window[c] == m->nr_windows[c])
            s->done[c] = 1;
        else if (p >= end)
            s->pos[c] = 0;
    }
    s->decoded[c] = n;
}

/*
 * Merge two sorted arrays whose lengths are multiples of 8 (or 0), each
 * followed by readable padding, into o.
 */
__attribute__((target("avx512f")))
static inline void bitonic16(__m512i *lo, __m512i *hi, __m512i a, __m512i b)
{
    const __m512i reverse = _mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512i swap4 = _mm512_set_epi64(3, 2, 1, 0, 7, 6, 5, 4);
    const __m512i swap2 = _mm512_set_epi64(5, 4, 7, 6, 1, 0, 3, 2);
    const __m512i swap1 = _mm512_set_epi64(6, 7, 4, 5, 2, 3, 0, 1);
    __m512i l, h;

    b = _mm512_permutexvar_epi64(reverse, b);
    l = _mm512_min_epu64(a, b);
    h = _mm512_max_epu64(a, b);
#define BITONIC_STAGE(x, perm, upper)                                    \
    do {                                                                 \
        __m512i y_ = _mm512_permutexvar_epi64(perm, x);                  \
        x = _mm512_mask_blend_epi64(upper, _mm512_min_epu64(x, y_),      \
                                    _mm512_max_epu64(x, y_));            \
    } while (0)
    BITONIC_STAGE(l, swap4, 0xf0);
    BITONIC_STAGE(h, swap4, 0xf0);
    BITONIC_STAGE(l, swap2, 0xcc);
    BITONIC_STAGE(h, swap2, 0xcc);
    BITONIC_STAGE(l, swap1, 0xaa);
    BITONIC_STAGE(h, swap1, 0xaa);
#undef BITONIC_STAGE
    *lo = l;
    *hi = h;
}

__attribute__((target("avx512f")))
static uint32_t merge2_avx512(uint64_t *o, const uint64_t *a, uint32_t na,
                              const uint64_t *b, uint32_t nb)
{
    uint32_t n = na + nb, ia = 8, ib = 8, k = 0;
    __m512i va, vb, lo, hi;

    if (!na || !nb) {
        memcpy(o, na ? a : b, n * sizeof(*o));
        return n;
    }
    va = _mm512_loadu_si512(a);
    vb = _mm512_loadu_si512(b);
    for (;;) {
        int from_a;

        bitonic16(&lo, &hi, va, vb);
        _mm512_storeu_si512(o + k, lo);
        k += 8;
        if (k + 8 == n)
            break;
        from_a = ib >= nb || (ia < na && a[ia] <= b[ib]);
        va = _mm512_loadu_si512(from_a ? a + ia : b + ib);
        ia += from_a ? 8 : 0;
        ib += from_a ? 0 : 8;
        vb = hi;
    }
    _mm512_storeu_si512(o + k, hi);
    return n;
}

/* Needs a[na] and b[nb] readable and equal to UINT64_MAX. */
static uint32_t merge2_scalar(uint64_t *o, const uint64_t *a, uint32_t na,
                              const uint64_t *b, uint32_t nb)
{
    uint32_t i = 0, j = 0, n = na + nb;

    for (uint32_t k = 0; k < n; k++) {
        uint64_t x = a[i], y = b[j];
        int take_a = x <= y;

        o[k] = take_a ? x : y;
        i += take_a;
        j += !take_a;
    }
    return n;
}

static uint32_t merge2(uint64_t *o, const uint64_t *a, uint32_t na,
                       const uint64_t *b, uint32_t nb)
{
    uint32_t n = have_avx512 ? merge2_avx512(o, a, na, b, nb)
                             : merge2_scalar(o, a, na, b, nb);

    o[n] = UINT64_MAX;                  /* the next level's sentinel */
    return n;
}

static void *merge_slice(void *arg)
{
    struct slice *s = arg;
    const struct trace_map *m = s->map;
    unsigned int nr_out = 0;
    uint64_t prev = s->from;

    s->first_out = UINT64_MAX;
    for (;;) {
        uint64_t horizon = UINT64_MAX, floor = UINT64_MAX;
        uint32_t count[MAX_CPUS] = { 0 }, total = 0, n01, n23, n45, n67, na, nb;
        int any = 0;

        for (unsigned int c = 0; c < m->nr_cpus; c++)
            if (s->decoded[c] - s->used[c] < KEYS_PER_CPU / 2 && !s->done[c])
                decode_cpu(s, c);
        for (unsigned int c = 0; c < m->nr_cpus; c++) {
            if (s->decoded[c] == s->used[c])
                continue;
            any = 1;
            if (!s->done[c] && s->tsc[c][s->decoded[c] - 1] < horizon)
                horizon = s->tsc[c][s->decoded[c] - 1];
            if (s->tsc[c][s->used[c]] < floor)
                floor = s->tsc[c][s->used[c]];
        }
        if (!any)
            break;
        for (unsigned int c = 0; c < MAX_CPUS; c++) {
            uint32_t q = 0, i;

            for (i = s->used[c]; c < m->nr_cpus && i < s->decoded[c] &&
                                 s->tsc[c][i] <= horizon; i++)
                s->keys[c][q++] = ((s->tsc[c][i] - floor) << OFFSET_SHIFT) |
                                  ((uint64_t)c << INDEX_BITS) | i;
            count[c] = q;
            total += q;
            while (q < PAD8(count[c]) + 1)
                s->keys[c][q++] = UINT64_MAX;
        }
        n01 = merge2(s->pairs[0], s->keys[0], PAD8(count[0]),
                     s->keys[1], PAD8(count[1]));
        n23 = merge2(s->pairs[1], s->keys[2], PAD8(count[2]),
                     s->keys[3], PAD8(count[3]));
        n45 = merge2(s->pairs[2], s->keys[4], PAD8(count[4]),
                     s->keys[5], PAD8(count[5]));
        n67 = merge2(s->pairs[3], s->keys[6], PAD8(count[6]),
                     s->keys[7], PAD8(count[7]));
        na = merge2(s->quads[0], s->pairs[0], n01, s->pairs[1], n23);
        nb = merge2(s->quads[1], s->pairs[2], n45, s->pairs[3], n67);
        merge2(s->all, s->quads[0], na, s->quads[1], nb);

        for (uint32_t k = 0; k < total; k++) {
            uint64_t key = s->all[k];
            unsigned int c = (key >> INDEX_BITS) & (MAX_CPUS - 1);
            const uint8_t *p = s->rec[c][key & (KEYS_PER_CPU - 1)];
            struct xte_record *r = &s->out[nr_out];
            uint32_t hdr;

            memcpy(&hdr, p, 4);
            r->event = hdr & 0x0fffffffu;
            r->cpu = c;
            r->tsc = (key >> OFFSET_SHIFT) + floor;
            r->has_tsc = (int)(hdr >> 31);
            r->nr_extra = (hdr >> 28) & 7u;
            /* All extra words at once, but never past the mapping. */
            if (p + 4 + 8 + 4 * XTE_MAX_EXTRA <= m->base + m->size)
                memcpy(r->extra, p + 4 + (r->has_tsc ? 8 : 0),
                       4 * XTE_MAX_EXTRA);
            else
                memcpy(r->extra, p + 4 + (r->has_tsc ? 8 : 0),
                       4 * r->nr_extra);
            r->offset = (uint64_t)(p - m->base);
            r->seq = s->records++;
            s->went_back |= r->tsc < prev;
            prev = r->tsc;
            if (++nr_out == 256) {
                for (unsigned int i = 0; i < 256; i++)
                    s->sum += s->out[i].extra[0];
                nr_out = 0;
            }
        }
        if (total && s->first_out == UINT64_MAX)
            s->first_out = (s->all[0] >> OFFSET_SHIFT) + floor;
        for (unsigned int c = 0; c < m->nr_cpus; c++)
            s->used[c] += count[c];
    }
    for (unsigned int i = 0; i < nr_out; i++)
        s->sum += s->out[i].extra[0];
    s->last_out = prev;
    return NULL;
}

/* Where pCPU c's records at or after TSC t begin (slices after the first). */
static void seek_cpu(struct slice *s, unsigned int c, uint64_t t)
{
    const struct trace_map *m = s->map;
    uint32_t w = 0;
    const uint8_t *p, *end;
    uint64_t last = 0;

    while (w + 1 < m->nr_windows[c] && m->windows[c][w + 1].first_tsc <= t)
        w++;
    p = m->base + m->windows[c][w].off;
    end = p + m->windows[c][w].len;
    while (p < end) {
        uint32_t hdr;
        uint64_t next = last;

        memcpy(&hdr, p, 4);
        if (hdr >> 31)
            memcpy(&next, p + 4, 8);
        if (next >= t)
            break;
        last = next;
        p += XTE_REC_BYTES(hdr);
    }
    if (p >= end) {
        w++;
        p = NULL;
    }
    s->window[c] = w;
    s->pos[c] = p ? (uint32_t)(p - (m->base + m->windows[c][w].off)) : 0;
    s->last_tsc[c] = last;
    s->done[c] = w >= m->nr_windows[c];
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int index_windows(struct trace_map *m, const char *path)
{
    uint32_t cap[MAX_CPUS] = { 0 };
    uint64_t off = 0;

    while (off + 12 <= m->size) {
        uint32_t cpu, len, hdr;
        struct window *w;

        memcpy(&cpu, m->base + off + 4, 4);
        memcpy(&len, m->base + off + 8, 4);
        cpu &= 0xffffu;
        if (cpu >= MAX_CPUS || len > m->size - off - 12) {
            fprintf(stderr, "merge_ceiling: %s: offset %llu: not a window "
                    "this probe handles (pCPU %u, %u bytes)\n", path,
                    (unsigned long long)off, cpu, len);
            return -1;
        }
        if (m->nr_windows[cpu] == cap[cpu]) {
            cap[cpu] = cap[cpu] ? 2 * cap[cpu] : 1024;
            m->windows[cpu] = realloc(m->windows[cpu],
                                      cap[cpu] * sizeof(struct window));
            if (!m->windows[cpu])
                return -1;
        }
        w = &m->windows[cpu][m->nr_windows[cpu]++];
        w->off = off + 12;
        w->len = len;
        w->first_tsc = 0;
        if (len >= 12) {
            memcpy(&hdr, m->base + off + 12, 4);
            if (hdr >> 31)
                memcpy(&w->first_tsc, m->base + off + 16, 8);
        }
        if (cpu + 1 > m->nr_cpus)
            m->nr_cpus = cpu + 1;
        off += 12 + len;
    }
    return 0;
}

int merge_ceiling(const char *path, unsigned int nr_threads,
                  uint64_t want_records, uint64_t want_sum,
                  struct merge_ceiling_result *res)
{
    struct trace_map m = { 0 };
    struct slice *s;
    pthread_t tid[MAX_THREADS];
    uint64_t t_min = UINT64_MAX, t_max = 0, records = 0, sum = 0;
    int fd = open(path, O_RDONLY), rc = -1;
    struct stat st;
    double t0 = now();

    if (nr_threads < 1 || nr_threads > MAX_THREADS || fd < 0 ||
        fstat(fd, &st)) {
        fprintf(stderr, "merge_ceiling: %s: cannot open, or bad thread "
                "count %u\n", path, nr_threads);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    have_avx512 = !!__builtin_cpu_supports("avx512f");
    m.size = (size_t)st.st_size;
    m.base = mmap(NULL, m.size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    s = aligned_alloc(64, nr_threads * sizeof(*s));
    if (m.base == MAP_FAILED || !s || index_windows(&m, path))
        goto out;
    memset(s, 0, nr_threads * sizeof(*s));
    for (unsigned int c = 0; c < m.nr_cpus; c++)
        for (uint32_t w = 0; w < m.nr_windows[c]; w++) {
            uint64_t t = m.windows[c][w].first_tsc;

            t_min = t < t_min ? t : t_min;
            t_max = t > t_max ? t : t_max;
        }
    for (unsigned int q = 0; q < nr_threads; q++) {
        uint64_t step = (t_max - t_min) / nr_threads;

        s[q].map = &m;
        s[q].from = q ? t_min + step * q : 0;
        s[q].until = q + 1 < nr_threads ? t_min + step * (q + 1) : UINT64_MAX;
        for (unsigned int c = 0; c < m.nr_cpus; c++) {
            if (q)
                seek_cpu(&s[q], c, s[q].from);
            else
                s[q].done[c] = !m.nr_windows[c];
        }
    }
    res->setup_secs = now() - t0;
    t0 = now();
    for (unsigned int q = 1; q < nr_threads; q++)
        if (pthread_create(&tid[q], NULL, merge_slice, &s[q])) {
            fprintf(stderr, "merge_ceiling: cannot start a thread\n");
            exit(1);
        }
    merge_slice(&s[0]);
    for (unsigned int q = 1; q < nr_threads; q++)
        pthread_join(tid[q], NULL);
    res->merge_secs = now() - t0;

    /* The output must be the library's: ordered, complete, each once. */
    for (unsigned int q = 0; q < nr_threads; q++) {
        records += s[q].records;
        sum += s[q].sum;
        if (s[q].went_back || (s[q].records && s[q].first_out < s[q].from) ||
            (q && s[q].records && s[q - 1].records &&
             s[q].first_out < s[q - 1].last_out)) {
            fprintf(stderr, "merge_ceiling: slice %u is out of TSC order\n",
                    q);
            goto out;
        }
    }
    if (records != want_records || sum != want_sum) {
        fprintf(stderr, "merge_ceiling: handed out %llu records (sum %llu), "
                "want %llu (sum %llu)\n", (unsigned long long)records,
                (unsigned long long)sum, (unsigned long long)want_records,
                (unsigned long long)want_sum);
        goto out;
    }
    res->avx512 = have_avx512;
    rc = 0;
 out:
    if (m.base != MAP_FAILED && m.base)
        munmap((void *)m.base, m.size);
    for (unsigned int c = 0; c < MAX_CPUS; c++)
        free(m.windows[c]);
    free(s);
    return rc;
}
