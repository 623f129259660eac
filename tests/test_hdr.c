/* The latency histogram against known distributions: percentiles of a
 * uniform 1..10000 us within 0.1%, exact min/max, merge equal to recording
 * both, clamping above 60 s, an empty histogram, the JSON spectrum, and
 * the lossless encoding that merges reports exactly. Also the load
 * statistics' verdicts on short windows: a coarse window warned of, and a
 * window that completed nothing and failed nothing named as such. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hb/hdr.h"
#include "hb/loadstats.h"
#include "hb/report.h"

#define US 1000ull

static double rel(double got, double want)
{
  return fabs(got - want) / want;
}

static void test_uniform(void)
{
  static const double ps[] = { 10, 25, 50, 75, 90, 99, 99.9, 99.99 };
  hb_hdr *h = hb_hdr_new();
  uint64_t v;
  size_t i;

  CHECK(h != NULL, "new");
  if(!h)
    return;
  for(v = 1; v <= 10000; v++)
    hb_hdr_record(h, v * US);
  CHECK(hb_hdr_count(h) == 10000, "count %llu",
        (unsigned long long)hb_hdr_count(h));
  CHECK(hb_hdr_min(h) == 1 * US, "min %llu",
        (unsigned long long)hb_hdr_min(h));
  CHECK(hb_hdr_max(h) == 10000 * US, "max %llu",
        (unsigned long long)hb_hdr_max(h));
  CHECK(rel(hb_hdr_mean(h), 5000.5 * US) < 1e-9, "mean %g", hb_hdr_mean(h));
  /* population stddev of 1..n is sqrt((n^2 - 1) / 12) */
  CHECK(rel(hb_hdr_stddev(h), sqrt((1e8 - 1) / 12) * US) < 1e-6,
        "stddev %g", hb_hdr_stddev(h));
  for(i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
    double want = ps[i] / 100 * 10000 * US;
    double got = (double)hb_hdr_value_at_percentile(h, ps[i]);

    CHECK(rel(got, want) <= 0.001, "p%g: %g want %g", ps[i], got, want);
    CHECK(got >= want, "p%g: %g below the true %g", ps[i], got, want);
  }
  CHECK(hb_hdr_value_at_percentile(h, 100) == 10000 * US, "p100");
  CHECK(hb_hdr_value_at_percentile(h, 0) == 1 * US, "p0");
  /* below 1 ms the resolution is 512 ns: 1 us stays within it */
  CHECK(hb_hdr_value_at_percentile(h, 0.01) - 1 * US < 512, "p0.01 %llu",
        (unsigned long long)hb_hdr_value_at_percentile(h, 0.01));
  hb_hdr_free(h);
}

/* Every recorded value is found again within 0.1% (or the 512 ns width
 * of the first bucket) over the whole range. */
static void test_precision(void)
{
  hb_hdr *h = hb_hdr_new();
  uint64_t v;
  int bad = 0;

  if(!h)
    return;
  for(v = 1000; v <= 60000000000ull; v = v * 1.37 + 7) {
    uint64_t got;

    hb_hdr_reset(h);
    hb_hdr_record(h, v);
    hb_hdr_record(h, v + v / 2000); /* a neighbour in the same range */
    got = hb_hdr_value_at_percentile(h, 50);
    if(got < v || (double)(got - v) > fmax(0.001 * (double)v, 512))
      bad++;
  }
  CHECK(bad == 0, "%d values outside their precision", bad);
  hb_hdr_free(h);
}

