/*
 * source_sim.c - telemetry nodes from the simulator's shared memory
 * (/dev/shm/xte-NAME, written by `hvsim --shm NAME`).
 *
 * The exporter outlives simulator runs: when hvsim is restarted it unlinks
 * and recreates the file, so each round checks whether the path now names
 * another file and reopens it.  Counters restart from zero then, which
 * Prometheus's rate() treats as a counter reset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"

struct sim_source {
    struct xtx_source pub;
    char name[80];
    char what[96];
    char path[128];
    struct xte_shm *shm;
    dev_t dev;
    ino_t ino;
    size_t file_size;       /* bounds every node: sizes the read buffer */
};

static int sim_attach(struct sim_source *s, struct xte_error *err)
{
    struct stat st;
    struct xte_shm *shm = xte_shm_open(s->name, err);

    if (!shm)
        return -1;
    /* A file replaced between open and stat is caught next round. */
    if (stat(s->path, &st) < 0) {
        xte_shm_close(shm, 0);
        return xte_set_error(err, s->path, 0, "vanished while opening");
    }
    if (s->shm)
        xte_shm_close(s->shm, 0);
    s->shm = shm;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->file_size = (size_t)st.st_size;
    return 0;
}

static void sim_refresh(struct xtx_source *pub)
{
    struct sim_source *s = (struct sim_source *)pub;
    struct xte_error err;
    struct stat st;

    if (stat(s->path, &st) < 0)
        return;                 /* keep the old mapping: last values */
    if (s->shm && st.st_dev == s->dev && st.st_ino == s->ino)
        return;
    if (sim_attach(s, &err) < 0)
        return;                 /* read_node reports it */
}

static int sim_read(struct xtx_source *pub, enum xte_node_index node,
                    uint8_t **buf, size_t *cap, size_t *len,
                    struct xte_error *err)
{
    struct sim_source *s = (struct sim_source *)pub;

    if (!s->shm && sim_attach(s, err) < 0)
        return -1;
    if (*cap < s->file_size) {
        uint8_t *nb = realloc(*buf, s->file_size);

        if (!nb)
            return xte_set_error(err, s->path, 0, "out of memory");
        *buf = nb;
        *cap = s->file_size;
    }
    if (xte_shm_read(s->shm, node, *buf, *cap, len, err) < 0)
        return -1;
    return 1;
}

static int sim_alive(struct xtx_source *pub)
{
    struct sim_source *s = (struct sim_source *)pub;

    return s->shm && xte_shm_writer_alive(s->shm);
}

static void sim_close(struct xtx_source *pub)
{
    struct sim_source *s = (struct sim_source *)pub;

    if (s->shm)
        xte_shm_close(s->shm, 0);
    free(s);
}

struct xtx_source *xtx_source_sim(const char *name, struct xte_error *err)
{
    struct sim_source *s = calloc(1, sizeof(*s));

    if (!s) {
        xte_set_error(err, name, 0, "out of memory");
        return NULL;
    }
    if (strlen(name) >= sizeof(s->name)) {
        xte_set_error(err, name, 0, "shared-memory name too long");
        free(s);
        return NULL;
    }
    strcpy(s->name, name);
    snprintf(s->what, sizeof(s->what), "sim:%s", name);
    snprintf(s->path, sizeof(s->path), "/dev/shm/xte-%s", name);
    s->pub.what = s->what;
    s->pub.read_node = sim_read;
    s->pub.refresh = sim_refresh;
    s->pub.alive = sim_alive;
    s->pub.close = sim_close;
    if (sim_attach(s, err) < 0) {
        free(s);
        return NULL;
    }
    return &s->pub;
}
