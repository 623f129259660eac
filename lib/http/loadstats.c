/* The counters of a load run, its summary on the terminal and its report
 * result: shared by our load generator and libcurl's (hb/loadstats.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/err.h"
#include "hb/loadstats.h"
#include "hb/report.h"

const char *const hb_load_error_names[HB_LE_COUNT] = {
  "connect", "tls", "read", "write", "timeout", "status", "reset",
  "stream_reset", "goaway", "protocol"
};

const char *const hb_h2_code_names[HB_H2_CODES] = {
  "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
  "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED", "other"
};

int hb_load_stats_init(hb_load_stats *st)
{
  memset(st, 0, sizeof(*st));
  st->latency = hb_hdr_new();
  st->connect = hb_hdr_new();
  st->handshake = hb_hdr_new();
  st->ttfb = hb_hdr_new();
  return st->latency && st->connect && st->handshake && st->ttfb ? 0 : -1;
}

void hb_load_stats_free(hb_load_stats *st)
{
  hb_hdr_free(st->latency);
  hb_hdr_free(st->connect);
  hb_hdr_free(st->handshake);
  hb_hdr_free(st->ttfb);
  st->latency = st->connect = st->handshake = st->ttfb = NULL;
}

void hb_load_stats_merge(hb_load_stats *d, const hb_load_stats *s)
{
  int i;

  d->requests += s->requests;
  d->sent += s->sent;
  d->responses += s->responses;
  d->ok += s->ok;
  d->bytes_body += s->bytes_body;
  d->bytes_in += s->bytes_in;
  d->wire_in += s->wire_in;
  d->wire_out += s->wire_out;
  d->conns += s->conns;
  d->handshakes += s->handshakes;
  d->resumed += s->resumed;
  d->late += s->late;
  d->goaways += s->goaways;
  for(i = 0; i < HB_H2_CODES; i++)
    d->rst_codes[i] += s->rst_codes[i];
  if(!d->protocol[0])
    memcpy(d->protocol, s->protocol, sizeof(d->protocol));
  if(!d->peer_streams)
    d->peer_streams = s->peer_streams;
  if(s->max_lag > d->max_lag)
    d->max_lag = s->max_lag;
  for(i = 0; i < HB_LE_COUNT; i++) {
    d->errors[i] += s->errors[i];
    if(!d->errmsg[i][0])
      memcpy(d->errmsg[i], s->errmsg[i], sizeof(d->errmsg[i]));
  }
  if(!d->have_tls && s->have_tls) {
    memcpy(d->tls_version, s->tls_version, sizeof(d->tls_version));
    memcpy(d->tls_cipher, s->tls_cipher, sizeof(d->tls_cipher));
    memcpy(d->tls_group, s->tls_group, sizeof(d->tls_group));
    d->have_tls = 1;
  }
  hb_hdr_merge(d->latency, s->latency);
  hb_hdr_merge(d->connect, s->connect);
  hb_hdr_merge(d->handshake, s->handshake);
  hb_hdr_merge(d->ttfb, s->ttfb);
}

void hb_load_fail(hb_load_stats *st, int cat, const char *msg)
{
  size_t len = strlen(msg);
  char *p;

  st->errors[cat]++;
  if(st->errmsg[cat][0])
    return;
  /* one line, and server bytes kept ASCII */
  snprintf(st->errmsg[cat], sizeof(st->errmsg[cat]), "%.*s",
           (int)(len && msg[len - 1] == '\n' ? len - 1 : len), msg);
  for(p = st->errmsg[cat]; *p; p++)
    if((unsigned char)*p < ' ' || (unsigned char)*p > '~')
      *p = '?';
}

void hb_load_stats_reset(hb_load_stats *st)
{
  hb_load_stats keep = *st;

  memset(st, 0, sizeof(*st));
  st->latency = keep.latency;
  st->connect = keep.connect;
  st->handshake = keep.handshake;
  st->ttfb = keep.ttfb;
  hb_hdr_reset(st->latency);
  hb_hdr_reset(st->connect);
  hb_hdr_reset(st->handshake);
  hb_hdr_reset(st->ttfb);
  st->have_tls = keep.have_tls;
  memcpy(st->tls_version, keep.tls_version, sizeof(st->tls_version));
  memcpy(st->tls_cipher, keep.tls_cipher, sizeof(st->tls_cipher));
  memcpy(st->tls_group, keep.tls_group, sizeof(st->tls_group));
  memcpy(st->protocol, keep.protocol, sizeof(st->protocol));
  st->peer_streams = keep.peer_streams;
}

