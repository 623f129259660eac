/* An engine: the suites run through exactly one linked backend.
 *
 * The front end (httpsbench) starts one engine process per TLS library, so
 * OpenSSL and BoringSSL never share a process, and merges their reports.
 * An engine is also usable on its own: httpsbench-<backend> crypto --json F
 * writes a complete, schema-valid report for that one library. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/command.h"
#include "crypto_suite.h"
#include "hb/envinfo.h"
#include "hb/harness.h"
#include "hb/opts.h"
#include "hb/report.h"
#include "hb/sig.h"
#include "hb/stats.h"
#include "hb/suites.h"

static void usage(FILE *f)
{
  fprintf(f,
    "usage: httpsbench-%s version | origin\n"
    "       httpsbench-%s crypto --json FILE [--filter REGEX] [--sizes LIST]\n"
    "                 [--seconds S] [--repetitions N] [--slices K]\n"
    "                 [--max-passes P] [--max-cv PCT] [--paced]\n"
    "                 [--max-repetitions N] [--progress]\n"
    "       httpsbench-%s server [options]   (see server --help)\n"
    "       httpsbench-%s load URL [options] (see load --help)\n"
    "       httpsbench-%s handshake HOST:PORT [options] (see --help)\n"
    "Engine for one TLS library; normally started by `httpsbench`.\n",
    hb_linked_backend.name, hb_linked_backend.name, hb_linked_backend.name,
    hb_linked_backend.name, hb_linked_backend.name);
}

/* A repetition whose thread got less than this share of its wall-clock
 * time was held off the CPU (preempted, or its virtual CPU's time stolen
 * by the hypervisor): its rate is taken over the CPU time it got. */
#define CPU_SHARE_MIN 0.97

typedef struct crypto_run {
  const hb_crypto_ops *C;
  const hb_crypto_case *cases;
  size_t ncases, M;       /* M: samples a case can get */
  int R;                  /* rounds every case gets */
  int K;                  /* slices a repetition is taken in */
  double seconds;         /* per repetition, all its slices together */
  double *wall, *cpu;     /* [ncases * M]: each sample's seconds */
  double *units;          /* [ncases * M]: calls or bytes so far */
  double *hint;           /* [ncases]: calls/s the last round found */
  char *from_cpu;         /* [ncases * M]: rate over CPU time */
  int init_rc, progress, live;
  int paced;              /* --paced: each sweep waits for "go" */
  hb_err init_err;
} crypto_run;

static void crypto_round(void *arg, int round, int slice, size_t n)
{
  crypto_run *x = arg;

  /* --paced: the front end lets one engine sweep at a time, so the
   * libraries' sweeps alternate and share the machine's moods; a closed
   * standard input (the front end stopped or went away) ends the run as
   * an interruption, with the report of what was measured */
  if(x->paced) {
    char line[32];
    printf("sweep %d %d %zu\n", round, slice, n);
    fflush(stdout);
    if(!fgets(line, sizeof(line), stdin) || strncmp(line, "go", 2))
      raise(SIGTERM);
  }
  if(!x->progress || x->live)
    return;
  /* whole lines: a round at a time (a slice pass at a time when the
   * repetitions are in slices), then a line a repetition measured again */
  if(round < x->R && x->K == 1)
    fprintf(stderr, "[%s round %d/%d] %zu cases\n", hb_linked_backend.name,
            round + 1, x->R, n);
  else if(round < x->R && round == 0)
    fprintf(stderr, "[%s pass %d, slice %d/%d of %d repetitions] %zu "
            "cases\n", hb_linked_backend.name, slice / x->K + 1,
            slice % x->K + 1, x->K, x->R, n);
  else if(round >= x->R && slice == 0)
    fprintf(stderr, "[%s round %d (at most %zu)] %zu cases again: spread "
            "above --max-cv\n", hb_linked_backend.name, round + 1, x->M, n);
}

/* A repetition's rate from its slices so far: units over wall-clock
 * seconds, or over CPU seconds when the thread was held off the CPU
 * (from_cpu says which). */
