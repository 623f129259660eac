/* httpsbench remote check HOSTS [--backend LIST] [--cpus LIST] [--copy]:
 * what a run over hosts needs of each host, checked before it starts.
 *
 * For every host, over the same ssh command the drivers use: its clock
 * offset (remote.c), its CPU count, whether taskset can pin to the CPUs
 * the drivers pin to, and for each engine whether it is at the same path
 * as here and says the same `version` as ours. --copy sends every missing
 * or different engine to that path over ssh (the binary on ssh's standard
 * input, written to a temporary file and renamed), then checks again.
 * Exit 0 when every host matches, 1 when one does not (the table and the
 * report say what), 2 on bad usage. */
#include <errno.h>
#include <fcntl.h>
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
#include "hb/opts.h"
#include "hb/report.h"
#include "hb/sig.h"

#define RC_MAX_ENG 32

typedef struct rc_eng {
  const char *name;
  char path[4200];
  char version[256];                /* ours */
  char remote[RM_MAX_HOSTS][256];   /* each host's, or "" when missing */
  int missing[RM_MAX_HOSTS];
} rc_eng;

typedef struct rc_info {
  long cpus;
  int taskset;
  int pdcp;                         /* pdcp on the host (for --copy) */
  const char *copied_by;            /* "pdcp", "ssh" or NULL */
  char pins[128];                   /* "0 ok, 1 ok" */
} rc_info;

/* Runs the check command on every host (through one pdsh, or ssh to
 * each): CPUs, taskset, pinning, pdcp, each engine's version. */
static void rc_probe(rm_host *hs, int n, const char *ssh, int pdsh,
                     rc_eng *e, int ne, const char *cpus, rc_info *info)
{
  char cmd[32768], *cmds[RM_MAX_HOSTS];
  size_t len;
  int i, k, bad = 0;

  snprintf(cmd, sizeof(cmd), "nproc 2>/dev/null || echo 0; if command -v "
           "taskset >/dev/null 2>&1; then echo taskset; for c in %s; do "
           "taskset -c $c true 2>/dev/null && echo \"pin $c ok\" || echo "
           "\"pin $c no\"; done; else echo none; fi; command -v pdcp "
           ">/dev/null 2>&1 && echo 'pdcp yes' || echo 'pdcp no'; for e in ",
           cpus);
  len = strlen(cmd);
  for(k = 0; k < ne; k++)
    bad |= rm_quote(cmd, sizeof(cmd), &len, e[k].path);
  if(!bad)
    snprintf(cmd + len, sizeof(cmd) - len, "; do if [ -x \"$e\" ]; then "
             "echo \"ok $(\"$e\" version 2>/dev/null | head -n 1)\"; else "
             "echo missing; fi; done");
  for(i = 0; i < n; i++)
    cmds[i] = cmd;
  if(pdsh)
    rm_pdsh_run(hs, n, ssh, cmd, NULL, rm_now() + 60);
  else
    rm_run(hs, n, ssh, cmds, rm_now() + 60, 0, NULL, NULL);
  for(i = 0; i < n; i++) {
    char *save = NULL, *line;
    int eng = 0;
    const char *by = info[i].copied_by;

    memset(&info[i], 0, sizeof(info[i]));
    info[i].copied_by = by;
    if(hs[i].why[0])
      continue;
    if(hs[i].status != 0 || !hs[i].out) {
      snprintf(hs[i].why, sizeof(hs[i].why), "the check failed on it "
               "(exit %d)%s%s", hs[i].status, hs[i].elen ? ": " : "",
               rm_last_line(&hs[i]));
      continue;
    }
    line = strtok_r(hs[i].out, "\n", &save);
    info[i].cpus = line ? atol(line) : 0;
    line = strtok_r(NULL, "\n", &save);
    info[i].taskset = line && !strcmp(line, "taskset");
    for(line = strtok_r(NULL, "\n", &save); line;
        line = strtok_r(NULL, "\n", &save)) {
      if(!strncmp(line, "pin ", 4)) {
        size_t l = strlen(info[i].pins);
        snprintf(info[i].pins + l, sizeof(info[i].pins) - l, "%s%s",
                 l ? ", " : "", line + 4);
        continue;
      }
      if(!strncmp(line, "pdcp ", 5)) {
        info[i].pdcp = !strcmp(line + 5, "yes");
        continue;
      }
      if(eng >= ne)
        break;
      e[eng].missing[i] = strcmp(line, "missing") == 0;
      snprintf(e[eng].remote[i], sizeof(e[eng].remote[i]), "%s",
               !strncmp(line, "ok ", 3) ? line + 3 : "");
      eng++;
    }
    free(hs[i].out);
    hs[i].out = NULL;
    hs[i].cap = hs[i].len = 0;
  }
}

