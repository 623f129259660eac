/* httpsbench load URL --client-hosts H1,H2,... [--ssh CMD] ...: the load
 * generator on several hosts at once, over OpenSSH, merged exactly.
 *
 * 1. Each host, over `ssh HOST`: once its session is up, our line on its
 *    input asks for its clock, read between two local clock reads (three
 *    tries, the shortest round trip kept: the offset is known to within
 *    half of it; the session's set-up is outside it) and the engine's
 *    version.
 * 2. A start time a second, two round trips and the longest ssh set-up
 *    ahead; each host gets it in its own clock (`load --start-at
 *    T+offset`), so every client
 *    begins within the offsets' uncertainty; the skew achieved (each
 *    client's own start time, corrected by its offset) is reported.
 * 3. Each engine runs with `--stop-on-eof`: its ssh connection's standard
 *    input stays open while this process lives, so a coordinator that is
 *    killed or loses the connection leaves nothing running remotely.
 *    Its report comes back on ssh's standard output.
 * 4. The reports are merged as `httpsbench merge` does (merge_cmd.c);
 *    a host that fails to start, loses its connection or sends no report
 *    is named with what happened, the others are kept and the result is
 *    marked partial (exit 1). Every wait is bounded. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frontend.h"
#include "hb/cli.h"
#include "hb/envinfo.h"
#include "hb/report.h"
#include "hb/sig.h"
#include "remote.h"
#include "results.h"

#define RM_OUT_MAX (64u << 20) /* a report above 64 MiB is refused */

double rm_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends a single-quoted copy of s (for the remote shell). */
int rm_quote(char *buf, size_t size, size_t *len, const char *s)
{
  size_t n = *len;

  if(n + 1 >= size)
    return -1;
  buf[n++] = '\'';
  for(; *s; s++) {
    if(*s == '\'') {
      if(n + 4 >= size)
        return -1;
      memcpy(buf + n, "'\\''", 4);
      n += 4;
    }
    else {
      if(n + 1 >= size)
        return -1;
      buf[n++] = *s;
    }
  }
  if(n + 2 >= size)
    return -1;
  buf[n++] = '\'';
  buf[n++] = ' ';
  buf[n] = '\0';
  *len = n;
  return 0;
}

/* argv of `SSH-WORDS HOST COMMAND` in words (the ssh command split on
 * blanks; no quoting: put options that need it in ~/.ssh/config). */
int rm_argv(char *words[], char *sshbuf, const char *host,
            const char *cmd)
{
  int n = 0;
  char *save = NULL, *w;

  for(w = strtok_r(sshbuf, " \t", &save); w && n < RM_MAX_WORDS - 3;
      w = strtok_r(NULL, " \t", &save))
    words[n++] = w;
  words[n++] = (char *)host;
  words[n++] = (char *)cmd;
  words[n] = NULL;
  return n;
}

