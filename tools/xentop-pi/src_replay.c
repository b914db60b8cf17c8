/*
 * src_replay.c - samples recorded in sqlite (--replay DB).
 *
 * Every (run_id, sample_ns) found in a ctr_<node>_* table is one sample;
 * they are delivered in run then time order, and each run is a new
 * generation, so rates never span two recordings.  The rows are turned
 * back into node bytes, so the views read a replay exactly like a host.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "source.h"

#define MAX_PCPUS 65536u

struct replay {
    sqlite3 *db;
    char path[256];
    sqlite3_stmt *list;                 /* (run_id, sample_ns) in order */
    sqlite3_stmt *sel[XTE_NR_NODES][2]; /* NULL: table absent */
    sqlite3_stmt *meta;                 /* host_meta params, or NULL */
    uint8_t *tmp;
    size_t tmp_cap;
    unsigned int samples;
};

static int table_exists(sqlite3 *db, const char *name, int *exists)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE "
                           "type = 'table' AND name = ?", -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *exists = sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int grow(struct replay *rp, size_t len)
{
    if (len > rp->tmp_cap) {
        size_t cap = len * 2;
        uint8_t *p = realloc(rp->tmp, cap);

        if (!p)
            return -1;
        memset(p + rp->tmp_cap, 0, cap - rp->tmp_cap);
        rp->tmp = p;
        rp->tmp_cap = cap;
    }
    return 0;
}

/* Fill a record from the row's columns starting at col. */
static int row_to_record(struct replay *rp, sqlite3_stmt *st, int col,
                         uint8_t *rec, const struct xte_counter_desc *f,
                         unsigned int nf, const char *where,
                         struct xte_error *err)
{
    for (unsigned int i = 0; i < nf; i++) {
        if (f[i].kind == XTE_KIND_HIST) {
            struct xte_hist h;
            int n;

            memset(&h, 0, sizeof(h));
            if (sqlite3_column_type(st, col + 1) != SQLITE_INTEGER ||
                sqlite3_column_type(st, col + 2) != SQLITE_INTEGER)
                return xte_set_error(err, rp->path, 0,
                                     "%s: field %s_sum/%s_max is not an "
                                     "integer", where, f[i].name, f[i].name);
            h.sum = (uint64_t)sqlite3_column_int64(st, col + 1);
            h.max = (uint64_t)sqlite3_column_int64(st, col + 2);
            n = sqlite3_column_bytes(st, col + 3);
            if (sqlite3_column_type(st, col + 3) != SQLITE_BLOB ||
                n != (int)sizeof(h.bucket))
                return xte_set_error(err, rp->path, 0,
                                     "%s: field %s_buckets is %d bytes, "
                                     "expected a %zu-byte blob", where,
                                     f[i].name, n, sizeof(h.bucket));
            memcpy(h.bucket, sqlite3_column_blob(st, col + 3),
                   sizeof(h.bucket));
            memcpy(rec + f[i].offset, &h, sizeof(h));
            col += 4;
        } else {
            uint64_t v;

            if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
                return xte_set_error(err, rp->path, 0,
                                     "%s: field %s is not an integer",
                                     where, f[i].name);
            v = (uint64_t)sqlite3_column_int64(st, col);
            memcpy(rec + f[i].offset, &v, 8);
            col++;
        }
    }
    return 0;
}

