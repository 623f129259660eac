/* Fuzz target: the latency histogram (lib/http/hdr.c), which has no
 * decoder: the input is a list of values to record, so the fuzzer hunts
 * for values and mixes that break its arithmetic.
 *
 * Every 5 bytes are a value: a shift (first byte) and 32 bits, so values
 * span 0 .. past the 60 s clamp. Properties: count, clamped, min and max
 * exact; mean within rounding; percentiles never decrease with p, stay
 * within [min, max] and are within 0.1% above the true value at that
 * rank (HdrHistogram's 3 digits; a bucket's highest value); p100 is the
 * max; recording the values in two histograms and merging gives the same
 * counts, extremes and percentiles as recording them in one. */
#include <math.h>

#include "fuzz.h"
#include "hb/hdr.h"

#define FZ_MAX_VALUES 1024

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

  return x < y ? -1 : x > y;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const double ps[] = { 0, 1, 25, 50, 75, 90, 99, 99.9, 99.99,
                               100 };
  static hb_hdr *all, *a, *b;
  static uint64_t v[FZ_MAX_VALUES];
  size_t n = 0, i, clamped = 0;
  long double sum = 0;
  uint64_t prev = 0;

  if(!all) {
    all = hb_hdr_new();
    a = hb_hdr_new();
    b = hb_hdr_new();
    if(!all || !a || !b)
      abort();
  }
  hb_hdr_reset(all);
  hb_hdr_reset(a);
  hb_hdr_reset(b);
  for(i = 0; i + 5 <= size && n < FZ_MAX_VALUES; i += 5, n++) {
    uint32_t x;

    memcpy(&x, data + i + 1, 4);
    v[n] = (uint64_t)x << (data[i] % 25);
    hb_hdr_record(all, v[n]);
    hb_hdr_record(n % 2 ? a : b, v[n]);
    if(v[n] > HB_HDR_HIGHEST_NS) {
      clamped++;
      v[n] = HB_HDR_HIGHEST_NS;
    }
    sum += v[n];
  }
  hb_hdr_merge(a, b);
  FZ_ASSERT(hb_hdr_count(all) == n && hb_hdr_count(a) == n);
  FZ_ASSERT(hb_hdr_clamped(all) == clamped && hb_hdr_clamped(a) == clamped);
  if(!n) {
    FZ_ASSERT(hb_hdr_min(all) == 0 && hb_hdr_max(all) == 0);
    FZ_ASSERT(hb_hdr_value_at_percentile(all, 50) == 0);
    return 0;
  }
  qsort(v, n, sizeof(v[0]), cmp_u64);
  FZ_ASSERT(hb_hdr_min(all) == v[0] && hb_hdr_min(a) == v[0]);
  FZ_ASSERT(hb_hdr_max(all) == v[n - 1] && hb_hdr_max(a) == v[n - 1]);
  FZ_ASSERT(fabsl((long double)hb_hdr_mean(all) - sum / n) <=
            1e-9L * (sum / n) + 1e-6L);
  FZ_ASSERT(hb_hdr_stddev(all) >= 0);
  for(i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
    uint64_t got = hb_hdr_value_at_percentile(all, ps[i]);
    /* the true value at HdrHistogram's rank: nearest, within 1..n */
    size_t rank = (size_t)(ps[i] / 100 * (double)n + 0.5);
    uint64_t want;

    rank = rank < 1 ? 1 : rank > n ? n : rank;
    want = ps[i] > 0 ? v[rank - 1] : v[0];

    FZ_ASSERT(got == hb_hdr_value_at_percentile(a, ps[i]));
    FZ_ASSERT(got >= prev);
    FZ_ASSERT(got >= v[0] && got <= v[n - 1]);
    /* a bucket's highest value: at or above the true one, within its
     * width (0.1%, or 512 ns in the lowest bucket) */
    FZ_ASSERT(got >= want);
    FZ_ASSERT(got - want <= want / 1000 + 512);
    prev = got;
  }
  FZ_ASSERT(hb_hdr_value_at_percentile(all, 100) == v[n - 1]);
  return 0;
}