/* Starts argv with pipes to its stdin, stdout and stderr. */
pid_t rm_spawn(char *const argv[], int *in, int *out, int *err,
               const char *errlog)
{
  int pi[2], po[2], pe[2] = { -1, -1 };
  pid_t pid;

  if(pipe2(pi, O_CLOEXEC))
    return -1;
  if(pipe2(po, O_CLOEXEC)) {
    close(pi[0]);
    close(pi[1]);
    return -1;
  }
  if(err && pipe2(pe, O_CLOEXEC)) {
    close(pi[0]);
    close(pi[1]);
    close(po[0]);
    close(po[1]);
    return -1;
  }
  pid = fork();
  if(pid == 0) {
    signal(SIGINT, SIG_IGN); /* Ctrl-C is ours: we close stdin instead */
    dup2(pi[0], 0);
    dup2(po[1], 1);
    if(err)
      dup2(pe[1], 2);
    else {
      int e = open(errlog ? errlog : "/dev/null",
                   O_WRONLY | O_CREAT | O_APPEND, 0644);
      if(e >= 0)
        dup2(e, 2);
    }
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(pi[0]);
  close(po[1]);
  if(err)
    close(pe[1]);
  if(pid < 0) {
    close(pi[1]);
    close(po[0]);
    if(err)
      close(pe[0]);
    return -1;
  }
  *in = pi[1];
  *out = po[0];
  if(err)
    *err = pe[0];
  return pid;
}

void rm_host_init(rm_host *h, const char *name)
{
  memset(h, 0, sizeof(*h));
  snprintf(h->name, sizeof(h->name), "%s", name);
  h->in_fd = h->out_fd = h->err_fd = -1;
}

int rm_hosts_parse(const char *cmd, const char *what, const char *list,
                   rm_host *hs)
{
  char *copy = strdup(list), *save = NULL, *h;
  int n = 0;

  for(h = copy ? strtok_r(copy, ",", &save) : NULL; h;
      h = strtok_r(NULL, ",", &save)) {
    if(n == RM_MAX_HOSTS) {
      free(copy);
      hb_usage_fail(cmd, "%smore than %d hosts", what, RM_MAX_HOSTS);
    }
    rm_host_init(&hs[n++], h);
  }
  free(copy);
  if(!n)
    hb_usage_fail(cmd, "%sno host in '%s'", what, list);
  return n;
}

void rm_host_addr(const char *host, char *buf, size_t size)
{
  const char *at = strrchr(host, '@');

  snprintf(buf, size, "%s", at ? at + 1 : host);
}

static void rm_ps_clear(rm_host *h)
{
  int k;

  for(k = 0; k < 2; k++)
    h->ps_steal[k] = h->ps_busy[k] = h->ps_total[k] = -1;
  h->ps_next[0] = h->ps_next[1] = h->ps_next[2] = -1;
}

/* The procstat line just read is the window's edge k's (0 start, 1
 * end) when a mark follows it. */
static void rm_ps_keep(rm_host *h, int k)
{
  h->ps_steal[k] = h->ps_next[0];
  h->ps_busy[k] = h->ps_next[1];
  h->ps_total[k] = h->ps_next[2];
  h->ps_next[0] = h->ps_next[1] = h->ps_next[2] = -1;
}

/* Counts the mark lines of a load engine among stderr's lines, and
 * keeps the procstat line before each. */
static void rm_scan_marks(rm_host *h, const char *b, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++) {
    if(b[i] != '\n') {
      if(h->llen + 1 < sizeof(h->line))
        h->line[h->llen++] = b[i];
      continue;
    }
    h->line[h->llen] = '\0';
    if(!strcmp(h->line, "mark start")) {
      h->mark_start++;
      rm_ps_keep(h, 0);
    }
    else if(!strcmp(h->line, "mark end")) {
      h->mark_end++;
      rm_ps_keep(h, 1);
    }
    else if(!strncmp(h->line, "procstat ", 9))
      hb_procstat_parse(h->line, &h->ps_next[0], &h->ps_next[1],
                        &h->ps_next[2]);
    h->llen = 0;
  }
}

double rm_host_steal(const rm_host *h)
{
  return h->ps_steal[0] >= 0 && h->ps_steal[1] >= 0
         ? h->ps_steal[1] - h->ps_steal[0] : NAN;
}

double rm_host_busy(const rm_host *h)
{
  if(h->ps_total[0] < 0 || h->ps_busy[1] < 0 ||
     !(h->ps_total[1] > h->ps_total[0]))
    return NAN;
  return (h->ps_busy[1] - h->ps_busy[0]) / (h->ps_total[1] -
                                              h->ps_total[0]);
}

void rm_keep_err(rm_host *h, const char *b, size_t n)
{
  if(n >= sizeof(h->err))
    b += n - (sizeof(h->err) - 1), n = sizeof(h->err) - 1;
  if(h->elen + n >= sizeof(h->err)) {
    size_t drop = h->elen + n - (sizeof(h->err) - 1);
    memmove(h->err, h->err + drop, h->elen - drop);
    h->elen -= drop;
  }
  memcpy(h->err + h->elen, b, n);
  h->elen += n;
  h->err[h->elen] = '\0';
}

/* The last non-empty line of what the host wrote on stderr. */
const char *rm_last_line(rm_host *h)
{
  char *e = h->err + h->elen, *p;

  while(e > h->err && (e[-1] == '\n' || e[-1] == '\r'))
    *--e = '\0';
  p = strrchr(h->err, '\n');
  return p ? p + 1 : h->err;
}

static int rm_reap(rm_host *h, int block)
{
  int st;

  if(h->status >= 0 || h->pid <= 0)
    return 1;
  if(waitpid(h->pid, &st, block ? 0 : WNOHANG) != h->pid)
    return 0;
  h->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return 1;
}