/* ---- the summary ---- */

static void ls_time(double ns, char *buf, size_t size)
{
  if(ns < 1e6)
    snprintf(buf, size, "%.2fus", ns / 1e3);
  else if(ns < 1e9)
    snprintf(buf, size, "%.2fms", ns / 1e6);
  else
    snprintf(buf, size, "%.2fs", ns / 1e9);
}

static double ls_rate(const hb_load_stats *st, const hb_load_run *run)
{
  return run->elapsed > 0 ? (double)st->ok / run->elapsed : 0;
}

/* The worker threads' CPU over the window, per complete response (us)
 * and as a share of the threads' wall time; NaN when undefined. */
static double ls_cpu_per_request(const hb_load_stats *st,
                                 const hb_load_run *run)
{
  return st->responses ? run->cpu_s * 1e6 / (double)st->responses : NAN;
}

static double ls_util(const hb_load_run *run)
{
  return run->elapsed > 0 && run->threads > 0
         ? run->cpu_s / (run->elapsed * (double)run->threads) : NAN;
}

/* "avg .. stdev .. max .." of one histogram, nothing when empty. */
static void ls_phase(const char *name, const hb_hdr *h, const char *tail)
{
  char a[32], s[32], m[32];

  if(!hb_hdr_count(h))
    return;
  ls_time(hb_hdr_mean(h), a, sizeof(a));
  ls_time(hb_hdr_stddev(h), s, sizeof(s));
  ls_time((double)hb_hdr_max(h), m, sizeof(m));
  printf("  %-10s avg %-9s stdev %-9s max %-9s%s\n", name, a, s, m, tail);
}

/* The spectrum in HdrHistogram's text layout, values in microseconds. */
static void ls_spectrum(const hb_hdr *h)
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

void hb_load_print_start(int open_loop, int close, long long requests,
                         double duration, double warmup, const char *url)
{
  printf("Running %s%s%s @ %s\n", open_loop ? "open loop" : "closed loop",
         close ? ", a connection per request" : ", keep-alive",
         requests ? "" : " test", url);
  if(requests)
    printf("  %lld requests, ", requests);
  else if(warmup > 0)
    printf("  %.2f s after %.2f s of warm-up, ", duration, warmup);
  else
    printf("  %.2f s, ", duration);
}

