/* Log-linear histogram (HdrHistogram's layout, our code).
 *
 * Bucket 0 holds 2048 sub-buckets of 512 ns (2^9, the largest power of two
 * not above the lowest discernible 1 us); each further bucket doubles the
 * width and holds the upper 1024 sub-buckets, as its lower half would
 * repeat the previous bucket. 17 buckets reach past 60 s. */
#include "hb/hdr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUB_COUNT 2048     /* 2 * 10^3 rounded up to a power of two */
#define SUB_HALF 1024
#define SUB_HALF_MAG 10
#define UNIT_MAG 9         /* floor(log2(1000 ns)) */
#define SUB_MASK ((uint64_t)(SUB_COUNT - 1) << UNIT_MAG)
#define BUCKETS 17         /* 2048 << (9 + 16) > 60 s */
#define COUNTS_LEN ((BUCKETS + 1) * SUB_HALF)
#define TICKS_PER_HALF 5

struct hb_hdr {
  uint64_t total;      /* values in counts[] */
  uint64_t clamped;    /* subset of total: above the highest value */
  uint64_t dropped;    /* not in total: their bucket was full */
  uint64_t min, max;   /* exact */
  long double sum, sumsq;
  uint32_t counts[COUNTS_LEN]; /* 72 KiB; 2^32-1 values per bucket */
};

static int hdr_bucket(uint64_t v)
{
  return 64 - __builtin_clzll(v | SUB_MASK) - (UNIT_MAG + SUB_HALF_MAG + 1);
}

static size_t hdr_index(uint64_t v)
{
  int b = hdr_bucket(v);
  uint64_t sb = v >> (b + UNIT_MAG);

  return ((size_t)(b + 1) << SUB_HALF_MAG) + (size_t)sb - SUB_HALF;
}

/* Lowest value of counts[i] and the width of its bucket. */
static uint64_t hdr_value(size_t i, uint64_t *width)
{
  int b = (int)(i >> SUB_HALF_MAG) - 1;
  uint64_t sb = (i & (SUB_HALF - 1)) + SUB_HALF;

  if(b < 0) {
    sb -= SUB_HALF;
    b = 0;
  }
  *width = (uint64_t)1 << (b + UNIT_MAG);
  return sb << (b + UNIT_MAG);
}

/* Highest value of counts[i], within the exact range seen. */
static uint64_t hdr_high(const hb_hdr *h, size_t i)
{
  uint64_t w, v = hdr_value(i, &w) + w - 1;

  if(v > h->max)
    v = h->max;
  if(v < h->min)
    v = h->min;
  return v;
}

hb_hdr *hb_hdr_new(void)
{
  hb_hdr *h = malloc(sizeof(*h));

  if(h)
    hb_hdr_reset(h);
  return h;
}

void hb_hdr_free(hb_hdr *h)
{
  free(h);
}

void hb_hdr_reset(hb_hdr *h)
{
  memset(h, 0, sizeof(*h));
}

void hb_hdr_record(hb_hdr *h, uint64_t ns)
{
  size_t i;

  if(ns > HB_HDR_HIGHEST_NS) {
    ns = HB_HDR_HIGHEST_NS;
    h->clamped++;
  }
  i = hdr_index(ns);
  if(h->counts[i] == UINT32_MAX) {
    h->dropped++;
    return;
  }
  h->counts[i]++;
  if(!h->total || ns < h->min)
    h->min = ns;
  if(ns > h->max)
    h->max = ns;
  h->total++;
  h->sum += (long double)ns;
  h->sumsq += (long double)ns * (long double)ns;
}

void hb_hdr_merge(hb_hdr *dst, const hb_hdr *src)
{
  size_t i;

  if(!src->total && !src->dropped)
    return;
  for(i = 0; i < COUNTS_LEN; i++) {
    uint64_t c = (uint64_t)dst->counts[i] + src->counts[i];

    if(c > UINT32_MAX) { /* keep total == sum of counts */
      dst->dropped += c - UINT32_MAX;
      dst->total -= c - UINT32_MAX;
      c = UINT32_MAX;
    }
    dst->counts[i] = (uint32_t)c;
  }
  if(src->total && (!dst->total || src->min < dst->min))
    dst->min = src->min;
  if(src->max > dst->max)
    dst->max = src->max;
  dst->total += src->total;
  dst->clamped += src->clamped;
  dst->dropped += src->dropped;
  dst->sum += src->sum;
  dst->sumsq += src->sumsq;
}

