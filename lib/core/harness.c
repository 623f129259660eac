/* Warm-up, calibration and repetitions: the one timing loop; and the
 * rounds that take many cases' repetitions in turn. */
#include "hb/harness.h"

#include <stdlib.h>
#include <time.h>

#include "hb/clock.h"
#include "hb/sig.h"
#include "hb/stats.h"

#define DEFAULT_BATCH 0.1

/* Runs fn(iters) and returns the elapsed seconds, or < 0 on failure. */
static double timed(hb_bench_fn fn, void *arg, uint64_t iters, int *rc,
                    hb_err *err)
{
  uint64_t t0 = hb_now_ns();

  *rc = fn(arg, iters, err);
  return (double)(hb_now_ns() - t0) / 1e9;
}

static uint64_t iters_for(double rate, double seconds)
{
  double n = rate * seconds;
  return n < 1 ? 1 : (uint64_t)n;
}

double hb_thread_cpu_s(void)
{
  struct timespec ts;

  if(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int hb_bench_run(hb_bench_fn fn, void *arg, const hb_bench_opts *opts,
                 double *rates, uint64_t *calls, hb_err *err)
{
  double batch_s = opts->batch_seconds > 0 ? opts->batch_seconds
                                           : DEFAULT_BATCH;
  double warm_s = opts->warmup_seconds > 0 ? opts->warmup_seconds
                  : opts->seconds < 0.1 ? opts->seconds : 0.1;
  double spent = 0, dt, rate = 0;
  uint64_t iters = 1, total = 0;
  int rc = HB_OK, r;

  if(batch_s > opts->seconds)
    batch_s = opts->seconds;
  /* a third of a batch: long enough to end the warm-up below at once */
  if(opts->rate_hint > 0)
    iters = iters_for(opts->rate_hint, batch_s / 3);
  /* Warm up (caches, frequency, lazy initialisation) while growing the
   * batch until one batch is long enough to time reliably. */
  for(;;) {
    dt = timed(fn, arg, iters, &rc, err);
    if(rc != HB_OK)
      return rc;
    if(hb_interrupted())
      return HB_INTERRUPTED;
    spent += dt;
    if(dt > 0)
      rate = (double)iters / dt;
    if(spent >= warm_s && dt >= batch_s / 4)
      break;
    if(dt < batch_s / 4 && iters < ((uint64_t)1 << 40))
      iters *= 2;
  }

  for(r = 0; r < opts->repetitions; r++) {
    uint64_t t0 = hb_now_ns(), t1 = t0, n = 0;
    double c0 = hb_thread_cpu_s(), wall;
    do {
      /* batches of batch_s, the last one cut to the time left, so a
       * repetition lasts `seconds`, not up to a batch more */
      double left = opts->seconds - (double)(t1 - t0) / 1e9;
      iters = iters_for(rate, left < batch_s ? left : batch_s);
      rc = fn(arg, iters, err);
      if(rc != HB_OK)
        return rc;
      n += iters;
      t1 = hb_now_ns();
      if(hb_interrupted())
        return HB_INTERRUPTED;
    } while((double)(t1 - t0) / 1e9 < opts->seconds);
    wall = (double)(t1 - t0) / 1e9;
    if(opts->cpu_s)
      opts->cpu_s[r] = hb_thread_cpu_s() - c0;
    if(opts->wall_s)
      opts->wall_s[r] = wall;
    rates[r] = (double)n / wall;
    rate = rates[r]; /* follow drift: the next batch targets batch_s */
    total += n;
  }
  if(calls)
    *calls = total;
  return HB_OK;
}

static void update_cv(hb_case_state *s, const double *samples)
{
  hb_stats st;

  s->cv = s->n >= 2 && hb_stats_compute(samples, s->n, &st) == 0 ? st.cv
                                                                 : 0;
}

/* Does case i get a repetition in round r? */
static int due(const hb_rounds_opts *o, const hb_case_state *s, int r)
{
  if(s->status != HB_OK || (r > 0 && !s->reached))
    return 0;
  if(r < o->repetitions)
    return 1;
  return s->cv > o->max_cv && s->n < (size_t)o->max_repetitions;
}

/* One sweep: slice j of every case marked in want; a case whose
 * repetition completes gets its sample. Returns HB_OK or
 * HB_INTERRUPTED. */
static int sweep(const hb_rounds_opts *opts, size_t ncases, hb_rep_fn rep,
                 void *arg, double *samples, hb_case_state *state,
                 const char *want, int r, int j, int slices)
{
  size_t i, M = (size_t)opts->max_repetitions;

  for(i = 0; i < ncases; i++) {
    hb_case_state *s = &state[i];
    double v = 0;
    int st;

    if(!want[i] || s->status != HB_OK)
      continue;
    if(hb_interrupted())
      return HB_INTERRUPTED;
    /* repetition r is the case's sample r (a case that failed gets no
     * more; one settled is due no more) */
    st = rep(arg, i, (size_t)r, r, j, &v, &s->err);
    if(st == HB_INTERRUPTED)
      return HB_INTERRUPTED;
    s->status = st;
    if(st != HB_OK) {
      s->reached = 1;
      continue;
    }
    if(j == slices - 1) {
      s->reached = 1;
      samples[i * M + s->n++] = v;
      update_cv(s, &samples[i * M]);
    }
  }
  return HB_OK;
}

static size_t count(const char *want, const hb_case_state *state,
                    size_t ncases)
{
  size_t i, n = 0;

  for(i = 0; i < ncases; i++)
    n += want[i] && state[i].status == HB_OK;
  return n;
}

int hb_bench_rounds(const hb_rounds_opts *opts, size_t ncases,
                    hb_rep_fn rep, hb_round_fn on_round, void *arg,
                    double *samples, hb_case_state *state)
{
  size_t i;
  int R = opts->repetitions, K = opts->slices > 1 ? opts->slices : 1;
  int r, j, q, rc = HB_OK;
  char *want = calloc(ncases + 1, 1);

  if(!want)
    return HB_ERROR;
  for(i = 0; i < ncases; i++) {
    hb_case_state *s = &state[i];
    s->status = HB_OK;
    s->reached = 0;
    s->n = 0;
    s->cv = 0;
    s->noisy = 0;
    s->err.msg[0] = '\0';
    want[i] = 1;
  }
  /* The base repetitions, slice by slice: sweep q takes slice q / R of
   * repetition q % R of every case, so a case's samples come from
   * moments spread over the whole run, not from one stretch of it. With
   * one slice this is round r measuring every case once. */
  for(q = 0; q < R * K && rc == HB_OK; q++) {
    r = q % R;
    j = q / R;
    if(on_round)
      on_round(arg, r, j, count(want, state, ncases));
    rc = sweep(opts, ncases, rep, arg, samples, state, want, r, j, K);
  }
  /* then rounds only for the cases still too spread, until none is
   * left: each such repetition in K sweeps over those cases */
  for(r = R; r < opts->max_repetitions && rc == HB_OK; r++) {
    for(i = 0; i < ncases; i++)
      want[i] = (char)due(opts, &state[i], r);
    if(!count(want, state, ncases))
      break;
    for(j = 0; j < K && rc == HB_OK; j++) {
      if(on_round)
        on_round(arg, r, j, count(want, state, ncases));
      rc = sweep(opts, ncases, rep, arg, samples, state, want, r, j, K);
    }
  }
  free(want);
  /* interrupted, a case keeps the samples it got; its spread is judged
   * on them */
  for(i = 0; i < ncases; i++)
    state[i].noisy = state[i].status == HB_OK &&
                     state[i].cv > opts->max_cv;
  return rc;
}