/* Sends one engine to host over ssh; 0 when it arrived. */
static int rc_copy(const char *ssh, const char *host, const char *path,
                   char *why, size_t size)
{
  char cmd[16384] = "", sshbuf[1024], *words[RM_MAX_WORDS], tmp[4300],
       buf[65536];
  size_t len = 0;
  int in = -1, out = -1, fd, st, bad = 0;
  ssize_t r;
  pid_t pid;
  char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;

  if(!slash) {
    free(dir);
    snprintf(why, size, "no directory in %s", path);
    return -1;
  }
  *slash = '\0';
  snprintf(tmp, sizeof(tmp), "%s.copy-tmp", path);
  snprintf(cmd, sizeof(cmd), "set -e; mkdir -p ");
  len = strlen(cmd);
  bad |= rm_quote(cmd, sizeof(cmd), &len, dir[0] ? dir : "/");
  free(dir);
  snprintf(cmd + len, sizeof(cmd) - len, "; cat > ");
  len = strlen(cmd);
  bad |= rm_quote(cmd, sizeof(cmd), &len, tmp);
  snprintf(cmd + len, sizeof(cmd) - len, "; chmod 755 ");
  len = strlen(cmd);
  bad |= rm_quote(cmd, sizeof(cmd), &len, tmp);
  snprintf(cmd + len, sizeof(cmd) - len, "; mv -f ");
  len = strlen(cmd);
  bad |= rm_quote(cmd, sizeof(cmd), &len, tmp);
  bad |= rm_quote(cmd, sizeof(cmd), &len, path);
  if(bad) {
    snprintf(why, size, "the path is too long");
    return -1;
  }
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if(fd < 0) {
    snprintf(why, size, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  snprintf(sshbuf, sizeof(sshbuf), "%s", ssh);
  rm_argv(words, sshbuf, host, cmd);
  pid = rm_spawn(words, &in, &out, NULL, NULL);
  if(pid < 0) {
    close(fd);
    snprintf(why, size, "cannot start ssh");
    return -1;
  }
  close(out);
  while((r = read(fd, buf, sizeof(buf))) > 0) {
    ssize_t off = 0;
    while(off < r) {
      ssize_t w = write(in, buf + off, (size_t)(r - off));
      if(w < 0 && errno == EINTR)
        continue;
      if(w <= 0)
        break;
      off += w;
    }
    if(off < r)
      break;
  }
  close(fd);
  close(in);
  while(waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  if(!WIFEXITED(st) || WEXITSTATUS(st)) {
    snprintf(why, size, "copying %s failed (ssh or the remote shell "
             "exited %d)", path, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return -1;
  }
  return 0;
}

/* --copy through pdsh: for each engine, the hosts that need it and
 * have pdcp get it by one pdcp to a temporary file beside the path (its
 * directory made first), renamed by one pdsh; the others by rc_copy.
 * The number of copies tried. */
static int rc_copy_pdsh(rm_host *hs, int n, const char *ssh, rc_eng *e,
                        int ne, rc_info *info)
{
  static int want[RM_MAX_HOSTS];
  int i, k, copied = 0;

  for(k = 0; k < ne; k++) {
    char cmd[16384], tmp[4300], *dir = strdup(e[k].path), *slash;
    size_t len;
    int any = 0, bad = 0, rc;

    slash = dir ? strrchr(dir, '/') : NULL;
    if(slash)
      *slash = '\0';
    for(i = 0; i < n; i++) {
      want[i] = !hs[i].why[0] && (e[k].missing[i] ||
                                  strcmp(e[k].remote[i], e[k].version));
      copied += want[i];
      if(want[i] && (!info[i].pdcp || !slash)) { /* ssh, one by one */
        char why[300];
        want[i] = 0;
        info[i].copied_by = "ssh";
        fprintf(stderr, "httpsbench remote: %s: copying %s (ssh: no pdcp "
                "there)\n", hs[i].name, e[k].path);
        if(rc_copy(ssh, hs[i].name, e[k].path, why, sizeof(why)))
          fprintf(stderr, "httpsbench remote: %s: %s\n", hs[i].name, why);
      }
      any |= want[i];
    }
    if(!any) {
      free(dir);
      continue;
    }
    snprintf(tmp, sizeof(tmp), "%s.copy-tmp", e[k].path);
    snprintf(cmd, sizeof(cmd), "mkdir -p ");
    len = strlen(cmd);
    bad |= rm_quote(cmd, sizeof(cmd), &len, dir[0] ? dir : "/");
    free(dir);
    if(bad)
      continue;
    for(i = 0; i < n; i++)
      if(want[i])
        fprintf(stderr, "httpsbench remote: %s: copying %s (pdcp)\n",
                hs[i].name, e[k].path);
    rm_pdsh_run(hs, n, ssh, cmd, want, rm_now() + 60);
    for(i = 0; i < n; i++)
      if(want[i] && (hs[i].why[0] || hs[i].status)) {
        fprintf(stderr, "httpsbench remote: %s: mkdir failed (exit %d)%s%s"
                "\n", hs[i].name, hs[i].status, hs[i].elen ? ": " : "",
                rm_last_line(&hs[i]));
        want[i] = 0;
      }
    rc = rm_pdcp(hs, n, want, ssh, e[k].path, tmp, rm_now() + 300);
    for(i = 0; i < n; i++)
      if(want[i] && (rc < 0 || hs[i].status)) {
        fprintf(stderr, "httpsbench remote: %s: pdcp failed (exit %d)%s%s"
                "\n", hs[i].name, rc < 0 ? rc : hs[i].status,
                hs[i].elen ? ": " : "", rm_last_line(&hs[i]));
        want[i] = 0;
      }
    snprintf(cmd, sizeof(cmd), "chmod 755 ");
    len = strlen(cmd);
    bad |= rm_quote(cmd, sizeof(cmd), &len, tmp);
    snprintf(cmd + len, sizeof(cmd) - len, "&& mv -f ");
    len = strlen(cmd);
    bad |= rm_quote(cmd, sizeof(cmd), &len, tmp);
    bad |= rm_quote(cmd, sizeof(cmd), &len, e[k].path);
    if(bad)
      continue;
    rm_pdsh_run(hs, n, ssh, cmd, want, rm_now() + 60);
    for(i = 0; i < n; i++) {
      if(!want[i])
        continue;
      info[i].copied_by = "pdcp";
      if(hs[i].why[0] || hs[i].status)
        fprintf(stderr, "httpsbench remote: %s: renaming %s failed (exit "
                "%d)%s%s\n", hs[i].name, tmp, hs[i].status,
                hs[i].elen ? ": " : "", rm_last_line(&hs[i]));
    }
  }
  return copied;
}

static int rc_cpus_ok(const char *v)
{
  for(; *v; v++)
    if(!(*v >= '0' && *v <= '9') && *v != ' ')
      return 0;
  return 1;
}

int hb_cmd_remote(int argc, char **argv)
{
  static rm_host hs[RM_MAX_HOSTS];
  static rc_eng e[RC_MAX_ENG];
  static rc_info info[RM_MAX_HOSTS];
  const char *ssh = "ssh -o BatchMode=yes", *backend = "all", *json = NULL,
             *cpus_opt = "0,1", *fanout = "auto", *sel[RC_MAX_ENG];
  char fan_why[400] = "";
  int pdsh = 0;
  char cpus[128];
  int copy = 0, first, n = 0, ne, i, k, pass, rc = 0;
  hb_err err = { "" };
  json_t *report, *arr;
  const hb_opt opts[] = {
    { "ssh", 0, HB_OPT_STRING, &ssh, "CMD",
      "the ssh command (default 'ssh -o BatchMode=yes')", 0, 0, NULL, NULL,
      NULL },
    { "backend", 0, HB_OPT_STRING, &backend, "LIST|all",
      "the engines to check (default all built; plain\nalways)", 0, 0,
      NULL, NULL, NULL },
    { "cpus", 0, HB_OPT_STRING, &cpus_opt, "LIST",
      "the CPUs pinning must work on (default 0,1:\nthe drivers' "
      "--server-cpu and --client-cpu)", 0, 0, NULL, NULL, NULL },
    { "copy", 0, HB_OPT_FLAG, &copy, NULL,
      "send missing or different engines to each host\n(same path, over "
      "ssh), then check again", 0, 0, NULL, NULL, NULL },
    { "fanout", 0, HB_OPT_STRING, &fanout, "auto|pdsh|ssh",
      "how the commands reach the hosts: one pdsh\n(its ssh module; "
      "--copy by pdcp) or ssh to\neach; auto (default): pdsh where it "
      "is\ninstalled and fits", 0, 0, NULL, NULL, NULL },
    { "json", 0, HB_OPT_STRING, &json, "FILE", "write the result as JSON",
      0, 0, NULL, NULL, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "remote",
    "usage: httpsbench remote check H1,H2,... [options]\n"
    "Checks what a run over hosts (throughput --hosts, load\n"
    "--client-hosts) needs of each [user@]host, over ssh: the engines at\n"
    "the same path as here saying the same version, the CPU count and\n"
    "whether taskset pins to the drivers' CPUs, and the clock offset\n"
    "(with its uncertainty, half the ssh round trip).\n\n",
    "Exit status: 0 every host matches, 1 one does not, 2 usage.\n", opts };

  first = hb_opts_parse(&spec, argc, argv);
  if(first >= argc || strcmp(argv[first], "check"))
    hb_usage_fail("remote", "the subcommand is check: httpsbench remote "
                  "check HOSTS");
  if(first + 2 != argc)
    hb_usage_fail("remote", "check takes one list of hosts H1,H2,...");
  if(json && hb_report_check_path(json, &err) != HB_OK)
    hb_usage_fail("remote", "--json: %s", err.msg);
  snprintf(cpus, sizeof(cpus), "%s", cpus_opt);
  for(i = 0; cpus[i]; i++)
    if(cpus[i] == ',')
      cpus[i] = ' ';
  if(!cpus[0] || !rc_cpus_ok(cpus))
    hb_usage_fail("remote", "--cpus: '%s' is not a list of CPU numbers",
                  cpus_opt);
  n = rm_hosts_parse("remote", "", argv[first + 1], hs);
  if(strcmp(fanout, "auto") && strcmp(fanout, "pdsh") &&
     strcmp(fanout, "ssh"))
    hb_usage_fail("remote", "--fanout: '%s' is not auto, pdsh or ssh",
                  fanout);
  if(strcmp(fanout, "ssh"))
    pdsh = rm_pdsh_usable(ssh, hs, n, fan_why, sizeof(fan_why)) == 0;
  else
    snprintf(fan_why, sizeof(fan_why), "--fanout ssh");
  if(!strcmp(fanout, "pdsh") && !pdsh)
    hb_usage_fail("remote", "--fanout pdsh: %s", fan_why);
  ne = hb_select_backends("remote", backend, 0, sel, RC_MAX_ENG - 1);
  for(k = 0; k < ne && strcmp(sel[k], "plain"); k++)
    ;
  if(k == ne)
    sel[ne++] = "plain";
  for(k = 0; k < ne; k++) {
    char *vargs[] = { e[k].path, "version", NULL };
    memset(&e[k], 0, sizeof(e[k]));
    e[k].name = sel[k];
    hb_engine_path(sel[k], e[k].path, sizeof(e[k].path));
    hb_engine_capture(vargs, e[k].version, sizeof(e[k].version));
  }
  hb_signals_install();
  memset(info, 0, sizeof(info));
  /* the clock only, by ssh: it needs each session's input, which pdsh
   * does not forward; the engines below */
  rm_clocks(hs, n, ssh, "true");
  for(pass = 0; pass < 2; pass++) {
    int copied = 0;
    rc_probe(hs, n, ssh, pdsh, e, ne, cpus, info);
    if(!copy || pass)
      break;
    if(pdsh) {
      if(!rc_copy_pdsh(hs, n, ssh, e, ne, info))
        break;
      continue;
    }
    for(i = 0; i < n; i++)
      for(k = 0; k < ne && !hs[i].why[0]; k++)
        if(e[k].missing[i] || strcmp(e[k].remote[i], e[k].version)) {
          char why[300];
          fprintf(stderr, "httpsbench remote: %s: copying %s\n",
                  hs[i].name, e[k].path);
          if(rc_copy(ssh, hs[i].name, e[k].path, why, sizeof(why)))
            fprintf(stderr, "httpsbench remote: %s: %s\n", hs[i].name, why);
          info[i].copied_by = "ssh";
          copied++;
        }
    if(!copied)
      break;
  }
  report = hb_report_new(argc, argv);
  arr = json_array();
  printf("fan-out: %s%s%s%s\n", pdsh ? "pdsh (its ssh module)"
         : "ssh to each host", fan_why[0] ? " (" : "", fan_why,
         fan_why[0] ? ")" : "");
  printf("%-28s %12s %9s %5s  %-14s %s\n", "host", "clock ms", "+-ms",
         "cpus", "pinning", "engines");
  for(i = 0; i < n; i++) {
    json_t *o = json_object(), *engs = json_object();
    int same = 0, miss = 0, differ = 0;
    char pin[160];

    json_object_set_new(o, "host", json_string(hs[i].name));
    if(hs[i].why[0]) {
      printf("%-28s error: %s\n", hs[i].name, hs[i].why);
      json_object_set_new(o, "status", json_string("error"));
      json_object_set_new(o, "error", json_string(hs[i].why));
      json_array_append_new(arr, o);
      json_decref(engs);
      rc = 1;
      continue;
    }
    for(k = 0; k < ne; k++) {
      const char *st = e[k].missing[i] ? "missing"
                       : strcmp(e[k].remote[i], e[k].version) ? "differs"
                       : "same";
      miss += e[k].missing[i];
      differ += !e[k].missing[i] && !!strcmp(e[k].remote[i],
                                             e[k].version);
      same += !strcmp(st, "same");
      json_object_set_new(engs, e[k].name, json_pack("{s:s,s:s,s:s,s:s}",
        "path", e[k].path, "status", st, "local_version", e[k].version,
        "remote_version", e[k].remote[i]));
      if(strcmp(st, "same"))
        fprintf(stderr, "httpsbench remote: %s: %s %s%s%s%s\n", hs[i].name,
                e[k].path, st, strcmp(st, "differs") ? "" : ": '",
                strcmp(st, "differs") ? "" : e[k].remote[i],
                strcmp(st, "differs") ? "" : "'");
    }
    snprintf(pin, sizeof(pin), "%s", info[i].taskset ? info[i].pins
             : "no taskset");
    printf("%-28s %+12.3f %9.3f %5ld  %-14s %d same, %d missing, %d "
           "differ\n", hs[i].name, hs[i].offset * 1e3, hs[i].rtt * 1e3 / 2,
           info[i].cpus, pin, same, miss, differ);
    json_object_set_new(o, "status", json_string(miss || differ
                                                 ? "mismatch" : "ok"));
    json_object_set_new(o, "clock_offset_ms", hb_json_num(hs[i].offset *
                                                          1e3));
    json_object_set_new(o, "offset_uncertainty_ms",
                        hb_json_num(hs[i].rtt * 1e3 / 2));
    json_object_set_new(o, "cpus", json_integer(info[i].cpus));
    json_object_set_new(o, "taskset", json_boolean(info[i].taskset));
    json_object_set_new(o, "pinning", json_string(pin));
    json_object_set_new(o, "engines", engs);
    json_object_set_new(o, "pdcp", json_boolean(info[i].pdcp));
    if(info[i].copied_by)
      json_object_set_new(o, "copied_by", json_string(info[i].copied_by));
    json_array_append_new(arr, o);
    if(miss || differ || !info[i].taskset || strstr(pin, " no"))
      rc = 1;
  }
  for(i = 0; i < n; i++) {
    free(hs[i].out);
    hs[i].out = NULL;
  }
  json_object_set_new(report, "remote_check", arr);
  json_object_set_new(report, "remote_fanout", json_pack("{s:s,s:s,s:s}",
    "asked", fanout, "used", pdsh ? "pdsh" : "ssh", "why", fan_why));
  if(json && hb_report_write(report, json, 0, &err) != HB_OK) {
    fprintf(stderr, "httpsbench remote: %s\n", err.msg);
    rc = 1;
  }
  json_decref(report);
  return hb_interrupted() ? HB_EXIT_INTERRUPTED : rc;
}
