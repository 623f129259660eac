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

int tp_remote_hosts_file(const char *path, tp_args *a, char *why,
                         size_t size)
{
  static char clients[16384], server[256], addr[256];
  char line[1024];
  FILE *f = fopen(path, "r");
  int ln = 0, nserv = 0;
  size_t len = 0;

  if(!f) {
    snprintf(why, size, "cannot read %s", path);
    return -1;
  }
  clients[0] = '\0';
  while(fgets(line, sizeof(line), f)) {
    char role[32], host[256], extra[256], more[8];
    int k;

    ln++;
    line[strcspn(line, "#\r\n")] = '\0';
    k = sscanf(line, "%31s %255s %255s %7s", role, host, extra, more);
    if(k <= 0)
      continue;
    if(k >= 2 && !strcmp(role, "server") && k <= 3) {
      if(nserv++) {
        snprintf(why, size, "%s:%d: a second server line", path, ln);
        fclose(f);
        return -1;
      }
      snprintf(server, sizeof(server), "%s", host);
      snprintf(addr, sizeof(addr), "%s", k == 3 ? extra : "");
    }
    else if(k == 2 && !strcmp(role, "client")) {
      if(strchr(host, ',') || len + strlen(host) + 2 >= sizeof(clients)) {
        snprintf(why, size, "%s:%d: bad or too many client hosts", path,
                 ln);
        fclose(f);
        return -1;
      }
      len += (size_t)snprintf(clients + len, sizeof(clients) - len, "%s%s",
                              len ? "," : "", host);
    }
    else {
      snprintf(why, size, "%s:%d: not 'server HOST [ADDRESS]' or 'client "
               "HOST'", path, ln);
      fclose(f);
      return -1;
    }
  }
  fclose(f);
  if(!nserv || !len) {
    snprintf(why, size, "%s: needs one server line and at least one "
             "client line", path);
    return -1;
  }
  a->server_host = server;
  a->server_addr = addr[0] ? addr : NULL;
  a->client_hosts = clients;
  return 0;
}

/* The address the clients dial and the server listens on. */
static void tr_addr(const tp_args *a, char *buf, size_t size)
{
  if(a->server_addr)
    snprintf(buf, size, "%s", a->server_addr);
  else
    rm_host_addr(a->server_host, buf, size);
}

int tp_remote_prepare(const tp_args *a, json_t *report)
{
  static rm_host all[RM_MAX_HOSTS + 1];
  char path[4200],
       local[256] = "";
  const char *eng = a->client ? a->client : "plain";
  json_t *hosts = json_array();
  int i, n = 0, bad = 0;

  tr_n = rm_hosts_parse("throughput", "--client-hosts: ", a->client_hosts,
                        tr_cl);
  /* every host's clock and the client engine's version, server too */
  memcpy(all, tr_cl, sizeof(rm_host) * (size_t)tr_n);
  rm_host_init(&all[tr_n], a->server_host);
  n = tr_n + 1;
  if(hb_engine_path(eng, path, sizeof(path)) == 0) {
    char *vargs[] = { path, "version", NULL };
    hb_engine_capture(vargs, local, sizeof(local));
  }
  rm_clocks(all, n, a->ssh, path);
  tr_maxrtt = 0;
  for(i = 0; i < n; i++) {
    rm_host *x = &all[i];
    json_t *e = json_object();

    json_object_set_new(e, "host", json_string(x->name));
    json_object_set_new(e, "role", json_string(i < tr_n ? "client"
                                               : "server"));
    json_object_set_new(e, "status", json_string(x->why[0] ? "error"
                                                 : "ok"));
    if(x->why[0]) {
      json_object_set_new(e, "error", json_string(x->why));
      fprintf(stderr, "httpsbench throughput: %s: %s\n", x->name, x->why);
      bad = 1;
    }
    else {
      if(x->rtt > tr_maxrtt)
        tr_maxrtt = x->rtt;
      json_object_set_new(e, "clock_offset_ms", hb_json_num(x->offset *
                                                            1e3));
      json_object_set_new(e, "offset_uncertainty_ms",
                          hb_json_num(x->rtt * 1e3 / 2));
      json_object_set_new(e, "engine_version", json_string(x->version));
      if(strcmp(x->version, local))
        fprintf(stderr, "httpsbench throughput: %s: its %s engine says "
                "'%s', ours '%s'\n", x->name, eng, x->version, local);
      if(!a->quiet)
        fprintf(stderr, "httpsbench throughput: %s (%s): clock %+.3f ms "
                "(+-%.3f)\n", x->name, i < tr_n ? "client" : "server",
                x->offset * 1e3, x->rtt * 1e3 / 2);
    }
    json_array_append_new(hosts, e);
    if(i < tr_n) {
      tr_cl[i].offset = x->offset;
      tr_cl[i].rtt = x->rtt;
      snprintf(tr_cl[i].version, sizeof(tr_cl[i].version), "%s",
               x->version);
    }
    free(x->out);
    x->out = NULL;
    x->len = x->cap = 0;
  }
  json_object_set_new(report, "remote", json_pack("{s:s,s:s,s:s,s:o}",
    "server_host", a->server_host, "client_hosts", a->client_hosts,
    "ssh", a->ssh, "hosts", hosts));
  return bad ? -1 : 0;
}

