/*
 * shm.c - the simulator's telemetry nodes in shared memory.
 *
 * The harness plays the hypervisor: it fills each /telemetry node exactly
 * as a hypfs read would and publishes the bytes here; readers such as
 * `xentop-pi --sim` copy them out and decode them with the same code that
 * decodes libxenhypfs reads on a real host.
 *
 * Consistency: a sequence lock.  The single writer makes dir->seq odd,
 * copies every node, then makes it even again; a reader copies a node
 * between two reads of an even, unchanged seq.  Readers never write to the
 * mapping (it is mapped read-only), so a crashed reader cannot hurt the
 * writer, and a crashed writer leaves seq odd, which readers report.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "telemetry.h"

struct xte_shm {
    char path[128];
    int writer;
    size_t map_len;
    struct xte_shm_dir *dir;
    uint8_t *slots;
};

static int shm_path(char *dst, size_t n, const char *name,
                    struct xte_error *err)
{
    if (!name || !*name || strchr(name, '/') || strlen(name) > 64)
        return xte_set_error(err, name ? name : "(null)", 0,
                             "invalid shared-memory name (1-64 characters, "
                             "no '/')");
    snprintf(dst, n, "/dev/shm/xte-%s", name);
    return 0;
}

static uint64_t seq_load(const struct xte_shm_dir *dir)
{
    return atomic_load_explicit((_Atomic uint64_t *)&dir->seq,
                                memory_order_acquire);
}

struct xte_shm *xte_shm_create(const char *name, size_t slot_size,
                               struct xte_error *err)
{
    struct xte_shm *s = calloc(1, sizeof(*s));
    int fd;

    if (!s) {
        xte_set_error(err, name, 0, "out of memory");
        return NULL;
    }
    if (shm_path(s->path, sizeof(s->path), name, err))
        goto fail;
    slot_size = (slot_size + 7) & ~(size_t)7;
    s->writer = 1;
    s->map_len = sizeof(struct xte_shm_dir) + slot_size * XTE_NR_NODES;
    /* Replace any leftover of an earlier run: readers see a new file. */
    unlink(s->path);
    fd = open(s->path, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        xte_set_error(err, s->path, 0, "cannot create: %s", strerror(errno));
        goto fail;
    }
    if (ftruncate(fd, (off_t)s->map_len) < 0) {
        xte_set_error(err, s->path, 0, "cannot size to %zu bytes: %s",
                      s->map_len, strerror(errno));
        close(fd);
        goto fail;
    }
    s->dir = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (s->dir == MAP_FAILED) {
        xte_set_error(err, s->path, 0, "mmap: %s", strerror(errno));
        goto fail;
    }
    s->slots = (uint8_t *)(s->dir + 1);
    s->dir->version = XTE_SHM_VERSION;
    s->dir->nr_nodes = XTE_NR_NODES;
    s->dir->slot_size = slot_size;
    s->dir->writer_pid = (uint64_t)getpid();
    /* The magic goes last: a reader that sees it sees a complete dir. */
    atomic_store_explicit((_Atomic uint32_t *)&s->dir->magic, XTE_SHM_MAGIC,
                          memory_order_release);
    return s;

fail:
    if (s->path[0] && s->dir == NULL)
        unlink(s->path);
    free(s);
    return NULL;
}

int xte_shm_publish(struct xte_shm *s, const void *const node_bytes[],
                    const size_t node_len[])
{
    _Atomic uint64_t *seq = (_Atomic uint64_t *)&s->dir->seq;
    uint64_t v = atomic_load_explicit(seq, memory_order_relaxed);
    int rc = 0;

    atomic_store_explicit(seq, v + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        if (!node_bytes[n])
            continue;
        if (node_len[n] > s->dir->slot_size) {
            rc = -1;        /* keep the old bytes; the caller sized slots */
            continue;
        }
        memcpy(s->slots + n * s->dir->slot_size, node_bytes[n], node_len[n]);
        s->dir->node_len[n] = node_len[n];
    }
    atomic_store_explicit(seq, v + 2, memory_order_release);
    return rc;
}

void xte_shm_close(struct xte_shm *s, int unlink_file)
{
    if (!s)
        return;
    if (s->writer && s->dir) {
        s->dir->writer_pid = 0;
        if (unlink_file)
            unlink(s->path);
    }
    if (s->dir)
        munmap(s->dir, s->map_len);
    free(s);
}

