/* httpsbench throughput --hosts FILE (or --server-host H --client-hosts
 * A,B,...): the server engine on one host and the load engine on each
 * client host, over OpenSSH, each run merged exactly (issue #16).
 *
 * The server runs under a small shell wrapper on its host: pinned with
 * taskset where the host has it, its stdout (the `listening on` line and
 * the snapshots) back on ssh's stdout, and every line we write to ssh's
 * stdin turned into SIGUSR1 (a snapshot); the end of that input (we stop
 * it, die, or lose the connection) stops the server. The clients of a run
 * get one start time, each in its own clock (remote.c), print their marks
 * on ssh's stderr; the server's window snapshots are taken when the last
 * client has begun its measured window and when the first ends it, so
 * server CPU per request and utilisation come from the server host's own
 * counters, as in local runs, and `bound` is decided the same way. The
 * clients' reports are merged as `httpsbench merge` does (merge_cmd.c):
 * counts added, percentiles from the summed histograms; each host's own
 * figures and histogram are kept in remote.runs[].hosts. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_run.h"
#include "frontend.h"
#include "remote.h"
#include "results.h"
#include "hb/report.h"
#include "hb/sig.h"
#include "throughput.h"

static rm_host tr_cl[RM_MAX_HOSTS]; /* the client hosts */
static int tr_n;
static double tr_maxrtt;

int tp_remote_prepare(const tp_args *a, json_t *report)
{
  return rm_prepare("throughput", &a->rm, a->client ? a->client : "plain",
                    a->quiet, tr_cl, &tr_n, &tr_maxrtt, report);
}

/* One client host's command for this run. */
typedef struct tr_cmd_ctx {
  const tp_args *a;
  const tp_server *t;
  const char *engine, *url, *root;
  int mode;
} tr_cmd_ctx;

static int tr_cmd(void *ctx, double start_at, char *buf, size_t size)
{
  const tr_cmd_ctx *c = ctx;
  const tp_args *a = c->a;
  const tp_server *t = c->t;
  const char *engine = c->engine, *url = c->url;
  int mode = c->mode;
  hb_argv av = HB_ARGV_INIT;
  char *const *argv;
  hb_err err = { "" };
  int plain = !strcmp(t->backend, "plain"), rc;

  hb_argv_add(&av, engine);
  hb_argv_add(&av, "load");
  hb_argv_add(&av, url);
  hb_argv_add(&av, "-c");
  hb_argv_addf(&av, "%ld", a->conns);
  if(a->requests > 0) {
    hb_argv_add(&av, "-n");
    hb_argv_addf(&av, "%ld", a->requests);
  }
  else {
    hb_argv_add(&av, "-d");
    hb_argv_addf(&av, "%g", a->seconds);
  }
  if(a->warmup > 0) {
    hb_argv_add(&av, "--warmup");
    hb_argv_addf(&av, "%g", a->warmup);
  }
  hb_argv_add(&av, "--marks");
  hb_argv_add(&av, "--procstat"); /* the host's /proc/stat at each mark */
  if(mode != M_KEEPALIVE)
    hb_argv_add(&av, "--close");
  if(mode == M_KEEPALIVE && a->pipeline > 1) {
    hb_argv_add(&av, "--pipeline");
    hb_argv_addf(&av, "%ld", a->pipeline);
  }
  if(a->client_burn) {
    hb_argv_add(&av, "--burn-us");
    hb_argv_addf(&av, "%ld", a->client_burn);
  }
  if(a->nap) {
    hb_argv_add(&av, "--nap");
    hb_argv_addf(&av, "%ld", a->nap);
  }
  if(!plain) {
    tp_verify_args(a, c->root, &av);
    if(strcmp(t->tls, "any"))
      hb_argv_opt(&av, "--tls", t->tls);
    hb_argv_opt(&av, "--resume", mode == M_RESUMED ? "on" : "off");
    if(t->cipher_pinned)
      hb_argv_opt(&av, "--cipher", a->cipher);
  }
  argv = hb_argv_get(&av, &err);
  rc = argv ? rm_client_cmd(buf, size, a->client_cpu, argv, start_at) : -1;
  hb_argv_free(&av);
  return rc;
}

