/* httpsbench handshake --hosts FILE (or --server-host H --client-hosts
 * A,B,...): the server engine on its host (remote_run.c), the handshake
 * engine on every client host at once with one start, merged exactly
 * (issue #16).
 *
 * Each client host runs the same `handshake` command (latency mode, -n
 * connections one at a time) with `--start-at` in its own clock and
 * `--stop-on-eof`; its report comes back on ssh's stdout. Per phase the
 * merged result holds the union of the hosts' samples (host by host, in
 * each host's connection order): its statistics, the median's CI over
 * batches of consecutive connections as each engine computes it, and its
 * histogram (the union's, which is the sum of the hosts') are computed
 * from that union, never averaged. The achieved counts (resumed, offered,
 * connections, early data, failures) are summed; version, cipher, group,
 * ALPN and protocol are kept when every host agrees, else `varied` with
 * the fields that differ. Each host's own figures and samples stay in
 * the result's remote.hosts; a host that fails is named there with what
 * happened, the others are merged, and the result is marked partial.
 * The handshake engine prints no marks, so the server's window is the
 * clients' whole run: its snapshot just before their common start (when
 * it is known to precede them) and the driver's after they ended; its
 * handshake count then takes in every host's warm-up, measured and
 * traced connections. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "remote.h"
#include "results.h"
#include "hb/hdr.h"
#include "hb/report.h"
#include "hb/stats.h"

#define HH_BATCHES 10 /* the engine's batches, when a host's are unknown */

static rm_host hh_cl[RM_MAX_HOSTS]; /* the client hosts */
static int hh_n;
static double hh_maxrtt;

int hs_remote_prepare(const rm_roles *r, const char *engine, int quiet,
                      json_t *report)
{
  return rm_prepare("handshake", r, engine, quiet, hh_cl, &hh_n,
                    &hh_maxrtt, report);
}

/* The achieved strings every host must agree on. */
static const char *const hh_same[] = { "version", "cipher", "group", "alpn",
                                       "protocol", NULL };

void hs_agree(json_t *ma, json_t *ha)
{
  json_t *diff = json_object_get(ma, "differs");
  int i;

  if(!json_is_object(ma) || !json_is_object(ha))
    return;
  for(i = 0; hh_same[i]; i++) {
    json_t *x = json_object_get(ma, hh_same[i]),
           *y = json_object_get(ha, hh_same[i]);
    if(x == y || json_equal(x, y)) /* the same, or neither has it */
      continue;
    if(!diff) {
      diff = json_array();
      json_object_set_new(ma, "differs", diff);
    }
    json_array_append_new(diff, json_string(hh_same[i]));
    json_object_set_new(ma, "varied", json_true());
  }
  if(json_is_true(json_object_get(ha, "varied")))
    json_object_set_new(ma, "varied", json_true());
}

/* Adds host result h's achieved into m's: counts summed, strings
 * checked. */
static void hh_achieved(json_t *m, json_t *h)
{
  json_t *ma = json_object_get(m, "achieved"),
         *ha = json_object_get(h, "achieved");

  hb_res_add_ints(ma, ha);
  hs_agree(ma, ha);
}

/* The merged phase result named like r0 (the first host's that ran it),
 * from res[i] (each host's, NULL when it sent none). */
