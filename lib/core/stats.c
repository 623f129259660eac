/* Median, mean, standard deviation and the median's confidence interval. */
#include "hb/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double hb_median_sorted(const double *s, size_t n)
{
  if(n == 0)
    return 0;
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* P(B = i) for B ~ Binomial(n, 1/2), in log space so large n does not
 * overflow; long double keeps the sum of many terms within a few units in
 * the last place of a double. */
static long double binom_pmf_half(size_t n, size_t i)
{
  return expl(lgammal((long double)n + 1) - lgammal((long double)i + 1) -
              lgammal((long double)(n - i) + 1) -
              (long double)n * logl(2.0L));
}

/* Up to 64 samples the coverage is counted exactly: 1 - 2 P(B <= j-1) =
 * (2^(n-1) - sum C(n, i), i < j) / 2^(n-1), a whole numerator below 2^63
 * and a power of two, so the double is exact up to n = 54 and correctly
 * rounded up to 64. */
#define HB_EXACT_N 64

/* 1 - 2 P(B <= j-1) for n in 1..64, below = sum C(n, i) for i < j */
static double exact_coverage(size_t n, uint64_t below)
{
  return ldexp((double)((UINT64_C(1) << (n - 1)) - below), -(int)(n - 1));
}

/* [x(j), x(n+1-j)] covers the median with 1 - 2 P(B <= j-1); the
 * cumulative sum grows with j, so one pass finds the widest j */
size_t hb_median_ci_rank(size_t n, double level, double *coverage)
{
  size_t j, best = 1;
  double cov_best;

  if(n <= HB_EXACT_N) {
    uint64_t row[HB_EXACT_N + 1] = { 1 }, below = 1; /* sum C(n, i), i < j */
    size_t i, k;

    for(k = 1; k <= n; k++) /* Pascal's triangle up to row n */
      for(i = k; i > 0; i--)
        row[i] += row[i - 1];
    cov_best = n ? exact_coverage(n, below) : 0;
    for(j = 2; j <= n / 2; j++) {
      double cov;
      below += row[j - 1];
      cov = exact_coverage(n, below);
      if(cov < level)
        break;
      best = j;
      cov_best = cov;
    }
  }
  else {
    long double cdf = binom_pmf_half(n, 0); /* P(B <= j - 1) */

    cov_best = (double)(1 - 2 * cdf);
    for(j = 2; j <= n / 2; j++) {
      double cov;
      cdf += binom_pmf_half(n, j - 1);
      cov = (double)(1 - 2 * cdf);
      if(cov < level)
        break;
      best = j;
      cov_best = cov;
    }
  }
  if(coverage)
    *coverage = cov_best < 0 ? 0 : cov_best;
  return best;
}

int hb_stats_compute(const double *samples, size_t n, hb_stats *out)
{
  double *s, sum = 0, sq = 0;
  size_t i, j;

  memset(out, 0, sizeof(*out));
  if(n == 0)
    return -1;
  s = malloc(n * sizeof(*s));
  if(!s)
    return -1;
  memcpy(s, samples, n * sizeof(*s));
  qsort(s, n, sizeof(*s), cmp_double);
  for(i = 0; i < n; i++)
    sum += s[i];
  out->n = n;
  out->mean = sum / (double)n;
  for(i = 0; i < n; i++)
    sq += (s[i] - out->mean) * (s[i] - out->mean);
  out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
  out->min = s[0];
  out->max = s[n - 1];
  out->median = hb_median_sorted(s, n);
  j = hb_median_ci_rank(n, 0.95, &out->ci_level);
  out->ci_low = s[j - 1];
  out->ci_high = s[n - j];
  out->cv = out->mean != 0 ? out->stddev / fabs(out->mean) : 0;
  free(s);
  return 0;
}

int hb_stats_batches(const double *samples, size_t n, size_t k,
                     hb_stats *st, size_t *batches)
{
  double *med;
  hb_stats bs;
  size_t b;

  if(hb_stats_compute(samples, n, st))
    return -1;
  /* batch b holds samples [b n / k, (b + 1) n / k); the median, mean and
   * spread stay those of every sample */
  if(k > n)
    k = n;
  if(!k)
    k = 1;
  *batches = k;
  med = malloc(k * sizeof(*med));
  if(!med) {
    st->ci_low = st->ci_high = st->ci_level = NAN;
    return 0;
  }
  for(b = 0; b < k; b++) {
    size_t lo = b * n / k, hi = (b + 1) * n / k;

    hb_stats_compute(samples + lo, hi - lo, &bs);
    med[b] = bs.median;
  }
  hb_stats_compute(med, k, &bs);
  st->ci_low = bs.ci_low;
  st->ci_high = bs.ci_high;
  st->ci_level = bs.ci_level;
  free(med);
  return 0;
}