uint64_t hb_hdr_count(const hb_hdr *h)
{
  return h->total;
}

uint64_t hb_hdr_clamped(const hb_hdr *h)
{
  return h->clamped;
}

uint64_t hb_hdr_min(const hb_hdr *h)
{
  return h->total ? h->min : 0;
}

uint64_t hb_hdr_max(const hb_hdr *h)
{
  return h->max;
}

double hb_hdr_mean(const hb_hdr *h)
{
  return h->total ? (double)(h->sum / (long double)h->total) : 0;
}

double hb_hdr_stddev(const hb_hdr *h)
{
  long double n = (long double)h->total, mean, var;

  if(!h->total)
    return 0;
  mean = h->sum / n;
  var = h->sumsq / n - mean * mean;
  return var > 0 ? sqrt((double)var) : 0;
}

uint64_t hb_hdr_value_at_percentile(const hb_hdr *h, double p)
{
  uint64_t want, seen = 0;
  size_t i;

  if(!h->total)
    return 0;
  if(!(p > 0))
    return h->min;
  if(p > 100)
    p = 100;
  /* HdrHistogram's rounding: the nearest rank, at least the first */
  want = (uint64_t)(p / 100 * (double)h->total + 0.5);
  if(want < 1)
    want = 1;
  if(want > h->total)
    want = h->total;
  for(i = 0; i < COUNTS_LEN; i++) {
    seen += h->counts[i];
    if(seen >= want)
      return hdr_high(h, i);
  }
  return h->max;
}

static json_t *hdr_us(uint64_t ns)
{
  return json_real((double)ns / 1000.0);
}

/* HdrHistogram's percentile iteration: at each non-empty bucket, emit a
 * row for every tick the cumulative percentile has passed; ticks get
 * closer as they approach 100% (TICKS_PER_HALF per halving of the
 * distance). The bucket that completes the count gets one row, then a
 * final row at 100%. */
static json_t *hdr_spectrum(const hb_hdr *h)
{
  json_t *arr = json_array();
  uint64_t seen = 0, last = 0;
  double next = 0;
  size_t i;

  if(!arr || !h->total)
    return arr;
  for(i = 0; i < COUNTS_LEN && seen < h->total; i++) {
    double pct;

    if(!h->counts[i])
      continue;
    seen += h->counts[i];
    last = hdr_high(h, i);
    pct = 100.0 * (double)seen / (double)h->total;
    while(next <= pct) {
      double half = pow(2, floor(log2(100.0 / (100.0 - next))) + 1);

      json_array_append_new(arr, json_pack("[f,f,I]", (double)last / 1000.0,
                                           next, (json_int_t)seen));
      next += 100.0 / (TICKS_PER_HALF * half);
      if(seen == h->total)
        break;
    }
  }
  json_array_append_new(arr, json_pack("[f,f,I]", (double)last / 1000.0,
                                       100.0, (json_int_t)h->total));
  return arr;
}

