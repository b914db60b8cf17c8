/*
 * core.c - simulated pCPUs: per-CPU areas, pCPU threads, interrupt flags,
 * IPIs, softirqs, CPU hotplug, and the small libc-backed services Xen's
 * headers promise (printk, xmalloc, NOW()).
 *
 * Interrupts are taken at "interrupt points" only: cpu_relax() in a spin
 * loop, re-enabling interrupts, the idle loop and process_pending_softirqs().
 * A pCPU thread that runs hv/ code with interrupts enabled thus takes an
 * IPI at the next such point, never in the middle of a C statement; that
 * is the granularity every Xen code path that polls or spins already has.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xen/cpu.h>
#include <xen/init.h>
#include <xen/irq.h>
#include <xen/lib.h>
#include <xen/percpu.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/time.h>
#include <xen/xmalloc.h>
#include <asm/hvm/vmx/vmx.h>
#include <hvh/harness.h>

#include "internal.h"

/* ---- globals Xen's headers declare --------------------------------------- */

unsigned long __per_cpu_offset[NR_CPUS + 1];
__thread unsigned int hvh_this_cpu = NR_CPUS;
unsigned int nr_cpu_ids;
cpumask_t cpu_online_map, cpu_possible_map, cpu_present_map;
unsigned long hvh_softirq_pending[NR_CPUS + 1];
unsigned long cpu_khz;
DEFINE_PER_CPU(struct vcpu *, curr_vcpu);

static softirq_handler softirq_handlers[NR_SOFTIRQS];
static void (*vector_handlers[NR_VECTORS])(struct cpu_user_regs *regs);
static uint8_t next_vector = 0xf0;
static struct notifier_block *cpu_chain;
static DEFINE_RWLOCK(cpu_add_remove_lock);
static int64_t ipi_delay_ns;
static int verbosity = 1;
static uint64_t tsc_hz;

struct hvh_pcpu hvh_pcpus[NR_CPUS];
static void *percpu_areas[NR_CPUS + 1];
static cpumask_t cpumask_of_cpu[NR_CPUS];
bool hvh_threaded;

extern char __start_hvh_percpu[] __attribute__((weak));
extern char __stop_hvh_percpu[] __attribute__((weak));
extern initcall_t __start_hvh_presmp_initcall[] __attribute__((weak));
extern initcall_t __stop_hvh_presmp_initcall[] __attribute__((weak));
extern initcall_t __start_hvh_initcall[] __attribute__((weak));
extern initcall_t __stop_hvh_initcall[] __attribute__((weak));

/* ---- printk, assertions, allocation, time ---------------------------------- */

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

void hvh_set_verbosity(int level)
{
    verbosity = level;
}

void printk(const char *fmt, ...)
{
    va_list ap;
    int level = 2;

    if ( fmt[0] == '<' && fmt[1] >= '0' && fmt[1] <= '3' && fmt[2] == '>' )
    {
        level = fmt[1] - '0';
        fmt += 3;
    }
    if ( (level <= 1 ? 1 : 2) > verbosity )
        return;
    pthread_mutex_lock(&print_lock);
    if ( hvh_this_cpu < NR_CPUS )
        fprintf(stderr, "(XEN) [cpu%u] ", hvh_this_cpu);
    else
        fprintf(stderr, "(XEN) ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&print_lock);
}

void panic(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "(XEN) PANIC on cpu%u: ", hvh_this_cpu);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}

void hvh_assert_failed(const char *cond, const char *file, int line)
{
    fprintf(stderr, "(XEN) Assertion '%s' failed at %s:%d (cpu%u)\n",
            cond, file, line, hvh_this_cpu);
    abort();
}

void *_xmalloc(unsigned long size, unsigned long align)
{
    void *p;

    if ( align < sizeof(void *) )
        align = sizeof(void *);
    if ( posix_memalign(&p, align, size ? size : 1) )
        return NULL;
    return p;
}

void *_xzalloc(unsigned long size, unsigned long align)
{
    void *p = _xmalloc(size, align);

    if ( p )
        memset(p, 0, size);
    return p;
}

void *_xrealloc(void *ptr, unsigned long size, unsigned long align)
{
    return realloc(ptr, size);
}

