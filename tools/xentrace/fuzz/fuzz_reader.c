/*
 * fuzz_reader - libFuzzer target for the trace reader.
 *
 * Each input is read twice: from a memory file (cursor mode: prescan and
 * per-pCPU preads) and through a pipe (stream mode), and every record is
 * rendered by the decoder.  Besides crashes and sanitizer reports, the two
 * modes must agree: both fail or both succeed, and on success they deliver
 * the same number of records with the same per-pCPU sequences.  The file
 * is also read with xte_reader_next_batch() (batches of 1 to 61 records),
 * which must give exactly what single calls gave: result, records, order.
 *
 * The same check replays the committed corpus in `make check`
 * (tools/xentrace/tests/test_fuzz_corpus.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xentrace.h"

int xte_fuzz_check(const uint8_t *data, size_t size);

struct outcome {
    int rc;
    uint64_t records;
    uint64_t order;             /* hash of the whole delivered sequence */
    uint64_t hash;              /* order-independent across pCPUs */
    uint64_t cpu_hash[4];       /* per-pCPU sequence hashes, pCPUs mod 4 */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

/* Fold one delivered record into the outcome, and render it. */
static void see(struct outcome *o, const struct xte_record *rec)
{
    struct xte_timebase tb = { .cpu_hz = 1000000000u };
    uint64_t h = mix(mix(rec->event, rec->tsc), rec->offset);
    char line[512];

    for (unsigned int i = 0; i < rec->nr_extra; i++)
        h = mix(h, rec->extra[i]);
    if (rec->nr_extra > XTE_MAX_EXTRA || rec->cpu > 0xffff ||
        rec->seq != o->records)
        abort();
    o->cpu_hash[rec->cpu % 4] = mix(o->cpu_hash[rec->cpu % 4], h);
    o->hash += h;
    o->order = mix(o->order, h);
    o->records++;
    if (xte_format_record(rec, &tb, line, sizeof(line)) < 0)
        abort();
}

static void finish(struct xte_reader *r, struct outcome *o)
{
    if (o->rc == -1 && xte_reader_error(r)->msg[0] == '\0')
        abort();                /* a failure always says why */
    if (xte_reader_stats(r)->records != o->records)
        abort();
}

/* batch: 0, one xte_reader_next() call a record; else batches. */
static void drain(struct xte_reader *r, struct outcome *o, int batch)
{
    struct xte_record recs[61];
    unsigned int k = 0;

    memset(o, 0, sizeof(*o));
    if (!batch) {
        while ((o->rc = xte_reader_next(r, &recs[0])) == 1)
            see(o, &recs[0]);
    } else {
        for (;;) {
            unsigned int max = 1 + (k++ * 7) % 61;
            int got = xte_reader_next_batch(r, recs, max);

            if (got <= 0) {
                o->rc = got;
                break;
            }
            if ((unsigned int)got > max)
                abort();
            for (int i = 0; i < got; i++)
                see(o, &recs[i]);
        }
    }
    finish(r, o);
}

static int via_memfd(const uint8_t *data, size_t size, struct outcome *o,
                     int batch)
{
    struct xte_error err;
    struct xte_reader *r;
    int fd = memfd_create("fuzz", MFD_CLOEXEC);

    if (fd < 0)
        return -1;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    lseek(fd, 0, SEEK_SET);
    r = xte_reader_fdopen(fd, "fuzz-file", NULL, &err);
    if (!r)
        abort();
    drain(r, o, batch);
    xte_reader_close(r);
    close(fd);
    return 0;
}

static int via_pipe(const uint8_t *data, size_t size, struct outcome *o)
{
    struct xte_error err;
    struct xte_reader *r;
    int fds[2];
    int cap;

    if (pipe2(fds, O_CLOEXEC))
        return -1;
    cap = fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    if (cap < 0 || (size_t)cap < size) {
        close(fds[0]);
        close(fds[1]);
        return -1;              /* too big to pass without a thread */
    }
    if (size && write(fds[1], data, size) != (ssize_t)size) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    close(fds[1]);
    r = xte_reader_fdopen(fds[0], "fuzz-pipe", NULL, &err);
    if (!r)
        abort();
    drain(r, o, 0);
    xte_reader_close(r);
    close(fds[0]);
    return 0;
}

int xte_fuzz_check(const uint8_t *data, size_t size)
{
    struct outcome file, pipe, batched;

    if (via_memfd(data, size, &file, 0))
        return 0;
    if (via_memfd(data, size, &batched, 1))
        return 0;
    if (batched.rc != file.rc || batched.records != file.records ||
        batched.order != file.order) {
        fprintf(stderr, "batches disagree with single records: rc %d vs %d, "
                "%llu vs %llu records\n", batched.rc, file.rc,
                (unsigned long long)batched.records,
                (unsigned long long)file.records);
        abort();
    }
    if (via_pipe(data, size, &pipe))
        return 0;
    if ((file.rc < 0) != (pipe.rc < 0)) {
        fprintf(stderr, "modes disagree: file rc %d, pipe rc %d\n", file.rc,
                pipe.rc);
        abort();
    }
    if (file.rc == 0 &&
        (file.records != pipe.records || file.hash != pipe.hash ||
         memcmp(file.cpu_hash, pipe.cpu_hash, sizeof(file.cpu_hash)))) {
        fprintf(stderr, "modes disagree: %llu vs %llu records\n",
                (unsigned long long)file.records,
                (unsigned long long)pipe.records);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return xte_fuzz_check(data, size);
}
