/*
 * publish.c - copy every /telemetry/<node> hypfs node, byte for byte as a
 * hypfs read returns it, into the simulator's shared memory
 * (/dev/shm/xte-<name>) so xentop-pi --sim reads what --xen would.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hvh/harness.h>

#include "telemetry.h"

static struct xte_shm *shm;
static pthread_t pub_thread;
static pthread_mutex_t pub_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pub_cond = PTHREAD_COND_INITIALIZER;
static bool pub_running;
static unsigned int pub_interval_ms;
static size_t slot_size;
static void *bufs[XTE_NR_NODES];
static bool warned[XTE_NR_NODES];

static int read_node(unsigned int i, size_t *len)
{
    char path[64];
    int rc;

    snprintf(path, sizeof(path), "/telemetry/%s", xte_nodes[i].subsystem);
    rc = hvh_hypfs_read(path, bufs[i], slot_size, len);
    if ( rc == -ENOBUFS && !warned[i] )
    {
        fprintf(stderr, "hvsim: %s is %zu bytes, more than the %zu-byte "
                "shared-memory slot: not published\n", path, *len, slot_size);
        warned[i] = true;
    }
    return rc;
}

int hvh_publish_now(void)
{
    const void *bytes[XTE_NR_NODES];
    size_t lens[XTE_NR_NODES];
    unsigned int i;
    int rc;

    pthread_mutex_lock(&pub_lock);
    if ( !shm )
    {
        pthread_mutex_unlock(&pub_lock);
        return -1;
    }
    for ( i = 0; i < XTE_NR_NODES; i++ )
    {
        bytes[i] = bufs[i];
        if ( read_node(i, &lens[i]) )
            lens[i] = 0;
    }
    rc = xte_shm_publish(shm, bytes, lens);
    pthread_mutex_unlock(&pub_lock);
    return rc;
}

static void *pub_main(void *arg)
{
    pthread_mutex_lock(&pub_lock);
    while ( pub_running )
    {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += pub_interval_ms / 1000;
        ts.tv_nsec += (long)(pub_interval_ms % 1000) * 1000000L;
        if ( ts.tv_nsec >= 1000000000L )
        {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&pub_cond, &pub_lock, &ts);
        if ( !pub_running )
            break;
        pthread_mutex_unlock(&pub_lock);
        hvh_publish_now();
        pthread_mutex_lock(&pub_lock);
    }
    pthread_mutex_unlock(&pub_lock);
    return NULL;
}

int hvh_publish_start(const char *name, unsigned int interval_ms)
{
    struct xte_error err;
    size_t biggest = 0;
    unsigned int i;

    if ( shm )
        return -1;
    /* Size the slots from the nodes as they are now, with room to grow. */
    slot_size = 16 << 20;
    for ( i = 0; i < XTE_NR_NODES; i++ )
    {
        bufs[i] = malloc(slot_size);
        if ( !bufs[i] )
            goto nomem;
        warned[i] = false;
    }
    for ( i = 0; i < XTE_NR_NODES; i++ )
    {
        size_t len = 0;

        if ( !read_node(i, &len) && len > biggest )
            biggest = len;
    }
    slot_size = biggest * 2 + 65536;
    for ( i = 0; i < XTE_NR_NODES; i++ )
    {
        void *b = realloc(bufs[i], slot_size);

        if ( !b )
            goto nomem;
        bufs[i] = b;
    }
    shm = xte_shm_create(name, slot_size, &err);
    if ( !shm )
    {
        xte_print_error(stderr, &err);
        goto fail;
    }
    pub_interval_ms = interval_ms ? interval_ms : 1000;
    if ( hvh_publish_now() )
        goto fail;
    pub_running = true;
    if ( pthread_create(&pub_thread, NULL, pub_main, NULL) )
    {
        pub_running = false;
        goto fail;
    }
    return 0;

 nomem:
    fprintf(stderr, "hvsim: out of memory for telemetry buffers\n");
 fail:
    if ( shm )
        xte_shm_close(shm, 1);
    shm = NULL;
    for ( i = 0; i < XTE_NR_NODES; i++ )
    {
        free(bufs[i]);
        bufs[i] = NULL;
    }
    return -1;
}

void hvh_publish_stop(bool unlink_file)
{
    unsigned int i;

    if ( !shm )
        return;
    pthread_mutex_lock(&pub_lock);
    pub_running = false;
    pthread_cond_signal(&pub_cond);
    pthread_mutex_unlock(&pub_lock);
    pthread_join(pub_thread, NULL);
    hvh_publish_now();          /* the final figures */
    pthread_mutex_lock(&pub_lock);
    xte_shm_close(shm, unlink_file);
    shm = NULL;
    for ( i = 0; i < XTE_NR_NODES; i++ )
    {
        free(bufs[i]);
        bufs[i] = NULL;
    }
    pthread_mutex_unlock(&pub_lock);
}