int tp_remote_server_start(const tp_args *a, const char *backend,
                           const hb_argv *args, hb_server *s, hb_err *err)
{
  char path[4200], addr[256], cmd[16384], sshbuf[1024], line[512] = "";
  char *words[RM_MAX_WORDS];
  size_t len;
  int bad = 0, in = -1, out = -1, k;
  pid_t pid;

  memset(s, 0, sizeof(*s));
  if(hb_engine_path(backend, path, sizeof(path)))
    return hb_err_set(err, HB_ERROR, "no engine for %s", backend);
  tr_addr(a, addr, sizeof(addr));
  /* pinned where taskset exists; every input line a snapshot; the end of
   * input (or of the connection) stops the server */
  snprintf(cmd, sizeof(cmd), "t=; command -v taskset >/dev/null 2>&1 && "
           "t='taskset -c %d' || echo 'httpsbench: no taskset on this "
           "host: the server is not pinned' >&2; $t ", a->server_cpu);
  len = strlen(cmd);
  bad |= rm_quote(cmd, sizeof(cmd), &len, path);
  bad |= rm_quote(cmd, sizeof(cmd), &len, "server");
  bad |= rm_quote(cmd, sizeof(cmd), &len, "--listen");
  snprintf(line, sizeof(line), "%s:0", addr);
  bad |= rm_quote(cmd, sizeof(cmd), &len, line);
  for(k = 0; args && args->v && args->v[k]; k++)
    bad |= rm_quote(cmd, sizeof(cmd), &len, args->v[k]);
  if(!bad)
    snprintf(cmd + len, sizeof(cmd) - len, "& p=$!; trap 'kill $p "
             "2>/dev/null' EXIT HUP TERM; while read -r l; do kill -USR1 "
             "$p 2>/dev/null || break; done; kill $p 2>/dev/null; wait $p");
  if(bad || (args && args->failed))
    return hb_err_set(err, HB_ERROR, "the server's command is too long");
  snprintf(sshbuf, sizeof(sshbuf), "%s", a->ssh);
  rm_argv(words, sshbuf, a->server_host, cmd);
  pid = rm_spawn(words, &in, &out, NULL, hb_server_log());
  if(pid < 0)
    return hb_err_set(err, HB_ERROR, "cannot start ssh for %s",
                      a->server_host);
  line[0] = '\0';
  if(hb_read_line(out, line, sizeof(line), 60000) ||
     sscanf(line, "listening on %*[^:]:%d", &s->port) != 1) {
    int st, unsupported = !strncmp(line, "unsupported: ", 13);

    close(in);
    for(k = 0; k < 250 && waitpid(pid, &st, WNOHANG) == 0; k++)
      usleep(20000);
    if(k == 250) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
    }
    close(out);
    if(unsupported)
      return hb_err_set(err, HB_UNSUPPORTED, "%s server: %s", backend,
                        line + 13);
    return hb_err_set(err, HB_ERROR, "%s server on %s did not start%s%s "
                      "(ssh's and its messages: server log)", backend,
                      a->server_host, line[0] ? ": " : "", line);
  }
  s->pid = pid;
  s->out_fd = out;
  s->ctl_fd = in;
  return HB_OK;
}

