/*
 * error.c - errors that say where: every reader error names its input and
 * the byte offset at which the input stopped making sense.
 */
#include <stdarg.h>
#include <stdio.h>

#include "xentrace.h"

int xte_set_error(struct xte_error *err, const char *file, uint64_t offset,
                  const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "(unknown)");
    err->offset = offset;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

void xte_print_error(FILE *stream, const struct xte_error *err)
{
    fprintf(stream, "%s: offset %llu: %s\n", err->file,
            (unsigned long long)err->offset, err->msg);
}
