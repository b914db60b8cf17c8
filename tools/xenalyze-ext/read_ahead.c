/*
 * read_ahead.c - a single-producer, single-consumer ring of record
 * batches between the reader thread and the analysis.  See read_ahead.h.
 *
 * NR_BATCHES batches of BATCH records (about 2 MiB in all) bound the
 * memory; a mutex and two condition variables hand whole batches over, so
 * the lock is taken once per BATCH records, not per record.
 */
#include <pthread.h>
#include <stdlib.h>

#include "read_ahead.h"

#define BATCH      4096
#define NR_BATCHES 4

struct batch {
    struct xte_record rec[BATCH];
    unsigned int n;
    int rc;                     /* 1: more follow; 0 / -1: the last one */
};

struct xa_read_ahead {
    struct xte_reader *rd;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t filled, emptied;
    struct batch b[NR_BATCHES];
    unsigned int head, tail;    /* batches produced / consumed, ever */
    int quit;
    /* consumer side, touched by the main thread only */
    unsigned int pos;
    int holding;
};

static void *producer(void *arg)
{
    struct xa_read_ahead *ra = arg;

    for (;;) {
        struct batch *b;
        int rc = 1;

        pthread_mutex_lock(&ra->lock);
        while (ra->head - ra->tail == NR_BATCHES && !ra->quit)
            pthread_cond_wait(&ra->emptied, &ra->lock);
        if (ra->quit) {
            pthread_mutex_unlock(&ra->lock);
            return NULL;
        }
        b = &ra->b[ra->head % NR_BATCHES];
        pthread_mutex_unlock(&ra->lock);

        /* the slot is ours until head moves past it */
        b->n = 0;
        while (b->n < BATCH) {
            int got = xte_reader_next_batch(ra->rd, &b->rec[b->n],
                                            BATCH - b->n);

            if (got <= 0) {
                rc = got;
                break;
            }
            b->n += (unsigned int)got;
        }
        b->rc = rc;

        pthread_mutex_lock(&ra->lock);
        ra->head++;
        pthread_cond_signal(&ra->filled);
        pthread_mutex_unlock(&ra->lock);
        if (rc != 1)
            return NULL;
    }
}

struct xa_read_ahead *read_ahead_start(struct xte_reader *rd)
{
    struct xa_read_ahead *ra = calloc(1, sizeof(*ra));

    if (!ra)
        return NULL;
    ra->rd = rd;
    pthread_mutex_init(&ra->lock, NULL);
    pthread_cond_init(&ra->filled, NULL);
    pthread_cond_init(&ra->emptied, NULL);
    if (pthread_create(&ra->thread, NULL, producer, ra) != 0) {
        pthread_mutex_destroy(&ra->lock);
        pthread_cond_destroy(&ra->filled);
        pthread_cond_destroy(&ra->emptied);
        free(ra);
        return NULL;
    }
    return ra;
}

int read_ahead_next(struct xa_read_ahead *ra, const struct xte_record **rec)
{
    unsigned int n;

    return read_ahead_next_n(ra, rec, 1, &n);
}

int read_ahead_next_n(struct xa_read_ahead *ra,
                      const struct xte_record **recs, unsigned int max,
                      unsigned int *n)
{
    for (;;) {
        struct batch *b;

        if (!ra->holding) {
            pthread_mutex_lock(&ra->lock);
            while (ra->head == ra->tail)
                pthread_cond_wait(&ra->filled, &ra->lock);
            pthread_mutex_unlock(&ra->lock);
            ra->holding = 1;
            ra->pos = 0;
        }
        b = &ra->b[ra->tail % NR_BATCHES];
        if (ra->pos < b->n) {
            *n = b->n - ra->pos < max ? b->n - ra->pos : max;
            *recs = &b->rec[ra->pos];
            ra->pos += *n;
            return 1;
        }
        if (b->rc != 1)
            return b->rc;       /* the last batch stays held: end or error */
        pthread_mutex_lock(&ra->lock);
        ra->tail++;
        pthread_cond_signal(&ra->emptied);
        pthread_mutex_unlock(&ra->lock);
        ra->holding = 0;
    }
}

void read_ahead_stop(struct xa_read_ahead *ra)
{
    if (!ra)
        return;
    pthread_mutex_lock(&ra->lock);
    ra->quit = 1;
    pthread_cond_signal(&ra->emptied);
    pthread_mutex_unlock(&ra->lock);
    pthread_join(ra->thread, NULL);
    pthread_mutex_destroy(&ra->lock);
    pthread_cond_destroy(&ra->filled);
    pthread_cond_destroy(&ra->emptied);
    free(ra);
}