void hb_load_print(const hb_load_stats *st, const hb_load_run *run,
                   int spectrum, char warnings[][300], int nwarn)
{
  static const double ps[] = { 50, 90, 99, 99.9, 99.99 };
  char buf[5][32], tail[200];
  uint64_t errs = 0;
  int i;

  if(hb_hdr_count(st->latency)) {
    ls_phase("Latency", st->latency, "");
    for(i = 0; i < 5; i++)
      ls_time((double)hb_hdr_value_at_percentile(st->latency, ps[i]),
              buf[i], sizeof(buf[i]));
    printf("  %-10s p50 %s  p90 %s  p99 %s  p99.9 %s  p99.99 %s\n", "",
           buf[0], buf[1], buf[2], buf[3], buf[4]);
  }
  snprintf(tail, sizeof(tail), " (%llu)", (unsigned long long)st->conns);
  ls_phase("Connect", st->connect, tail);
  if(run->tls && st->have_tls) {
    snprintf(tail, sizeof(tail), " (%llu, %llu resumed) %s %s %s",
             (unsigned long long)st->handshakes,
             (unsigned long long)st->resumed, st->tls_version,
             st->tls_cipher, st->tls_group);
    ls_phase("Handshake", st->handshake, tail);
  }
  ls_phase("TTFB", st->ttfb, "");
  hb_fmt_rate((double)st->bytes_in, "B", buf[0], sizeof(buf[0]));
  printf("  %llu requests in %.2fs, %s read\n",
         (unsigned long long)st->requests, run->elapsed, buf[0]);
  for(i = 0; i < HB_LE_COUNT; i++)
    errs += st->errors[i];
  if(errs) {
    printf("  Errors: ");
    for(i = 0; i < HB_LE_COUNT; i++)
      printf("%s %llu%s", hb_load_error_names[i],
             (unsigned long long)st->errors[i], i + 1 < HB_LE_COUNT ? ", "
             : "\n");
    for(i = 0; i < HB_LE_COUNT; i++)
      if(st->errors[i])
        printf("    %s: %s\n", hb_load_error_names[i], st->errmsg[i]);
    if(st->errors[HB_LE_STREAM_RESET]) {
      printf("    stream resets by code:");
      for(i = 0; i < HB_H2_CODES; i++)
        if(st->rst_codes[i])
          printf(" %s %llu", hb_h2_code_names[i],
                 (unsigned long long)st->rst_codes[i]);
      printf("\n");
    }
  }
  if(st->goaways)
    printf("  GOAWAY received: %llu\n", (unsigned long long)st->goaways);
  if(run->target_rate > 0)
    printf("  Rate: target %.1f/s, achieved %.1f/s, %llu sends over 1 ms "
           "late (worst %.3f ms)\n", run->target_rate, ls_rate(st, run),
           (unsigned long long)st->late, (double)st->max_lag / 1e6);
  if(spectrum && hb_hdr_count(st->latency))
    ls_spectrum(st->latency);
  printf("Requests/sec: %12.2f\n", ls_rate(st, run));
  hb_fmt_rate(run->elapsed > 0 ? (double)st->bytes_in / run->elapsed : 0,
              "B/s", buf[0], sizeof(buf[0]));
  printf("Transfer/sec: %12s\n", buf[0]);
  printf("CPU: user %.2f s, sys %.2f s (process); threads %.2f s, %.1f "
         "us/response, %.0f%% of %ld thread%s\n", run->user_s, run->sys_s,
         run->cpu_s, st->responses ? ls_cpu_per_request(st, run) : 0,
         run->elapsed > 0 ? 100 * ls_util(run) : 0, run->threads,
         run->threads > 1 ? "s" : "");
  if(run->poll_s > 0)
    printf("CPU busy-polling (--busy-poll): %.2f s; without it %.1f "
           "us/response\n", run->poll_s, st->responses ? (run->cpu_s -
           run->poll_s) * 1e6 / (double)st->responses : 0);
  for(i = 0; i < nwarn; i++)
    printf("warning: %s\n", warnings[i]);
  fflush(stdout);
}

/* ---- the report ---- */

/* The summary (percentiles, spectrum) and, with encode, the whole
 * histogram for exact merging (httpsbench merge). */
static json_t *ls_hdr(const hb_hdr *h, int applies, int encode)
{
  json_t *j = applies && h ? hb_hdr_json(h) : NULL;

  if(j && encode)
    json_object_set_new(j, "histogram", hb_hdr_encode(h));
  return j ? j : json_null();
}

/* The first error message kept, or NULL when nothing failed. */
static const char *ls_first_msg(const hb_load_stats *st)
{
  int i;

  for(i = 0; i < HB_LE_COUNT; i++)
    if(st->errmsg[i][0])
      return st->errmsg[i];
  return NULL;
}

const char *hb_load_first_error(const hb_load_stats *st)
{
  const char *e = ls_first_msg(st);

  return e ? e : "no request completed";
}

int hb_load_coarse_warning(const hb_load_stats *st, long conns,
                           double elapsed, char *w)
{
  if(conns <= 0 || elapsed <= 0 ||
     st->ok >= (uint64_t)conns * HB_LOAD_COARSE)
    return 0;
  snprintf(w, 300, "the %.2f s window completed %llu requests on %ld "
           "connections (fewer than %d each): a closed loop's connections "
           "finish in waves, so the rate is coarse; lengthen -d", elapsed,
           (unsigned long long)st->ok, conns, HB_LOAD_COARSE);
  return 1;
}

