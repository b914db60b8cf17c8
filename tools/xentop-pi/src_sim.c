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
    char path[280];
    size_t slot_size;
};

static int sim_read(struct xtp_source *src, struct xtp_sample *s, int block,
                    struct xte_error *err)
{
    struct sim *sim = src->priv;
    int any = 0;

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
    struct xte_shm_dir dir;
    int fd;

    if (!sim)
        return xte_set_error(err, o->arg, 0, "out of memory");
    snprintf(sim->path, sizeof(sim->path), "/dev/shm/xte-%s", o->arg);
    sim->shm = xte_shm_open(o->arg, err);
    if (!sim->shm) {
        free(sim);
        return -1;
    }
    /* The directory at the start of the file says how large a node can be. */
    fd = open(sim->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || pread(fd, &dir, sizeof(dir), 0) != (ssize_t)sizeof(dir) ||
        dir.magic != XTE_SHM_MAGIC || dir.slot_size == 0 ||
        dir.slot_size > ((uint64_t)1 << 32)) {
        if (fd >= 0)
            close(fd);
        xte_set_error(err, sim->path, 0,
                      "not a simulator shared-memory file (bad directory)");
        xte_shm_close(sim->shm, 0);
        free(sim);
        return -1;
    }
    close(fd);
    sim->slot_size = dir.slot_size;
    src->ops = &sim_ops;
    src->priv = sim;
    snprintf(src->label, sizeof(src->label), "sim:%s", o->arg);
    return 0;
}
