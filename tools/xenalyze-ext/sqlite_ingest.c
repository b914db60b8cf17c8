/*
 * sqlite_ingest.c - the trace -> sqlite path.  See sqlite_ingest.h for the
 * guarantees and schemas/README.md for the contract shared with xentop-pi.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sqlite_ingest.h"

extern const char xa_schema_sql[];
extern const char xa_catalogue_sql[];

/* Upstream rows the store keeps besides the catalogue's. */
enum { ST_LOST, ST_RUNSTATE, NR_ST };

/*
 * Rows of one table wait here until XA_DB_ROWS of them go in with one
 * multi-row INSERT: per-statement overhead, not the b-tree, was most of an
 * insert's cost.  A partial group goes row by row before each COMMIT.
 */
#define XA_DB_ROWS     64   /* x 12 columns: under the 999-variable limit */
#define XA_DB_MAXCOLS  (5 + XTE_MAX_EXTRA)

struct table_writer {
    sqlite3_stmt *one, *many;
    unsigned int ncols, nrows;
    sqlite3_int64 v[XA_DB_ROWS][XA_DB_MAXCOLS];
};

struct xa_db {
    sqlite3 *db;
    char *path;
    long long run_id;
    int stream_identity;             /* identity known only at the end */
    char *source;                    /* the trace as named */
    struct table_writer tw[XTE_NR_EVENTS + NR_ST];
    uint64_t rows, in_batch;
    uint64_t hash, hashed;           /* stream identity */
    uint64_t ticks_rows_below_seq;   /* rows written before cpu_hz known */
    int wrote_ticks;
    uint64_t kill_after;             /* test hook, see db_add */
};

static int fail(char *err, size_t len, const char *path, sqlite3 *db,
                const char *what)
{
    snprintf(err, len, "%s: %s%s%s", path, what, db ? ": " : "",
             db ? sqlite3_errmsg(db) : "");
    return -1;
}