void xfree(void *p)
{
    free(p);
}

s_time_t hvh_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (s_time_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

uint64_t hvh_tsc_hz(void)
{
    return tsc_hz;
}

static void calibrate_tsc(void)
{
    s_time_t t0 = hvh_now(), t1;
    uint64_t c0 = rdtsc(), c1;
    struct timespec ts = { 0, 20 * 1000 * 1000 };

    nanosleep(&ts, NULL);
    t1 = hvh_now();
    c1 = rdtsc();
    tsc_hz = (uint64_t)((double)(c1 - c0) * 1e9 / (double)(t1 - t0));
    cpu_khz = tsc_hz / 1000;
}

unsigned long simple_strtoul(const char *cp, const char **endp,
                             unsigned int base)
{
    char *end;
    unsigned long v = strtoul(cp, &end, base);

    if ( endp )
        *endp = end;
    return v;
}

unsigned long long simple_strtoull(const char *cp, const char **endp,
                                   unsigned int base)
{
    char *end;
    unsigned long long v = strtoull(cp, &end, base);

    if ( endp )
        *endp = end;
    return v;
}

/* Xen's parse_bool(): 1, 0, or -1 for neither; e may be NULL. */
int parse_bool(const char *s, const char *e)
{
    size_t len = e ? (size_t)(e - s) : strlen(s);
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(yes); i++ )
        if ( strlen(yes[i]) == len && !strncmp(s, yes[i], len) )
            return 1;
    for ( i = 0; i < ARRAY_SIZE(no); i++ )
        if ( strlen(no[i]) == len && !strncmp(s, no[i], len) )
            return 0;
    return -1;
}

const cpumask_t *cpumask_of(unsigned int cpu)
{
    return &cpumask_of_cpu[cpu];
}

cpumask_t *hvh_alloc_cpumask(void)
{
    return xzalloc(cpumask_t);
}

void free_cpumask_var(cpumask_var_t mask)
{
    xfree(mask);
}

/* ---- per-CPU areas ------------------------------------------------------------ */

/* The template section carries ASan redzones between variables: copy it
 * without instrumentation. */
__attribute__((no_sanitize_address))
static void copy_template(char *dst, const char *src, size_t len)
{
    size_t i;

    for ( i = 0; i < len; i++ )
        dst[i] = src[i];
}

static int percpu_init(unsigned int nr)
{
    size_t len = (size_t)(__stop_hvh_percpu - __start_hvh_percpu);
    unsigned int cpu;

    for ( cpu = 0; cpu <= NR_CPUS; cpu++ )
    {
        char *area;

        if ( cpu < NR_CPUS && cpu >= nr )
        {
            __per_cpu_offset[cpu] = 0;
            continue;
        }
        area = _xmalloc(len ? len : 1, 64);
        if ( !area )
            return -1;
        copy_template(area, __start_hvh_percpu, len);
        percpu_areas[cpu] = area;
        __per_cpu_offset[cpu] = (unsigned long)(area - __start_hvh_percpu);
    }
    return 0;
}

static void percpu_free(void)
{
    unsigned int cpu;

    for ( cpu = 0; cpu <= NR_CPUS; cpu++ )
    {
        xfree(percpu_areas[cpu]);
        percpu_areas[cpu] = NULL;
        __per_cpu_offset[cpu] = 0;
    }
}

/* ---- interrupt flag and IPI delivery ------------------------------------------------ */

static inline struct hvh_pcpu *self(void)
{
    return hvh_this_cpu < NR_CPUS ? &hvh_pcpus[hvh_this_cpu] : NULL;
}

bool hvh_local_irq_is_enabled(void)
{
    struct hvh_pcpu *p = self();

    return p ? p->irqs_enabled : true;
}

bool hvh_in_irq(void)
{
    struct hvh_pcpu *p = self();

    return p && p->irq_depth;
}

void hvh_local_irq_disable(void)
{
    struct hvh_pcpu *p = self();

    if ( p )
        p->irqs_enabled = false;
}

void hvh_local_irq_enable(void)
{
    struct hvh_pcpu *p = self();

    if ( p )
    {
        p->irqs_enabled = true;
        hvh_deliver_ipis();
    }
}

