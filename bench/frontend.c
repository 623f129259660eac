/* httpsbench: the front end. It links no TLS library; every library's work
 * runs in an engine process of its own (see bench/engine.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "frontend.h"
#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/engine_run.h"
#include "hb/report.h"
#include "hb/scripts.h"
#include "hb/sig.h"
#include "hb_buildinfo.h"

static const char *const all_backends[] = HB_BACKEND_NAMES;

static int is_built(const char *name)
{
  char list[] = HB_BUILT, *save = NULL, *t, path[4200];

  if(!strcmp(name, "plain"))
    return 1;
  for(t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
    if(!strcmp(t, name))
      return hb_engine_path(name, path, sizeof(path)) == 0;
  return 0;
}

int hb_select_backends(const char *cmd, const char *spec, int want_crypto,
                       const char **out, int max)
{
  int n = 0, i;

  if(!spec || !strcmp(spec, "all")) {
    for(i = 0; i < HB_BACKEND_COUNT && n < max; i++)
      if(is_built(all_backends[i]) &&
         !(want_crypto && !strcmp(all_backends[i], "plain")))
        out[n++] = all_backends[i];
    if(n == 0)
      hb_usage_fail(cmd, "no TLS backend was built");
    return n;
  }
  {
    char *copy = strdup(spec), *save = NULL, *t;
    for(t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
      int known = -1;
      for(i = 0; i < HB_BACKEND_COUNT; i++)
        if(!strcmp(t, all_backends[i]))
          known = i;
      if(known < 0)
        hb_usage_fail(cmd, "--backend: unknown backend '%s' (known: "
                      "openssl, boringssl, gnutls, wolfssl, mbedtls, plain,"
                      " all)", t);
      if(want_crypto && known == HB_BACKEND_COUNT - 1)
        hb_usage_fail(cmd, "--backend: 'plain' has no cryptography");
      if(!is_built(t))
        hb_usage_fail(cmd, "--backend: '%s' was not built (its library "
                      "was missing at configure time)", t);
      for(i = 0; i < n; i++)
        if(out[i] == all_backends[known])
          break;
      if(i == n && n < max)
        out[n++] = all_backends[known];
    }
    free(copy);
  }
  return n;
}

static char server_log[4200];

void hb_server_log_set(const char *tmpdir)
{
  snprintf(server_log, sizeof(server_log), "%s/servers.log", tmpdir);
}

const char *hb_server_log(void)
{
  return server_log[0] ? server_log : NULL;
}

void hb_server_log_flush(void)
{
  FILE *f = server_log[0] ? fopen(server_log, "r") : NULL;
  char line[1024];
  int n = 0;

  while(f && fgets(line, sizeof(line), f)) {
    if(!n++)
      fprintf(stderr, "server messages:\n");
    fprintf(stderr, "  %s", line);
  }
  if(f)
    fclose(f);
  if(server_log[0])
    unlink(server_log);
  server_log[0] = '\0';
}

int hb_server_start(const char *backend, char *const args[], int cpu,
                    hb_server *s, hb_err *err)
{
  char line[256] = "", path[4200];
  char *argv[32];
  int n = 0, i;

  memset(s, 0, sizeof(*s));
  if(hb_engine_path(backend, path, sizeof(path)))
    return hb_err_set(err, HB_ERROR, "no engine for %s", backend);
  argv[n++] = path;
  argv[n++] = "server";
  argv[n++] = "--listen";
  argv[n++] = "127.0.0.1:0";
  for(i = 0; args[i] && n < 31; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  s->pid = hb_engine_spawn_log(argv, cpu, &s->out_fd, hb_server_log());
  if(s->pid < 0)
    return hb_err_set(err, HB_ERROR, "cannot start %s", path);
  if(hb_read_line(s->out_fd, line, sizeof(line), 60000) ||
     sscanf(line, "listening on %*[^:]:%d", &s->port) != 1) {
    int unsupported = !strncmp(line, "unsupported: ", 13);
    kill(s->pid, SIGKILL);
    hb_engine_wait(s->pid);
    close(s->out_fd);
    s->pid = 0;
    if(unsupported)
      return hb_err_set(err, HB_UNSUPPORTED, "%s server: %s", backend,
                        line + 13);
    return hb_err_set(err, HB_ERROR, "%s server did not start%s%s",
                      backend, line[0] ? ": " : "", line);
  }
  return HB_OK;
}

int hb_parse_cpu(const char *cmd, const char *opt, const char *value)
{
  long cpu;

  if(hb_parse_int(value, 0, 4095, &cpu))
    hb_usage_fail(cmd, "%s: '%s' is not a CPU number", opt, value);
  return (int)cpu;
}

void hb_server_stop(hb_server *s)
{
  if(s->pid > 0) {
    kill(s->pid, SIGTERM);
    hb_engine_wait(s->pid);
    close(s->out_fd);
    s->pid = 0;
  }
}

static void backends_usage(FILE *f)
{
  fprintf(f, "usage: httpsbench backends [--json FILE]\n"
             "Lists every backend, whether it was built, and the runtime "
             "version of its library.\n");
}

int hb_cmd_backends(int argc, char **argv)
{
  const char *json = NULL;
  json_t *report = NULL;
  hb_err err = { "" };
  int i;

  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      backends_usage(stdout);
      return 0;
    }
    else if(!strcmp(argv[i], "--json") && i + 1 < argc)
      json = argv[++i];
    else
      hb_usage_fail("backends", "unexpected argument '%s'", argv[i]);
  }
  if(json && hb_report_check_path(json, &err) != HB_OK)
    hb_usage_fail("backends", "--json: %s", err.msg);
  if(json)
    report = hb_report_new(argc, argv);
  printf("%-10s %-6s %s\n", "backend", "built", "version");
  for(i = 0; i < HB_BACKEND_COUNT; i++) {
    const char *name = all_backends[i];
    char path[4200], version[256] = "-";
    int built = is_built(name);

    if(!strcmp(name, "plain")) {
      struct utsname u;
      uname(&u);
      snprintf(version, sizeof(version), "kernel TCP (%s %s)", u.sysname,
               u.release);
    }
    else if(built) {
      char *args[] = { path, "version", NULL };
      hb_engine_path(name, path, sizeof(path));
      if(hb_engine_capture(args, version, sizeof(version)) != 0)
        snprintf(version, sizeof(version), "(engine failed)");
    }
    printf("%-10s %-6s %s\n", name, built ? "yes" : "no", version);
    if(report && built)
      hb_report_add_backend(report, name, version);
  }
  if(report) {
    int rc = hb_report_write(report, json, 0, &err);
    json_decref(report);
    if(rc != HB_OK) {
      fprintf(stderr, "httpsbench backends: %s\n", err.msg);
      return 1;
    }
  }
  return 0;
}

/* `httpsbench server|load [--backend NAME] ARGS...`: the engine of that
 * backend runs the command itself (exec: signals reach it directly).
 * `load --client curl` runs the curl engine's load instead. */
