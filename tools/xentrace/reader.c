/*
 * reader.c - stream records out of a xentrace file or pipe, merged by TSC.
 *
 * A trace is a sequence of windows, each a TRC_TRACE_CPU_CHANGE record and
 * a run of one pCPU's records (see xentrace.h).  Each pCPU's records are in
 * time order; windows of different pCPUs interleave in file order only
 * roughly.  The reader keeps, per pCPU, a queue of the windows it knows of
 * and a buffer holding the bytes of the window being parsed, and always
 * hands out the pCPU head with the smallest TSC (ties: lowest pCPU), which
 * is the order xenalyze processes records in.
 *
 * Two ways of filling the per-pCPU buffers:
 *
 *  - cursor mode (a regular file, not followed): a prescan walks the window
 *    records once (one small pread each) to find every pCPU with its first
 *    and last window, so that a pCPU whose first window sits late in the
 *    file is merged from its first record on; then a scanner queues window
 *    descriptors as pCPUs need them and each pCPU preads its own windows in
 *    chunks of at most CHUNK_BYTES.  Memory is one chunk per pCPU plus the
 *    queued descriptors (24 bytes per window), whatever the file size.
 *
 *  - stream mode (a pipe, standard input, or follow mode): the input is read
 *    sequentially in large blocks and window bodies are appended to their
 *    pCPU's buffer.  Nothing is handed out before some pCPU's second window
 *    arrives (until then more pCPUs may appear: xentrace writes each pCPU at
 *    most once per pass); then a record is handed out once every pCPU seen
 *    so far has one buffered (so nothing earlier can still arrive), or when
 *    more than max_buffered bytes wait, or when a followed input is idle.  A
 *    record handed out early may make a later one go back in time, which
 *    the stats count as out_of_order.
 *
 * The merge is a tournament tree keyed by (TSC, pCPU): handing out a record
 * and putting the pCPU's next one in costs log2(pCPUs) comparisons, made
 * with masks rather than branches (the winner is random from record to
 * record).  Records are handed out in batches by fill(): as many as follow
 * while the last winner's next record lies whole in its buffer; next()
 * serves single calls from a small queue filled that way.
 *
 * What it costs (bench/reader, 8 pCPUs with records interleaved at
 * random, 2-core EPYC): walking the records in file order and copying them
 * out takes 1.6-1.9x as long as cat; the merge adds 13-17 ns a record on
 * top, a dependent chain of loads and compares per record.
 *
 * Tried outside the library and not adopted (standalone prototypes on the
 * same 1 GiB trace, 2026-11-23; the reader itself took 0.76 s, cat 0.11 s):
 * decoding each pCPU's TSCs into arrays first and merging those, which
 * takes the record parsing off the chain, costs as much as this tree (a
 * loser tree over the arrays: 0.70 s for the merge phase; three levels of
 * branch-free two-way merges: 0.62 s in all; the same with AVX-512 bitonic
 * merges: 0.60 s, of which the merge itself 0.16 s), because such a design
 * reads every record twice: the decode pass alone took 0.15 s, copying the
 * records out in merged order 0.17 s, and with no merging at all the two
 * passes and the mapping took 0.37-0.43 s, more than 3x cat.  Going below
 * that needs the merge split across cores.  bench/reader/merge_ceiling.c
 * keeps the AVX-512 design, checking nothing, and bench_reader measures it
 * in every run on one thread and split by time over every CPU: on the
 * 2-core VM, 0.35 s split over both (2.9x cat's time in one run, 3.1-3.8x
 * in others), so even unchecked and before any in-order hand-over it only
 * reaches the target in a good run.
 *
 * Bad input sets a cut: nothing at or after the faulty offset is read, all
 * good records before it are still delivered, and then the reader returns
 * -1 with the offset of the fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xentrace.h"

#define CHUNK_BYTES   (1u << 20)        /* cursor mode: pread unit */
#define STREAM_BYTES  (1u << 20)        /* stream mode: read() unit */
#define MAX_REC_BYTES (4u + 8u + 4u * XTE_MAX_EXTRA)
#define MAX_CPUS      65536u
/* Readable bytes past a buffer's end: emit() copies 8 words in one go. */
#define BUF_SLACK     32u
/* next() fills this many records at a time (see fill()). */
#define DQ_LEN        64u

struct seg {                    /* one window of one pCPU */
    uint64_t hdr_off;           /* offset of its TRC_TRACE_CPU_CHANGE */
    uint64_t off;               /* offset of its first record */
    uint32_t len;               /* byte count the window record declares */
    uint32_t avail;             /* bytes that exist (< len if cut by EOF) */
    uint32_t have;              /* bytes put in the pCPU buffer so far */
};

enum cpu_state { CPU_WAITING, CPU_HEAD, CPU_DONE, CPU_FAILED };

struct cpu;

/*
 * Merge order: TSC, then pCPU number.  A leaf of the merge tree holds the
 * TSC of its pCPU's head record, or KEY_NONE when it has none; a real TSC
 * of 2^64-1 (only seen in garbage) is merged as 2^64-2 so that an empty
 * leaf can never win.  The tree's nodes hold tags, pCPU number << 16 |
 * leaf, so that breaking a tie is one more integer comparison (pCPU
 * numbers and leaves both stay below 2^16, see MAX_CPUS).
 */
#define KEY_NONE      UINT64_MAX
#define TAG_LEAF(tag) ((tag) & 0xffffu)

static inline uint64_t merge_key(uint64_t tsc)
{
    return tsc - (tsc == KEY_NONE);
}

