/* What the drivers over hosts share (throughput: remote_tp.c, handshake:
 * remote_hs.c; the clients' commands and reports load --client-hosts,
 * remote.c, too): the host file and its options, every host's clock and
 * engine, the server engine on its host behind a small shell wrapper, the
 * clients' commands with one common start, and their reports.
 *
 * The server's wrapper: pinned with taskset where the host has it, its
 * stdout (the `listening on` line and the snapshots) back on ssh's
 * stdout, and every line we write to ssh's stdin turned into SIGUSR1 (a
 * snapshot), preceded by a `procstat` line: the host's /proc/stat `cpu`
 * and `cpuN` lines (N the server's CPU) and its clock tick, read at that
 * moment, so a window's steal and the server CPU's busy share come from
 * the server host as the local path reads them for this machine. The
 * end of that input (we stop it, die, or lose the connection) stops the
 * server. */
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
#include "hb/cli.h"
#include "hb/report.h"

int rm_hosts_file(const char *path, const char **server, const char **addr,
                  const char **clients, char *why, size_t size)
{
  static char cl[16384], sv[256], ad[256];
  char line[1024];
  FILE *f = fopen(path, "r");
  int ln = 0, nserv = 0;
  size_t len = 0;

  if(!f) {
    snprintf(why, size, "cannot read %s", path);
    return -1;
  }
  cl[0] = '\0';
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
      snprintf(sv, sizeof(sv), "%s", host);
      snprintf(ad, sizeof(ad), "%s", k == 3 ? extra : "");
    }
    else if(k == 2 && !strcmp(role, "client")) {
      if(strchr(host, ',') || len + strlen(host) + 2 >= sizeof(cl)) {
        snprintf(why, size, "%s:%d: bad or too many client hosts", path,
                 ln);
        fclose(f);
        return -1;
      }
      len += (size_t)snprintf(cl + len, sizeof(cl) - len, "%s%s",
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
  *server = sv;
  *addr = ad[0] ? ad : NULL;
  *clients = cl;
  return 0;
}

void rm_opts_check(const char *cmd, const char *file, rm_roles *r)
{
  char why[600];

  if(file && (r->server_host || r->client_hosts))
    hb_usage_fail(cmd, "--hosts or --server-host/--client-hosts, not both");
  if(file && rm_hosts_file(file, &r->server_host, &r->server_addr,
                           &r->client_hosts, why, sizeof(why)))
    hb_usage_fail(cmd, "--hosts: %s", why);
  if(!r->server_host != !r->client_hosts)
    hb_usage_fail(cmd, "--server-host and --client-hosts go together");
  if(!r->server_host && r->ssh)
    hb_usage_fail(cmd, "--ssh goes with --hosts or --client-hosts");
  if(r->server_host && !r->ssh)
    r->ssh = "ssh -o BatchMode=yes";
}

void rm_addr(const rm_roles *r, char *buf, size_t size)
{
  if(r->server_addr)
    snprintf(buf, size, "%s", r->server_addr);
  else
    rm_host_addr(r->server_host, buf, size);
}

int rm_prepare(const char *cmd, const rm_roles *r, const char *engine,
               int quiet, rm_host *cl, int *ncl, double *maxrtt,
               json_t *report)
{
  static rm_host all[RM_MAX_HOSTS + 1];
  char path[4200], local[256] = "";
  json_t *hosts = json_array();
  int i, n, nc, bad = 0;

  nc = rm_hosts_parse(cmd, "--client-hosts: ", r->client_hosts, cl);
  *ncl = nc;
  /* every host's clock and the client engine's version, server too */
  memcpy(all, cl, sizeof(rm_host) * (size_t)nc);
  rm_host_init(&all[nc], r->server_host);
  n = nc + 1;
  path[0] = '\0';
  if(hb_engine_path(engine, path, sizeof(path)) == 0) {
    char *vargs[] = { path, "version", NULL };
    hb_engine_capture(vargs, local, sizeof(local));
  }
  rm_clocks(all, n, r->ssh, path);
  *maxrtt = 0;
  for(i = 0; i < n; i++) {
    rm_host *x = &all[i];
    json_t *e = json_object();

    json_object_set_new(e, "host", json_string(x->name));
    json_object_set_new(e, "role", json_string(i < nc ? "client"
                                               : "server"));
    json_object_set_new(e, "status", json_string(x->why[0] ? "error"
                                                 : "ok"));
    if(x->why[0]) {
      json_object_set_new(e, "error", json_string(x->why));
      fprintf(stderr, "httpsbench %s: %s: %s\n", cmd, x->name, x->why);
      bad = 1;
    }
    else {
      if(x->rtt > *maxrtt)
        *maxrtt = x->rtt;
      json_object_set_new(e, "clock_offset_ms", hb_json_num(x->offset *
                                                            1e3));
      json_object_set_new(e, "offset_uncertainty_ms",
                          hb_json_num(x->rtt * 1e3 / 2));
      json_object_set_new(e, "engine_version", json_string(x->version));
      if(strcmp(x->version, local))
        fprintf(stderr, "httpsbench %s: %s: its %s engine says '%s', ours "
                "'%s'\n", cmd, x->name, engine, x->version, local);
      if(!quiet)
        fprintf(stderr, "httpsbench %s: %s (%s): clock %+.3f ms "
                "(+-%.3f)\n", cmd, x->name, i < nc ? "client" : "server",
                x->offset * 1e3, x->rtt * 1e3 / 2);
    }
    json_array_append_new(hosts, e);
    if(i < nc) {
      cl[i].offset = x->offset;
      cl[i].rtt = x->rtt;
      cl[i].setup = x->setup;
      snprintf(cl[i].version, sizeof(cl[i].version), "%s", x->version);
    }
    free(x->out);
    x->out = NULL;
    x->len = x->cap = 0;
  }
  json_object_set_new(report, "remote", json_pack("{s:s,s:s,s:s,s:o}",
    "server_host", r->server_host, "client_hosts", r->client_hosts,
    "ssh", r->ssh, "hosts", hosts));
  return bad ? -1 : 0;
}

int rm_server_start(const rm_roles *r, const char *backend, int cpu,
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
  rm_addr(r, addr, sizeof(addr));
  /* pinned where taskset exists; every input line a procstat line and a
   * snapshot; the end of input (or of the connection) stops the server */
  snprintf(cmd, sizeof(cmd), "t=; command -v taskset >/dev/null 2>&1 && "
           "t='taskset -c %d' || echo 'httpsbench: no taskset on this "
           "host: the server is not pinned' >&2; k=$(getconf CLK_TCK "
           "2>/dev/null || echo 100); $t ", cpu);
  len = strlen(cmd);
  bad |= rm_quote(cmd, sizeof(cmd), &len, path);
  bad |= rm_quote(cmd, sizeof(cmd), &len, "server");
  bad |= rm_quote(cmd, sizeof(cmd), &len, "--listen");
  snprintf(line, sizeof(line), "%s:0", addr);
  bad |= rm_quote(cmd, sizeof(cmd), &len, line);
  for(k = 0; args && args->v && args->v[k]; k++)
    bad |= rm_quote(cmd, sizeof(cmd), &len, args->v[k]);
  if(!bad && len + 400 < sizeof(cmd))
    snprintf(cmd + len, sizeof(cmd) - len, "& p=$!; trap 'kill $p "
             "2>/dev/null' EXIT HUP TERM; while read -r l; do echo "
             "\"procstat $k $(grep -E '^cpu(%d)? ' /proc/stat 2>/dev/null "
             "| tr '\\n' ' ')\"; kill -USR1 $p 2>/dev/null || break; "
             "done; kill $p 2>/dev/null; wait $p", cpu);
  else
    bad = 1;
  if(bad || (args && args->failed))
    return hb_err_set(err, HB_ERROR, "the server's command is too long");
  snprintf(sshbuf, sizeof(sshbuf), "%s", r->ssh);
  rm_argv(words, sshbuf, r->server_host, cmd);
  pid = rm_spawn(words, &in, &out, NULL, hb_server_log());
  if(pid < 0)
    return hb_err_set(err, HB_ERROR, "cannot start ssh for %s",
                      r->server_host);
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
                      r->server_host, line[0] ? ": " : "", line);
  }
  s->pid = pid;
  s->out_fd = out;
  s->ctl_fd = in;
  return HB_OK;
}