static void test_merge(void)
{
  hb_hdr *a = hb_hdr_new(), *b = hb_hdr_new(), *both = hb_hdr_new();
  uint64_t x = 88172645463325252ull;
  int i, same = 1;
  double p;

  if(!a || !b || !both)
    goto out;
  for(i = 0; i < 20000; i++) { /* xorshift: a spread of latencies */
    uint64_t v;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v = 1000 + x % 50000000;
    hb_hdr_record(i % 3 ? a : b, v);
    hb_hdr_record(both, v);
  }
  hb_hdr_merge(a, b);
  CHECK(hb_hdr_count(a) == hb_hdr_count(both), "merged count");
  CHECK(hb_hdr_min(a) == hb_hdr_min(both), "merged min");
  CHECK(hb_hdr_max(a) == hb_hdr_max(both), "merged max");
  CHECK(rel(hb_hdr_mean(a), hb_hdr_mean(both)) < 1e-12, "merged mean");
  CHECK(rel(hb_hdr_stddev(a), hb_hdr_stddev(both)) < 1e-9, "merged sd");
  /* 0.5 steps are exact in binary: 201 rounds */
  /* NOLINTNEXTLINE(clang-analyzer-security.FloatLoopCounter) */
  for(p = 0; p <= 100; p += 0.5)
    if(hb_hdr_value_at_percentile(a, p) !=
       hb_hdr_value_at_percentile(both, p))
      same = 0;
  CHECK(same, "merged percentiles differ");
  /* merging an empty histogram changes nothing */
  hb_hdr_reset(b);
  hb_hdr_merge(a, b);
  CHECK(hb_hdr_count(a) == hb_hdr_count(both), "merge empty");
  CHECK(hb_hdr_min(a) == hb_hdr_min(both), "merge empty: min");
  /* and into an empty one gives a copy */
  hb_hdr_merge(b, a);
  CHECK(hb_hdr_min(b) == hb_hdr_min(both) &&
        hb_hdr_value_at_percentile(b, 99) ==
        hb_hdr_value_at_percentile(both, 99), "merge into empty");
out:
  hb_hdr_free(a);
  hb_hdr_free(b);
  hb_hdr_free(both);
}

static void test_clamp_empty(void)
{
  hb_hdr *h = hb_hdr_new();
  json_t *j;

  if(!h)
    return;
  CHECK(hb_hdr_count(h) == 0 && hb_hdr_min(h) == 0 && hb_hdr_max(h) == 0,
        "empty: count/min/max");
  CHECK(hb_hdr_mean(h) == 0 && hb_hdr_stddev(h) == 0, "empty: mean/sd");
  CHECK(hb_hdr_value_at_percentile(h, 99) == 0, "empty: p99");
  j = hb_hdr_json(h);
  CHECK(j && json_integer_value(json_object_get(j, "count")) == 0,
        "empty json count");
  CHECK(j && json_is_null(json_object_get(j, "p99")) &&
        json_is_null(json_object_get(j, "mean")), "empty json nulls");
  CHECK(j && json_array_size(json_object_get(j, "spectrum")) == 0,
        "empty spectrum");
  json_decref(j);

  hb_hdr_record(h, 5 * US);
  hb_hdr_record(h, 120000000000ull); /* 120 s */
  hb_hdr_record(h, UINT64_MAX);
  CHECK(hb_hdr_count(h) == 3, "clamped values are counted");
  CHECK(hb_hdr_clamped(h) == 2, "clamped %llu",
        (unsigned long long)hb_hdr_clamped(h));
  CHECK(hb_hdr_max(h) == HB_HDR_HIGHEST_NS, "max after clamp %llu",
        (unsigned long long)hb_hdr_max(h));
  CHECK(hb_hdr_value_at_percentile(h, 100) == HB_HDR_HIGHEST_NS,
        "p100 after clamp");
  hb_hdr_record(h, 0); /* below the lowest: kept in the first bucket */
  CHECK(hb_hdr_min(h) == 0 && hb_hdr_count(h) == 4, "zero");
  hb_hdr_free(h);
}

/* The spectrum: rows ascend in value, percentile and count, ticks get
 * closer towards 100%, and the last row is (max, 100, count). */