struct cpu {
    uint32_t id;
    uint32_t slot;              /* its leaf in the merge tree */
    enum cpu_state state;
    int in_work;
    uint8_t *buf;               /* unparsed bytes are [rd, wr) */
    size_t cap, rd, wr;
    struct seg *segs;           /* ring of windows, head first */
    uint32_t seg_cap, seg_first, seg_n;
    uint32_t seg_pos;           /* bytes of the head window parsed */
    uint64_t last_tsc;
    uint64_t queued_off;        /* cursor: last window queued */
    uint64_t last_off;          /* cursor: its last window (prescan) */
    uint64_t key;               /* CPU_HEAD: TSC of the next record */
    uint32_t key_size;          /* CPU_HEAD: its size, at buf + rd */
};

struct xte_reader {
    int fd;
    int own_fd;
    char name[256];
    struct xte_reader_opts opts;
    int cursor;                 /* cursor mode, else stream mode */
    int regular;

    struct cpu **cpu_by_id;     /* indexed by pCPU number */
    uint32_t cpu_by_id_len;
    struct cpu **all;           /* every pCPU seen, in discovery order */
    uint32_t nr_all, all_cap;
    /*
     * Tournament (loser) tree over the pCPUs, leaf i being all[i]: lose[n]
     * is the leaf that lost the match at node n, lose[0] the overall winner,
     * the pCPU whose record goes next.  Replacing the winner's key costs
     * log2(pCPUs) comparisons.  win[] is scratch for rebuilding.
     */
    uint64_t *leaf;
    uint32_t *win, *lose;
    uint32_t nleaves;           /* a power of two, >= nr_all */
    uint32_t heap_n;            /* pCPUs with a head record */
    struct cpu **work;          /* pCPUs whose head must be (re)parsed */
    uint32_t work_n;
    uint32_t n_waiting;
    struct cpu *refill;         /* delivered last: parse its next record */
    /* next(): records filled but not yet handed out, dq[dq_pos, dq_n) */
    struct xte_record dq[DQ_LEN];
    unsigned int dq_pos, dq_n;

    uint64_t cut;               /* first offset not to be read (fault) */
    int failed;
    struct xte_error err;

    /* cursor mode */
    uint64_t file_size;
    uint64_t start_off;
    uint64_t scan_off;
    int scan_eof;
    int prescanned;

    /* stream mode */
    uint8_t *in;
    uint64_t in_off;            /* offset of the next input byte */
    int input_done;
    int stopped;                /* follow mode ended by stop() */
    int warm;                   /* a pCPU had a second window: see next() */
    int in_hdr;                 /* between windows: reading a window record */
    uint8_t hdr[MAX_REC_BYTES];
    uint32_t hdr_have;
    uint64_t hdr_off;
    struct cpu *body_cpu;       /* window being received */
    uint32_t body_left;
    size_t buffered;

    uint64_t max_tsc;
    struct xte_reader_stats stats;
};

/* ---- errors ------------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int fault(struct xte_reader *r, uint64_t off, const char *fmt, ...)
{
    va_list ap;

    /* Keep the earliest fault: everything before it is delivered. */
    if (!r->failed || off < r->err.offset) {
        snprintf(r->err.file, sizeof(r->err.file), "%s", r->name);
        r->err.offset = off;
        va_start(ap, fmt);
        vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
        va_end(ap);
    }
    r->failed = 1;
    if (off < r->cut)
        r->cut = off;
    return -1;
}

/* ---- pCPUs -------------------------------------------------------------- */

static int tree_grow(struct xte_reader *r);

static int push_work(struct xte_reader *r, struct cpu *c)
{
    if (!c->in_work) {
        c->in_work = 1;
        r->work[r->work_n++] = c;
    }
    return 0;
}

static struct cpu *get_cpu(struct xte_reader *r, uint32_t id, uint64_t off)
{
    struct cpu *c;

    if (id < r->cpu_by_id_len && r->cpu_by_id[id])
        return r->cpu_by_id[id];
    if (id >= r->cpu_by_id_len) {
        uint32_t n = r->cpu_by_id_len ? r->cpu_by_id_len : 16;
        struct cpu **p;

        while (n <= id)
            n *= 2;
        p = realloc(r->cpu_by_id, n * sizeof(*p));
        if (!p)
            goto oom;
        memset(p + r->cpu_by_id_len, 0,
               (n - r->cpu_by_id_len) * sizeof(*p));
        r->cpu_by_id = p;
        r->cpu_by_id_len = n;
    }
    if (r->nr_all == r->all_cap) {
        /* all and work hold at most nr_all entries each. */
        uint32_t n = r->all_cap ? r->all_cap * 2 : 8;
        struct cpu **a, **w;

        a = realloc(r->all, n * sizeof(*a));
        if (!a)
            goto oom;
        r->all = a;
        w = realloc(r->work, n * sizeof(*w));
        if (!w)
            goto oom;
        r->work = w;
        r->all_cap = n;
    }
    if (r->nr_all == r->nleaves && tree_grow(r))
        goto oom;
    c = calloc(1, sizeof(*c));
    if (!c)
        goto oom;
    c->id = id;
    c->slot = r->nr_all;
    c->state = CPU_WAITING;
    r->n_waiting++;
    r->cpu_by_id[id] = c;
    r->all[r->nr_all++] = c;
    if (id > r->stats.max_cpu)
        r->stats.max_cpu = id;
    push_work(r, c);
    return c;
oom:
    fault(r, off, "out of memory for pCPU %u", id);
    return NULL;
}

static struct seg *push_seg(struct xte_reader *r, struct cpu *c)
{
    struct seg *s;

