/* The throughput driver's outcome: HTTPS/HTTP ratios (server-bound
 * cells only), the cost mode's rate, and the tables. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hb/report.h"
#include "results.h"
#include "throughput.h"

/* The curl client's cell against the server of backend srv. */
static json_t *find_curl(json_t *report, const char *srv,
                         const char *name)
{
  return hb_res_find_param(report, NULL, "curl", name, "server_backend",
                           srv);
}

/* The cost mode's rate for a cell: -R, or half the slowest server-bound
 * capacity of our client's cells of that mode and size in this run (any
 * bound when none is server-bound, and the basis says so). */
double tp_cost_rate(const tp_args *a, json_t *report, const cost_cell *c,
                        char *basis, size_t size)
{
  double slow = NAN, any = NAN;
  const char *slow_b = "", *any_b = "";
  json_t *r;
  size_t i;
  char want[64];

  if(a->cost_rate > 0) {
    snprintf(basis, size, "given (-R)");
    return a->cost_rate;
  }
  if(a->cost_from) {
    double own, from = a->from_rate[c - a->cost];
    tp_args b = *a;

    b.cost_from = NULL; /* what this run alone would have offered */
    own = tp_cost_rate(&b, report, c, basis, size);
    /* own is half this run's slowest capacity: a borrowed rate near
     * that capacity no longer leaves every server room */
    if(own > 0 && from >= 1.8 * own) {
      snprintf(basis, size, "as offered in %s, %.2fx this run's own "
               "(%.0f requests/s, half its slowest capacity): near or past "
               "what every server sustains here", a->cost_from, from / own,
               own);
      fprintf(stderr, "throughput: warning: cost %s/%zu: %s\n",
              tp_mode_names[c->mode], c->size, basis);
    }
    else if(own > 0)
      snprintf(basis, size, "as offered in %s (this run's own: %.0f "
               "requests/s)", a->cost_from, own);
    else
      snprintf(basis, size, "as offered in %s", a->cost_from);
    return from;
  }
  snprintf(want, sizeof(want), "%s/%zu", tp_mode_names[c->mode], c->size);
  json_array_foreach(json_object_get(report, "results"), i, r) {
    const char *name = hb_res_str(r, "name");
    double m = hb_res_median(r);
    if(strcmp(hb_res_str(r, "suite"), "throughput") || !(m > 0) ||
       !strcmp(hb_res_str(r, "backend"), "curl") ||
       strncmp(name, want, strlen(want)) ||
       (name[strlen(want)] && name[strlen(want)] != '@'))
      continue;
    if(!strcmp(hb_res_str(r, "bound"), "server") && !(m >= slow)) {
      slow = m;
      slow_b = hb_res_str(r, "backend");
    }
    if(!(m >= any)) {
      any = m;
      any_b = hb_res_str(r, "backend");
    }
  }
  if(slow > 0) {
    snprintf(basis, size, "half the slowest server-bound capacity of the "
             "run (%s, %.0f requests/s)", slow_b, slow);
    return slow / 2;
  }
  if(any > 0) {
    snprintf(basis, size, "half the slowest capacity of the run (%s, %.0f "
             "requests/s; no cell was server-bound)", any_b, any);
    return any / 2;
  }
  snprintf(basis, size, "no capacity measured");
  return NAN;
}

/* The same HTTP version and streams per connection, as asked and as
 * spoken: a ratio compares like with like or is not stated. */
static int same_http(json_t *r, json_t *base, char *why, size_t size)
{
  json_t *p = json_object_get(r, "params"), *pb = json_object_get(base,
                                                                 "params");
  const char *v = hb_res_str(p, "http"), *vb = hb_res_str(pb, "http");
  json_t *a = json_object_get(json_object_get(r, "achieved"), "http");
  json_t *ab = json_object_get(json_object_get(base, "achieved"), "http");
  json_t *n = json_object_get(p, "h2_streams");
  json_t *nb = json_object_get(pb, "h2_streams");

  if(strcmp(v, vb) || !json_equal(n ? n : json_null(),
                                  nb ? nb : json_null())) {
    snprintf(why, size, "not stated: the HTTP baseline ran another HTTP "
             "version or stream count");
    return 0;
  }
  if(json_is_string(a) && json_is_string(ab) &&
     strcmp(json_string_value(a), json_string_value(ab))) {
    snprintf(why, size, "not stated: HTTP/%s spoken here, HTTP/%s by the "
             "baseline", json_string_value(a), json_string_value(ab));
    return 0;
  }
  return 1;
}

