/* httpsbench merge [--json OUT] [--label NAME]... REPORT...: the load
 * results of several clients (one report each, run at the same time
 * against one server, e.g. one per host) merged exactly.
 *
 * Counts are added; latency and phase percentiles are recomputed from
 * the sum of the clients' encoded histograms (lib/http/hdr.c), never
 * averaged; requests/s is the sum of the clients' rates (their windows
 * run concurrently); CPU per request is the clients' CPU over all their
 * responses. Each client's own figures stay under "hosts". Results are
 * matched by backend and name; clients whose runs differ in anything but
 * their share of the load (connections, threads, target rate, request
 * count) are not merged: that is an error, not an average. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "hb/cli.h"
#include "hb/hdr.h"
#include "hb/opts.h"
#include "hb/report.h"
#include "results.h"

#define MG_MAX_INPUTS HB_MERGE_MAX

/* params that are each client's share of the load: summed, not compared */
static const char *const mg_share[] = { "connections", "threads",
                                        "target_rate", "requests", NULL };
/* the histograms a load result carries (phases.request is latency) */
static const char *const mg_phases[] = { "connect", "tls_handshake",
                                         "ttfb", NULL };

/* params that are each client's own (its start times): not compared,
 * left out of the merged params (remote.hosts has them) */
static const char *const mg_own[] = { "start_at_ns", "started_at_ns",
                                      NULL };

static int mg_is_share(const char *k)
{
  int i;

  for(i = 0; mg_share[i]; i++)
    if(!strcmp(mg_share[i], k))
      return 1;
  for(i = 0; mg_own[i]; i++)
    if(!strcmp(mg_own[i], k))
      return 1;
  return 0;
}

/* The first key of a's params that b has otherwise (share keys aside),
 * or NULL when the runs are alike. */
static const char *mg_params_differ(json_t *a, json_t *b)
{
  const char *k;
  json_t *v;

  json_object_foreach(a, k, v)
    if(!mg_is_share(k) && !json_equal(v, json_object_get(b, k)))
      return k;
  json_object_foreach(b, k, v)
    if(!mg_is_share(k) && !json_object_get(a, k))
      return k;
  return NULL;
}

/* A client's figure for a sum: 0 when it has none. */
static double mg_or0(double v)
{
  return isnan(v) ? 0 : v;
}

/* A histogram's summary with its encoding, from the sum of the clients'
 * encoded histograms at path a.b ("latency", or "phases" + name). NULL
 * (json null) when no client measured it; -1 in *bad with why when one
 * client's is missing or broken. */
static json_t *mg_hist(json_t **res, int n, const char *a, const char *b,
                       hb_hdr *sum, hb_hdr *one, int *bad, char *why,
                       size_t size)
{
  int i, seen = 0;
  json_t *j;

  hb_hdr_reset(sum);
  for(i = 0; i < n; i++) {
    json_t *h = json_object_get(res[i], a);

    if(b)
      h = json_object_get(h, b);
    if(json_is_null(h) || !h)
      continue;
    seen++;
    if(hb_hdr_decode(one, json_object_get(h, "histogram"), why, size)) {
      *bad = 1;
      return json_null();
    }
    hb_hdr_merge(sum, one);
  }
  if(!seen)
    return json_null();
  j = hb_hdr_json(sum);
  if(j)
    json_object_set_new(j, "histogram", hb_hdr_encode(sum));
  return j ? j : json_null();
}

/* One client's figures, as it measured them. */
static json_t *mg_host(json_t *r, const char *label)
{
  json_t *lat = json_object_get(r, "latency"), *h = json_object(),
         *req = json_object_get(json_object_get(r, "counts"), "requests"),
         *w = json_object_get(r, "warnings");

  json_object_set_new(h, "label", json_string(label));
  json_object_set_new(h, "requests_per_s", hb_json_num(hb_res_median(r)));
  json_object_set_new(h, "requests", req ? json_incref(req) : json_null());
  json_object_set_new(h, "elapsed_s", hb_json_num(hb_res_num(r, "elapsed_s",
                                                         NULL)));
  json_object_set_new(h, "p50_us", hb_json_num(hb_res_num(lat, "p50", NULL)));
  json_object_set_new(h, "p99_us", hb_json_num(hb_res_num(lat, "p99", NULL)));
  json_object_set_new(h, "cpu_per_request_us",
                      hb_json_num(hb_res_num(r, "cpu", "per_request_us")));
  json_object_set_new(h, "cpu_util", hb_json_num(hb_res_num(r, "cpu", "util")));
  json_object_set_new(h, "status", json_string(hb_res_str(r, "status")));
  json_object_set_new(h, "warnings", w ? json_incref(w) : json_array());
  return h;
}