    if (c->seg_n == c->seg_cap) {
        uint32_t n = c->seg_cap ? c->seg_cap * 2 : 4;
        struct seg *p = malloc(n * sizeof(*p));

        if (!p)
            return NULL;
        /* Unroll the ring into the new array. */
        for (uint32_t i = 0; i < c->seg_n; i++)
            p[i] = c->segs[(c->seg_first + i) % c->seg_cap];
        free(c->segs);
        c->segs = p;
        c->seg_cap = n;
        c->seg_first = 0;
    }
    s = &c->segs[(c->seg_first + c->seg_n) % c->seg_cap];
    c->seg_n++;
    memset(s, 0, sizeof(*s));
    return s;
}

static inline struct seg *head_seg(struct cpu *c)
{
    return c->seg_n ? &c->segs[c->seg_first] : NULL;
}

static inline void pop_seg(struct cpu *c)
{
    c->seg_first = (c->seg_first + 1) % c->seg_cap;
    c->seg_n--;
    c->seg_pos = 0;
}

static struct seg *tail_seg(struct cpu *c)
{
    return c->seg_n ? &c->segs[(c->seg_first + c->seg_n - 1) % c->seg_cap]
                    : NULL;
}

/* ---- heap of pCPU heads ------------------------------------------------- */

static inline uint32_t leaf_tag(const struct xte_reader *r, uint32_t i)
{
    return (i < r->nr_all ? r->all[i]->id : 0xffffu) << 16 | i;
}

static inline uint32_t winner_of(const struct xte_reader *r, uint32_t n)
{
    return n >= r->nleaves ? leaf_tag(r, n - r->nleaves) : r->win[n];
}

/* Does the leaf tagged a go before the one tagged b? */
static inline int tag_before(const struct xte_reader *r, uint32_t a,
                             uint32_t b)
{
    uint64_t ka = r->leaf[TAG_LEAF(a)], kb = r->leaf[TAG_LEAF(b)];

    return ka < kb || (ka == kb && a < b);
}

/*
 * Rebuild the tree from the leaves, O(pCPUs): used when a leaf other than
 * the winner changes (a pCPU gets a head again), which happens at most once
 * per window, never per record.
 */
static void tree_rebuild(struct xte_reader *r)
{
    uint32_t L = r->nleaves, *win = r->win, *lose = r->lose;

    for (uint32_t n = L - 1; n >= 1; n--) {
        uint32_t a = winner_of(r, 2 * n), b = winner_of(r, 2 * n + 1);
        int b_wins = tag_before(r, b, a);

        win[n] = b_wins ? b : a;
        lose[n] = b_wins ? a : b;
    }
    lose[0] = L > 1 ? win[1] : leaf_tag(r, 0);
}

/*
 * The winner's key changed: replay its matches against the losers stored
 * on its way to the root, one comparison per level, without branches.
 */
static inline uint32_t replay_winner(struct xte_reader *r, uint64_t wk)
{
    uint32_t *lose = r->lose, w = lose[0];

    /*
     * Which side wins is random from record to record in a trace of many
     * busy pCPUs, so a branch here is mispredicted about every other
     * level.  The selection is done with masks instead: m is all ones when
     * the stored loser beats the climbing key, and the xors swap the two.
     * (Written as a ternary, gcc 12 emits jumps: 25% slower at -O2.)
     */
    for (uint32_t n = (TAG_LEAF(w) + r->nleaves) >> 1; n >= 1; n >>= 1) {
        uint32_t l = lose[n];
        uint64_t lk = r->leaf[TAG_LEAF(l)];
        uint64_t m = -(uint64_t)(lk < wk);

        if (__builtin_expect(lk == wk, 0))     /* equal TSCs: rare */
            m = -(uint64_t)(l < w);
        uint32_t d = (l ^ w) & (uint32_t)m;
        uint64_t dk = (lk ^ wk) & m;

        lose[n] = l ^ d;
        w ^= d;
        wk ^= dk;
    }
    lose[0] = w;
    return w;
}

static int tree_grow(struct xte_reader *r)
{
    uint32_t n = r->nleaves ? r->nleaves * 2 : 1;
    uint64_t *leaf = realloc(r->leaf, n * sizeof(*leaf));
    uint32_t *win, *lose;

    if (!leaf)
        return -1;
    r->leaf = leaf;
    win = realloc(r->win, n * sizeof(*win));
    if (!win)
        return -1;
    r->win = win;
    lose = realloc(r->lose, n * sizeof(*lose));
    if (!lose)
        return -1;
    r->lose = lose;
    for (uint32_t i = r->nleaves; i < n; i++)
        leaf[i] = KEY_NONE;
    r->nleaves = n;
    tree_rebuild(r);
    return 0;
}

static inline struct cpu *tree_top(const struct xte_reader *r)
{
    return r->all[TAG_LEAF(r->lose[0])];
}

static void heap_push(struct xte_reader *r, struct cpu *c)
{
    r->heap_n++;
    r->leaf[c->slot] = merge_key(c->key);
    tree_rebuild(r);
}

/* The top pCPU has a new head (TSC tsc); returns the new top's tag. */
static inline uint32_t heap_retop_key(struct xte_reader *r, struct cpu *c,
                                      uint64_t tsc)
{
    uint64_t k = merge_key(tsc);

    r->leaf[c->slot] = k;
    return replay_winner(r, k);
}

static inline uint32_t heap_retop(struct xte_reader *r, struct cpu *c)
{
    return heap_retop_key(r, c, c->key);
}

/* The top pCPU has no head any more. */
static void heap_pop(struct xte_reader *r)
{
    r->heap_n--;
    r->leaf[TAG_LEAF(r->lose[0])] = KEY_NONE;
    replay_winner(r, KEY_NONE);
}

/* ---- parsing one pCPU's records ----------------------------------------- */

