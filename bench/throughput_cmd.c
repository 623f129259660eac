/* httpsbench throughput: HTTP versus HTTPS with our server and load
 * generator, one server library at a time, plain TCP as the baseline.
 *
 * For each backend the server engine starts pinned to one CPU and a load
 * engine (by default one fixed client library for every server) runs
 * pinned to the other, once per (mode, payload, repetition). Each run
 * warms up, then the load engine marks the measured window on its stdout
 * ("mark start" / "mark end"); at each mark the server is asked for a
 * snapshot of its own counters and CPU time (ns), so the server's CPU per
 * request is its CPU over exactly the window divided by the requests it
 * served in it. The client's CPU comes from its own thread CPU clocks over
 * the same window. A cell is "server"-bound when the server was >= 90%
 * busy and the client was not, "client"-bound when the client was, and
 * "neither" otherwise; only server-bound cells say anything about a
 * server library, and only they give HTTPS/HTTP ratios.
 *
 * Cost mode: open loop at one rate every server sustains, CPU per request
 * of server and client (the comparison that survives a noisy machine). */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
#define MAX_COST 8
#define BUSY 0.9          /* a process this busy set the rate */
#define BASE_CV_MAX 0.05  /* plain baseline: spread allowed */
#define BASE_TRIES 3      /* measurements of a noisy baseline at most */

enum { M_KEEPALIVE, M_CLOSE, M_RESUMED, M_COUNT };
static const char *const mode_names[M_COUNT] = { "keepalive", "close",
                                                  "resumed" };

typedef struct cost_cell {
  int mode;
  size_t size;
} cost_cell;

typedef struct tp_args {
  const char *backends[HB_BACKEND_COUNT];
  int nbackends;
  size_t sizes[HB_MAX_SIZES];
  int nsizes;
  int modes[M_COUNT];
  long conns, reps, pipeline, idle_lo, idle_hi, mem_reps;
  long server_burn, client_burn;
  double seconds, warmup, cost_rate;
  const char *json, *tls, *cert_type, *cipher, *group;
  const char *client;    /* fixed client library, or NULL: the server's */
  cost_cell cost[MAX_COST];
  int ncost;
  int server_cpu, client_cpu, quiet;
  int curl;              /* also run the curl engine as the client */
} tp_args;

/* How one backend's server runs: what was pinned, and what it fell back
 * to when the library cannot (mbedTLS 2.28 has no TLS 1.3). */
typedef struct tp_server {
  hb_server s;
  const char *backend;
  const char *tls;       /* as run: "1.3", "1.2", "any", "none" */
  int pinned;            /* version, cipher, group as asked */
  int cipher_pinned;     /* --cipher given to both sides */
  char note[200];        /* why not, when not */
  char suffix[16];       /* cell name suffix for a separate cell */
} tp_server;

/* The fixed client library when none is named: the one whose load
 * generator spent the least CPU per HTTPS request here (see README,
 * "Which client"), if it was built. */
static const char *const client_pref[] = { "boringssl", "openssl",
                                           "wolfssl", "gnutls", "mbedtls" };

static void usage(FILE *f)
{
  fprintf(f,
    "usage: httpsbench throughput [options]\n"
    "\n"
    "Requests/s, bytes/s, latency and CPU per request of HTTPS on every\n"
    "TLS library's server against plain HTTP, with our server (1 thread,\n"
    "pinned to one CPU) and our load generator (1 thread, pinned to\n"
    "another). Every cell records what bound it over the measured\n"
    "window: server (>= 90%% of a CPU busy in the server, the client not),\n"
    "client (the client >= 90%%), noise (their CPUs busy with other\n"
    "processes) or neither; HTTPS/HTTP ratios come from server-bound\n"
    "cells only, and a server-bound HTTPS cell above HTTP is invalid.\n"
    "\n"
    "  --backend LIST|all   server backends (default all built; plain is\n"
    "                       always run first as the baseline)\n"
    "  --client-backend same|NAME  the client's TLS library: one fixed\n"
    "                       library for every server (default: %s, the\n"
    "                       cheapest client per request measured here),\n"
    "                       or same: each server's own library\n"
    "  --sizes LIST         payload bytes (default 0,1k,16k,100k,1m)\n"
    "  --modes LIST         keepalive,close,resumed (default keepalive,\n"
    "                       close); close = a new connection and a FULL\n"
    "                       handshake per request (no tickets or session\n"
    "                       IDs on either side); resumed = a new\n"
    "                       connection per request resuming a session\n"
    "  -c N                 connections (default 32)\n"
    "  -d SECONDS           measured duration of each run (default 3)\n"
    "  --warmup SECONDS     before each run's measured window (default 1)\n"
    "  --repetitions N      runs per cell (default 3)\n"
    "  --pipeline N         keep-alive: N pipelined requests per connection\n"
    "                       at a time (default 8: with the same work per\n"
    "                       request on both sides, a client that writes one\n"
    "                       request at a time sets the rate on two cores;\n"
    "                       1 for wrk's default behaviour)\n"
    "  --tls 1.2|1.3|any    TLS version (default 1.3; a library without it\n"
    "                       gets its own cells, labelled, with 1.2)\n"
    "  --cipher NAME|any    aes-128-gcm (default), aes-256-gcm,\n"
    "                       chacha20-poly1305, or any: the libraries' own\n"
    "  --group NAME|any     key exchange: x25519 (default), p256, p384\n"
    "  --cert-type TYPE     server certificate (default ecdsa-p256)\n"
    "  --cost LIST|off      cost cells MODE/SIZE (default keepalive/1k when\n"
    "                       that cell is run): open loop at one rate every\n"
    "                       server sustains, CPU ns per request of server\n"
    "                       and client\n"
    "  -R RATE              the cost mode's rate in requests/s (default:\n"
    "                       half the slowest server-bound capacity of the\n"
    "                       run for that cell)\n"
    "  --idle-conns LO,HI   server memory per idle connection as the slope\n"
    "                       between holding LO and HI connections (default\n"
    "                       200,1000; 0 to skip)\n"
    "  --memory-repetitions N   (default 3)\n"
    "  --server-cpu N --client-cpu N   CPUs to pin to (default 0 and 1)\n"
    "  --curl on|off        also measure libcurl as the client against\n"
    "                       each server (default on when built)\n"
    "  --server-burn-us N --client-burn-us N   spend N us of CPU per\n"
    "                       request in the server or the client (tests of\n"
    "                       the bound classifier)\n"
    "  --json FILE          write the report\n"
    "  --quiet              no progress on stderr\n",
    "the first built of boringssl, openssl, wolfssl, gnutls, mbedtls");
}

static void parse_modes(const char *modes, tp_args *a)
{
  char *copy = strdup(modes), *t, *save = NULL;
  int m, any = 0;

  for(t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    for(m = 0; m < M_COUNT; m++)
      if(!strcasecmp(t, mode_names[m]))
        break;
    if(m == M_COUNT) {
      free(copy);
      hb_usage_fail("throughput", "--modes: '%s' is not keepalive, close "
                    "or resumed", t);
    }
    a->modes[m] = any = 1;
  }
  free(copy);
  if(!any)
    hb_usage_fail("throughput", "--modes: no mode given");
}

