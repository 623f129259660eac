/* httpsbench crypto: runs the crypto suite in one engine per library,
 * merges the reports, derives "bytes of encryption per public-key
 * operation", prints a table and writes the combined report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/opts.h"
#include "hb/crypto_cases.h"
#include "argvec.h"
#include "engine_run.h"
#include "hb/envinfo.h"
#include "hb/harness.h"
#include "hb/report.h"
#include "results.h"
#include "hb/sig.h"

typedef struct crypto_args {
  const char *backends[HB_BACKEND_MAX];
  int nbackends;
  const char *filter, *sizes, *json;
  char seconds[32], reps[32], max_cv[32], max_reps[32], slices[32];
  char passes[32];
  int list, quiet, sequential;
} crypto_args;

/* The operations the derived table prices in bytes of bulk encryption. */
static const char *const priced_ops[] = {
  "rsa-2048/sign", "rsa-2048/decrypt", "ecdsa-p256/sign", "ed25519/sign",
  "ml-dsa-65/sign", "x25519/exchange", "ml-kem-768/exchange", NULL
};
static const char *const bulk_ciphers[] = {
  "aes-128-gcm", "chacha20-poly1305", NULL
};

/* --seconds and --max-cv: checked here, passed on to the engines as
 * written (dest: a char[32]). */
static int opt_text(const char *v, char *dest, double max, const char *what,
                    char *why, size_t size)
{
  double d;

  if(hb_parse_seconds(v, max, &d) || strlen(v) >= 32) {
    snprintf(why, size, "'%s' is not %s", v, what);
    return -1;
  }
  snprintf(dest, 32, "%s", v);
  return 0;
}

static int opt_seconds(const char *v, void *dest, char *why, size_t size)
{
  return opt_text(v, dest, 3600, "a number of seconds in (0, 3600]", why,
                  size);
}

static int opt_max_cv(const char *v, void *dest, char *why, size_t size)
{
  return opt_text(v, dest, 1000, "a percentage in (0, 1000]", why, size);
}

/* --slice S: 0 (a repetition in one piece) or seconds (dest: double *) */
static int opt_slice(const char *v, void *dest, char *why, size_t size)
{
  if(!strcmp(v, "0")) {
    *(double *)dest = 0;
    return 0;
  }
  if(hb_parse_seconds(v, 3600, (double *)dest)) {
    snprintf(why, size, "'%s' is not 0 or a number of seconds in (0, "
             "3600]", v);
    return -1;
  }
  return 0;
}