/* Merges the n results (one per client) into a new result of out.
 * 0, or 1 when they could not be merged (the result says why). */
static int mg_results(json_t *out, json_t **res, const char **labels,
                      int n, hb_hdr *sum, hb_hdr *one)
{
  json_t *first = res[0], *m, *params, *counts, *errors, *msgs, *hosts,
         *warn, *phases, *lat;
  const char *backend = hb_res_str(first, "backend");
  double rate = 0, target = 0, cpu_s = 0, poll_s = 0, user = 0, sys = 0,
         elapsed = 0, bps = 0, late = 0, responses;
  char why[300] = "";
  int i, ok = 0, bad = 0, p;

  m = hb_report_add_result(out, "load", hb_res_str(first, "name"), backend,
                           hb_res_str(first, "unit"));
  params = json_deep_copy(json_object_get(first, "params"));
  counts = json_object();
  errors = json_object();
  msgs = json_object();
  hosts = json_array();
  warn = json_array();
  for(i = 0; i < n; i++) {
    json_t *r = res[i], *rp = json_object_get(r, "params"), *w;
    const char *k, *diff = i ? mg_params_differ(json_object_get(first,
                                                "params"), rp) : NULL;
    json_t *v;
    size_t j;

    if(diff && !bad) {
      snprintf(why, sizeof(why), "%s and %s ran differently (params.%s): "
               "only clients of one run merge", labels[0], labels[i], diff);
      bad = 1;
    }
    if(i)
      for(p = 0; mg_share[p]; p++) {
        double a = hb_res_num(params, mg_share[p], NULL),
               b = hb_res_num(rp, mg_share[p], NULL);
        if(!isnan(a) && !isnan(b))
          json_object_set_new(params, mg_share[p],
                              json_is_integer(json_object_get(params,
                                              mg_share[p]))
                              ? json_integer((json_int_t)(a + b))
                              : json_real(a + b));
      }
    ok |= !strcmp(hb_res_str(r, "status"), "ok");
    rate += mg_or0(hb_res_median(r));
    target += mg_or0(hb_res_num(r, "rate", "target"));
    late += mg_or0(hb_res_num(r, "rate", "late_sends"));
    cpu_s += mg_or0(hb_res_num(r, "cpu", "window_s"));
    poll_s += mg_or0(hb_res_num(r, "cpu", "busy_poll_s"));
    user += mg_or0(hb_res_num(r, "cpu", "user_s"));
    sys += mg_or0(hb_res_num(r, "cpu", "sys_s"));
    if(hb_res_num(r, "elapsed_s", NULL) > elapsed)
      elapsed = hb_res_num(r, "elapsed_s", NULL);
    bps += mg_or0(hb_res_num(r, "bytes_per_s", NULL));
    hb_res_add_ints(counts, json_object_get(r, "counts"));
    hb_res_add_ints(errors, json_object_get(r, "errors"));
    json_object_foreach(json_object_get(r, "error_messages"), k, v)
      if(!json_object_get(msgs, k))
        json_object_set_new(msgs, k, json_sprintf("%s: %s", labels[i],
                                                  json_string_value(v)));
    json_array_foreach(json_object_get(r, "warnings"), j, w)
      json_array_append_new(warn, json_sprintf("%s: %s", labels[i],
                                               json_string_value(w)));
    if(i && !json_equal(json_object_get(r, "tls"),
                        json_object_get(first, "tls")))
      json_array_append_new(warn, json_sprintf(
        "%s negotiated other TLS parameters than %s (tls is %s's)",
        labels[i], labels[0], labels[0]));
    json_array_append_new(hosts, mg_host(r, labels[i]));
  }
  for(p = 0; mg_own[p]; p++)
    json_object_del(params, mg_own[p]);
  json_object_set_new(params, "clients", json_integer(n));
  json_object_set_new(m, "params", params);
  lat = mg_hist(res, n, "latency", NULL, sum, one, &bad, why, sizeof(why));
  phases = json_object();
  for(p = 0; mg_phases[p]; p++)
    json_object_set_new(phases, mg_phases[p], mg_hist(res, n, "phases",
                        mg_phases[p], sum, one, &bad, why, sizeof(why)));
  json_object_set(phases, "request", lat);
  json_object_set_new(m, "latency", lat);
  json_object_set_new(m, "phases", phases);
  json_object_set_new(m, "counts", counts);
  json_object_set_new(m, "errors", errors);
  json_object_set_new(m, "error_messages", msgs);
  json_object_set_new(m, "rate", json_pack("{s:o,s:o,s:o,s:I}",
    "target", hb_json_num(target > 0 ? target : NAN),
    "achieved", hb_json_num(rate),
    "shortfall_pct", hb_json_num(target > 0 ? 100 * (target - rate) / target
                                 : NAN),
    "late_sends", (json_int_t)late));
  responses = hb_res_num(counts, "responses", NULL);
  json_object_set_new(m, "cpu", json_pack(
    "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
    "user_s", hb_json_num(user), "sys_s", hb_json_num(sys),
    "utilization", json_null(), "window_s", hb_json_num(cpu_s),
    "util", json_null(),
    "per_request_us", hb_json_num(responses > 0 ? cpu_s * 1e6 / responses
                                  : NAN),
    "busy_poll_s", hb_json_num(poll_s),
    "per_request_us_without_poll", hb_json_num(responses > 0
      ? (cpu_s - poll_s) * 1e6 / responses : NAN)));
  json_object_set_new(m, "elapsed_s", hb_json_num(elapsed));
  json_object_set_new(m, "bytes_per_s", hb_json_num(bps));
  json_object_set(m, "tls", json_object_get(first, "tls")
                  ? json_object_get(first, "tls") : json_null());
  json_object_set_new(m, "warnings", warn);
  json_object_set_new(m, "hosts", hosts);
  json_object_set_new(m, "merge", json_pack("{s:i,s:s}", "clients", n,
    "rule", "counts and histograms added, percentiles from the merged "
    "histogram; requests/s the sum of the clients' rates (concurrent "
    "windows); elapsed_s the longest window; CPU per request the clients' "
    "CPU over all their responses"));
  if(bad) {
    hb_result_set_status(m, HB_ERROR, why);
    return 1;
  }
  if(ok) {
    hb_result_set_samples(m, &rate, 1);
    hb_result_set_status(m, HB_OK, NULL);
  }
  else
    hb_result_set_status(m, HB_ERROR, "no client completed a request");
  return 0;
}