static int pass_through(const char *cmd, int argc, char **argv)
{
  const char *backend = NULL, *chosen[1], *client = NULL;
  char path[4200], **args;
  int i, n = 0, https = 0;

  args = calloc((size_t)argc + 2, sizeof(*args));
  if(!args)
    return 1;
  args[n++] = path;
  args[n++] = (char *)cmd;
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--backend") && i + 1 < argc)
      backend = argv[++i];
    else if(!strncmp(argv[i], "--backend=", 10))
      backend = argv[i] + 10;
    else if(!strcmp(cmd, "load") && !strcmp(argv[i], "--client") &&
            i + 1 < argc)
      client = argv[++i];
    else {
      if(!strncmp(argv[i], "https://", 8))
        https = 1;
      args[n++] = argv[i];
    }
  }
  args[n] = NULL;
  if(client && strcmp(client, "curl") && strcmp(client, "httpsbench"))
    hb_usage_fail(cmd, "--client: '%s' is not httpsbench or curl", client);
  if(client && !strcmp(client, "curl")) {
    if(backend)
      hb_usage_fail(cmd, "--client curl uses libcurl's own TLS library: "
                    "no --backend");
    if(hb_engine_path("curl", path, sizeof(path)))
      hb_usage_fail(cmd, "--client curl: the curl engine was not built "
                    "(libcurl missing at configure time)");
    execv(path, args);
    fprintf(stderr, "httpsbench %s: cannot run %s\n", cmd, path);
    free(args);
    return 1;
  }
  if(!backend)
    backend = https ? "openssl" : "plain";
  hb_select_backends(cmd, backend, 0, chosen, 1);
  if(strchr(backend, ',') || !strcmp(backend, "all"))
    hb_usage_fail(cmd, "--backend: one backend, not '%s'", backend);
  if(hb_engine_path(chosen[0], path, sizeof(path)))
    hb_usage_fail(cmd, "--backend: no engine for '%s'", chosen[0]);
  execv(path, args);
  fprintf(stderr, "httpsbench %s: cannot run %s\n", cmd, path);
  free(args);
  return 1;
}

