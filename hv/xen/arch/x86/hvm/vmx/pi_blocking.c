/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch/x86/hvm/vmx/pi_blocking.c: bounded VT-d posted-interrupt blocking
 * lists.
 *
 * Problem.  A vCPU that blocks while VT-d posted interrupts may target it
 * goes on its pCPU's blocking list, and its descriptor's notification
 * vector becomes the wakeup vector; the wakeup interrupt handler walks
 * that pCPU's whole list, with interrupts off, looking for descriptors
 * with ON set.  Nothing bounds the list: 32K domains x 128 vCPUs all
 * blocking on one pCPU make a 4M-entry walk per wakeup interrupt.
 *
 * Fix (all behaviour of the five-part series, written here afresh):
 *  1. PI_LIST_ADD trace record for every add (domain, vCPU, pCPU, length
 *     after the add), plus counters per pCPU (telemetry node "pi");
 *  2. num_hvm_vcpus: HVM vCPUs on the host, exact across create/destroy;
 *  3. a per-pCPU limit, DIV_ROUND_UP(num_hvm_vcpus, online pCPUs) +
 *     pi_list_slack; a vCPU whose own pCPU's list is full goes on another
 *     online pCPU's list with room, and its descriptor's NDST names the
 *     pCPU whose list holds it, so the wakeup interrupt goes there;
 *  4. irte_refs: how many IRTEs post to the vCPU's descriptor;
 *  5. a vCPU that no IRTE posts to is put on no list (nothing can post
 *     to it); should an IRTE start posting to it while it is blocked, it
 *     is placed then.
 *
 * Invariants (checked by hv/harness/tests/test_pi.c after every step of
 * random block/unblock/IRTE/hotplug sequences):
 *  - a vCPU is on at most one list, and v->pi.lock is that list's lock;
 *  - a vCPU on pCPU c's list has NDST == c's APIC id (vmx_pi_ndst(c))
 *    and v->pi.ndst_cpu == c;
 *  - every blocked vCPU with irte_refs > 0 is on a list (bounded policy);
 *  - no list is longer than the limit while another online pCPU's list
 *    is shorter than it (bounded policy; the total room, online pCPUs x
 *    limit, is at least num_hvm_vcpus, so a place always exists);
 *  - the wakeup handler walks only its own pCPU's list and wakes exactly
 *    the vCPUs whose descriptor has ON set;
 *  - when a pCPU goes offline its list is spread over the online pCPUs
 *    within the (recomputed) limit, and every moved vCPU whose ON is set
 *    is woken: a notification that went to the dead pCPU is not lost.
 *
 * Locking: vlock (per vCPU) -> list locks.  A vCPU's list entry, its
 * v->pi.lock and its NDST change only with the list lock held (both list
 * locks when it moves).  Moves between lists (pCPU offline, limit
 * shrinking) are serialised by pi_move_lock and take the two list locks
 * in pCPU order.  The telemetry block of pCPU c is written only with c's
 * list lock held, except skipped_no_irte (written by its owner pCPU).
 *
 * Parameters: pi_list_policy=baseline|bounded (boot; baseline is Xen
 * 4.17's unbounded local list without the IRTE filter), pi_list_slack=N
 * (boot and runtime, /params/pi_list_slack), pi_list_redirect=next|least
 * (boot; how a full list's overflow picks another pCPU).
 */

#include <xen/cpu.h>
#include <xen/errno.h>
#include <xen/init.h>
#include <xen/irq.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/percpu.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/spinlock.h>
#include <xen/telemetry.h>
#include <xen/telemetry_trace.h>
#include <xen/time.h>
#include <asm/apic.h>
#include <asm/atomic.h>
#include <asm/hvm/vmx/pi_blocking.h>
#include <asm/hvm/vmx/vmx.h>
#include <asm/smp.h>

DEFINE_PER_CPU(struct pi_blocking_pcpu, pi_blocking);

atomic_t num_hvm_vcpus;
uint8_t __read_mostly pi_wakeup_vector;

static enum pi_list_policy __read_mostly pi_policy = PI_POLICY_BOUNDED;
static enum pi_list_redirect __read_mostly pi_redirect = PI_REDIRECT_NEXT;
static unsigned int pi_list_slack = 16;
static char pi_list_slack_str[12] = "16";
static unsigned int pi_list_limit;          /* read_atomic() */
static bool pi_ready;
static DEFINE_SPINLOCK(pi_limit_lock);
static DEFINE_SPINLOCK(pi_move_lock);

static bool pi_bounded(void)
{
    return pi_policy == PI_POLICY_BOUNDED;
}

/* ---- descriptor control word (the IOMMU updates it atomically) ---------- */

/* NDST for pCPU cpu: its APIC id, in bits 8-15 in xAPIC mode. */
uint32_t vmx_pi_ndst(unsigned int cpu)
{
    uint32_t dest = cpu_physical_id(cpu);

    return x2apic_enabled ? dest : MASK_INSR(dest, PI_xAPIC_NDST_MASK);
}

/* Notifications for v to vector nv on pCPU cpu. */
static void pi_set_nv_ndst(struct vcpu *v, uint8_t nv, unsigned int cpu)
{
    struct pi_desc *d = vmx_pi_desc(v);
    uint64_t ndst = vmx_pi_ndst(cpu);
    uint64_t old = pi_desc_control(d), new;

    write_atomic(&v->pi.ndst_cpu, cpu);

    do {
        new = (old & (PI_CTRL_ON | PI_CTRL_SN)) |
              ((uint64_t)nv << PI_CTRL_NV_SHIFT) |
              (ndst << PI_CTRL_NDST_SHIFT);
    } while ( !__atomic_compare_exchange_n(&d->control, &old, new, false,
                                           __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE) );
}

/* ---- the limit ------------------------------------------------------------------ */

static unsigned int pi_compute_limit(void)
{
    unsigned int online = num_online_cpus();
    unsigned int vcpus = atomic_read(&num_hvm_vcpus);

    return DIV_ROUND_UP(vcpus, online ? online : 1) +
           read_atomic(&pi_list_slack);
}

unsigned int vmx_pi_list_limit(void)
{
    return pi_bounded() ? read_atomic(&pi_list_limit) : 0;
}

unsigned int vmx_pi_list_len(unsigned int cpu)
{
    return read_atomic(&per_cpu(pi_blocking, cpu).len);
}

enum pi_list_policy vmx_pi_policy(void)
{
    return pi_policy;
}

static void pi_rebalance(void);

/*
 * Recompute the limit after a change of vCPU count, online pCPUs or
 * slack.  Returns true if it went down (lists may now exceed it).
 */
static bool pi_update_limit(void)
{
    unsigned int limit, old;
    unsigned long flags;

    if ( !pi_ready )
        return false;
    spin_lock_irqsave(&pi_limit_lock, flags);
    limit = pi_compute_limit();
    old = read_atomic(&pi_list_limit);
    if ( limit != old )
    {
        write_atomic(&pi_list_limit, limit);
        trace_pi_limit(limit, atomic_read(&num_hvm_vcpus), num_online_cpus(),
                       read_atomic(&pi_list_slack));
    }
    spin_unlock_irqrestore(&pi_limit_lock, flags);
    return pi_bounded() && limit < old;
}

/*
 * The list_limit and hvm_vcpus gauges of every pCPU, brought up to date
 * when /telemetry/pi is read: these two fields are written only here,
 * under pi_limit_lock.
 */
static void cf_check pi_telemetry_refresh(void)
{
    unsigned int cpu, limit = vmx_pi_list_limit();
    unsigned int vcpus = atomic_read(&num_hvm_vcpus);
    unsigned long flags;

    spin_lock_irqsave(&pi_limit_lock, flags);
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
    {
        telemetry_set(&telemetry_block(pi, cpu)->list_limit,
                      cpu_online(cpu) ? limit : 0);
        telemetry_set(&telemetry_block(pi, cpu)->hvm_vcpus, vcpus);
    }
    spin_unlock_irqrestore(&pi_limit_lock, flags);
}

/* ---- parameters ------------------------------------------------------------------ */

static int cf_check parse_pi_list_policy(const char *s)
{
    if ( !strcmp(s, "baseline") )
        pi_policy = PI_POLICY_BASELINE;
    else if ( !strcmp(s, "bounded") )
        pi_policy = PI_POLICY_BOUNDED;
    else
        return -EINVAL;
    return 0;
}
custom_param("pi_list_policy", parse_pi_list_policy);

static int cf_check parse_pi_list_redirect(const char *s)
{
    if ( !strcmp(s, "next") )
        pi_redirect = PI_REDIRECT_NEXT;
    else if ( !strcmp(s, "least") )
        pi_redirect = PI_REDIRECT_LEAST;
    else
        return -EINVAL;
    return 0;
}
custom_param("pi_list_redirect", parse_pi_list_redirect);

static int cf_check parse_pi_list_slack(const char *s)
{
    const char *e;
    unsigned long v = simple_strtoul(s, &e, 0);

    if ( !*s || *e || v > 1000000 )
        return -EINVAL;
    write_atomic(&pi_list_slack, v);
    snprintf(pi_list_slack_str, sizeof(pi_list_slack_str), "%lu", v);
    if ( pi_update_limit() )
        pi_rebalance();
    return 0;
}

static void __init cf_check pi_list_slack_init(struct param_hypfs *par)
{
    custom_runtime_set_var(par, pi_list_slack_str);
}
custom_runtime_param("pi_list_slack", parse_pi_list_slack, pi_list_slack_init);

/* ---- list primitives (list lock held) --------------------------------------------- */

static void pi_list_add_locked(struct vcpu *v, unsigned int cpu,
                               unsigned int from, bool redirected)
{
    struct pi_blocking_pcpu *p = &per_cpu(pi_blocking, cpu);
    struct telemetry_pi_pcpu *t = telemetry_block(pi, cpu);
    unsigned int len = p->len + 1;

    ASSERT(spin_is_locked(&p->lock));
    ASSERT(!read_atomic(&v->pi.lock));
    list_add_tail(&v->pi.list, &p->list);
    write_atomic(&v->pi.lock, &p->lock);
    write_atomic(&p->len, len);
    /* Wakeups for v now go to cpu. */
    pi_set_nv_ndst(v, pi_wakeup_vector, cpu);

    telemetry_set(&t->list_len, len);
    telemetry_max(&t->list_hwm, len);
    telemetry_add(&t->adds, 1);
    if ( redirected )
        telemetry_add(&t->adds_redirected, 1);
    trace_pi_list_add(v->domain->domain_id, v->vcpu_id, cpu, len, from,
                      vmx_pi_list_limit());
}

static void pi_list_del_locked(struct vcpu *v, unsigned int cpu)
{
    struct pi_blocking_pcpu *p = &per_cpu(pi_blocking, cpu);
    unsigned int len = p->len - 1;

    ASSERT(read_atomic(&v->pi.lock) == &p->lock);
    ASSERT(spin_is_locked(&p->lock));
    list_del(&v->pi.list);
    write_atomic(&v->pi.lock, NULL);
    write_atomic(&p->len, len);
    telemetry_set(&telemetry_block(pi, cpu)->list_len, len);
    trace_pi_list_del(v->domain->domain_id, v->vcpu_id, cpu, len);
}

static unsigned int pi_lock_cpu(const spinlock_t *lock)
{
    return container_of(lock, const struct pi_blocking_pcpu, lock)->cpu;
}

/* Take v off whatever list holds it; interrupts off.  A concurrent move
 * may change v->pi.lock between reading and locking it: retry. */
static void pi_unlink(struct vcpu *v)
{
    for ( ; ; )
    {
        spinlock_t *lock = read_atomic(&v->pi.lock);

        if ( !lock )
            return;
        spin_lock(lock);
        if ( read_atomic(&v->pi.lock) == lock )
        {
            pi_list_del_locked(v, pi_lock_cpu(lock));
            spin_unlock(lock);
            return;
        }
        spin_unlock(lock);
    }
}

/* ---- placement ------------------------------------------------------------------ */

/* Lock cpu's list if it is online and has room; interrupts off. */
static bool pi_trylock_room(unsigned int cpu, unsigned int limit)
{
    struct pi_blocking_pcpu *p = &per_cpu(pi_blocking, cpu);

    if ( !cpu_online(cpu) || read_atomic(&p->len) >= limit )
        return false;
    spin_lock(&p->lock);
    if ( cpu_online(cpu) && p->len < limit )
        return true;
    spin_unlock(&p->lock);
    return false;
}

/*
 * Another online pCPU whose list has room, its lock held; nr_cpu_ids if
 * none.  Next-fit (default) resumes the scan where the previous overflow
 * from home found room, so a burst of overflow costs O(1) per vCPU;
 * least-loaded scans every pCPU for the shortest list (O(pCPUs) per
 * vCPU).  bench/pi measures both.
 */
static unsigned int pi_lock_other(unsigned int home, unsigned int limit)
{
    struct pi_blocking_pcpu *hp = &per_cpu(pi_blocking, home);
    unsigned int cpu, n, best, best_len, tries;

    if ( pi_redirect == PI_REDIRECT_NEXT )
    {
        cpu = read_atomic(&hp->redirect_next);
        if ( cpu >= nr_cpu_ids )
            cpu = home;
        for ( n = nr_cpu_ids; n; n-- )
        {
            if ( cpu != home && pi_trylock_room(cpu, limit) )
            {
                write_atomic(&hp->redirect_next, cpu);
                return cpu;
            }
            cpu = cpumask_cycle(cpu, &cpu_online_map);
            if ( cpu >= nr_cpu_ids )
                break;
        }
        return nr_cpu_ids;
    }

    for ( tries = 0; tries < 4; tries++ )
    {
        best = nr_cpu_ids;
        best_len = limit;
        for_each_online_cpu ( cpu )
        {
            unsigned int len = vmx_pi_list_len(cpu);

            if ( cpu != home && len < best_len )
            {
                best = cpu;
                best_len = len;
            }
        }
        if ( best >= nr_cpu_ids )
            return nr_cpu_ids;
        if ( pi_trylock_room(best, limit) )
            return best;
    }
    return nr_cpu_ids;
}

/* Put blocked v on home's list, or on another with room; interrupts off. */
static void pi_place(struct vcpu *v, unsigned int home)
{
    unsigned int limit = read_atomic(&pi_list_limit), cpu = home;

    if ( !pi_trylock_room(home, limit) )
    {
        cpu = pi_lock_other(home, limit);
        if ( cpu >= nr_cpu_ids )
        {
            /*
             * No room anywhere: only transiently possible, while the
             * limit is being recomputed.  Exceed the limit on an online
             * pCPU rather than lose the vCPU's wakeups.
             */
            cpu = cpu_online(home) ? home : cpumask_first(&cpu_online_map);
            spin_lock(&per_cpu(pi_blocking, cpu).lock);
        }
    }
    pi_list_add_locked(v, cpu, home, cpu != home);
    spin_unlock(&per_cpu(pi_blocking, cpu).lock);
}

/* ---- the vCPU's life ------------------------------------------------------------------- */

int vmx_pi_vcpu_create(struct vcpu *v)
{
    INIT_LIST_HEAD(&v->pi.list);
    v->pi.lock = NULL;
    spin_lock_init(&v->pi.vlock);
    v->pi.irte_refs = 0;
    v->pi.blocked = false;
    memset(vmx_pi_desc(v)->pir, 0, sizeof(vmx_pi_desc(v)->pir));
    vmx_pi_desc(v)->control = 0;
    pi_set_nv_ndst(v, posted_intr_vector, v->processor);
    if ( is_hvm_vcpu(v) )
    {
        atomic_inc(&num_hvm_vcpus);
        pi_update_limit();      /* grows: nothing to move */
    }
    return 0;
}

void vmx_pi_vcpu_destroy(struct vcpu *v)
{
    unsigned long flags;

    spin_lock_irqsave(&v->pi.vlock, flags);
    v->pi.blocked = false;
    pi_unlink(v);
    spin_unlock_irqrestore(&v->pi.vlock, flags);
    if ( is_hvm_vcpu(v) )
    {
        atomic_dec(&num_hvm_vcpus);
        if ( pi_update_limit() )
            pi_rebalance();
    }
}

void cf_check vmx_vcpu_block(struct vcpu *v)
{
    unsigned int home = v->processor;
    unsigned long flags;

    ASSERT(is_hvm_vcpu(v));
    spin_lock_irqsave(&v->pi.vlock, flags);
    ASSERT(!v->pi.blocked);
    ASSERT(!read_atomic(&v->pi.lock));
    v->pi.blocked = true;
    if ( !pi_bounded() )
    {
        /* Xen 4.17: the local list, whatever its length. */
        spin_lock(&per_cpu(pi_blocking, home).lock);
        pi_list_add_locked(v, home, home, false);
        spin_unlock(&per_cpu(pi_blocking, home).lock);
    }
    else if ( !read_atomic(&v->pi.irte_refs) )
    {
        /* No IRTE posts to v: no wakeup interrupt can be for it.  NDST
         * keeps naming its pCPU, for an IRTE that may come later. */
        pi_set_nv_ndst(v, pi_desc_nv(vmx_pi_desc(v)), home);
        TELEMETRY_INC(pi, skipped_no_irte);
        trace_pi_skip_no_irte(v->domain->domain_id, v->vcpu_id);
    }
    else
        pi_place(v, home);
    spin_unlock_irqrestore(&v->pi.vlock, flags);
}

void vmx_pi_do_resume(struct vcpu *v)
{
    unsigned long flags;

    spin_lock_irqsave(&v->pi.vlock, flags);
    v->pi.blocked = false;
    /* Back to ordinary notifications to the pCPU v runs on. */
    pi_set_nv_ndst(v, posted_intr_vector, v->processor);
    pi_unlink(v);
    spin_unlock_irqrestore(&v->pi.vlock, flags);
}

void vmx_pi_irte_ref(struct vcpu *v)
{
    unsigned long flags;
    unsigned int refs;

    spin_lock_irqsave(&v->pi.vlock, flags);
    refs = read_atomic(&v->pi.irte_refs) + 1;
    write_atomic(&v->pi.irte_refs, refs);
    /* Its first IRTE: a blocked vCPU kept off the lists must be found by
     * the wakeup handler from now on (the IRTE is written after this). */
    if ( refs == 1 && pi_bounded() && v->pi.blocked &&
         !read_atomic(&v->pi.lock) )
        /* Home: where it blocked (ndst_cpu), not v->processor, which the
         * scheduler may be changing under its own lock. */
        pi_place(v, read_atomic(&v->pi.ndst_cpu));
    spin_unlock_irqrestore(&v->pi.vlock, flags);
}

void vmx_pi_irte_unref(struct vcpu *v)
{
    unsigned long flags;
    unsigned int refs;

    spin_lock_irqsave(&v->pi.vlock, flags);
    refs = read_atomic(&v->pi.irte_refs);
    ASSERT(refs);
    write_atomic(&v->pi.irte_refs, refs - 1);
    spin_unlock_irqrestore(&v->pi.vlock, flags);
}

/* ---- the wakeup interrupt ------------------------------------------------------------- */

static void cf_check pi_wakeup_interrupt(struct cpu_user_regs *regs)
{
    unsigned int cpu = smp_processor_id(), walked = 0, woken = 0;
    struct pi_blocking_pcpu *p = &per_cpu(pi_blocking, cpu);
    struct telemetry_pi_pcpu *t = telemetry_block(pi, cpu);
    struct vcpu *v, *tmp;
    s_time_t start = NOW(), ns;

    ack_APIC_irq();
    spin_lock(&p->lock);
    list_for_each_entry_safe ( v, tmp, &p->list, pi.list )
    {
        walked++;
        if ( pi_desc_on(vmx_pi_desc(v)) )
        {
            pi_list_del_locked(v, cpu);
            woken++;
            vcpu_unblock(v);
        }
    }
    ns = NOW() - start;
    telemetry_add(&t->wakeup_irqs, 1);
    telemetry_add(&t->entries_walked, walked);
    telemetry_add(&t->vcpus_woken, woken);
    telemetry_hist_add(&t->walk_len, walked);
    telemetry_hist_add(&t->wakeup_time, ns);
    spin_unlock(&p->lock);
    trace_pi_wakeup(cpu, walked, woken, ns);
}

/* ---- moving entries between lists ------------------------------------------------------ */

/* Lock two pCPUs' lists in pCPU order. */
static void pi_lock_two(unsigned int a, unsigned int b)
{
    spin_lock(&per_cpu(pi_blocking, min(a, b)).lock);
    spin_lock(&per_cpu(pi_blocking, max(a, b)).lock);
}

static void pi_unlock_two(unsigned int a, unsigned int b)
{
    spin_unlock(&per_cpu(pi_blocking, max(a, b)).lock);
    spin_unlock(&per_cpu(pi_blocking, min(a, b)).lock);
}

/*
 * Move v from src's list to dst's (both locked).  NDST changes with it;
 * if ON is already set, the notification went to src (maybe a dead pCPU)
 * and dst will get none: wake v now.
 */
static void pi_move_locked(struct vcpu *v, unsigned int src, unsigned int dst)
{
    pi_list_del_locked(v, src);
    pi_list_add_locked(v, dst, src, false);
    if ( pi_desc_on(vmx_pi_desc(v)) )
    {
        pi_list_del_locked(v, dst);
        vcpu_unblock(v);
    }
}

/* An online pCPU other than src whose list has room, or nr_cpu_ids. */
static unsigned int pi_find_room(unsigned int src, unsigned int limit,
                                 unsigned int *cursor)
{
    unsigned int n, cpu = *cursor;

    for ( n = nr_cpu_ids; n; n-- )
    {
        cpu = cpumask_cycle(cpu, &cpu_online_map);
        if ( cpu >= nr_cpu_ids )
            return nr_cpu_ids;
        if ( cpu != src && vmx_pi_list_len(cpu) < limit )
        {
            *cursor = cpu;
            return cpu;
        }
    }
    return nr_cpu_ids;
}

/* Spread a dead pCPU's list over the online pCPUs. */
static void pi_move_dead_list(unsigned int dead)
{
    struct pi_blocking_pcpu *dp = &per_cpu(pi_blocking, dead);
    unsigned int moved = 0, cursor = dead, dst;
    unsigned long flags;

    spin_lock_irqsave(&pi_move_lock, flags);
    for ( ; ; )
    {
        unsigned int limit = read_atomic(&pi_list_limit);
        bool forced = !pi_bounded();

        if ( !read_atomic(&dp->len) )
            break;
        dst = pi_bounded() ? pi_find_room(dead, limit, &cursor) : nr_cpu_ids;
        if ( dst >= nr_cpu_ids )
        {
            /* Baseline (what 4.17 does), or no room while the limit is
             * being recomputed: the first online pCPU. */
            dst = cpumask_first(&cpu_online_map);
            forced = true;
        }
        pi_lock_two(dead, dst);
        if ( !list_empty(&dp->list) &&
             (forced || per_cpu(pi_blocking, dst).len < limit) )
        {
            pi_move_locked(list_first_entry(&dp->list, struct vcpu, pi.list),
                           dead, dst);
            moved++;
        }
        pi_unlock_two(dead, dst);
    }
    spin_unlock_irqrestore(&pi_move_lock, flags);
    if ( moved )
        trace_pi_cpu_move(dead, moved);
}

/* The limit went down: move the excess of over-long lists to short ones. */
static void pi_rebalance(void)
{
    unsigned int src, dst, cursor = 0;
    unsigned long flags;

    if ( !pi_ready || !pi_bounded() )
        return;
    spin_lock_irqsave(&pi_move_lock, flags);
    for_each_online_cpu ( src )
    {
        struct pi_blocking_pcpu *sp = &per_cpu(pi_blocking, src);

        for ( ; ; )
        {
            unsigned int limit = read_atomic(&pi_list_limit);

            if ( read_atomic(&sp->len) <= limit )
                break;
            dst = pi_find_room(src, limit, &cursor);
            if ( dst >= nr_cpu_ids )
                break;
            pi_lock_two(src, dst);
            if ( sp->len > limit && per_cpu(pi_blocking, dst).len < limit )
                pi_move_locked(list_entry(sp->list.prev, struct vcpu, pi.list),
                               src, dst);
            pi_unlock_two(src, dst);
        }
    }
    spin_unlock_irqrestore(&pi_move_lock, flags);
}

/* An empty list for pCPU cpu (at boot, or before it comes online). */
static void pi_pcpu_init(unsigned int cpu)
{
    struct pi_blocking_pcpu *p = &per_cpu(pi_blocking, cpu);

    INIT_LIST_HEAD(&p->list);
    spin_lock_init(&p->lock);
    p->len = 0;
    p->cpu = cpu;
    p->redirect_next = cpu;
}

static int cf_check pi_cpu_callback(struct notifier_block *nfb,
                                    unsigned long action, void *hcpu)
{
    unsigned int cpu = (unsigned long)hcpu;

    switch ( action )
    {
    case CPU_UP_PREPARE:
        /*
         * A per-CPU area never set up (zeroed, also after Xen freed and
         * reallocated it) gets its empty list.  One that was set up keeps
         * it: CPU_DEAD emptied the list, and other pCPUs may still move
         * their redirect cursor over this one's block.
         */
        if ( !per_cpu(pi_blocking, cpu).list.next )
            pi_pcpu_init(cpu);
        break;
    case CPU_ONLINE:
        if ( pi_update_limit() )
            pi_rebalance();
        break;
    case CPU_DEAD:
        pi_update_limit();      /* one pCPU fewer: the limit grows */
        pi_move_dead_list(cpu);
        break;
    }
    return NOTIFY_DONE;
}

static struct notifier_block pi_cpu_nfb = {
    .notifier_call = pi_cpu_callback,
};

static int __init cf_check pi_blocking_init(void)
{
    unsigned int cpu;

    /* x86 Xen has no cpu_possible_map: CPU_UP_PREPARE sets up the rest. */
    for_each_online_cpu ( cpu )
        pi_pcpu_init(cpu);
    alloc_direct_apic_vector(&pi_wakeup_vector, pi_wakeup_interrupt);
    register_cpu_notifier(&pi_cpu_nfb);
    pi_ready = true;
    write_atomic(&pi_list_limit, 0);
    pi_update_limit();
    /* Last: /telemetry/pi appears with its limit already set. */
    return telemetry_register_node(TELEMETRY_NODE_PI, NULL,
                                   pi_telemetry_refresh);
}
__initcall(pi_blocking_init);