static json_t *hh_merge(json_t **res, int n, json_t *r0, json_t *hosts)
{
  char lost[1024] = "";
  size_t ll = 0;
  int failed = 0;
  json_t *m = NULL, *p;
  double *v, cpu = 0;
  size_t total = 0, k, batches = 0, nb = HH_BATCHES;
  long long conns = 0, nok = 0;
  hb_hdr *h;
  int j, first = 1;

  for(j = 0; j < n; j++)
    if(res[j] && !strcmp(hb_res_str(res[j], "status"), "ok"))
      total += json_array_size(json_object_get(res[j], "samples"));
  v = calloc(total ? total : 1, sizeof(*v));
  h = hb_hdr_new();
  if(!v || !h) {
    free(v);
    hb_hdr_free(h);
    return NULL;
  }
  total = 0;
  for(j = 0; j < n; j++) {
    json_t *r = res[j], *x;
    double b;

    if(!r || strcmp(hb_res_str(r, "status"), "ok"))
      continue;
    if(first) { /* the first host's result is the merged one's shape */
      m = json_deep_copy(r);
      first = 0;
    }
    else {
      hh_achieved(m, r);
      hb_res_add_ints(json_object_get(m, "engine_connections"),
                      json_object_get(r, "engine_connections"));
    }
    json_array_foreach(json_object_get(r, "samples"), k, x) {
      double us = json_number_value(x);
      v[total++] = us;
      hb_hdr_record(h, (uint64_t)llround(us * 1e3));
    }
    b = hb_res_num(r, "stats", "ci_batches");
    if(b > (double)nb)
      nb = (size_t)b;
    /* the client's CPU over all the hosts' connections */
    x = json_object_get(json_object_get(r, "achieved"), "connections_ok");
    if(json_is_integer(x)) {
      nok += json_integer_value(x);
      cpu += hb_res_num(r, "client_cpu_us_per_handshake", NULL) *
             (double)json_integer_value(x);
    }
    conns += (long long)hb_res_num(json_object_get(r, "params"),
                                   "connections", NULL);
  }
  /* every host that measured nothing here is named (and the result
   * partial) */
  for(j = 0; j < n; j++)
    if(!res[j] || strcmp(hb_res_str(res[j], "status"), "ok")) {
      failed++;
      if(ll + 1 < sizeof(lost))
        ll += (size_t)snprintf(lost + ll, sizeof(lost) - ll, "%s%s: %s",
                               ll ? "; " : "", hh_cl[j].name,
                               hh_cl[j].why[0] ? hh_cl[j].why
                               : hb_res_str(res[j], "error"));
    }
  if(!m) {
    /* no host measured it: the first host's result says why (a case its
     * library does not support, every connection failed); only hosts
     * that sent no report make it partial */
    m = json_deep_copy(r0);
    json_object_set_new(m, "histogram", json_null());
    for(failed = 0, j = 0; j < n; j++) {
      failed += !res[j];
      if(!res[j] || res[j] == r0)
        continue;
      /* every host's connections and failures, as when merged */
      hh_achieved(m, res[j]);
      hb_res_add_ints(json_object_get(m, "engine_connections"),
                      json_object_get(res[j], "engine_connections"));
      hb_res_add_ints(json_object_get(m, "errors"),
                      json_object_get(res[j], "errors"));
    }
  }
  else {
    hb_stats st;

    hb_result_set_samples(m, v, total);
    if(!hb_stats_batches(v, total, nb, &st, &batches))
      json_object_set_new(m, "stats", hb_stats_json_batches(&st, batches));
    json_object_set_new(m, "histogram", hb_hdr_json(h));
    json_object_set_new(m, "client_cpu_us_per_handshake", hb_json_num(
                        nok > 0 ? cpu / (double)nok : NAN));
    p = json_object_get(m, "params");
    json_object_set_new(p, "connections", json_integer(conns));
    /* every host's failures, those of hosts that measured nothing too */
    json_object_set_new(m, "errors", json_object());
    for(j = 0; j < n; j++)
      hb_res_add_ints(json_object_get(m, "errors"),
                      json_object_get(res[j], "errors"));
  }
  p = json_object_get(m, "params");
  json_object_del(p, "start_at_ns");
  json_object_del(p, "started_at_ns");
  json_object_set_new(m, "remote", json_pack("{s:O,s:b}", "hosts", hosts,
                                             "partial", failed > 0));
  if(failed)
    hb_res_warn(m, json_sprintf("partial: %d of %d client hosts measured "
                "nothing (%s); the others' are merged", failed, n, lost));
  else if(first) /* no host measured it: each one named with why */
    hb_res_warn(m, json_sprintf("no client host measured it (%s)", lost));
  free(v);
  hb_hdr_free(h);
  return m;
}

/* One host's entry for a phase: its count, median, percentiles and
 * samples as it measured them. */
static json_t *hh_host(const rm_host *host, json_t *r, double start)
{
  json_t *e = rm_host_json(host, start), *hg;

  if(!r)
    return e;
  hg = json_object_get(r, "histogram");
  json_object_set_new(e, "result_status", json_string(hb_res_str(r,
                                                      "status")));
  if(strcmp(hb_res_str(r, "status"), "ok"))
    json_object_set_new(e, "result_error", json_string(hb_res_str(r,
                                                       "error")));
  json_object_set_new(e, "connections_ok", json_incref(json_object_get(
    json_object_get(r, "achieved"), "connections_ok")));
  json_object_set_new(e, "median_us", hb_json_num(hb_res_median(r)));
  json_object_set_new(e, "p90_us", hb_json_num(hb_res_num(hg, "p90",
                                                          NULL)));
  json_object_set_new(e, "p99_us", hb_json_num(hb_res_num(hg, "p99",
                                                          NULL)));
  json_object_set(e, "samples", json_object_get(r, "samples"));
  return e;
}