/* The plain cell whose bytes on the wire a cell's are set against: the
 * same name without a library's suffixes (@tls1.2, @own-cipher) but at
 * the same point of a rate sweep (@rateR); curl's rows against curl's row
 * to the plain server. NULL when there is none or it spoke another HTTP
 * version. */
/* The name of a cell's plain-HTTP baseline: without the suffixes of the
 * client's variants (@tls1.2, @own-cipher), with the rate-sweep point
 * (@rateR) kept, since a baseline is at the same link rate. */
static void base_name(const char *name, char *bname, size_t size)
{
  const char *p = strchr(name, '@'), *rate = strstr(name, "@rate");

  snprintf(bname, size, "%.*s%s", (int)(p ? (size_t)(p - name)
           : strlen(name)), name, rate ? rate : "");
}

static json_t *wire_base(json_t *report, json_t *r, const char *sb,
                         char *bname, size_t size)
{
  json_t *base;
  char why[200];

  base_name(hb_res_str(r, "name"), bname, size);
  base = sb ? find_curl(report, "plain", bname)
         : hb_res_find(report, "throughput", "plain", bname);
  if(!base || strcmp(hb_res_str(base, "status"), "ok") ||
     !same_http(r, base, why, sizeof(why)))
    return NULL;
  return base;
}

/* wire_vs_plain: a cell's bytes on the wire per request over plain
 * HTTP's for the same cell (medians of the runs; in, out and their sum),
 * whatever bound either cell: the bytes a request takes do not depend on
 * the rate. Returns the sum's ratio, NAN without one. */
static double wire_vs_plain(json_t *report, json_t *r, const char *sb)
{
  static const char *const keys[3][2] = {
    { "in", "wire_bytes_in_per_request" },
    { "out", "wire_bytes_out_per_request" },
    { "total", "wire_bytes_per_request" } };
  char bname[160];
  json_t *base, *o;
  double total = NAN;
  int k;

  if(!strcmp(hb_res_str(r, "backend"), "plain") || (sb &&
     !strcmp(sb, "plain")) || !json_is_object(json_object_get(r,
                                               "wire_bytes_per_request")))
    return NAN;
  base = wire_base(report, r, sb, bname, sizeof(bname));
  if(!base || !json_is_object(json_object_get(base,
                                              "wire_bytes_per_request")))
    return NAN;
  o = json_object();
  for(k = 0; k < 3; k++) {
    double m = hb_res_median(json_object_get(r, keys[k][1]));
    double mb = hb_res_median(json_object_get(base, keys[k][1]));
    double v = mb > 0 ? m / mb : NAN;
    json_object_set_new(o, keys[k][0], hb_json_num(v));
    if(k == 2)
      total = v;
  }
  json_object_set_new(o, "baseline", json_string(bname));
  /* how far the windows' ends can move the ratio, either way */
  json_object_set_new(o, "resolution", hb_json_num(
    hb_res_num(r, "wire_resolution", NULL) +
    hb_res_num(base, "wire_resolution", NULL)));
  json_object_set_new(r, "wire_vs_plain", o);
  return total;
}

