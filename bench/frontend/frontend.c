/* httpsbench: the front end. It links no TLS library; every library's work
 * runs in an engine process of its own (see bench/engine.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argvec.h"
#include "frontend.h"
#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/command.h"
#include "hb/envinfo.h"
#include "engine_run.h"
#include "link_fe.h"
#include "hb/report.h"
#include "scripts.h"
#include "hb/sig.h"
#include "hb_buildinfo.h"

/* Known engines in report order: each Debian library followed by the
 * library sets of the same family that were built ("openssl",
 * "openssl-3.5", "boringssl", ...), plain TCP last. */
static const char *all_backends[HB_BACKEND_MAX];
static int nall;

static void known_init(void)
{
  static const char *const debian[] = HB_BACKEND_NAMES;
  static char built[] = HB_BUILT;
  static char *sets[HB_BACKEND_MAX];
  int nsets = 0, i, j;
  char *save = NULL, *t;

  if(nall)
    return;
  for(t = strtok_r(built, ",", &save); t && nsets < HB_BACKEND_MAX;
      t = strtok_r(NULL, ",", &save))
    if(strchr(t, '-'))
      sets[nsets++] = t;
  for(i = 0; i < HB_BACKEND_COUNT && nall < HB_BACKEND_MAX; i++) {
    size_t fam = strlen(debian[i]);
    all_backends[nall++] = debian[i];
    for(j = 0; j < nsets && nall < HB_BACKEND_MAX; j++)
      if(!strncmp(sets[j], debian[i], fam) && sets[j][fam] == '-')
        all_backends[nall++] = sets[j];
  }
}

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

static void add_once(const char **out, int *n, int max, const char *name)
{
  int i;

  for(i = 0; i < *n; i++)
    if(out[i] == name)
      return;
  if(*n < max)
    out[(*n)++] = name;
}

/* One item of --backend: a name ("openssl", "openssl-3.5"), a version
 * ("openssl@3.5"), or a family ("openssl@all": Debian's and every built
 * set). Adds the built engines it names; exits 2 when it names none. */
static void select_item(const char *cmd, const char *item, int want_crypto,
                        const char **out, int *n, int max)
{
  char name[64];
  const char *at = strchr(item, '@');
  int i, family = 0, matched = 0;

  snprintf(name, sizeof(name), "%s", item);
  if(at) {
    name[at - item] = '\0';
    if(!strcasecmp(at + 1, "all"))
      family = 1;
    else
      snprintf(name + (at - item), sizeof(name) - (size_t)(at - item),
               "-%s", at + 1);
  }
  for(i = 0; i < nall; i++) {
    const char *b = all_backends[i];
    size_t fl = strlen(name);
    int hit = family ? (!strncasecmp(b, name, fl) &&
                        (b[fl] == '\0' || b[fl] == '-'))
                     : !strcasecmp(b, name); /* "OpenSSL" is openssl */
    if(!hit)
      continue;
    if(want_crypto && !strcmp(b, "plain"))
      hb_usage_fail(cmd, "--backend: 'plain' has no cryptography");
    if(!is_built(b)) {
      if(!family)
        hb_usage_fail(cmd, "--backend: '%s' was not built (its library "
                      "was missing at configure time%s)", b,
                      strchr(b, '-') ? "; scripts/libs builds it" : "");
      continue;
    }
    add_once(out, n, max, b);
    matched = 1;
  }
  if(!matched) {
    char known[512];
    size_t len = 0;
    for(i = 0; i < nall && len < sizeof(known); i++)
      len += (size_t)snprintf(known + len, sizeof(known) - len, "%s, ",
                              all_backends[i]);
    hb_usage_fail(cmd, "--backend: unknown or unbuilt backend '%s' (known: "
                  "%sNAME@VERSION, NAME@all, all)", item, known);
  }
}