static void parse(int argc, char **argv, crypto_args *a)
{
  const char *backend = "all";
  size_t sizes[HB_MAX_SIZES];
  hb_crypto_case *cases;
  size_t ncases;
  int nsizes, first;
  long reps = 6, max_reps = 0, passes = 3;
  double slice = HB_DEFAULT_SLICE, secs;
  char why[200], sizes_help[128], cv_help[200];
  hb_err err = { "" };
  const hb_opt opts[] = {
    { "backend", 0, HB_OPT_STRING, &backend, "NAME|all",
      "comma-separated backends (default: all built)", 0, 0, NULL, NULL,
      NULL },
    { "filter", 0, HB_OPT_STRING, &a->filter, "REGEX",
      "only results whose name matches (extended regex)", 0, 0, NULL, NULL,
      NULL },
    { "sizes", 0, HB_OPT_STRING, &a->sizes, "LIST", sizes_help, 0, 0, NULL,
      NULL, NULL },
    { "seconds", 0, HB_OPT_CALL, a->seconds, "S",
      "time per repetition (default 0.2)", 0, 0, NULL, opt_seconds, NULL },
    { "repetitions", 0, HB_OPT_INT, &reps, "N",
      "repetitions per measurement (default 6)", 1, 100000, NULL, NULL,
      "a whole number >= 1" },
    { "slice", 0, HB_OPT_CALL, &slice, "S",
      "take a repetition in slices of S seconds,\nspread over the run "
      "(default 0.005; 0: in\none piece)", 0, 0, NULL, opt_slice, NULL },
    { "max-cv", 0, HB_OPT_CALL, a->max_cv, "PCT", cv_help, 0, 0, NULL,
      opt_max_cv, NULL },
    { "max-passes", 0, HB_OPT_INT, &passes, "P",
      "in slices, a result spread above --max-cv\ngets another pass: "
      "--seconds more for each of\nits repetitions, up to P passes "
      "(default 3);\nstill above, it is marked noisy", 1, 1000, NULL, NULL,
      "a whole number >= 1" },
    { "max-repetitions", 0, HB_OPT_INT, &max_reps, "N",
      "then more repetitions, up to N in all\n(default: --repetitions in "
      "slices, 2 x\n--repetitions with --slice 0)", 1, 100000, NULL, NULL,
      "a whole number >= 1" },
    { "json", 0, HB_OPT_STRING, &a->json, "FILE",
      "write the report (written atomically)", 0, 0, NULL, NULL, NULL },
    { "list", 0, HB_OPT_FLAG, &a->list, NULL,
      "print the result names and exit", 0, 0, NULL, NULL, NULL },
    { "quiet", 0, HB_OPT_FLAG, &a->quiet, NULL, "no progress on stderr", 0,
      0, NULL, NULL, NULL },
    { "sequential", 0, HB_OPT_FLAG, &a->sequential, NULL,
      "one library after the other (default: their\nsweeps in turn, "
      "see below)", 0, 0, NULL, NULL, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "crypto",
    "usage: httpsbench crypto [options]\n"
    "\n"
    "Symmetric (AEAD, CBC+HMAC), digest and public-key (RSA, ECDSA,\n"
    "Ed25519, ML-DSA, X25519, ECDH, ML-KEM, Kyber) cost through every TLS\n"
    "library, each library in its own process.\n"
    "\n",
    "\n"
    "Sized results are in bytes/s, others in ops/s; each figure is the\n"
    "median of the repetitions with the confidence interval of the\n"
    "median at the coverage it achieves (its level: 96.9% with 6\n"
    "repetitions, 93.8% with 5, 75.0% with 3). A\n"
    "repetition is taken in short slices: pass k over the cases measures\n"
    "one slice of every case, so each repetition averages over the whole\n"
    "run and the machine's swings of speed touch every repetition alike.\n"
    "The libraries' engines run side by side and take their passes in\n"
    "turn (one at a time), so a slow spell of the machine falls on every\n"
    "library alike, not on whichever ran then (--sequential: not so).\n"
    "A repetition whose thread was held off the CPU (preempted, or time\n"
    "stolen by the hypervisor) is timed over the CPU time it got.\n",
    opts };

  memset(a, 0, sizeof(*a));
  a->sizes = HB_DEFAULT_SIZES;
  strcpy(a->seconds, "0.2");
  snprintf(a->max_cv, sizeof(a->max_cv), "%g", HB_DEFAULT_MAX_CV);
  snprintf(sizes_help, sizeof(sizes_help), "record sizes in bytes "
           "(default %s)", HB_DEFAULT_SIZES);
  snprintf(cv_help, sizeof(cv_help), "a result whose coefficient of "
           "variation is\nabove PCT%% is measured again (default %g)",
           HB_DEFAULT_MAX_CV);
  first = hb_opts_parse(&spec, argc, argv);
  snprintf(a->reps, sizeof(a->reps), "%ld", reps);
  if(first < argc)
    hb_usage_fail("crypto", "unexpected argument '%s'", argv[first]);
  secs = strtod(a->seconds, NULL);
  secs = slice > 0 && secs > slice ? ceil(secs / slice - 1e-9) : 1.0;
  if(secs > 10000)
    hb_usage_fail("crypto", "--slice: %s s repetitions in slices of %g s "
                  "are more than 10000 slices", a->seconds, slice);
  snprintf(a->slices, sizeof(a->slices), "%.0f", secs);
  /* in slices a result is measured again by passes, which keep its
   * repetitions alike in when they ran; a repetition added at the end
   * would be measured in another stretch of time than the others */
  if(!max_reps)
    max_reps = secs > 1 ? reps : HB_DEFAULT_MAX_REPETITIONS(reps);
  else if(max_reps < reps)
    hb_usage_fail("crypto", "--max-repetitions: %ld is below "
                  "--repetitions %ld", max_reps, reps);
  snprintf(a->max_reps, sizeof(a->max_reps), "%ld", max_reps);
  snprintf(a->passes, sizeof(a->passes), "%ld", secs > 1 ? passes : 1);
  if(hb_parse_sizes(a->sizes, sizes, HB_MAX_SIZES, &nsizes, why,
                    sizeof(why)))
    hb_usage_fail("crypto", "--sizes: %s", why);
  if(hb_crypto_cases(sizes, nsizes, a->filter, &cases, &ncases))
    hb_usage_fail("crypto", "--filter: '%s' is not a valid regular "
                  "expression", a->filter);
  free(cases);
  if(ncases == 0)
    hb_usage_fail("crypto", "--filter: '%s' matches no result (see "
                  "--list)", a->filter);
  if(a->list)
    return;
  a->nbackends = hb_select_backends("crypto", backend, 1, a->backends,
                                    HB_BACKEND_MAX);
  if(a->json && hb_report_check_path(a->json, &err) != HB_OK)
    hb_usage_fail("crypto", "--json: %s", err.msg);
}

static int list_cases(const crypto_args *a)
{
  size_t sizes[HB_MAX_SIZES], n, i;
  hb_crypto_case *cases;
  int nsizes;
  char why[200];

  hb_parse_sizes(a->sizes, sizes, HB_MAX_SIZES, &nsizes, why, sizeof(why));
  if(hb_crypto_cases(sizes, nsizes, a->filter, &cases, &n))
    return HB_EXIT_USAGE;
  for(i = 0; i < n; i++)
    printf("%s\t%s\n", cases[i].name, cases[i].bytes ? "bytes/s" : "ops/s");
  free(cases);
  return 0;
}

/* The engine's command line for backend, its report at out (size
 * 4300); NULL if it cannot be built (err says why). */
static char *const *engine_argv(const crypto_args *a, const char *backend,
                                const char *tmpdir, int paced, hb_argv *av,
                                char *out, hb_err *err)
{
  char path[4200];

  if(hb_engine_path(backend, path, sizeof(path))) {
    hb_err_set(err, HB_ERROR, "no engine httpsbench-%s", backend);
    return NULL;
  }
  snprintf(out, 4300, "%s/%s.json", tmpdir, backend);
  hb_argv_add(av, path);
  hb_argv_add(av, "crypto");
  hb_argv_opt(av, "--json", out);
  hb_argv_opt(av, "--sizes", a->sizes);
  hb_argv_opt(av, "--seconds", a->seconds);
  hb_argv_opt(av, "--repetitions", a->reps);
  hb_argv_opt(av, "--slices", a->slices);
  hb_argv_opt(av, "--max-cv", a->max_cv);
  hb_argv_opt(av, "--max-repetitions", a->max_reps);
  hb_argv_opt(av, "--max-passes", a->passes);
  if(a->filter)
    hb_argv_opt(av, "--filter", a->filter);
  if(!a->quiet && isatty(2))
    hb_argv_add(av, "--progress");
  if(paced)
    hb_argv_add(av, "--paced");
  return hb_argv_get(av, err);
}

/* Appends the backends and results of the engine's report at out to
 * merged (an error result when it wrote none); rc: its exit status. */
static int collect(const char *backend, const char *out, int rc,
                   json_t *merged)
{
  json_t *part;
  hb_err err = { "" };

  part = hb_report_load(out, &err);
  if(!part) {
    json_t *r = hb_report_add_result(merged, "crypto", "engine", backend,
                                     "ops/s");
    char msg[700];
    json_object_set_new(json_object_get(r, "params"), "algorithm",
                        json_string("engine"));
    json_object_set_new(json_object_get(r, "params"), "operation",
                        json_string("run"));
    snprintf(msg, sizeof(msg), "engine httpsbench-%s exited with status %d"
             " and wrote no report (%s)", backend, rc, err.msg);
    hb_result_set_status(r, HB_ERROR, msg);
    fprintf(stderr, "httpsbench crypto: %s\n", msg);
    return rc ? rc : -1;
  }
  hb_res_merge(merged, part);
  if(json_is_true(json_object_get(json_object_get(part, "run"),
                                  "interrupted")))
    rc = HB_EXIT_INTERRUPTED;
  json_decref(part);
  unlink(out);
  return rc;
}

/* Runs one engine and appends its backends and results to merged. */
static int run_engine(const crypto_args *a, const char *backend,
                      const char *tmpdir, json_t *merged)
{
  char out[4300];
  hb_argv av = HB_ARGV_INIT;
  char *const *argv;
  int rc;
  hb_err err = { "" };

  argv = engine_argv(a, backend, tmpdir, 0, &av, out, &err);
  rc = argv ? hb_engine_exec(argv) : -1;
  hb_argv_free(&av);
  return collect(backend, out, rc, merged);
}

/* A sweep (one slice of every case) can take long only in its first
 * pass, where an engine makes its keys (RSA-4096 in a slow library) */
#define SWEEP_TIMEOUT_MS (600 * 1000)

typedef struct paced_engine {
  int pid, in, out, live;
  char report[4300];
} paced_engine;

/* All engines at once, each with --paced, let sweep by sweep in turn:
 * engine 1's sweep, engine 2's, ..., engine 1's next. Only one sweeps at
 * a time (the others wait on their input), and every library's
 * repetitions are spread over the same stretch of time, so a slow or
 * fast spell of the machine falls on all of them alike instead of on
 * whichever library ran then. Returns as run_engine, for all. */
static int run_interleaved(const crypto_args *a, const char *tmpdir,
                           json_t *merged, int *failed)
{
  paced_engine *e = calloc((size_t)a->nbackends, sizeof(*e));
  char line[128];
  int b, live = 0, sweeps = 0, interrupted = 0;

  if(!e)
    return -1;
  for(b = 0; b < a->nbackends; b++) {
    hb_argv av = HB_ARGV_INIT;
    hb_err err = { "" };
    char *const *argv = engine_argv(a, a->backends[b], tmpdir, 1, &av,
                                    e[b].report, &err);
    e[b].pid = argv ? hb_engine_spawn_io(argv, &e[b].in, &e[b].out) : -1;
    hb_argv_free(&av);
    /* live once it asks for its first sweep (an engine without crypto
     * exits at once) */
    e[b].live = e[b].pid > 0 && !hb_read_line(e[b].out, line, sizeof(line),
                                              SWEEP_TIMEOUT_MS);
    live += e[b].live;
  }
  while(live && !interrupted) {
    for(b = 0; b < a->nbackends && !interrupted; b++) {
      if(!e[b].live)
        continue;
      if(hb_interrupted()) {
        interrupted = 1;
        break;
      }
      /* its sweep ends when it asks for the next one, or exits */
      if(write(e[b].in, "go\n", 3) != 3 ||
         hb_read_line(e[b].out, line, sizeof(line), SWEEP_TIMEOUT_MS) ||
         strncmp(line, "sweep ", 6)) {
        e[b].live = 0;
        live--;
      }
    }
    if(!a->quiet && !isatty(2) && ++sweeps % 50 == 0)
      fprintf(stderr, "httpsbench crypto: %d sweeps of every library, %d "
              "still measuring\n", sweeps, live);
  }
  /* the end of their input stops those still measuring (interrupted) */
  for(b = 0; b < a->nbackends; b++) {
    int rc = -1;
    if(e[b].pid > 0) {
      close(e[b].in);
      rc = hb_engine_wait(e[b].pid);
      close(e[b].out);
    }
    rc = collect(a->backends[b], e[b].report, rc, merged);
    if(rc == HB_EXIT_INTERRUPTED || hb_interrupted())
      interrupted = 1;
    else if(rc)
      *failed = 1;
  }
  free(e);
  return interrupted ? HB_EXIT_INTERRUPTED : 0;
}

/* The largest seal size measured for cipher: bulk transfer uses full
 * records, so that is the fair price of a byte. */
static json_t *bulk_result(json_t *report, const char *backend,
                           const char *cipher)
{
  size_t i, best = 0;
  json_t *r, *found = NULL;
  char prefix[64];

  snprintf(prefix, sizeof(prefix), "%s/seal/", cipher);
  json_array_foreach(json_object_get(report, "results"), i, r) {
    hb_res v = hb_res_of(r);
    json_int_t b = json_integer_value(json_object_get(v.params, "bytes"));
    if(!strncmp(v.name, prefix, strlen(prefix)) &&
       !strcmp(v.backend, backend) && isfinite(v.median) &&
       (size_t)b > best) {
      best = (size_t)b;
      found = r;
    }
  }
  return found;
}

static void derive_equivalence(json_t *report, const crypto_args *a)
{
  json_t *derived = json_array();
  int b, c, o;

  for(b = 0; b < a->nbackends; b++)
    for(c = 0; bulk_ciphers[c]; c++) {
      json_t *bulk = bulk_result(report, a->backends[b], bulk_ciphers[c]);
      for(o = 0; priced_ops[o]; o++) {
        json_t *op = hb_res_find(report, NULL, a->backends[b],
                                 priced_ops[o]);
        json_t *d;
        double bps = bulk ? hb_res_median(bulk) : NAN;
        double ops = op ? hb_res_median(op) : NAN;
        if(!bulk && !op)
          continue;
        d = json_object();
        json_object_set_new(d, "backend", json_string(a->backends[b]));
        json_object_set_new(d, "cipher", json_string(bulk_ciphers[c]));
        json_object_set_new(d, "cipher_result", bulk ? json_copy(
          json_object_get(bulk, "name")) : json_null());
        json_object_set_new(d, "operation", json_string(priced_ops[o]));
        json_object_set_new(d, "cipher_bytes_per_s", hb_json_num(bps));
        json_object_set_new(d, "operation_per_s", hb_json_num(ops));
        json_object_set_new(d, "bytes", hb_json_num(bps / ops));
        json_array_append_new(derived, d);
      }
    }
  json_object_set_new(report, "derived", derived);
}

static void print_table(json_t *report, const crypto_args *a)
{
  size_t sizes[HB_MAX_SIZES], n, i;
  hb_crypto_case *cases;
  int nsizes, b, noisy = 0, again = 0, from_cpu = 0;
  char why[200], upto[96];
  double ghz = json_number_value(json_object_get(
    json_object_get(report, "environment"), "tsc_ghz"));
  double steal = json_number_value(json_object_get(json_object_get(
    json_object_get(report, "run"), "steal"), "share"));

  hb_parse_sizes(a->sizes, sizes, HB_MAX_SIZES, &nsizes, why, sizeof(why));
  if(hb_crypto_cases(sizes, nsizes, a->filter, &cases, &n))
    return;
  printf("%-34s %-10s %14s %25s %11s %7s %6s\n", "result", "backend",
         "median", "CI, level", "ns/op", "cyc/B", "cv%");
  for(i = 0; i < n; i++)
    for(b = 0; b < a->nbackends; b++) {
      json_t *r = hb_res_find(report, NULL, a->backends[b], cases[i].name);
      hb_res v = hb_res_of(r);
      const char *unit = cases[i].bytes ? "B/s" : "op/s";
      char med[32], lo[32], hi[32], lvl[16], ci[90], cyc[16] = "";
      double m = v.median;
      int is_noisy;
      size_t k;
      json_t *e;
      if(!r)
        continue;
      if(!v.stats) {
        hb_res_print_failed(&v, 34, a->backends[b]);
        continue;
      }
      is_noisy = json_is_true(json_object_get(r, "noisy"));
      again += json_integer_value(json_object_get(v.stats, "n")) >
               json_integer_value(json_object_get(v.params, "repetitions")) ||
               json_integer_value(json_object_get(r, "passes")) > 1;
      json_array_foreach(json_object_get(r, "rate_basis"), k, e)
        from_cpu += !strcmp(json_string_value(e), "cpu");
      hb_fmt_rate(m, unit, med, sizeof(med));
      hb_fmt_rate(v.ci_low, "", lo, sizeof(lo));
      hb_fmt_rate(v.ci_high, "", hi, sizeof(hi));
      hb_fmt_level(v.ci_level, lvl, sizeof(lvl));
      snprintf(ci, sizeof(ci), "[%s, %s] %s", lo, hi, lvl);
      if(cases[i].bytes && ghz > 0 && m > 0)
        snprintf(cyc, sizeof(cyc), "%.2f", ghz * 1e9 / m);
      printf("%-34s %-10s %14s %25s %11.1f %7s %5.1f%s\n", cases[i].name,
             a->backends[b], med, ci,
             m > 0 ? 1e9 * (cases[i].bytes ? (double)cases[i].bytes : 1) / m
                   : 0.0, cyc, 100 * v.cv, is_noisy ? " noisy" : "");
      noisy += is_noisy;
    }
  free(cases);
  if(strcmp(a->passes, "1") && strcmp(a->max_reps, a->reps))
    snprintf(upto, sizeof(upto), "%s passes and %s repetitions", a->passes,
             a->max_reps);
  else if(strcmp(a->passes, "1"))
    snprintf(upto, sizeof(upto), "%s passes", a->passes);
  else
    snprintf(upto, sizeof(upto), "%s repetitions", a->max_reps);
  if(again)
    printf("%d results spread more than %s%% (coefficient of variation) "
           "and were measured again, up to %s.\n", again, a->max_cv, upto);
  if(noisy)
    printf("noisy: %d results still spread more than %s%% after up to %s: "
           "the machine was noisy for them; their medians are less certain "
           "and an ordering they show may be noise.\n", noisy, a->max_cv,
           upto);
  if(from_cpu)
    printf("%d repetitions lost CPU time (preempted, or stolen by the "
           "hypervisor) and were timed over the CPU time they got.\n",
           from_cpu);
  if(steal >= 0.001)
    printf("steal: the hypervisor gave %.1f%% of all CPU time to others "
           "during the run.\n", 100 * steal);
  if(ghz > 0)
    printf("cyc/B: TSC cycles per byte (TSC at %.3f GHz).\n", ghz);
}

static void print_equivalence(json_t *report)
{
  json_t *d = json_object_get(report, "derived"), *e;
  size_t i;
  const char *last = "";

  if(!json_array_size(d))
    return;
  printf("\nOne public-key operation costs the CPU time of encrypting "
         "this much (largest record size measured):\n");
  printf("%-12s %-18s %-20s %14s\n", "backend", "cipher", "operation",
         "KiB");
  json_array_foreach(d, i, e) {
    json_t *bytes = json_object_get(e, "bytes");
    const char *be = json_string_value(json_object_get(e, "backend"));
    printf("%-12s %-18s %-20s ", strcmp(be, last) ? be : "",
           json_string_value(json_object_get(e, "cipher")),
           json_string_value(json_object_get(e, "operation")));
    if(json_is_number(bytes))
      printf("%14.1f\n", json_number_value(bytes) / 1024);
    else
      printf("%14s\n", "n/a");
    last = be;
  }
}

int hb_cmd_crypto(int argc, char **argv)
{
  crypto_args a;
  json_t *report;
  char tmpdir[] = "/tmp/httpsbench.XXXXXX", why[400];
  int b, rc, interrupted = 0, failed = 0;
  hb_env_mark *marks;

  parse(argc, argv, &a);
  if(a.list)
    return list_cases(&a);
  marks = calloc(2, sizeof(*marks));
  if(!marks) {
    fprintf(stderr, "httpsbench crypto: out of memory\n");
    return 1;
  }
  if(!mkdtemp(tmpdir)) {
    fprintf(stderr, "httpsbench crypto: cannot create a temporary "
            "directory in /tmp\n");
    free(marks);
    return 1;
  }
  report = hb_report_new(argc, argv);
  hb_env_mark_now(&marks[0]);
  if(a.nbackends > 1 && !a.sequential) {
    if(!a.quiet)
      fprintf(stderr, "httpsbench crypto: %d libraries, their sweeps "
              "taken in turn\n", a.nbackends);
    interrupted = run_interleaved(&a, tmpdir, report, &failed) ==
                  HB_EXIT_INTERRUPTED;
  }
  else {
    for(b = 0; b < a.nbackends && !interrupted; b++) {
      if(!a.quiet)
        fprintf(stderr, "httpsbench crypto: %s (%d/%d)\n", a.backends[b],
                b + 1, a.nbackends);
      rc = run_engine(&a, a.backends[b], tmpdir, report);
      if(rc == HB_EXIT_INTERRUPTED || hb_interrupted())
        interrupted = 1;
      else if(rc)
        failed = 1;
    }
  }
  rmdir(tmpdir);
  hb_env_mark_now(&marks[1]);
  hb_env_run_json(json_object_get(report, "run"), &marks[0], &marks[1]);
  json_object_set_new(json_object_get(report, "run"), "engines",
                      json_string(a.nbackends > 1 && !a.sequential
                                  ? "interleaved" : "sequential"));
  derive_equivalence(report, &a);
  print_table(report, &a);
  print_equivalence(report);
  if(hb_report_finish(report, "crypto", a.json, interrupted))
    failed = 1;
  if(!interrupted && hb_res_all_failed(report, why, sizeof(why))) {
    fprintf(stderr, "httpsbench crypto: %s\n", why);
    failed = 1;
  }
  json_decref(report);
  free(marks);
  return interrupted ? HB_EXIT_INTERRUPTED : failed ? 1 : 0;
}