static void test_json(void)
{
  hb_hdr *h = hb_hdr_new();
  json_t *j, *sp, *row, *last;
  size_t i, n;
  int mono = 1;
  uint64_t v;

  if(!h)
    return;
  for(v = 1; v <= 100000; v++)
    hb_hdr_record(h, v * 100); /* 0.1 us .. 10 ms */
  j = hb_hdr_json(h);
  CHECK(j != NULL, "json");
  if(!j)
    goto out;
  CHECK(!strcmp(json_string_value(json_object_get(j, "unit")), "us"),
        "unit");
  CHECK(rel(json_real_value(json_object_get(j, "max")), 10000) < 1e-12,
        "max us");
  CHECK(rel(json_real_value(json_object_get(j, "p99")), 9900) <= 0.001,
        "p99 us %g", json_real_value(json_object_get(j, "p99")));
  CHECK(json_object_get(j, "p99_9") && json_object_get(j, "p99_99") &&
        json_object_get(j, "p90") && json_object_get(j, "p50") &&
        json_object_get(j, "stddev") && json_object_get(j, "min"),
        "keys");
  sp = json_object_get(j, "spectrum");
  n = json_array_size(sp);
  CHECK(n > 50 && n < 400, "spectrum rows %zu", n);
  for(i = 1; i < n; i++) {
    json_t *a = json_array_get(sp, i - 1), *b = json_array_get(sp, i);

    if(json_real_value(json_array_get(a, 0)) >
       json_real_value(json_array_get(b, 0)) ||
       json_real_value(json_array_get(a, 1)) >
       json_real_value(json_array_get(b, 1)) ||
       json_integer_value(json_array_get(a, 2)) >
       json_integer_value(json_array_get(b, 2)))
      mono = 0;
  }
  CHECK(mono, "spectrum not ascending");
  row = json_array_get(sp, 0);
  CHECK(json_real_value(json_array_get(row, 1)) == 0, "first tick 0%%");
  row = json_array_get(sp, 5);
  CHECK(rel(json_real_value(json_array_get(row, 1)), 50) < 1e-9,
        "sixth tick 50%% (5 per half): %g",
        json_real_value(json_array_get(row, 1)));
  last = json_array_get(sp, n - 1);
  CHECK(json_real_value(json_array_get(last, 1)) == 100 &&
        json_integer_value(json_array_get(last, 2)) == 100000 &&
        rel(json_real_value(json_array_get(last, 0)), 10000) < 1e-12,
        "last row");
  json_decref(j);
out:
  hb_hdr_free(h);
}

/* Encoded histograms of three clients, sent through JSON text, decoded
 * and merged, give what one histogram of the union of their values
 * gives: every count, percentile and spectrum row (stddev to 1e-12,
 * its sum of squares travels as a double). Broken encodings are
 * refused. */
static char *hdr_text(const hb_hdr *h)
{
  json_t *j = hb_hdr_json(h);
  char *s;

  json_object_del(j, "stddev");
  s = json_dumps(j, JSON_SORT_KEYS);
  json_decref(j);
  return s;
}