static int load_node(struct replay *rp, struct xtp_sample *s,
                     enum xte_node_index n, sqlite3_int64 run,
                     sqlite3_int64 t_ns, struct xte_error *err)
{
    const struct xte_node_desc *nd = &xte_nodes[n];
    const size_t hs = sizeof(struct xte_telemetry_header);
    sqlite3_stmt *ps = rp->sel[n][0], *ds = rp->sel[n][1];
    unsigned int np = 0, ndom = 0;
    size_t prs = nd->pcpu_record_size, drs = nd->domain_record_size;
    char where[160];
    int rc;

    if (!ps)
        return 0;
    /* pCPU rows first, indexed by pCPU number, into rp->tmp. */
    sqlite3_reset(ps);
    sqlite3_bind_int64(ps, 1, run);
    sqlite3_bind_int64(ps, 2, t_ns);
    if (grow(rp, hs))
        return xte_set_error(err, rp->path, 0, "out of memory");
    memset(rp->tmp, 0, rp->tmp_cap);
    while ((rc = sqlite3_step(ps)) == SQLITE_ROW) {
        sqlite3_int64 c = sqlite3_column_int64(ps, 0);

        snprintf(where, sizeof(where),
                 "table ctr_%s_pcpu run_id %lld sample_ns %lld pcpu %lld",
                 nd->subsystem, (long long)run, (long long)t_ns,
                 (long long)c);
        if (sqlite3_column_type(ps, 0) != SQLITE_INTEGER || c < 0 ||
            c >= MAX_PCPUS)
            return xte_set_error(err, rp->path, 0,
                                 "%s: field pcpu out of range", where);
        if (grow(rp, hs + ((size_t)c + 1) * prs))
            return xte_set_error(err, rp->path, 0, "out of memory");
        if ((unsigned int)c + 1 > np)
            np = (unsigned int)c + 1;
        if (row_to_record(rp, ps, 1, rp->tmp + hs + (size_t)c * prs,
                          nd->pcpu_fields, nd->nr_pcpu_fields, where,
                          err) < 0)
            return -1;
    }
    if (rc != SQLITE_DONE)
        return xte_set_error(err, rp->path, 0, "table ctr_%s_pcpu: %s",
                             nd->subsystem, sqlite3_errmsg(rp->db));
    if (ds) {
        sqlite3_reset(ds);
        sqlite3_bind_int64(ds, 1, run);
        sqlite3_bind_int64(ds, 2, t_ns);
        while ((rc = sqlite3_step(ds)) == SQLITE_ROW) {
            size_t off = hs + (size_t)np * prs + (size_t)ndom * drs;

            snprintf(where, sizeof(where),
                     "table ctr_%s_domain run_id %lld sample_ns %lld row %u",
                     nd->subsystem, (long long)run, (long long)t_ns, ndom);
            if (ndom >= MAX_PCPUS)
                return xte_set_error(err, rp->path, 0,
                                     "%s: too many domains", where);
            if (grow(rp, off + drs))
                return xte_set_error(err, rp->path, 0, "out of memory");
            memset(rp->tmp + off, 0, drs);
            if (row_to_record(rp, ds, 0, rp->tmp + off, nd->domain_fields,
                              nd->nr_domain_fields, where, err) < 0)
                return -1;
            ndom++;
        }
        if (rc != SQLITE_DONE)
            return xte_set_error(err, rp->path, 0, "table ctr_%s_domain: %s",
                                 nd->subsystem, sqlite3_errmsg(rp->db));
    }
    if (!np && !ndom)
        return 0;               /* node not recorded in this sample */
    {
        size_t len = hs + (size_t)np * prs + (size_t)ndom * drs;
        uint8_t *buf = xtp_sample_node_buffer(s, n, len);
        char label[300];

        if (!buf || xte_node_init(buf, len, n, np, ndom, (uint64_t)t_ns,
                                  (uint64_t)run) != len)
            return xte_set_error(err, rp->path, 0, "cannot rebuild node %s",
                                 nd->subsystem);
        memcpy(buf + hs, rp->tmp + hs, len - hs);
        snprintf(label, sizeof(label), "%s (ctr_%s)", rp->path,
                 nd->subsystem);
        return xtp_sample_parse_node(s, n, len, label, err);
    }
}

static int replay_read(struct xtp_source *src, struct xtp_sample *s,
                       int block, struct xte_error *err)
{
    struct replay *rp = src->priv;
    sqlite3_int64 run, t_ns;
    int rc = sqlite3_step(rp->list);

    if (rc == SQLITE_DONE) {
        if (!rp->samples)
            return xte_set_error(err, rp->path, 0,
                                 "no counter samples in the ctr_* tables"
                                 " (record some with xentop-pi --record)");
        return XTP_READ_END;
    }
    if (rc != SQLITE_ROW)
        return xte_set_error(err, rp->path, 0, "reading the samples: %s",
                             sqlite3_errmsg(rp->db));
    run = sqlite3_column_int64(rp->list, 0);
    t_ns = sqlite3_column_int64(rp->list, 1);
    xtp_sample_clear(s);
    s->t_ns = (uint64_t)t_ns;
    s->generation = (uint64_t)run;
    for (unsigned int n = 0; n < XTE_NR_NODES; n++)
        if (load_node(rp, s, n, run, t_ns, err) < 0)
            return XTP_READ_ERROR;
    if (rp->meta) {
        /* Runtime parameters the recording saw (record.c: "param.NAME"). */
        sqlite3_reset(rp->meta);
        sqlite3_bind_int64(rp->meta, 1, run);
        while (sqlite3_step(rp->meta) == SQLITE_ROW &&
               s->host.nr_params < XTP_MAX_PARAMS) {
            const char *k = (const char *)sqlite3_column_text(rp->meta, 0);
            const char *v = (const char *)sqlite3_column_text(rp->meta, 1);
            unsigned int i = s->host.nr_params++;

            snprintf(s->host.params[i].name, sizeof(s->host.params[i].name),
                     "%s", k ? k + 6 : "");
            snprintf(s->host.params[i].value,
                     sizeof(s->host.params[i].value), "%s", v ? v : "");
        }
    }
    rp->samples++;
    xtp_sample_derive_host(s);
    return XTP_READ_SAMPLE;
}

