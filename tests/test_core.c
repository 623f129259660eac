/* Core modules: statistics against known values, the timing harness's
 * contract, the report writer (atomic, no NaN) and argument parsers. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "hb/cli.h"
#include "hb/crypto_cases.h"
#include "hb/harness.h"
#include "hb/opts.h"
#include "hb/report.h"
#include "hb/stats.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9 * (fabs(b) + 1))

/* The coverage of [x(j), x(n+1-j)] counted here, not with stats.c's
 * cumulative sum: P(j <= B <= n-j) for B ~ Binomial(n, 1/2), the middle
 * of row n of Pascal's triangle over 2^n (exact for n <= 52). */
static double coverage_of(size_t n, size_t j)
{
  uint64_t row[64] = { 1 }, mid = 0;
  size_t i, k;

  for(k = 1; k <= n; k++)
    for(i = k; i > 0; i--)
      row[i] += row[i - 1];
  for(i = j; i + j <= n; i++)
    mid += row[i];
  return (double)mid / ldexp(1, (int)n);
}

/* Samples 1..n in reverse: x(j) is j, so the bounds name the ranks the
 * code chose; ci_level must be their exact coverage, and j the largest
 * rank reaching 95% (1 when none does). */
static void check_level(size_t n, double known)
{
  double v[52];
  size_t i, j;
  hb_stats st;

  for(i = 0; i < n; i++)
    v[i] = (double)(n - i);
  CHECK(hb_stats_compute(v, n, &st) == 0, "n=%zu failed", n);
  j = (size_t)st.ci_low;
  CHECK(j >= 1 && st.ci_high == (double)(n + 1 - j), "n=%zu ci [%g, %g]",
        n, st.ci_low, st.ci_high);
  CHECK(st.ci_level == coverage_of(n, j), "n=%zu: ci_level %.17g, "
        "coverage of [x%zu, x%zu] %.17g", n, st.ci_level, j, n + 1 - j,
        coverage_of(n, j));
  CHECK(known < 0 || st.ci_level == known, "n=%zu: ci_level %.17g, want "
        "%.17g", n, st.ci_level, known);
  CHECK(j == 1 || coverage_of(n, j) >= 0.95, "n=%zu: x%zu below 95%%", n,
        j);
  CHECK(2 * (j + 1) > n || coverage_of(n, j + 1) < 0.95, "n=%zu: x%zu "
        "is not the narrowest 95%% pair", n, j);
}

