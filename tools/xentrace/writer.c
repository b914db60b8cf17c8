/*
 * writer.c - write traces in upstream xentrace's layout.
 *
 * xentrace empties each pCPU's trace buffer into the file as a "window": a
 * TRC_TRACE_CPU_CHANGE record naming the pCPU and the byte count, then the
 * raw records.  The writer keeps one buffer per pCPU and emits it the same
 * way when it fills or on flush, so upstream xenalyze and our reader see
 * exactly what a real host would have produced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "xentrace.h"

#define WINDOW_HDR_BYTES 12u
#define MAX_RECORD_BYTES (4u + 8u + 4u * XTE_MAX_EXTRA)

struct xte_writer {
    int fd;
    int own_fd;
    char name[256];
    unsigned int nr_cpus;
    size_t window_bytes;
    uint8_t *bufs;              /* nr_cpus buffers of window_bytes */
    size_t *fill;
    uint64_t offset;            /* bytes written so far */
    int failed;
    struct xte_error err;
};

size_t xte_encode_record(void *buf, uint32_t event, int with_tsc,
                         uint64_t tsc, const uint32_t *extra,
                         unsigned int nr_extra)
{
    uint8_t *p = buf;
    uint32_t hdr, w;

    if (nr_extra > XTE_MAX_EXTRA)
        nr_extra = XTE_MAX_EXTRA;
    hdr = (event & 0x0fffffffu) | ((uint32_t)nr_extra << 28) |
          (with_tsc ? 0x80000000u : 0);
    memcpy(p, &hdr, 4);
    p += 4;
    if (with_tsc) {
        w = (uint32_t)tsc;
        memcpy(p, &w, 4);
        w = (uint32_t)(tsc >> 32);
        memcpy(p + 4, &w, 4);
        p += 8;
    }
    if (nr_extra)
        memcpy(p, extra, 4u * nr_extra);
    p += 4u * nr_extra;
    return (size_t)(p - (uint8_t *)buf);
}

static int write_all(struct xte_writer *w, struct iovec *iov, int cnt)
{
    while (cnt > 0) {
        ssize_t n = writev(w->fd, iov, cnt);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            w->failed = 1;
            return xte_set_error(&w->err, w->name, w->offset,
                                 "write failed: %s", strerror(errno));
        }
        w->offset += (uint64_t)n;
        while (cnt > 0 && (size_t)n >= iov->iov_len) {
            n -= (ssize_t)iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + n;
            iov->iov_len -= (size_t)n;
        }
    }
    return 0;
}

static int emit_window(struct xte_writer *w, unsigned int cpu,
                       const void *bytes, size_t len)
{
    uint32_t hdr[3];
    struct iovec iov[2];

    if (len == 0)
        return 0;
    hdr[0] = XTE_TRC_TRACE_CPU_CHANGE | (2u << 28);
    hdr[1] = cpu & 0xffffu;
    hdr[2] = (uint32_t)len;
    iov[0].iov_base = hdr;
    iov[0].iov_len = sizeof(hdr);
    iov[1].iov_base = (void *)bytes;
    iov[1].iov_len = len;
    return write_all(w, iov, 2);
}

static int flush_cpu(struct xte_writer *w, unsigned int cpu)
{
    int rc = emit_window(w, cpu, w->bufs + (size_t)cpu * w->window_bytes,
                         w->fill[cpu]);

    if (rc == 0)
        w->fill[cpu] = 0;
    return rc;
}

struct xte_writer *xte_writer_fdopen(int fd, const char *name,
                                     unsigned int nr_cpus,
                                     size_t window_bytes,
                                     struct xte_error *err)
{
    struct xte_writer *w;

    if (nr_cpus == 0 || nr_cpus > 65536) {
        xte_set_error(err, name, 0, "invalid number of pCPUs %u (1-65536)",
                      nr_cpus);
        return NULL;
    }
    if (window_bytes == 0)
        window_bytes = 64 * 1024;
    if (window_bytes < MAX_RECORD_BYTES || window_bytes > 0xffffffffu) {
        xte_set_error(err, name, 0, "invalid window size %zu (%u-%u bytes)",
                      window_bytes, MAX_RECORD_BYTES, 0xffffffffu);
        return NULL;
    }
    w = calloc(1, sizeof(*w));
    if (!w) {
        xte_set_error(err, name, 0, "out of memory");
        return NULL;
    }
    w->fd = fd;
    snprintf(w->name, sizeof(w->name), "%s", name ? name : "(fd)");
    w->nr_cpus = nr_cpus;
    w->window_bytes = window_bytes;
    w->bufs = malloc((size_t)nr_cpus * window_bytes);
    w->fill = calloc(nr_cpus, sizeof(*w->fill));
    if (!w->bufs || !w->fill) {
        free(w->bufs);
        free(w->fill);
        free(w);
        xte_set_error(err, name, 0, "out of memory for %u window buffers",
                      nr_cpus);
        return NULL;
    }
    return w;
}

