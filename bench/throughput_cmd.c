/* httpsbench throughput: HTTP versus HTTPS with our server and load
 * generator, one library at a time, plain TCP as the baseline.
 *
 * For each backend the server engine starts pinned to one CPU and the load
 * engine runs pinned to the other, once per (mode, payload, repetition).
 * Server CPU comes from /proc/<pid>/stat around each run; client CPU and
 * latency from the load engine's report. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "hb/backend.h"
#include "hb/certs.h"
#include "hb/cli.h"
#include "hb/engine_run.h"
#include "hb/report.h"
#include "hb/sig.h"
#include "hb/stats.h"

#define MAX_REPS 100

typedef struct tp_args {
  const char *backends[HB_BACKEND_COUNT];
  int nbackends;
  size_t sizes[HB_MAX_SIZES];
  int nsizes;
  int keepalive, close; /* modes */
  long conns, reps, idle_conns;
  double seconds;
  const char *json, *tls, *cert_type;
  int server_cpu, client_cpu, quiet;
  int curl;             /* also run the curl engine as the client */
} tp_args;

static void usage(FILE *f)
{
  fprintf(f,
    "usage: httpsbench throughput [options]\n"
    "\n"
    "Requests/s, bytes/s, latency and CPU per request of HTTPS on every\n"
    "TLS library against plain HTTP, with our server (1 thread, pinned to\n"
    "one CPU) and our load generator (1 thread, pinned to another).\n"
    "\n"
    "  --backend LIST|all   backends (default all built; plain is always\n"
    "                       run first as the baseline)\n"
    "  --sizes LIST         payload bytes (default 0,1k,16k,100k,1m)\n"
    "  --modes LIST         keepalive,close (default both; close = a new\n"
    "                       connection and handshake per request)\n"
    "  -c N                 connections (default 32)\n"
    "  -d SECONDS           duration of each run (default 3)\n"
    "  --repetitions N      runs per cell (default 3)\n"
    "  --tls 1.2|1.3|any    TLS version (default any)\n"
    "  --cert-type TYPE     server certificate (default ecdsa-p256)\n"
    "  --idle-conns N       idle keep-alive connections for the memory\n"
    "                       figure (default 1000, 0 to skip)\n"
    "  --server-cpu N --client-cpu N   CPUs to pin to (default 0 and 1)\n"
    "  --curl on|off        also measure libcurl as the client against\n"
    "                       each server (default on when built)\n"
    "  --json FILE          write the report\n"
    "  --quiet              no progress on stderr\n");
}

