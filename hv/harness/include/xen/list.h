/*
 * Harness emulation of xen/list.h: circular doubly linked lists with
 * Xen's names.  Written for the harness; semantics as in Xen.
 */
#ifndef __XEN_LIST_H__
#define __XEN_LIST_H__

#include <xen/lib.h>

struct list_head {
    struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
#define LIST_POISON1 ((struct list_head *)0x100100)
#define LIST_POISON2 ((struct list_head *)0x200200)

static inline void INIT_LIST_HEAD(struct list_head *l)
{
    l->next = l;
    l->prev = l;
}

static inline void __list_link(struct list_head *e, struct list_head *prev,
                               struct list_head *next)
{
    next->prev = e;
    e->next = next;
    e->prev = prev;
    prev->next = e;
}

static inline void list_add(struct list_head *e, struct list_head *head)
{
    __list_link(e, head, head->next);
}

static inline void list_add_tail(struct list_head *e, struct list_head *head)
{
    __list_link(e, head->prev, head);
}

static inline void __list_del(struct list_head *prev, struct list_head *next)
{
    next->prev = prev;
    prev->next = next;
}

static inline void list_del(struct list_head *e)
{
    __list_del(e->prev, e->next);
    e->next = LIST_POISON1;
    e->prev = LIST_POISON2;
}

/* RCU variants: the new entry is complete before readers can reach it. */
static inline void list_add_rcu(struct list_head *e, struct list_head *head)
{
    struct list_head *next = head->next;

    e->next = next;
    e->prev = head;
    next->prev = e;
    __atomic_store_n(&head->next, e, __ATOMIC_RELEASE);
}

/* Readers still in e may follow e->next until the grace period ends. */
static inline void list_del_rcu(struct list_head *e)
{
    e->next->prev = e->prev;
    __atomic_store_n(&e->prev->next, e->next, __ATOMIC_RELEASE);
    e->prev = LIST_POISON2;
}

static inline void list_del_init(struct list_head *e)
{
    __list_del(e->prev, e->next);
    INIT_LIST_HEAD(e);
}

static inline void list_move(struct list_head *e, struct list_head *head)
{
    __list_del(e->prev, e->next);
    list_add(e, head);
}

static inline void list_move_tail(struct list_head *e, struct list_head *head)
{
    __list_del(e->prev, e->next);
    list_add_tail(e, head);
}

static inline int list_empty(const struct list_head *head)
{
    return head->next == head;
}

static inline int list_is_singular(const struct list_head *head)
{
    return !list_empty(head) && head->next == head->prev;
}

static inline void list_splice_init(struct list_head *list,
                                    struct list_head *head)
{
    if ( !list_empty(list) )
    {
        struct list_head *first = list->next, *last = list->prev;
        struct list_head *at = head->next;

        first->prev = head;
        head->next = first;
        last->next = at;
        at->prev = last;
        INIT_LIST_HEAD(list);
    }
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) \
    list_entry((ptr)->next, type, member)
#define list_first_entry_or_null(ptr, type, member) \
    (list_empty(ptr) ? NULL : list_first_entry(ptr, type, member))
#define list_for_each(pos, head) \
    for ( pos = (head)->next; pos != (head); pos = pos->next )
#define list_for_each_safe(pos, n, head) \
    for ( pos = (head)->next, n = pos->next; pos != (head); \
          pos = n, n = pos->next )
/*
 * When the walk ends, pos is computed from the head, which is no entry:
 * test for that by address only, never through pos->member (which UBSan
 * rightly reports for entry types more aligned than the head's home).
 */
#define __list_member(pos, member) \
    ((struct list_head *)((char *)(pos) + offsetof(__typeof__(*(pos)), member)))
#define list_for_each_entry(pos, head, member)                          \
    for ( pos = list_entry((head)->next, __typeof__(*pos), member);     \
          __list_member(pos, member) != (head);                         \
          pos = list_entry(pos->member.next, __typeof__(*pos), member) )
#define list_for_each_entry_safe(pos, n, head, member)                  \
    for ( pos = list_entry((head)->next, __typeof__(*pos), member),     \
          n = list_entry(__list_member(pos, member)->next,              \
                         __typeof__(*pos), member);                     \
          __list_member(pos, member) != (head);                         \
          pos = n,                                                      \
          n = list_entry(__list_member(n, member)->next,                \
                         __typeof__(*n), member) )

#endif /* __XEN_LIST_H__ */
