/*
 * sqlite_ingest.h - put a trace into the post-mortem store
 * (schemas/schema.sql, schemas/README.md).
 *
 * The ingest rides along the analysis pass: db_add() is called for every
 * record after xa_feed(), so a trace is read once whatever is asked of it.
 * Rows go through prepared statements in transactions of
 * XA_DB_BATCH rows, in WAL mode.  A run becomes visible (runs.complete = 1)
 * only in the last transaction, so a process killed half way leaves a
 * consistent database; the next ingest of the same file finds the
 * incomplete run by its identity, deletes it and starts again, and an
 * ingest of a file already complete in the database adds nothing.
 */
#ifndef XA_SQLITE_INGEST_H
#define XA_SQLITE_INGEST_H

#include <stddef.h>

#include "analysis.h"

#define XA_DB_BATCH       65536u

struct xa_db;

/*
 * Open or create the database and bring its schema to XTE_SCHEMA_VERSION,
 * or refuse: NULL and a message naming the file in err.
 */
struct xa_db *db_open(const char *path, char *err, size_t errlen);

/*
 * Identity of a regular file ("trace:<bytes>:<hash>"), read in full before
 * ingest.  -1 for a pipe or anything not a regular file: the identity is
 * then taken from the record stream at the end.
 */
int db_file_identity(const char *path, char *buf, size_t len);

/*
 * Start a run.  identity NULL: from the stream.  Returns 0 to go on, 1 when
 * a complete run with this identity exists (*existing set, nothing to do),
 * -1 on error (message in err).
 */
int db_run_begin(struct xa_db *db, const char *identity, const char *source,
                 long long *existing, char *err, size_t errlen);
/* One record, after xa_feed() saw it.  0 or -1. */
int db_add(struct xa_db *db, struct xa_analysis *a,
           const struct xte_record *rec);
/*
 * Finish: host shape, counts and complete = 1, in one transaction.
 * status: the reader's error, or NULL.  Returns 0, 1 if a stream turned
 * out to be a duplicate of a complete run (the new rows are dropped,
 * *existing set), -1 on error.
 */
int db_run_end(struct xa_db *db, struct xa_analysis *a,
               const struct xte_reader_stats *st, const char *status,
               long long *existing, char *err, size_t errlen);
/* sqlite's words for the last failure (after db_add() returned -1). */
const char *db_errmsg(const struct xa_db *db);
long long db_run_id(const struct xa_db *db);
uint64_t db_rows(const struct xa_db *db);
void db_close(struct xa_db *db);

#endif /* XA_SQLITE_INGEST_H */