unsigned long hvh_local_irq_save(void)
{
    unsigned long flags = hvh_local_irq_is_enabled() ? 0x200 : 0;

    hvh_local_irq_disable();
    return flags;
}

void hvh_local_irq_restore(unsigned long flags)
{
    if ( flags & 0x200 )
        hvh_local_irq_enable();
    else
        hvh_local_irq_disable();
}

/* Take this pCPU's IPIs that are due, with interrupts off in the handler. */
void hvh_deliver_ipis(void)
{
    struct hvh_pcpu *p = self();
    struct hvh_msg *m, **pp, *due = NULL, **tail = &due;
    s_time_t now;

    if ( !p || !p->irqs_enabled ||
         !__atomic_load_n(&p->nr_msgs, __ATOMIC_ACQUIRE) )
        return;

    now = hvh_now();
    pthread_mutex_lock(&p->lock);
    for ( pp = &p->msgs; (m = *pp) != NULL; )
    {
        if ( m->due <= now )
        {
            *pp = m->next;
            m->next = NULL;
            *tail = m;
            tail = &m->next;
            __atomic_fetch_sub(&p->nr_msgs, 1, __ATOMIC_RELEASE);
        }
        else
            pp = &m->next;
    }
    p->msgs_tail = p->msgs;
    while ( p->msgs_tail && p->msgs_tail->next )
        p->msgs_tail = p->msgs_tail->next;
    pthread_mutex_unlock(&p->lock);

    while ( (m = due) != NULL )
    {
        due = m->next;
        p->irqs_enabled = false;
        p->irq_depth++;
        if ( m->kind == HVH_MSG_CALL )
            m->fn(m->arg);
        else if ( m->kind == HVH_MSG_VECTOR && vector_handlers[m->vector] )
        {
            struct cpu_user_regs regs = { .entry_vector = m->vector };

            vector_handlers[m->vector](&regs);
        }
        p->irq_depth--;
        p->irqs_enabled = true;
        if ( m->pending )
            __atomic_fetch_sub(m->pending, 1, __ATOMIC_RELEASE);
        free(m);
    }
}

void hvh_cpu_relax(void)
{
    struct hvh_pcpu *p = self();

    if ( p && p->irqs_enabled && !p->irq_depth )
        hvh_deliver_ipis();
    sched_yield();
}

static void kick_locked(struct hvh_pcpu *p)
{
    p->kicked = true;
    pthread_cond_signal(&p->cond);
}

void hvh_kick(unsigned int cpu)
{
    struct hvh_pcpu *p = &hvh_pcpus[cpu];

    pthread_mutex_lock(&p->lock);
    kick_locked(p);
    pthread_mutex_unlock(&p->lock);
}

/* Queue a message to cpu; dropped (returns false) if cpu is offline. */
static bool post_msg(unsigned int cpu, enum hvh_msg_kind kind,
                     void (*fn)(void *), void *arg, uint8_t vector,
                     int *pending)
{
    struct hvh_pcpu *p = &hvh_pcpus[cpu];
    struct hvh_msg *m = calloc(1, sizeof(*m));

    if ( !m )
        panic("out of memory for an IPI\n");
    m->kind = kind;
    m->fn = fn;
    m->arg = arg;
    m->vector = vector;
    m->pending = pending;
    m->due = hvh_now() + __atomic_load_n(&ipi_delay_ns, __ATOMIC_RELAXED);

    pthread_mutex_lock(&p->lock);
    if ( !p->online )
    {
        pthread_mutex_unlock(&p->lock);
        free(m);
        return false;
    }
    if ( p->msgs_tail )
        p->msgs_tail->next = m;
    else
        p->msgs = m;
    p->msgs_tail = m;
    __atomic_fetch_add(&p->nr_msgs, 1, __ATOMIC_RELEASE);
    kick_locked(p);
    pthread_mutex_unlock(&p->lock);
    return true;
}

void hvh_set_ipi_delay(int64_t ns)
{
    __atomic_store_n(&ipi_delay_ns, ns, __ATOMIC_RELAXED);
}