json_t *hb_hdr_json(const hb_hdr *h)
{
  static const struct { const char *key; double p; } pcts[] = {
    { "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p99_9", 99.9 },
    { "p99_99", 99.99 }
  };
  json_t *o = json_object();
  size_t i;
  int empty = h->total == 0;

  if(!o)
    return NULL;
  json_object_set_new(o, "unit", json_string("us"));
  json_object_set_new(o, "count", json_integer((json_int_t)h->total));
  json_object_set_new(o, "clamped", json_integer((json_int_t)h->clamped));
  json_object_set_new(o, "dropped", json_integer((json_int_t)h->dropped));
  json_object_set_new(o, "min", empty ? json_null() : hdr_us(h->min));
  json_object_set_new(o, "max", empty ? json_null() : hdr_us(h->max));
  json_object_set_new(o, "mean", empty ? json_null()
                                 : json_real(hb_hdr_mean(h) / 1000.0));
  json_object_set_new(o, "stddev", empty ? json_null()
                                   : json_real(hb_hdr_stddev(h) / 1000.0));
  for(i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
    json_object_set_new(o, pcts[i].key, empty ? json_null()
                        : hdr_us(hb_hdr_value_at_percentile(h, pcts[i].p)));
  json_object_set_new(o, "spectrum", hdr_spectrum(h));
  return o;
}

json_t *hb_hdr_encode(const hb_hdr *h)
{
  json_t *o = json_object(), *c = json_array();
  size_t i;

  if(!o || !c) {
    json_decref(o);
    json_decref(c);
    return NULL;
  }
  for(i = 0; i < COUNTS_LEN; i++)
    if(h->counts[i]) {
      json_array_append_new(c, json_integer((json_int_t)i));
      json_array_append_new(c, json_integer((json_int_t)h->counts[i]));
    }
  json_object_set_new(o, "format", json_string(HB_HDR_FORMAT));
  json_object_set_new(o, "total", json_integer((json_int_t)h->total));
  json_object_set_new(o, "clamped", json_integer((json_int_t)h->clamped));
  json_object_set_new(o, "dropped", json_integer((json_int_t)h->dropped));
  json_object_set_new(o, "min_ns", json_integer((json_int_t)h->min));
  json_object_set_new(o, "max_ns", json_integer((json_int_t)h->max));
  /* values are whole ns, so the sum is a whole number: exact below 2^63
   * ns (292 years of latency) */
  json_object_set_new(o, "sum_ns", h->sum < 9.2e18L
                      ? json_integer((json_int_t)h->sum)
                      : json_real((double)h->sum));
  json_object_set_new(o, "sumsq_ns2", json_real((double)h->sumsq));
  json_object_set_new(o, "counts", c);
  return o;
}

static int hdr_u64(const json_t *o, const char *key, uint64_t *v)
{
  json_t *x = json_object_get(o, key);

  if(!json_is_integer(x) || json_integer_value(x) < 0)
    return -1;
  *v = (uint64_t)json_integer_value(x);
  return 0;
}

int hb_hdr_decode(hb_hdr *h, const json_t *j, char *why, size_t size)
{
  const char *fmt = json_string_value(json_object_get(j, "format"));
  json_t *c = json_object_get(j, "counts"), *s;
  uint64_t total, seen = 0;
  size_t i, n;
  long long last = -1;

  hb_hdr_reset(h);
  if(!fmt || strcmp(fmt, HB_HDR_FORMAT)) {
    snprintf(why, size, "histogram format '%s', not '%s'",
             fmt ? fmt : "(none)", HB_HDR_FORMAT);
    return -1;
  }
  if(hdr_u64(j, "total", &total) || hdr_u64(j, "clamped", &h->clamped) ||
     hdr_u64(j, "dropped", &h->dropped) || hdr_u64(j, "min_ns", &h->min) ||
     hdr_u64(j, "max_ns", &h->max) || !json_is_array(c) ||
     json_array_size(c) % 2 ||
     !json_is_number(s = json_object_get(j, "sum_ns")) ||
     !json_is_number(json_object_get(j, "sumsq_ns2"))) {
    snprintf(why, size, "histogram: a field is missing or not a "
             "non-negative number");
    hb_hdr_reset(h);
    return -1;
  }
  n = json_array_size(c);
  for(i = 0; i < n; i += 2) {
    json_t *ji = json_array_get(c, i), *jc = json_array_get(c, i + 1);
    json_int_t idx = json_integer_value(ji), cnt = json_integer_value(jc);

    if(!json_is_integer(ji) || !json_is_integer(jc) || idx <= last ||
       idx >= (json_int_t)COUNTS_LEN || cnt <= 0 || cnt > UINT32_MAX) {
      snprintf(why, size, "histogram: entry %zu is not an increasing "
               "index below %d with a count of 1..2^32-1", i / 2,
               COUNTS_LEN);
      hb_hdr_reset(h);
      return -1;
    }
    h->counts[idx] = (uint32_t)cnt;
    seen += (uint64_t)cnt;
    last = idx;
  }
  if(seen != total || h->clamped > total ||
     (total && (h->min > h->max || h->max > HB_HDR_HIGHEST_NS))) {
    snprintf(why, size, "histogram: counts add up to %llu, total says "
             "%llu (or min/max/clamped are inconsistent)",
             (unsigned long long)seen, (unsigned long long)total);
    hb_hdr_reset(h);
    return -1;
  }
  h->total = total;
  h->sum = (long double)(json_is_integer(s) ? (long double)json_integer_value(s)
                                            : (long double)json_real_value(s));
  h->sumsq = (long double)json_number_value(json_object_get(j, "sumsq_ns2"));
  return 0;
}