static double rep_rate(crypto_run *x, size_t at)
{
  x->from_cpu[at] = x->cpu[at] > 0 &&
                    x->cpu[at] < CPU_SHARE_MIN * x->wall[at];
  return x->units[at] / (x->from_cpu[at] ? x->cpu[at] : x->wall[at]);
}

/* Interrupted, a repetition gets its rate from the slices it has (the
 * run is marked interrupted): with slices spread over the run, no
 * repetition would otherwise be whole before the last sweep, and one in
 * a later pass has more slices than its last sample counted. */
static void finish_partial(crypto_run *x, double *rates,
                           hb_case_state *state, double max_cv)
{
  size_t i, k;

  for(i = 0; i < x->ncases; i++) {
    hb_case_state *s = &state[i];
    hb_stats st;
    if(s->status != HB_OK)
      continue;
    for(k = 0; k < x->M && x->wall[i * x->M + k] > 0; k++) {
      size_t at = i * x->M + k;
      rates[at] = rep_rate(x, at);
      if(s->n < k + 1)
        s->n = k + 1;
      s->reached = 1;
    }
    if(s->n >= 2 && hb_stats_compute(&rates[i * x->M], s->n, &st) == 0) {
      s->cv = st.cv;
      s->noisy = st.cv > max_cv;
    }
  }
}

/* Slice `slice` of case i's repetition k: its calls and seconds add to
 * the repetition's; after the last one the repetition's rate is its
 * units over its wall-clock seconds (over its CPU seconds when the
 * thread was held off the CPU). */
static int crypto_rep(void *arg, size_t i, size_t k, int round, int slice,
                      double *sample, hb_err *err)
{
  crypto_run *x = arg;
  const hb_crypto_case *cs = &x->cases[i];
  size_t at = i * x->M + k;
  double s = x->seconds / x->K, wall = 0, cpu = 0, rate = 0;
  hb_bench_opts one = { s, 1, 0, 0, NULL, NULL, 0 };
  double per_call = cs->bytes ? (double)cs->bytes : 1;
  int rc;

  if(x->live)
    fprintf(stderr, "\r\033[K[%s %zu/%zu, round %d/%d, slice %d/%d] %s",
            hb_linked_backend.name, i + 1, x->ncases, round + 1,
            round < x->R ? x->R : (int)x->M, slice + 1, x->K, cs->name);
  if(x->init_rc != HB_OK) { /* a failed init fails every case, saying why */
    *err = x->init_err;
    return x->init_rc;
  }
  /* the clock read twice a slice at least; a case's first slice warms up
   * for a quarter of a repetition while it finds the batch size, later
   * ones (caches only) for an eighth of a slice, at the rate last found */
  one.batch_seconds = s / 2 < 0.1 ? s / 2 : 0.1;
  one.warmup_seconds = x->seconds / 4;
  if(x->hint[i] > 0) {
    one.warmup_seconds = s / 8;
    one.rate_hint = x->hint[i];
  }
  one.wall_s = &wall;
  one.cpu_s = &cpu;
  rc = hb_crypto_run_case(x->C, cs, &one, &rate, err);
  if(rc != HB_OK && rc != HB_UNSUPPORTED && rc != HB_INTERRUPTED)
    fprintf(stderr, "%shttpsbench-%s: %s: %s\n", x->live ? "\r\033[K" : "",
            hb_linked_backend.name, cs->name, err->msg);
  if(rc != HB_OK)
    return rc;
  x->hint[i] = rate / per_call;
  if(slice == 0)
    x->wall[at] = x->cpu[at] = x->units[at] = 0;
  x->wall[at] += wall;
  x->cpu[at] += cpu;
  x->units[at] += rate * wall;
  if((slice + 1) % x->K)
    return HB_OK;
  *sample = rep_rate(x, at);
  return HB_OK;
}