/* Runs all the hosts' commands (cmds[i]) to their end or the deadline,
 * collecting stdout and stderr; closing their stdin on Ctrl-C. */
void rm_run(rm_host *hs, int n, const char *ssh, char **cmds,
            double deadline, int keep_stdin, rm_tick_fn tick, void *ctx)
{
  struct pollfd pf[2 * RM_MAX_HOSTS];
  int i, live = 0, stdin_closed = 0;

  for(i = 0; i < n; i++) {
    char sshbuf[1024], *words[RM_MAX_WORDS];

    hs[i].status = -1;
    hs[i].len = 0;
    hs[i].elen = 0;
    hs[i].err[0] = '\0';
    hs[i].llen = 0;
    hs[i].mark_start = hs[i].mark_end = 0;
    rm_ps_clear(&hs[i]);
    hs[i].pid = -1;
    if(hs[i].why[0])
      continue;
    snprintf(sshbuf, sizeof(sshbuf), "%s", ssh);
    rm_argv(words, sshbuf, hs[i].name, cmds[i]);
    hs[i].pid = rm_spawn(words, &hs[i].in_fd, &hs[i].out_fd, &hs[i].err_fd,
                         NULL);
    if(hs[i].pid < 0) {
      snprintf(hs[i].why, sizeof(hs[i].why), "cannot start ssh: %s",
               strerror(errno));
      continue;
    }
    if(!keep_stdin) {
      close(hs[i].in_fd);
      hs[i].in_fd = -1;
    }
    live++;
  }
  while(live > 0) {
    int np = 0, t;
    double left = deadline - rm_now();

    if(hb_interrupted() && !stdin_closed) {
      /* the engines stop and send their partial reports */
      for(i = 0; i < n; i++)
        if(hs[i].in_fd >= 0) {
          close(hs[i].in_fd);
          hs[i].in_fd = -1;
        }
      stdin_closed = 1;
      if(deadline > rm_now() + 15)
        deadline = rm_now() + 15;
    }
    if(left <= 0) {
      for(i = 0; i < n; i++)
        if(hs[i].pid > 0 && hs[i].status < 0) {
          kill(hs[i].pid, SIGTERM);
          if(!hs[i].why[0])
            snprintf(hs[i].why, sizeof(hs[i].why), "no answer before the "
                     "deadline: stopped (its engine stops when the "
                     "connection closes)");
        }
      break;
    }
    for(i = 0; i < n; i++) {
      if(hs[i].out_fd >= 0 && hs[i].pid > 0) {
        pf[np].fd = hs[i].out_fd;
        pf[np++].events = POLLIN;
      }
      if(hs[i].err_fd >= 0 && hs[i].pid > 0) {
        pf[np].fd = hs[i].err_fd;
        pf[np++].events = POLLIN;
      }
    }
    if(!np)
      break;
    t = left > 0.2 ? 200 : (int)(left * 1000) + 1;
    if(poll(pf, (nfds_t)np, t) < 0 && errno != EINTR)
      break;
    for(i = 0; i < n; i++) {
      char b[65536];
      ssize_t r;

      if(hs[i].pid <= 0)
        continue;
      while(hs[i].out_fd >= 0) {
        struct pollfd q = { hs[i].out_fd, POLLIN, 0 };
        if(poll(&q, 1, 0) <= 0)
          break;
        r = read(hs[i].out_fd, b, sizeof(b));
        if(r <= 0) {
          close(hs[i].out_fd);
          hs[i].out_fd = -1;
          break;
        }
        if(hs[i].len + (size_t)r + 1 > hs[i].cap) {
          size_t cap = hs[i].cap ? 2 * hs[i].cap : 65536;
          char *p;
          while(cap < hs[i].len + (size_t)r + 1)
            cap *= 2;
          p = cap <= RM_OUT_MAX ? realloc(hs[i].out, cap) : NULL;
          if(!p) {
            snprintf(hs[i].why, sizeof(hs[i].why), "its report is over "
                     "64 MiB or memory ran out");
            kill(hs[i].pid, SIGTERM);
            close(hs[i].out_fd);
            hs[i].out_fd = -1;
            break;
          }
          hs[i].out = p;
          hs[i].cap = cap;
        }
        memcpy(hs[i].out + hs[i].len, b, (size_t)r);
        hs[i].len += (size_t)r;
        hs[i].out[hs[i].len] = '\0';
      }
      while(hs[i].err_fd >= 0) {
        struct pollfd q = { hs[i].err_fd, POLLIN, 0 };
        if(poll(&q, 1, 0) <= 0)
          break;
        r = read(hs[i].err_fd, b, sizeof(b));
        if(r <= 0) {
          close(hs[i].err_fd);
          hs[i].err_fd = -1;
          break;
        }
        rm_keep_err(&hs[i], b, (size_t)r);
        rm_scan_marks(&hs[i], b, (size_t)r);
      }
      if(hs[i].out_fd < 0 && hs[i].err_fd < 0 && hs[i].status < 0 &&
         rm_reap(&hs[i], 0))
        live--;
    }
    if(tick)
      tick(hs, n, ctx);
  }
  for(i = 0; i < n; i++) {
    if(hs[i].pid > 0 && hs[i].status < 0) {
      /* bounded: ssh ends once its pipes are gone */
      double end = rm_now() + 5;
      while(!rm_reap(&hs[i], 0) && rm_now() < end)
        usleep(20000);
      if(hs[i].status < 0) {
        kill(hs[i].pid, SIGKILL);
        rm_reap(&hs[i], 1);
      }
    }
    if(hs[i].in_fd >= 0)
      close(hs[i].in_fd);
    if(hs[i].out_fd >= 0)
      close(hs[i].out_fd);
    if(hs[i].err_fd >= 0)
      close(hs[i].err_fd);
    hs[i].in_fd = hs[i].out_fd = hs[i].err_fd = -1;
  }
}