json_t *hb_load_result(json_t *rep, const char *backend, json_t *params,
                       const hb_load_stats *st, const hb_load_run *run,
                       char warnings[][300], int nwarn)
{
  double cpu = run->user_s + run->sys_s, rate = ls_rate(st, run);
  double target = run->target_rate > 0 ? run->target_rate : NAN;
  json_t *res, *errs = json_object(), *msgs = json_object(),
         *w = json_array();
  int i;

  res = hb_report_add_result(rep, "load", "requests", backend,
                             "requests/s");
  json_object_set_new(res, "params", params);
  if(st->ok) {
    hb_result_set_samples(res, &rate, 1);
    hb_result_set_status(res, HB_OK, NULL);
  }
  else {
    const char *e = hb_load_first_error(st);
    char why[160];

    if(!ls_first_msg(st) && run->elapsed > 0) {
      /* nothing failed either: every request outlived the window */
      snprintf(why, sizeof(why), "no request completed in the %.2f s "
               "window (those in flight at its end do not count): "
               "lengthen -d", run->elapsed);
      e = why;
    }
    hb_result_set_status(res, HB_ERROR, e);
  }
  json_object_set_new(res, "latency", ls_hdr(st->latency, 1, 1));
  /* phases.request is latency again: its histogram is latency's */
  json_object_set_new(res, "phases", json_pack("{s:o,s:o,s:o,s:o}",
    "connect", ls_hdr(st->connect, 1, 1),
    "tls_handshake", ls_hdr(st->handshake, run->tls, 1),
    "ttfb", ls_hdr(st->ttfb, 1, 1), "request", ls_hdr(st->latency, 1, 0)));
  json_object_set_new(res, "counts", json_pack(
    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
    "requests", (json_int_t)st->requests, "sent", (json_int_t)st->sent,
    "responses", (json_int_t)st->responses,
    "responses_2xx", (json_int_t)st->ok,
    "bytes_body", (json_int_t)st->bytes_body,
    "bytes_total", (json_int_t)st->bytes_in,
    "bytes_wire_in", (json_int_t)st->wire_in,
    "bytes_wire_out", (json_int_t)st->wire_out,
    "connections", (json_int_t)st->conns,
    "handshakes", (json_int_t)st->handshakes,
    "resumed", (json_int_t)st->resumed));
  for(i = 0; i < HB_LE_COUNT; i++) {
    json_object_set_new(errs, hb_load_error_names[i],
                        json_integer((json_int_t)st->errors[i]));
    if(st->errmsg[i][0])
      json_object_set_new(msgs, hb_load_error_names[i],
                          json_string(st->errmsg[i]));
  }
  json_object_set_new(res, "errors", errs);
  {
    json_t *rc = json_object();

    for(i = 0; i < HB_H2_CODES; i++)
      if(st->rst_codes[i])
        json_object_set_new(rc, hb_h2_code_names[i],
                            json_integer((json_int_t)st->rst_codes[i]));
    json_object_set_new(res, "stream_resets", rc);
  }
  json_object_set_new(res, "goaways", json_integer((json_int_t)st->goaways));
  json_object_set_new(res, "protocol", st->protocol[0]
                      ? json_string(st->protocol) : json_null());
  json_object_set_new(res, "error_messages", msgs);
  json_object_set_new(res, "rate", json_pack("{s:o,s:o,s:o,s:I}",
    "target", hb_json_num(target), "achieved", hb_json_num(rate),
    "shortfall_pct", hb_json_num(100 * (target - rate) / target),
    "late_sends", (json_int_t)st->late));
  json_object_set_new(res, "cpu", json_pack(
    "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
    "user_s", hb_json_num(run->user_s), "sys_s", hb_json_num(run->sys_s),
    "utilization", hb_json_num(run->elapsed > 0 ? cpu / (run->elapsed *
                               (double)run->threads) : NAN),
    "window_s", hb_json_num(run->cpu_s), "util", hb_json_num(ls_util(run)),
    "per_request_us", hb_json_num(ls_cpu_per_request(st, run)),
    "busy_poll_s", hb_json_num(run->poll_s),
    "per_request_us_without_poll", hb_json_num(st->responses
      ? (run->cpu_s - run->poll_s) * 1e6 / (double)st->responses : NAN)));
  json_object_set_new(res, "elapsed_s", hb_json_num(run->elapsed));
  json_object_set_new(res, "bytes_per_s", hb_json_num(run->elapsed > 0
                      ? (double)st->bytes_body / run->elapsed : NAN));
  json_object_set_new(res, "tls", run->tls && st->have_tls ? json_pack(
    "{s:s,s:s,s:s}", "version", st->tls_version, "cipher", st->tls_cipher,
    "group", st->tls_group) : json_null());
  for(i = 0; i < nwarn; i++)
    json_array_append_new(w, json_string(warnings[i]));
  json_object_set_new(res, "warnings", w);
  return res;
}