static void test_stats(void)
{
  static const double odd[] = { 5, 1, 4, 2, 3 };
  static const double even[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
  double twenty[20], cov;
  hb_stats st;
  int i;

  CHECK(hb_stats_compute(odd, 0, &st) == -1, "n=0 accepted");
  CHECK(hb_stats_compute(odd, 5, &st) == 0, "n=5 failed");
  CHECK(st.median == 3 && st.min == 1 && st.max == 5 && st.mean == 3,
        "odd: median %g min %g max %g", st.median, st.min, st.max);
  CHECK(NEAR(st.stddev, sqrt(2.5)), "odd stddev %g", st.stddev);
  /* n=5: no pair reaches 95%; [min, max] covers 1 - 2/32 */
  CHECK(st.ci_low == 1 && st.ci_high == 5, "n=5 ci [%g, %g]",
        st.ci_low, st.ci_high);
  CHECK(NEAR(st.ci_level, 0.9375), "n=5 ci level %g", st.ci_level);

  CHECK(hb_stats_compute(even, 8, &st) == 0, "n=8 failed");
  CHECK(st.median == 4.5 && st.mean == 5, "even median %g mean %g",
        st.median, st.mean);
  CHECK(NEAR(st.stddev, sqrt(32.0 / 7)), "even stddev %g", st.stddev);
  CHECK(NEAR(st.cv, sqrt(32.0 / 7) / 5), "cv %g", st.cv);

  CHECK(hb_median_ci_rank(6, 0.95, &cov) == 1 && NEAR(cov, 1 - 2.0 / 64),
        "n=6 rank/coverage %g", cov);
  CHECK(hb_median_ci_rank(9, 0.95, &cov) == 2 && NEAR(cov, 1 - 20.0 / 512),
        "n=9 coverage %g", cov);
  CHECK(hb_median_ci_rank(10, 0.95, &cov) == 2 &&
        NEAR(cov, 1 - 22.0 / 1024), "n=10 coverage %g", cov);
  /* n=20: P(B<=5) = 21700/2^20, so [x6, x15] covers 95.86% */
  CHECK(hb_median_ci_rank(20, 0.95, &cov) == 6 &&
        NEAR(cov, 1 - 2 * 21700.0 / 1048576), "n=20 coverage %g", cov);
  for(i = 0; i < 20; i++)
    twenty[i] = 20 - i;
  hb_stats_compute(twenty, 20, &st);
  CHECK(st.ci_low == 6 && st.ci_high == 15 && st.median == 10.5,
        "n=20 ci [%g, %g] median %g", st.ci_low, st.ci_high, st.median);
  CHECK(hb_stats_compute(odd, 1, &st) == 0 && st.stddev == 0 &&
        st.ci_low == 5 && st.ci_high == 5 && st.ci_level == 0, "n=1");

  /* the level is the coverage achieved, exactly: 1 - 2/8, 1 - 2/32 */
  check_level(3, 0.75);
  check_level(5, 0.9375);
  check_level(6, -1);
  check_level(20, -1);
  for(i = 1; i <= 52; i++)
    check_level((size_t)i, -1);
}

typedef struct {
  uint64_t calls, first; /* first: iters of the first call */
  int fail_after, slow, sleep_us;
} fake;

static int fake_fn(void *arg, uint64_t iters, hb_err *err)
{
  fake *f = arg;
  volatile uint64_t i, x = 0;

  if(!f->first)
    f->first = iters;
  for(i = 0; i < iters * 100 * (uint64_t)(f->slow ? f->slow : 1); i++)
    x += i;
  if(f->sleep_us)
    usleep((useconds_t)f->sleep_us);
  f->calls += iters;
  if(f->fail_after && f->calls > (uint64_t)f->fail_after)
    return hb_err_set(err, HB_ERROR, "fake failure");
  return HB_OK;
}

static void test_harness(void)
{
  double rates[3] = { 0 }, wall[3] = { 0 }, cpu[3] = { 0 };
  hb_bench_opts o = { 0.02, 3, 0, 0.005, NULL, NULL, 0 };
  uint64_t calls = 0;
  fake f = { 0, 0, 0, 0, 0 };
  hb_err err = { "" };
  int i;

  CHECK(hb_bench_run(fake_fn, &f, &o, rates, &calls, &err) == HB_OK,
        "harness: %s", err.msg);
  for(i = 0; i < 3; i++)
    CHECK(rates[i] > 0 && isfinite(rates[i]), "rate %d = %g", i, rates[i]);
  CHECK(calls > 0 && calls < f.calls, "timed calls %llu of %llu (warm-up "
        "must not count)", (unsigned long long)calls,
        (unsigned long long)f.calls);
  /* each repetition's wall and thread CPU seconds: a busy loop has CPU
   * time (never more than the wall time), one that sleeps hardly any */
  o.wall_s = wall;
  o.cpu_s = cpu;
  CHECK(hb_bench_run(fake_fn, &f, &o, rates, &calls, &err) == HB_OK,
        "harness with times: %s", err.msg);
  for(i = 0; i < 3; i++) {
    CHECK(wall[i] >= o.seconds && wall[i] < 1, "wall %d = %g", i, wall[i]);
    CHECK(cpu[i] > 0 && cpu[i] <= wall[i] + 1e-3, "cpu %d = %g of wall %g",
          i, cpu[i], wall[i]);
  }
  /* a rate found before: the warm-up starts at a third of a batch
   * (batch_seconds' worth of calls at that rate), not at one call */
  f.first = 0;
  o.rate_hint = rates[0];
  CHECK(hb_bench_run(fake_fn, &f, &o, rates, &calls, &err) == HB_OK &&
        f.first > 1 && fabs((double)f.first - o.rate_hint * 0.005 / 3) <= 1,
        "rate hint %g: first call of %llu", o.rate_hint,
        (unsigned long long)f.first);
  o.rate_hint = 0;
  f.sleep_us = 2000;
  CHECK(hb_bench_run(fake_fn, &f, &o, rates, &calls, &err) == HB_OK,
        "harness asleep: %s", err.msg);
  for(i = 0; i < 3; i++)
    CHECK(cpu[i] >= 0 && cpu[i] < 0.5 * wall[i], "sleeping: cpu %d = %g "
          "of wall %g", i, cpu[i], wall[i]);
  f.sleep_us = 0;
  f.calls = 0;
  f.fail_after = 5;
  CHECK(hb_bench_run(fake_fn, &f, &o, rates, &calls, &err) == HB_ERROR &&
        !strcmp(err.msg, "fake failure"), "failure not passed on: %s",
        err.msg);
}

/* Rounds over five cases: 0 steady (a constant), 1 noisy (timed, every
 * other repetition four times slower), 2 spread at first and then steady,
 * 3 unsupported, 4 failing in its second round. */
#define ROUNDS_REPS 3
#define ROUNDS_MAX 8
typedef struct { int order[5 * ROUNDS_MAX * 2]; int calls; } rounds_log;

static int rounds_rep(void *arg, size_t i, size_t k, int round, int slice,
                      double *sample, hb_err *err)
{
  static const double spread_first[] = { 100, 100, 110 };
  rounds_log *lg = arg;

  (void)slice; /* one slice a repetition here */
  if(lg->calls < (int)(sizeof(lg->order) / sizeof(lg->order[0])))
    lg->order[lg->calls] = round * 10 + (int)i;
  lg->calls++;
  switch(i) {
  case 0: *sample = 1000; return HB_OK;
  case 1: /* every other repetition a quarter of the rate: never settles
            (fixed values: a timed fake failed under a loaded CI run) */
    *sample = k % 2 ? 250 : 1000;
    return HB_OK;
  case 2: *sample = k < 3 ? spread_first[k] : 100; return HB_OK;
  case 3: return hb_err_set(err, HB_UNSUPPORTED, "not here");
  default:
    if(round == 1)
      return hb_err_set(err, HB_ERROR, "broke in round 2");
    *sample = 5;
    return HB_OK;
  }
}

static void test_rounds(void)
{
  hb_rounds_opts o = { ROUNDS_REPS, ROUNDS_MAX, 0.05, 1 };
  double samples[5 * ROUNDS_MAX];
  hb_case_state st[5];
  rounds_log lg;
  int i;

  memset(&lg, 0, sizeof(lg));
  CHECK(hb_bench_rounds(&o, 5, rounds_rep, NULL, &lg, samples, st) ==
        HB_OK, "rounds failed");
  CHECK(st[0].status == HB_OK && st[0].n == ROUNDS_REPS && !st[0].noisy &&
        st[0].cv == 0, "steady case: n %zu cv %g noisy %d", st[0].n,
        st[0].cv, st[0].noisy);
  /* the noisy case is measured again up to the cap, and marked */
  CHECK(st[1].status == HB_OK && st[1].n == ROUNDS_MAX && st[1].noisy &&
        st[1].cv > 0.05, "noisy case: n %zu cv %g noisy %d (%s)", st[1].n,
        st[1].cv, st[1].noisy, st[1].err.msg);
  /* 100, 100, 110: cv 5.1%; one more 100 brings it to 4.9% */
  CHECK(st[2].status == HB_OK && st[2].n == 4 && !st[2].noisy &&
        st[2].cv <= 0.05, "settling case: n %zu cv %g noisy %d", st[2].n,
        st[2].cv, st[2].noisy);
  CHECK(st[3].status == HB_UNSUPPORTED && st[3].reached && st[3].n == 0 &&
        !strcmp(st[3].err.msg, "not here"), "unsupported: %d %zu",
        st[3].status, st[3].n);
  CHECK(st[4].status == HB_ERROR && st[4].n == 1 && !st[4].noisy &&
        strstr(st[4].err.msg, "round 2"), "failing: %d %zu %s", st[4].status,
        st[4].n, st[4].err.msg);
  /* round by round: every case once per round, the extra rounds only
   * for the spread ones, after the base rounds */
  /* rounds 1-3: 5, 4 (4 fails), 3; round 4: 1 and 2; then 1 alone */
  CHECK(lg.calls == 5 + 4 + 3 + 2 + (ROUNDS_MAX - 4),
        "%d repetitions taken", lg.calls);
  for(i = 1; i < lg.calls && i < (int)(sizeof(lg.order) /
                                       sizeof(lg.order[0])); i++)
    CHECK(lg.order[i] > lg.order[i - 1], "repetition %d out of order: "
          "%d after %d", i, lg.order[i], lg.order[i - 1]);
  CHECK(samples[1 * ROUNDS_MAX + 1] < 0.5 * samples[1 * ROUNDS_MAX],
        "the slow repetition: %g vs %g", samples[ROUNDS_MAX + 1],
        samples[ROUNDS_MAX]);
  /* --max-repetitions equal to --repetitions: never measured again */
  o.max_repetitions = ROUNDS_REPS;
  memset(&lg, 0, sizeof(lg));
  CHECK(hb_bench_rounds(&o, 5, rounds_rep, NULL, &lg, samples, st) ==
        HB_OK && st[1].n == ROUNDS_REPS && st[1].noisy &&
        st[2].n == ROUNDS_REPS && st[2].noisy, "no extra rounds: %zu %zu",
        st[1].n, st[2].n);
}

/* Repetitions in slices: 3 repetitions of 2 slices over 3 cases. Case 0
 * steady; case 1 spread (its repetition 1 slow) and measured again; case 2
 * failing in the second slice of its first repetition. A sample is the
 * mean of its slices' values. */
typedef struct { int seq[64]; int calls; double part[3][8]; } slices_log;

static int slices_rep(void *arg, size_t i, size_t k, int round, int slice,
                      double *sample, hb_err *err)
{
  slices_log *lg = arg;
  double v = i == 1 && k == 1 ? 500 : 1000;

  if(lg->calls < 64)
    lg->seq[lg->calls] = round * 100 + slice * 10 + (int)i;
  lg->calls++;
  if(i == 2 && slice == 1)
    return hb_err_set(err, HB_ERROR, "slice broke");
  lg->part[i][k] += v;
  if(slice == 1)
    *sample = lg->part[i][k] / 2;
  return HB_OK;
}

static void test_slices(void)
{
  hb_rounds_opts o = { 3, 5, 0.05, 2 };
  double samples[3 * 5];
  hb_case_state st[3];
  slices_log lg;
  /* base: slice 0 of repetitions 0, 1, 2, then slice 1 of each (case 2
   * failing at its first slice 1); then case 1 alone, a repetition in two
   * consecutive sweeps, twice (capped at 5) */
  static const int want[] = { 0, 1, 2, 100, 101, 102, 200, 201, 202,
                              10, 11, 12, 110, 111, 210, 211,
                              301, 311, 401, 411 };
  int i, n = (int)(sizeof(want) / sizeof(want[0]));

  memset(&lg, 0, sizeof(lg));
  CHECK(hb_bench_rounds(&o, 3, slices_rep, NULL, &lg, samples, st) ==
        HB_OK, "slices: rounds failed");
  CHECK(lg.calls == n, "slices: %d calls, want %d", lg.calls, n);
  for(i = 0; i < n && i < lg.calls; i++)
    CHECK(lg.seq[i] == want[i], "slices: call %d took %03d, want %03d", i,
          lg.seq[i], want[i]);
  CHECK(st[0].n == 3 && st[0].cv == 0 && !st[0].noisy &&
        samples[0] == 1000, "slices: steady case n %zu cv %g", st[0].n,
        st[0].cv);
  CHECK(st[1].n == 5 && st[1].noisy && samples[5 + 1] == 500,
        "slices: spread case n %zu noisy %d sample %g", st[1].n,
        st[1].noisy, samples[5 + 1]);
  CHECK(st[2].status == HB_ERROR && st[2].reached && st[2].n == 0,
        "slices: failing case status %d n %zu", st[2].status, st[2].n);
}

static void test_report(void)
{
  char dir[] = "/tmp/hbtest.XXXXXX", path[300], path2[300];
  json_t *r, *res, *back, *stj;
  double s[3] = { 1, 2, NAN };
  hb_err err = { "" };
  struct stat st;

  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  snprintf(path, sizeof(path), "%s/r.json", dir);
  snprintf(path2, sizeof(path2), "%s/missing/r.json", dir);
  CHECK(json_is_null(hb_json_num(NAN)) && json_is_null(hb_json_num(INFINITY)),
        "NaN/Infinity must become null");
  r = hb_report_new(0, NULL);
  res = hb_report_add_result(r, "crypto", "x/y", "openssl", "ops/s");
  hb_result_set_samples(res, s, 3);
  CHECK(json_is_null(json_array_get(json_object_get(res, "samples"), 2)),
        "NaN sample not null");
  stj = json_object_get(res, "stats");
  CHECK(json_object_get(stj, "ci_low") && json_object_get(stj, "ci_high") &&
        json_number_value(json_object_get(stj, "ci_level")) == 0.75 &&
        !json_object_get(stj, "ci95_low") &&
        !json_object_get(stj, "ci95_high"), "stats: ci_low, ci_high, "
        "ci_level 0.75 for 3 samples, no ci95_*");
  hb_result_set_status(res, HB_UNSUPPORTED, "no such thing");
  CHECK(!strcmp(json_string_value(json_object_get(res, "status")),
                "unsupported"), "status");
  CHECK(hb_report_check_path(path2, &err) == HB_ERROR &&
        strstr(err.msg, path2), "bad path accepted: %s", err.msg);
  CHECK(stat(path2, &st) != 0, "check_path created a file");
  CHECK(hb_report_check_path(path, &err) == HB_OK, "%s", err.msg);
  CHECK(stat(path, &st) != 0, "check_path left a file behind");
  CHECK(hb_report_write(r, path, 1, &err) == HB_OK, "%s", err.msg);
  back = hb_report_load(path, &err);
  CHECK(back != NULL, "reload: %s", err.msg);
  if(back) {
    CHECK(json_is_true(json_object_get(json_object_get(back, "run"),
                                       "interrupted")), "interrupted lost");
    CHECK(json_array_size(json_object_get(back, "results")) == 1,
          "results lost");
    json_decref(back);
  }
  CHECK(!strcmp(json_string_value(json_object_get(r, "schema_version")),
                "2.0"), "schema_version %s", json_string_value(
                json_object_get(r, "schema_version")));
  /* 1.x reports (ci95_*) still load; an unknown major does not */
  json_object_set_new(r, "schema_version", json_string("1.3"));
  CHECK(hb_report_write(r, path, 0, &err) == HB_OK, "%s", err.msg);
  back = hb_report_load(path, &err);
  CHECK(back != NULL, "1.x report rejected: %s", err.msg);
  json_decref(back);
  json_object_set_new(r, "schema_version", json_string("3.0"));
  CHECK(hb_report_write(r, path, 0, &err) == HB_OK, "%s", err.msg);
  back = hb_report_load(path, &err);
  CHECK(back == NULL && strstr(err.msg, "3.0"), "3.0 report loaded: %s",
        err.msg);
  json_decref(back);
  CHECK(hb_report_write(r, path2, 0, &err) == HB_ERROR, "wrote to a "
        "missing directory");
  json_decref(r);
  unlink(path);
  rmdir(dir);
}

static void test_cli(void)
{
  size_t sizes[HB_MAX_SIZES];
  int n = 0;
  long v;
  double d;
  char why[200];
  hb_crypto_case *cases;
  size_t nc;
  static const char *bad[] = { "", "0", "abc", "0,abc", "16,", ",16", "1x",
                               "99999999999999999999", "65m", "-5",
                               /* 2^54+1 KiB wrapped to 1 KiB */
                               "18014398509481985k" };
  size_t i;

  CHECK(hb_parse_sizes("16,1k,2M", sizes, HB_MAX_SIZES, &n, why,
                       sizeof(why)) == 0 && n == 3 && sizes[1] == 1024 &&
        sizes[2] == 2097152, "good size list: %s", why);
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    CHECK(hb_parse_sizes(bad[i], sizes, HB_MAX_SIZES, &n, why,
                         sizeof(why)) == -1, "bad size list '%s' accepted",
          bad[i]);
  CHECK(hb_parse_int("5", 1, 10, &v) == 0 && v == 5, "int 5");
  CHECK(hb_parse_int("0", 1, 10, &v) == -1, "int 0 accepted");
  CHECK(hb_parse_int("5x", 1, 10, &v) == -1, "int 5x accepted");
  CHECK(hb_parse_seconds("0.5", 10, &d) == 0 && d == 0.5, "seconds");
  CHECK(hb_parse_seconds("nan", 10, &d) == -1, "nan seconds accepted");
  CHECK(hb_parse_seconds("-1", 10, &d) == -1, "negative seconds");
  hb_fmt_level(0.75, why, sizeof(why));
  CHECK(!strcmp(why, "75.0%"), "level 0.75: %s", why);
  hb_fmt_level(0.9375, why, sizeof(why));
  CHECK(!strcmp(why, "93.8%"), "level 0.9375: %s", why);
  hb_fmt_level(0.9499, why, sizeof(why));
  CHECK(!strcmp(why, "94.9%"), "level 0.9499 must not read 95: %s", why);
  hb_fmt_level(0.95861053466796875, why, sizeof(why));
  CHECK(!strcmp(why, "95.9%"), "level n=20: %s", why);
  hb_fmt_level(0.99996, why, sizeof(why));
  CHECK(!strcmp(why, "99.9%"), "level 0.99996 must not read 100: %s", why);
  hb_fmt_level(NAN, why, sizeof(why));
  CHECK(!strcmp(why, "-"), "level NaN: %s", why);
  sizes[0] = 16;
  /* 3 AEADs x (seal, open, rekey) + 2 CBC + 5 MD + 7 sigs x 2 + 3 RSA x 2
   * + 2 kex x 3 + 4 KEMs x 4 (no stream: 16 is not a multiple of 64) */
  CHECK(hb_crypto_cases(sizes, 1, NULL, &cases, &nc) == 0 && nc == 58,
        "one size gives %zu cases, want 58", nc);
  if(nc)
    free(cases);
  CHECK(hb_crypto_cases(sizes, 1, "^x25519/", &cases, &nc) == 0 && nc == 3,
        "x25519 filter gives %zu", nc);
  if(nc)
    free(cases);
  /* the KEM cases, their names and kinds; Kyber apart from ML-KEM */
  CHECK(hb_crypto_cases(sizes, 1, "^ml-kem-768/", &cases, &nc) == 0 &&
        nc == 4, "ml-kem-768 filter gives %zu", nc);
  if(nc == 4) {
    CHECK(!strcmp(cases[0].name, "ml-kem-768/keygen") &&
          cases[0].kind == HB_CASE_KEM_KEYGEN &&
          !strcmp(cases[1].name, "ml-kem-768/encaps") &&
          cases[1].kind == HB_CASE_ENCAPS &&
          !strcmp(cases[2].name, "ml-kem-768/decaps") &&
          cases[2].kind == HB_CASE_DECAPS &&
          !strcmp(cases[3].name, "ml-kem-768/exchange") &&
          cases[3].kind == HB_CASE_KEM_EXCHANGE &&
          cases[3].alg == HB_MLKEM768, "ml-kem-768 cases: %s %s %s %s",
          cases[0].name, cases[1].name, cases[2].name, cases[3].name);
  }
  if(nc)
    free(cases);
  CHECK(hb_crypto_cases(sizes, 1, "^(kyber-768|ml-dsa-65)/", &cases, &nc)
        == 0 && nc == 6, "kyber-768 and ml-dsa-65 give %zu", nc);
  if(nc)
    free(cases);
  CHECK(hb_crypto_cases(sizes, 1, "(", &cases, &nc) == -1, "bad regex");
}

/* host:port, written once for every parser of it: brackets for IPv6,
 * what follows the port left to the caller, ports digits only. */
static void test_hostport(void)
{
  static const struct {
    const char *in;
    int rc;
    const char *host, *port; /* port NULL: no colon after the host */
  } t[] = {
    { "127.0.0.1:8443", 0, "127.0.0.1", "8443" },
    { "[::1]:443", 0, "::1", "443" },
    { "[::1]", 0, "::1", NULL },
    { "example.com", 0, "example.com", NULL },
    { "h:80:10.0.0.1", 0, "h", "80:10.0.0.1" },
    { "[fe80::1]:80:10.0.0.1", 0, "fe80::1", "80:10.0.0.1" },
    { ":80", 0, "", "80" },
    { "[::1", -1, NULL, NULL },
    { "[]:80", -1, NULL, NULL },
    { "[::1]x80", -2, NULL, NULL },
  };
  const char *host, *port;
  size_t i, hlen, plen;
  long p;

  for(i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    int rc = hb_hostport_split(t[i].in, strlen(t[i].in), &host, &hlen,
                               &port, &plen);
    CHECK(rc == t[i].rc, "%s: rc %d", t[i].in, rc);
    if(rc || t[i].rc)
      continue;
    CHECK(hlen == strlen(t[i].host) && !memcmp(host, t[i].host, hlen),
          "%s: host '%.*s'", t[i].in, (int)hlen, host);
    CHECK(t[i].port ? port && plen == strlen(t[i].port) &&
          !memcmp(port, t[i].port, plen) : !port && !plen,
          "%s: port '%.*s'", t[i].in, (int)plen, port ? port : "");
  }
  /* only the first len bytes count: an authority inside a URL */
  CHECK(hb_hostport_split("a:1/x", 3, &host, &hlen, &port, &plen) == 0 &&
        plen == 1 && port[0] == '1', "len bounds the split");
  CHECK(hb_parse_port("443", 3, 1, &p) == 0 && p == 443, "443");
  CHECK(hb_parse_port("0", 1, 0, &p) == 0 && p == 0, "0 when allowed");
  CHECK(hb_parse_port("0", 1, 1, &p) != 0, "0 below min");
  CHECK(hb_parse_port("65536", 5, 1, &p) != 0, "65536");
  CHECK(hb_parse_port("+80", 3, 1, &p) != 0, "a sign");
  CHECK(hb_parse_port(" 80", 3, 1, &p) != 0, "a space");
  CHECK(hb_parse_port("", 0, 1, &p) != 0, "empty");
  CHECK(hb_parse_port("123456", 6, 1, &p) != 0, "six digits");
}

/* A bad value's message names the option as the command line did when
 * it has a short and a long name: typed "-c" and "--conns" (with its
 * value apart, attached, or after other letters) each come back. */
static void test_opts_names(void)
{
  static long conns, port;
  static int flag;
  static const hb_opt opts[] = {
    { "conns", 'c', HB_OPT_INT, &conns, "N", "connections", 1, 10, NULL,
      NULL, "a count 1..10" },
    { "port", 0, HB_OPT_INT, &port, "P", "port", 1, 9, NULL, NULL, NULL },
    { "quiet", 'q', HB_OPT_FLAG, &flag, NULL, "quiet", 0, 0, NULL, NULL,
      NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  static const hb_opts spec = { "t", "usage: t\n", NULL, opts };
  static const struct {
    const char *a, *b, *want;
  } cases[] = {
    { "-c", "0", "-c: '0' is not a count 1..10" },
    { "-c0", NULL, "-c: '0' is not a count 1..10" },
    { "-qc", "11", "-c: '11' is not a count 1..10" },
    { "--conns", "x", "--conns: 'x' is not a count 1..10" },
    { "--conns=0", NULL, "--conns: '0' is not a count 1..10" },
    { "--co", "0", "--conns: '0' is not a count 1..10" },
    { "--port", "0", "--port: '0' is not a whole number in 1..9" },
  };
  size_t i;

  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char a0[] = "t", a1[32], a2[32], why[256] = "";
    char *argv[4] = { a0, a1, a2, NULL };
    int rc;

    snprintf(a1, sizeof(a1), "%s", cases[i].a);
    snprintf(a2, sizeof(a2), "%s", cases[i].b ? cases[i].b : "");
    rc = hb_opts_parse_r(&spec, cases[i].b ? 3 : 2, argv, why,
                         sizeof(why));
    CHECK(rc == -1 && !strcmp(why, cases[i].want), "%s %s: %d '%s'",
          cases[i].a, cases[i].b ? cases[i].b : "", rc, why);
  }
}

int main(void)
{
  test_stats();
  test_harness();
  test_rounds();
  test_slices();
  test_report();
  test_cli();
  test_hostport();
  test_opts_names();
  return test_summary("core");
}