struct xte_writer *xte_writer_open(const char *path, unsigned int nr_cpus,
                                   size_t window_bytes,
                                   struct xte_error *err)
{
    struct xte_writer *w;
    int fd;

    if (strcmp(path, "-") == 0)
        return xte_writer_fdopen(1, "(stdout)", nr_cpus, window_bytes, err);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        xte_set_error(err, path, 0, "cannot create: %s", strerror(errno));
        return NULL;
    }
    w = xte_writer_fdopen(fd, path, nr_cpus, window_bytes, err);
    if (!w) {
        close(fd);
        return NULL;
    }
    w->own_fd = 1;
    return w;
}

static int check_usable(struct xte_writer *w, unsigned int cpu)
{
    if (w->failed)
        return -1;
    if (cpu >= w->nr_cpus)
        return xte_set_error(&w->err, w->name, w->offset,
                             "pCPU %u out of range (writer has %u)", cpu,
                             w->nr_cpus);
    return 0;
}

int xte_writer_add(struct xte_writer *w, unsigned int cpu, uint32_t event,
                   int with_tsc, uint64_t tsc, const uint32_t *extra,
                   unsigned int nr_extra)
{
    size_t need = 4 + (with_tsc ? 8 : 0) + 4 * (size_t)nr_extra;
    uint8_t *buf;

    if (check_usable(w, cpu))
        return -1;
    if (nr_extra > XTE_MAX_EXTRA)
        return xte_set_error(&w->err, w->name, w->offset,
                             "event 0x%08x: %u extra words (at most %u)",
                             event, nr_extra, XTE_MAX_EXTRA);
    if (event & 0xf0000000u)
        return xte_set_error(&w->err, w->name, w->offset,
                             "event 0x%08x does not fit in 28 bits", event);
    if (event == XTE_TRC_TRACE_CPU_CHANGE)
        return xte_set_error(&w->err, w->name, w->offset,
                             "TRC_TRACE_CPU_CHANGE is written by the writer "
                             "itself, not added as a record");
    if (w->fill[cpu] + need > w->window_bytes && flush_cpu(w, cpu))
        return -1;
    buf = w->bufs + (size_t)cpu * w->window_bytes + w->fill[cpu];
    w->fill[cpu] += xte_encode_record(buf, event, with_tsc, tsc, extra,
                                      nr_extra);
    return 0;
}

int xte_writer_window(struct xte_writer *w, unsigned int cpu,
                      const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    size_t pos = 0;

    if (check_usable(w, cpu))
        return -1;
    if (len > 0xffffffffu)
        return xte_set_error(&w->err, w->name, w->offset,
                             "window of %zu bytes is larger than 4 GiB", len);
    /* A window must hold whole records: the reader rejects anything else. */
    while (pos < len) {
        uint32_t hdr, size;

        if (len - pos < 4)
            return xte_set_error(&w->err, w->name, w->offset,
                                 "window for pCPU %u: %zu stray bytes at "
                                 "its end", cpu, len - pos);
        memcpy(&hdr, p + pos, 4);
        size = XTE_REC_BYTES(hdr);
        if (size > len - pos)
            return xte_set_error(&w->err, w->name, w->offset,
                                 "window for pCPU %u: record at byte %zu "
                                 "(event 0x%08x) runs past its end", cpu, pos,
                                 hdr & 0x0fffffffu);
        if ((hdr & 0x0fffffffu) == XTE_TRC_TRACE_CPU_CHANGE)
            return xte_set_error(&w->err, w->name, w->offset,
                                 "window for pCPU %u holds a "
                                 "TRC_TRACE_CPU_CHANGE record", cpu);
        pos += size;
    }
    /* Keep the pCPU's own records in order: its buffer goes out first. */
    if (flush_cpu(w, cpu))
        return -1;
    return emit_window(w, cpu, bytes, len);
}

int xte_writer_flush(struct xte_writer *w)
{
    if (w->failed)
        return -1;
    for (unsigned int cpu = 0; cpu < w->nr_cpus; cpu++)
        if (flush_cpu(w, cpu))
            return -1;
    return 0;
}

int xte_writer_close(struct xte_writer *w)
{
    int rc;

    if (!w)
        return 0;
    rc = xte_writer_flush(w);
    if (w->own_fd && close(w->fd) && rc == 0) {
        rc = xte_set_error(&w->err, w->name, w->offset, "close failed: %s",
                           strerror(errno));
    }
    if (rc)
        xte_print_error(stderr, &w->err);
    free(w->bufs);
    free(w->fill);
    free(w);
    return rc;
}

const struct xte_error *xte_writer_error(const struct xte_writer *w)
{
    return &w->err;
}