static int exec(struct xa_db *d, const char *sql, char *err, size_t len)
{
    char *msg = NULL;

    if (sqlite3_exec(d->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, len, "%s: %s", d->path, msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* "ev_pi_list_add" for PI_LIST_ADD: the generated table's name. */
static void event_table(const struct xte_event_desc *ev, char *buf,
                        size_t len)
{
    size_t k = 0;

    k += (size_t)snprintf(buf, len, "ev_");
    for (const char *c = ev->name; *c && k + 1 < len; c++)
        buf[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    buf[k] = 0;
}

/* ---- schema ------------------------------------------------------------ */

/* schema.sql runs in two halves around its `.read catalogue.sql` line. */
static int create_schema(struct xa_db *d, char *err, size_t len)
{
    const char *mark = strstr(xa_schema_sql, "\n.read catalogue.sql");
    char *head;
    int rc;

    if (!mark)
        return fail(err, len, d->path, NULL,
                    "built-in schema has no '.read catalogue.sql' line");
    head = strndup(xa_schema_sql, (size_t)(mark - xa_schema_sql) + 1);
    if (!head)
        abort();
    rc = exec(d, head, err, len);
    free(head);
    if (rc || exec(d, xa_catalogue_sql, err, len) ||
        exec(d, strchr(mark + 1, '\n'), err, len))
        return -1;
    return 0;
}

static int table_exists(struct xa_db *d, const char *name)
{
    sqlite3_stmt *s;
    int found = 0;

    if (sqlite3_prepare_v2(d->db, "SELECT 1 FROM sqlite_master WHERE "
                           "type = 'table' AND name = ?", -1, &s, NULL))
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return found;
}

/*
 * Upgrade steps from each older version to the next would go here; version
 * 1 is the first, so an older or unversioned database is refused.
 */
static int check_version(struct xa_db *d, char *err, size_t len)
{
    sqlite3_stmt *s;
    struct xte_error e;
    int rc, any;

    rc = sqlite3_prepare_v2(d->db, "SELECT COUNT(*) FROM sqlite_master",
                            -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail(err, len, d->path, d->db, "cannot read the database");
    rc = sqlite3_step(s);
    any = rc == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return fail(err, len, d->path, d->db, "cannot read the database");
    if (!any)
        return 0;                            /* new, empty: create */
    if (table_exists(d, "schema_version") != 1) {
        snprintf(err, len, "%s: not a xen-vtd-scale database (it has tables "
                 "but no schema_version table); this xenalyze-ext writes "
                 "schema version %d: use another file", d->path,
                 XTE_SCHEMA_VERSION);
        return -1;
    }
    if (xte_db_check_version(d->db, d->path, "xenalyze-ext", &e) < 0) {
        snprintf(err, len, "%s: %s", e.file, e.msg);
        return -1;
    }
    return 0;
}

/* The single-row and the XA_DB_ROWS-row INSERT of one table. */
static int prepare_table(struct xa_db *d, struct table_writer *tw,
                         const char *table, const char *const *cols,
                         unsigned int ncols, int quote, char *err,
                         size_t len)
{
    char head[512], row[256], *sql;
    size_t n = 0, r = 0, cap;

    n += (size_t)snprintf(head + n, sizeof(head) - n, "INSERT INTO %s (",
                          table);
    for (unsigned int i = 0; i < ncols; i++)
        n += (size_t)snprintf(head + n, sizeof(head) - n,
                              quote ? "%s\"%s\"" : "%s%s", i ? ", " : "",
                              cols[i]);
    snprintf(head + n, sizeof(head) - n, ") VALUES ");
    r += (size_t)snprintf(row + r, sizeof(row) - r, "(");
    for (unsigned int i = 0; i < ncols; i++)
        r += (size_t)snprintf(row + r, sizeof(row) - r, i ? ", ?" : "?");
    snprintf(row + r, sizeof(row) - r, ")");
    cap = strlen(head) + XA_DB_ROWS * (strlen(row) + 2) + 1;
    sql = malloc(cap);
    if (!sql)
        abort();
    snprintf(sql, cap, "%s%s", head, row);
    if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &tw->one, NULL) != SQLITE_OK)
        goto fail;
    for (unsigned int k = 1; k < XA_DB_ROWS; k++)
        strcat(strcat(sql, ", "), row);
    if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &tw->many, NULL) != SQLITE_OK)
        goto fail;
    free(sql);
    tw->ncols = ncols;
    return 0;
fail:
    free(sql);
    return fail(err, len, d->path, d->db, "preparing an insert");
}

static int prepare(struct xa_db *d, char *err, size_t len)
{
    static const char *const lost_cols[] = {
        "run_id", "seq", "tsc", "t_ns", "cpu", "count", "first_tsc",
        "hidden_ns",
    };
    static const char *const runstate_cols[] = {
        "run_id", "seq", "tsc", "t_ns", "cpu", "domid", "vcpu", "old_state",
        "new_state",
    };
    const char *cols[XA_DB_MAXCOLS] = { "run_id", "seq", "tsc", "t_ns", "cpu" };
    char table[64];

    for (unsigned int e = 0; e < XTE_NR_EVENTS; e++) {
        const struct xte_event_desc *ev = &xte_events[e];

        event_table(ev, table, sizeof(table));
        for (unsigned int i = 0; i < ev->nr_fields; i++)
            cols[5 + i] = ev->fields[i].name;
        if (prepare_table(d, &d->tw[e], table, cols, 5 + ev->nr_fields, 1,
                          err, len))
            return -1;
    }
    if (prepare_table(d, &d->tw[XTE_NR_EVENTS + ST_LOST], "lost_records",
                      lost_cols, 8, 0, err, len) ||
        prepare_table(d, &d->tw[XTE_NR_EVENTS + ST_RUNSTATE], "runstate",
                      runstate_cols, 9, 0, err, len))
        return -1;
    return 0;
}

struct xa_db *db_open(const char *path, char *err, size_t errlen)
{
    struct xa_db *d = calloc(1, sizeof(*d));
    const char *kill = getenv("XENALYZE_EXT_TEST_KILL_AFTER");
    char file[PATH_MAX + 2];

    if (!d)
        abort();
    d->path = strdup(path);
    if (kill)
        d->kill_after = strtoull(kill, NULL, 10);
    if (!xte_db_file(path, file, sizeof(file))) {
        fail(err, errlen, path, NULL, "file name too long");
        db_close(d);
        return NULL;
    }
    if (sqlite3_open_v2(file, &d->db, SQLITE_OPEN_READWRITE |
                        SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fail(err, errlen, path, d->db, "cannot open");
        db_close(d);
        return NULL;
    }
    sqlite3_busy_timeout(d->db, 10000);
    if (check_version(d, err, errlen) ||
        exec(d, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
             "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; "
             "PRAGMA temp_store = MEMORY", err, errlen) ||
        exec(d, "BEGIN IMMEDIATE", err, errlen) ||
        create_schema(d, err, errlen) ||
        exec(d, "COMMIT", err, errlen) ||
        prepare(d, err, errlen)) {
        db_close(d);
        return NULL;
    }
    return d;
}

/* ---- identity ------------------------------------------------------------ */

/* A 64-bit hash of 8-byte words; not cryptographic, it tells traces apart. */
static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w * 0x9e3779b97f4a7c15ull;
    h = (h << 31 | h >> 33) * 0xbf58476d1ce4e5b9ull;
    return h;
}

int db_file_identity(const char *path, char *buf, size_t len)
{
    static uint64_t block[1 << 15];                  /* 256 KiB */
    struct stat sb;
    uint64_t h = 0x6a09e667f3bcc908ull, total = 0;
    ssize_t n;
    int fd;

    if (strcmp(path, "-") == 0)
        return -1;
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return -1;
    }
    while ((n = read(fd, block, sizeof(block))) > 0) {
        size_t words = (size_t)n / 8;

        if (n % 8)                       /* zero the tail word's rest */
            memset((char *)block + n, 0, 8 - (size_t)(n % 8)), words++;
        for (size_t i = 0; i < words; i++)
            h = mix(h, block[i]);
        total += (uint64_t)n;
    }
    close(fd);
    if (n < 0)
        return -1;
    h = mix(h, total);
    snprintf(buf, len, "trace:%llu:%016llx", (unsigned long long)total,
             (unsigned long long)h);
    return 0;
}