/* The clock's ping: each host's session says "ready" once it is set up;
 * our line then asks its clock, and the round trip is from that line to
 * the answer's arrival, inside the session (its set-up, slow where the
 * host is loaded, outside it). */
typedef struct rm_ping {
  double t0[RM_MAX_HOSTS], t1[RM_MAX_HOSTS];
  int state[RM_MAX_HOSTS]; /* 0 waiting, 1 asked, 2 answered */
} rm_ping;

static void rm_clock_tick(rm_host *hs, int n, void *ctx)
{
  rm_ping *p = ctx;
  int i;

  for(i = 0; i < n; i++) {
    const char *r = hs[i].out ? strstr(hs[i].out, "ready\n") : NULL;

    if(!r || hs[i].why[0])
      continue;
    if(p->state[i] == 0 && hs[i].in_fd >= 0) {
      p->t0[i] = rm_now();
      if(write(hs[i].in_fd, "\n", 1) == 1)
        p->state[i] = 1;
    }
    else if(p->state[i] == 1 && strchr(r + 6, '\n')) {
      p->t1[i] = rm_now();
      p->state[i] = 2;
    }
  }
}

/* Step 1: clock offsets and versions, three tries per host. */
void rm_clocks(rm_host *hs, int n, const char *ssh, const char *engine)
{
  static rm_ping ping;
  char cmd[4400], *cmds[RM_MAX_HOSTS];
  size_t len = 0;
  int i, k;

  snprintf(cmd, sizeof(cmd), "echo ready; read -r l; date +%%s.%%N; ");
  len = strlen(cmd);
  if(rm_quote(cmd, sizeof(cmd), &len, engine) == 0)
    snprintf(cmd + len, sizeof(cmd) - len, "version");
  for(i = 0; i < n; i++) {
    cmds[i] = cmd;
    hs[i].rtt = INFINITY;
    hs[i].setup = 0;
  }
  for(k = 0; k < 3; k++) {
    double t0 = rm_now(), t1;

    /* all hosts at once, each one's clock asked when its session is up */
    memset(&ping, 0, sizeof(ping));
    rm_run(hs, n, ssh, cmds, t0 + 30, 1, rm_clock_tick, &ping);
    t1 = rm_now();
    for(i = 0; i < n; i++) {
      double remote, a = t0, b = t1;
      char *nl, *r = hs[i].out ? strstr(hs[i].out, "ready\n") : NULL;

      if(hs[i].why[0])
        continue;
      if(hs[i].status != 0 || !r || sscanf(r + 6, "%lf", &remote) != 1) {
        snprintf(hs[i].why, sizeof(hs[i].why), "ssh %s failed (exit %d)%s%s",
                 hs[i].name, hs[i].status, hs[i].elen ? ": " : "",
                 rm_last_line(&hs[i]));
        continue;
      }
      /* the round trip: our line to its answer; when that was missed,
       * the whole ssh call (its set-up included), an upper bound */
      if(ping.state[i] == 2) {
        a = ping.t0[i];
        b = ping.t1[i];
      }
      if(a - t0 > hs[i].setup) /* the longest set-up (asked at once) */
        hs[i].setup = a - t0;
      if(ping.state[i] != 2 && t1 - t0 > hs[i].setup)
        hs[i].setup = t1 - t0;
      if(b - a < hs[i].rtt) {
        hs[i].rtt = b - a;
        hs[i].offset = remote - (a + b) / 2;
      }
      nl = strchr(r + 6, '\n');
      snprintf(hs[i].version, sizeof(hs[i].version), "%s",
               nl ? nl + 1 : "");
      nl = strchr(hs[i].version, '\n');
      if(nl)
        *nl = '\0';
    }
  }
}