/* The server's snapshot just before the common start, asked for by
 * rm_run's tick (about every 200 ms) from 0.3 s before `by` and kept
 * only when its answer came by then: the start less half the largest
 * round trip, the clocks' uncertainty, so no client can have begun. */
typedef struct hh_pre {
  const hb_server *s;
  double by;               /* our clock */
  int state;               /* 0 not yet, 1 in time, 2 late or failed */
  hb_srv_snap snap;
} hh_pre;

static void hh_tick(rm_host *hs, int n, void *ctx)
{
  hh_pre *p = ctx;
  hb_err err = { "" };

  (void)hs;
  (void)n;
  if(p->state || rm_now() < p->by - 0.3)
    return;
  p->state = hb_server_snapshot(p->s, &p->snap, &err) == HB_OK &&
             rm_now() < p->by ? 1 : 2;
}

typedef struct hh_cmd_ctx {
  char *const *argv;
  int cpu;
} hh_cmd_ctx;

static int hh_cmd(void *ctx, double start_at, char *buf, size_t size)
{
  const hh_cmd_ctx *c = ctx;

  return rm_client_cmd(buf, size, c->cpu, c->argv, start_at);
}

/* hb_res_group's combiner: one phase (first: the first host's result
 * that ran it), merged from every host's (same[i]: hh_cl[i]'s). */
typedef struct hh_run {
  json_t *report;
  double start, lo, hi;
  int failed, nres;
} hh_run;

static void hh_phase(void *ctx, json_t *first, json_t **same, int n)
{
  hh_run *c = ctx;
  json_t *hosts = json_array(), *m, *x;
  int i;

  for(i = 0; i < n; i++)
    json_array_append_new(hosts, hh_host(&hh_cl[i], same[i], c->start));
  m = hh_merge(same, n, first, hosts);
  json_decref(hosts);
  if(!m)
    return;
  x = json_object_get(m, "remote");
  json_object_set_new(x, "start_at_ns", json_integer((json_int_t)(c->start *
                                                                  1e9)));
  json_object_set_new(x, "start_skew_ms", hb_json_num(
    n - c->failed > 1 ? (c->hi - c->lo) * 1e3 : NAN));
  json_array_append_new(json_object_get(c->report, "results"), m);
  c->nres++;
}

int hs_remote_run(const rm_roles *r, char *const *argv, int cpu, long n,
                  const hb_server *s, hb_srv_snap *snap0, json_t *report,
                  hb_err *err)
{
  char *cmds[RM_MAX_HOSTS];
  json_t *parts[RM_MAX_HOSTS];
  hh_cmd_ctx cc;
  hh_run run;
  hh_pre pre;
  int i, none = 1, oom;

  cc.argv = argv;
  cc.cpu = cpu;
  memset(&run, 0, sizeof(run));
  run.report = report;
  run.start = rm_client_cmds(hh_cl, hh_n, hh_maxrtt, cmds, hh_cmd, &cc);
  memset(&pre, 0, sizeof(pre));
  pre.s = s;
  pre.by = run.start - hh_maxrtt / 2;
  /* bounded: a minute, and half a second per connection (warm-up and
   * traced ones too), after the start */
  rm_run(hh_cl, hh_n, r->ssh, cmds, run.start + 60 + 0.5 * (double)(n + 6),
         1, snap0 ? hh_tick : NULL, &pre);
  if(snap0 && pre.state == 1)
    *snap0 = pre.snap;
  else if(snap0)
    fprintf(stderr, "httpsbench handshake: the server's snapshot before "
            "the clients' start %s: its figures are over our whole run, "
            "set-up included\n", pre.state ? "came late or failed"
            : "was not taken");
  for(i = 0; i < hh_n; i++)
    free(cmds[i]);
  run.failed = rm_collect(hh_cl, hh_n, "handshake", 0, &run.lo, &run.hi);
  for(i = 0; i < hh_n; i++) {
    parts[i] = hh_cl[i].report;
    none &= !parts[i];
  }
  if(none) {
    char why[600] = "";
    size_t l = 0;
    for(i = 0; i < hh_n && l + 1 < sizeof(why); i++)
      l += (size_t)snprintf(why + l, sizeof(why) - l, "%s%s: %s",
                            l ? "; " : "", hh_cl[i].name, hh_cl[i].why);
    return hb_err_set(err, HB_ERROR, "no client host sent a report: %s",
                      why);
  }
  /* one merged result per phase the first report holds */
  oom = hb_res_group(report, parts, hh_n, NULL, hh_phase, &run);
  for(i = 0; i < hh_n; i++) {
    json_decref(hh_cl[i].report);
    hh_cl[i].report = NULL;
  }
  return run.nres ? HB_OK : hb_err_set(err, HB_ERROR, oom ? "out of memory"
                                       : "no result to merge");
}