/* HTTPS / HTTP ratios (server-bound cells only) and the tables. */
void tp_finish(json_t *report)
{
  json_t *r;
  size_t i;
  int cost_rows = 0;

  printf("%-26s %-10s %-10s %-8s %10s %21s %9s %8s %9s %9s %5s %5s %-8s "
         "%8s %9s %7s\n", "cell", "server", "client", "http", "req/s", "CI",
         "MiB/s", "p99 ms", "cli us/rq", "srv us/rq", "srv%", "cli%", "bound",
         "vs HTTP", "wire B/rq", "xHTTP");
  json_array_foreach(json_object_get(report, "results"), i, r) {
    hb_res v = hb_res_of(r);
    const char *sb = json_string_value(json_object_get(v.params,
                                                       "server_backend"));
    const char *b = sb ? sb : v.backend;
    const char *client = sb ? "curl" : hb_res_str(v.params,
                                                  "client_backend");
    const char *name = v.name, *proto;
    json_t *base, *lat, *ours;
    double m = v.median, ratio = NAN, p99, wr;
    char bname[96], ci[64], note[200] = "", vs[32], lv[16], wv[16];
    int server_bound;

    if(strcmp(v.suite, "throughput"))
      continue;
    if(!strncmp(name, "cost:", 5)) {
      cost_rows = 1;
      continue;
    }
    if(!strncmp(name, "memory/", 7)) {
      printf("%-26s %-10s %10.0f bytes per idle connection (slope; "
             "kernel TCP, both ends: %.0f)\n", name, b, m,
             hb_res_median(json_object_get(r,
                 "kernel_tcp_bytes_per_connection_both_ends")));
      continue;
    }
    if(!v.stats) {
      hb_res_print_failed(&v, 26, b);
      continue;
    }
    /* the baseline: plain's cell of the same name and rate point */
    base_name(name, bname, sizeof(bname));
    base = sb ? find_curl(report, "plain", bname)
           : hb_res_find(report, "throughput", "plain", bname);
    server_bound = !strcmp(v.bound, "server");
    if(strcmp(b, "plain") && base && hb_res_median(base) > 0) {
      ratio = m / hb_res_median(base);
      json_object_set_new(r, "vs_plain_raw", hb_json_num(ratio));
      if(!same_http(r, base, note, sizeof(note)))
        ;
      else if(!server_bound)
        snprintf(note, sizeof(note), "not stated: this cell is %s-bound "
                 "(%s)", v.bound, hb_res_str(r, "bound_reason"));
      else if(strcmp(hb_res_str(base, "bound"), "server"))
        snprintf(note, sizeof(note), "not stated: the HTTP baseline is "
                 "%s-bound (%s)", hb_res_str(base, "bound"),
                 hb_res_str(base, "bound_reason"));
      else if(json_is_true(json_object_get(base, "noisy")))
        snprintf(note, sizeof(note), "not stated: the HTTP baseline's "
                 "runs spread by %.1f%%", 100 * hb_res_num(base, "cv", NULL));
      else if(ratio > 1) {
        snprintf(note, sizeof(note), "invalid: HTTPS above its HTTP "
                 "baseline (%.3f), noise or a fault", ratio);
        json_object_set_new(r, "valid", json_false());
      }
      if(note[0]) {
        json_object_set_new(r, "vs_plain", json_null());
        json_object_set_new(r, "vs_plain_note", json_string(note));
      }
      else
        json_object_set_new(r, "vs_plain", hb_json_num(ratio));
    }
    wr = wire_vs_plain(report, r, sb);
    if(isnan(wr))
      snprintf(wv, sizeof(wv), "-");
    else
      snprintf(wv, sizeof(wv), "%.3f", wr);
    ours = sb ? hb_res_find(report, "throughput", sb, name + 5) : NULL;
    if(sb)
      json_object_set_new(r, "vs_ours", hb_json_num(
        ours && hb_res_median(ours) > 0 ? m / hb_res_median(ours) : NAN));
    lat = json_array_get(json_object_get(r, "latency"), 0);
    p99 = hb_res_num(lat, "p99", NULL);
    hb_fmt_level(v.ci_level, lv, sizeof(lv));
    snprintf(ci, sizeof(ci), "[%.0f, %.0f] %s", v.ci_low, v.ci_high, lv);
    if(isnan(ratio))
      snprintf(vs, sizeof(vs), "-");
    else if(note[0])
      snprintf(vs, sizeof(vs), "(%.3f)", ratio);
    else
      snprintf(vs, sizeof(vs), "%.3f", ratio);
    /* the protocol spoken (h2 only when ALPN selected it), else the
     * version asked */
    proto = hb_res_str(json_object_get(r, "achieved"), "protocol");
    if(!proto[0])
      proto = !strcmp(hb_res_str(v.params, "http"), "2")
              ? "2" : "1.1";
    printf("%-26s %-10s %-10s %-8s %10.0f %21s %9.1f %8.2f %9.1f %9.1f "
           "%5.0f %5.0f %-8s %8s %9.0f %7s\n", name, b, client, proto, m, ci,
           hb_res_median(json_object_get(r, "bytes_per_s")) / 1048576.0,
           p99 / 1000,
           hb_res_median(json_object_get(r, "client_cpu_us_per_request")),
           hb_res_median(json_object_get(r, "server_cpu_us_per_request")),
           100 * hb_res_median(json_object_get(r, "server_util")),
           100 * hb_res_median(json_object_get(r, "client_util")),
           v.bound, vs,
           hb_res_median(json_object_get(r, "wire_bytes_per_request")), wv);
  }
  printf("vs HTTP: HTTPS requests/s over plain HTTP's of the same HTTP "
         "version and streams (h2 against h2c), stated only when both cells "
         "are server-bound; (x) is shown, not stated. http: the protocol "
         "spoken (h2: selected by ALPN; h2c: prior knowledge). wire B/rq: "
         "bytes the client read and wrote on its sockets per request (TLS "
         "records; TCP/IP headers not included), xHTTP: that over plain "
         "HTTP's for the same cell, whatever bound either.\n");
  if(!cost_rows)
    return;
  printf("\n%-28s %-10s %10s %16s %24s %16s %5s %-8s %22s\n", "cost cell",
         "server", "rate/s", "server ns/rq", "CI", "client ns/rq", "srv%",
         "bound", "xplain [CI]");
  json_array_foreach(json_object_get(report, "results"), i, r) {
    hb_res v = hb_res_of(r);
    json_t *vs = json_object_get(r, "server_ns_vs_plain");
    json_t *vst = json_object_get(vs, "stats");
    char ci[64], lv[16], xp[64] = "";
    if(strcmp(v.suite, "throughput") || strncmp(v.name, "cost:", 5))
      continue;
    if(vst)
      snprintf(xp, sizeof(xp), "%.2f [%.2f, %.2f]", hb_res_median(vs),
               hb_res_num(vst, "ci_low", NULL),
               hb_res_num(vst, "ci_high", NULL));
    if(!v.stats) {
      hb_res_print_failed(&v, 28, v.backend);
      continue;
    }
    hb_fmt_level(v.ci_level, lv, sizeof(lv));
    snprintf(ci, sizeof(ci), "[%.0f, %.0f] %s", v.ci_low, v.ci_high, lv);
    printf("%-28s %-10s %10.0f %16.0f %24s %16.0f %5.0f %-8s %22s\n",
           v.name, v.backend, hb_res_num(v.params, "rate", NULL), v.median,
           ci, hb_res_median(json_object_get(r, "client_ns_per_request")),
           100 * hb_res_median(json_object_get(r, "server_util")), v.bound,
           xp);
  }
  printf("cost: CPU per request at one offered rate that every server "
         "sustains (open loop); compare libraries by this. The servers "
         "took turns in each repetition (round-robin); xplain: server "
         "ns/rq over plain HTTP's in the same repetition, the median of "
         "those paired ratios and its interval (same coverage as CI).\n");
}

int tp_report_failed(json_t *report)
{
  json_t *r;
  size_t i;

  json_array_foreach(json_object_get(report, "results"), i, r)
    if(!strcmp(hb_res_str(r, "suite"), "throughput") &&
       strcmp(hb_res_str(r, "status"), "ok"))
      return 1;
  return 0;
}