static json_t *tr_host_entry(rm_host *h, double start)
{
  json_t *e = rm_host_json(h, start), *r = NULL, *lat;

  if(h->report)
    r = json_array_get(json_object_get(h->report, "results"), 0);
  if(r) {
    lat = json_object_get(r, "latency");
    json_object_set_new(e, "requests", json_incref(json_object_get(
                        json_object_get(r, "counts"), "requests")));
    json_object_set_new(e, "requests_per_s", hb_json_num(hb_res_median(r)));
    json_object_set_new(e, "cpu_util", hb_json_num(hb_res_num(r, "cpu",
                                                              "util")));
    json_object_set_new(e, "p50_us", hb_json_num(hb_res_num(lat, "p50",
                                                            NULL)));
    json_object_set_new(e, "p99_us", hb_json_num(hb_res_num(lat, "p99",
                                                            NULL)));
    if(json_object_get(lat, "histogram"))
      json_object_set(e, "latency_histogram", json_object_get(lat,
                      "histogram"));
  }
  /* the host's /proc/stat at its own marks: steal (all its CPUs) and the
   * busy share of the CPUs its client may run on */
  json_object_set_new(e, "steal_s", hb_json_num(rm_host_steal(h)));
  json_object_set_new(e, "cpu_busy", hb_json_num(rm_host_busy(h)));
  return e;
}