static void mg_print(json_t *r)
{
  json_t *lat = json_object_get(r, "latency"), *h;
  size_t i;

  printf("%-10s %-9s %12.1f requests/s  p50 %9.1f us  p99 %9.1f us  "
         "%s\n", hb_res_str(r, "backend"), "merged",
         hb_res_num(r, "rate", "achieved"), hb_res_num(lat, "p50", NULL),
         hb_res_num(lat, "p99", NULL), hb_res_str(r, "status"));
  json_array_foreach(json_object_get(r, "hosts"), i, h)
    printf("%-10s %-9.9s %12.1f requests/s  p50 %9.1f us  p99 %9.1f us\n",
           "", hb_res_str(h, "label"), hb_res_num(h, "requests_per_s", NULL),
           hb_res_num(h, "p50_us", NULL), hb_res_num(h, "p99_us", NULL));
  if(!strcmp(hb_res_str(r, "status"), "error"))
    printf("  error: %s\n", hb_res_str(r, "error"));
}

typedef struct mg_ctx {
  json_t *out;
  const char **names;
  hb_hdr *sum, *one;
  int rc, nres;
} mg_ctx;

/* hb_res_group's combiner: the load results of one key, merged into
 * one (the reports that lack it named on stderr). */
static void mg_key(void *ctx, json_t *first, json_t **same, int n)
{
  mg_ctx *c = ctx;
  json_t *set[MG_MAX_INPUTS];
  const char *labs[MG_MAX_INPUTS];
  int i, m = 0;

  for(i = 0; i < n; i++)
    if(same[i]) {
      set[m] = same[i];
      labs[m++] = c->names[i];
    }
  if(!m)
    return;
  if(m < n)
    fprintf(stderr, "httpsbench merge: %d of %d reports have no load "
            "result for %s; merging the others\n", n - m, n,
            hb_res_str(first, "backend"));
  c->rc |= mg_results(c->out, set, labs, m, c->sum, c->one);
  c->nres++;
}

