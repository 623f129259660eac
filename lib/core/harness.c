/* Warm-up, calibration and repetitions: the one timing loop; and the
 * rounds that take many cases' repetitions in turn. */
#include "hb/harness.h"

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

int hb_bench_rounds(const hb_rounds_opts *opts, size_t ncases,
                    hb_rep_fn rep, hb_round_fn on_round, void *arg,
                    double *samples, hb_case_state *state)
{
  size_t i, todo, M = (size_t)opts->max_repetitions;
  int r, rc = HB_OK;

  for(i = 0; i < ncases; i++) {
    hb_case_state *s = &state[i];
    s->status = HB_OK;
    s->reached = 0;
    s->n = 0;
    s->cv = 0;
    s->noisy = 0;
    s->err.msg[0] = '\0';
  }
  /* Round r measures every case due once, so a case's samples come from
   * moments spread over the whole run; rounds past `repetitions` only
   * the cases still too spread, until none is left. */
  for(r = 0; r < opts->max_repetitions && rc == HB_OK; r++) {
    for(i = 0, todo = 0; i < ncases; i++)
      todo += due(opts, &state[i], r);
    if(!todo)
      break;
    if(on_round)
      on_round(arg, r, todo);
    for(i = 0; i < ncases && rc == HB_OK; i++) {
      hb_case_state *s = &state[i];
      double v = 0;
      int st;

      if(!due(opts, s, r))
        continue;
      if(hb_interrupted()) {
        rc = HB_INTERRUPTED;
        break;
      }
      st = rep(arg, i, s->n, r, &v, &s->err);
      if(st == HB_INTERRUPTED) {
        rc = HB_INTERRUPTED;
        break;
      }
      s->reached = 1;
      s->status = st;
      if(st != HB_OK)
        continue;
      samples[i * M + s->n++] = v;
      update_cv(s, &samples[i * M]);
    }
  }
  /* interrupted, a case keeps the samples it got; its spread is judged
   * on them */
  for(i = 0; i < ncases; i++)
    state[i].noisy = state[i].status == HB_OK &&
                     state[i].cv > opts->max_cv;
  return rc;
}
