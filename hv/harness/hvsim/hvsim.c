/*
 * hvsim - run a seed's situation on the simulated host, baseline and/or
 * optimized, with the very hv/ code of the fixes.
 *
 *   hvsim --scenario NAME [--variant baseline|optimized] [--pcpus N]
 *         [--seconds S] [--trace FILE] [--shm NAME] [--json]
 *   hvsim --list
 *
 * Without --variant both variants run, one after the other, and a table
 * compares them.  With both and --trace FILE, the traces are FILE.baseline
 * and FILE.optimized.  Ctrl-C ends the run early; the trace is still
 * complete and the figures so far are printed.
 */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xen/grant_maptrack.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/telemetry_trace.h>
#include <xen/time.h>
#include <hvh/harness.h>

#include "scenario.h"

extern const struct hvsim_scenario *const __start_hvsim_scenarios[]
    __attribute__((weak));
extern const struct hvsim_scenario *const __stop_hvsim_scenarios[]
    __attribute__((weak));

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    if ( stop_flag )
        signal(sig, SIG_DFL);   /* a second Ctrl-C ends it the hard way */
    stop_flag = 1;
}

bool hvsim_should_stop(const struct hvsim_ctx *ctx)
{
    return *ctx->stop || NOW() >= ctx->deadline_ns;
}

void hvsim_sleep(const struct hvsim_ctx *ctx, int64_t ns)
{
    int64_t end = NOW() + ns;

    while ( !hvsim_should_stop(ctx) )
    {
        int64_t left = end - NOW();
        struct timespec ts;

        if ( left <= 0 )
            break;
        if ( left > 10000000 )
            left = 10000000;
        ts.tv_sec = 0;
        ts.tv_nsec = left;
        nanosleep(&ts, NULL);
    }
}

void hvsim_metric(struct hvsim_result *res, const char *name,
                  const char *unit, double value, bool higher_is_better)
{
    if ( res->nr >= HVSIM_MAX_METRICS )
        return;
    res->m[res->nr].name = name;
    res->m[res->nr].unit = unit;
    res->m[res->nr].value = value;
    res->m[res->nr].higher_is_better = higher_is_better;
    res->nr++;
}

static const struct hvsim_scenario *find(const char *name)
{
    const struct hvsim_scenario *const *s;

    for ( s = __start_hvsim_scenarios; s && s < __stop_hvsim_scenarios; s++ )
        if ( !strcmp((*s)->name, name) )
            return *s;
    return NULL;
}

static void list(void)
{
    const struct hvsim_scenario *const *s;

    for ( s = __start_hvsim_scenarios; s && s < __stop_hvsim_scenarios; s++ )
        printf("%-10s %s (default %u pCPUs)\n", (*s)->name,
               (*s)->description, (*s)->default_pcpus);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hvsim --scenario NAME [--variant baseline|optimized] "
            "[--pcpus N]\n"
            "             [--seconds S] [--trace FILE] [--shm NAME] [--json]\n"
            "       hvsim --list\n"
            "Runs a seed's situation on a simulated host with the hv/ code "
            "of the fixes;\nwithout --variant, baseline then optimized, "
            "side by side.\n");
}

static void trace_domains(void)
{
    struct domain *d;
    struct vcpu *v;

    hvh_cpu_enter(0);
    for_each_domain ( d )
    {
        unsigned int n = 0;

        for_each_vcpu ( d, v )
            n++;
        /* 0 for a domain whose maptrack was never set up. */
        trace_domain_info(d->domain_id, n, is_hvm_domain(d),
                          maptrack_limit_frames(d));
    }
    hvh_cpu_leave();
}

struct opts {
    const struct hvsim_scenario *s;
    unsigned int pcpus;
    double seconds;
    const char *trace;
    const char *shm;
    bool json;
};

/*
 * The progress line: on a terminal, for runs of 5 s or more, one line on
 * stderr rewritten every second (elapsed time, trace records so far) so a
 * long run is visibly alive.  Scripts and pipes get none.
 */
struct progress {
    const struct opts *o;
    bool optimized, trace, done;
    s_time_t start;
};

static bool progress_wanted(const struct opts *o)
{
    return o->seconds >= 5 && isatty(STDERR_FILENO);
}

