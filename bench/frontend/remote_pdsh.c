/* Fan-out through pdsh (Debian's pdsh package) where it fits: one
 * command, the same on every host, with no input (issue #16). `remote
 * check` reads every host's engines, CPUs and pinning that way and
 * `--copy` sends engines with pdcp. The clocks and the drivers' engines
 * never go through it: each needs its own standard input (a clock is
 * asked by a line once the session is up; its end stops an engine,
 * --stop-on-eof; the server's wrapper turns its lines into snapshots)
 * and the clients their own start times, and pdsh forwards no input and
 * runs one command everywhere.
 *
 * pdsh runs our ssh command through its ssh module: the command's first
 * word must be ssh, its other words go to PDSH_SSH_ARGS_APPEND (pdsh puts
 * them before the host, as we do), user@host is pdsh's own syntax. Its
 * output lines come back as "ADDRESS: line" (user@ dropped), so the
 * hosts' addresses must differ; a host's failure is pdsh's line "pdsh@X:
 * ADDRESS: ssh exited with exit code N". */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb/sig.h"
#include "remote.h"

#define PD_OUT_MAX (16u << 20) /* a host's output above 16 MiB is cut */

/* Whether prog is an executable file on PATH. */
static int pd_on_path(const char *prog)
{
  const char *path = getenv("PATH"), *p, *e;
  char buf[4200];

  for(p = path ? path : "/usr/bin:/bin"; *p; p = *e ? e + 1 : e) {
    e = strchr(p, ':');
    if(!e)
      e = p + strlen(p);
    snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p, prog);
    if(e > p && access(buf, X_OK) == 0)
      return 1;
  }
  return 0;
}

int rm_pdsh_usable(const char *ssh, const rm_host *hs, int n, char *why,
                   size_t size)
{
  char sshbuf[1024], *words[RM_MAX_WORDS], *base;
  int i, k;

  if(!pd_on_path("pdsh") || !pd_on_path("pdcp")) {
    snprintf(why, size, "pdsh is not installed here (Debian: pdsh)");
    return -1;
  }
  snprintf(sshbuf, sizeof(sshbuf), "%s", ssh);
  rm_argv(words, sshbuf, "-", "-");
  base = strrchr(words[0], '/');
  if(strcmp(base ? base + 1 : words[0], "ssh")) {
    snprintf(why, size, "the ssh command '%s' is not ssh: pdsh's ssh "
             "module runs ssh", words[0]);
    return -1;
  }
  for(i = 0; i < n; i++) {
    char a[256], b[256];

    rm_host_addr(hs[i].name, a, sizeof(a));
    if(strchr(hs[i].name, ',') || !a[0]) {
      snprintf(why, size, "%s is not a host name pdsh takes", hs[i].name);
      return -1;
    }
    for(k = 0; k < i; k++) {
      rm_host_addr(hs[k].name, b, sizeof(b));
      if(!strcmp(a, b)) {
        snprintf(why, size, "%s and %s are one address to pdsh, which "
                 "names hosts by it", hs[k].name, hs[i].name);
        return -1;
      }
    }
  }
  return 0;
}

/* argv of `env PDSH_SSH_ARGS_APPEND=... PROG -R ssh -w LIST` into av,
 * the hosts in only (NULL: all without why). 0, or -1 when none. */
