/*
 * record.c - store samples in the sqlite post-mortem store (--record DB).
 *
 * One recording is one row of `runs` (tool 'xentop-pi'); each sample adds
 * one row per pCPU to ctr_<node>_pcpu and one per domain to
 * ctr_<node>_domain, keyed by the sample's time.  The run is marked
 * complete when the recorder is closed, so the schema's views ignore a
 * recording cut short.  A file without the schema gets it, from the copy
 * of schemas/schema.sql and catalogue.sql embedded at build time.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "source.h"

struct xtp_recorder {
    sqlite3 *db;
    char path[256];
    sqlite3_int64 run_id;
    sqlite3_stmt *ins[XTE_NR_NODES][2];
    uint64_t first_ns, last_ns;
    uint32_t nr_pcpus;
    int have;
};

/*
 * Brackets, not double quotes: sqlite reads a double-quoted name that
 * matches no column as a string, which would hide a missing column.
 */
int xtp_sql_columns(const struct xte_node_desc *nd, int domain, char *buf,
                    size_t len)
{
    const struct xte_counter_desc *f = domain ? nd->domain_fields
                                              : nd->pcpu_fields;
    unsigned int n = domain ? nd->nr_domain_fields : nd->nr_pcpu_fields;
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned int i = 0; i < n; i++) {
        int w;

        if (f[i].kind == XTE_KIND_HIST)
            w = snprintf(buf + used, len - used,
                         "%s[%s_count], [%s_sum], [%s_max], [%s_buckets]",
                         used ? ", " : "", f[i].name,
                         f[i].name, f[i].name, f[i].name);
        else
            w = snprintf(buf + used, len - used, "%s[%s]",
                         used ? ", " : "", f[i].name);
        if (w < 0 || (size_t)w >= len - used)
            return -1;
        used += (size_t)w;
    }
    return 0;
}

static int db_error(struct xtp_recorder *r, struct xte_error *err,
                    const char *what)
{
    return xte_set_error(err, r->path, 0, "%s: %s", what,
                         sqlite3_errmsg(r->db));
}

static int prepare_inserts(struct xtp_recorder *r, struct xte_error *err)
{
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        const struct xte_node_desc *nd = &xte_nodes[n];

        for (int dom = 0; dom < 2; dom++) {
            const struct xte_counter_desc *f = dom ? nd->domain_fields
                                                   : nd->pcpu_fields;
            unsigned int nf = dom ? nd->nr_domain_fields
                                  : nd->nr_pcpu_fields;
            char cols[2048], sql[4096];
            size_t used;
            unsigned int nc = 0;

            if (!nf)
                continue;
            if (xtp_sql_columns(nd, dom, cols, sizeof(cols)) < 0)
                return xte_set_error(err, r->path, 0, "column list too long");
            for (unsigned int i = 0; i < nf; i++)
                nc += xtp_sql_ncols(&f[i]);
            used = (size_t)snprintf(sql, sizeof(sql),
                                    "INSERT OR REPLACE INTO ctr_%s_%s "
                                    "(run_id, sample_ns%s, %s) VALUES (?, ?%s",
                                    nd->subsystem, dom ? "domain" : "pcpu",
                                    dom ? "" : ", pcpu", cols,
                                    dom ? "" : ", ?");
            for (unsigned int i = 0; i < nc && used < sizeof(sql) - 4; i++)
                used += (size_t)snprintf(sql + used, sizeof(sql) - used,
                                         ", ?");
            snprintf(sql + used, sizeof(sql) - used, ")");
            if (sqlite3_prepare_v2(r->db, sql, -1, &r->ins[n][dom], NULL))
                return db_error(r, err, "preparing the counter inserts");
        }
    }
    return 0;
}

static int bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
    return sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* Bind a record's fields from column `first` on; returns the next one. */
static int bind_record(sqlite3_stmt *st, int col, const uint8_t *rec,
                       const struct xte_counter_desc *f, unsigned int nf)
{
    for (unsigned int i = 0; i < nf; i++) {
        if (f[i].kind == XTE_KIND_HIST) {
            struct xte_hist h;

            xte_rec_hist(rec, &f[i], &h);
            bind_u64(st, col++, xte_hist_count(&h));
            bind_u64(st, col++, h.sum);
            bind_u64(st, col++, h.max);
            /* x86 is little endian: the array is the blob's layout. */
            sqlite3_bind_blob(st, col++, h.bucket, sizeof(h.bucket),
                              SQLITE_TRANSIENT);
        } else {
            bind_u64(st, col++, xte_rec_u64(rec, &f[i]));
        }
    }
    return col;
}

static int has_runs_table(struct xtp_recorder *r, int *has,
                          struct xte_error *err)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM sqlite_master "
                           "WHERE type = 'table' AND name = 'runs'", -1, &st,
                           NULL))
        return db_error(r, err, "not a usable sqlite database");
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_error(r, err, "not a usable sqlite database");
    }
    *has = sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return 0;
}

struct xtp_recorder *xtp_recorder_open(const char *path, const char *source,
                                       struct xte_error *err)
{
    struct xtp_recorder *r = calloc(1, sizeof(*r));
    char identity[320], host[128] = "localhost", file[PATH_MAX + 2];
    struct timespec now;
    sqlite3_stmt *st = NULL;
    int has = 0;

