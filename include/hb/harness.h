/* The one timing harness every benchmark goes through.
 *
 * A benchmark is a function that performs `iters` calls of an operation.
 * The harness warms up, calibrates a batch size so the clock is read about
 * every batch_seconds (100 ms by default), then runs `repetitions`
 * repetitions of at least `seconds` each and stores one rate (calls per
 * second of wall-clock time) per repetition, and beside it, when asked,
 * the repetition's wall-clock and thread CPU seconds.
 *
 * hb_bench_rounds takes the repetitions of many cases in rounds (round r
 * measures every case once) and measures a case again, up to a cap, while
 * its samples spread more than a given coefficient of variation. A
 * repetition may be taken in slices spread over the run (see
 * hb_rounds_opts.slices). */
#ifndef HB_HARNESS_H
#define HB_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "hb/err.h"

typedef int (*hb_bench_fn)(void *arg, uint64_t iters, hb_err *err);

typedef struct hb_bench_opts {
  double seconds;        /* per repetition */
  int repetitions;
  double warmup_seconds; /* 0: min(seconds, 0.1) */
  double batch_seconds;  /* 0: 0.1 */
  /* Optional outputs, [repetitions] each (NULL: not wanted): each
   * repetition's wall-clock seconds and the CPU seconds the calling
   * thread got over the same calls (CLOCK_THREAD_CPUTIME_ID). Less CPU
   * than wall time means the thread was not running: preempted, or its
   * virtual CPU's time stolen by the hypervisor. */
  double *wall_s, *cpu_s;
  /* calls/s of fn found earlier (0: none): the warm-up starts with a
   * third of a batch at that rate instead of growing one from a single
   * call */
  double rate_hint;
} hb_bench_opts;

/* Runs fn; rates[repetitions] receives calls/s. *calls (may be NULL) gets
 * the number of timed calls. Returns HB_OK, fn's failure status (err
 * filled by fn), or HB_INTERRUPTED when SIGINT/SIGTERM arrived. */
int hb_bench_run(hb_bench_fn fn, void *arg, const hb_bench_opts *opts,
                 double *rates, uint64_t *calls, hb_err *err);

/* Thread CPU seconds of the calling thread. */
double hb_thread_cpu_s(void);

/* Slice `slice` (0-based, of opts->slices) of case i's k-th repetition,
 * in round `round` (0-based); after the last slice *sample receives the
 * repetition's value (the callee adds its slices up). Returns HB_OK, a
 * failure (err says why; the case gets no more slices) or
 * HB_INTERRUPTED. */
typedef int (*hb_rep_fn)(void *arg, size_t i, size_t k, int round,
                         int slice, double *sample, hb_err *err);

/* Called before each sweep (every case due measured once, one slice
 * each) with the round and slice it takes and the number of cases it
 * measures (may be NULL). */
typedef void (*hb_round_fn)(void *arg, int round, int slice, size_t ncases);

/* Defaults of the commands' --max-cv (percent) and --max-repetitions. */
#define HB_DEFAULT_MAX_CV 5.0
#define HB_DEFAULT_MAX_REPETITIONS(repetitions) (2 * (repetitions))
/* Seconds of the crypto front end's --slice: the VM this was tuned on
 * changes speed level every few tens of milliseconds, so many short
 * slices spread over the run average that out far better than a few
 * long ones (see the crypto section of README.md). */
#define HB_DEFAULT_SLICE 0.005

typedef struct hb_rounds_opts {
  int repetitions;     /* rounds every case goes through */
  int max_repetitions; /* cap for a case measured again (>= repetitions) */
  double max_cv;       /* measured again while stddev/mean is above this */
  /* slices a repetition is taken in (0 or 1: one piece). The first
   * `repetitions` repetitions of every case are taken together, slice by
   * slice: sweep q measures slice q / repetitions of repetition
   * q % repetitions of every case, so each repetition's slices lie
   * across the whole run and each repetition sees the machine's slow
   * swings of speed alike. A repetition measured again takes its slices
   * in `slices` sweeps over the cases still due. */
  int slices;
} hb_rounds_opts;

typedef struct hb_case_state {
  int status;    /* HB_OK, or the failure that ended its rounds */
  int reached;   /* round 0 got to the case (else it has no result) */
  size_t n;      /* samples taken */
  double cv;     /* of those samples; 0 for fewer than 2 */
  int noisy;     /* cv still above max_cv after max_repetitions */
  hb_err err;
} hb_case_state;

/* Takes opts->repetitions rounds over ncases cases (in slices, see
 * hb_rounds_opts), then more rounds over the cases whose cv exceeds
 * max_cv, each until its cv is within max_cv or it has max_repetitions
 * samples; those still above are marked noisy.
 * samples[ncases * max_repetitions] receives case i's k-th sample at
 * i * max_repetitions + k; state[ncases] is filled. Returns HB_OK or
 * HB_INTERRUPTED (what was measured stays in samples and state). */
int hb_bench_rounds(const hb_rounds_opts *opts, size_t ncases,
                    hb_rep_fn rep, hb_round_fn on_round, void *arg,
                    double *samples, hb_case_state *state);

#endif