static void parse(int argc, char **argv, tp_args *a)
{
  static const struct option longopts[] = {
    { "backend", required_argument, NULL, 'b' },
    { "sizes", required_argument, NULL, 's' },
    { "modes", required_argument, NULL, 'm' },
    { "repetitions", required_argument, NULL, 'r' },
    { "tls", required_argument, NULL, 'T' },
    { "cert-type", required_argument, NULL, 'C' },
    { "idle-conns", required_argument, NULL, 'i' },
    { "server-cpu", required_argument, NULL, 'S' },
    { "client-cpu", required_argument, NULL, 'K' },
    { "json", required_argument, NULL, 'j' },
    { "quiet", no_argument, NULL, 'q' },
    { "curl", required_argument, NULL, 'u' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  const char *backend = "all", *sizes = "0,1k,16k,100k,1m";
  char curl_path[4200];
  int curl_built = hb_engine_path("curl", curl_path, sizeof(curl_path))
                   == 0;
  const char *modes = "keepalive,close";
  char why[200], *copy, *t, *save = NULL;
  const char *sel[HB_BACKEND_COUNT];
  hb_err err = { "" };
  int opt, n, i;

  memset(a, 0, sizeof(*a));
  a->conns = 32;
  a->reps = 3;
  a->seconds = 3;
  a->idle_conns = 1000;
  a->tls = "any";
  a->cert_type = "ecdsa-p256";
  a->client_cpu = 1;
  a->curl = curl_built;
  opterr = 0;
  while((opt = getopt_long(argc, argv, "hc:d:", longopts, NULL)) != -1) {
    switch(opt) {
    case 'u':
      if(strcmp(optarg, "on") && strcmp(optarg, "off"))
        hb_usage_fail("throughput", "--curl: '%s' is not on or off",
                      optarg);
      a->curl = !strcmp(optarg, "on");
      if(a->curl && !curl_built)
        hb_usage_fail("throughput", "--curl on: the curl engine was not "
                      "built (libcurl missing at configure time)");
      break;
    case 'b': backend = optarg; break;
    case 's': sizes = optarg; break;
    case 'm': modes = optarg; break;
    case 'c':
      if(hb_parse_int(optarg, 1, 100000, &a->conns))
        hb_usage_fail("throughput", "-c: '%s' is not a count >= 1", optarg);
      break;
    case 'd':
      if(hb_parse_seconds(optarg, 3600, &a->seconds))
        hb_usage_fail("throughput", "-d: '%s' is not a duration", optarg);
      break;
    case 'r':
      if(hb_parse_int(optarg, 1, MAX_REPS, &a->reps))
        hb_usage_fail("throughput", "--repetitions: '%s' is not 1..%d",
                      optarg, MAX_REPS);
      break;
    case 'T':
      if(strcmp(optarg, "1.2") && strcmp(optarg, "1.3") &&
         strcmp(optarg, "any"))
        hb_usage_fail("throughput", "--tls: '%s' is not 1.2, 1.3 or any",
                      optarg);
      a->tls = optarg;
      break;
    case 'C':
      if(!hb_cert_type_valid(optarg))
        hb_usage_fail("throughput", "--cert-type: unknown type '%s'",
                      optarg);
      a->cert_type = optarg;
      break;
    case 'i':
      if(hb_parse_int(optarg, 0, 100000, &a->idle_conns))
        hb_usage_fail("throughput", "--idle-conns: '%s' is not a count",
                      optarg);
      break;
    case 'S': a->server_cpu = hb_parse_cpu("throughput", "--server-cpu",
                                           optarg); break;
    case 'K': a->client_cpu = hb_parse_cpu("throughput", "--client-cpu",
                                           optarg); break;
    case 'j': a->json = optarg; break;
    case 'q': a->quiet = 1; break;
    case 'h': usage(stdout); exit(0);
    case ':':
      hb_usage_fail("throughput", "%s needs a value", argv[optind - 1]);
    default:
      hb_usage_fail("throughput", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if(optind < argc)
    hb_usage_fail("throughput", "unexpected argument '%s'", argv[optind]);
  if(hb_parse_size_list(sizes, 0, a->sizes, HB_MAX_SIZES, &a->nsizes, why,
                        sizeof(why)))
    hb_usage_fail("throughput", "--sizes: %s", why);
  copy = strdup(modes);
  for(t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if(!strcmp(t, "keepalive"))
      a->keepalive = 1;
    else if(!strcmp(t, "close"))
      a->close = 1;
    else {
      free(copy);
      hb_usage_fail("throughput", "--modes: '%s' is not keepalive or close",
                    t);
    }
  }
  free(copy);
  if(!a->keepalive && !a->close)
    hb_usage_fail("throughput", "--modes: no mode given");
  n = hb_select_backends("throughput", backend, 0, sel, HB_BACKEND_COUNT);
  /* plain first: it is the baseline every ratio divides by */
  a->backends[a->nbackends++] = "plain";
  for(i = 0; i < n; i++)
    if(strcmp(sel[i], "plain"))
      a->backends[a->nbackends++] = sel[i];
  if(a->json && hb_report_check_path(a->json, &err) != HB_OK)
    hb_usage_fail("throughput", "--json: %s", err.msg);
}

static int server_start(const tp_args *a, const char *backend, hb_server *s,
                        hb_err *err)
{
  char *tls[] = { "--cert-type", (char *)a->cert_type, "--tls",
                  (char *)a->tls, NULL };

  return hb_server_start(backend, strcmp(backend, "plain") ? tls
                         : tls + 4, a->server_cpu, s, err);
}

static double jnum(json_t *o, const char *a, const char *b)
{
  json_t *v = json_object_get(o, a);
  if(b)
    v = json_object_get(v, b);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

/* One load run; fills the per-run numbers or returns an error. */
typedef struct one_run {
  double rps, bps, cli_us, srv_us, errors;
  json_t *latency; /* owned */
} one_run;

static int load_once(const tp_args *a, const char *backend,
                     const char *client, const hb_server *s,
                     const char *root, size_t size, int close_mode,
                     const char *tmp, one_run *o, hb_err *err)
{
  char path[4200], url[256], conns[32], dur[32];
  char *argv[24];
  double u0, s0, u1, s1, reqs;
  long rss, hwm;
  int n = 0, rc, plain = !strcmp(backend, "plain");
  json_t *rep, *res;

  memset(o, 0, sizeof(*o));
  hb_engine_path(client ? client : backend, path, sizeof(path));
  snprintf(url, sizeof(url), "%s://127.0.0.1:%d/bytes/%zu",
           plain ? "http" : "https", s->port, size);
  snprintf(conns, sizeof(conns), "%ld", a->conns);
  snprintf(dur, sizeof(dur), "%g", a->seconds);
  argv[n++] = path;
  argv[n++] = "load";
  argv[n++] = url;
  argv[n++] = "-c";
  argv[n++] = conns;
  argv[n++] = "-d";
  argv[n++] = dur;
  argv[n++] = "--json";
  argv[n++] = (char *)tmp;
  if(close_mode)
    argv[n++] = "--close";
  if(!plain) {
    argv[n++] = "--cacert";
    argv[n++] = (char *)root;
    if(strcmp(a->tls, "any")) {
      argv[n++] = "--tls";
      argv[n++] = (char *)a->tls;
    }
  }
  argv[n] = NULL;
  unlink(tmp);
  if(hb_proc_usage(s->pid, &u0, &s0, &rss, &hwm))
    return hb_err_set(err, HB_ERROR, "%s server died", backend);
  rc = hb_engine_exec_quiet(argv, a->client_cpu);
  if(hb_proc_usage(s->pid, &u1, &s1, &rss, &hwm))
    return hb_err_set(err, HB_ERROR, "%s server died during the run",
                      backend);
  rep = hb_report_load(tmp, err);
  if(!rep)
    return hb_err_set(err, HB_ERROR, "load exited %d: %s", rc, err->msg);
  res = json_array_get(json_object_get(rep, "results"), 0);
  reqs = jnum(res, "counts", "requests");
  o->rps = json_number_value(json_array_get(json_object_get(res, "samples"),
                                            0));
  o->bps = o->rps * (double)size;
  o->cli_us = jnum(res, "cpu", "per_request_us");
  o->srv_us = reqs > 0 ? (u1 - u0 + s1 - s0) * 1e6 / reqs : NAN;
  o->errors = 0;
  {
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(res, "errors"), k, v)
      o->errors += json_is_number(v) ? json_number_value(v) : 0;
  }
  o->latency = json_incref(json_object_get(res, "latency"));
  rc = strcmp(json_string_value(json_object_get(res, "status")), "ok") ? 1
       : 0;
  if(rc)
    hb_err_set(err, HB_ERROR, "load: %s", json_string_value(
               json_object_get(res, "error")));
  json_decref(rep);
  return rc ? HB_ERROR : HB_OK;
}

static json_t *series(const double *v, int n)
{
  json_t *o = json_object(), *s = json_array();
  hb_stats st;
  int i;

  for(i = 0; i < n; i++)
    json_array_append_new(s, hb_json_num(v[i]));
  json_object_set_new(o, "samples", s);
  if(n && hb_stats_compute(v, (size_t)n, &st) == 0)
    json_object_set_new(o, "stats", hb_stats_json(&st));
  return o;
}

/* client: NULL for our load generator, "curl" for the curl engine (its
 * results are backend "curl", the server's backend in params). */
static void run_cell(const tp_args *a, const char *backend,
                     const char *client, const hb_server *s,
                     const char *root, size_t size, int close_mode,
                     const char *tmp, json_t *report)
{
  double rps[MAX_REPS], bps[MAX_REPS], cli[MAX_REPS], srv[MAX_REPS];
  char name[64];
  json_t *res, *params, *lat = json_array();
  int r, n = 0, failed = 0;
  double errors = 0;
  hb_err err = { "" };

  snprintf(name, sizeof(name), "%s%s/%zu", client ? "curl:" : "",
           close_mode ? "close" : "keepalive", size);
  for(r = 0; r < a->reps && !hb_interrupted(); r++) {
    one_run o;
    if(!a->quiet)
      fprintf(stderr, "\r\033[Kthroughput: %s %s run %d/%ld", backend, name,
              r + 1, a->reps);
    if(load_once(a, backend, client, s, root, size, close_mode, tmp, &o,
                 &err)) {
      failed = 1;
      json_decref(o.latency);
      break;
    }
    rps[n] = o.rps;
    bps[n] = o.bps;
    cli[n] = o.cli_us;
    srv[n] = o.srv_us;
    errors += o.errors;
    json_array_append_new(lat, o.latency ? o.latency : json_null());
    n++;
  }
  if(hb_interrupted() && !failed && n < a->reps) {
    json_decref(lat);
    return; /* an unfinished cell is left out */
  }
  res = hb_report_add_result(report, "throughput", name,
                             client ? client : backend, "requests/s");
  params = json_object_get(res, "params");
  if(client) {
    json_object_set_new(params, "client", json_string(client));
    json_object_set_new(params, "server_backend", json_string(backend));
  }
  json_object_set_new(params, "mode", json_string(close_mode ? "close"
                                                  : "keepalive"));
  json_object_set_new(params, "bytes", json_integer((json_int_t)size));
  json_object_set_new(params, "connections", json_integer(a->conns));
  json_object_set_new(params, "seconds", json_real(a->seconds));
  json_object_set_new(params, "server_threads", json_integer(1));
  json_object_set_new(params, "client_threads", json_integer(1));
  json_object_set_new(params, "server_cpu", json_integer(a->server_cpu));
  json_object_set_new(params, "client_cpu", json_integer(a->client_cpu));
  json_object_set_new(params, "tls", json_string(strcmp(backend, "plain")
                                                 ? a->tls : "none"));
  json_object_set_new(params, "cert_type", strcmp(backend, "plain")
                      ? json_string(a->cert_type) : json_null());
  if(n)
    hb_result_set_samples(res, rps, (size_t)n);
  json_object_set_new(res, "bytes_per_s", series(bps, n));
  json_object_set_new(res, "client_cpu_us_per_request", series(cli, n));
  json_object_set_new(res, "server_cpu_us_per_request", series(srv, n));
  json_object_set_new(res, "latency", lat);
  json_object_set_new(res, "errors", json_real(errors));
  hb_result_set_status(res, failed ? HB_ERROR : HB_OK, err.msg);
  if(failed)
    fprintf(stderr, "\nthroughput: %s %s: %s\n", backend, name, err.msg);
}

/* Server memory per idle keep-alive connection: RSS of a fresh server
 * before, and while the load engine holds N idle connections open (each
 * after one request: handshake done, buffers in their resting state). */
static void measure_memory(const tp_args *a, const char *backend,
                           const hb_server *s, const char *root,
                           json_t *report)
{
  char path[4200], url[256], conns[32], line[256], name[64];
  char *argv[16];
  double u, sy, per = NAN;
  long before = -1, after = -1, hwm;
  int n = 0, pid, fd = -1, plain = !strcmp(backend, "plain");
  json_t *res, *params;

  hb_engine_path(backend, path, sizeof(path));
  snprintf(url, sizeof(url), "%s://127.0.0.1:%d/bytes/0",
           plain ? "http" : "https", s->port);
  snprintf(conns, sizeof(conns), "%ld", a->idle_conns);
  argv[n++] = path;
  argv[n++] = "load";
  argv[n++] = url;
  argv[n++] = "-c";
  argv[n++] = conns;
  argv[n++] = "--hold";
  argv[n++] = "2";
  if(!plain) {
    argv[n++] = "--cacert";
    argv[n++] = (char *)root;
  }
  argv[n] = NULL;
  hb_proc_usage(s->pid, &u, &sy, &before, &hwm);
  pid = hb_engine_spawn(argv, a->client_cpu, &fd);
  if(pid > 0 && hb_read_line(fd, line, sizeof(line), 60000) == 0 &&
     !strncmp(line, "holding", 7)) {
    usleep(200000);
    hb_proc_usage(s->pid, &u, &sy, &after, &hwm);
  }
  if(pid > 0)
    hb_engine_wait(pid);
  if(fd >= 0)
    close(fd);
  snprintf(name, sizeof(name), "memory/idle-%ld", a->idle_conns);
  res = hb_report_add_result(report, "throughput", name, backend,
                             "bytes/connection");
  params = json_object_get(res, "params");
  json_object_set_new(params, "connections", json_integer(a->idle_conns));
  json_object_set_new(params, "rss_before", json_integer(before));
  json_object_set_new(params, "rss_holding", json_integer(after));
  if(before > 0 && after > 0) {
    per = (double)(after - before) / (double)a->idle_conns;
    hb_result_set_samples(res, &per, 1);
    hb_result_set_status(res, HB_OK, NULL);
  }
  else
    hb_result_set_status(res, HB_ERROR, "the idle connections were not "
                         "all established");
}

static json_t *find(json_t *report, const char *backend, const char *name)
{
  json_t *r;
  size_t i;

  json_array_foreach(json_object_get(report, "results"), i, r)
    if(!strcmp(json_string_value(json_object_get(r, "backend")), backend) &&
       !strcmp(json_string_value(json_object_get(r, "name")), name) &&
       !strcmp(json_string_value(json_object_get(r, "suite")), "throughput"))
      return r;
  return NULL;
}

/* The curl client's cell against the server of backend srv. */
static json_t *find_curl(json_t *report, const char *srv,
                         const char *name)
{
  json_t *r;
  size_t i;

  json_array_foreach(json_object_get(report, "results"), i, r) {
    const char *sb = json_string_value(json_object_get(json_object_get(r,
                                       "params"), "server_backend"));
    if(sb && !strcmp(sb, srv) &&
       !strcmp(json_string_value(json_object_get(r, "backend")), "curl") &&
       !strcmp(json_string_value(json_object_get(r, "name")), name))
      return r;
  }
  return NULL;
}

static double med(json_t *o)
{
  json_t *m = json_object_get(json_object_get(o, "stats"), "median");
  return json_is_number(m) ? json_number_value(m) : NAN;
}

/* HTTPS / HTTP ratios per cell, and the table. */
static void finish(json_t *report)
{
  json_t *r;
  size_t i;

  printf("%-22s %-10s %12s %24s %11s %9s %10s %10s %8s %8s\n", "cell",
         "backend", "req/s", "95% CI", "MB/s", "p99 ms", "cli us/rq",
         "srv us/rq", "vs HTTP", "vs ours");
  json_array_foreach(json_object_get(report, "results"), i, r) {
    /* curl client rows: cell "curl:...", backend column the server's */
    const char *sb = json_string_value(json_object_get(json_object_get(r,
                                       "params"), "server_backend"));
    const char *b = sb ? sb : json_string_value(json_object_get(r,
                                                "backend"));
    const char *name = json_string_value(json_object_get(r, "name"));
    json_t *base = sb ? find_curl(report, "plain", name)
                   : find(report, "plain", name), *st, *lat, *ours = NULL;
    double m = med(r), ratio = NAN, p99 = NAN;
    char lo[32], hi[32], ci[64];
    if(strcmp(json_string_value(json_object_get(r, "suite")), "throughput"))
      continue;
    if(!strncmp(name, "memory/", 7)) {
      printf("%-22s %-10s %12.0f bytes per idle connection\n", name, b,
             med(r));
      continue;
    }
    if(base && strcmp(b, "plain") && med(base) > 0)
      ratio = m / med(base);
    json_object_set_new(r, "vs_plain", hb_json_num(ratio));
    if(sb) { /* curl's requests/s over our client's, same server, cell */
      ours = find(report, sb, name + 5);
      json_object_set_new(r, "vs_ours", hb_json_num(ours && med(ours) > 0
                                                    ? m / med(ours) : NAN));
    }
    st = json_object_get(r, "stats");
    if(!json_is_object(st)) {
      printf("%-22s %-10s %s: %s\n", name, b, json_string_value(
             json_object_get(r, "status")), json_string_value(
             json_object_get(r, "error")));
      continue;
    }
    lat = json_array_get(json_object_get(r, "latency"), 0);
    p99 = jnum(lat, "p99", NULL);
    hb_fmt_rate(jnum(st, "ci95_low", NULL), "", lo, sizeof(lo));
    hb_fmt_rate(jnum(st, "ci95_high", NULL), "", hi, sizeof(hi));
    snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
    printf("%-22s %-10s %12.0f %24s %11.1f %9.2f %10.1f %10.1f %8.3f",
           name, b, m, ci, med(json_object_get(r, "bytes_per_s")) / 1e6,
           p99 / 1000, med(json_object_get(r, "client_cpu_us_per_request")),
           med(json_object_get(r, "server_cpu_us_per_request")), ratio);
    if(sb)
      printf(" %8.3f", ours && med(ours) > 0 ? m / med(ours) : NAN);
    printf("\n");
  }
}

int hb_cmd_throughput(int argc, char **argv)
{
  tp_args a;
  json_t *report;
  hb_cert_paths certs;
  hb_err err = { "" };
  char tmpdir[] = "/tmp/httpsbench.XXXXXX", tmp[64];
  int b, i, m, c, failed = 0;

  parse(argc, argv, &a);
  if(hb_certs_ensure(a.cert_type, &certs, &err) != HB_OK) {
    fprintf(stderr, "httpsbench throughput: %s\n", err.msg);
    return 1;
  }
  if(!mkdtemp(tmpdir)) {
    fprintf(stderr, "httpsbench throughput: cannot create a temporary "
            "directory\n");
    return 1;
  }
  hb_server_log_set(tmpdir);
  snprintf(tmp, sizeof(tmp), "%s/load.json", tmpdir);
  report = hb_report_new(argc, argv);
  if(a.curl) {
    char path[4200], version[256] = "libcurl";
    char *vargs[] = { path, "version", NULL };
    if(hb_engine_path("curl", path, sizeof(path)) == 0)
      hb_engine_capture(vargs, version, sizeof(version));
    hb_report_add_backend(report, "curl", version);
  }
  for(b = 0; b < a.nbackends && !hb_interrupted(); b++) {
    hb_server s;
    char path[4200], version[256] = "kernel TCP";
    char *vargs[] = { path, "version", NULL };
    if(hb_engine_path(a.backends[b], path, sizeof(path)) == 0 &&
       strcmp(a.backends[b], "plain"))
      hb_engine_capture(vargs, version, sizeof(version));
    hb_report_add_backend(report, a.backends[b], version);
    if(server_start(&a, a.backends[b], &s, &err) != HB_OK) {
      fprintf(stderr, "httpsbench throughput: %s\n", err.msg);
      failed = 1;
      continue;
    }
    if(a.idle_conns > 0 && !hb_interrupted()) /* first: a fresh server */
      measure_memory(&a, a.backends[b], &s, certs.root, report);
    for(c = 0; c < 1 + a.curl; c++) /* our client, then libcurl */
      for(m = 0; m < 2; m++) {
        if((m == 0 && !a.keepalive) || (m == 1 && !a.close))
          continue;
        for(i = 0; i < a.nsizes && !hb_interrupted(); i++)
          run_cell(&a, a.backends[b], c ? "curl" : NULL, &s, certs.root,
                   a.sizes[i], m, tmp, report);
      }
    hb_server_stop(&s);
  }
  if(!a.quiet)
    fprintf(stderr, "\r\033[K");
  unlink(tmp);
  finish(report);
  fflush(stdout);
  hb_server_log_flush();
  rmdir(tmpdir);
  printf("client and server pinned to CPUs %d and %d; %ld connections, "
         "%g s per run, %ld runs per cell.\n", a.client_cpu, a.server_cpu,
         a.conns, a.seconds, a.reps);
  if(a.json) {
    if(hb_report_write(report, a.json, hb_interrupted() != 0, &err)) {
      fprintf(stderr, "httpsbench throughput: %s\n", err.msg);
      failed = 1;
    }
    else
      fprintf(stderr, "httpsbench throughput: report written to %s\n",
              a.json);
  }
  json_decref(report);
  return hb_interrupted() ? HB_EXIT_INTERRUPTED : failed ? 1 : 0;
}
