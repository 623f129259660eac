/* The load generator's outcome: a wrk-like summary on the terminal and
 * the JSON report (suite "load", one result "requests"). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/report.h"
#include "load.h"

static void out_time(double ns, char *buf, size_t size)
{
  if(ns < 1e6)
    snprintf(buf, size, "%.2fus", ns / 1e3);
  else if(ns < 1e9)
    snprintf(buf, size, "%.2fms", ns / 1e6);
  else
    snprintf(buf, size, "%.2fs", ns / 1e9);
}

static const char *out_tls_version(int v)
{
  return v == HB_TLS_1_3 ? "TLSv1.3" : v == HB_TLS_1_2 ? "TLSv1.2"
         : "unknown";
}

static double out_rate(const ld_result *r)
{
  return r->elapsed > 0 ? (double)r->st.ok / r->elapsed : 0;
}

/* "avg .. stdev .. max .." of one histogram, nothing when empty. */
static void out_phase(const char *name, const hb_hdr *h, const char *tail)
{
  char a[32], s[32], m[32];

  if(!hb_hdr_count(h))
    return;
  out_time(hb_hdr_mean(h), a, sizeof(a));
  out_time(hb_hdr_stddev(h), s, sizeof(s));
  out_time((double)hb_hdr_max(h), m, sizeof(m));
  printf("  %-10s avg %-9s stdev %-9s max %-9s%s\n", name, a, s, m, tail);
}

/* The spectrum in HdrHistogram's text layout, values in microseconds. */
static void out_spectrum(const hb_hdr *h)
{
  json_t *j = hb_hdr_json(h), *row;
  size_t i;

  if(!j)
    return;
  printf("  Latency spectrum (us):\n%14s %14s %12s %18s\n", "Value",
         "Percentile", "TotalCount", "1/(1-Percentile)");
  json_array_foreach(json_object_get(j, "spectrum"), i, row) {
    double p = json_real_value(json_array_get(row, 1)) / 100;

    if(p < 1)
      printf("%14.3f %14.6f %12lld %18.2f\n",
             json_real_value(json_array_get(row, 0)), p,
             (long long)json_integer_value(json_array_get(row, 2)),
             1 / (1 - p));
    else
      printf("%14.3f %14.6f %12lld %18s\n",
             json_real_value(json_array_get(row, 0)), p,
             (long long)json_integer_value(json_array_get(row, 2)), "inf");
  }
  json_decref(j);
}