/* The window: the server's snapshots when every running client has
 * begun its measured window and when the first one ends it. */
typedef struct tr_win {
  const hb_server *s;
  int state;               /* 0 before, 1 in the window, 2 after, 3 lost */
  hb_srv_snap s0, s1;
  hb_err err;
} tr_win;

static void tr_tick(rm_host *hs, int n, void *ctx)
{
  tr_win *w = ctx;
  int i, running = 0, started = 0, ended = 0;

  for(i = 0; i < n; i++) {
    int live = hs[i].pid > 0 && hs[i].status < 0 && !hs[i].why[0];
    running += live;
    started += live && hs[i].mark_start > 0;
    ended += hs[i].mark_end > 0 || (hs[i].mark_start > 0 && !live);
  }
  if(w->state == 0 && running && started == running) {
    w->state = hb_server_snapshot(w->s, &w->s0, &w->err) == HB_OK ? 1 : 3;
    return;
  }
  if(w->state == 1 && (ended || !running))
    w->state = hb_server_snapshot(w->s, &w->s1, &w->err) == HB_OK ? 2 : 3;
}

/* One client host's command for this run. */
static int tr_client_cmd(const tp_args *a, const tp_server *t,
                         const char *engine, const char *url, int mode,
                         double start_at, char *buf, size_t size)
{
  char num[64];
  size_t len;
  int bad = 0, plain = !strcmp(t->backend, "plain");

  snprintf(buf, size, "f=$(mktemp /tmp/httpsbench-remote.XXXXXX) || exit "
           "3; t=; command -v taskset >/dev/null 2>&1 && t='taskset -c %d'"
           "; $t ", a->client_cpu);
  len = strlen(buf);
#define Q(s) (bad |= rm_quote(buf, size, &len, (s)))
#define QN(f, v) (snprintf(num, sizeof(num), (f), (v)), Q(num))
  Q(engine);
  Q("load");
  Q(url);
  Q("-c");
  QN("%ld", a->conns);
  if(a->requests > 0) {
    Q("-n");
    QN("%ld", a->requests);
  }
  else {
    Q("-d");
    QN("%g", a->seconds);
  }
  if(a->warmup > 0) {
    Q("--warmup");
    QN("%g", a->warmup);
  }
  Q("--marks");
  if(mode != M_KEEPALIVE)
    Q("--close");
  if(mode == M_KEEPALIVE && a->pipeline > 1) {
    Q("--pipeline");
    QN("%ld", a->pipeline);
  }
  if(a->client_burn) {
    Q("--burn-us");
    QN("%ld", a->client_burn);
  }
  if(!plain) {
    /* the suite's certificates name localhost, not the server host */
    Q("--insecure");
    if(strcmp(t->tls, "any")) {
      Q("--tls");
      Q(t->tls);
    }
    Q("--resume");
    Q(mode == M_RESUMED ? "on" : "off");
    if(t->cipher_pinned) {
      Q("--cipher");
      Q(a->cipher);
    }
  }
  Q("--start-at");
  QN("%.6f", start_at);
  Q("--stop-on-eof");
#undef Q
#undef QN
  if(bad)
    return -1;
  snprintf(buf + len, size - len, "--json \"$f\" >&2; rc=$?; cat \"$f\" "
           "2>/dev/null; rm -f \"$f\"; exit $rc");
  return 0;
}

