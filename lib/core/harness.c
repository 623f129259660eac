/* Warm-up, calibration and repetitions: the one timing loop. */
#include "hb/harness.h"

#include "hb/clock.h"
#include "hb/sig.h"

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
    rates[r] = (double)n / ((double)(t1 - t0) / 1e9);
    rate = rates[r]; /* follow drift: the next batch targets batch_s */
    total += n;
  }
  if(calls)
    *calls = total;
  return HB_OK;
}