int hb_remote_load(const char *engine, const char *hosts, const char *ssh,
                   int argc, char **args, int uargc, char **uargv)
{
  static rm_host hs[RM_MAX_HOSTS];
  char *cmds[RM_MAX_HOSTS];
  const char *json = NULL, *names[RM_MAX_HOSTS];
  json_t *in[RM_MAX_HOSTS], *out = NULL, *remote, *r;
  double rate = 0, dur = 10, warm = 0, tmo = 10, start, maxrtt = 0, lo = 0,
         setup = 0,
         hi = 0;
  int n = 0, i, k, nin = 0, nres = 0, rc = 0, has_n = 0, failed = 0;
  hb_err err = { "" };
  hb_argv av = HB_ARGV_INIT;
  char *const *argv;
  size_t idx;

  hb_signals_install();
  n = rm_hosts_parse("load", "--client-hosts: ", hosts, hs);
  /* what the coordinator needs of the load options; the engine checks
   * them all (a bad one fails on every host with its own message) */
  for(i = 0; i < argc; i++) {
    const char *a = args[i], *v = i + 1 < argc ? args[i + 1] : NULL;

    if(!a)
      break;
    if(!strcmp(a, "--json") && v)
      json = v;
    else if(!strncmp(a, "--json=", 7))
      json = a + 7;
    else if((!strcmp(a, "-R") || !strcmp(a, "--rate")) && v)
      rate = atof(v);
    else if((!strcmp(a, "-d") || !strcmp(a, "--duration")) && v)
      dur = atof(v);
    else if(!strcmp(a, "--warmup") && v)
      warm = atof(v);
    else if(!strcmp(a, "--timeout") && v)
      tmo = atof(v);
    else if(!strcmp(a, "-n") || !strcmp(a, "--requests"))
      has_n = 1;
    else if(!strcmp(a, "--start-at") || !strcmp(a, "--stop-on-eof") ||
            !strcmp(a, "--hold") || !strcmp(a, "--marks"))
      hb_usage_fail("load", "--client-hosts sets %s itself (or does not "
                    "support it)", a);
  }
  if(json && hb_report_check_path(json, &err) != HB_OK)
    hb_usage_fail("load", "--json: %s", err.msg);

  rm_clocks(hs, n, ssh, engine);
  for(i = 0; i < n; i++) {
    if(hs[i].why[0]) {
      fprintf(stderr, "httpsbench load: %s: %s\n", hs[i].name, hs[i].why);
      continue;
    }
    if(hs[i].rtt > maxrtt)
      maxrtt = hs[i].rtt;
    if(hs[i].setup > setup)
      setup = hs[i].setup;
    fprintf(stderr, "httpsbench load: %s: clock %+.3f ms (+-%.3f), %s\n",
            hs[i].name, hs[i].offset * 1e3, hs[i].rtt * 1e3 / 2,
            hs[i].version);
  }
  /* the engine's load command, the same on every host but for its start:
   * without --json (rm_client_cmd adds its own), an open-loop rate the
   * total: each client runs its share */
  hb_argv_add(&av, engine);
  hb_argv_add(&av, "load");
  /* the host's /proc/stat at its window's start and end (on ssh's
   * stderr, with the marks) */
  hb_argv_add(&av, "--marks");
  hb_argv_add(&av, "--procstat");
  for(k = 0; k < argc && args[k]; k++) {
    if(!strcmp(args[k], "--json")) {
      k++;
      continue;
    }
    if(!strncmp(args[k], "--json=", 7))
      continue;
    hb_argv_add(&av, args[k]);
    if((!strcmp(args[k], "-R") || !strcmp(args[k], "--rate")) &&
       k + 1 < argc) {
      hb_argv_addf(&av, "%.6f", rate / n);
      k++;
    }
  }
  argv = hb_argv_get(&av, &err);
  /* room for every ssh to connect */
  start = rm_now() + 1.0 + 2 * maxrtt + setup;
  for(i = 0; i < n; i++) {
    char buf[16384];

    cmds[i] = NULL;
    if(hs[i].why[0])
      continue;
    if(!argv || rm_client_cmd(buf, sizeof(buf), -1, argv,
                              start + hs[i].offset) ||
       !(cmds[i] = strdup(buf)))
      snprintf(hs[i].why, sizeof(hs[i].why), "its command line is too "
               "long");
  }
  hb_argv_free(&av);
  fprintf(stderr, "httpsbench load: %d client hosts start at %.3f\n", n,
          start);
  rm_run(hs, n, ssh, cmds, start + (has_n ? 600 : warm + dur) + tmo + 30,
         1, NULL, NULL);
  for(i = 0; i < n; i++)
    free(cmds[i]);
  failed = rm_collect(hs, n, "load", 0, &lo, &hi);
  for(i = 0; i < n; i++)
    if(hs[i].report) {
      in[nin] = hs[i].report;
      names[nin++] = hs[i].name;
    }
  out = hb_report_new(uargc, uargv);
  if(!out) {
    rc = 1;
    goto done;
  }
  if(nin) {
    int m = hb_merge_load(out, in, names, nin, &nres);
    if(m)
      rc = 1;
  }
  /* how the start went: each client's start on our clock */
  remote = json_array();
  for(i = 0; i < n; i++) {
    json_t *e = rm_host_json(&hs[i], start);

    json_object_set_new(e, "engine_version", json_string(hs[i].version));
    /* the host's steal and its client CPU's busy share over its window */
    json_object_set_new(e, "steal_s", hb_json_num(hs[i].why[0] ? NAN
                                                  : rm_host_steal(&hs[i])));
    json_object_set_new(e, "cpu_busy", hb_json_num(hs[i].why[0] ? NAN
                                                   : rm_host_busy(&hs[i])));
    json_array_append_new(remote, e);
  }
  json_array_foreach(json_object_get(out, "results"), idx, r) {
    json_object_set_new(r, "remote", json_pack("{s:O,s:I,s:o,s:b}",
      "hosts", remote, "start_at_ns", (json_int_t)(start * 1e9),
      "start_skew_ms", hb_json_num(hi >= lo && lo ? (hi - lo) * 1e3 : NAN),
      "partial", failed > 0));
    if(failed)
      hb_res_warn(r, json_sprintf("partial: %d of %d client hosts gave no "
                                  "report (see remote.hosts)", failed, n));
  }
  if(!nres) {
    /* nothing merged: still a report that says which host did what */
    json_t *res = hb_report_add_result(out, "load", "requests", "remote",
                                       "requests/s");
    hb_result_set_status(res, HB_ERROR, "no client host sent a report");
    json_object_set_new(res, "remote", json_pack("{s:O,s:I,s:b}", "hosts",
                        remote, "start_at_ns", (json_int_t)(start * 1e9),
                        "partial", 1));
  }
  json_decref(remote);
  if(failed || !nres)
    rc = 1;
  hb_merge_print(out);
  printf("start skew %.3f ms over %d host%s\n", hi >= lo && lo
         ? (hi - lo) * 1e3 : NAN, nin, nin == 1 ? "" : "s");
  if(hb_report_finish(out, "load", json, hb_interrupted() != 0))
    rc = 1;
done:
  json_decref(out);
  for(i = 0; i < n; i++)
    json_decref(hs[i].report);
  if(hb_interrupted())
    rc = HB_EXIT_INTERRUPTED;
  return rc;
}
