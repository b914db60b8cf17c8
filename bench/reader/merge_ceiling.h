/*
 * merge_ceiling.h - the TSC-merge ceiling probe of bench_reader (see
 * merge_ceiling.c).
 */
#ifndef MERGE_CEILING_H
#define MERGE_CEILING_H

#include <stdint.h>

#include "xentrace.h"

struct merge_ceiling_result {
    double setup_secs;          /* mapping and window index */
    double merge_secs;          /* every record handed out, all threads */
    int avx512;                 /* the merges used AVX-512 */
};

/*
 * Hand out every record of path in TSC order, split by time over
 * nr_threads threads, and check that want_records records came out once
 * each in order (want_sum: the sum of their first extra words).  0, or -1
 * with a message on stderr.
 */
int merge_ceiling(const char *path, unsigned int nr_threads,
                  uint64_t want_records, uint64_t want_sum,
                  struct merge_ceiling_result *res);

#endif