static json_t *tr_host_entry(rm_host *h, double start)
{
  json_t *e = json_object(), *r = NULL, *lat, *p;
  double began = NAN;

  json_object_set_new(e, "host", json_string(h->name));
  json_object_set_new(e, "status", json_string(h->why[0] ? "error" : "ok"));
  if(h->why[0])
    json_object_set_new(e, "error", json_string(h->why));
  json_object_set_new(e, "clock_offset_ms", hb_json_num(h->offset * 1e3));
  json_object_set_new(e, "offset_uncertainty_ms",
                      hb_json_num(h->rtt * 1e3 / 2));
  if(h->report)
    r = json_array_get(json_object_get(h->report, "results"), 0);
  p = json_object_get(r, "params");
  if(p)
    began = hb_res_num(p, "started_at_ns", NULL) / 1e9 - h->offset;
  json_object_set_new(e, "started_late_ms",
                      hb_json_num((began - start) * 1e3));
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
  return e;
}

int tp_remote_load_once(const tp_args *a, const tp_server *t,
                        const char *client, size_t size, int mode,
                        one_run *o, hb_err *err)
{
  char path[4200], addr[256], url[512], *cmds[RM_MAX_HOSTS];
  const char *names[RM_MAX_HOSTS];
  json_t *in[RM_MAX_HOSTS], *out, *m, *hosts, *tls;
  hb_srv_snap pre, post;
  tr_win w;
  double start, lo = 0, hi = 0, reqs, wall;
  int i, nin = 0, nres = 0, failed = 0, pre_ok, post_ok;
  int plain = !strcmp(t->backend, "plain");
  size_t k;

  memset(&w, 0, sizeof(w));
  w.s = &t->s;
  if(hb_engine_path(plain ? "plain" : client ? client : t->backend, path,
                    sizeof(path)))
    return hb_err_set(err, HB_ERROR, "no local engine for the client");
  tr_addr(a, addr, sizeof(addr));
  snprintf(url, sizeof(url), "%s://%s:%d/bytes/%zu", plain ? "http"
           : "https", addr, t->s.port, size);
  start = rm_now() + 1.0 + 2 * tr_maxrtt;
  for(i = 0; i < tr_n; i++) {
    char buf[16384];

    tr_cl[i].why[0] = '\0';
    tr_cl[i].report = NULL;
    cmds[i] = NULL;
    if(tr_client_cmd(a, t, path, url, mode, start + tr_cl[i].offset, buf,
                     sizeof(buf)) || !(cmds[i] = strdup(buf)))
      snprintf(tr_cl[i].why, sizeof(tr_cl[i].why), "its command line is "
               "too long");
  }
  pre_ok = hb_server_snapshot(&t->s, &pre, err) == HB_OK;
  rm_run(tr_cl, tr_n, a->ssh, cmds, start + a->warmup +
         (a->requests > 0 ? 600 : a->seconds) + 40, 1, tr_tick, &w);
  if(w.state == 1) /* every client gone inside the window */
    w.state = hb_server_snapshot(&t->s, &w.s1, &w.err) == HB_OK ? 2 : 3;
  post_ok = hb_server_snapshot(&t->s, &post, err) == HB_OK;
  hosts = json_array();
  for(i = 0; i < tr_n; i++) {
    rm_host *h = &tr_cl[i];

    free(cmds[i]);
    if(!h->why[0]) {
      json_error_t je;
      json_t *r;

      h->report = h->len ? json_loadb(h->out, h->len, 0, &je) : NULL;
      r = json_array_get(json_object_get(h->report, "results"), 0);
      if(!h->report)
        snprintf(h->why, sizeof(h->why), "no report (exit %d)%s%s",
                 h->status, h->elen ? ": " : "", rm_last_line(h));
      else if(strcmp(hb_res_str(r, "status"), "ok"))
        snprintf(h->why, sizeof(h->why), "its load failed: %s",
                 hb_res_str(r, "error"));
    }
    free(h->out);
    h->out = NULL;
    h->cap = h->len = 0;
    if(h->why[0]) {
      failed++;
      fprintf(stderr, "httpsbench throughput: %s: %s\n", h->name, h->why);
    }
    else {
      double began = hb_res_num(json_object_get(json_array_get(
                       json_object_get(h->report, "results"), 0), "params"),
                       "started_at_ns", NULL) / 1e9 - h->offset;
      if(!isnan(began)) {
        if(!lo || began < lo)
          lo = began;
        if(began > hi)
          hi = began;
      }
      in[nin] = h->report;
      names[nin++] = h->name;
    }
    json_array_append_new(hosts, tr_host_entry(h, start));
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
  json_object_set_new(o->remote, "server", json_pack("{s:o,s:o,s:o,s:o}",
    "requests_window", hb_json_num(w.state == 2 ? w.s1.requests -
                                   w.s0.requests : NAN),
    "requests_run", hb_json_num(pre_ok && post_ok ? post.requests -
                                pre.requests : NAN),
    "cpu_window_s", hb_json_num(w.state == 2 ? (w.s1.cpu_ns - w.s0.cpu_ns)
                                / 1e9 : NAN),
    "util", hb_json_num(w.state == 2 && w.s1.t_ns > w.s0.t_ns
                        ? (w.s1.cpu_ns - w.s0.cpu_ns) /
                        (w.s1.t_ns - w.s0.t_ns) : NAN)));
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
  reqs = hb_res_num(m, "counts", "ok");
  if(!(reqs >= 0))
    reqs = hb_res_num(m, "counts", "requests");
  wall = hb_res_num(m, "elapsed_s", NULL);
  o->rps = hb_res_median(m);
  o->bps = hb_res_num(m, "bytes_per_s", NULL);
  o->cli_us = hb_res_num(m, "cpu", "per_request_us");
  o->cli_util = NAN;
  json_array_foreach(json_object_get(m, "hosts"), k, tls) {
    double u = hb_res_num(tls, "cpu_util", NULL);
    if(!isnan(u) && (isnan(o->cli_util) || u > o->cli_util))
      o->cli_util = u; /* the busiest client: one saturated binds */
  }
  o->srv_requests = w.s1.requests - w.s0.requests;
  o->srv_us = o->srv_requests > 0 ? (w.s1.cpu_ns - w.s0.cpu_ns) / 1e3 /
              o->srv_requests : NAN;
  o->srv_util = w.s1.t_ns > w.s0.t_ns ? (w.s1.cpu_ns - w.s0.cpu_ns) /
                (w.s1.t_ns - w.s0.t_ns) : NAN;
  o->srv_handshakes = w.s1.handshakes - w.s0.handshakes;
  o->srv_resumed = w.s1.resumed - w.s0.resumed;
  o->steal_s = NAN; /* other hosts' CPUs: not read */
  o->srv_cpu_busy = o->cli_cpu_busy = NAN;
  o->achieved_rate = wall > 0 ? reqs / wall : NAN;
  o->handshakes = hb_res_num(m, "counts", "handshakes");
  o->resumed = hb_res_num(m, "counts", "resumed");
  o->wire_in = hb_res_num(m, "counts", "bytes_wire_in"); /* hosts added */
  o->wire_out = hb_res_num(m, "counts", "bytes_wire_out");
  o->wire_reqs = reqs;
  tls = json_object_get(m, "tls");
  snprintf(o->version, sizeof(o->version), "%s",
           hb_res_str(tls, "version"));
  snprintf(o->cipher, sizeof(o->cipher), "%s", hb_res_str(tls, "cipher"));
  snprintf(o->group, sizeof(o->group), "%s", hb_res_str(tls, "group"));
  if(!o->version[0] && w.s1.version[0]) {
    snprintf(o->version, sizeof(o->version), "%s", w.s1.version);
    snprintf(o->cipher, sizeof(o->cipher), "%s", w.s1.cipher);
    snprintf(o->group, sizeof(o->group), "%s", w.s1.group);
  }
  {
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(m, "errors"), key, v)
      o->errors += json_is_number(v) ? json_number_value(v) : 0;
  }
  o->latency = json_deep_copy(json_object_get(m, "latency"));
  json_object_del(o->latency, "histogram");
  json_decref(out);
  if(!a->quiet)
    fprintf(stderr, "throughput: %d client host%s%s: %.0f requests/s, "
            "server %.0f%% busy\n", nin, nin == 1 ? "" : "s",
            failed ? " (partial)" : "", o->rps, o->srv_util * 100);
  return HB_OK;
}
