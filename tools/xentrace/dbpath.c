/*
 * dbpath.c - how the tools open their sqlite databases: the name under
 * which they hand a database file to sqlite, and the schema version they
 * accept (only tools that call the latter need to link sqlite).
 *
 * The name.  sqlite reads some names as something other than a file: ""
 * and ":memory:" are private databases that vanish at exit and
 * "file:..." is a URI (with ?mode=memory, another vanishing one), so
 * `--sqlite :memory:` would report rows written and keep none.  Relative
 * names go as "./NAME", which sqlite can only take as that file.
 */
#include <stdio.h>

#include <sqlite3.h>

#include "xentrace.h"

const char *xte_db_file(const char *path, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s", path[0] == '/' ? "" : "./", path);

    return n >= 0 && (size_t)n < len ? buf : NULL;
}

int xte_db_check_version(struct sqlite3 *db, const char *path,
                         const char *tool, struct xte_error *err)
{
    sqlite3_stmt *st;
    long long v = XTE_SCHEMA_VERSION;

    if (sqlite3_prepare_v2(db, "SELECT MAX(version) FROM schema_version",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;               /* no such table */
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (v > XTE_SCHEMA_VERSION)
        return xte_set_error(err, path, 0, "schema version %lld is newer "
                             "than this %s's (%d); use a newer %s or another "
                             "database file", v, tool, XTE_SCHEMA_VERSION,
                             tool);
    if (v < XTE_SCHEMA_VERSION)
        return xte_set_error(err, path, 0, "schema version %lld is older "
                             "than this %s's (%d) and there is no upgrade "
                             "from it; use another database file", v, tool,
                             XTE_SCHEMA_VERSION);
    return 0;
}