static void *progress_main(void *arg)
{
    struct progress *pg = arg;

    while ( !__atomic_load_n(&pg->done, __ATOMIC_ACQUIRE) )
    {
        double t = (NOW() - pg->start) / 1e9;
        struct timespec ts = { 0, 200 * 1000 * 1000 };

        fprintf(stderr, "\r  %s, %s: %5.1f of %.1f s", pg->o->s->name,
                pg->optimized ? "optimized" : "baseline", t,
                pg->o->seconds);
        if ( pg->trace )
            fprintf(stderr, ", %llu trace records, %llu lost",
                    (unsigned long long)hvh_trace_records(),
                    (unsigned long long)hvh_trace_lost());
        fprintf(stderr, "%s   ", stop_flag ? " (stopping)" : "");
        fflush(stderr);
        for ( int i = 0; i < 5 && !__atomic_load_n(&pg->done,
                                                    __ATOMIC_ACQUIRE); i++ )
            nanosleep(&ts, NULL);
    }
    fprintf(stderr, "\r\033[K");
    return NULL;
}

static int run_variant(const struct opts *o, bool optimized,
                       const char *trace, struct hvsim_result *res)
{
    const struct hvsim_scenario *s = o->s;
    struct hvsim_ctx ctx = {
        .optimized = optimized,
        .pcpus = o->pcpus,
        .seconds = o->seconds,
        .stop = &stop_flag,
    };
    int rc = 0;

    memset(res, 0, sizeof(*res));
    if ( hvh_boot(o->pcpus, s->cmdline(optimized)) )
        return -1;
    hvh_cpu_enter(0);
    rc = s->setup(&ctx);
    hvh_cpu_leave();
    if ( rc )
    {
        fprintf(stderr, "hvsim: %s: setup failed\n", s->name);
        hvh_shutdown();
        return -1;
    }
    if ( trace && hvh_trace_open(trace, 16 << 20) )
    {
        s->teardown(&ctx);
        hvh_shutdown();
        return -1;
    }
    if ( trace )
    {
        hvh_cpu_enter(0);
        trace_run_info(hvh_tsc_hz(), o->pcpus, optimized, s->id);
        hvh_cpu_leave();
        trace_domains();
    }
    if ( o->shm && hvh_publish_start(o->shm, 500) )
        rc = -1;
    if ( !rc && hvh_start_cpus() )
        rc = -1;
    if ( !rc )
    {
        struct progress pg = {
            .o = o, .optimized = optimized, .trace = trace != NULL,
            .start = NOW(),
        };
        pthread_t th;
        bool shown = progress_wanted(o) &&
                     !pthread_create(&th, NULL, progress_main, &pg);

        ctx.deadline_ns = NOW() + (int64_t)(o->seconds * 1e9);
        rc = s->run(&ctx, res);
        if ( shown )
        {
            __atomic_store_n(&pg.done, true, __ATOMIC_RELEASE);
            pthread_join(th, NULL);
        }
    }
    hvh_stop_cpus();
    if ( o->shm )
        hvh_publish_stop(false);
    /*
     * Records lost to full buffers are not a failure of the run: xentrace
     * loses them the same way, the trace marks each gap with
     * TRC_LOST_RECORDS, and the analysers report how many and the time
     * they hide.  The harness has said how many on stderr.
     */
    if ( trace && hvh_trace_close() && !hvh_trace_lost() )
        rc = -1;
    s->teardown(&ctx);
    hvh_shutdown();
    return rc;
}

static void print_one(const struct opts *o, const char *variant,
                      const struct hvsim_result *r)
{
    unsigned int i;

    printf("scenario %s, %s, %u pCPUs, %.1f s%s\n", o->s->name, variant,
           o->pcpus, o->seconds, stop_flag ? " (interrupted)" : "");
    for ( i = 0; i < r->nr; i++ )
        printf("  %-28s %14.6g %s\n", r->m[i].name, r->m[i].value,
               r->m[i].unit);
}

static void print_json_result(const struct hvsim_result *r)
{
    unsigned int i;

    printf("{");
    for ( i = 0; i < r->nr; i++ )
        printf("%s\"%s\": %.17g", i ? ", " : "", r->m[i].name,
               r->m[i].value);
    printf("}");
}