/*
 * Find pCPU c's next record in its buffer and check it: 1 with c->key and
 * c->key_size set (the record stays at c->buf + c->rd until fill() hands it
 * out), 0 when
 * the bytes are not there (yet), -1 on a fault.
 */
static int peek_one(struct xte_reader *r, struct cpu *c)
{
    for (;;) {
        struct seg *s = head_seg(c);
        uint32_t left, avail_left, inbuf, hdr, size;
        const uint8_t *p;
        uint64_t off;

        if (!s)
            return 0;
        if (c->seg_pos == s->len) {
            pop_seg(c);
            continue;
        }
        off = s->off + c->seg_pos;
        left = s->len - c->seg_pos;
        avail_left = s->avail - c->seg_pos;
        inbuf = s->have - c->seg_pos;
        if (inbuf < 4) {
            if (left < 4)
                return fault(r, off, "%u stray bytes at the end of the "
                             "window of cpu %u (window record at offset "
                             "%llu declares %u bytes): not a whole record",
                             left, c->id, (unsigned long long)s->hdr_off,
                             s->len);
            if (avail_left < 4)
                goto truncated;
            return 0;
        }
        p = c->buf + c->rd;
        memcpy(&hdr, p, 4);
        size = XTE_REC_BYTES(hdr);
        if (size > left)
            return fault(r, off, "record (header 0x%08x, %u bytes) crosses "
                         "the end of its window (cpu %u, window record at "
                         "offset %llu declares %u bytes, %u left)", hdr, size,
                         c->id, (unsigned long long)s->hdr_off, s->len, left);
        if (size > avail_left)
            goto truncated;
        if (size > inbuf)
            return 0;
        if ((hdr & 0x0fffffffu) == XTE_TRC_TRACE_CPU_CHANGE)
            return fault(r, off, "TRC_TRACE_CPU_CHANGE inside the window of "
                         "cpu %u (window record at offset %llu)", c->id,
                         (unsigned long long)s->hdr_off);
        if (hdr >> 31) {
            uint64_t tsc;

            memcpy(&tsc, p + 4, 8);     /* low word first: little endian */
            c->key = tsc;
        } else {
            c->key = c->last_tsc;
        }
        c->key_size = size;
        return 1;

truncated:
        if (r->stopped) {
            /* Follow mode was stopped mid-window: not a fault. */
            while (c->seg_n)
                pop_seg(c);
            if (!r->cursor)
                r->buffered -= c->wr - c->rd;
            c->rd = c->wr = 0;
            return 0;
        }
        if (avail_left == 0)
            return fault(r, off, "truncated window: the window record of "
                         "cpu %u at offset %llu declares %u bytes, the "
                         "input ends after %u", c->id,
                         (unsigned long long)s->hdr_off, s->len, s->avail);
        return fault(r, off, "truncated record: %u bytes present, the input "
                     "ends (window of cpu %u at offset %llu declares %u "
                     "bytes)", avail_left, c->id,
                     (unsigned long long)s->hdr_off, s->len);
    }
}

/*
 * extra_mask[n][i]: the 64-bit lanes of extra[] a record of n words keeps
 * (all ones for whole words it carries, low half for an odd last word).
 */
static const uint64_t extra_mask[XTE_MAX_EXTRA + 1][4]
    __attribute__((aligned(32))) = {
#define XM_W(n, i) ((n) >= 2 * (i) + 2 ? ~0ull : (n) == 2 * (i) + 1 ? 0xffffffffull : 0ull)
#define XM_ROW(n) { XM_W(n, 0), XM_W(n, 1), XM_W(n, 2), XM_W(n, 3) }
    XM_ROW(0), XM_ROW(1), XM_ROW(2), XM_ROW(3),
    XM_ROW(4), XM_ROW(5), XM_ROW(6), XM_ROW(7),
#undef XM_ROW
#undef XM_W
};

/*
 * Fill rec from the record at p (size bytes, TSC tsc, of pCPU cpu, at file
 * offset off).  The caller advances the pCPU past it.
 */
static inline void emit(struct xte_record *rec, const uint8_t *p,
                        uint32_t size, uint64_t tsc, uint32_t cpu,
                        uint64_t off)
{
    uint32_t hdr, n;

    memcpy(&hdr, p, 4);
    n = (hdr >> 28) & 7u;
    rec->event = hdr & 0x0fffffffu;
    rec->cpu = cpu;
    rec->tsc = tsc;
    rec->has_tsc = (int)(hdr >> 31);
    rec->nr_extra = n;
    rec->offset = off;
    /*
     * A fixed-size load (the buffer has BUF_SLACK readable bytes past its
     * end) in 64-bit lanes, the unused words cleared with a mask, and the
     * lanes stored straight into rec->extra: no per-record branch on the
     * word count, and no round trip through a stack buffer (whose
     * misaligned reload defeated store forwarding and cost ~20 cycles).
     */
    {
        const uint8_t *q = p + size - 4u * n;
        const uint64_t *m = extra_mask[n];
        uint64_t w0, w1, w2, w3;
        uint32_t w6;

        memcpy(&w0, q, 8);
        memcpy(&w1, q + 8, 8);
        memcpy(&w2, q + 16, 8);
        memcpy(&w3, q + 24, 8);
        w0 &= m[0];
        w1 &= m[1];
        w2 &= m[2];
        w6 = (uint32_t)(w3 & m[3]);
        memcpy(&rec->extra[0], &w0, 8);
        memcpy(&rec->extra[2], &w1, 8);
        memcpy(&rec->extra[4], &w2, 8);
        memcpy(&rec->extra[6], &w6, 4);
    }
}

