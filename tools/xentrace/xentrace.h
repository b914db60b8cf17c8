/*
 * xentrace.h - libxentrace-ext: read, write and decode xentrace files.
 *
 * The on-disk format is upstream xentrace's, host endian (little endian on
 * x86), a sequence of records:
 *
 *   uint32_t header    bits 0-27 event id, bits 28-30 number of extra
 *                      words (0-7), bit 31 set when a TSC follows
 *   uint64_t tsc       only when bit 31 is set (written as two uint32_t,
 *                      low word first)
 *   uint32_t extra[n]
 *
 * xentrace copies each pCPU's trace buffer out as a "window": a
 * TRC_TRACE_CPU_CHANGE record (0x0001f003, no TSC, two extra words: the
 * pCPU number in the low 16 bits of the first, the window's byte count in
 * the second) followed by that many bytes of the pCPU's records.  Windows
 * of different pCPUs interleave; within one pCPU, time only moves forward.
 *
 * The reader hands out records one at a time, merged across pCPUs in TSC
 * order (the order xenalyze processes them in), with memory bounded by the
 * windows in flight, not by the file.
 */
#ifndef XTE_XENTRACE_H
#define XTE_XENTRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "catalogue.h"

/* Upstream event ids the library itself needs. */
#define XTE_TRC_GEN               0x0001f000u
#define XTE_TRC_LOST_RECORDS      (XTE_TRC_GEN + 1)
#define XTE_TRC_TRACE_WRAP_BUFFER (XTE_TRC_GEN + 2)
#define XTE_TRC_TRACE_CPU_CHANGE  (XTE_TRC_GEN + 3)
#define XTE_TRC_LOST_RECORDS_END  (XTE_TRC_GEN + 0xa)

#define XTE_MAX_EXTRA 7

/* A record's byte count, from its header (see the format above). */
#define XTE_REC_BYTES(hdr) \
    (4u + (((hdr) >> 31) ? 8u : 0u) + 4u * (((hdr) >> 28) & 7u))

/* An error names the input and the byte offset at which it was found. */
struct xte_error {
    char file[256];
    uint64_t offset;
    char msg[256];
};

