/*
 * decode.c - one line of text per record, the body of `xenalyze-ext --dump`.
 *
 * Catalogue events are rendered from the catalogue tables (names, fields,
 * units), so a new event needs no code here; upstream events the library
 * knows print their name and raw words; anything else prints its id.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "xentrace.h"

int xte_parse_hz(const char *s, uint64_t *hz)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || errno)
        return -1;
    switch (*end) {
    case 'G': case 'g': v *= 1e9; end++; break;
    case 'M': case 'm': v *= 1e6; end++; break;
    case 'k': case 'K': v *= 1e3; end++; break;
    }
    if (*end && strcasecmp(end, "hz") != 0)
        return -1;
    if (!(v >= 1e3 && v <= 1e12))          /* 1 kHz .. 1 THz */
        return -1;
    *hz = (uint64_t)llround(v);
    return 0;
}

uint64_t xte_tsc_to_ns(struct xte_timebase *tb, uint64_t tsc)
{
    unsigned __int128 ns;
    uint64_t delta;

    if (!tb->have_first) {
        tb->first_tsc = tsc;
        tb->have_first = 1;
    }
    /* Records before the time origin (other pCPUs' skew) clamp to 0. */
    delta = tsc > tb->first_tsc ? tsc - tb->first_tsc : 0;
    /* Without a known frequency, one tick is shown as one nanosecond. */
    if (tb->cpu_hz == 0)
        return delta;
    ns = (unsigned __int128)delta * 1000000000u / tb->cpu_hz;
    return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

/* snprintf that keeps counting past the end of the buffer. */
struct out {
    char *buf;
    size_t len;
    size_t pos;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *dst = NULL;
    size_t room = 0;

    if (o->pos < o->len) {
        dst = o->buf + o->pos;
        room = o->len - o->pos;
    }
    va_start(ap, fmt);
    n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->pos += (size_t)n;
}

static void put_words(struct out *o, const uint32_t *w, unsigned int n)
{
    put(o, " [");
    for (unsigned int i = 0; i < n; i++)
        put(o, " 0x%08" PRIx32, w[i]);
    put(o, " ]");
}

static void put_field(struct out *o, const struct xte_field_desc *f,
                      const struct xte_record *rec)
{
    unsigned int words = f->bits == 64 ? 2 : 1;
    uint64_t v;

    if (f->word + words > rec->nr_extra || f->word + words > XTE_MAX_EXTRA) {
        put(o, " %s=?", f->name);
        return;
    }
    v = xte_field_value(f, rec->extra, rec->nr_extra);
    switch (f->unit) {
    case XTE_UNIT_NS:
        put(o, " %s=%" PRIu64 "ns", f->name, v);
        break;
    case XTE_UNIT_HEX:
        put(o, " %s=0x%" PRIx64, f->name, v);
        break;
    default:
        put(o, " %s=%" PRIu64, f->name, v);
        break;
    }
}

int xte_format_record(const struct xte_record *rec, struct xte_timebase *tb,
                      char *buf, size_t len)
{
    struct out o = { buf, len, 0 };
    const struct xte_event_desc *ev;
    const char *name;
    uint64_t ns;
    unsigned int nr_extra = rec->nr_extra < XTE_MAX_EXTRA ? rec->nr_extra
                                                         : XTE_MAX_EXTRA;

    if (len)
        buf[0] = '\0';
    if (tb) {
        ns = xte_tsc_to_ns(tb, rec->tsc);
    } else {
        struct xte_timebase raw = { 0, 0, 1 };

        ns = xte_tsc_to_ns(&raw, rec->tsc);
    }
    put(&o, "%" PRIu64 ".%09" PRIu64 " cpu%" PRIu32 " ", ns / 1000000000u,
        ns % 1000000000u, rec->cpu);

    ev = XTE_IS_CATALOGUE_EVENT(rec->event) ? xte_event_by_id(rec->event)
                                            : NULL;
    if (ev) {
        put(&o, "%s", ev->name);
        for (unsigned int i = 0; i < ev->nr_fields; i++)
            put_field(&o, &ev->fields[i], rec);
        /* Words beyond the catalogue's fields: show them, never drop. */
        if (nr_extra > ev->nr_words)
            put_words(&o, rec->extra + ev->nr_words,
                      nr_extra - ev->nr_words);
    } else if ((name = xte_upstream_event_name(rec->event)) != NULL) {
        put(&o, "%s", name);
        put_words(&o, rec->extra, nr_extra);
    } else {
        put(&o, "event 0x%08" PRIx32, rec->event);
        put_words(&o, rec->extra, nr_extra);
    }
    return (int)o.pos;
}