void alloc_direct_apic_vector(uint8_t *vector,
                              void (*handler)(struct cpu_user_regs *regs))
{
    /* hv/ statics outlive hvh_shutdown(): a vector allocated by an
     * earlier boot in this process gets its handler back. */
    if ( !*vector )
        *vector = next_vector--;
    vector_handlers[*vector] = handler;
}

void ack_APIC_irq(void)
{
}

/*
 * Xen's vmx.c owns the posted-interrupt notification vector and its
 * handler (start_vmx()); the harness plays that part at boot.
 */
uint8_t posted_intr_vector;
bool x2apic_enabled = true;

static void posted_intr_notification(struct cpu_user_regs *regs)
{
    ack_APIC_irq();
}

static int __init hvh_posted_intr_init(void)
{
    alloc_direct_apic_vector(&posted_intr_vector, posted_intr_notification);
    return 0;
}
presmp_initcall(hvh_posted_intr_init);

void send_IPI_mask(const cpumask_t *mask, int vector)
{
    unsigned int cpu;

    for_each_cpu ( cpu, mask )
        post_msg(cpu, HVH_MSG_VECTOR, NULL, NULL, vector, NULL);
}

void send_IPI_self(int vector)
{
    if ( hvh_this_cpu < NR_CPUS )
        post_msg(hvh_this_cpu, HVH_MSG_VECTOR, NULL, NULL, vector, NULL);
}

void hvh_raise_vector(unsigned int cpu, uint8_t vector)
{
    post_msg(cpu, HVH_MSG_VECTOR, NULL, NULL, vector, NULL);
}

static void event_check(void *arg)
{
}

void smp_send_event_check_mask(const cpumask_t *mask)
{
    unsigned int cpu;

    for_each_cpu ( cpu, mask )
        if ( cpu != hvh_this_cpu )
            post_msg(cpu, HVH_MSG_CALL, event_check, NULL, 0, NULL);
}

/* Inline mode: run a pCPU's queued IPIs now, borrowing its identity. */
static void run_inline_on(unsigned int cpu)
{
    unsigned int me = hvh_this_cpu;
    struct hvh_pcpu *p = &hvh_pcpus[cpu];
    bool was = p->irqs_enabled;

    hvh_this_cpu = cpu;
    p->irqs_enabled = true;
    hvh_deliver_ipis();
    p->irqs_enabled = was;
    hvh_this_cpu = me;
}

void on_selected_cpus(const cpumask_t *selected, void (*func)(void *info),
                      void *info, int wait)
{
    unsigned int cpu;
    int pending = 0;

    ASSERT(local_irq_is_enabled());
    for_each_cpu ( cpu, selected )
    {
        if ( cpu == hvh_this_cpu )
            continue;
        __atomic_fetch_add(&pending, 1, __ATOMIC_RELAXED);
        if ( !post_msg(cpu, HVH_MSG_CALL, func, info, 0, wait ? &pending : NULL) )
            __atomic_fetch_sub(&pending, 1, __ATOMIC_RELAXED);
        else if ( !wait )
            __atomic_fetch_sub(&pending, 1, __ATOMIC_RELAXED);
    }
    if ( cpumask_test_cpu(hvh_this_cpu, selected) )
    {
        local_irq_disable();
        func(info);
        local_irq_enable();
    }
    if ( !wait )
        return;
    while ( __atomic_load_n(&pending, __ATOMIC_ACQUIRE) )
    {
        if ( !hvh_threaded )
        {
            for_each_cpu ( cpu, selected )
                if ( cpu != hvh_this_cpu )
                    run_inline_on(cpu);
            if ( __atomic_load_n(&pending, __ATOMIC_ACQUIRE) )
                sched_yield();      /* delayed IPIs: wait until due */
            continue;
        }
        cpu_relax();
    }
}

void smp_call_function(void (*func)(void *info), void *info, int wait)
{
    cpumask_t allbutself;

    cpumask_copy(&allbutself, &cpu_online_map);
    if ( hvh_this_cpu < NR_CPUS )
        cpumask_clear_cpu(hvh_this_cpu, &allbutself);
    on_selected_cpus(&allbutself, func, info, wait);
}