/* ---- runs ---------------------------------------------------------------- */

static const char *const run_tables[] = {
    "host_meta", "pcpus", "domains", "vcpus", "lost_records", "runstate",
    "unknown_events",
};

static int delete_run(struct xa_db *d, long long run_id, char *err,
                      size_t len)
{
    char sql[128];

    for (unsigned int e = 0; e < XTE_NR_EVENTS; e++) {
        char lo[64];

        event_table(&xte_events[e], lo, sizeof(lo));
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE run_id = %lld",
                 lo, run_id);
        if (exec(d, sql, err, len))
            return -1;
    }
    for (unsigned int t = 0; t < sizeof(run_tables) / sizeof(*run_tables);
         t++) {
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE run_id = %lld",
                 run_tables[t], run_id);
        if (exec(d, sql, err, len))
            return -1;
    }
    snprintf(sql, sizeof(sql), "DELETE FROM runs WHERE run_id = %lld",
             run_id);
    return exec(d, sql, err, len);
}

/* run_id and completeness of the run with this identity; 0 if none. */
static long long find_run(struct xa_db *d, const char *identity,
                          int *complete)
{
    sqlite3_stmt *s;
    long long id = 0;

    if (sqlite3_prepare_v2(d->db, "SELECT run_id, complete FROM runs WHERE "
                           "identity = ?", -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, identity, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0);
        *complete = sqlite3_column_int(s, 1);
    }
    sqlite3_finalize(s);
    return id;
}

/*
 * A run read from a pipe is named 'pending:<host>:<pid>:<time>' until its
 * end, when its content identity is known.  One whose ingest was killed
 * can never be matched by content, so it is removed here instead, once
 * its process is gone (same host only: another host's pid means nothing).
 */