int rm_client_cmd(char *buf, size_t size, int cpu, char *const *argv,
                  double start_at)
{
  char num[64];
  size_t len;
  int bad = 0, k;

  /* the report goes to a temporary file, then back on stdout; the
   * engine's own output on stderr (its marks) */
  snprintf(buf, size, "f=$(mktemp /tmp/httpsbench-remote.XXXXXX) || exit "
           "3; t=; ");
  len = strlen(buf);
  if(cpu >= 0 && len + 80 < size)
    len += (size_t)snprintf(buf + len, size - len, "command -v taskset "
                            ">/dev/null 2>&1 && t='taskset -c %d'; ", cpu);
  if(len + 4 >= size)
    return -1;
  memcpy(buf + len, "$t ", 4);
  len += 3;
  for(k = 0; argv[k]; k++)
    bad |= rm_quote(buf, size, &len, argv[k]);
  snprintf(num, sizeof(num), "%.6f", start_at);
  bad |= rm_quote(buf, size, &len, "--start-at");
  bad |= rm_quote(buf, size, &len, num);
  bad |= rm_quote(buf, size, &len, "--stop-on-eof");
  if(bad || len + 80 >= size)
    return -1;
  snprintf(buf + len, size - len, "--json \"$f\" >&2; rc=$?; cat \"$f\" "
           "2>/dev/null; rm -f \"$f\"; exit $rc");
  return 0;
}