/* ---- softirqs ---------------------------------------------------------------- */

void open_softirq(int nr, softirq_handler handler)
{
    ASSERT(nr < NR_SOFTIRQS);
    softirq_handlers[nr] = handler;
}

void do_softirq(void)
{
    unsigned int cpu = hvh_this_cpu;
    unsigned long pending;

    if ( cpu >= NR_CPUS )
        return;
    while ( (pending = __atomic_load_n(&softirq_pending(cpu),
                                       __ATOMIC_ACQUIRE)) != 0 )
    {
        unsigned int i = find_first_set_bit(pending);

        clear_bit(i, &softirq_pending(cpu));
        if ( softirq_handlers[i] )
            softirq_handlers[i]();
        hvh_deliver_ipis();
    }
}

void raise_softirq(unsigned int nr)
{
    set_bit(nr, &softirq_pending(hvh_this_cpu));
}

void cpu_raise_softirq(unsigned int cpu, unsigned int nr)
{
    if ( test_and_set_bit(nr, &softirq_pending(cpu)) )
        return;
    if ( cpu != hvh_this_cpu )
        hvh_kick(cpu);
}

void cpumask_raise_softirq(const cpumask_t *mask, unsigned int nr)
{
    unsigned int cpu;

    for_each_cpu ( cpu, mask )
        cpu_raise_softirq(cpu, nr);
}

void cpu_raise_softirq_batch_begin(void)
{
}

void cpu_raise_softirq_batch_finish(void)
{
}

void process_pending_softirqs(void)
{
    hvh_deliver_ipis();
    do_softirq();
}

/* ---- CPU hotplug -------------------------------------------------------------- */

bool get_cpu_maps(void)
{
    return _read_trylock(&cpu_add_remove_lock);
}

void put_cpu_maps(void)
{
    _read_unlock(&cpu_add_remove_lock);
}

void cpu_hotplug_begin(void)
{
    _write_lock(&cpu_add_remove_lock);
}

void cpu_hotplug_done(void)
{
    _write_unlock(&cpu_add_remove_lock);
}

void register_cpu_notifier(struct notifier_block *nb)
{
    struct notifier_block **pp = &cpu_chain;

    _write_lock(&cpu_add_remove_lock);
    while ( *pp && (*pp)->priority >= nb->priority )
        pp = &(*pp)->next;
    nb->next = *pp;
    *pp = nb;
    _write_unlock(&cpu_add_remove_lock);
}

/* Forward actions run in chain order, NOTIFY_REVERSE ones backwards. */
static int notify(unsigned long action, unsigned int cpu)
{
    struct notifier_block *nb, *list[64];
    unsigned int n = 0, i;
    int ret = NOTIFY_DONE;

    for ( nb = cpu_chain; nb && n < ARRAY_SIZE(list); nb = nb->next )
        list[n++] = nb;
    for ( i = 0; i < n; i++ )
    {
        nb = list[(action & NOTIFY_REVERSE) ? n - 1 - i : i];
        ret = nb->notifier_call(nb, action, (void *)(unsigned long)cpu);
        if ( ret & NOTIFY_STOP_MASK )
            break;
    }
    return ret;
}

struct take_down {
    unsigned int cpu;
};

/* Runs on the dying pCPU: the part of stop_machine's take_cpu_down(). */
static void take_cpu_down(void *arg)
{
    struct take_down *td = arg;
    struct hvh_pcpu *p = &hvh_pcpus[td->cpu];

    local_irq_disable();
    notify(CPU_DYING, td->cpu);
    cpumask_clear_cpu(td->cpu, &cpu_online_map);
    pthread_mutex_lock(&p->lock);
    p->online = false;
    p->stop = true;
    pthread_mutex_unlock(&p->lock);
}

static void drop_msgs(struct hvh_pcpu *p)
{
    struct hvh_msg *m;

    pthread_mutex_lock(&p->lock);
    while ( (m = p->msgs) != NULL )
    {
        p->msgs = m->next;
        if ( m->pending )
            __atomic_fetch_sub(m->pending, 1, __ATOMIC_RELEASE);
        free(m);
    }
    p->msgs_tail = NULL;
    __atomic_store_n(&p->nr_msgs, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&p->lock);
}