/*
 * Check a window record at off; p holds n bytes of it.  1: *cpu, *len and
 * *size filled; 0: more bytes needed; -1: fault.
 */
static int parse_window(struct xte_reader *r, uint64_t off, const uint8_t *p,
                        size_t n, uint32_t *cpu, uint32_t *len,
                        uint32_t *size)
{
    uint32_t hdr, nx, w[2];
    size_t at;

    if (n < 4)
        return 0;
    memcpy(&hdr, p, 4);
    nx = (hdr >> 28) & 7u;
    if ((hdr & 0x0fffffffu) != XTE_TRC_TRACE_CPU_CHANGE) {
        if (off == r->start_off)
            return fault(r, off, "not a xentrace trace: the first record "
                         "(header 0x%08x) is not TRC_TRACE_CPU_CHANGE", hdr);
        return fault(r, off, "expected a TRC_TRACE_CPU_CHANGE window record "
                     "after the previous window, found header 0x%08x", hdr);
    }
    if (nx < 2)
        return fault(r, off, "TRC_TRACE_CPU_CHANGE with %u extra words "
                     "(needs 2: pCPU and byte count)", nx);
    *size = XTE_REC_BYTES(hdr);
    if (n < *size)
        return 0;
    at = 4 + ((hdr >> 31) ? 8 : 0);
    memcpy(w, p + at, 8);
    *cpu = w[0] & 0xffffu;
    *len = w[1];
    return 1;
}

/* ---- cursor mode: scanner and per-pCPU preads --------------------------- */

static ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = pread(fd, (uint8_t *)buf + got, len - got,
                          (off_t)(off + got));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Read the window record at off into *cpu, *len, *size: 1, or 0 (fault). */
static int read_window(struct xte_reader *r, uint64_t off, uint32_t *cpu,
                       uint32_t *len, uint32_t *size)
{
    uint8_t p[MAX_REC_BYTES];
    size_t want;
    ssize_t n;
    int rc;

    want = r->file_size - off < sizeof(p) ? (size_t)(r->file_size - off)
                                          : sizeof(p);
    n = pread_full(r->fd, p, want, off);
    if (n < 0)
        return fault(r, off, "read failed: %s", strerror(errno)) + 1;
    rc = parse_window(r, off, p, (size_t)n, cpu, len, size);
    if (rc == 0)
        fault(r, off, "truncated window record: %zd bytes before the end of "
              "the file", n);
    return rc > 0;
}

static struct seg *queue_window(struct xte_reader *r, struct cpu *c,
                                uint64_t off, uint32_t len, uint32_t size)
{
    struct seg *s = push_seg(r, c);

    if (!s) {
        fault(r, off, "out of memory");
        return NULL;
    }
    s->hdr_off = off;
    s->off = off + size;
    s->len = len;
    s->avail = r->file_size - s->off < len ? (uint32_t)(r->file_size - s->off)
                                           : len;
    c->queued_off = off;
    return s;
}

/*
 * Walk every window record once before the first delivery: it finds every
 * pCPU and its first and last windows, so that a pCPU whose first window
 * sits late in the file (its buffer filled slowly) still has its records
 * merged in time, and validates the window structure.  Memory stays
 * O(pCPUs); the cost is one small pread per window.
 */
static void prescan(struct xte_reader *r)
{
    uint64_t off = r->start_off;

    r->prescanned = 1;
    if (r->file_size <= r->start_off) {
        fault(r, r->start_off, "empty file: not a xentrace trace");
        return;
    }
    while (off < r->file_size && off < r->cut) {
        uint32_t cpu, len, size;
        struct cpu *c;

        if (!read_window(r, off, &cpu, &len, &size))
            break;
        c = get_cpu(r, cpu, off);
        if (!c)
            break;
        if (c->seg_n == 0 && !queue_window(r, c, off, len, size))
            break;
        c->last_off = off;
        r->stats.windows++;
        r->stats.bytes += size;
        off += size + (uint64_t)len;
    }
}

/* Queue the next window past the scanner; 1 found, 0 none (end, fault). */
static int scan_one(struct xte_reader *r)
{
    uint32_t cpu, len, size;
    struct cpu *c;
    uint64_t off = r->scan_off;

    if (r->scan_eof)
        return 0;
    if (off >= r->cut || off >= r->file_size ||
        !read_window(r, off, &cpu, &len, &size)) {
        r->scan_eof = 1;
        return 0;
    }
    r->scan_off = off + size + (uint64_t)len;
    c = get_cpu(r, cpu, off);
    if (!c) {
        r->scan_eof = 1;
        return 0;
    }
    /* The prescan queued each pCPU's first window already. */
    if (off > c->queued_off && !queue_window(r, c, off, len, size))
        r->scan_eof = 1;
    return 1;
}

/* Load more of the head window of c; 0 or -1 (fault). */
static int load_chunk(struct xte_reader *r, struct cpu *c)
{
    struct seg *s = head_seg(c);
    size_t keep = c->wr - c->rd, want, need;
    ssize_t n;

    if (c->rd) {
        memmove(c->buf, c->buf + c->rd, keep);
        c->rd = 0;
        c->wr = keep;
    }
    want = s->avail - s->have;
    if (want > CHUNK_BYTES)
        want = CHUNK_BYTES;
    need = keep + want;
    if (need > c->cap) {
        uint8_t *b = realloc(c->buf, need + BUF_SLACK);

        if (!b)
            return fault(r, s->off + s->have, "out of memory for a window "
                         "of cpu %u", c->id);
        c->buf = b;
        c->cap = need;
    }
    n = pread_full(r->fd, c->buf + c->wr, want, s->off + s->have);
    if (n < 0)
        return fault(r, s->off + s->have, "read failed: %s", strerror(errno));
    if ((size_t)n < want)       /* the file shrank under us */
        s->avail = s->have + (uint32_t)n;
    c->wr += (size_t)n;
    s->have += (uint32_t)n;
    return 0;
}

