/*
 * dbpath.c - the name under which the tools hand a database file to
 * sqlite.  sqlite reads some names as something other than a file: ""
 * and ":memory:" are private databases that vanish at exit and
 * "file:..." is a URI (with ?mode=memory, another vanishing one), so
 * `--sqlite :memory:` would report rows written and keep none.  Relative
 * names go as "./NAME", which sqlite can only take as that file.
 */
#include <stdio.h>

#include "xentrace.h"

const char *xte_db_file(const char *path, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s", path[0] == '/' ? "" : "./", path);

    return n >= 0 && (size_t)n < len ? buf : NULL;
}