static int drop_dead_pending(struct xa_db *d, const char *host, char *err,
                             size_t errlen)
{
    long long ids[64];
    unsigned int n = 0;
    sqlite3_stmt *s;
    char prefix[192];

    snprintf(prefix, sizeof(prefix), "pending:%s:", host);
    if (sqlite3_prepare_v2(d->db, "SELECT run_id, identity FROM runs WHERE "
                           "complete = 0 AND substr(identity, 1, ?2) = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(err, errlen, d->path, d->db, "reading runs");
    sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, (int)strlen(prefix));
    while (n < 64 && sqlite3_step(s) == SQLITE_ROW) {
        const char *idn = (const char *)sqlite3_column_text(s, 1);
        long pid = idn ? strtol(idn + strlen(prefix), NULL, 10) : 0;

        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            ids[n++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    for (unsigned int i = 0; i < n; i++)
        if (delete_run(d, ids[i], err, errlen))
            return -1;
    return 0;
}

int db_run_begin(struct xa_db *d, const char *identity, const char *source,
                 long long *existing, char *err, size_t errlen)
{
    char pending[384], host[256] = "localhost";
    sqlite3_stmt *s;
    long long id;
    int complete = 0;

    if (exec(d, "BEGIN IMMEDIATE", err, errlen))
        return -1;
    if (gethostname(host, sizeof(host)) != 0)
        strcpy(host, "localhost");
    host[sizeof(host) - 1] = 0;
    if (drop_dead_pending(d, host, err, errlen))
        goto rollback;
    if (identity) {
        id = find_run(d, identity, &complete);
        if (id < 0) {
            fail(err, errlen, d->path, d->db, "reading runs");
            goto rollback;
        }
        if (id && complete) {
            *existing = id;
            exec(d, "ROLLBACK", err, errlen);
            return 1;
        }
        /* killed half way last time: start that run again */
        if (id && delete_run(d, id, err, errlen))
            goto rollback;
    } else {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(pending, sizeof(pending), "pending:%s:%ld:%lld.%09ld",
                 host, (long)getpid(), (long long)ts.tv_sec, ts.tv_nsec);
        identity = pending;
        d->stream_identity = 1;
    }
    if (sqlite3_prepare_v2(d->db, "INSERT INTO runs (identity, tool, source) "
                           "VALUES (?, 'xenalyze-ext', ?)", -1, &s,
                           NULL) != SQLITE_OK) {
        fail(err, errlen, d->path, d->db, "inserting the run");
        goto rollback;
    }
    sqlite3_bind_text(s, 1, identity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, source, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_finalize(s);
        fail(err, errlen, d->path, d->db, "inserting the run");
        goto rollback;
    }
    sqlite3_finalize(s);
    d->run_id = sqlite3_last_insert_rowid(d->db);
    free(d->source);
    d->source = strdup(source);
    /* the run row is committed at once: a kill leaves it, incomplete */
    if (exec(d, "COMMIT", err, errlen) || exec(d, "BEGIN", err, errlen))
        return -1;
    d->hash = 0x6a09e667f3bcc908ull;
    return 0;
rollback:
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* ---- rows ------------------------------------------------------------ */

static int step(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int flush_full(struct table_writer *tw)
{
    int k = 1;

    for (unsigned int r = 0; r < XA_DB_ROWS; r++)
        for (unsigned int c = 0; c < tw->ncols; c++)
            sqlite3_bind_int64(tw->many, k++, tw->v[r][c]);
    tw->nrows = 0;
    return step(tw->many);
}

/* Rows short of a full group, one statement each (before a COMMIT). */
static int flush_partial(struct xa_db *d)
{
    for (unsigned int t = 0; t < XTE_NR_EVENTS + NR_ST; t++) {
        struct table_writer *tw = &d->tw[t];

        for (unsigned int r = 0; r < tw->nrows; r++) {
            for (unsigned int c = 0; c < tw->ncols; c++)
                sqlite3_bind_int64(tw->one, (int)c + 1, tw->v[r][c]);
            if (step(tw->one))
                return -1;
        }
        tw->nrows = 0;
    }
    return 0;
}

int db_add(struct xa_db *d, struct xa_analysis *a,
           const struct xte_record *rec)
{
    const struct xte_event_desc *ev = NULL;
    struct table_writer *tw = NULL;
    sqlite3_int64 *v;
    uint64_t t;
    int k = 0;

    if (d->stream_identity) {
        d->hash = mix(d->hash, (uint64_t)rec->event << 32 | rec->cpu);
        d->hash = mix(d->hash, rec->tsc);
        for (unsigned int i = 0; i < rec->nr_extra; i++)
            d->hash = mix(d->hash, rec->extra[i]);
        d->hashed++;
    }
    ev = xte_event_by_id(rec->event);
    if (ev)
        tw = &d->tw[ev - xte_events];
    else if (rec->event == XTE_TRC_LOST_RECORDS)
        tw = &d->tw[XTE_NR_EVENTS + ST_LOST];
    else if (xa_is_runstate_change(rec->event))
        tw = &d->tw[XTE_NR_EVENTS + ST_RUNSTATE];
    if (!tw)
        return 0;

    t = xa_tsc_to_rel(a, rec->tsc);
    if (!a->cpu_hz) {
        d->wrote_ticks = 1;
        d->ticks_rows_below_seq = rec->seq + 1;
    }
    v = tw->v[tw->nrows];
    v[k++] = d->run_id;
    v[k++] = (sqlite3_int64)rec->seq;
    v[k++] = (sqlite3_int64)rec->tsc;
    v[k++] = (sqlite3_int64)t;
    v[k++] = rec->cpu;
    if (ev) {
        for (unsigned int i = 0; i < ev->nr_fields; i++)
            v[k++] = (sqlite3_int64)xte_field_value(&ev->fields[i],
                                                    rec->extra,
                                                    rec->nr_extra);
    } else if (rec->event == XTE_TRC_LOST_RECORDS) {
        uint64_t first = rec->nr_extra > 3
            ? rec->extra[2] | (uint64_t)rec->extra[3] << 32 : rec->tsc;

        v[k++] = rec->nr_extra ? rec->extra[0] : 0;
        v[k++] = (sqlite3_int64)first;
        v[k++] = (sqlite3_int64)xa_ticks_to_ns(
            a, rec->tsc > first ? rec->tsc - first : 0);
    } else {
        uint32_t w0 = rec->nr_extra > 0 ? rec->extra[0] : 0;
        uint32_t w1 = rec->nr_extra > 1 ? rec->extra[1] : 0;

        v[k++] = w0 >> 16;
        v[k++] = w0 & 0xffff;
        v[k++] = w1 & 0xf;
        v[k++] = (w1 >> 4) & 0xf;
    }
    if (++tw->nrows == XA_DB_ROWS && flush_full(tw))
        return -1;
    d->rows++;
    if (++d->in_batch >= XA_DB_BATCH) {
        if (flush_partial(d) ||
            sqlite3_exec(d->db, "COMMIT; BEGIN", NULL, NULL, NULL))
            return -1;
        d->in_batch = 0;
    }
    /*
     * Test hook: the kill-mid-ingest test sets XENALYZE_EXT_TEST_KILL_AFTER
     * to die by SIGKILL, like an administrator's kill -9, after that many
     * rows (the batches before it are committed, the current one is not).
     */
    if (d->kill_after && d->rows == d->kill_after)
        raise(SIGKILL);
    return 0;
}

/* ---- the closing transaction ------------------------------------------- */

static int put(struct xa_db *d, const char *sql, const sqlite3_int64 *v,
               const int *is_null, int n, const char *text, int text_at)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        if (i + 1 == text_at)
            sqlite3_bind_text(s, i + 1, text, -1, SQLITE_TRANSIENT);
        else if (is_null && is_null[i])
            sqlite3_bind_null(s, i + 1);
        else
            sqlite3_bind_int64(s, i + 1, v[i]);
    }
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int write_shape(struct xa_db *d, struct xa_analysis *a)
{
    for (unsigned int i = 0; i < a->nr_pcpus; i++) {
        const struct xa_pcpu *p = &a->pcpus[i];
        sqlite3_int64 v[5] = {
            d->run_id, i, (sqlite3_int64)p->records,
            (sqlite3_int64)xa_tsc_to_rel(a, p->first_tsc),
            (sqlite3_int64)xa_tsc_to_rel(a, p->last_tsc),
        };

        if (put(d, "INSERT INTO pcpus VALUES (?, ?, ?, ?, ?)", v, NULL, 5,
                NULL, 0))
            return -1;
    }
    for (unsigned int i = 0; i < a->nr_domains; i++) {
        const struct xa_domain *dm = &a->domains[i];
        sqlite3_int64 v[9] = {
            d->run_id,
            dm->domid == XA_DOMID_OTHER ? -1 : (sqlite3_int64)dm->domid,
            dm->nr_vcpus, dm->is_hvm, dm->maptrack_limit,
            (sqlite3_int64)xa_tsc_to_rel(a, dm->created_tsc),
            (sqlite3_int64)xa_tsc_to_rel(a, dm->destroyed_tsc),
            (sqlite3_int64)xa_tsc_to_rel(a, dm->first_tsc),
        };
        int nul[9] = { 0, 0, !dm->have_info, !dm->have_info, !dm->have_info,
                       !dm->created, !dm->destroyed, 0 };

        if (put(d, "INSERT INTO domains VALUES (?, ?, ?, ?, ?, ?, ?, ?)", v,
                nul, 8, NULL, 0))
            return -1;
        for (unsigned int w = 0; dm->vcpu_seen && w < XA_MAX_VCPUS / 64; w++)
            for (unsigned int b = 0; b < 64; b++) {
                sqlite3_int64 vv[4] = { d->run_id, v[1], w * 64 + b };
                int nn[4] = { 0, 0, 0, 1 };

                if (!(dm->vcpu_seen[w] & (1ull << b)))
                    continue;
                if (put(d, "INSERT INTO vcpus VALUES (?, ?, ?, ?)", vv, nn,
                        4, NULL, 0))
                    return -1;
            }
    }
    for (unsigned int i = 0; i < XA_MAX_EVENT_IDS * 2; i++) {
        const struct xa_event_count *e = &a->event_ids[i];
        sqlite3_int64 v[4];

        if (!e->count || xa_event_is_interpreted(e->event))
            continue;
        v[0] = d->run_id;
        v[1] = e->event;
        v[3] = (sqlite3_int64)e->count;
        if (put(d, "INSERT INTO unknown_events VALUES (?, ?, ?, ?)", v, NULL,
                4, xte_upstream_event_name(e->event), 3))
            return -1;
    }
    return 0;
}

static int meta(struct xa_db *d, const char *key, const char *value)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO host_meta "
                           "VALUES (?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, d->run_id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, value, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * What is known of the host and the input besides the runs columns.  A
 * trace does not name the host it was taken on: ingest_host is the
 * machine that ran the ingest, said as such.
 */
static int write_meta(struct xa_db *d, const struct xa_analysis *a,
                      const struct xte_reader_stats *st)
{
    char buf[PATH_MAX + 1];
    int rc = 0;

    if (d->source && strcmp(d->source, "-") != 0 &&
        realpath(d->source, buf))
        rc |= meta(d, "trace_path", buf);
    else
        rc |= meta(d, "trace_path", d->source ? d->source : "-");
    if (st) {
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)st->bytes);
        rc |= meta(d, "trace_bytes", buf);
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)st->windows);
        rc |= meta(d, "cpu_windows", buf);
    }
    snprintf(buf, sizeof(buf), "%u", a->nr_pcpus);
    rc |= meta(d, "pcpus_seen", buf);
    snprintf(buf, sizeof(buf), "%u", a->nr_domains);
    rc |= meta(d, "domains_seen", buf);
    if (a->have_run_info) {
        snprintf(buf, sizeof(buf), "%u", a->nr_pcpus_info);
        rc |= meta(d, "run_info_nr_pcpus", buf);
    }
    if (gethostname(buf, 256) == 0) {
        buf[255] = 0;
        rc |= meta(d, "ingest_host", buf);
    }
    return rc;
}