    if (!r) {
        xte_set_error(err, path, 0, "out of memory");
        return NULL;
    }
    snprintf(r->path, sizeof(r->path), "%s", path);
    if (!xte_db_file(path, file, sizeof(file))) {
        xte_set_error(err, path, 0, "file name too long");
        goto fail;
    }
    if (sqlite3_open_v2(file, &r->db, SQLITE_OPEN_READWRITE |
                        SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        db_error(r, err, "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(r->db, 2000);
    if (has_runs_table(r, &has, err) < 0 ||
        xte_db_check_version(r->db, r->path, "xentop-pi", err) < 0)
        goto fail;
    /* The writers' contract: WAL, so queries can read while we record. */
    sqlite3_exec(r->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (!has && sqlite3_exec(r->db, xtp_schema_sql, NULL, NULL, NULL)) {
        db_error(r, err, "creating the schema");
        goto fail;
    }
    sqlite3_exec(r->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    gethostname(host, sizeof(host) - 1);
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(identity, sizeof(identity), "record:%s:%llu:%ld", host,
             (unsigned long long)now.tv_sec * 1000000000ull +
             (unsigned long long)now.tv_nsec, (long)getpid());
    if (sqlite3_prepare_v2(r->db, "INSERT INTO runs (identity, tool, source, "
                           "time_unit) VALUES (?, 'xentop-pi', ?, 'ns')",
                           -1, &st, NULL) ||
        sqlite3_bind_text(st, 1, identity, -1, SQLITE_TRANSIENT) ||
        sqlite3_bind_text(st, 2, source, -1, SQLITE_TRANSIENT) ||
        sqlite3_step(st) != SQLITE_DONE) {
        db_error(r, err, "starting a run (table runs)");
        sqlite3_finalize(st);
        goto fail;
    }
    sqlite3_finalize(st);
    r->run_id = sqlite3_last_insert_rowid(r->db);
    if (prepare_inserts(r, err) < 0)
        goto fail;
    return r;
fail:
    xtp_recorder_close(r, NULL);
    return NULL;
}

static int add_meta(struct xtp_recorder *r, const struct xtp_sample *s)
{
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO host_meta "
                           "(run_id, key, value) VALUES (?, ?, ?)", -1, &st,
                           NULL))
        return -1;
    for (unsigned int i = 0; i < s->host.nr_params; i++) {
        char key[64];

        snprintf(key, sizeof(key), "param.%s", s->host.params[i].name);
        sqlite3_bind_int64(st, 1, r->run_id);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, s->host.params[i].value, -1,
                          SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return -1;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return 0;
}

int xtp_recorder_add(struct xtp_recorder *r, const struct xtp_sample *s,
                     struct xte_error *err)
{
    if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL))
        return db_error(r, err, "BEGIN");
    if (!r->have && add_meta(r, s) < 0)
        goto fail;
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        const struct xte_node_view *v = xtp_sample_node(s, n);
        const struct xte_node_desc *nd = &xte_nodes[n];

        if (!v)
            continue;
        for (unsigned int c = 0; c < v->hdr.nr_pcpus; c++) {
            sqlite3_stmt *st = r->ins[n][0];

            sqlite3_bind_int64(st, 1, r->run_id);
            bind_u64(st, 2, s->t_ns);
            sqlite3_bind_int64(st, 3, c);
            bind_record(st, 4, xte_node_pcpu(v, c), nd->pcpu_fields,
                        nd->nr_pcpu_fields);
            if (sqlite3_step(st) != SQLITE_DONE) {
                sqlite3_reset(st);
                goto fail;
            }
            sqlite3_reset(st);
        }
        for (unsigned int i = 0; r->ins[n][1] && i < v->hdr.nr_domains;
             i++) {
            sqlite3_stmt *st = r->ins[n][1];

            sqlite3_bind_int64(st, 1, r->run_id);
            bind_u64(st, 2, s->t_ns);
            bind_record(st, 3, xte_node_domain(v, i), nd->domain_fields,
                        nd->nr_domain_fields);
            if (sqlite3_step(st) != SQLITE_DONE) {
                sqlite3_reset(st);
                goto fail;
            }
            sqlite3_reset(st);
        }
    }
    if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL))
        goto fail;
    if (!r->have || s->t_ns < r->first_ns)
        r->first_ns = s->t_ns;
    if (s->t_ns > r->last_ns)
        r->last_ns = s->t_ns;
    if (s->host.nr_pcpus > r->nr_pcpus)
        r->nr_pcpus = s->host.nr_pcpus;
    r->have = 1;
    return 0;
fail:
    db_error(r, err, "storing a sample");
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int xtp_recorder_close(struct xtp_recorder *r, struct xte_error *err)
{
    int rc = 0;

    if (!r)
        return 0;
    for (unsigned int n = 0; n < XTE_NR_NODES; n++)
        for (int d = 0; d < 2; d++)
            sqlite3_finalize(r->ins[n][d]);
    if (r->db && r->run_id && err) {
        sqlite3_stmt *st;

        if (sqlite3_prepare_v2(r->db, "UPDATE runs SET complete = 1, "
                               "completed_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
                               " 'now'), nr_pcpus = ?, duration_ns = ? "
                               "WHERE run_id = ?", -1, &st, NULL) == 0) {
            if (r->have) {
                sqlite3_bind_int64(st, 1, r->nr_pcpus);
                bind_u64(st, 2, r->last_ns - r->first_ns);
            }
            sqlite3_bind_int64(st, 3, r->run_id);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = db_error(r, err, "completing the run");
            sqlite3_finalize(st);
        } else {
            rc = db_error(r, err, "completing the run");
        }
    }
    if (r->db && sqlite3_close(r->db) != SQLITE_OK && err && !rc)
        rc = db_error(r, err, "closing");
    free(r);
    return rc;
}