void ld_print_summary(const ld_shared *sh, const ld_result *r,
                      char warnings[][300], int nwarn)
{
  const ld_opts *o = sh->o;
  const ld_stats *st = &r->st;
  const hb_hdr *lat = st->latency;
  char buf[5][32], tail[200];
  uint64_t errs = 0;
  int i;

  printf("Running %s%s%s @ %s\n", o->rate > 0 ? "open loop" : "closed loop",
         o->close ? ", a connection per request" : ", keep-alive",
         o->requests ? "" : " test", o->url_text);
  if(o->requests)
    printf("  %lld requests, ", o->requests);
  else
    printf("  %.2f s, ", o->duration);
  printf("%ld thread%s, %ld connection%s, %s", o->threads,
         o->threads > 1 ? "s" : "", o->conns, o->conns > 1 ? "s" : "",
         sh->ops->name);
  if(o->rate > 0)
    printf(", target %.1f requests/s", o->rate);
  printf("\n");
  if(hb_hdr_count(lat)) {
    out_phase("Latency", lat, "");
    for(i = 0; i < 5; i++) {
      static const double ps[] = { 50, 90, 99, 99.9, 99.99 };

      out_time((double)hb_hdr_value_at_percentile(lat, ps[i]), buf[i],
               sizeof(buf[i]));
    }
    printf("  %-10s p50 %s  p90 %s  p99 %s  p99.9 %s  p99.99 %s\n", "",
           buf[0], buf[1], buf[2], buf[3], buf[4]);
  }
  snprintf(tail, sizeof(tail), " (%llu)", (unsigned long long)st->conns);
  out_phase("Connect", st->connect, tail);
  if(sh->tls && st->have_tls) {
    snprintf(tail, sizeof(tail), " (%llu, %llu resumed) %s %s %s",
             (unsigned long long)st->handshakes,
             (unsigned long long)st->resumed,
             out_tls_version(st->tls.version), st->tls.cipher,
             st->tls.group);
    out_phase("Handshake", st->handshake, tail);
  }
  out_phase("TTFB", st->ttfb, "");
  hb_fmt_rate((double)st->bytes_in, "B", buf[0], sizeof(buf[0]));
  printf("  %llu requests in %.2fs, %s read\n",
         (unsigned long long)st->requests, r->elapsed, buf[0]);
  for(i = 0; i < LE_COUNT; i++)
    errs += st->errors[i];
  if(errs) {
    printf("  Errors: ");
    for(i = 0; i < LE_COUNT; i++)
      printf("%s %llu%s", ld_error_names[i],
             (unsigned long long)st->errors[i], i + 1 < LE_COUNT ? ", "
             : "\n");
    for(i = 0; i < LE_COUNT; i++)
      if(st->errors[i])
        printf("    %s: %s\n", ld_error_names[i], st->errmsg[i]);
  }
  if(o->rate > 0)
    printf("  Rate: target %.1f/s, achieved %.1f/s, %llu sends over 1 ms "
           "late (worst %.3f ms)\n", o->rate, out_rate(r),
           (unsigned long long)st->late, (double)st->max_lag / 1e6);
  if(o->latency && hb_hdr_count(lat))
    out_spectrum(lat);
  printf("Requests/sec: %12.2f\n", out_rate(r));
  hb_fmt_rate(r->elapsed > 0 ? (double)st->bytes_in / r->elapsed : 0,
              "B/s", buf[0], sizeof(buf[0]));
  printf("Transfer/sec: %12s\n", buf[0]);
  printf("CPU: user %.2f s, sys %.2f s, %.1f us/request, %.0f%% of %ld "
         "thread%s\n", r->user_s, r->sys_s, st->requests ?
         (r->user_s + r->sys_s) * 1e6 / (double)st->requests : 0,
         r->elapsed > 0 ? 100 * (r->user_s + r->sys_s) /
         (r->elapsed * (double)o->threads) : 0, o->threads,
         o->threads > 1 ? "s" : "");
  for(i = 0; i < nwarn; i++)
    printf("warning: %s\n", warnings[i]);
  fflush(stdout);
  if(!st->ok && !r->interrupted) {
    const char *why = "no response";

    for(i = 0; i < LE_COUNT; i++)
      if(st->errmsg[i][0]) {
        why = st->errmsg[i];
        break;
      }
    fprintf(stderr, "httpsbench-%s load: no request succeeded: %s\n",
            hb_linked_backend.name, why);
  }
}

static json_t *out_hdr(const hb_hdr *h, int applies)
{
  json_t *j = applies && h ? hb_hdr_json(h) : NULL;

  return j ? j : json_null();
}

static json_t *out_params(const ld_shared *sh, const char *backend)
{
  const ld_opts *o = sh->o;
  json_t *p = json_object(), *hdrs = json_array();
  int i;

  json_object_set_new(p, "url", json_string(o->url_text));
  json_object_set_new(p, "backend", json_string(backend));
  json_object_set_new(p, "connections", json_integer(o->conns));
  json_object_set_new(p, "threads", json_integer(o->threads));
  if(o->requests)
    json_object_set_new(p, "requests", json_integer(o->requests));
  else
    json_object_set_new(p, "duration_s", json_real(o->duration));
  json_object_set_new(p, "model", json_string(o->rate > 0 ? "open"
                                                           : "closed"));
  json_object_set_new(p, "target_rate", hb_json_num(o->rate > 0 ? o->rate
                                                    : NAN));
  json_object_set_new(p, "close", json_boolean(o->close));
  json_object_set_new(p, "tls_version", o->tls_version == HB_TLS_1_2
                      ? json_string("1.2") : o->tls_version == HB_TLS_1_3
                      ? json_string("1.3") : json_null());
  json_object_set_new(p, "resume", json_boolean(o->resume));
  json_object_set_new(p, "insecure", json_boolean(o->insecure));
  json_object_set_new(p, "timeout_s", json_real(o->timeout));
  for(i = 0; i < o->nheaders; i++)
    json_array_append_new(hdrs, json_string(o->headers[i]));
  json_object_set_new(p, "headers", hdrs);
  return p;
}

static json_t *out_counts(const ld_stats *st)
{
  return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
                   "requests", (json_int_t)st->requests,
                   "sent", (json_int_t)st->sent,
                   "responses", (json_int_t)st->responses,
                   "responses_2xx", (json_int_t)st->ok,
                   "bytes_body", (json_int_t)st->bytes_body,
                   "bytes_total", (json_int_t)st->bytes_in,
                   "bytes_wire_in", (json_int_t)st->wire_in,
                   "bytes_wire_out", (json_int_t)st->wire_out,
                   "connections", (json_int_t)st->conns,
                   "handshakes", (json_int_t)st->handshakes,
                   "resumed", (json_int_t)st->resumed);
}

