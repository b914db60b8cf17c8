/*
 * src_sim.c - the simulator's shared memory (--sim NAME): the harness
 * publishes every node byte for byte as hypfs would, so a sample is the
 * nodes copied out under the sequence lock.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "source.h"

struct sim {
    struct xte_shm *shm;
    char name[80];
    char path[280];
    size_t slot_size;
};

static int slot_size_of(const char *path, size_t *slot)
{
    struct xte_shm_dir dir;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int ok;

    if (fd < 0)
        return -1;
    ok = pread(fd, &dir, sizeof(dir), 0) == (ssize_t)sizeof(dir) &&
         dir.magic == XTE_SHM_MAGIC && dir.slot_size &&
         dir.slot_size <= ((uint64_t)1 << 32);
    close(fd);
    if (!ok)
        return -1;
    *slot = (size_t)dir.slot_size;
    return 0;
}

/*
 * The simulator was restarted: it replaced the file under the same name.
 * Follow it to the new file (a new generation, so rates start afresh).
 */
static void reattach(struct sim *sim)
{
    struct xte_error e;
    struct xte_shm *n;
    size_t slot;

    n = xte_shm_open(sim->name, &e);
    if (!n)
        return;
    if (!xte_shm_writer_alive(n) || slot_size_of(sim->path, &slot) < 0) {
        xte_shm_close(n, 0);
        return;
    }
    xte_shm_close(sim->shm, 0);
    sim->shm = n;
    sim->slot_size = slot;
}

static int sim_read(struct xtp_source *src, struct xtp_sample *s, int block,
                    struct xte_error *err)
{
    struct sim *sim = src->priv;
    int any = 0;

    if (!xte_shm_writer_alive(sim->shm))
        reattach(sim);
    xtp_sample_clear(s);
    for (unsigned int n = 0; n < XTE_NR_NODES; n++) {
        uint8_t *buf = xtp_sample_node_buffer(s, n, sim->slot_size);
        struct xte_error e;
        size_t len = 0;

        if (!buf)
            return xte_set_error(err, sim->path, 0, "out of memory");
        if (xte_shm_read(sim->shm, n, buf, sim->slot_size, &len, &e) < 0 ||
            len == 0)
            continue;           /* not published (yet): shown as absent */
        if (xtp_sample_parse_node(s, n, len, sim->path, err) < 0)
            return XTP_READ_ERROR;
        any = 1;
        if (s->node[n].view.hdr.timestamp_ns > s->t_ns)
            s->t_ns = s->node[n].view.hdr.timestamp_ns;
        s->generation = s->node[n].view.hdr.generation;
    }
    if (!any)
        snprintf(s->note, sizeof(s->note),
                 "%.200s: no telemetry node published yet", sim->path);
    else if (!xte_shm_writer_alive(sim->shm))
        snprintf(s->note, sizeof(s->note),
                 "simulator stopped: counters frozen");
    s->wall_s = time(NULL);
    xtp_sample_derive_host(s);
    return XTP_READ_SAMPLE;
}

static void sim_close(struct xtp_source *src)
{
    struct sim *sim = src->priv;

    xte_shm_close(sim->shm, 0);
    free(sim);
}

static const struct xtp_source_ops sim_ops = { sim_read, sim_close };

int xtp_sim_open(struct xtp_source *src, const struct xtp_source_opts *o,
                 struct xte_error *err)
{
    struct sim *sim = calloc(1, sizeof(*sim));

    if (!sim)
        return xte_set_error(err, o->arg, 0, "out of memory");
    snprintf(sim->name, sizeof(sim->name), "%s", o->arg);
    snprintf(sim->path, sizeof(sim->path), "/dev/shm/xte-%s", o->arg);
    sim->shm = xte_shm_open(o->arg, err);
    if (!sim->shm) {
        free(sim);
        return -1;
    }
    /* The directory at the start of the file says how large a node can be. */
    if (slot_size_of(sim->path, &sim->slot_size) < 0) {
        xte_set_error(err, sim->path, 0,
                      "not a simulator shared-memory file (bad directory)");
        xte_shm_close(sim->shm, 0);
        free(sim);
        return -1;
    }
    src->ops = &sim_ops;
    src->priv = sim;
    snprintf(src->label, sizeof(src->label), "sim:%s", o->arg);
    return 0;
}