/* Rows written before RUN_INFO gave the frequency hold ticks: convert. */
static int fix_ticks(struct xa_db *d, struct xa_analysis *a)
{
    char sql[256];

    if (!d->wrote_ticks || !a->cpu_hz)
        return 0;
    for (unsigned int e = 0; e <= XTE_NR_EVENTS + 1; e++) {
        char lo[64] = "lost_records";

        if (e < XTE_NR_EVENTS)
            event_table(&xte_events[e], lo, sizeof(lo));
        else if (e == XTE_NR_EVENTS + 1)
            strcpy(lo, "runstate");
        snprintf(sql, sizeof(sql), "UPDATE %s SET t_ns = CAST(t_ns * "
                 "1000000000.0 / %llu AS INTEGER) WHERE run_id = %lld AND "
                 "seq < %llu", lo, (unsigned long long)a->cpu_hz, d->run_id,
                 (unsigned long long)d->ticks_rows_below_seq);
        if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    }
    return 0;
}

int db_run_end(struct xa_db *d, struct xa_analysis *a,
               const struct xte_reader_stats *st, const char *status,
               long long *existing, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    char identity[96];
    int rc;

    if (flush_partial(d)) {
        fail(err, errlen, d->path, d->db, "writing the last rows");
        sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (d->stream_identity) {
        int complete = 0;
        long long id;

        snprintf(identity, sizeof(identity), "stream:%llu:%016llx",
                 (unsigned long long)d->hashed,
                 (unsigned long long)mix(d->hash, d->hashed));
        id = find_run(d, identity, &complete);
        if (id > 0 && complete) {
            /* the same stream was ingested before: drop this copy */
            if (delete_run(d, d->run_id, err, errlen) ||
                exec(d, "COMMIT", err, errlen))
                return -1;
            *existing = id;
            return 1;
        }
        if (id > 0 && delete_run(d, id, err, errlen))
            return -1;
    }
    if (write_shape(d, a) || write_meta(d, a, st) || fix_ticks(d, a)) {
        fail(err, errlen, d->path, d->db, "writing the run's shape");
        sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    rc = sqlite3_prepare_v2(d->db,
        "UPDATE runs SET complete = 1, completed_at = strftime("
        "'%Y-%m-%dT%H:%M:%SZ', 'now'), cpu_hz = ?1, cpu_hz_source = ?2, "
        "time_unit = ?3, nr_pcpus = ?4, variant = ?5, scenario = ?6, "
        "first_tsc = ?7, last_tsc = ?8, duration_ns = ?9, records = ?10, "
        "lost_records = ?11, unknown_events = ?12, bytes = ?13, "
        "status = ?14, identity = COALESCE(?15, identity) "
        "WHERE run_id = ?16", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail(err, errlen, d->path, d->db, "completing the run");
    if (a->cpu_hz)
        sqlite3_bind_int64(s, 1, (sqlite3_int64)a->cpu_hz);
    if (a->hz_source != XA_HZ_NONE)
        sqlite3_bind_text(s, 2, a->hz_source == XA_HZ_TRACE ? "trace"
                                                            : "option",
                          -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, a->cpu_hz ? "ns" : "tsc", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, a->have_run_info ? a->nr_pcpus_info
                                              : a->nr_pcpus);
    if (a->have_run_info) {
        sqlite3_bind_int64(s, 5, a->variant);
        sqlite3_bind_int64(s, 6, a->scenario);
    }
    sqlite3_bind_int64(s, 7, (sqlite3_int64)a->first_tsc);
    sqlite3_bind_int64(s, 8, (sqlite3_int64)a->last_tsc);
    sqlite3_bind_int64(s, 9, (sqlite3_int64)xa_tsc_to_rel(a, a->last_tsc));
    sqlite3_bind_int64(s, 10, (sqlite3_int64)a->records);
    sqlite3_bind_int64(s, 11, (sqlite3_int64)a->lost_records);
    sqlite3_bind_int64(s, 12, (sqlite3_int64)a->unknown_records);
    if (st)
        sqlite3_bind_int64(s, 13, (sqlite3_int64)st->bytes);
    if (status)
        sqlite3_bind_text(s, 14, status, -1, SQLITE_TRANSIENT);
    if (d->stream_identity)
        sqlite3_bind_text(s, 15, identity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 16, d->run_id);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        fail(err, errlen, d->path, d->db, "completing the run");
        sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return exec(d, "COMMIT", err, errlen);
}

const char *db_errmsg(const struct xa_db *d)
{
    return sqlite3_errmsg(d->db);
}

long long db_run_id(const struct xa_db *d)
{
    return d->run_id;
}

uint64_t db_rows(const struct xa_db *d)
{
    return d->rows;
}

void db_close(struct xa_db *d)
{
    if (!d)
        return;
    for (unsigned int t = 0; t < XTE_NR_EVENTS + NR_ST; t++) {
        sqlite3_finalize(d->tw[t].one);
        sqlite3_finalize(d->tw[t].many);
    }
    if (d->db && !sqlite3_get_autocommit(d->db))
        sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(d->db);
    free(d->source);
    free(d->path);
    free(d);
}