/* Cursor mode: parse c's next record, loading windows as needed. */
static int cursor_head(struct xte_reader *r, struct cpu *c)
{
    for (;;) {
        struct seg *s;
        int rc = peek_one(r, c);

        if (rc)
            return rc;
        s = head_seg(c);
        if (s && s->have == 0 && s->hdr_off >= r->cut) {
            while (c->seg_n)
                pop_seg(c);
            s = NULL;
        }
        if (s && s->have < s->avail) {
            if (load_chunk(r, c))
                return -1;
            continue;
        }
        if (s)                  /* cannot happen: peek_one had the bytes */
            return fault(r, s->off + c->seg_pos, "internal: window of cpu "
                         "%u stalled", c->id);
        /* Its last window is known from the prescan: no scan past it. */
        while (c->seg_n == 0 && c->queued_off < c->last_off &&
               !r->scan_eof)
            scan_one(r);
        if (c->seg_n == 0)
            return 0;
    }
}

/* ---- stream mode -------------------------------------------------------- */

static int append(struct xte_reader *r, struct cpu *c, const uint8_t *p,
                  size_t n)
{
    struct seg *s = tail_seg(c);

    if (c->cap - c->wr < n) {
        /* Compact only when it frees at least as much as it moves. */
        if (c->rd && c->rd >= c->wr - c->rd) {
            memmove(c->buf, c->buf + c->rd, c->wr - c->rd);
            c->wr -= c->rd;
            c->rd = 0;
        }
        if (c->cap - c->wr < n) {
            size_t cap = c->cap ? c->cap * 2 : 65536;
            uint8_t *b;

            while (cap - c->wr < n)
                cap *= 2;
            b = realloc(c->buf, cap + BUF_SLACK);
            if (!b)
                return fault(r, r->in_off, "out of memory buffering cpu %u",
                             c->id);
            c->buf = b;
            c->cap = cap;
        }
    }
    memcpy(c->buf + c->wr, p, n);
    c->wr += n;
    s->have += (uint32_t)n;
    r->buffered += n;
    if (c->state == CPU_WAITING)
        push_work(r, c);
    return 0;
}

static void end_input(struct xte_reader *r)
{
    struct seg *s;

    if (r->input_done)
        return;
    r->input_done = 1;
    /* A window still being received ends where the input ended. */
    if (!r->in_hdr && r->body_cpu && (s = tail_seg(r->body_cpu)) != NULL) {
        s->avail = s->have;
        push_work(r, r->body_cpu);
    }
    for (uint32_t i = 0; i < r->nr_all; i++)
        if (r->all[i]->state == CPU_WAITING)
            push_work(r, r->all[i]);
}

/* Route n input bytes to windows; stops at a fault. */
static void consume(struct xte_reader *r, const uint8_t *p, size_t n)
{
    while (n > 0 && !r->failed) {
        if (r->in_hdr) {
            uint32_t cpu, len, size, want;
            size_t take;
            int rc;
            struct cpu *c;
            struct seg *s;

            if (r->hdr_have == 0)
                r->hdr_off = r->in_off;
            want = 4;
            if (r->hdr_have >= 4) {
                uint32_t h;

                memcpy(&h, r->hdr, 4);
                want = XTE_REC_BYTES(h);
            }
            take = want - r->hdr_have < n ? want - r->hdr_have : n;
            memcpy(r->hdr + r->hdr_have, p, take);
            r->hdr_have += (uint32_t)take;
            p += take;
            n -= take;
            r->in_off += take;
            rc = parse_window(r, r->hdr_off, r->hdr, r->hdr_have, &cpu, &len,
                              &size);
            if (rc < 0)
                break;
            if (rc == 0)
                continue;
            r->hdr_have = 0;
            r->stats.windows++;
            r->stats.bytes += size;
            if (cpu < r->cpu_by_id_len && r->cpu_by_id[cpu])
                r->warm = 1;
            c = get_cpu(r, cpu, r->hdr_off);
            s = c ? push_seg(r, c) : NULL;
            if (!s) {
                fault(r, r->hdr_off, "out of memory");
                break;
            }
            s->hdr_off = r->hdr_off;
            s->off = r->in_off;
            s->len = s->avail = len;
            if (len) {
                r->in_hdr = 0;
                r->body_cpu = c;
                r->body_left = len;
            }
        } else {
            size_t take = r->body_left < n ? r->body_left : n;

            if (append(r, r->body_cpu, p, take))
                break;
            p += take;
            n -= take;
            r->in_off += take;
            r->body_left -= (uint32_t)take;
            if (r->body_left == 0)
                r->in_hdr = 1;
        }
    }
    if (r->failed)
        end_input(r);
}

static int stopped(struct xte_reader *r)
{
    if (r->opts.stop && r->opts.stop(r->opts.stop_arg)) {
        r->stopped = 1;
        end_input(r);
        return 1;
    }
    return 0;
}

enum { READ_DATA, READ_IDLE, READ_END };