/* Capacity mode: rm_run's tick, the server's window (rm_win_tick), and
 * the snapshot before the run just before the common start (hh_tick) */
typedef struct hh_cap_tick {
  rm_win w;
  hh_pre pre;
} hh_cap_tick;

static void hh_cap_tick_fn(rm_host *hs, int n, void *ctx)
{
  hh_cap_tick *t = ctx;

  hh_tick(hs, n, &t->pre);
  rm_win_tick(hs, n, &t->w);
}

int hs_remote_capacity(const rm_roles *r, char *const *argv, int cpu,
                       double seconds, const hb_server *s, int tls,
                       rm_win *w, json_t **parts, json_t **run)
{
  const char *cnt = tls ? "handshakes" : "connections";
  char *cmds[RM_MAX_HOSTS];
  hh_cmd_ctx cc;
  hh_cap_tick t;
  hb_srv_snap post;
  hb_err err = { "" };
  json_t *hosts = json_array();
  double start, lo, hi;
  int i, failed, got = 0, post_ok;

  cc.argv = argv;
  cc.cpu = cpu;
  memset(&t, 0, sizeof(t));
  t.w.s = s;
  t.pre.s = s;
  start = rm_client_cmds(hh_cl, hh_n, hh_maxrtt, cmds, hh_cmd, &cc);
  t.pre.by = start - hh_maxrtt / 2;
  /* bounded: the run (warm-up and -d), and 40 s, after the start */
  rm_run(hh_cl, hh_n, r->ssh, cmds, start + seconds + 40, 1,
         hh_cap_tick_fn, &t);
  rm_win_end(&t.w);
  post_ok = hb_server_snapshot(s, &post, &err) == HB_OK;
  *w = t.w;
  for(i = 0; i < hh_n; i++)
    free(cmds[i]);
  failed = rm_collect(hh_cl, hh_n, "handshake", 1, &lo, &hi);
  for(i = 0; i < hh_n; i++) {
    json_t *e = rm_host_json(&hh_cl[i], start);

    parts[i] = json_incref(json_array_get(json_object_get(
                 hh_cl[i].report, "results"), 0));
    got += parts[i] != NULL;
    json_array_append_new(hosts, e);
    json_decref(hh_cl[i].report);
    hh_cl[i].report = NULL;
  }
  /* the server's own count over the window and over the whole run (from
   * just before the common start, when that snapshot came in time, to
   * after every client ended: warm-up and the connections in flight at
   * the window's edges included) */
  *run = json_pack("{s:I,s:o,s:b,s:o,s:{s:o,s:o}}",
    "start_at_ns", (json_int_t)(start * 1e9),
    "start_skew_ms", hb_json_num(got > 1 ? (hi - lo) * 1e3 : NAN),
    "partial", failed > 0, "hosts", hosts, "server",
    "window", hb_json_num(w->state == 2 ? (tls ? w->s1.handshakes -
                          w->s0.handshakes : w->s1.connections -
                          w->s0.connections) : NAN),
    "run", hb_json_num(t.pre.state == 1 && post_ok ? (tls ? post.handshakes -
                       t.pre.snap.handshakes : post.connections -
                       t.pre.snap.connections) : NAN));
  json_object_set_new(json_object_get(*run, "server"), "counts",
                      json_string(cnt));
  return got;
}