double rm_client_cmds(rm_host *hs, int n, double maxrtt, char **cmds,
                      rm_cmd_fn fn, void *ctx)
{
  /* a second, two round trips and the longest set-up, for every ssh to
   * connect */
  double start = rm_now() + 1.0 + 2 * maxrtt, setup = 0;
  int i;

  for(i = 0; i < n; i++)
    if(hs[i].setup > setup)
      setup = hs[i].setup;
  start += setup;

  for(i = 0; i < n; i++) {
    char buf[16384];

    hs[i].why[0] = '\0';
    hs[i].report = NULL;
    cmds[i] = NULL;
    if(fn(ctx, start + hs[i].offset, buf, sizeof(buf)) ||
       !(cmds[i] = strdup(buf)))
      snprintf(hs[i].why, sizeof(hs[i].why), "its command line is too "
               "long");
  }
  return start;
}

int rm_collect(rm_host *hs, int n, const char *cmd, int need_ok,
               double *lo, double *hi)
{
  int i, failed = 0;

  *lo = *hi = 0;
  for(i = 0; i < n; i++) {
    rm_host *h = &hs[i];
    json_t *r;

    if(!h->why[0]) {
      json_error_t je;

      h->report = h->len ? json_loadb(h->out, h->len, 0, &je) : NULL;
      r = json_array_get(json_object_get(h->report, "results"), 0);
      if(!h->report)
        snprintf(h->why, sizeof(h->why), "no report (exit %d)%s%s",
                 h->status, h->elen ? ": " : "", rm_last_line(h));
      else if(need_ok && strcmp(hb_res_str(r, "status"), "ok"))
        snprintf(h->why, sizeof(h->why), "its run failed: %s",
                 hb_res_str(r, "error"));
    }
    free(h->out);
    h->out = NULL;
    h->cap = h->len = 0;
    if(h->why[0]) {
      failed++;
      json_decref(h->report);
      h->report = NULL;
      fprintf(stderr, "httpsbench %s: %s: %s\n", cmd, h->name, h->why);
      continue;
    }
    {
      double began = hb_res_num(json_object_get(json_array_get(
                       json_object_get(h->report, "results"), 0), "params"),
                       "started_at_ns", NULL) / 1e9 - h->offset;
      if(!isnan(began)) {
        if(!*lo || began < *lo)
          *lo = began;
        if(began > *hi)
          *hi = began;
      }
    }
  }
  return failed;
}

json_t *rm_host_json(const rm_host *h, double start)
{
  json_t *e = json_object(), *p;
  double began = NAN;

  json_object_set_new(e, "host", json_string(h->name));
  json_object_set_new(e, "status", json_string(h->why[0] ? "error" : "ok"));
  if(h->why[0])
    json_object_set_new(e, "error", json_string(h->why));
  json_object_set_new(e, "clock_offset_ms", hb_json_num(h->offset * 1e3));
  json_object_set_new(e, "offset_uncertainty_ms",
                      hb_json_num(h->rtt * 1e3 / 2));
  p = json_object_get(json_array_get(json_object_get(h->report, "results"),
                                     0), "params");
  if(p)
    began = hb_res_num(p, "started_at_ns", NULL) / 1e9 - h->offset;
  json_object_set_new(e, "started_late_ms",
                      hb_json_num((began - start) * 1e3));
  return e;
}

void rm_win_tick(rm_host *hs, int n, void *ctx)
{
  rm_win *w = ctx;
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

void rm_win_end(rm_win *w)
{
  if(w->state == 1) /* every client gone inside the window */
    w->state = hb_server_snapshot(w->s, &w->s1, &w->err) == HB_OK ? 2 : 3;
}
