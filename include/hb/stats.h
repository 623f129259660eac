/* Summary statistics of repeated measurements.
 *
 * The confidence interval of the median [ci_low, ci_high] is
 * distribution-free: the narrowest pair of order statistics [x(j),
 * x(n+1-j)] whose binomial coverage is at least 95%. With fewer than 6
 * samples no pair reaches 95%; the widest one (min, max) is used. ci_level
 * is the coverage the chosen pair achieves, exact for n <= 54 (0.75 for 3
 * samples, 0.9375 for 5): label the interval with it, not with 95%. */
#ifndef HB_STATS_H
#define HB_STATS_H

#include <stddef.h>

typedef struct hb_stats {
  size_t n;
  double median, mean, stddev, min, max;
  double ci_low, ci_high;
  double ci_level; /* coverage of [ci_low, ci_high], 0..1 */
  double cv;       /* stddev / mean, 0 when mean is 0 */
} hb_stats;

/* Fills out from n samples (n >= 1); returns -1 for n == 0. The samples
 * are not modified. */
int hb_stats_compute(const double *samples, size_t n, hb_stats *out);

/* As hb_stats_compute, but the median's CI is over the medians of k
 * consecutive batches of the samples (fewer samples: one per batch;
 * *batches says how many): for samples that are not independent units
 * one by one (back-to-back connections) while batches of them nearly
 * are. -1 for n == 0. */
int hb_stats_batches(const double *samples, size_t n, size_t k,
                     hb_stats *st, size_t *batches);

/* Median of a sorted array. */
double hb_median_sorted(const double *sorted, size_t n);

/* 1-based rank j of the lower order statistic of the median's CI for n
 * samples (the largest j whose coverage is at least level, else 1) and
 * the coverage it achieves: 1 - 2 P(B <= j-1), B ~ Binomial(n, 1/2);
 * exact for n <= 54, correctly rounded up to 64, within a few units in the
 * last place beyond. */
size_t hb_median_ci_rank(size_t n, double level, double *coverage);

#endif