static json_t *num_array(const double *v, size_t n)
{
  json_t *a = json_array();
  size_t i;

  for(i = 0; i < n; i++)
    json_array_append_new(a, hb_json_num(v[i]));
  return a;
}

/* --max-cv PCT into a fraction (dest: double *). */
static int opt_max_cv(const char *v, void *dest, char *why, size_t size)
{
  double pct;

  if(hb_parse_seconds(v, 1000, &pct)) {
    snprintf(why, size, "'%s' is not a percentage in (0, 1000]", v);
    return -1;
  }
  *(double *)dest = pct / 100;
  return 0;
}

static int cmd_crypto(int argc, char **argv)
{
  const hb_crypto_ops *C = hb_linked_backend.crypto;
  const char *json = NULL, *filter = NULL, *sizes_s = HB_DEFAULT_SIZES;
  hb_rounds_opts ro = { 6, 0, HB_DEFAULT_MAX_CV / 100, 1, 1 };
  size_t sizes[HB_MAX_SIZES], ncases = 0, i, k, M;
  size_t nok = 0, nerr = 0;
  hb_case_state *state;
  hb_crypto_case *cases = NULL;
  crypto_run x;
  int nsizes = 0, rc, interrupted = 0, first;
  long reps = 6, max_reps = 0, slices = 1, passes = 1;
  char why[200], head[300];
  hb_err err = { "" };
  hb_env_mark *marks;
  json_t *report;
  double *rates;

  const hb_opt opts[] = {
    { "json", 0, HB_OPT_STRING, &json, "FILE", "write the report (required)",
      0, 0, NULL, NULL, NULL },
    { "filter", 0, HB_OPT_STRING, &filter, "REGEX",
      "only results whose name matches", 0, 0, NULL, NULL, NULL },
    { "sizes", 0, HB_OPT_STRING, &sizes_s, "LIST", "record sizes in bytes",
      0, 0, NULL, NULL, NULL },
    { "seconds", 0, HB_OPT_SECONDS, &x.seconds, "S",
      "time per repetition (default 0.2)", 0, 3600, NULL, NULL,
      "a positive number" },
    { "repetitions", 0, HB_OPT_INT, &reps, "N",
      "rounds every case gets (default 6)", 1, 100000, NULL, NULL,
      "a count >= 1" },
    { "slices", 0, HB_OPT_INT, &slices, "K",
      "take a repetition in K slices spread over the run (default 1)", 1,
      10000, NULL, NULL, "a count >= 1" },
    { "max-cv", 0, HB_OPT_CALL, &ro.max_cv, "PCT",
      "more rounds for a case spread above PCT%", 0, 0, NULL, opt_max_cv,
      NULL },
    { "max-passes", 0, HB_OPT_INT, &passes, "P",
      "a case spread above --max-cv gets another\npass (K more slices "
      "for each repetition), up\nto P passes (default 1)", 1, 1000, NULL,
      NULL, "a count >= 1" },
    { "max-repetitions", 0, HB_OPT_INT, &max_reps, "N",
      "rounds at most (default 2 x --repetitions)", 1, 100000, NULL, NULL,
      "a count >= 1" },
    { "progress", 0, HB_OPT_FLAG, &x.progress, NULL, "progress on stderr",
      0, 0, NULL, NULL, NULL },
    { "paced", 0, HB_OPT_FLAG, &x.paced, NULL,
      "before each sweep over the cases print\n\"sweep ROUND SLICE "
      "CASES\" and wait for a line \"go\" on\nstandard input (end of "
      "input: stop, as\ninterrupted)", 0, 0, NULL, NULL, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "crypto", head, NULL, opts };

  memset(&x, 0, sizeof(x));
  x.seconds = 0.2;
  snprintf(head, sizeof(head), "usage: httpsbench-%s crypto --json FILE "
           "[options]\nThe crypto suite through this engine's library "
           "(normally started by\n`httpsbench crypto`).\n\n",
           hb_linked_backend.name);
  first = hb_opts_parse(&spec, argc, argv);
  if(first < argc)
    hb_usage_fail("crypto", "unexpected argument '%s'", argv[first]);
  ro.repetitions = (int)reps;
  ro.slices = (int)slices;
  ro.max_passes = (int)passes;
  ro.max_repetitions = (int)max_reps;
  if(!json)
    hb_usage_fail("crypto", "--json FILE is required for an engine");
  if(!ro.max_repetitions)
    ro.max_repetitions = HB_DEFAULT_MAX_REPETITIONS(ro.repetitions);
  else if(ro.max_repetitions < ro.repetitions)
    hb_usage_fail("crypto", "--max-repetitions: %d is below --repetitions "
                  "%d", ro.max_repetitions, ro.repetitions);
  if(hb_parse_sizes(sizes_s, sizes, HB_MAX_SIZES, &nsizes, why,
                    sizeof(why)))
    hb_usage_fail("crypto", "--sizes: %s", why);
  if(hb_crypto_cases(sizes, nsizes, filter, &cases, &ncases))
    hb_usage_fail("crypto", "--filter: bad regular expression '%s'",
                  filter);
  if(hb_report_check_path(json, &err) != HB_OK)
    hb_usage_fail("crypto", "--json: %s", err.msg);
  if(!C) {
    fprintf(stderr, "httpsbench-%s: this backend has no crypto\n",
            hb_linked_backend.name);
    free(cases);
    return 1;
  }

  report = hb_report_new(argc, argv);
  hb_report_add_backend(report, hb_linked_backend.name, C->version());
  hb_report_set_backend_origin(report, hb_linked_backend.name,
                               hb_linked_backend.origin);
  /* Repetitions go round the cases: round r measures every case once, so
   * a case's samples come from moments spread over the whole run, not
   * from one stretch of it. With --slices K a repetition is K short
   * slices, and sweep q takes slice q / R of repetition q % R of every
   * case: each repetition then averages over the whole run. On a shared
   * VM whose speed changes level every few tens of milliseconds and
   * swings by tens of percent for seconds at a time, that is what keeps
   * one slow or fast stretch from setting a repetition apart. A case
   * still spread more than max_cv after those rounds gets more, up to
   * max_repetitions, and is marked noisy if that does not bring its
   * spread down. */
  M = (size_t)ro.max_repetitions;
  x.C = C;
  x.cases = cases;
  x.ncases = ncases;
  x.M = M;
  x.R = ro.repetitions;
  x.K = ro.slices;
  /* a line rewritten in place on a terminal; elsewhere (a log, a pipe
   * shared with other processes) whole lines only, one per round */
  x.live = x.progress && isatty(2);
  rates = calloc(ncases * M + 1, sizeof(*rates));
  x.wall = calloc(ncases * M + 1, sizeof(*x.wall));
  x.units = calloc(ncases * M + 1, sizeof(*x.units));
  x.cpu = calloc(ncases * M + 1, sizeof(*x.cpu));
  x.from_cpu = calloc(ncases * M + 1, 1);
  x.hint = calloc(ncases + 1, sizeof(*x.hint));
  state = calloc(ncases + 1, sizeof(*state));
  marks = calloc(2, sizeof(*marks));
  if(!rates || !x.wall || !x.units || !x.cpu || !x.from_cpu || !x.hint || !state ||
     !marks) {
    fprintf(stderr, "httpsbench-%s: out of memory\n",
            hb_linked_backend.name);
    rc = HB_ERROR;
    goto out;
  }
  hb_env_mark_now(&marks[0]);
  x.init_rc = C->global_init(&x.init_err);
  if(hb_bench_rounds(&ro, ncases, crypto_rep, crypto_round, &x, rates,
                     state) == HB_INTERRUPTED) {
    interrupted = 1;
    finish_partial(&x, rates, state, ro.max_cv);
  }
  hb_env_mark_now(&marks[1]);
  hb_env_run_json(json_object_get(report, "run"), &marks[0], &marks[1]);
  /* every case round 0 reached, with the samples it got */
  for(i = 0; i < ncases; i++) {
    const hb_crypto_case *cs = &cases[i];
    hb_case_state *s = &state[i];
    json_t *res, *params, *basis;

    if(!s->reached)
      continue;
    res = hb_report_add_result(report, "crypto", cs->name,
                               hb_linked_backend.name,
                               cs->bytes ? "bytes/s" : "ops/s");
    params = json_object_get(res, "params");
    json_object_set_new(params, "algorithm", json_string(cs->algorithm));
    json_object_set_new(params, "operation", json_string(cs->operation));
    if(cs->bytes)
      json_object_set_new(params, "bytes", json_integer((json_int_t)
                                                        cs->bytes));
    json_object_set_new(params, "seconds", json_real(x.seconds));
    json_object_set_new(params, "repetitions", json_integer(x.R));
    json_object_set_new(params, "slices", json_integer(x.K));
    json_object_set_new(params, "max_passes", json_integer(ro.max_passes));
    json_object_set_new(params, "max_repetitions",
                        json_integer((json_int_t)M));
    json_object_set_new(params, "max_cv", json_real(ro.max_cv));
    /* a case that failed in a later round reports that failure alone */
    if(s->n && s->status == HB_OK) {
      hb_result_set_samples(res, &rates[i * M], s->n);
      json_object_set_new(res, "wall_s", num_array(&x.wall[i * M], s->n));
      json_object_set_new(res, "cpu_s", num_array(&x.cpu[i * M], s->n));
      basis = json_array();
      for(k = 0; k < s->n; k++)
        json_array_append_new(basis, json_string(x.from_cpu[i * M + k]
                                                 ? "cpu" : "wall"));
      json_object_set_new(res, "rate_basis", basis);
      json_object_set_new(res, "noisy", json_boolean(s->noisy));
      json_object_set_new(res, "passes", json_integer(s->passes));
    }
    hb_result_set_status(res, s->status, s->err.msg);
    nok += s->status == HB_OK;
    nerr += s->status != HB_OK && s->status != HB_UNSUPPORTED;
  }
  rc = HB_OK;
out:
  if(x.live)
    fprintf(stderr, "\r\033[K");
  hb_crypto_suite_cleanup(C);
  free(rates);
  free(x.wall);
  free(x.units);
  free(x.cpu);
  free(x.from_cpu);
  free(x.hint);
  free(state);
  free(marks);
  free(cases);
  if(rc != HB_OK) {
    json_decref(report);
    return 1;
  }
  if(hb_interrupted())
    interrupted = 1;
  rc = hb_report_write(report, json, interrupted, &err);
  json_decref(report);
  if(rc != HB_OK) {
    fprintf(stderr, "httpsbench-%s: %s\n", hb_linked_backend.name, err.msg);
    return 1;
  }
  if(interrupted)
    return HB_EXIT_INTERRUPTED;
  if(!nok && nerr) {
    fprintf(stderr, "httpsbench-%s: every measurement failed (%zu "
            "cases)\n", hb_linked_backend.name, nerr);
    return 1;
  }
  return 0;
}

static int cmd_version(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  puts(hb_linked_backend.crypto ? hb_linked_backend.crypto->version()
                                : "kernel TCP");
  return 0;
}

static int cmd_origin(int argc, char **argv) /* where the library came from */
{
  (void)argc;
  (void)argv;
  puts(hb_linked_backend.origin);
  return 0;
}

int main(int argc, char **argv)
{
  /* measuring commands: idle CPUs poll while this engine runs (see
   * hb/envinfo.h); the report says whether they did */
  static const hb_command cmds[] = {
    { "version", cmd_version, 0 },
    { "origin", cmd_origin, 0 },
    { "crypto", cmd_crypto, 1 },
    { "server", hb_server_main, 1 },
    { "load", hb_load_main, 1 },
    { "handshake", hb_handshake_main, 1 },
    { NULL, NULL, 0 }
  };

  return hb_main(argc, argv, cmds, usage, NULL, NULL);
}