static void test_encode(void)
{
  hb_hdr *part[3], *all = hb_hdr_new(), *merged = hb_hdr_new(),
         *back = hb_hdr_new();
  uint64_t x = 88172645463325252ull;
  char why[200] = "", *a = NULL, *b = NULL;
  json_t *enc, *bad;
  int i, k, ok = 1;

  for(k = 0; k < 3; k++)
    part[k] = hb_hdr_new();
  if(!all || !merged || !back || !part[0] || !part[1] || !part[2]) {
    CHECK(0, "new");
    goto out;
  }
  for(i = 0; i < 300000; i++) {
    uint64_t v;

    x ^= x << 13; /* xorshift64: a fixed, spread-out sequence */
    x ^= x >> 7;
    x ^= x << 17;
    /* 3.7 us .. 121 s: a heavy tail, some values clamped at 60 s */
    v = (x % 1000 + 1) * (1ull << (x >> 60)) * 37 * US / 10;
    hb_hdr_record(part[i % 3], v);
    hb_hdr_record(all, v);
  }
  for(k = 0; k < 3; k++) {
    char *text;

    enc = hb_hdr_encode(part[k]);
    text = enc ? json_dumps(enc, 0) : NULL;
    json_decref(enc);
    enc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if(!enc || hb_hdr_decode(back, enc, why, sizeof(why))) {
      CHECK(0, "decode %d: %s", k, why);
      ok = 0;
    }
    json_decref(enc);
    hb_hdr_merge(merged, back);
  }
  if(ok) {
    a = hdr_text(all);
    b = hdr_text(merged);
    CHECK(a && b && !strcmp(a, b), "merged decoded != union");
    CHECK(hb_hdr_clamped(merged) > 0 && hb_hdr_clamped(merged) ==
          hb_hdr_clamped(all), "clamped %llu",
          (unsigned long long)hb_hdr_clamped(merged));
    CHECK(rel(hb_hdr_stddev(merged), hb_hdr_stddev(all)) < 1e-12,
          "stddev %g vs %g", hb_hdr_stddev(merged), hb_hdr_stddev(all));
    CHECK(hb_hdr_mean(merged) == hb_hdr_mean(all), "mean exact");
  }
  /* refused: another format, indices not increasing, counts != total */
  enc = hb_hdr_encode(part[0]);
  bad = json_deep_copy(enc);
  json_object_set_new(bad, "format", json_string("hdr/0"));
  CHECK(hb_hdr_decode(back, bad, why, sizeof(why)) == -1 &&
        strstr(why, "format"), "format: %s", why);
  json_decref(bad);
  bad = json_deep_copy(enc);
  json_array_set_new(json_object_get(bad, "counts"), 2, json_integer(0));
  CHECK(hb_hdr_decode(back, bad, why, sizeof(why)) == -1 &&
        hb_hdr_count(back) == 0, "order: %s", why);
  json_decref(bad);
  bad = json_deep_copy(enc);
  json_object_set_new(bad, "total", json_integer(1));
  CHECK(hb_hdr_decode(back, bad, why, sizeof(why)) == -1 &&
        strstr(why, "add up"), "total: %s", why);
  json_decref(bad);
  json_decref(enc);
out:
  free(a);
  free(b);
  for(k = 0; k < 3; k++)
    hb_hdr_free(part[k]);
  hb_hdr_free(all);
  hb_hdr_free(merged);
  hb_hdr_free(back);
}

static void test_short_window(void)
{
  hb_load_stats st;
  hb_load_run run;
  json_t *rep, *res;
  const char *err;
  char w[300] = "";

  if(hb_load_stats_init(&st)) {
    CHECK(0, "load stats");
    return;
  }
  memset(&run, 0, sizeof(run));
  run.elapsed = 0.3;
  run.threads = 1;
  st.ok = 31; /* 8 connections: fewer than 4 each */
  CHECK(hb_load_coarse_warning(&st, 8, 0.3, w) == 1 &&
        strstr(w, "31 requests on 8 connections"), "coarse: %s", w);
  st.ok = 32;
  w[0] = '\0';
  CHECK(hb_load_coarse_warning(&st, 8, 0.3, w) == 0 && !w[0],
        "32 on 8 warned: %s", w);
  /* nothing completed, nothing failed: the window is named */
  hb_load_stats_reset(&st);
  rep = hb_report_new(0, NULL);
  res = rep ? hb_load_result(rep, "x", json_object(), &st, &run, NULL, 0)
        : NULL;
  err = res ? json_string_value(json_object_get(res, "error")) : NULL;
  CHECK(err && strstr(err, "no request completed in the 0.30 s window"),
        "empty window: %s", err ? err : "(none)");
  /* a failure is named by its own message */
  hb_load_fail(&st, HB_LE_RESET, "connection reset");
  res = rep ? hb_load_result(rep, "y", json_object(), &st, &run, NULL, 0)
        : NULL;
  err = res ? json_string_value(json_object_get(res, "error")) : NULL;
  CHECK(err && strstr(err, "connection reset"), "failed: %s",
        err ? err : "(none)");
  json_decref(rep);
  hb_load_stats_free(&st);
}

int main(void)
{
  test_short_window();
  test_encode();
  test_uniform();
  test_precision();
  test_merge();
  test_clamp_empty();
  test_json();
  return test_summary("hdr");
}