struct xte_shm *xte_shm_open(const char *name, struct xte_error *err)
{
    struct xte_shm *s = calloc(1, sizeof(*s));
    struct xte_shm_dir dir;
    struct stat st;
    int fd;

    if (!s) {
        xte_set_error(err, name, 0, "out of memory");
        return NULL;
    }
    if (shm_path(s->path, sizeof(s->path), name, err))
        goto fail;
    fd = open(s->path, O_RDONLY);
    if (fd < 0) {
        xte_set_error(err, s->path, 0,
                      "cannot open simulator shared memory: %s (is `hvsim "
                      "--shm %s` running?)", strerror(errno), name);
        goto fail;
    }
    if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(dir)) {
        xte_set_error(err, s->path, 0, "too short for a shared-memory "
                      "directory (%lld bytes)", (long long)st.st_size);
        close(fd);
        goto fail;
    }
    s->map_len = (size_t)st.st_size;
    s->dir = mmap(NULL, s->map_len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (s->dir == MAP_FAILED) {
        s->dir = NULL;
        xte_set_error(err, s->path, 0, "mmap: %s", strerror(errno));
        goto fail;
    }
    memcpy(&dir, s->dir, sizeof(dir));
    if (dir.magic != XTE_SHM_MAGIC) {
        xte_set_error(err, s->path, offsetof(struct xte_shm_dir, magic),
                      "bad magic 0x%08x: not a simulator telemetry file",
                      dir.magic);
        goto fail;
    }
    if (dir.version != XTE_SHM_VERSION) {
        xte_set_error(err, s->path, offsetof(struct xte_shm_dir, version),
                      "layout version %u, this tool reads %u", dir.version,
                      XTE_SHM_VERSION);
        goto fail;
    }
    if (dir.nr_nodes > XTE_NR_NODES || dir.slot_size == 0 ||
        sizeof(dir) + dir.slot_size * dir.nr_nodes > s->map_len) {
        xte_set_error(err, s->path, offsetof(struct xte_shm_dir, slot_size),
                      "%u slots of %llu bytes do not fit in %zu bytes",
                      dir.nr_nodes, (unsigned long long)dir.slot_size,
                      s->map_len);
        goto fail;
    }
    s->slots = (uint8_t *)(s->dir + 1);
    return s;

fail:
    if (s->dir)
        munmap(s->dir, s->map_len);
    free(s);
    return NULL;
}

int xte_shm_read(struct xte_shm *s, enum xte_node_index node, void *buf,
                 size_t cap, size_t *len, struct xte_error *err)
{
    const struct xte_shm_dir *dir = s->dir;

    if ((unsigned int)node >= dir->nr_nodes)
        return xte_set_error(err, s->path, 0,
                             "node %u not published by this simulator",
                             (unsigned int)node);
    for (int attempt = 0; attempt < 1000; attempt++) {
        uint64_t before = seq_load(dir), after;
        size_t n;

        if (before & 1) {
            /* Writer mid-update: give it the CPU. */
            struct timespec ts = { 0, 20000 };

            nanosleep(&ts, NULL);
            continue;
        }
        n = (size_t)((volatile const struct xte_shm_dir *)dir)->node_len[node];
        if (n > dir->slot_size)
            return xte_set_error(err, s->path,
                                 offsetof(struct xte_shm_dir, node_len) +
                                 node * sizeof(uint64_t),
                                 "node %u length %zu exceeds slot size",
                                 (unsigned int)node, n);
        if (n > cap)
            return xte_set_error(err, s->path, 0,
                                 "node %u is %zu bytes, buffer holds %zu",
                                 (unsigned int)node, n, cap);
        memcpy(buf, s->slots + (size_t)node * dir->slot_size, n);
        atomic_thread_fence(memory_order_acquire);
        after = seq_load(dir);
        if (after == before) {
            if (n == 0)
                return xte_set_error(err, s->path, 0,
                                     "node '%s' not published yet",
                                     xte_nodes[node].subsystem);
            *len = n;
            return 0;
        }
    }
    return xte_set_error(err, s->path, offsetof(struct xte_shm_dir, seq),
                         "no consistent snapshot after 1000 attempts "
                         "(writer stuck mid-update?)");
}

int xte_shm_writer_alive(const struct xte_shm *s)
{
    pid_t pid = (pid_t)s->dir->writer_pid;

    if (pid <= 0)
        return 0;
    return kill(pid, 0) == 0 || errno == EPERM;
}
