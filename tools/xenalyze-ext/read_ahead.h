/*
 * read_ahead.h - decode the trace on a second thread.
 *
 * Reading and merging the per-pCPU windows costs about as much as the
 * analysis of the records, so a reader thread fills batches of records
 * while the main thread analyses the previous ones.  Records arrive in
 * exactly the order xte_reader_next() gives them; only the thread that
 * calls the reader changes.  The reader is touched by the reader thread
 * alone until read_ahead_stop() has joined it.
 */
#ifndef XA_READ_AHEAD_H
#define XA_READ_AHEAD_H

#include "xentrace.h"

struct xa_read_ahead;

/* NULL if no thread could be started: call xte_reader_next() directly. */
struct xa_read_ahead *read_ahead_start(struct xte_reader *rd);
/* As xte_reader_next(): 1 and *rec set (valid until the next call), 0 at
 * the end, -1 when the reader failed (xte_reader_error() after stop). */
int read_ahead_next(struct xa_read_ahead *ra, const struct xte_record **rec);
/* As read_ahead_next(), but up to max records at once: *n of them from
 * *recs on (valid until the next call), in order. */
int read_ahead_next_n(struct xa_read_ahead *ra,
                      const struct xte_record **recs, unsigned int max,
                      unsigned int *n);
/* Stops the thread (early if need be) and frees; the reader is then the
 * caller's again. */
void read_ahead_stop(struct xa_read_ahead *ra);

#endif /* XA_READ_AHEAD_H */