static void parse_cost(const char *spec, tp_args *a)
{
  char *copy, *t, *save = NULL, why[200];

  a->ncost = 0;
  if(!strcmp(spec, "off"))
    return;
  copy = strdup(spec);
  for(t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    char *slash = strchr(t, '/');
    size_t sz[1];
    int m, n;

    if(!slash) {
      free(copy);
      hb_usage_fail("throughput", "--cost: '%s' is not MODE/SIZE", t);
    }
    *slash = '\0';
    for(m = 0; m < M_COUNT; m++)
      if(!strcasecmp(t, mode_names[m]))
        break;
    if(m == M_COUNT ||
       hb_parse_size_list(slash + 1, 0, sz, 1, &n, why, sizeof(why)) ||
       n != 1) {
      free(copy);
      hb_usage_fail("throughput", "--cost: '%s/%s' is not MODE/SIZE", t,
                    slash + 1);
    }
    if(a->ncost == MAX_COST) {
      free(copy);
      hb_usage_fail("throughput", "--cost: at most %d cells", MAX_COST);
    }
    a->cost[a->ncost].mode = m;
    a->cost[a->ncost++].size = sz[0];
  }
  free(copy);
}

static int cell_planned(const tp_args *a, int mode, size_t size)
{
  int i;

  if(!a->modes[mode])
    return 0;
  for(i = 0; i < a->nsizes; i++)
    if(a->sizes[i] == size)
      return 1;
  return 0;
}