static int pd_argv(hb_argv *av, const char *prog, const rm_host *hs, int n,
                   const int *only, const char *ssh)
{
  char sshbuf[1024], *words[RM_MAX_WORDS], app[1100], *list;
  size_t len = 0, cap = 1;
  int i, k, nw, any = 0;

  snprintf(sshbuf, sizeof(sshbuf), "%s", ssh);
  nw = rm_argv(words, sshbuf, "-", "-") - 2; /* without the host, cmd */
  app[0] = '\0';
  for(k = 1; k < nw; k++) {
    size_t l = strlen(app);
    snprintf(app + l, sizeof(app) - l, "%s%s", l ? " " : "", words[k]);
  }
  for(i = 0; i < n; i++)
    cap += strlen(hs[i].name) + 1;
  list = malloc(cap);
  if(!list)
    return -1;
  list[0] = '\0';
  for(i = 0; i < n; i++) {
    if(hs[i].why[0] || (only && !only[i]))
      continue;
    len += (size_t)snprintf(list + len, cap - len, "%s%s", len ? "," : "",
                            hs[i].name);
    any = 1;
  }
  hb_argv_add(av, "env");
  hb_argv_addf(av, "PDSH_SSH_ARGS_APPEND=%s", app);
  hb_argv_add(av, prog);
  hb_argv_add(av, "-R");
  hb_argv_add(av, "ssh");
  hb_argv_add(av, "-f");
  hb_argv_addf(av, "%d", RM_MAX_HOSTS);
  hb_argv_add(av, "-w");
  hb_argv_add(av, list);
  free(list);
  return any ? 0 : -1;
}

/* The host an "ADDRESS: ..." line is of (the longest address that
 * prefixes it), its text after the prefix in *text; -1 when none. */
static int pd_host_of(rm_host *hs, int n, const char *line,
                      const char **text)
{
  int i, best = -1;
  size_t bl = 0;

  for(i = 0; i < n; i++) {
    char a[256];
    size_t l;

    rm_host_addr(hs[i].name, a, sizeof(a));
    l = strlen(a);
    if(l > bl && !strncmp(line, a, l) && line[l] == ':' &&
       line[l + 1] == ' ') {
      best = i;
      bl = l;
    }
  }
  if(best >= 0)
    *text = line + bl + 2;
  return best;
}

static void pd_out(rm_host *h, const char *s)
{
  size_t l = strlen(s);

  if(h->len + l + 2 > h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 4096;
    char *p;

    while(cap < h->len + l + 2)
      cap *= 2;
    p = cap <= PD_OUT_MAX ? realloc(h->out, cap) : NULL;
    if(!p)
      return;
    h->out = p;
    h->cap = cap;
  }
  memcpy(h->out + h->len, s, l);
  h->len += l;
  h->out[h->len++] = '\n';
  h->out[h->len] = '\0';
}

/* One line pdsh wrote: on stdout a host's output, on stderr a host's
 * error output or pdsh's own "pdsh@X: ADDRESS: ..." about it. */
static void pd_line(rm_host *hs, int n, const int *only, char *line,
                    int err)
{
  const char *text = NULL;
  int i, code;

  if(err && !strncmp(line, "pd", 2) && strchr(line, '@') &&
     strstr(line, ": ")) {
    char *p = strstr(line, ": ") + 2; /* after "pdsh@X: " */

    i = pd_host_of(hs, n, p, &text);
    if(i < 0 || (only && !only[i]))
      return;
    if(sscanf(text, "ssh exited with exit code %d", &code) == 1)
      hs[i].status = code;
    else {
      rm_keep_err(&hs[i], text, strlen(text));
      rm_keep_err(&hs[i], "\n", 1);
    }
    return;
  }
  i = pd_host_of(hs, n, line, &text);
  if(i < 0 || (only && !only[i]))
    return;
  if(err) {
    rm_keep_err(&hs[i], text, strlen(text));
    rm_keep_err(&hs[i], "\n", 1);
  }
  else
    pd_out(&hs[i], text);
}

/* Runs argv (pdsh or pdcp) to its end or the deadline, each of its
 * lines to pd_line. Its exit status, or -1 when it could not start or
 * was stopped at the deadline. */
