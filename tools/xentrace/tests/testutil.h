/*
 * testutil.h - helpers shared by the libxentrace-ext tests: temporary
 * files, hand-assembled trace bytes and a small seeded PRNG.
 */
#ifndef XTE_TESTUTIL_H
#define XTE_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes assembled by hand, little endian, the way xentrace lays them out. */
struct bytes {
    uint8_t *p;
    size_t len, cap;
};

static inline void b_put32(struct bytes *b, uint32_t v)
{
    if (b->len + 4 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->p = realloc(b->p, b->cap);
    }
    b->p[b->len++] = (uint8_t)v;
    b->p[b->len++] = (uint8_t)(v >> 8);
    b->p[b->len++] = (uint8_t)(v >> 16);
    b->p[b->len++] = (uint8_t)(v >> 24);
}

/* A window record: header 0x2001f003 (2 extra words, no TSC). */
static inline void b_window(struct bytes *b, uint32_t cpu, uint32_t len)
{
    b_put32(b, 0x0001f003u | (2u << 28));
    b_put32(b, cpu);
    b_put32(b, len);
}

static inline void b_record(struct bytes *b, uint32_t event, int with_tsc,
                            uint64_t tsc, unsigned int n,
                            const uint32_t *extra)
{
    b_put32(b, event | (n << 28) | (with_tsc ? 0x80000000u : 0));
    if (with_tsc) {
        b_put32(b, (uint32_t)tsc);
        b_put32(b, (uint32_t)(tsc >> 32));
    }
    for (unsigned int i = 0; i < n; i++)
        b_put32(b, extra[i]);
}

static inline const char *tmp_dir(void)
{
    const char *d = getenv("TMPDIR");

    return d && *d ? d : "/tmp";
}

/* A fresh temporary file name (the file exists, empty). */
static inline char *tmp_path(const char *tag)
{
    char *path;
    int fd;

    if (asprintf(&path, "%s/xte-%s-XXXXXX", tmp_dir(), tag) < 0)
        abort();
    fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    return path;
}

static inline void write_file(const char *path, const void *p, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (!f || (len && fwrite(p, 1, len, f) != len) || fclose(f))
        abort();
}

/* xorshift64*: the tests' only source of randomness, seeded. */
static inline uint64_t prng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static inline uint32_t prng_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(prng(s) % n);
}

#endif
