/* An engine: the suites run through exactly one linked backend.
 *
 * The front end (httpsbench) starts one engine process per TLS library, so
 * OpenSSL and BoringSSL never share a process, and merges their reports.
 * An engine is also usable on its own: httpsbench-<backend> crypto --json F
 * writes a complete, schema-valid report for that one library. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/crypto_suite.h"
#include "hb/report.h"
#include "hb/sig.h"
#include "hb/suites.h"

static void usage(FILE *f)
{
  fprintf(f,
    "usage: httpsbench-%s version\n"
    "       httpsbench-%s crypto --json FILE [--filter REGEX] [--sizes LIST]\n"
    "                 [--seconds S] [--repetitions N] [--progress]\n"
    "       httpsbench-%s server [options]   (see server --help)\n"
    "       httpsbench-%s load URL [options] (see load --help)\n"
    "       httpsbench-%s handshake HOST:PORT [options] (see --help)\n"
    "Engine for one TLS library; normally started by `httpsbench`.\n",
    hb_linked_backend.name, hb_linked_backend.name, hb_linked_backend.name,
    hb_linked_backend.name, hb_linked_backend.name);
}

static int cmd_crypto(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "json", required_argument, NULL, 'j' },
    { "filter", required_argument, NULL, 'f' },
    { "sizes", required_argument, NULL, 's' },
    { "seconds", required_argument, NULL, 'S' },
    { "repetitions", required_argument, NULL, 'r' },
    { "progress", no_argument, NULL, 'p' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  const hb_crypto_ops *C = hb_linked_backend.crypto;
  const char *json = NULL, *filter = NULL, *sizes_s = HB_DEFAULT_SIZES;
  hb_bench_opts opts = { 0.2, 6, 0, 0 }, one;
  size_t sizes[HB_MAX_SIZES], ncases = 0, i, r, R, attempted = 0;
  size_t nok = 0, nerr = 0;
  size_t *nrun;
  int *status;
  hb_err *errs;
  hb_crypto_case *cases = NULL;
  int nsizes = 0, progress = 0, opt, rc, init_rc, interrupted = 0, live;
  long reps;
  char why[200];
  hb_err err = { "" }, init_err = { "" };
  json_t *report;
  double *rates;

  opterr = 0; /* one line of ours, not getopt's as well */
  while((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch(opt) {
    case 'j': json = optarg; break;
    case 'f': filter = optarg; break;
    case 's': sizes_s = optarg; break;
    case 'S':
      if(hb_parse_seconds(optarg, 3600, &opts.seconds))
        hb_usage_fail("crypto", "--seconds: '%s' is not a positive number",
                      optarg);
      break;
    case 'r':
      if(hb_parse_int(optarg, 1, 100000, &reps))
        hb_usage_fail("crypto", "--repetitions: '%s' is not a count >= 1",
                      optarg);
      opts.repetitions = (int)reps;
      break;
    case 'p': progress = 1; break;
    case 'h': usage(stdout); return 0;
    default: hb_usage_getopt("crypto", opt, argv);
    }
  }
  if(optind < argc)
    hb_usage_fail("crypto", "unexpected argument '%s'", argv[optind]);
  if(!json)
    hb_usage_fail("crypto", "--json FILE is required for an engine");
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
  /* Repetitions go round the cases: round r measures every case once, so
   * a case's samples come from moments spread over the whole run, not
   * from one stretch of it. On a shared VM whose speed switches level
   * every second or so, that is what keeps one slow stretch from setting
   * a case's median. */
  R = (size_t)opts.repetitions;
  rates = calloc(ncases * R + 1, sizeof(*rates));
  nrun = calloc(ncases + 1, sizeof(*nrun));
  status = calloc(ncases + 1, sizeof(*status));
  errs = calloc(ncases + 1, sizeof(*errs));
  init_rc = C->global_init(&init_err);
  /* a line rewritten in place on a terminal; elsewhere (a log, a pipe
   * shared with other processes) whole lines only, one per round */
  live = progress && isatty(2);
  one = opts;
  one.repetitions = 1;
  for(r = 0; r < R && rates && nrun && status && errs && !interrupted;
      r++) {
    /* later rounds only find the batch size again */
    if(r)
      one.warmup_seconds = opts.seconds / 5;
    if(progress && !live)
      fprintf(stderr, "[%s round %zu/%zu] %zu cases\n",
              hb_linked_backend.name, r + 1, R, ncases);
    for(i = 0; i < ncases; i++) {
      const hb_crypto_case *cs = &cases[i];

      if(status[i] != HB_OK)
        continue; /* unsupported or failed: said once */
      if(hb_interrupted()) {
        interrupted = 1;
        break;
      }
      if(live)
        fprintf(stderr, "\r\033[K[%s %zu/%zu, round %zu/%zu] %s",
                hb_linked_backend.name, i + 1, ncases, r + 1, R, cs->name);
      if(init_rc != HB_OK) { /* a failed init fails every case, saying why */
        rc = init_rc;
        errs[i] = init_err;
      }
      else
        rc = hb_crypto_run_case(C, cs, &one, &rates[i * R + nrun[i]],
                                &errs[i]);
      if(rc == HB_INTERRUPTED) {
        interrupted = 1;
        break;
      }
      if(r == 0)
        attempted = i + 1;
      status[i] = rc;
      if(rc == HB_OK)
        nrun[i]++;
      else if(rc != HB_UNSUPPORTED)
        fprintf(stderr, "%shttpsbench-%s: %s: %s\n",
                live ? "\r\033[K" : "", hb_linked_backend.name, cs->name,
                errs[i].msg);
    }
  }
  /* every case round 0 reached, with the samples it got */
  for(i = 0; i < attempted; i++) {
    const hb_crypto_case *cs = &cases[i];
    json_t *res, *params;

    res = hb_report_add_result(report, "crypto", cs->name,
                               hb_linked_backend.name,
                               cs->bytes ? "bytes/s" : "ops/s");
    params = json_object_get(res, "params");
    json_object_set_new(params, "algorithm", json_string(cs->algorithm));
    json_object_set_new(params, "operation", json_string(cs->operation));
    if(cs->bytes)
      json_object_set_new(params, "bytes", json_integer((json_int_t)
                                                        cs->bytes));
    json_object_set_new(params, "seconds", json_real(opts.seconds));
    /* a case that failed in a later round reports that failure alone */
    if(nrun[i] && status[i] == HB_OK)
      hb_result_set_samples(res, &rates[i * R], nrun[i]);
    hb_result_set_status(res, status[i], errs[i].msg);
    nok += status[i] == HB_OK;
    nerr += status[i] != HB_OK && status[i] != HB_UNSUPPORTED;
  }
  if(live)
    fprintf(stderr, "\r\033[K");
  hb_crypto_suite_cleanup(C);
  free(rates);
  free(nrun);
  free(status);
  free(errs);
  free(cases);
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

int main(int argc, char **argv)
{
  /* whole lines: a pipe this shares with the front end and other engines
   * gets no line cut at a buffer boundary */
  setvbuf(stdout, NULL, _IOLBF, 0);
  hb_signals_install();
  if(argc < 2) {
    usage(stderr);
    return HB_EXIT_USAGE;
  }
  if(!strcmp(argv[1], "version")) {
    puts(hb_linked_backend.crypto ? hb_linked_backend.crypto->version()
                                  : "kernel TCP");
    return 0;
  }
  if(!strcmp(argv[1], "crypto"))
    return cmd_crypto(argc - 1, argv + 1);
  if(!strcmp(argv[1], "server"))
    return hb_server_main(argc - 1, argv + 1);
  if(!strcmp(argv[1], "load"))
    return hb_load_main(argc - 1, argv + 1);
  if(!strcmp(argv[1], "handshake"))
    return hb_handshake_main(argc - 1, argv + 1);
  if(!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(stdout);
    return 0;
  }
  usage(stderr);
  return HB_EXIT_USAGE;
}