int hb_select_backends(const char *cmd, const char *spec, int want_crypto,
                       const char **out, int max)
{
  int n = 0, i;

  known_init();
  if(!spec || !strcasecmp(spec, "all")) {
    for(i = 0; i < nall && n < max; i++)
      if(is_built(all_backends[i]) &&
         !(want_crypto && !strcmp(all_backends[i], "plain")))
        out[n++] = all_backends[i];
    if(n == 0)
      hb_usage_fail(cmd, "no TLS backend was built");
    return n;
  }
  {
    char *copy = strdup(spec), *save = NULL, *t;
    if(!copy)
      hb_usage_fail(cmd, "out of memory");
    for(t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
      select_item(cmd, t, want_crypto, out, &n, max);
    free(copy);
  }
  if(n == 0)
    hb_usage_fail(cmd, "--backend: no backend named in '%s'", spec);
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

int hb_server_start(const char *backend, const hb_argv *args, int cpu,
                    hb_server *s, hb_err *err)
{
  char line[256] = "", path[4200];
  hb_argv av = HB_ARGV_INIT;
  char *const *argv;

  memset(s, 0, sizeof(*s));
  if(hb_engine_path(backend, path, sizeof(path)))
    return hb_err_set(err, HB_ERROR, "no engine for %s", backend);
  hb_argv_add(&av, path);
  hb_argv_add(&av, "server");
  hb_argv_opt(&av, "--listen", hb_fe_link_listen()); /* loopback or across a link */
  if(args) {
    hb_argv_add_all(&av, args->v);
    av.failed |= args->failed;
  }
  argv = hb_argv_get(&av, err);
  if(!argv) {
    hb_argv_free(&av);
    return HB_ERROR;
  }
  {
    int side = hb_fe_link_side; /* servers live behind the link */
    hb_fe_link_side = HB_FE_SIDE_SERVER;
    s->pid = hb_engine_spawn_log(argv, cpu, &s->out_fd, hb_server_log());
    hb_fe_link_side = side;
  }
  hb_argv_free(&av);
  if(s->pid < 0)
    return hb_err_set(err, HB_ERROR, "cannot start %s", path);
  if(hb_read_line(s->out_fd, line, sizeof(line), 60000) ||
     /* HOST:PORT, or [V6]:PORT */
     (sscanf(line, "listening on [%*[^]]]:%d", &s->port) != 1 &&
      sscanf(line, "listening on %*[^:[]:%d", &s->port) != 1)) {
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

int hb_opt_cpu(const char *value, void *dest, char *why, size_t size)
{
  long cpu;

  if(hb_parse_int(value, 0, 4095, &cpu)) {
    snprintf(why, size, "'%s' is not a CPU number", value);
    return -1;
  }
  *(int *)dest = (int)cpu;
  return 0;
}

void hb_server_stop(hb_server *s)
{
  if(s->pid > 0 && s->ctl_fd > 0) {
    /* over ssh: end of input stops the remote server; ssh then ends
     * (bounded: stopped after 10 s) */
    int st, k;
    close(s->ctl_fd);
    s->ctl_fd = 0;
    for(k = 0; k < 500 && waitpid(s->pid, &st, WNOHANG) == 0; k++)
      usleep(20000);
    if(k == 500) {
      kill(s->pid, SIGTERM);
      waitpid(s->pid, &st, 0);
    }
    close(s->out_fd);
    s->pid = 0;
  }
  else if(s->pid > 0) {
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
    else if(!strcmp(argv[i], "--json")) {
      if(i + 1 == argc)
        hb_usage_fail("backends", "--json needs a value");
      json = argv[++i];
    }
    else if(!strncmp(argv[i], "--json=", 7))
      json = argv[i] + 7;
    else
      hb_usage_fail("backends", "unexpected argument '%s'", argv[i]);
  }
  if(json && hb_report_check_path(json, &err) != HB_OK)
    hb_usage_fail("backends", "--json: %s", err.msg);
  if(json)
    report = hb_report_new(argc, argv);
  known_init();
  printf("%-13s %-6s %s\n", "backend", "built", "version");
  for(i = 0; i < nall; i++) {
    const char *name = all_backends[i];
    char path[4200], version[256] = "-", origin[512];
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
    printf("%-13s %-6s %s\n", name, built ? "yes" : "no", version);
    origin[0] = '\0';
    if(built && strcmp(name, "plain")) {
      char *oargs[] = { path, "origin", NULL };
      if(hb_engine_capture(oargs, origin, sizeof(origin)) != 0)
        origin[0] = '\0';
      if(origin[0] && strchr(name, '-')) /* a set: say how it was built */
        printf("%-13s %-6s   %s\n", "", "", origin);
    }
    if(report && built) {
      hb_report_add_backend(report, name, version);
      if(origin[0])
        hb_report_set_backend_origin(report, name, origin);
    }
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

/* The built backends, "plain, openssl, ..." into buf. */
static void built_list(char *buf, size_t size)
{
  size_t len = 0;
  int i;

  buf[0] = '\0';
  known_init();
  for(i = 0; i < nall && len < size; i++)
    if(is_built(all_backends[i]))
      len += (size_t)snprintf(buf + len, size - len, "%s%s",
                              len ? ", " : "", all_backends[i]);
}

/* `httpsbench server|load --help`: our own lines (the usage line with
 * --backend, what it picks), then the engine's help without its usage
 * lines, which name the engine (httpsbench-plain ...) rather than us. */
static int pass_through_help(const char *cmd, const char *engine)
{
  char path[4200], line[1024], built[200];
  char *args[4];
  int pid, fd = -1, rc, head = 1;
  FILE *f;

  built_list(built, sizeof(built));
  if(!strcmp(engine, "curl"))
    printf("usage: httpsbench load --client curl URL [options]\n"
           "\n"
           "libcurl's multi interface (the httpsbench-curl engine) drives "
           "the load\ngenerator's closed loop instead of our client; "
           "libcurl brings its own\nTLS library, so there is no "
           "--backend.\n");
  else if(!strcmp(cmd, "server"))
    printf("usage: httpsbench server [--backend NAME] [options]\n"
           "\n"
           "Our HTTP/1.1 server, run by the engine of one library "
           "(httpsbench-NAME).\n"
           "\n"
           "  --backend NAME       the library the server uses: plain (the "
           "default:\n"
           "                       HTTP over TCP), openssl, boringssl, "
           "gnutls,\n"
           "                       wolfssl or mbedtls; any case (OpenSSL "
           "is openssl)\n"
           "\n"
           "Built here: %s.\n", built);
  else
    printf("usage: httpsbench load [--backend NAME] URL [options]\n"
           "       httpsbench load --client curl URL [options]\n"
           "\n"
           "Our load generator, run by the engine of one library "
           "(httpsbench-NAME).\n"
           "\n"
           "  --backend NAME       the library our client uses: openssl "
           "(the default\n"
           "                       for https URLs), boringssl, gnutls, "
           "wolfssl,\n"
           "                       mbedtls, or plain (the default for "
           "http URLs);\n"
           "                       any case (OpenSSL is openssl)\n"
           "  --client curl        libcurl's multi interface instead of "
           "our client\n"
           "                       (see httpsbench load --client curl "
           "--help)\n"
           "  --client-hosts H1,H2,...  run the engine on each host over "
           "ssh (the\n"
           "                       same path there), started together "
           "(--start-at\n"
           "                       in each host's clock, offsets measured "
           "over ssh),\n"
           "                       and merge the reports exactly "
           "(httpsbench merge);\n"
           "                       -c, -t, -n are per host, -R is the "
           "total\n"
           "  --ssh CMD            the ssh command, split on blanks "
           "(default\n"
           "                       'ssh -o BatchMode=yes')\n"
           "\n"
           "Built here: %s.\n", built);
  if(!strcmp(cmd, "load")) {
    hb_fe_link_help(stdout);
    printf("  --link-rate MBIT[/UP] the link's rate (--rate is load's "
           "requests/s)\n"
           "  With a link option the URL's host is 127.0.0.1, localhost or"
           " [::1] (IPv6):\n  our server (this library's, plain for http) "
           "runs behind "
           "the link and the report\n  records the link as configured and "
           "as measured before the run.\n");
  }
  printf("\nThe engine's options (httpsbench-%s %s --help):\n", engine,
         cmd);
  fflush(stdout);
  if(hb_engine_path(engine, path, sizeof(path))) {
    fprintf(stderr, "httpsbench %s: no engine for '%s'\n", cmd, engine);
    return 1;
  }
  args[0] = path;
  args[1] = (char *)cmd;
  args[2] = "--help";
  args[3] = NULL;
  pid = hb_engine_spawn(args, -1, &fd);
  f = pid > 0 ? fdopen(fd, "r") : NULL;
  if(!f) {
    fprintf(stderr, "httpsbench %s: cannot run %s\n", cmd, path);
    if(pid > 0) {
      close(fd);
      hb_engine_wait(pid);
    }
    return 1;
  }
  while(fgets(line, sizeof(line), f)) {
    /* "usage: httpsbench-plain server [options]" and its continuation
     * lines ("       httpsbench-curl load ...") */
    if(head && (!strncmp(line, "usage: ", 7) ||
                !strncmp(line, "       httpsbench", 17)))
      continue;
    head = 0;
    fputs(line, stdout);
  }
  fclose(f);
  rc = hb_engine_wait(pid);
  return rc ? 1 : 0;
}

/* `httpsbench server|load [--backend NAME] ARGS...`: the engine of that
 * backend runs the command itself (exec: signals reach it directly).
 * `load --client curl` runs the curl engine's load instead. */
static int pass_through(const char *cmd, int argc, char **argv)
{
  const char *backend = NULL, *chosen[1], *client = NULL, *hosts = NULL,
             *ssh = NULL;
  char path[4200], **args, **typed;
  int i, n = 0, https = 0, help = 0, curl, typed_n = argc;

  /* the command as typed, for the report, before the link options are
   * taken out (load only: a server takes no link) */
  typed = calloc((size_t)argc + 1, sizeof(*typed));
  args = calloc((size_t)argc + 2, sizeof(*args));
  if(!args || !typed) {
    free(args);
    free(typed);
    return 1;
  }
  memcpy(typed, argv, (size_t)argc * sizeof(*argv));
  if(!strcmp(cmd, "load"))
    argc = hb_fe_link_strip(cmd, argc, argv, 1); /* --rate: requests/s */
  args[n++] = path;
  args[n++] = (char *)cmd;
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--backend")) {
      if(i + 1 == argc)
        hb_usage_fail(cmd, "--backend needs a value");
      backend = argv[++i];
    }
    else if(!strncmp(argv[i], "--backend=", 10))
      backend = argv[i] + 10;
    else if(!strcmp(cmd, "load") && !strcmp(argv[i], "--client")) {
      if(i + 1 == argc)
        hb_usage_fail(cmd, "--client needs a value");
      client = argv[++i];
    }
    else if(!strcmp(cmd, "load") && !strncmp(argv[i], "--client=", 9))
      client = argv[i] + 9;
    else if(!strcmp(cmd, "load") && !strcmp(argv[i], "--client-hosts")) {
      if(i + 1 == argc)
        hb_usage_fail(cmd, "--client-hosts needs a value");
      hosts = argv[++i];
    }
    else if(!strcmp(cmd, "load") && !strcmp(argv[i], "--ssh")) {
      if(i + 1 == argc)
        hb_usage_fail(cmd, "--ssh needs a value");
      ssh = argv[++i];
    }
    else {
      if(!strncmp(argv[i], "https://", 8))
        https = 1;
      if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
        help = 1;
      args[n++] = argv[i];
    }
  }
  args[n] = NULL;
  if(client && strcasecmp(client, "curl") &&
     strcasecmp(client, "httpsbench"))
    hb_usage_fail(cmd, "--client: '%s' is not httpsbench or curl", client);
  curl = client && !strcasecmp(client, "curl");
  if(curl && backend)
    hb_usage_fail(cmd, "--client curl uses libcurl's own TLS library: "
                  "no --backend");
  if(!curl) {
    if(!backend)
      backend = https ? "openssl" : "plain";
    if(strchr(backend, ',') || !strcasecmp(backend, "all"))
      hb_usage_fail(cmd, "--backend: one backend, not '%s'", backend);
    hb_select_backends(cmd, backend, 0, chosen, 1);
  }
  if(help) {
    free(args);
    free(typed);
    return pass_through_help(cmd, curl ? "curl" : chosen[0]);
  }
  if(curl && hosts)
    hb_usage_fail(cmd, "--client-hosts runs our load generator, not "
                  "--client curl");
  if(ssh && !hosts)
    hb_usage_fail(cmd, "--ssh goes with --client-hosts");
  if(hosts && hb_fe_link_wanted())
    hb_usage_fail(cmd, "--client-hosts runs on real hosts: no emulated "
                  "link options");
  if(curl && hb_engine_path("curl", path, sizeof(path)))
    hb_usage_fail(cmd, "--client curl: the curl engine was not built "
                  "(libcurl missing at configure time)");
  if(!curl && hb_engine_path(chosen[0], path, sizeof(path)))
    hb_usage_fail(cmd, "--backend: no engine for '%s'", chosen[0]);
  if(hosts) { /* remote.c: the same engine path on every host */
    int rc = hb_remote_load(path, hosts, ssh ? ssh : "ssh -o BatchMode=yes",
                            n - 2, args + 2, typed_n, typed);
    free(args);
    free(typed);
    return rc;
  }
  if(hb_fe_link_wanted()) {
    /* across the link: our server of the same library behind it (curl:
     * OpenSSL's, the library libcurl uses here) */
    int rc = hb_fe_link_client_run(cmd, args, curl || !strcmp(chosen[0],
                                   "plain") ? "openssl" : chosen[0],
                                   typed_n, typed);
    free(args);
    free(typed);
    return rc;
  }
  free(typed);
  if(curl) {
    execv(path, args);
    fprintf(stderr, "httpsbench %s: cannot run %s\n", cmd, path);
    free(args);
    return 1;
  }
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
    "  merge      load reports of clients that ran together, merged exactly\n"
    "  remote     check HOSTS: engines, pinning and clocks of hosts for runs\n"
    "             over ssh (--copy sends the engines)\n"
    "  throughput HTTP versus HTTPS: server and load generator per library\n"
    "  handshake  TCP vs TLS 1.2 vs TLS 1.3, full vs resumed, phase by phase\n"
    "  report     figures and an HTML page from reports (Python, matplotlib)\n"
    "  compare    two reports: ratios, Mann-Whitney U, exit 1 on regression,\n"
    "             3 when the machines or builds differ (not comparable)\n"
    "  export     a report as CSV, Bencher BMF, github-action-benchmark, HDR\n"
    "\n"
    "`httpsbench <command> --help` describes each command.\n"
    "`httpsbench --version` prints the tool version and commit.\n"
    "\n"
    "While a command measures, idle CPUs poll instead of halting (a PM QoS\n"
    "request of 0 us on /dev/cpu_dma_latency; a halted vCPU can take\n"
    "hundreds of microseconds to wake); environment.cpu_idle in the report\n"
    "says whether they did. HTTPSBENCH_CPU_IDLE=os leaves them to the system.\n");
}

static int cmd_help(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  usage(stdout);
  return 0;
}

static int cmd_version(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  printf("httpsbench %s (%s%s)\n", HB_VERSION, HB_GIT_COMMIT,
         HB_GIT_DIRTY > 0 ? ", dirty" : "");
  return 0;
}

/* server and load: the engine's own command (argv[0] names it) */
static int cmd_engine(int argc, char **argv)
{
  return pass_through(argv[0], argc, argv);
}

static int cmd_script(int argc, char **argv)
{
  return hb_script_exec(argv[0], argc, argv);
}

int main(int argc, char **argv)
{
  /* measuring commands: idle CPUs poll while this runs and while the
   * engines it starts run (they inherit the request; see hb/envinfo.h) */
  static const hb_command cmds[] = {
    { "help", cmd_help, 0 },
    { "--version", cmd_version, 0 },
    { "backends", hb_cmd_backends, 0 },
    { "crypto", hb_cmd_crypto, 1 },
    { "server", cmd_engine, 1 },
    { "load", cmd_engine, 1 },
    { "handshake", hb_cmd_handshake, 1 },
    { "probe", hb_cmd_probe, 1 },
    { "merge", hb_cmd_merge, 0 },
    { "remote", hb_cmd_remote, 1 },
    { "throughput", hb_cmd_throughput, 1 },
    { "report", cmd_script, 0 },
    { "compare", cmd_script, 0 },
    { "export", cmd_script, 0 },
    { NULL, NULL, 0 }
  };

  return hb_main(argc, argv, cmds, usage, "httpsbench",
                 "see httpsbench --help");
}