static void replay_close(struct xtp_source *src)
{
    struct replay *rp = src->priv;

    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        sqlite3_finalize(rp->sel[n][0]);
        sqlite3_finalize(rp->sel[n][1]);
    }
    sqlite3_finalize(rp->list);
    sqlite3_finalize(rp->meta);
    sqlite3_close(rp->db);
    free(rp->tmp);
    free(rp);
}

static const struct xtp_source_ops replay_ops = { replay_read, replay_close };

int xtp_replay_open(struct xtp_source *src, const struct xtp_source_opts *o,
                    struct xte_error *err)
{
    struct replay *rp = calloc(1, sizeof(*rp));
    char list[4096] = "", file[PATH_MAX + 2];
    size_t used = 0;

    if (!rp)
        return xte_set_error(err, o->arg, 0, "out of memory");
    snprintf(rp->path, sizeof(rp->path), "%s", o->arg);
    src->priv = rp;
    src->ops = &replay_ops;
    if (access(o->arg, R_OK) != 0) {
        xte_set_error(err, o->arg, 0, "cannot read the database: %m");
        goto fail;
    }
    if (!xte_db_file(o->arg, file, sizeof(file))) {
        xte_set_error(err, o->arg, 0, "file name too long");
        goto fail;
    }
    if (sqlite3_open_v2(file, &rp->db, SQLITE_OPEN_READONLY, NULL)) {
        xte_set_error(err, o->arg, 0, "cannot open: %s",
                      sqlite3_errmsg(rp->db));
        goto fail;
    }
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        const struct xte_node_desc *nd = &xte_nodes[n];

        for (int dom = 0; dom < 2; dom++) {
            char table[64], cols[2048], sql[3000];
            int exists = 0;

            if (dom && !nd->nr_domain_fields)
                continue;
            snprintf(table, sizeof(table), "ctr_%s_%s", nd->subsystem,
                     dom ? "domain" : "pcpu");
            if (table_exists(rp->db, table, &exists) < 0) {
                xte_set_error(err, o->arg, 0,
                              "not a readable sqlite database: %s",
                              sqlite3_errmsg(rp->db));
                goto fail;
            }
            if (!exists)
                continue;
            xtp_sql_columns(nd, dom, cols, sizeof(cols));
            snprintf(sql, sizeof(sql), "SELECT %s%s FROM %s WHERE run_id = ?"
                     " AND sample_ns = ? ORDER BY %s", dom ? "" : "pcpu, ",
                     cols, table, dom ? "domid" : "pcpu");
            if (sqlite3_prepare_v2(rp->db, sql, -1, &rp->sel[n][dom],
                                   NULL)) {
                xte_set_error(err, o->arg, 0, "table %s: %s", table,
                              sqlite3_errmsg(rp->db));
                goto fail;
            }
            used += (size_t)snprintf(list + used, sizeof(list) - used,
                                     "%sSELECT run_id, sample_ns FROM %s",
                                     used ? " UNION " : "", table);
        }
    }
    if (!used) {
        xte_set_error(err, o->arg, 0,
                      "no ctr_* counter tables: not a xentop-pi recording");
        goto fail;
    }
    snprintf(list + used, sizeof(list) - used, " ORDER BY 1, 2");
    if (sqlite3_prepare_v2(rp->db, list, -1, &rp->list, NULL)) {
        xte_set_error(err, o->arg, 0, "listing the samples: %s",
                      sqlite3_errmsg(rp->db));
        goto fail;
    }
    {
        int exists = 0;

        if (table_exists(rp->db, "host_meta", &exists) == 0 && exists)
            sqlite3_prepare_v2(rp->db, "SELECT key, value FROM host_meta "
                               "WHERE run_id = ? AND key LIKE 'param.%' "
                               "ORDER BY key", -1, &rp->meta, NULL);
    }
    src->recorded = 1;
    snprintf(src->label, sizeof(src->label), "replay:%s", o->arg);
    return 0;
fail:
    replay_close(src);
    src->priv = NULL;
    return -1;
}
