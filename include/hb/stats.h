/* Summary statistics of repeated measurements.
 *
 * The 95% confidence interval of the median is distribution-free: the pair
 * of order statistics [x(j), x(n+1-j)] whose binomial coverage is at least
 * 95%. With fewer than 6 samples no pair reaches 95%; the widest one (min,
 * max) is used and ci_level says the coverage actually achieved. */
#ifndef HB_STATS_H
#define HB_STATS_H

#include <stddef.h>

typedef struct hb_stats {
  size_t n;
  double median, mean, stddev, min, max;
  double ci95_low, ci95_high;
  double ci_level; /* coverage of [ci95_low, ci95_high], 0..1 */
  double cv;       /* stddev / mean, 0 when mean is 0 */
} hb_stats;

/* Fills out from n samples (n >= 1); returns -1 for n == 0. The samples
 * are not modified. */
int hb_stats_compute(const double *samples, size_t n, hb_stats *out);

/* Median of a sorted array. */
double hb_median_sorted(const double *sorted, size_t n);

/* 1-based rank j of the lower order statistic of the median's CI for n
 * samples and the coverage it achieves. */
size_t hb_median_ci_rank(size_t n, double level, double *coverage);

#endif