static int read_more(struct xte_reader *r)
{
    ssize_t n;

    if (r->input_done)
        return READ_END;
    if (r->opts.follow && stopped(r))
        return READ_END;
    if (r->opts.follow && !r->regular) {
        struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
        int rc = poll(&pfd, 1, (int)r->opts.poll_ms);

        if (rc == 0)
            return READ_IDLE;
        if (rc < 0 && errno == EINTR)
            return READ_IDLE;
    }
    n = read(r->fd, r->in, STREAM_BYTES);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return READ_IDLE;
        fault(r, r->in_off, "read failed: %s", strerror(errno));
        end_input(r);
        return READ_END;
    }
    if (n == 0) {
        if (r->opts.follow && r->regular) {
            struct timespec ts = { r->opts.poll_ms / 1000,
                                   (long)(r->opts.poll_ms % 1000) * 1000000 };

            nanosleep(&ts, NULL);
            return READ_IDLE;
        }
        if (r->in_off == 0)
            fault(r, 0, "empty input: not a xentrace trace");
        else if (r->in_hdr && r->hdr_have)
            fault(r, r->hdr_off, "truncated window record: %u bytes before "
                  "the end of the input", r->hdr_have);
        end_input(r);
        return READ_END;
    }
    consume(r, r->in, (size_t)n);
    return READ_DATA;
}

/* ---- delivery ----------------------------------------------------------- */

/* Parse c's next head record and file c accordingly. */
static void settle(struct xte_reader *r, struct cpu *c, int was_top)
{
    int rc = r->cursor ? cursor_head(r, c) : peek_one(r, c);
    enum cpu_state old = c->state;

    if (rc == 1) {
        c->state = CPU_HEAD;
        if (was_top)
            heap_retop(r, c);
        else
            heap_push(r, c);
    } else {
        if (was_top)
            heap_pop(r);
        if (rc < 0) {
            c->state = CPU_FAILED;
            /* Stop reading: nothing at or after the fault is used. */
            if (!r->cursor)
                end_input(r);
        } else if (r->cursor || r->input_done) {
            c->state = CPU_DONE;
        } else {
            c->state = CPU_WAITING;
        }
    }
    if (old == CPU_WAITING && c->state != CPU_WAITING)
        r->n_waiting--;
    else if (old != CPU_WAITING && c->state == CPU_WAITING)
        r->n_waiting++;
}

static void run_work(struct xte_reader *r)
{
    while (r->work_n) {
        struct cpu *c = r->work[--r->work_n];

        c->in_work = 0;
        if (c->state == CPU_WAITING)
            settle(r, c, 0);
    }
}

/*
 * The common case of peek_one(), without a call: the record at p, with
 * left bytes of its window buffered from p on, if it is whole and not a
 * window record.  1 with *tsc (prev_tsc when it carries none) and *size;
 * 0 when the slow path must decide.  Reads 12 bytes at p (BUF_SLACK).
 */
static inline int parse_fast(const uint8_t *p, uint32_t left,
                             uint64_t prev_tsc, uint64_t *tsc, uint32_t *size)
{
    uint32_t hdr;
    uint64_t t;

    if (left < 4)
        return 0;
    memcpy(&hdr, p, 4);
    *size = XTE_REC_BYTES(hdr);
    if (*size > left || (hdr & 0x0fffffffu) == XTE_TRC_TRACE_CPU_CHANGE)
        return 0;
    memcpy(&t, p + 4, 8);
    *tsc = (hdr >> 31) ? t : prev_tsc;
    return 1;
}

/* parse_fast() of c's next record, into c->key and c->key_size. */
static inline int peek_fast(struct cpu *c)
{
    return parse_fast(c->buf + c->rd, head_seg(c)->have - c->seg_pos,
                      c->last_tsc, &c->key, &c->key_size);
}

/*
 * Make the merge tree's top the next record to hand out: 1, or 0 at the end
 * of the input or at a fault (every record before it handed out already).
 * This is the slow path: it loads chunks, reads a stream, waits for pCPUs.
 */
static int prepare(struct xte_reader *r)
{
    if (r->refill) {
        struct cpu *c = r->refill;

        r->refill = NULL;
        if (peek_fast(c))
            heap_retop(r, c);
        else
            settle(r, c, 1);    /* load, wait, end or fault */
    }
    run_work(r);
    if (r->cursor) {
        if (!r->prescanned) {
            prescan(r);
            run_work(r);
        }
    } else {
        /*
         * Until some pCPU's second window arrives, more pCPUs may still
         * show up with earlier records (xentrace writes each pCPU at most
         * once per pass), so nothing is handed out before that.
         */
        while (!r->input_done &&
               (!r->warm || r->n_waiting > 0 || r->heap_n == 0)) {
            int rc;

            if (r->heap_n > 0 && r->buffered >= r->opts.max_buffered)
                break;          /* forced: deliver what we have */
            rc = read_more(r);
            run_work(r);
            if (rc == READ_IDLE && r->heap_n > 0)
                break;          /* live input went quiet: do not hold back */
        }
    }
    return r->heap_n > 0;
}

/* Count a record in the stats as the caller gets it. */
static inline void account(struct xte_reader *r, struct xte_record *rec)
{
    rec->seq = r->stats.records++;
    if (rec->tsc < r->max_tsc)
        r->stats.out_of_order++;
    else
        r->max_tsc = rec->tsc;
    r->stats.bytes += 4u + (rec->has_tsc ? 8u : 0u) + 4u * rec->nr_extra;
    if (XTE_IS_CATALOGUE_EVENT(rec->event)) {
        r->stats.catalogue_events++;
    } else if (rec->event == XTE_TRC_LOST_RECORDS) {
        r->stats.lost_events++;
        if (rec->nr_extra)
            r->stats.lost_records += rec->extra[0];
    } else if (!xte_upstream_event_name(rec->event)) {
        r->stats.unknown_events++;
    }
}