int tp_remote_load_once(const tp_args *a, const tp_server *t,
                        const char *client, const char *root, size_t size,
                        int mode, one_run *o, hb_err *err)
{
  char path[4200], addr[256], url[512], *cmds[RM_MAX_HOSTS];
  const char *names[RM_MAX_HOSTS];
  json_t *in[RM_MAX_HOSTS], *out, *m, *hosts;
  hb_srv_snap pre, post;
  rm_win w;
  tr_cmd_ctx cc;
  double start, lo = 0, hi = 0, steal = NAN, busy = NAN;
  int i, nin = 0, nres = 0, failed = 0, pre_ok, post_ok;
  int plain = !strcmp(t->backend, "plain");

  memset(&w, 0, sizeof(w));
  w.s = &t->s;
  if(hb_engine_path(plain ? "plain" : client ? client : t->backend, path,
                    sizeof(path)))
    return hb_err_set(err, HB_ERROR, "no local engine for the client");
  rm_addr(&a->rm, addr, sizeof(addr));
  snprintf(url, sizeof(url), "%s://%s:%d/bytes/%zu", plain ? "http"
           : "https", addr, t->s.port, size);
  cc.a = a;
  cc.t = t;
  cc.engine = path;
  cc.url = url;
  cc.root = root;
  cc.mode = mode;
  start = rm_client_cmds(tr_cl, tr_n, tr_maxrtt, cmds, tr_cmd, &cc);
  pre_ok = hb_server_snapshot(&t->s, &pre, err) == HB_OK;
  rm_run(tr_cl, tr_n, a->rm.ssh, cmds, start + a->warmup +
         (a->requests > 0 ? 600 : a->seconds) + 40, 1, rm_win_tick, &w);
  rm_win_end(&w);
  post_ok = hb_server_snapshot(&t->s, &post, err) == HB_OK;
  /* the server host's /proc/stat over the window (the wrapper's procstat
   * lines), as the local path reads this machine's: steal, and how busy
   * the server's CPU was in all (other processes included) */
  if(w.state == 2 && w.s0.host_steal_s >= 0 && w.s1.host_steal_s >= 0)
    steal = w.s1.host_steal_s - w.s0.host_steal_s;
  if(w.state == 2)
    busy = hb_srv_host_busy(&w.s0, &w.s1);
  for(i = 0; i < tr_n; i++)
    free(cmds[i]);
  failed = rm_collect(tr_cl, tr_n, "throughput", 1, &lo, &hi);
  hosts = json_array();
  for(i = 0; i < tr_n; i++) {
    if(tr_cl[i].report) {
      in[nin] = tr_cl[i].report;
      names[nin++] = tr_cl[i].name;
    }
    json_array_append_new(hosts, tr_host_entry(&tr_cl[i], start));
  }
  out = hb_report_new(0, NULL);
  if(nin && out)
    hb_merge_load(out, in, names, nin, &nres);
  m = nres ? json_array_get(json_object_get(out, "results"), 0) : NULL;
  o->partial = failed > 0;
  o->remote = json_pack("{s:I,s:o,s:b,s:o}", "start_at_ns",
                        (json_int_t)(start * 1e9), "start_skew_ms",
                        hb_json_num(nin > 1 ? (hi - lo) * 1e3 : NAN),
                        "partial", failed > 0, "hosts", hosts);
  if(m) {
    json_object_set(o->remote, "requests", json_object_get(
                    json_object_get(m, "counts"), "requests"));
    json_object_set(o->remote, "latency", json_object_get(m, "latency"));
  }
  json_object_set_new(o->remote, "server", json_pack(
    "{s:o,s:o,s:o,s:o,s:o,s:o}",
    "requests_window", hb_json_num(w.state == 2 ? w.s1.requests -
                                   w.s0.requests : NAN),
    "requests_run", hb_json_num(pre_ok && post_ok ? post.requests -
                                pre.requests : NAN),
    "cpu_window_s", hb_json_num(w.state == 2 ? (w.s1.cpu_ns - w.s0.cpu_ns)
                                / 1e9 : NAN),
    "util", hb_json_num(w.state == 2 && w.s1.t_ns > w.s0.t_ns
                        ? (w.s1.cpu_ns - w.s0.cpu_ns) /
                        (w.s1.t_ns - w.s0.t_ns) : NAN),
    "host_steal_s", hb_json_num(steal), "host_cpu_busy",
    hb_json_num(busy)));
  for(i = 0; i < tr_n; i++) {
    json_decref(tr_cl[i].report);
    tr_cl[i].report = NULL;
  }
  if(!m || strcmp(hb_res_str(m, "status"), "ok")) {
    char why[600] = "";
    size_t l = 0;
    for(i = 0; i < tr_n && l + 1 < sizeof(why); i++)
      if(tr_cl[i].why[0])
        l += (size_t)snprintf(why + l, sizeof(why) - l, "%s%s: %s",
                              l ? "; " : "", tr_cl[i].name, tr_cl[i].why);
    hb_err_set(err, HB_ERROR, "no merged result: %s", m ? hb_res_str(m,
               "error") : why[0] ? why : "no client host sent a report");
    json_decref(out);
    return HB_ERROR;
  }
  if(w.state != 2) {
    json_decref(out);
    return hb_err_set(err, HB_ERROR, "no measured window: %s",
                      w.err.msg[0] ? w.err.msg : "the clients' marks "
                      "never spanned one");
  }
  /* the merged result read as a local run's (hosts' counts added, the
   * server's window snapshots) */
  tp_run_read(o, m, &w.s0, &w.s1);
  o->rps = hb_res_median(m);
  o->cli_us = hb_res_num(m, "cpu", "per_request_us");
  o->cli_util = o->cli_cpu_busy = NAN;
  o->oth_cpu_busy = o->oth_util = NAN;
  for(i = 0; i < tr_n; i++) {
    json_t *e = json_array_get(hosts, (size_t)i);
    double u = hb_res_num(e, "cpu_util", NULL);
    if(!strcmp(hb_res_str(e, "status"), "ok") && !isnan(u) &&
       (isnan(o->cli_util) || u > o->cli_util))
      o->cli_util = u; /* the busiest client: one saturated binds */
  }
  /* each client host's /proc/stat over its window (its engine's procstat
   * lines at its marks): the busiest client's CPU busy share beside its
   * utilisation, the host whose CPU others took most for `noise`, and
   * every host's steal added to the server host's */
  for(i = 0; i < tr_n; i++) {
    json_t *e = json_array_get(hosts, (size_t)i);
    double u = hb_res_num(e, "cpu_util", NULL), b = rm_host_busy(
             &tr_cl[i]), st = rm_host_steal(&tr_cl[i]);

    if(strcmp(hb_res_str(e, "status"), "ok"))
      continue;
    if(!isnan(u) && u == o->cli_util && isnan(o->cli_cpu_busy))
      o->cli_cpu_busy = b;
    /* a CPU busy enough to count first, then the most not its client's */
    if(!isnan(u) && !isnan(b) &&
       (isnan(o->oth_cpu_busy) || (b >= BUSY) > (o->oth_cpu_busy >= BUSY) ||
        ((b >= BUSY) == (o->oth_cpu_busy >= BUSY) &&
         b - u > o->oth_cpu_busy - o->oth_util))) {
      o->oth_cpu_busy = b;
      o->oth_util = u;
    }
    if(!isnan(st))
      steal = isnan(steal) ? st : steal + st;
  }
  o->steal_s = steal;
  o->srv_cpu_busy = busy;
  json_decref(out);
  if(!a->quiet)
    fprintf(stderr, "throughput: %d client host%s%s: %.0f requests/s, "
            "server %.0f%% busy\n", nin, nin == 1 ? "" : "s",
            failed ? " (partial)" : "", o->rps, o->srv_util * 100);
  return HB_OK;
}