static void usage(FILE *f)
{
  fprintf(f,
    "usage: httpsbench <command> [options]\n"
    "\n"
    "Measures what HTTPS costs, across TLS libraries.\n"
    "\n"
    "commands:\n"
    "  backends   every backend, whether it was built, library version\n"
    "  crypto     symmetric, digest and public-key crypto cost per library\n"
    "  server     our HTTP/1.1 server over plain TCP or a TLS library\n"
    "  load       our load generator against any HTTP(S) URL\n"
    "             (--client curl: libcurl's multi interface instead)\n"
    "  probe      libcurl as a real client: phase times of any URL\n"
    "  throughput HTTP versus HTTPS: server and load generator per library\n"
    "  handshake  TCP vs TLS 1.2 vs TLS 1.3, full vs resumed, phase by phase\n"
    "  report     figures and an HTML page from reports (Python, matplotlib)\n"
    "  compare    two reports: ratios, Mann-Whitney U, exit 1 on regression\n"
    "  export     a report as CSV, Bencher BMF, github-action-benchmark, HDR\n"
    "\n"
    "`httpsbench <command> --help` describes each command.\n"
    "`httpsbench --version` prints the tool version and commit.\n");
}

int main(int argc, char **argv)
{
  hb_signals_install();
  if(argc < 2) {
    usage(stderr);
    return HB_EXIT_USAGE;
  }
  if(!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
     !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if(!strcmp(argv[1], "--version")) {
    printf("httpsbench %s (%s%s)\n", HB_VERSION, HB_GIT_COMMIT,
           HB_GIT_DIRTY > 0 ? ", dirty" : "");
    return 0;
  }
  if(!strcmp(argv[1], "backends"))
    return hb_cmd_backends(argc - 1, argv + 1);
  if(!strcmp(argv[1], "crypto"))
    return hb_cmd_crypto(argc - 1, argv + 1);
  if(!strcmp(argv[1], "server") || !strcmp(argv[1], "load"))
    return pass_through(argv[1], argc - 1, argv + 1);
  if(!strcmp(argv[1], "handshake"))
    return hb_cmd_handshake(argc - 1, argv + 1);
  if(!strcmp(argv[1], "probe"))
    return hb_cmd_probe(argc - 1, argv + 1);
  if(!strcmp(argv[1], "throughput"))
    return hb_cmd_throughput(argc - 1, argv + 1);
  if(!strcmp(argv[1], "report") || !strcmp(argv[1], "compare") ||
     !strcmp(argv[1], "export"))
    return hb_script_exec(argv[1], argc - 1, argv + 1);
  fprintf(stderr, "httpsbench: unknown command '%s' (see httpsbench "
          "--help)\n", argv[1]);
  return HB_EXIT_USAGE;
}