/*
 * Hand out up to max records into out[]; 0 at the end or at a fault.
 *
 * The first record may need the slow path; after it, records are handed
 * out for as long as the pCPU that won last has its next record whole in
 * its buffer, which is exactly when handing them out one call at a time
 * would not have read, waited or held anything back either.  So a batch
 * never delays a record a live reader could have had, and ends where the
 * slow path is needed again.  Stats count a record when the caller gets
 * it: here when out[] is the caller's (counted != 0), else at next().
 */
static unsigned int fill(struct xte_reader *r, struct xte_record *out,
                         unsigned int max, int counted)
{
    unsigned int n = 0;
    struct cpu *c;

    if (!prepare(r))
        return 0;
    /*
     * peek_fast() and the hand-out, with the pCPU's state in locals: every
     * field is loaded before the record is copied (a copy through memcpy
     * may alias anything and would force reloads), and the next record is
     * found from the locals, not from the stores just made.
     */
    for (c = tree_top(r);;) {
        const struct seg *s = head_seg(c);
        const uint8_t *p = c->buf + c->rd;
        uint32_t size = c->key_size, pos = c->seg_pos, have = s->have;
        uint32_t next_size;
        uint64_t tsc = c->key, next_tsc;

        emit(&out[n], p, size, tsc, c->id, s->off + pos);
        if (counted)
            account(r, &out[n]);
        n++;
        p += size;
        pos += size;
        c->rd += size;
        c->seg_pos = pos;
        c->last_tsc = tsc;
        if (!r->cursor)
            r->buffered -= size;
        if (n == max || !parse_fast(p, have - pos, tsc, &next_tsc, &next_size))
            break;
        c->key = next_tsc;
        c->key_size = next_size;
        c = r->all[TAG_LEAF(heap_retop_key(r, c, next_tsc))];
    }
    r->refill = c;
    return n;
}

int xte_reader_next(struct xte_reader *r, struct xte_record *rec)
{
    if (r->dq_pos == r->dq_n) {
        r->dq_pos = 0;
        r->dq_n = fill(r, r->dq, DQ_LEN, 0);
        if (r->dq_n == 0)
            return r->failed ? -1 : 0;
    }
    *rec = r->dq[r->dq_pos++];
    account(r, rec);
    return 1;
}

int xte_reader_next_batch(struct xte_reader *r, struct xte_record *recs,
                          unsigned int max)
{
    unsigned int n = 0;

    if (max == 0)
        return 0;
    /* Records a mixed caller left in next()'s queue come first. */
    while (n < max && r->dq_pos < r->dq_n) {
        recs[n] = r->dq[r->dq_pos++];
        account(r, &recs[n++]);
    }
    if (n < max)
        n += fill(r, recs + n, max - n, 1);
    if (n == 0)
        return r->failed ? -1 : 0;
    return (int)n;
}

/* ---- open / close ------------------------------------------------------- */

struct xte_reader *xte_reader_fdopen(int fd, const char *name,
                                     const struct xte_reader_opts *opts,
                                     struct xte_error *err)
{
    struct xte_reader *r;
    struct stat st;

    if (!name)
        name = "(fd)";
    if (fstat(fd, &st) < 0) {
        xte_set_error(err, name, 0, "cannot stat: %s", strerror(errno));
        return NULL;
    }
    r = calloc(1, sizeof(*r));
    if (!r) {
        xte_set_error(err, name, 0, "out of memory");
        return NULL;
    }
    r->fd = fd;
    snprintf(r->name, sizeof(r->name), "%s", name);
    if (opts)
        r->opts = *opts;
    if (r->opts.poll_ms == 0)
        r->opts.poll_ms = 100;
    if (r->opts.max_buffered == 0)
        r->opts.max_buffered = 64u << 20;
    r->regular = S_ISREG(st.st_mode);
    r->cut = UINT64_MAX;
    r->in_hdr = 1;
    if (r->regular && !r->opts.follow) {
        off_t pos = lseek(fd, 0, SEEK_CUR);

        r->cursor = 1;
        r->file_size = (uint64_t)st.st_size;
        r->start_off = pos > 0 ? (uint64_t)pos : 0;
        r->scan_off = r->start_off;
    } else {
        /*
         * A bigger pipe means fewer wakeups ping-ponging with the writer
         * (a 64 KiB default pipe costs one switch per 64 KiB).  Best effort:
         * the system may cap it (fs.pipe-max-size).
         */
        if (S_ISFIFO(st.st_mode))
            (void)fcntl(fd, F_SETPIPE_SZ, (int)STREAM_BYTES);
        r->in = malloc(STREAM_BYTES);
        if (!r->in) {
            free(r);
            xte_set_error(err, name, 0, "out of memory");
            return NULL;
        }
    }
    return r;
}

struct xte_reader *xte_reader_open(const char *path,
                                   const struct xte_reader_opts *opts,
                                   struct xte_error *err)
{
    struct xte_reader *r;
    int fd;

    if (strcmp(path, "-") == 0)
        return xte_reader_fdopen(0, "(stdin)", opts, err);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        xte_set_error(err, path, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    r = xte_reader_fdopen(fd, path, opts, err);
    if (!r) {
        close(fd);
        return NULL;
    }
    r->own_fd = 1;
    return r;
}

const struct xte_error *xte_reader_error(const struct xte_reader *r)
{
    return &r->err;
}

const struct xte_reader_stats *xte_reader_stats(const struct xte_reader *r)
{
    return &r->stats;
}

void xte_reader_close(struct xte_reader *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; i < r->nr_all; i++) {
        free(r->all[i]->buf);
        free(r->all[i]->segs);
        free(r->all[i]);
    }
    free(r->all);
    free(r->leaf);
    free(r->win);
    free(r->lose);
    free(r->work);
    free(r->cpu_by_id);
    free(r->in);
    if (r->own_fd)
        close(r->fd);
    free(r);
}
