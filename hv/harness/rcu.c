/*
 * rcu.c - the harness's call_rcu(): callbacks wait in a list until
 * rcu_barrier() (hvh_shutdown()), so an object a reader may still hold is
 * never freed under it.  See xen/rcupdate.h.
 */
#include <pthread.h>

#include <xen/rcupdate.h>

static pthread_mutex_t rcu_pending_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rcu_head *rcu_pending;

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
    head->func = func;
    pthread_mutex_lock(&rcu_pending_lock);
    head->next = rcu_pending;
    rcu_pending = head;
    pthread_mutex_unlock(&rcu_pending_lock);
}

void rcu_barrier(void)
{
    struct rcu_head *list;

    pthread_mutex_lock(&rcu_pending_lock);
    list = rcu_pending;
    rcu_pending = NULL;
    pthread_mutex_unlock(&rcu_pending_lock);

    while ( list )
    {
        struct rcu_head *next = list->next;

        list->func(list);
        list = next;
    }
}