int cpu_down(unsigned int cpu)
{
    struct take_down td = { cpu };
    int ret;

    if ( cpu >= nr_cpu_ids || !cpu_online(cpu) || cpu == hvh_this_cpu ||
         num_online_cpus() == 1 )
        return -EINVAL;

    cpu_hotplug_begin();
    ret = notify(CPU_DOWN_PREPARE, cpu);
    if ( ret & NOTIFY_STOP_MASK )
    {
        notify(CPU_DOWN_FAILED, cpu);
        cpu_hotplug_done();
        return notifier_to_errno(ret);
    }

    if ( hvh_threaded && hvh_pcpus[cpu].running )
    {
        hvh_pcpu_post_work(cpu, take_cpu_down, &td, true);
        hvh_pcpu_join(cpu);
    }
    else
    {
        unsigned int me = hvh_this_cpu;

        hvh_this_cpu = cpu;
        take_cpu_down(&td);
        hvh_pcpus[cpu].irqs_enabled = true;
        hvh_this_cpu = me;
    }
    /* Interrupts aimed at a dead pCPU are lost, as on hardware. */
    drop_msgs(&hvh_pcpus[cpu]);
    __atomic_store_n(&softirq_pending(cpu), 0UL, __ATOMIC_RELEASE);

    notify(CPU_DEAD, cpu);
    cpu_hotplug_done();
    return 0;
}

static void cpu_starting(void *arg)
{
    unsigned int cpu = (unsigned long)arg;

    notify(CPU_STARTING, cpu);
}

int cpu_up(unsigned int cpu)
{
    struct hvh_pcpu *p = &hvh_pcpus[cpu];
    int ret;

    if ( cpu >= nr_cpu_ids || cpu_online(cpu) )
        return -EINVAL;

    cpu_hotplug_begin();
    ret = notify(CPU_UP_PREPARE, cpu);
    if ( ret & NOTIFY_STOP_MASK )
    {
        notify(CPU_UP_CANCELED, cpu);
        cpu_hotplug_done();
        return notifier_to_errno(ret);
    }
    pthread_mutex_lock(&p->lock);
    p->online = true;
    p->stop = false;
    pthread_mutex_unlock(&p->lock);
    p->irqs_enabled = true;
    if ( hvh_threaded )
    {
        if ( hvh_pcpu_spawn(cpu) )
            panic("cannot start pCPU%u's thread\n", cpu);
        hvh_pcpu_post_work(cpu, cpu_starting, (void *)(unsigned long)cpu,
                           true);
    }
    else
    {
        unsigned int me = hvh_this_cpu;

        hvh_this_cpu = cpu;
        cpu_starting((void *)(unsigned long)cpu);
        hvh_this_cpu = me;
    }
    cpumask_set_cpu(cpu, &cpu_online_map);
    notify(CPU_ONLINE, cpu);
    cpu_hotplug_done();
    return 0;
}

struct hotplug_req {
    unsigned int cpu;
    bool up;
    int ret;
};

static void hotplug_fn(void *arg)
{
    struct hotplug_req *r = arg;

    r->ret = r->up ? cpu_up(r->cpu) : cpu_down(r->cpu);
}

static int hotplug(unsigned int cpu, bool up)
{
    struct hotplug_req r = { cpu, up, 0 };
    unsigned int other;

    if ( cpu >= nr_cpu_ids )
        return -EINVAL;
    if ( !hvh_threaded )
    {
        unsigned int me = hvh_this_cpu;

        for_each_online_cpu ( other )
            if ( other != cpu )
                break;
        if ( other >= nr_cpu_ids )
            return -EINVAL;
        hvh_this_cpu = other;
        hotplug_fn(&r);
        hvh_this_cpu = me;
        return r.ret;
    }
    for_each_online_cpu ( other )
        if ( other != cpu )
            break;
    if ( other >= nr_cpu_ids )
        return -EINVAL;
    if ( hvh_run_on(other, hotplug_fn, &r) )
        return -EINVAL;
    return r.ret;
}