/* Fill an error and return -1 (printf-style message). */
int xte_set_error(struct xte_error *err, const char *file, uint64_t offset,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "FILE: offset N: MSG" on stream. */
void xte_print_error(FILE *stream, const struct xte_error *err);

struct xte_record {
    uint32_t event;             /* event id, header bits 0-27 */
    uint32_t cpu;               /* pCPU whose buffer held the record */
    uint64_t tsc;               /* its TSC, or the pCPU's previous TSC */
    int has_tsc;                /* the record carried its own TSC */
    unsigned int nr_extra;
    uint32_t extra[XTE_MAX_EXTRA];
    uint64_t offset;            /* byte offset of the record's header */
    uint64_t seq;               /* 0, 1, 2... in delivery (TSC) order */
};

/* ---- reading ------------------------------------------------------------ */

struct xte_reader_opts {
    /*
     * Keep reading at end of input, waiting for more (a file or pipe that
     * xentrace is still writing).  The read returns 0 only when the writer
     * closed a pipe, or when stop() returns non-zero.
     */
    int follow;
    int (*stop)(void *arg);
    void *stop_arg;
    unsigned int poll_ms;       /* follow mode: wait between polls (100) */
    /* Bound on buffered, not yet delivered bytes (default 64 MiB). */
    size_t max_buffered;
};

struct xte_reader_stats {
    uint64_t records;           /* records delivered (windows excluded) */
    uint64_t bytes;             /* bytes consumed */
    uint64_t windows;           /* TRC_TRACE_CPU_CHANGE records */
    uint64_t lost_events;       /* TRC_LOST_RECORDS records */
    uint64_t lost_records;      /* sum of their lost counts */
    uint64_t catalogue_events;  /* records of our subclass */
    uint64_t unknown_events;    /* neither ours nor known upstream */
    uint64_t out_of_order;      /* delivered with a TSC below a previous one */
    unsigned int max_cpu;       /* highest pCPU number seen */
};

struct xte_reader;

/* path "-" reads standard input.  NULL opts: defaults. */
struct xte_reader *xte_reader_open(const char *path,
                                   const struct xte_reader_opts *opts,
                                   struct xte_error *err);
/* Read from fd (not closed by the library); name is used in errors. */
struct xte_reader *xte_reader_fdopen(int fd, const char *name,
                                     const struct xte_reader_opts *opts,
                                     struct xte_error *err);
/*
 * Next record in TSC order: 1 and *rec filled, 0 at the end, -1 on
 * malformed input (every good record before the fault has been delivered;
 * xte_reader_error() names the file and the offset).  A file truncated in
 * the middle of a record ends with -1 after all complete records.
 * Window records are consumed, not delivered; TRC_LOST_RECORDS is
 * delivered (and counted in the stats).
 */
int xte_reader_next(struct xte_reader *r, struct xte_record *rec);
/*
 * Up to max records at once, in the same order and with the same results
 * as that many xte_reader_next() calls: the number handed out, 0 at the
 * end, -1 on malformed input once every good record before the fault has
 * been handed out.  A batch may be short: it ends wherever the reader has
 * to read, wait or load more, so a live (follow mode) reader never holds a
 * record back to fill one.  The cheaper way to read a whole trace.
 */
int xte_reader_next_batch(struct xte_reader *r, struct xte_record *recs,
                          unsigned int max);
const struct xte_error *xte_reader_error(const struct xte_reader *r);
const struct xte_reader_stats *xte_reader_stats(const struct xte_reader *r);
void xte_reader_close(struct xte_reader *r);

/* ---- writing ------------------------------------------------------------ */

struct xte_writer;

/*
 * Writes windows the way xentrace does: records are buffered per pCPU and
 * each buffer is written as one TRC_TRACE_CPU_CHANGE window when it fills
 * (window_bytes, default 64 KiB) or on flush.  path "-": standard output.
 * The writer is not thread-safe: one thread adds, or the caller locks.
 */
struct xte_writer *xte_writer_open(const char *path, unsigned int nr_cpus,
                                   size_t window_bytes,
                                   struct xte_error *err);
struct xte_writer *xte_writer_fdopen(int fd, const char *name,
                                     unsigned int nr_cpus,
                                     size_t window_bytes,
                                     struct xte_error *err);
int xte_writer_add(struct xte_writer *w, unsigned int cpu, uint32_t event,
                   int with_tsc, uint64_t tsc, const uint32_t *extra,
                   unsigned int nr_extra);
/* Write pre-encoded records of one pCPU as one window. */
int xte_writer_window(struct xte_writer *w, unsigned int cpu,
                      const void *bytes, size_t len);
int xte_writer_flush(struct xte_writer *w);
/* Flushes, closes the file (not an fd given to fdopen), frees.  0 or -1. */
int xte_writer_close(struct xte_writer *w);
const struct xte_error *xte_writer_error(const struct xte_writer *w);

/*
 * Encode one record into buf (at least 4 + 8 + 4 * XTE_MAX_EXTRA bytes).
 * Returns its length in bytes.  Used by the harness's per-pCPU buffers.
 */
size_t xte_encode_record(void *buf, uint32_t event, int with_tsc,
                         uint64_t tsc, const uint32_t *extra,
                         unsigned int nr_extra);

/* ---- decoding ----------------------------------------------------------- */

/*
 * Time base: TSC ticks per second, from the trace's RUN_INFO record or the
 * user's --cpu-hz; first_tsc is the TSC that maps to time 0.
 */
struct xte_timebase {
    uint64_t cpu_hz;
    uint64_t first_tsc;
    int have_first;
};

/*
 * Parse a TSC frequency as the tools' --cpu-hz takes it: "2400000000",
 * "2.4e9", "2.4G", "2400M", "2.4GHz".  0, or -1 for anything outside
 * 1 kHz .. 1 THz or not a number.
 */
int xte_parse_hz(const char *s, uint64_t *hz);

/* Nanoseconds since first_tsc (first_tsc is set from the first call). */
uint64_t xte_tsc_to_ns(struct xte_timebase *tb, uint64_t tsc);

/* Upstream event name the library knows (e.g. "TRC_SCHED_SWITCH"), or NULL. */
const char *xte_upstream_event_name(uint32_t event);

/*
 * One line (no newline) for a record, as `xenalyze-ext --dump` prints it:
 *   "<seconds.ns> cpu<N> <NAME> field=value ..."   catalogue events
 *   "<seconds.ns> cpu<N> <UPSTREAM_NAME> [ 0x... ]"  known upstream events
 *   "<seconds.ns> cpu<N> event 0x%08x [ 0x... ]"     anything else
 * Returns the length snprintf would have written.
 */
int xte_format_record(const struct xte_record *rec, struct xte_timebase *tb,
                      char *buf, size_t len);

/* ---- database files ------------------------------------------------------ */

/*
 * path as sqlite3_open_v2() must get it to open that very file, never a
 * temporary or in-memory database or a URI: into buf ("./NAME" for a
 * relative NAME).  NULL if it does not fit in len bytes.
 */
const char *xte_db_file(const char *path, char *buf, size_t len);

/* The schema version schemas/schema.sql builds (its schema_version row). */
#define XTE_SCHEMA_VERSION 1

struct sqlite3;
/*
 * The writers' contract (schemas/README.md): a database of another schema
 * version is refused, naming the file and both versions.  0 when db (path)
 * has XTE_SCHEMA_VERSION or no schema_version table at all (a new file:
 * whether it is someone else's is the caller's question); -1 with err set
 * ("this TOOL's" in its message) otherwise.
 */
int xte_db_check_version(struct sqlite3 *db, const char *path,
                         const char *tool, struct xte_error *err);

#endif /* XTE_XENTRACE_H */