/* The first error message, for the result's "error" when nothing
 * succeeded. */
static const char *out_first_error(const ld_stats *st)
{
  int i;

  for(i = 0; i < LE_COUNT; i++)
    if(st->errmsg[i][0])
      return st->errmsg[i];
  return "no request completed";
}

int ld_write_report(int argc, char **argv, const ld_shared *sh,
                    const ld_result *r, char warnings[][300], int nwarn)
{
  const ld_opts *o = sh->o;
  const ld_stats *st = &r->st;
  const char *backend = sh->tls ? hb_linked_backend.name : "plain";
  json_t *rep = hb_report_new(argc, argv), *res, *obj, *w;
  double cpu = r->user_s + r->sys_s, rate = out_rate(r);
  hb_err err = { "" };
  int i, rc;

  if(sh->tls)
    hb_report_add_backend(rep, backend, hb_linked_backend.crypto
                          ? hb_linked_backend.crypto->version()
                          : hb_linked_backend.library);
  else
    hb_report_add_backend(rep, "plain", "kernel TCP");
  res = hb_report_add_result(rep, "load", "requests", backend,
                             "requests/s");
  json_object_set_new(res, "params", out_params(sh, backend));
  if(st->ok) {
    hb_result_set_samples(res, &rate, 1);
    hb_result_set_status(res, HB_OK, NULL);
  }
  else
    hb_result_set_status(res, HB_ERROR, out_first_error(st));
  json_object_set_new(res, "latency", out_hdr(st->latency, 1));
  obj = json_object();
  json_object_set_new(obj, "connect", out_hdr(st->connect, 1));
  json_object_set_new(obj, "tls_handshake", out_hdr(st->handshake,
                                                    sh->tls));
  json_object_set_new(obj, "ttfb", out_hdr(st->ttfb, 1));
  json_object_set_new(obj, "request", out_hdr(st->latency, 1));
  json_object_set_new(res, "phases", obj);
  json_object_set_new(res, "counts", out_counts(st));
  obj = json_object();
  for(i = 0; i < LE_COUNT; i++)
    json_object_set_new(obj, ld_error_names[i],
                        json_integer((json_int_t)st->errors[i]));
  json_object_set_new(res, "errors", obj);
  obj = json_object();
  for(i = 0; i < LE_COUNT; i++)
    if(st->errmsg[i][0])
      json_object_set_new(obj, ld_error_names[i],
                          json_string(st->errmsg[i]));
  json_object_set_new(res, "error_messages", obj);
  json_object_set_new(res, "rate", json_pack("{s:o,s:o,s:o,s:o}",
    "target", hb_json_num(o->rate > 0 ? o->rate : NAN),
    "achieved", hb_json_num(rate),
    "shortfall_pct", hb_json_num(o->rate > 0 ? 100 * (o->rate - rate) /
                                 o->rate : NAN),
    "late_sends", json_integer((json_int_t)st->late)));
  json_object_set_new(res, "cpu", json_pack("{s:o,s:o,s:o,s:o}",
    "user_s", hb_json_num(r->user_s),
    "sys_s", hb_json_num(r->sys_s),
    "per_request_us", hb_json_num(st->requests ? cpu * 1e6 /
                                  (double)st->requests : NAN),
    "utilization", hb_json_num(r->elapsed > 0 ? cpu / (r->elapsed *
                               (double)o->threads) : NAN)));
  json_object_set_new(res, "elapsed_s", hb_json_num(r->elapsed));
  if(sh->tls && st->have_tls)
    json_object_set_new(res, "tls", json_pack("{s:s,s:s,s:s}",
      "version", out_tls_version(st->tls.version),
      "cipher", st->tls.cipher, "group", st->tls.group));
  else
    json_object_set_new(res, "tls", json_null());
  w = json_array();
  for(i = 0; i < nwarn; i++)
    json_array_append_new(w, json_string(warnings[i]));
  json_object_set_new(res, "warnings", w);
  rc = hb_report_write(rep, o->json, r->interrupted, &err);
  json_decref(rep);
  if(rc != HB_OK)
    fprintf(stderr, "httpsbench-%s load: %s\n", hb_linked_backend.name,
            err.msg);
  return rc != HB_OK;
}