static int pd_exec(char *const *argv, rm_host *hs, int n, const int *only,
                   double deadline)
{
  char buf[2][16384], chunk[8192];
  size_t blen[2] = { 0, 0 };
  int in = -1, fd[2] = { -1, -1 }, st, k, late = 0;
  pid_t pid = rm_spawn(argv, &in, &fd[0], &fd[1], NULL);

  if(pid < 0)
    return -1;
  close(in); /* pdsh forwards no input: it gets none */
  while(fd[0] >= 0 || fd[1] >= 0) {
    struct pollfd pf[2];
    int np = 0;
    double left = deadline - rm_now();

    if(left <= 0 || hb_interrupted()) {
      late = 1;
      kill(pid, SIGTERM);
      break;
    }
    for(k = 0; k < 2; k++)
      if(fd[k] >= 0) {
        pf[np].fd = fd[k];
        pf[np++].events = POLLIN;
      }
    if(poll(pf, (nfds_t)np, left > 0.2 ? 200 : (int)(left * 1000) + 1) < 0
       && errno != EINTR)
      break;
    for(k = 0; k < 2; k++) {
      struct pollfd q;
      ssize_t r;
      size_t i;

      if(fd[k] < 0)
        continue;
      q.fd = fd[k];
      q.events = POLLIN;
      if(poll(&q, 1, 0) <= 0)
        continue;
      r = read(fd[k], chunk, sizeof(chunk));
      if(r <= 0) {
        close(fd[k]);
        fd[k] = -1;
        if(blen[k]) { /* a last line without its newline */
          buf[k][blen[k]] = '\0';
          pd_line(hs, n, only, buf[k], k);
          blen[k] = 0;
        }
        continue;
      }
      for(i = 0; i < (size_t)r; i++) {
        if(chunk[i] != '\n') {
          if(blen[k] + 1 < sizeof(buf[k]))
            buf[k][blen[k]++] = chunk[i];
          continue;
        }
        buf[k][blen[k]] = '\0';
        pd_line(hs, n, only, buf[k], k);
        blen[k] = 0;
      }
    }
  }
  for(k = 0; k < 2; k++)
    if(fd[k] >= 0)
      close(fd[k]);
  for(k = 0; k < 250 && waitpid(pid, &st, WNOHANG) == 0; k++)
    usleep(20000);
  if(k == 250) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
  }
  if(late)
    return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The hosts' output, errors and status cleared before a run. */
static void pd_reset(rm_host *hs, int n, const int *only)
{
  int i;

  for(i = 0; i < n; i++) {
    if(only && !only[i])
      continue;
    hs[i].len = 0;
    hs[i].elen = 0;
    hs[i].err[0] = '\0';
    if(hs[i].out)
      hs[i].out[0] = '\0';
    hs[i].status = hs[i].why[0] ? -1 : 0; /* ok unless pdsh says not */
  }
}

void rm_pdsh_run(rm_host *hs, int n, const char *ssh, const char *cmd,
                 const int *only, double deadline)
{
  hb_argv av = HB_ARGV_INIT;
  hb_err err = { "" };
  char *const *argv;
  int i, rc = -1;

  pd_reset(hs, n, only);
  if(pd_argv(&av, "pdsh", hs, n, only, ssh) == 0) {
    hb_argv_add(&av, cmd);
    argv = hb_argv_get(&av, &err);
    rc = argv ? pd_exec(argv, hs, n, only, deadline) : -1;
  }
  else
    rc = 0; /* no host to run it on */
  hb_argv_free(&av);
  if(rc == 0)
    return;
  for(i = 0; i < n; i++)
    if(!hs[i].why[0] && (!only || only[i]))
      snprintf(hs[i].why, sizeof(hs[i].why), "pdsh %s", rc < 0
               ? "did not finish before the deadline, or could not start"
               : "failed (see its messages)");
}

int rm_pdcp(rm_host *hs, int n, const int *only, const char *ssh,
            const char *path, const char *dest, double deadline)
{
  hb_argv av = HB_ARGV_INIT;
  hb_err err = { "" };
  char *const *argv;
  int rc = -1;

  pd_reset(hs, n, only);
  if(pd_argv(&av, "pdcp", hs, n, only, ssh) == 0) {
    hb_argv_add(&av, "-p"); /* the mode, so it stays executable */
    hb_argv_add(&av, path);
    hb_argv_add(&av, dest);
    argv = hb_argv_get(&av, &err);
    rc = argv ? pd_exec(argv, hs, n, only, deadline) : -1;
  }
  hb_argv_free(&av);
  return rc;
}