/* Merges the load results of the n reports into out (their backends
 * too) by the rule of results.h: for each load result of in[0], its
 * match by key in every report. *nres: how many merged results out got.
 * 0, or 1 when a result could not be merged (it says why), -1 when out
 * of memory. */
int hb_merge_load(json_t *out, json_t **in, const char **names, int n,
                  int *nres)
{
  mg_ctx c = { out, names, NULL, NULL, 0, 0 };
  int rc;

  *nres = 0;
  if(n > MG_MAX_INPUTS)
    return -1;
  c.sum = hb_hdr_new();
  c.one = hb_hdr_new();
  rc = c.sum && c.one ? hb_res_group(out, in, n, "load", mg_key, &c) : -1;
  hb_hdr_free(c.sum);
  hb_hdr_free(c.one);
  *nres = c.nres;
  return rc ? rc : c.rc;
}

void hb_merge_print(json_t *out)
{
  json_t *r;
  size_t k;

  json_array_foreach(json_object_get(out, "results"), k, r)
    mg_print(r);
}

typedef struct mg_labels { const char *v[MG_MAX_INPUTS]; int n; } mg_labels;

static int mg_label(const char *value, void *dest, char *why, size_t size)
{
  mg_labels *l = dest;

  if(l->n == MG_MAX_INPUTS) {
    snprintf(why, size, "more than %d labels", MG_MAX_INPUTS);
    return -1;
  }
  if(!*value) {
    snprintf(why, size, "'' is not a label");
    return -1;
  }
  l->v[l->n++] = value;
  return 0;
}

int hb_cmd_merge(int argc, char **argv)
{
  static mg_labels labels;
  const char *json = NULL;
  const hb_opt opts[] = {
    { "json", 0, HB_OPT_STRING, &json, "FILE",
      "write the merged report to FILE (atomically)", 0, 0, NULL, NULL,
      NULL },
    { "label", 'l', HB_OPT_CALL, &labels, "NAME",
      "name of the next report's client (repeat,\nin order; default: the "
      "file name)", 0, 0, NULL, mg_label, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "merge",
    "usage: httpsbench merge [--json OUT] [--label NAME]... REPORT...\n"
    "Merges the load results of clients that ran at the same time against\n"
    "one server (each its own report: httpsbench-LIB load --json FILE),\n"
    "exactly: counts and latency histograms are added and percentiles\n"
    "recomputed from the sum, never averaged; requests/s is the sum of\n"
    "the clients' rates; each client's figures are kept under \"hosts\".\n\n",
    "\nExit status: 0 merged, 1 a result could not be merged (the report\n"
    "says why: runs that differ, a report without histograms), 2 usage.",
    opts };
  json_t *in[MG_MAX_INPUTS], *out;
  const char *names[MG_MAX_INPUTS];
  hb_err err = { "" };
  int first, n, i, rc = 0, nres = 0;

  first = hb_opts_parse(&spec, argc, argv);
  n = argc - first;
  if(n < 1)
    hb_usage_fail("merge", "no report given");
  if(n > MG_MAX_INPUTS)
    hb_usage_fail("merge", "more than %d reports", MG_MAX_INPUTS);
  if(labels.n > n)
    hb_usage_fail("merge", "%d labels for %d reports", labels.n, n);
  if(json && hb_report_check_path(json, &err) != HB_OK)
    hb_usage_fail("merge", "--json: %s", err.msg);
  for(i = 0; i < n; i++) {
    names[i] = i < labels.n ? labels.v[i] : argv[first + i];
    in[i] = hb_report_load(argv[first + i], &err);
    if(!in[i]) {
      fprintf(stderr, "httpsbench merge: %s\n", err.msg);
      while(i--)
        json_decref(in[i]);
      return 1;
    }
  }
  out = hb_report_new(argc, argv);
  if(!out) {
    fprintf(stderr, "httpsbench merge: out of memory\n");
    rc = 1;
    goto done;
  }
  rc = hb_merge_load(out, in, names, n, &nres);
  if(rc < 0) {
    fprintf(stderr, "httpsbench merge: out of memory\n");
    rc = 1;
    goto done;
  }
  if(!nres) {
    fprintf(stderr, "httpsbench merge: %s has no load result (reports of "
            "httpsbench-LIB load --json)\n", names[0]);
    rc = 1;
    goto done;
  }
  hb_merge_print(out);
  if(hb_report_finish(out, "merge", json, 0))
    rc = 1;
done:
  json_decref(out);
  for(i = 0; i < n; i++)
    json_decref(in[i]);
  return rc;
}
