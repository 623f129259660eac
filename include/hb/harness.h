/* The one timing harness every benchmark goes through.
 *
 * A benchmark is a function that performs `iters` calls of an operation.
 * The harness warms up, calibrates a batch size so the clock is read about
 * every batch_seconds (100 ms by default), then runs `repetitions`
 * repetitions of at least `seconds` each and stores one rate (calls per
 * second) per repetition. */
#ifndef HB_HARNESS_H
#define HB_HARNESS_H

#include <stdint.h>

#include "hb/err.h"

typedef int (*hb_bench_fn)(void *arg, uint64_t iters, hb_err *err);

typedef struct hb_bench_opts {
  double seconds;        /* per repetition */
  int repetitions;
  double warmup_seconds; /* 0: min(seconds, 0.1) */
  double batch_seconds;  /* 0: 0.1 */
} hb_bench_opts;

/* Runs fn; rates[repetitions] receives calls/s. *calls (may be NULL) gets
 * the number of timed calls. Returns HB_OK, fn's failure status (err
 * filled by fn), or HB_INTERRUPTED when SIGINT/SIGTERM arrived. */
int hb_bench_run(hb_bench_fn fn, void *arg, const hb_bench_opts *opts,
                 double *rates, uint64_t *calls, hb_err *err);

#endif