static void parse(int argc, char **argv, tp_args *a)
{
  static const struct option longopts[] = {
    { "backend", required_argument, NULL, 'b' },
    { "client-backend", required_argument, NULL, 'B' },
    { "sizes", required_argument, NULL, 's' },
    { "modes", required_argument, NULL, 'm' },
    { "repetitions", required_argument, NULL, 'r' },
    { "warmup", required_argument, NULL, 'w' },
    { "pipeline", required_argument, NULL, 'p' },
    { "tls", required_argument, NULL, 'T' },
    { "cipher", required_argument, NULL, 'x' },
    { "group", required_argument, NULL, 'g' },
    { "cert-type", required_argument, NULL, 'C' },
    { "cost", required_argument, NULL, 'o' },
    { "idle-conns", required_argument, NULL, 'i' },
    { "memory-repetitions", required_argument, NULL, 'M' },
    { "server-cpu", required_argument, NULL, 'S' },
    { "client-cpu", required_argument, NULL, 'K' },
    { "server-burn-us", required_argument, NULL, 'U' },
    { "client-burn-us", required_argument, NULL, 'V' },
    { "json", required_argument, NULL, 'j' },
    { "quiet", no_argument, NULL, 'q' },
    { "curl", required_argument, NULL, 'u' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  const char *backend = "all", *sizes = "0,1k,16k,100k,1m";
  const char *cost = NULL, *client = NULL, *idle = "200,1000";
  char curl_path[4200];
  int curl_built = hb_engine_path("curl", curl_path, sizeof(curl_path))
                   == 0;
  const char *modes = "keepalive,close";
  char why[200];
  const char *sel[HB_BACKEND_COUNT];
  size_t idle_v[2];
  hb_err err = { "" };
  int opt, n, i, pipeline_given = 0;

  memset(a, 0, sizeof(*a));
  a->conns = 32;
  a->reps = 3;
  a->seconds = 3;
  a->warmup = 1;
  a->pipeline = 8;
  a->mem_reps = 3;
  a->tls = "1.3";
  a->cipher = "aes-128-gcm";
  a->group = "x25519";
  a->cert_type = "ecdsa-p256";
  a->client_cpu = 1;
  a->curl = curl_built;
  opterr = 0;
  while((opt = getopt_long(argc, argv, ":hc:d:R:", longopts, NULL)) != -1) {
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
    case 'B': client = optarg; break;
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
    case 'w':
      if(strcmp(optarg, "0") && hb_parse_seconds(optarg, 600, &a->warmup))
        hb_usage_fail("throughput", "--warmup: '%s' is not a duration",
                      optarg);
      if(!strcmp(optarg, "0"))
        a->warmup = 0;
      break;
    case 'R':
      if(hb_parse_seconds(optarg, 1e9, &a->cost_rate))
        hb_usage_fail("throughput", "-R: '%s' is not a rate > 0", optarg);
      break;
    case 'p':
      pipeline_given = 1;
      if(hb_parse_int(optarg, 1, 1024, &a->pipeline))
        hb_usage_fail("throughput", "--pipeline: '%s' is not 1..1024",
                      optarg);
      break;
    case 'r':
      if(hb_parse_int(optarg, 1, MAX_REPS, &a->reps))
        hb_usage_fail("throughput", "--repetitions: '%s' is not 1..%d",
                      optarg, MAX_REPS);
      break;
    case 'M':
      if(hb_parse_int(optarg, 1, MAX_REPS, &a->mem_reps))
        hb_usage_fail("throughput", "--memory-repetitions: '%s' is not "
                      "1..%d", optarg, MAX_REPS);
      break;
    case 'T':
      if(strcmp(optarg, "1.2") && strcmp(optarg, "1.3") &&
         strcmp(optarg, "any"))
        hb_usage_fail("throughput", "--tls: '%s' is not 1.2, 1.3 or any",
                      optarg);
      a->tls = optarg;
      break;
    case 'x':
      if(strcasecmp(optarg, "aes-128-gcm") &&
         strcasecmp(optarg, "aes-256-gcm") &&
         strcasecmp(optarg, "chacha20-poly1305") && strcmp(optarg, "any"))
        hb_usage_fail("throughput", "--cipher: '%s' is not aes-128-gcm, "
                      "aes-256-gcm, chacha20-poly1305 or any", optarg);
      a->cipher = optarg;
      break;
    case 'g':
      if(strcmp(optarg, "x25519") && strcmp(optarg, "p256") &&
         strcmp(optarg, "p384") && strcmp(optarg, "any"))
        hb_usage_fail("throughput", "--group: '%s' is not x25519, p256, "
                      "p384 or any", optarg);
      a->group = optarg;
      break;
    case 'C':
      if(!hb_cert_type_valid(optarg))
        hb_usage_fail("throughput", "--cert-type: unknown type '%s'",
                      optarg);
      a->cert_type = optarg;
      break;
    case 'o': cost = optarg; break;
    case 'i': idle = optarg; break;
    case 'S': a->server_cpu = hb_parse_cpu("throughput", "--server-cpu",
                                           optarg); break;
    case 'K': a->client_cpu = hb_parse_cpu("throughput", "--client-cpu",
                                           optarg); break;
    case 'U':
      if(hb_parse_int(optarg, 0, 1000000, &a->server_burn))
        hb_usage_fail("throughput", "--server-burn-us: '%s' is not "
                      "0..1000000", optarg);
      break;
    case 'V':
      if(hb_parse_int(optarg, 0, 1000000, &a->client_burn))
        hb_usage_fail("throughput", "--client-burn-us: '%s' is not "
                      "0..1000000", optarg);
      break;
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
  parse_modes(modes, a);
  if(!strcmp(idle, "0"))
    a->idle_lo = a->idle_hi = 0;
  else if(hb_parse_size_list(idle, 1, idle_v, 2, &n, why, sizeof(why)) ||
          n != 2 || idle_v[0] >= idle_v[1] || idle_v[1] > 100000)
    hb_usage_fail("throughput", "--idle-conns: '%s' is not LO,HI with "
                  "0 < LO < HI <= 100000, or 0", idle);
  else {
    a->idle_lo = (long)idle_v[0];
    a->idle_hi = (long)idle_v[1];
  }
  if(cost)
    parse_cost(cost, a);
  else if(cell_planned(a, M_KEEPALIVE, 1024)) {
    a->cost[0].mode = M_KEEPALIVE;
    a->cost[0].size = 1024;
    a->ncost = 1;
  }
  for(i = 0; i < a->ncost; i++)
    if(!a->cost_rate && !cell_planned(a, a->cost[i].mode, a->cost[i].size))
      hb_usage_fail("throughput", "--cost %s/%zu: that cell is not in the "
                    "run (--modes, --sizes), so it has no capacity to set "
                    "the rate: add it or give -R", mode_names[a->cost[i].mode],
                    a->cost[i].size);
  if(pipeline_given && a->pipeline > 1 && !a->modes[M_KEEPALIVE])
    hb_usage_fail("throughput", "--pipeline needs the keepalive mode");
  n = hb_select_backends("throughput", backend, 0, sel, HB_BACKEND_COUNT);
  /* plain first: it is the baseline every ratio divides by */
  a->backends[a->nbackends++] = "plain";
  for(i = 0; i < n; i++)
    if(strcmp(sel[i], "plain"))
      a->backends[a->nbackends++] = sel[i];
  if(client && strcasecmp(client, "same")) {
    hb_select_backends("throughput", client, 0, sel, 1);
    if(strchr(client, ',') || !strcmp(client, "all") ||
       !strcmp(sel[0], "plain"))
      hb_usage_fail("throughput", "--client-backend: one TLS library or "
                    "same, not '%s'", client);
    a->client = sel[0];
  }
  else if(!client) {
    for(i = 0; i < (int)(sizeof(client_pref) / sizeof(client_pref[0]));
        i++) {
      char p[4200];
      if(hb_engine_path(client_pref[i], p, sizeof(p)) == 0) {
        a->client = client_pref[i];
        break;
      }
    }
  }
  if(a->json && hb_report_check_path(a->json, &err) != HB_OK)
    hb_usage_fail("throughput", "--json: %s", err.msg);
}

/* Starts backend's server with the pinned parameters; resume: tickets and
 * session IDs on (resumed mode) or off (everything else). A library that
 * cannot run the pinned version or cipher is started with what it can,
 * and its cells get a suffix and a note: they are not compared. */
static int server_start(const tp_args *a, const char *backend, int resume,
                        tp_server *t, hb_err *err)
{
  char burn[32];
  char *args[24];
  int n = 0, rc, attempt;

  memset(t, 0, sizeof(*t));
  t->backend = backend;
  t->pinned = 1;
  t->cipher_pinned = strcmp(a->cipher, "any") != 0;
  snprintf(burn, sizeof(burn), "%ld", a->server_burn);
  if(!strcmp(backend, "plain")) {
    t->tls = "none";
    if(a->server_burn) {
      args[n++] = "--burn-us";
      args[n++] = burn;
    }
    args[n] = NULL;
    return hb_server_start(backend, args, a->server_cpu, &t->s, err);
  }
  t->tls = a->tls;
  for(attempt = 0; attempt < 3; attempt++) {
    n = 0;
    args[n++] = "--cert-type";
    args[n++] = (char *)a->cert_type;
    args[n++] = "--tls";
    args[n++] = (char *)t->tls;
    args[n++] = "--resume";
    args[n++] = resume ? "on" : "off";
    if(t->cipher_pinned) {
      args[n++] = "--cipher";
      args[n++] = (char *)a->cipher;
    }
    if(strcmp(a->group, "any")) {
      args[n++] = "--groups";
      args[n++] = (char *)a->group;
    }
    if(a->server_burn) {
      args[n++] = "--burn-us";
      args[n++] = burn;
    }
    args[n] = NULL;
    rc = hb_server_start(backend, args, a->server_cpu, &t->s, err);
    if(rc != HB_UNSUPPORTED)
      return rc;
    /* what cannot be pinned: TLS 1.3 first, then the cipher */
    if(!strcmp(t->tls, "1.3")) {
      snprintf(t->note, sizeof(t->note), "TLS 1.2: %s", err->msg);
      snprintf(t->suffix, sizeof(t->suffix), "@tls1.2");
      t->tls = "1.2";
      t->pinned = 0;
    }
    else if(t->cipher_pinned) {
      size_t l = strlen(t->note);
      snprintf(t->note + l, sizeof(t->note) - l, "%sits own ciphers: %s",
               l ? "; " : "", err->msg);
      l = strlen(t->suffix);
      snprintf(t->suffix + l, sizeof(t->suffix) - l, "@own-cipher");
      t->cipher_pinned = 0;
      t->pinned = 0;
    }
    else
      return rc;
  }
  return rc;
}

static double jnum(json_t *o, const char *a, const char *b)
{
  json_t *v = json_object_get(o, a);
  if(b)
    v = json_object_get(v, b);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

/* One load run: the window's numbers, or an error. */
typedef struct one_run {
  double rps, bps, cli_us, srv_us, errors;
  double srv_util, cli_util, steal_s;
  double srv_cpu_busy, cli_cpu_busy; /* whole CPUs' busy share */
  double handshakes, resumed, srv_handshakes, srv_resumed, srv_requests;
  double achieved_rate;
  char version[16], cipher[64], group[32];
  json_t *latency; /* owned */
} one_run;

/* The client engine's argument vector for one run (rate > 0: open loop). */
static int client_argv(const tp_args *a, const tp_server *t,
                       const char *client, const char *root, size_t size,
                       int mode, double rate, const char *tmp, char **argv,
                       char bufs[][4200])
{
  int n = 0, plain = !strcmp(t->backend, "plain"), curl = client &&
      !strcmp(client, "curl");

  hb_engine_path(curl ? "curl" : plain ? "plain" : client ? client
                 : t->backend, bufs[0], 4200);
  snprintf(bufs[1], 4200, "%s://127.0.0.1:%d/bytes/%zu",
           plain ? "http" : "https", t->s.port, size);
  snprintf(bufs[2], 4200, "%ld", a->conns);
  snprintf(bufs[3], 4200, "%g", a->seconds);
  snprintf(bufs[4], 4200, "%g", a->warmup);
  snprintf(bufs[5], 4200, "%ld", a->pipeline);
  snprintf(bufs[6], 4200, "%ld", a->client_burn);
  snprintf(bufs[7], 4200, "%.6g", rate);
  argv[n++] = bufs[0];
  argv[n++] = "load";
  argv[n++] = bufs[1];
  argv[n++] = "-c";
  argv[n++] = bufs[2];
  argv[n++] = "-d";
  argv[n++] = bufs[3];
  argv[n++] = "--json";
  argv[n++] = (char *)tmp;
  argv[n++] = "--marks";
  if(a->warmup > 0) {
    argv[n++] = "--warmup";
    argv[n++] = bufs[4];
  }
  if(rate > 0) {
    argv[n++] = "-R";
    argv[n++] = bufs[7];
  }
  if(mode != M_KEEPALIVE)
    argv[n++] = "--close";
  if(!curl) {
    if(mode == M_KEEPALIVE && a->pipeline > 1 && rate <= 0) {
      argv[n++] = "--pipeline";
      argv[n++] = bufs[5];
    }
    if(a->client_burn) {
      argv[n++] = "--burn-us";
      argv[n++] = bufs[6];
    }
  }
  if(!plain) {
    argv[n++] = "--cacert";
    argv[n++] = (char *)root;
    if(strcmp(t->tls, "any")) {
      argv[n++] = "--tls";
      argv[n++] = (char *)t->tls;
    }
    if(!curl) {
      argv[n++] = "--resume";
      argv[n++] = mode == M_RESUMED ? "on" : "off";
      if(t->cipher_pinned) {
        argv[n++] = "--cipher";
        argv[n++] = (char *)a->cipher;
      }
    }
  }
  argv[n] = NULL;
  return n;
}

static void copy_str(char *dst, size_t size, json_t *v)
{
  snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* One run: the client marks its window; the server is asked for a
 * snapshot at each mark. rate > 0: open loop (cost mode). */
static int load_once(const tp_args *a, const tp_server *t,
                     const char *client, const char *root, size_t size,
                     int mode, double rate, const char *tmp, one_run *o,
                     hb_err *err)
{
  static char bufs[8][4200];
  char *argv[48];
  hb_srv_snap s0, s1;
  double st0, st1, reqs, wall, cpu_s;
  double sb0 = 0, sb1 = 0, stt0 = 0, stt1 = 0, cb0 = 0, cb1 = 0;
  double ct0 = 0, ct1 = 0;
  int pid, fd = -1, rc, marks;
  json_t *rep, *res, *tls;
  const char *status;

  memset(o, 0, sizeof(*o));
  client_argv(a, t, client, root, size, mode, rate, tmp, argv, bufs);
  unlink(tmp);
  pid = hb_engine_spawn(argv, a->client_cpu, &fd);
  if(pid < 0)
    return hb_err_set(err, HB_ERROR, "cannot start the client %s",
                      argv[0]);
  marks = hb_wait_mark(fd, "mark start", a->warmup + 30) == 0 &&
          hb_server_snapshot(&t->s, &s0, err) == HB_OK;
  st0 = hb_steal_seconds();
  hb_cpu_busy(a->server_cpu, &sb0, &stt0);
  hb_cpu_busy(a->client_cpu, &cb0, &ct0);
  marks = marks && hb_wait_mark(fd, "mark end", a->seconds + 30) == 0 &&
          hb_server_snapshot(&t->s, &s1, err) == HB_OK;
  st1 = hb_steal_seconds();
  hb_cpu_busy(a->server_cpu, &sb1, &stt1);
  hb_cpu_busy(a->client_cpu, &cb1, &ct1);
  hb_wait_mark(fd, "", -1); /* the summary: drained, never blocks it */
  close(fd);
  rc = hb_engine_wait(pid);
  rep = hb_report_load(tmp, err);
  if(!rep)
    return hb_err_set(err, HB_ERROR, "load exited %d: %s", rc, err->msg);
  res = json_array_get(json_object_get(rep, "results"), 0);
  status = json_string_value(json_object_get(res, "status"));
  if(!status || strcmp(status, "ok")) {
    hb_err_set(err, HB_ERROR, "load: %s", json_string_value(
               json_object_get(res, "error")) ? json_string_value(
               json_object_get(res, "error")) : "failed");
    json_decref(rep);
    return HB_ERROR;
  }
  if(!marks) {
    json_decref(rep);
    return hb_err_set(err, HB_ERROR, "no measured window: %s", err->msg[0]
                      ? err->msg : "the client printed no marks");
  }
  reqs = jnum(res, "counts", "ok");
  if(!(reqs >= 0))
    reqs = jnum(res, "counts", "requests");
  wall = jnum(res, "elapsed_s", NULL);
  o->rps = json_number_value(json_array_get(json_object_get(res, "samples"),
                                            0));
  o->bps = jnum(res, "bytes_per_s", NULL);
  cpu_s = jnum(res, "cpu", "window_s");
  o->cli_us = reqs > 0 ? cpu_s * 1e6 / reqs : NAN;
  o->cli_util = jnum(res, "cpu", "util");
  o->srv_requests = s1.requests - s0.requests;
  o->srv_us = o->srv_requests > 0 ? (s1.cpu_ns - s0.cpu_ns) / 1e3 /
              o->srv_requests : NAN;
  o->srv_util = s1.t_ns > s0.t_ns ? (s1.cpu_ns - s0.cpu_ns) /
                (s1.t_ns - s0.t_ns) : NAN;
  o->srv_handshakes = s1.handshakes - s0.handshakes;
  o->srv_resumed = s1.resumed - s0.resumed;
  o->steal_s = st0 >= 0 && st1 >= 0 ? st1 - st0 : NAN;
  o->srv_cpu_busy = stt1 > stt0 ? (sb1 - sb0) / (stt1 - stt0) : NAN;
  o->cli_cpu_busy = ct1 > ct0 ? (cb1 - cb0) / (ct1 - ct0) : NAN;
  o->achieved_rate = wall > 0 ? reqs / wall : NAN;
  o->handshakes = jnum(res, "counts", "handshakes");
  o->resumed = jnum(res, "counts", "resumed");
  tls = json_object_get(res, "tls");
  copy_str(o->version, sizeof(o->version), json_object_get(tls, "version"));
  copy_str(o->cipher, sizeof(o->cipher), json_object_get(tls, "cipher"));
  copy_str(o->group, sizeof(o->group), json_object_get(tls, "group"));
  if(!o->version[0] && s1.version[0]) { /* the server's view then */
    snprintf(o->version, sizeof(o->version), "%s", s1.version);
    snprintf(o->cipher, sizeof(o->cipher), "%s", s1.cipher);
    snprintf(o->group, sizeof(o->group), "%s", s1.group);
  }
  {
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(res, "errors"), k, v)
      o->errors += json_is_number(v) ? json_number_value(v) : 0;
  }
  o->latency = json_incref(json_object_get(res, "latency"));
  json_decref(rep);
  return HB_OK;
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

static double median_of(const double *v, int n)
{
  hb_stats st;

  return n && hb_stats_compute(v, (size_t)n, &st) == 0 ? st.median : NAN;
}

/* What bound a cell, from the medians of its runs' utilisations: the
 * server's and client's own CPU over the window (ns clocks), and how busy
 * their CPUs were in all (/proc/stat): a CPU that was busy while its
 * process was not means other processes took it (noise). */
static const char *classify(double srv, double cli, double srv_cpu,
                            double cli_cpu, char *why, size_t size)
{
  if(cli >= BUSY) {
    snprintf(why, size, "the client was %.0f%% busy (server %.0f%%)",
             cli * 100, srv * 100);
    return "client";
  }
  if(srv >= BUSY) {
    snprintf(why, size, "the server was %.0f%% busy (client %.0f%%)",
             srv * 100, cli * 100);
    return "server";
  }
  if(isnan(srv) || isnan(cli)) {
    snprintf(why, size, "CPU not measured");
    return "unknown";
  }
  if((srv_cpu >= BUSY && srv_cpu - srv > 0.1) ||
     (cli_cpu >= BUSY && cli_cpu - cli > 0.1)) {
    snprintf(why, size, "other processes took the CPUs: the server's CPU "
             "was %.0f%% busy, the server %.0f%% of it; the client's %.0f%%,"
             " the client %.0f%%", srv_cpu * 100, srv * 100, cli_cpu * 100,
             cli * 100);
    return "noise";
  }
  snprintf(why, size, "neither was saturated (server %.0f%%, client "
           "%.0f%%): waiting, the network or the schedule set the rate",
           srv * 100, cli * 100);
  return "neither";
}

static void set_params(const tp_args *a, const tp_server *t,
                       const char *client, size_t size, int mode,
                       json_t *params)
{
  int plain = !strcmp(t->backend, "plain");

  if(client && !strcmp(client, "curl")) {
    json_object_set_new(params, "client", json_string("curl"));
    json_object_set_new(params, "server_backend", json_string(t->backend));
  }
  else {
    json_object_set_new(params, "client", json_string("httpsbench"));
    json_object_set_new(params, "client_backend", json_string(
                        plain ? "plain" : client ? client : t->backend));
  }
  json_object_set_new(params, "mode", json_string(mode_names[mode]));
  json_object_set_new(params, "bytes", json_integer((json_int_t)size));
  json_object_set_new(params, "connections", json_integer(a->conns));
  json_object_set_new(params, "seconds", json_real(a->seconds));
  json_object_set_new(params, "warmup_s", json_real(a->warmup));
  json_object_set_new(params, "pipeline", json_integer(
                      mode == M_KEEPALIVE ? a->pipeline : 1));
  json_object_set_new(params, "server_threads", json_integer(1));
  json_object_set_new(params, "client_threads", json_integer(1));
  json_object_set_new(params, "server_cpu", json_integer(a->server_cpu));
  json_object_set_new(params, "client_cpu", json_integer(a->client_cpu));
  json_object_set_new(params, "tls", json_string(plain ? "none" : t->tls));
  json_object_set_new(params, "cipher", plain ? json_null()
                      : json_string(t->cipher_pinned ? a->cipher : "any"));
  json_object_set_new(params, "group", plain ? json_null()
                      : json_string(a->group));
  json_object_set_new(params, "cert_type", plain ? json_null()
                      : json_string(a->cert_type));
  json_object_set_new(params, "resume", json_boolean(mode == M_RESUMED));
  json_object_set_new(params, "pinned", json_boolean(plain || t->pinned));
  if(t->note[0])
    json_object_set_new(params, "pin_note", json_string(t->note));
  if(a->server_burn)
    json_object_set_new(params, "server_burn_us",
                        json_integer(a->server_burn));
  if(a->client_burn)
    json_object_set_new(params, "client_burn_us",
                        json_integer(a->client_burn));
}

static void cell_name(char *name, size_t size, const char *client,
                      const tp_server *t, int mode, size_t sz, int cost)
{
  snprintf(name, size, "%s%s%s/%zu%s", cost ? "cost:" : "",
           client && !strcmp(client, "curl") ? "curl:" : "",
           mode_names[mode], sz, t->suffix);
}

/* Runs a cell's repetitions and adds its result; rate > 0: cost mode.
 * Returns the result (borrowed), or NULL when interrupted unfinished. */
static json_t *run_cell(const tp_args *a, const tp_server *t,
                        const char *client, const char *root, size_t size,
                        int mode, double rate, const char *tmp,
                        json_t *report)
{
  double rps[MAX_REPS], bps[MAX_REPS], cli[MAX_REPS], srv[MAX_REPS];
  double su[MAX_REPS], cu[MAX_REPS], ach[MAX_REPS];
  double sc[MAX_REPS], cc[MAX_REPS];
  double errors = 0, steal = 0, hs = 0, res_n = 0, shs = 0, sres = 0;
  char name[96], why[200], version[16] = "", cipher[64] = "", group[32] = "";
  json_t *res, *lat = json_array(), *achieved;
  int r, n = 0, failed = 0;
  hb_err err = { "" };

  cell_name(name, sizeof(name), client, t, mode, size, rate > 0);
  for(r = 0; r < a->reps && !hb_interrupted(); r++) {
    one_run o;
    if(!a->quiet)
      fprintf(stderr, "throughput: %s %s run %d/%ld\n", t->backend, name,
              r + 1, a->reps);
    if(load_once(a, t, client, root, size, mode, rate, tmp, &o, &err)) {
      failed = 1;
      json_decref(o.latency);
      break;
    }
    rps[n] = o.rps;
    bps[n] = o.bps;
    cli[n] = rate > 0 ? o.cli_us * 1e3 : o.cli_us;
    srv[n] = rate > 0 ? o.srv_us * 1e3 : o.srv_us;
    su[n] = o.srv_util;
    cu[n] = o.cli_util;
    sc[n] = o.srv_cpu_busy;
    cc[n] = o.cli_cpu_busy;
    ach[n] = o.achieved_rate;
    errors += o.errors;
    steal += isnan(o.steal_s) ? 0 : o.steal_s;
    hs += isnan(o.handshakes) ? 0 : o.handshakes;
    res_n += isnan(o.resumed) ? 0 : o.resumed;
    shs += o.srv_handshakes;
    sres += o.srv_resumed;
    if(!version[0]) {
      memcpy(version, o.version, sizeof(version));
      memcpy(cipher, o.cipher, sizeof(cipher));
      memcpy(group, o.group, sizeof(group));
    }
    json_array_append_new(lat, o.latency ? o.latency : json_null());
    n++;
  }
  if(hb_interrupted() && !failed && n < a->reps) {
    json_decref(lat);
    return NULL; /* an unfinished cell is left out */
  }
  res = hb_report_add_result(report, "throughput", name,
                             client && !strcmp(client, "curl") ? "curl"
                             : t->backend, rate > 0
                             ? "server ns/request" : "requests/s");
  set_params(a, t, client, size, mode, json_object_get(res, "params"));
  if(rate > 0) {
    json_object_set_new(json_object_get(res, "params"), "rate",
                        json_real(rate));
    if(n)
      hb_result_set_samples(res, srv, (size_t)n);
    json_object_set_new(res, "server_ns_per_request", series(srv, n));
    json_object_set_new(res, "client_ns_per_request", series(cli, n));
    json_object_set_new(res, "achieved_rate", series(ach, n));
  }
  else {
    if(n)
      hb_result_set_samples(res, rps, (size_t)n);
    json_object_set_new(res, "bytes_per_s", series(bps, n));
    json_object_set_new(res, "client_cpu_us_per_request", series(cli, n));
    json_object_set_new(res, "server_cpu_us_per_request", series(srv, n));
  }
  json_object_set_new(res, "server_util", series(su, n));
  json_object_set_new(res, "client_util", series(cu, n));
  json_object_set_new(res, "server_cpu_busy", series(sc, n));
  json_object_set_new(res, "client_cpu_busy", series(cc, n));
  json_object_set_new(res, "bound", json_string(n ? classify(
                      median_of(su, n), median_of(cu, n), median_of(sc, n),
                      median_of(cc, n), why, sizeof(why)) : "unknown"));
  json_object_set_new(res, "bound_reason", json_string(n ? why
                      : "no run finished"));
  json_object_set_new(res, "steal_s", json_real(steal));
  achieved = json_object();
  json_object_set_new(achieved, "version", version[0] ? json_string(version)
                      : json_null());
  json_object_set_new(achieved, "cipher", cipher[0] ? json_string(cipher)
                      : json_null());
  json_object_set_new(achieved, "group", group[0] ? json_string(group)
                      : json_null());
  json_object_set_new(achieved, "handshakes", json_real(hs));
  json_object_set_new(achieved, "resumed", json_real(res_n));
  json_object_set_new(achieved, "server_handshakes", json_real(shs));
  json_object_set_new(achieved, "server_resumed", json_real(sres));
  json_object_set_new(res, "achieved", achieved);
  json_object_set_new(res, "latency", lat);
  json_object_set_new(res, "errors", json_real(errors));
  hb_result_set_status(res, failed ? HB_ERROR : HB_OK, err.msg);
  if(failed)
    fprintf(stderr, "throughput: %s %s: %s\n", t->backend, name, err.msg);
  return res;
}

/* A result that says why a cell has no numbers (the server did not
 * start): no row disappears. */
static void error_cell(const tp_args *a, const tp_server *t,
                       const char *client, size_t size, int mode, int cost,
                       const char *why, json_t *report)
{
  char name[96];
  json_t *res;

  cell_name(name, sizeof(name), client, t, mode, size, cost);
  res = hb_report_add_result(report, "throughput", name,
                             client && !strcmp(client, "curl") ? "curl"
                             : t->backend, cost ? "server ns/request"
                             : "requests/s");
  set_params(a, t, client, size, mode, json_object_get(res, "params"));
  hb_result_set_status(res, HB_ERROR, why);
}

static double cv_of(json_t *res)
{
  return jnum(json_object_get(res, "stats"), "cv", NULL);
}

static void result_remove(json_t *report, json_t *res)
{
  json_t *arr = json_object_get(report, "results");
  size_t i;

  for(i = 0; i < json_array_size(arr); i++)
    if(json_array_get(arr, i) == res) {
      json_array_remove(arr, i);
      return;
    }
}

/* The plain baseline: measured again while its runs spread by more than
 * BASE_CV_MAX, at most BASE_TRIES times; the last is kept and marked
 * noisy if it still spreads. */
static void run_baseline(const tp_args *a, const tp_server *t,
                         size_t size, int mode, const char *tmp,
                         json_t *report)
{
  json_t *res = NULL;
  double cv = NAN;
  int k;

  for(k = 0; k < BASE_TRIES && !hb_interrupted(); k++) {
    if(res)
      result_remove(report, res);
    res = run_cell(a, t, NULL, NULL, size, mode, 0, tmp, report);
    if(!res || json_object_get(res, "stats") == NULL)
      return;
    cv = cv_of(res);
    if(!(cv > BASE_CV_MAX) || a->reps < 2)
      break;
    if(!a->quiet && k + 1 < BASE_TRIES)
      fprintf(stderr, "throughput: plain %s/%zu spread %.1f%% > %.0f%%: "
              "measuring again\n", mode_names[mode], size, cv * 100,
              BASE_CV_MAX * 100);
  }
  if(!res)
    return;
  json_object_set_new(res, "measurements", json_integer(k < BASE_TRIES ?
                      k + 1 : BASE_TRIES));
  json_object_set_new(res, "noisy", json_boolean(cv > BASE_CV_MAX));
  json_object_set_new(res, "cv", hb_json_num(cv));
}

/* /proc/net/sockstat: TCP socket memory of the whole machine, bytes. */
static double tcp_mem_bytes(void)
{
  char line[256];
  long inuse, orphan, tw, alloc, mem;
  double v = NAN;
  FILE *f = fopen("/proc/net/sockstat", "r");

  while(f && fgets(line, sizeof(line), f))
    if(sscanf(line, "TCP: inuse %ld orphan %ld tw %ld alloc %ld mem %ld",
              &inuse, &orphan, &tw, &alloc, &mem) == 5)
      v = (double)mem * (double)sysconf(_SC_PAGESIZE);
  if(f)
    fclose(f);
  return v;
}

/* Starts a load engine that makes one request on each of n connections
 * and holds them idle; waits for its "holding N" line. Returns the pid
 * (its stdout in *fd) or -1; *held is what it says it holds. */
static int hold_start(const tp_args *a, const tp_server *t, const char *root,
                      long n, char bufs[][4200], int *fd, long *held)
{
  char *argv[24], line[256];
  int k = 0, pid, plain = !strcmp(t->backend, "plain");

  hb_engine_path(plain ? "plain" : a->client ? a->client : t->backend,
                 bufs[0], 4200);
  snprintf(bufs[1], 4200, "%s://127.0.0.1:%d/bytes/0", plain ? "http"
           : "https", t->s.port);
  snprintf(bufs[2], 4200, "%ld", n);
  argv[k++] = bufs[0];
  argv[k++] = "load";
  argv[k++] = bufs[1];
  argv[k++] = "-c";
  argv[k++] = bufs[2];
  argv[k++] = "--hold";
  argv[k++] = "600";
  if(!plain) {
    argv[k++] = "--cacert";
    argv[k++] = (char *)root;
    argv[k++] = "--tls";
    argv[k++] = (char *)t->tls;
  }
  argv[k] = NULL;
  *held = -1;
  pid = hb_engine_spawn(argv, a->client_cpu, fd);
  if(pid < 0)
    return -1;
  while(hb_read_line(*fd, line, sizeof(line), 300000) == 0)
    if(sscanf(line, "holding %ld", held) == 1)
      return pid;
  return pid; /* *held -1: it never got there */
}

static void hold_stop(int pid, int fd)
{
  if(pid > 0) {
    kill(pid, SIGINT);
    hb_engine_wait(pid);
  }
  if(fd >= 0)
    close(fd);
}

/* Server memory per idle keep-alive connection, as a slope: a fresh
 * server, warmed up by a few requests; one client holds LO idle
 * connections, a second one HI - LO more; both counts are checked against
 * the server's own count of open connections; user-space memory per
 * connection = (RSS at HI - RSS at LO) / (HI - LO). Kernel TCP memory
 * (both ends: client and server sockets share this machine) apart. */
static void measure_memory(const tp_args *a, const char *backend,
                           const char *root, const char *tmp,
                           json_t *report, int *failed)
{
  static char b1[3][4200], b2[3][4200];
  double per[MAX_REPS], kern[MAX_REPS];
  char name[64], why[300] = "";
  int n = 0, rep;
  json_t *res, *params, *held = json_array();

  for(rep = 0; rep < a->mem_reps && !hb_interrupted(); rep++) {
    tp_server t;
    hb_srv_snap s0, s1;
    hb_err err = { "" };
    one_run o;
    double k0, k1 = NAN;
    long h1 = -1, h2 = -1;
    int p1 = -1, p2 = -1, f1 = -1, f2 = -1, ok;
    tp_args warm = *a;

    memset(&s0, 0, sizeof(s0));
    memset(&s1, 0, sizeof(s1));
    if(!a->quiet)
      fprintf(stderr, "throughput: %s memory/idle %ld-%ld run %d/%ld\n",
              backend, a->idle_lo, a->idle_hi, rep + 1, a->mem_reps);
    if(server_start(a, backend, 0, &t, &err) != HB_OK) {
      snprintf(why, sizeof(why), "%s", err.msg);
      break;
    }
    /* warm-up: the library's and the allocator's first-use costs */
    warm.seconds = 0.3;
    warm.warmup = 0;
    warm.conns = 4;
    warm.pipeline = 1;
    warm.client_burn = 0;
    if(load_once(&warm, &t, a->client, root, 0, M_KEEPALIVE, 0, tmp,
                 &o, &err) == HB_OK)
      json_decref(o.latency);
    p1 = hold_start(a, &t, root, a->idle_lo, b1, &f1, &h1);
    ok = p1 > 0 && h1 == a->idle_lo &&
         hb_server_snapshot(&t.s, &s0, &err) == HB_OK &&
         s0.live == (double)a->idle_lo;
    k0 = tcp_mem_bytes();
    if(ok) {
      p2 = hold_start(a, &t, root, a->idle_hi - a->idle_lo, b2, &f2, &h2);
      ok = p2 > 0 && h2 == a->idle_hi - a->idle_lo &&
           hb_server_snapshot(&t.s, &s1, &err) == HB_OK &&
           s1.live == (double)a->idle_hi;
      k1 = tcp_mem_bytes();
    }
    if(!ok && !why[0])
      snprintf(why, sizeof(why), "held connections not confirmed: clients "
               "held %ld and %ld, the server counted %.0f and %.0f open "
               "(wanted %ld and %ld)%s%s", h1, h2, s0.live, s1.live,
               a->idle_lo, a->idle_hi, err.msg[0] ? ": " : "", err.msg);
    hold_stop(p2, f2);
    hold_stop(p1, f1);
    hb_server_stop(&t.s);
    if(!ok)
      break;
    per[n] = (s1.rss - s0.rss) / (double)(a->idle_hi - a->idle_lo);
    kern[n] = (k1 - k0) / (double)(a->idle_hi - a->idle_lo);
    json_array_append_new(held, json_pack("[f,f]", s0.live, s1.live));
    n++;
  }
  snprintf(name, sizeof(name), "memory/idle-%ld-%ld", a->idle_lo,
           a->idle_hi);
  res = hb_report_add_result(report, "throughput", name, backend,
                             "bytes/connection");
  params = json_object_get(res, "params");
  json_object_set_new(params, "connections_low", json_integer(a->idle_lo));
  json_object_set_new(params, "connections_high", json_integer(a->idle_hi));
  json_object_set_new(params, "method", json_string(
    "slope of the server's RSS between two held counts, each checked "
    "against the server's own count of open connections"));
  json_object_set_new(res, "server_open_connections", held);
  json_object_set_new(res, "kernel_tcp_bytes_per_connection_both_ends",
                      series(kern, n));
  if(n)
    hb_result_set_samples(res, per, (size_t)n);
  hb_result_set_status(res, n == a->mem_reps ? HB_OK : HB_ERROR,
                       why[0] ? why : "interrupted");
  if(n != a->mem_reps && !hb_interrupted())
    *failed = 1;
}

static json_t *find_cell(json_t *report, const char *backend,
                         const char *name)
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

static const char *jstr(json_t *o, const char *k)
{
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* The cost mode's rate for a cell: -R, or half the slowest server-bound
 * capacity of our client's cells of that mode and size in this run (any
 * bound when none is server-bound, and the basis says so). */
static double cost_rate(const tp_args *a, json_t *report, const cost_cell *c,
                        char *basis, size_t size)
{
  double slow = NAN, any = NAN;
  const char *slow_b = "", *any_b = "";
  json_t *r;
  size_t i;
  char want[64];

  if(a->cost_rate > 0) {
    snprintf(basis, size, "given (-R)");
    return a->cost_rate;
  }
  snprintf(want, sizeof(want), "%s/%zu", mode_names[c->mode], c->size);
  json_array_foreach(json_object_get(report, "results"), i, r) {
    const char *name = jstr(r, "name");
    double m = med(r);
    if(strcmp(jstr(r, "suite"), "throughput") || !(m > 0) ||
       !strcmp(jstr(r, "backend"), "curl") ||
       strncmp(name, want, strlen(want)) ||
       (name[strlen(want)] && name[strlen(want)] != '@'))
      continue;
    if(!strcmp(jstr(r, "bound"), "server") && !(m >= slow)) {
      slow = m;
      slow_b = jstr(r, "backend");
    }
    if(!(m >= any)) {
      any = m;
      any_b = jstr(r, "backend");
    }
  }
  if(slow > 0) {
    snprintf(basis, size, "half the slowest server-bound capacity of the "
             "run (%s, %.0f requests/s)", slow_b, slow);
    return slow / 2;
  }
  if(any > 0) {
    snprintf(basis, size, "half the slowest capacity of the run (%s, %.0f "
             "requests/s; no cell was server-bound)", any_b, any);
    return any / 2;
  }
  snprintf(basis, size, "no capacity measured");
  return NAN;
}

/* HTTPS / HTTP ratios (server-bound cells only) and the tables. */
static void finish(json_t *report)
{
  json_t *r;
  size_t i;
  int cost_rows = 0;

  printf("%-24s %-10s %-10s %10s %21s %9s %8s %9s %9s %5s %5s %-8s %8s\n",
         "cell", "server", "client", "req/s", "CI", "MiB/s", "p99 ms",
         "cli us/rq", "srv us/rq", "srv%", "cli%", "bound", "vs HTTP");
  json_array_foreach(json_object_get(report, "results"), i, r) {
    const char *sb = json_string_value(json_object_get(json_object_get(r,
                                       "params"), "server_backend"));
    const char *b = sb ? sb : jstr(r, "backend");
    const char *client = sb ? "curl" : jstr(json_object_get(r, "params"),
                                            "client_backend");
    const char *name = jstr(r, "name"), *at;
    json_t *base, *st, *lat, *ours;
    double m = med(r), ratio = NAN, p99, lo, hi, level;
    char bname[96], ci[64], note[200] = "", vs[32], lv[16];
    int server_bound;

    if(strcmp(jstr(r, "suite"), "throughput"))
      continue;
    if(!strncmp(name, "cost:", 5)) {
      cost_rows = 1;
      continue;
    }
    if(!strncmp(name, "memory/", 7)) {
      printf("%-24s %-10s %10.0f bytes per idle connection (slope; "
             "kernel TCP, both ends: %.0f)\n", name, b, m,
             med(json_object_get(r,
                 "kernel_tcp_bytes_per_connection_both_ends")));
      continue;
    }
    st = json_object_get(r, "stats");
    if(!json_is_object(st)) {
      printf("%-24s %-10s %s: %s\n", name, b, jstr(r, "status"),
             jstr(r, "error"));
      continue;
    }
    /* the baseline: plain's cell of the same name without a suffix */
    snprintf(bname, sizeof(bname), "%s", name);
    at = strchr(bname, '@');
    if(at)
      bname[at - bname] = '\0';
    base = sb ? find_curl(report, "plain", bname)
           : find_cell(report, "plain", bname);
    server_bound = !strcmp(jstr(r, "bound"), "server");
    if(strcmp(b, "plain") && base && med(base) > 0) {
      ratio = m / med(base);
      json_object_set_new(r, "vs_plain_raw", hb_json_num(ratio));
      if(!server_bound)
        snprintf(note, sizeof(note), "not stated: this cell is %s-bound "
                 "(%s)", jstr(r, "bound"), jstr(r, "bound_reason"));
      else if(strcmp(jstr(base, "bound"), "server"))
        snprintf(note, sizeof(note), "not stated: the HTTP baseline is "
                 "%s-bound (%s)", jstr(base, "bound"),
                 jstr(base, "bound_reason"));
      else if(json_is_true(json_object_get(base, "noisy")))
        snprintf(note, sizeof(note), "not stated: the HTTP baseline's "
                 "runs spread by %.1f%%", 100 * jnum(base, "cv", NULL));
      else if(ratio > 1) {
        snprintf(note, sizeof(note), "invalid: HTTPS above its HTTP "
                 "baseline (%.3f), noise or a fault", ratio);
        json_object_set_new(r, "valid", json_false());
      }
      if(note[0]) {
        json_object_set_new(r, "vs_plain", json_null());
        json_object_set_new(r, "vs_plain_note", json_string(note));
      }
      else
        json_object_set_new(r, "vs_plain", hb_json_num(ratio));
    }
    ours = sb ? find_cell(report, sb, name + 5) : NULL;
    if(sb)
      json_object_set_new(r, "vs_ours", hb_json_num(ours && med(ours) > 0
                                                    ? m / med(ours) : NAN));
    lat = json_array_get(json_object_get(r, "latency"), 0);
    p99 = jnum(lat, "p99", NULL);
    lo = jnum(st, "ci_low", NULL);
    hi = jnum(st, "ci_high", NULL);
    level = jnum(st, "ci_level", NULL);
    hb_fmt_level(level, lv, sizeof(lv));
    snprintf(ci, sizeof(ci), "[%.0f, %.0f] %s", lo, hi, lv);
    if(isnan(ratio))
      snprintf(vs, sizeof(vs), "-");
    else if(note[0])
      snprintf(vs, sizeof(vs), "(%.3f)", ratio);
    else
      snprintf(vs, sizeof(vs), "%.3f", ratio);
    printf("%-24s %-10s %-10s %10.0f %21s %9.1f %8.2f %9.1f %9.1f %5.0f "
           "%5.0f %-8s %8s\n", name, b, client, m, ci,
           med(json_object_get(r, "bytes_per_s")) / 1048576.0, p99 / 1000,
           med(json_object_get(r, "client_cpu_us_per_request")),
           med(json_object_get(r, "server_cpu_us_per_request")),
           100 * med(json_object_get(r, "server_util")),
           100 * med(json_object_get(r, "client_util")), jstr(r, "bound"),
           vs);
  }
  printf("vs HTTP: HTTPS requests/s over plain HTTP's, stated only when "
         "both cells are server-bound; (x) is shown, not stated.\n");
  if(!cost_rows)
    return;
  printf("\n%-28s %-10s %10s %16s %24s %16s %5s %-8s\n", "cost cell",
         "server", "rate/s", "server ns/rq", "CI", "client ns/rq", "srv%",
         "bound");
  json_array_foreach(json_object_get(report, "results"), i, r) {
    json_t *st = json_object_get(r, "stats");
    char ci[64], lv[16];
    if(strcmp(jstr(r, "suite"), "throughput") ||
       strncmp(jstr(r, "name"), "cost:", 5))
      continue;
    if(!json_is_object(st)) {
      printf("%-28s %-10s %s: %s\n", jstr(r, "name"), jstr(r, "backend"),
             jstr(r, "status"), jstr(r, "error"));
      continue;
    }
    hb_fmt_level(jnum(st, "ci_level", NULL), lv, sizeof(lv));
    snprintf(ci, sizeof(ci), "[%.0f, %.0f] %s", jnum(st, "ci_low", NULL),
             jnum(st, "ci_high", NULL), lv);
    printf("%-28s %-10s %10.0f %16.0f %24s %16.0f %5.0f %-8s\n",
           jstr(r, "name"), jstr(r, "backend"),
           jnum(json_object_get(r, "params"), "rate", NULL), med(r), ci,
           med(json_object_get(r, "client_ns_per_request")),
           100 * med(json_object_get(r, "server_util")), jstr(r, "bound"));
  }
  printf("cost: CPU per request at one offered rate that every server "
         "sustains (open loop); compare libraries by this.\n");
}

static int report_failed(json_t *report)
{
  json_t *r;
  size_t i;

  json_array_foreach(json_object_get(report, "results"), i, r)
    if(!strcmp(jstr(r, "suite"), "throughput") &&
       strcmp(jstr(r, "status"), "ok"))
      return 1;
  return 0;
}

/* One backend's capacity cells on one server: our client, then libcurl,
 * for the modes whose server settings are resume (0: off, 1: on). */
static void run_pass(const tp_args *a, const char *backend, int resume,
                     const char *root, const char *tmp, json_t *report)
{
  tp_server t;
  hb_err err = { "" };
  int c, m, i, rc;

  rc = server_start(a, backend, resume, &t, &err);
  if(rc != HB_OK)
    fprintf(stderr, "httpsbench throughput: %s\n", err.msg);
  for(c = 0; c < 1 + a->curl; c++) /* our client, then libcurl */
    for(m = 0; m < M_COUNT; m++) {
      if(!a->modes[m] || (m == M_RESUMED) != resume)
        continue;
      for(i = 0; i < a->nsizes && !hb_interrupted(); i++) {
        const char *client = c ? "curl" : a->client;
        if(rc != HB_OK)
          error_cell(a, &t, client, a->sizes[i], m, 0, err.msg, report);
        else if(!c && !strcmp(backend, "plain"))
          run_baseline(a, &t, a->sizes[i], m, tmp, report);
        else
          run_cell(a, &t, client, root, a->sizes[i], m, 0, tmp, report);
      }
    }
  if(rc == HB_OK)
    hb_server_stop(&t.s);
}

static void run_cost(const tp_args *a, const char *root, const char *tmp,
                     json_t *report)
{
  int k, b;

  for(k = 0; k < a->ncost && !hb_interrupted(); k++) {
    const cost_cell *c = &a->cost[k];
    char basis[200];
    double rate = cost_rate(a, report, c, basis, sizeof(basis));

    if(!a->quiet)
      fprintf(stderr, "throughput: cost %s/%zu at %.0f requests/s (%s)\n",
              mode_names[c->mode], c->size, rate, basis);
    for(b = 0; b < a->nbackends && !hb_interrupted(); b++) {
      tp_server t;
      hb_err err = { "" };
      json_t *res;

      if(!(rate > 0)) {
        memset(&t, 0, sizeof(t));
        t.backend = a->backends[b];
        t.tls = strcmp(t.backend, "plain") ? a->tls : "none";
        error_cell(a, &t, a->client, c->size, c->mode, 1, basis, report);
        continue;
      }
      if(server_start(a, a->backends[b], c->mode == M_RESUMED, &t, &err)
         != HB_OK) {
        error_cell(a, &t, a->client, c->size, c->mode, 1, err.msg, report);
        continue;
      }
      res = run_cell(a, &t, a->client, root, c->size, c->mode, rate, tmp,
                     report);
      if(res)
        json_object_set_new(json_object_get(res, "params"), "rate_basis",
                            json_string(basis));
      hb_server_stop(&t.s);
    }
  }
}

int hb_cmd_throughput(int argc, char **argv)
{
  tp_args a;
  json_t *report;
  hb_cert_paths certs;
  hb_err err = { "" };
  char tmpdir[] = "/tmp/httpsbench.XXXXXX", tmp[64];
  int b, failed = 0, client_listed = 0;

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
  for(b = 0; b < a.nbackends; b++)
    if(a.client && !strcmp(a.backends[b], a.client))
      client_listed = 1;
  for(b = -1; b < a.nbackends && !hb_interrupted(); b++) {
    const char *name = b < 0 ? a.client : a.backends[b];
    char path[4200], version[256] = "kernel TCP";
    char *vargs[] = { path, "version", NULL };
    if(b < 0 && (!a.client || client_listed))
      continue;
    if(hb_engine_path(name, path, sizeof(path)) == 0 &&
       strcmp(name, "plain"))
      hb_engine_capture(vargs, version, sizeof(version));
    hb_report_add_backend(report, name, version);
    if(b < 0)
      continue; /* the client's library: listed, not a server here */
    if(a.idle_hi > 0 && !hb_interrupted())
      measure_memory(&a, name, certs.root, tmp, report, &failed);
    if(a.modes[M_KEEPALIVE] || a.modes[M_CLOSE])
      run_pass(&a, name, 0, certs.root, tmp, report);
    if(a.modes[M_RESUMED] && !hb_interrupted())
      run_pass(&a, name, 1, certs.root, tmp, report);
  }
  if(!hb_interrupted())
    run_cost(&a, certs.root, tmp, report);
  unlink(tmp);
  finish(report);
  fflush(stdout);
  hb_server_log_flush();
  rmdir(tmpdir);
  printf("server pinned to CPU %d, client to CPU %d; client library: %s; "
         "%ld connections, keep-alive pipelined %ld deep; %g s warm-up + "
         "%g s measured per run, %ld runs per cell.\n", a.server_cpu,
         a.client_cpu, a.client ? a.client : "each server's own", a.conns,
         a.pipeline, a.warmup, a.seconds, a.reps);
  failed |= report_failed(report);
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
