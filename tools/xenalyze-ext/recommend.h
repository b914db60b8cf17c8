/*
 * recommend.h - tuning advice from what the trace showed.
 *
 * Each piece of advice names the observation that justifies it, with its
 * numbers, and the exact boot parameter and `xenhypfs write` command that
 * apply it.  Checks that found nothing to change say so ("keep"), so an
 * administrator sees what was looked at.
 */
#ifndef XA_RECOMMEND_H
#define XA_RECOMMEND_H

#include "analysis.h"
#include "output.h"

/* EPT: a flush slower than this (p99) is worth deferring. */
#define XA_EPT_SLOW_NS          1000000u
/* PI: share of pCPUs whose lists overflowed (redirected vCPUs away) above
 * which the slack is too small; the smallest slack proposed. */
#define XA_PI_SPREAD_PCT        50.0
#define XA_PI_MIN_SLACK         4u
/* Maptrack: a domain above this share of its frame limit is near it. */
#define XA_MAPTRACK_NEAR_PCT    90.0

enum xa_rec_action { XA_REC_CHANGE, XA_REC_KEEP, XA_REC_NOTE };

struct xa_rec {
    const char *subsystem;
    enum xa_rec_action action;
    char finding[1024];
    char boot[128];             /* "" if none */
    char runtime[256];          /* "" if none */
};

/* Fills up to max entries, returns how many. */
unsigned int recommend(struct xa_analysis *a, struct xa_rec *out,
                       unsigned int max);
void recommend_print(struct xa_out *o, enum xa_format fmt,
                     const struct xa_rec *recs, unsigned int n);

#endif /* XA_RECOMMEND_H */