static void print_both(const struct opts *o, const struct hvsim_result *b,
                       const struct hvsim_result *f)
{
    unsigned int i;

    printf("scenario %s, %u pCPUs, %.1f s per variant%s\n", o->s->name,
           o->pcpus, o->seconds, stop_flag ? " (interrupted)" : "");
    printf("  %-28s %14s %14s %-10s %8s\n", "metric", "baseline", "optimized",
           "unit", "ratio");
    for ( i = 0; i < b->nr && i < f->nr; i++ )
    {
        double ratio = 0;
        const struct hvsim_metric *mb = &b->m[i], *mf = &f->m[i];

        if ( mb->higher_is_better ? mb->value > 0 : mf->value > 0 )
            ratio = mb->higher_is_better ? mf->value / mb->value
                                         : mb->value / mf->value;
        printf("  %-28s %14.6g %14.6g %-10s %8.2f\n", mb->name, mb->value,
               mf->value, mb->unit, ratio);
    }
    printf("  (ratio > 1: optimized is better)\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "scenario", required_argument, NULL, 's' },
        { "variant", required_argument, NULL, 'v' },
        { "pcpus", required_argument, NULL, 'p' },
        { "seconds", required_argument, NULL, 't' },
        { "trace", required_argument, NULL, 'T' },
        { "shm", required_argument, NULL, 'm' },
        { "json", no_argument, NULL, 'j' },
        { "list", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct opts o = { .seconds = 3 };
    const char *scenario = "mixed", *variant = NULL;
    struct hvsim_result rb, rf;
    char *end;
    int c, rc = 0;

    while ( (c = getopt_long(argc, argv, "", longopts, NULL)) != -1 )
    {
        switch ( c )
        {
        case 's':
            scenario = optarg;
            break;
        case 'v':
            if ( strcmp(optarg, "baseline") && strcmp(optarg, "optimized") )
            {
                fprintf(stderr, "hvsim: --variant: \"%s\": expected baseline "
                        "or optimized\n", optarg);
                return 2;
            }
            variant = optarg;
            break;
        case 'p':
            errno = 0;
            o.pcpus = strtoul(optarg, &end, 10);
            if ( errno || *end || !*optarg || optarg[0] == '-' ||
                 o.pcpus < 1 || o.pcpus > NR_CPUS )
            {
                fprintf(stderr, "hvsim: --pcpus: \"%s\": expected 1..%u\n",
                        optarg, NR_CPUS);
                return 2;
            }
            break;
        case 't':
            o.seconds = strtod(optarg, &end);
            if ( *end || !*optarg || !(o.seconds > 0 && o.seconds <= 86400) )
            {
                fprintf(stderr, "hvsim: --seconds: \"%s\": expected a "
                        "number of seconds in (0, 86400]\n", optarg);
                return 2;
            }
            break;
        case 'T':
            o.trace = optarg;
            break;
        case 'm':
            if ( !*optarg || strchr(optarg, '/') )
            {
                fprintf(stderr, "hvsim: --shm: \"%s\": expected a name "
                        "without '/'\n", optarg);
                return 2;
            }
            o.shm = optarg;
            break;
        case 'j':
            o.json = true;
            break;
        case 'l':
            list();
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if ( optind < argc )
    {
        fprintf(stderr, "hvsim: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    o.s = find(scenario);
    if ( !o.s )
    {
        fprintf(stderr, "hvsim: --scenario: no scenario \"%s\"; these "
                "exist:\n", scenario);
        list();
        return 2;
    }
    if ( !o.pcpus )
        o.pcpus = o.s->default_pcpus;

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    hvh_set_verbosity(1);

    if ( variant )
    {
        bool opt = !strcmp(variant, "optimized");

        rc = run_variant(&o, opt, o.trace, &rb);
        /* A run that never started (setup, --trace, --shm) has no figures. */
        if ( rc && !rb.nr )
            return 1;
        if ( o.json )
        {
            printf("{\"scenario\": \"%s\", \"pcpus\": %u, \"seconds\": %g, "
                   "\"interrupted\": %s, \"variants\": {\"%s\": ", o.s->name,
                   o.pcpus, o.seconds, stop_flag ? "true" : "false", variant);
            print_json_result(&rb);
            printf("}}\n");
        }
        else
            print_one(&o, variant, &rb);
        return rc ? 1 : 0;
    }

    {
        char tb[4096], tf[4096];

        if ( o.trace && !strcmp(o.trace, "-") )
        {
            fprintf(stderr, "hvsim: --trace -: name one variant "
                    "(--variant) to trace to standard output\n");
            return 2;
        }
        if ( o.trace )
        {
            snprintf(tb, sizeof(tb), "%s.baseline", o.trace);
            snprintf(tf, sizeof(tf), "%s.optimized", o.trace);
        }
        rc = run_variant(&o, false, o.trace ? tb : NULL, &rb);
        memset(&rf, 0, sizeof(rf));
        if ( !rc && !stop_flag )
            rc = run_variant(&o, true, o.trace ? tf : NULL, &rf);
    }
    if ( rc && !rb.nr )
        return 1;
    if ( o.json )
    {
        printf("{\"scenario\": \"%s\", \"pcpus\": %u, \"seconds\": %g, "
               "\"interrupted\": %s, \"variants\": {\"baseline\": ",
               o.s->name, o.pcpus, o.seconds, stop_flag ? "true" : "false");
        print_json_result(&rb);
        printf(", \"optimized\": ");
        print_json_result(&rf);
        printf("}}\n");
    }
    else if ( rf.nr )
        print_both(&o, &rb, &rf);
    else
        print_one(&o, "baseline", &rb);
    return rc ? 1 : 0;
}