int hvh_cpu_down(unsigned int cpu)
{
    return hotplug(cpu, false);
}

int hvh_cpu_up(unsigned int cpu)
{
    return hotplug(cpu, true);
}

/* ---- boot -------------------------------------------------------------------- */

static unsigned int booted_cpus;

unsigned int hvh_nr_cpus(void)
{
    return booted_cpus;
}

void hvh_cpu_enter(unsigned int cpu)
{
    ASSERT(cpu < booted_cpus);
    hvh_this_cpu = cpu;
}

void hvh_cpu_leave(void)
{
    hvh_this_cpu = NR_CPUS;
}

void hvh_cpu_poll(void)
{
    struct hvh_pcpu *p = self();

    if ( !p )
        return;
    if ( p->irqs_enabled )
    {
        hvh_deliver_ipis();
        do_softirq();
    }
}

int hvh_boot(unsigned int nr_cpus, const char *cmdline)
{
    unsigned int cpu;
    initcall_t *call;

    /* A test that failed half way leaves a booted host behind. */
    if ( booted_cpus )
        hvh_shutdown();
    if ( nr_cpus < 1 || nr_cpus > NR_CPUS )
    {
        fprintf(stderr, "hvh_boot: %u pCPUs: must be 1..%u\n", nr_cpus,
                NR_CPUS);
        return -1;
    }
    if ( !tsc_hz )
        calibrate_tsc();
    nr_cpu_ids = nr_cpus;
    booted_cpus = nr_cpus;
    cpumask_clear(&cpu_online_map);
    cpumask_clear(&cpu_possible_map);
    cpumask_clear(&cpu_present_map);
    memset(hvh_softirq_pending, 0, sizeof(hvh_softirq_pending));
    if ( percpu_init(nr_cpus) )
    {
        fprintf(stderr, "hvh_boot: out of memory for per-CPU areas\n");
        return -1;
    }
    for ( cpu = 0; cpu < nr_cpus; cpu++ )
    {
        struct hvh_pcpu *p = &hvh_pcpus[cpu];

        pthread_condattr_t ca;

        memset(p, 0, sizeof(*p));
        pthread_mutex_init(&p->lock, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&p->cond, &ca);
        pthread_condattr_destroy(&ca);
        pthread_cond_init(&p->done_cond, NULL);
        p->online = true;
        p->irqs_enabled = true;
        cpumask_clear(&cpumask_of_cpu[cpu]);
        cpumask_set_cpu(cpu, &cpumask_of_cpu[cpu]);
        cpumask_set_cpu(cpu, &cpu_online_map);
        cpumask_set_cpu(cpu, &cpu_possible_map);
        cpumask_set_cpu(cpu, &cpu_present_map);
    }
    if ( hvh_sched_init(nr_cpus) )
        return -1;
    if ( hvh_params_boot(cmdline) )
        return -1;

    hvh_this_cpu = 0;
    for ( call = __start_hvh_presmp_initcall;
          call && call < __stop_hvh_presmp_initcall; call++ )
        (*call)();
    for ( call = __start_hvh_initcall;
          call && call < __stop_hvh_initcall; call++ )
        (*call)();
    hvh_params_hypfs_init();
    hvh_this_cpu = NR_CPUS;
    return 0;
}

void hvh_shutdown(void)
{
    unsigned int cpu;

    hvh_stop_cpus();
    hvh_sched_shutdown();
    hvh_hypfs_reset();
    rcu_barrier();                  /* call_rcu()'s, no reader is left */
    for ( cpu = 0; cpu < booted_cpus; cpu++ )
    {
        drop_msgs(&hvh_pcpus[cpu]);
        pthread_mutex_destroy(&hvh_pcpus[cpu].lock);
        pthread_cond_destroy(&hvh_pcpus[cpu].cond);
        pthread_cond_destroy(&hvh_pcpus[cpu].done_cond);
    }
    memset(softirq_handlers, 0, sizeof(softirq_handlers));
    memset(vector_handlers, 0, sizeof(vector_handlers));
    cpu_chain = NULL;
    percpu_free();
    booted_cpus = 0;
    nr_cpu_ids = 0;
    hvh_this_cpu = NR_CPUS;
}
