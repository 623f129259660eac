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
#include <signal.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hb/certs.h"
#include "hb/opts.h"
#include "engine_run.h"
#include "link_fe.h"
#include "hb/report.h"
#include "results.h"
#include "hb/sig.h"
#include "throughput.h"

const char *const tp_mode_names[M_COUNT] = { "keepalive", "close",
                                             "resumed" };

/* The fixed client library when none is named: the one whose load
 * generator spent the least CPU per HTTPS request here (see README,
 * "Which client"), if it was built. */
static const char *const client_pref[] = { "boringssl", "openssl",
                                           "wolfssl", "gnutls", "mbedtls" };


static void parse_modes(const char *modes, tp_args *a)
{
  char *copy = strdup(modes), *t, *save = NULL;
  int m, any = 0;

  for(t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    for(m = 0; m < M_COUNT; m++)
      if(!strcasecmp(t, tp_mode_names[m]))
        break;
    if(m == M_COUNT) {
      /* t points into copy: no free before the message (it exits) */
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
      /* t points into copy: no free before the message (it exits) */
      hb_usage_fail("throughput", "--cost: '%s' is not MODE/SIZE", t);
    }
    *slash = '\0';
    for(m = 0; m < M_COUNT; m++)
      if(!strcasecmp(t, tp_mode_names[m]))
        break;
    if(m == M_COUNT ||
       hb_parse_size_list(slash + 1, 0, sz, 1, &n, why, sizeof(why)) ||
       n != 1) {
      /* t points into copy: no free before the message (it exits) */
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

/* --cost-rates-from: the rate each cost cell offered in that report (its
 * results "cost:MODE/SIZE", params.rate), so a run repeats another's
 * load: the server's CPU per request falls as the rate rises (fewer
 * wake-ups per request), so two runs compare only at one rate. */
static void cost_rates_from(tp_args *a)
{
  hb_err err = { "" };
  json_t *rep = hb_report_load(a->cost_from, &err), *r;
  size_t j;
  int i;

  if(!rep)
    hb_usage_fail("throughput", "--cost-rates-from: %s", err.msg);
  for(i = 0; i < a->ncost; i++) {
    char want[64];
    size_t n;

    n = (size_t)snprintf(want, sizeof(want), "cost:%s/%zu",
                         tp_mode_names[a->cost[i].mode], a->cost[i].size);
    a->from_rate[i] = NAN;
    json_array_foreach(json_object_get(rep, "results"), j, r) {
      const char *name = hb_res_str(r, "name");
      double v = hb_res_num(json_object_get(r, "params"), "rate", NULL);

      if(!strncmp(name, want, n) && (!name[n] || name[n] == '@') &&
         v > 0) {
        a->from_rate[i] = v;
        break;
      }
    }
    if(!(a->from_rate[i] > 0)) {
      json_decref(rep);
      hb_usage_fail("throughput", "--cost-rates-from %s: no %s result "
                    "with a rate in it", a->cost_from, want);
    }
  }
  json_decref(rep);
}

static int cell_planned(const tp_args *a, int mode, size_t size)
{
  int i;

  if(!a->modes[mode] || !a->http1)
    return 0;
  for(i = 0; i < a->nsizes; i++)
    if(a->sizes[i] == size)
      return 1;
  return 0;
}

static int opt_warmup(const char *v, void *dest, char *why, size_t size)
{
  if(!strcmp(v, "0"))
    *(double *)dest = 0;
  else if(hb_parse_seconds(v, 600, dest)) {
    snprintf(why, size, "'%s' is not a duration", v);
    return -1;
  }
  return 0;
}

static int opt_pipeline(const char *v, void *dest, char *why, size_t size)
{
  tp_args *a = dest;

  if(hb_parse_int(v, 1, 1024, &a->pipeline)) {
    snprintf(why, size, "'%s' is not 1..1024", v);
    return -1;
  }
  a->pipeline_given = 1;
  return 0;
}

static int opt_cipher(const char *v, void *dest, char *why, size_t size)
{
  static const char *const c[] = { "aes-128-gcm", "aes-256-gcm",
                                   "chacha20-poly1305", NULL };
  int i;

  for(i = 0; c[i]; i++)
    if(!strcasecmp(v, c[i])) {
      *(const char **)dest = v;
      return 0;
    }
  if(!strcmp(v, "any")) {
    *(const char **)dest = v;
    return 0;
  }
  snprintf(why, size, "'%s' is not aes-128-gcm, aes-256-gcm, "
           "chacha20-poly1305 or any", v);
  return -1;
}

static int opt_cert_type(const char *v, void *dest, char *why, size_t size)
{
  if(!hb_cert_type_valid(v)) {
    snprintf(why, size, "unknown type '%s'", v);
    return -1;
  }
  *(const char **)dest = v;
  return 0;
}

static void parse_http(const char *v, tp_args *a)
{
  char *copy = strdup(v), *t, *save = NULL;

  a->http1 = a->http2 = 0;
  for(t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
    if(!strcmp(t, "1.1"))
      a->http1 = 1;
    else if(!strcmp(t, "2"))
      a->http2 = 1;
    else {
      /* t points into copy: no free before the message (it exits) */
      hb_usage_fail("throughput", "--http: '%s' is not 1.1 or 2", t);
    }
  free(copy);
  if(!a->http1 && !a->http2)
    hb_usage_fail("throughput", "--http: no version given");
}

static void parse_streams(const char *v, tp_args *a)
{
  char *copy = strdup(v), *t, *save = NULL;

  a->nstreams = 0;
  for(t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    long n;
    if(hb_parse_int(t, 1, 1000, &n)) {
      /* t points into copy: no free before the message (it exits) */
      hb_usage_fail("throughput", "--h2-streams: '%s' is not 1..1000", t);
    }
    if(a->nstreams == MAX_STREAMS) {
      free(copy);
      hb_usage_fail("throughput", "--h2-streams: at most %d values",
                    MAX_STREAMS);
    }
    a->streams[a->nstreams++] = n;
  }
  free(copy);
  if(!a->nstreams)
    hb_usage_fail("throughput", "--h2-streams: no count given");
}

/* --rate-sweep LIST: the link's rate (Mbit/s each way, > 0, at most
 * 10000), ascending, at most 8 points */
static int opt_rate_sweep(const char *v, void *dest, char *why, size_t size)
{
  tp_args *a = dest;
  const char *p = v;

  a->nrate = 0;
  while(*p) {
    char *e;
    double r = strtod(p, &e);
    if(e == p || (*e && *e != ',') || !(r > 0) || r > 10000 ||
       a->nrate == 8 || (a->nrate && r <= a->rate_sweep[a->nrate - 1]) ||
       (*e && !e[1])) {
      snprintf(why, size, "'%s' is not an ascending list of rates in "
               "Mbit/s (0 < rate <= 10000, at most 8)", v);
      return -1;
    }
    a->rate_sweep[a->nrate++] = r;
    p = *e ? e + 1 : e;
  }
  if(!a->nrate) {
    snprintf(why, size, "no point given");
    return -1;
  }
  return 0;
}

static void parse(int argc, char **argv, tp_args *a)
{
  static const char *const tls[] = { "1.2", "1.3", "any", NULL };
  static const char *const groups[] = { "x25519", "p256", "p384", "any",
                                        NULL };
  static const char *const onoff[] = { "on", "off", NULL };
  const char *backend = "all", *sizes = "0,1k,16k,100k,1m";
  const char *cost = NULL, *client = NULL, *idle = "200,1000";
  const char *curl = NULL, *hosts = NULL, *http = "1.1", *streams = NULL;
  char curl_path[4200], client_help[300];
  int curl_built = hb_engine_path("curl", curl_path, sizeof(curl_path))
                   == 0;
  const char *modes = "keepalive,close";
  char why[200];
  const char *sel[HB_BACKEND_MAX];
  size_t idle_v[2];
  hb_err err = { "" };
  int n, i, first;
  const hb_opt opts[] = {
    { "backend", 0, HB_OPT_STRING, &backend, "LIST|all",
      "server backends (default all built; plain is\nalways run first as "
      "the baseline)", 0, 0, NULL, NULL, NULL },
    { "client-backend", 0, HB_OPT_STRING, &client, "same|NAME",
      client_help, 0, 0, NULL, NULL, NULL },
    { "sizes", 0, HB_OPT_STRING, &sizes, "LIST",
      "payload bytes (default 0,1k,16k,100k,1m)", 0, 0, NULL, NULL, NULL },
    { "modes", 0, HB_OPT_STRING, &modes, "LIST",
      "keepalive,close,resumed (default keepalive,\nclose); close = a new "
      "connection and a FULL\nhandshake per request (no tickets or "
      "session\nIDs on either side); resumed = a new\nconnection per "
      "request resuming a session", 0, 0, NULL, NULL, NULL },
    { "http", 0, HB_OPT_STRING, &http, "LIST",
      "HTTP versions: 1.1, 2 or 1.1,2 (default 1.1).\nHTTP/2 is h2 by ALPN "
      "over TLS and h2c with\nprior knowledge over plain TCP, our client "
      "only,\nkeep-alive cells only (a connection per request\nhas nothing "
      "to multiplex); its cells are named\nMODE/SIZE/h2xN and compared "
      "with plain's h2c\ncell of the same streams", 0, 0, NULL, NULL,
      NULL },
    { "h2-streams", 0, HB_OPT_STRING, &streams, "LIST",
      "HTTP/2 streams open at once per connection, a\ncell each (default "
      "1,10,100; 1..1000)", 0, 0, NULL, NULL, NULL },
    { NULL, 'c', HB_OPT_INT, &a->conns, "N", "connections (default 32)", 1,
      100000, NULL, NULL, "a count >= 1" },
    { NULL, 'd', HB_OPT_SECONDS, &a->seconds, "SECONDS",
      "measured duration of each run (default 3)", 0, 3600, NULL, NULL,
      "a duration" },
    { "warmup", 0, HB_OPT_CALL, &a->warmup, "SECONDS",
      "before each run's measured window (default 1)", 0, 0, NULL,
      opt_warmup, NULL },
    { "repetitions", 0, HB_OPT_INT, &a->reps, "N",
      "runs per capacity cell (default 3; cost cells:\n"
      "--cost-repetitions)", 1, MAX_REPS, NULL, NULL, NULL },
    { "pipeline", 0, HB_OPT_CALL, a, "N",
      "keep-alive: N pipelined requests per connection\nat a time "
      "(default 8: with the same work per\nrequest on both sides, a "
      "client that writes one\nrequest at a time sets the rate on two "
      "cores;\n1 for wrk's default behaviour)", 0, 0, NULL, opt_pipeline,
      NULL },
    { "tls", 0, HB_OPT_ENUM, &a->tls, "1.2|1.3|any",
      "TLS version (default 1.3; a library without it\ngets its own "
      "cells, labelled, with 1.2)", 0, 0, tls, NULL, NULL },
    { "cipher", 0, HB_OPT_CALL, &a->cipher, "NAME|any",
      "aes-128-gcm (default), aes-256-gcm,\nchacha20-poly1305, or any: "
      "the libraries' own", 0, 0, NULL, opt_cipher, NULL },
    { "group", 0, HB_OPT_ENUM, &a->group, "NAME|any",
      "key exchange: x25519 (default), p256, p384", 0, 0, groups, NULL,
      NULL },
    { "cert-type", 0, HB_OPT_CALL, &a->cert_type, "TYPE",
      "server certificate (default ecdsa-p256)", 0, 0, NULL, opt_cert_type,
      NULL },
    { "insecure", 0, HB_OPT_FLAG, &a->insecure, NULL,
      "the clients do not verify the server (over\nhosts: when its "
      "certificate does not name\nthe address they dial); params.verify",
      0, 0, NULL, NULL, NULL },
    { "cost", 0, HB_OPT_STRING, &cost, "LIST|off",
      "cost cells MODE/SIZE (default keepalive/1k when\nthat cell is "
      "run): open loop at one rate every\nserver sustains, CPU ns per "
      "request of server\nand client", 0, 0, NULL, NULL, NULL },
    { NULL, 'R', HB_OPT_SECONDS, &a->cost_rate, "RATE",
      "the cost mode's rate in requests/s (default:\nhalf the slowest "
      "server-bound capacity of the\nrun for that cell)", 0, 1e9, NULL,
      NULL, "a rate > 0" },
    { "cost-rates-from", 0, HB_OPT_STRING, &a->cost_from, "REPORT",
      "each cost cell at the rate it was offered in\nREPORT (an earlier "
      "run's; its own rate is\nin rate_basis): two runs compare only at "
      "one\nrate, as CPU per request falls with it; a rate\nat 0.9 of "
      "this run's slowest capacity or more\nis warned about", 0, 0, NULL,
      NULL, NULL },
    { "idle-conns", 0, HB_OPT_STRING, &idle, "LO,HI",
      "server memory per idle connection as the slope\nbetween holding "
      "LO and HI connections (default\n200,1000; 0 to skip)", 0, 0, NULL,
      NULL, NULL },
    { "memory-repetitions", 0, HB_OPT_INT, &a->mem_reps, "N",
      "(default 3)", 1, MAX_REPS, NULL, NULL, NULL },
    { "cost-repetitions", 0, HB_OPT_INT, &a->cost_reps, "N",
      "rounds of the cost cells, each over every\nbackend (default 5: "
      "an interval of 93.8%\ncoverage; 3 give 75%)", 1, MAX_REPS, NULL,
      NULL, NULL },
    { "server-cpu", 0, HB_OPT_CALL, &a->server_cpu, "N",
      "CPU to pin the server to (default 0)", 0, 0, NULL, hb_opt_cpu,
      NULL },
    { "client-cpu", 0, HB_OPT_CALL, &a->client_cpu, "N",
      "CPU to pin the client to (default 1)", 0, 0, NULL, hb_opt_cpu,
      NULL },
    { "curl", 0, HB_OPT_ENUM, &curl, "on|off",
      "also measure libcurl as the client against\neach server (default "
      "on when built)", 0, 0, onoff, NULL, NULL },
    { "server-burn-us", 0, HB_OPT_INT, &a->server_burn, "N",
      "spend N us of CPU per request in the server\n(tests of the bound "
      "classifier)", 0, 1000000, NULL, NULL, NULL },
    { "client-burn-us", 0, HB_OPT_INT, &a->client_burn, "N",
      "the same in the client", 0, 1000000, NULL, NULL, NULL },
    { "nap", 0, HB_OPT_INT, &a->nap, "US",
      "our client sleeps US microseconds on a timer\nwhen no socket is "
      "ready (load --nap), not in\nepoll: the server then never pays for "
      "waking\nit (loopback, idle CPUs that halt); each\nresponse may wait "
      "up to US before it is read\n(default 0: sleep in epoll)", 0, 1000,
      NULL, NULL, NULL },
    { "json", 0, HB_OPT_STRING, &a->json, "FILE", "write the report", 0, 0,
      NULL, NULL, NULL },
    { "quiet", 0, HB_OPT_FLAG, &a->quiet, NULL, "no progress on stderr", 0,
      0, NULL, NULL, NULL },
    RM_OPTS(&hosts, &a->rm),
    { "requests", 0, HB_OPT_INT, &a->requests, "N",
      "over hosts: N requests per client host and\nrun instead of -d "
      "(exact cross-checks)", 1, 1000000000, NULL, NULL, NULL },
    HB_FE_LINK_OPTS,
    { "rate-sweep", 0, HB_OPT_CALL, a, "LIST",
      "goodput: every cell behind a link of each rate\n(Mbit/s each way, "
      "e.g. 10,100,1000; one link\nper point); the cells are labelled "
      "NAME@rateN\nwith goodput_mbit (body bytes received) and\n"
      "goodput_of_link; no memory or cost cells", 0, 0, NULL,
      opt_rate_sweep, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "throughput",
    "usage: httpsbench throughput [options]\n"
    "\n"
    "Requests/s, bytes/s, latency and CPU per request of HTTPS on every\n"
    "TLS library's server against plain HTTP, with our server (1 thread,\n"
    "pinned to one CPU) and our load generator (1 thread, pinned to\n"
    "another). Every cell records what bound it over the measured\n"
    "window: server (>= 90% of a CPU busy in the server, the client not),\n"
    "client (the client >= 90%), noise (their CPUs busy with other\n"
    "processes) or neither; HTTPS/HTTP ratios come from server-bound\n"
    "cells only, and a server-bound HTTPS cell above HTTP is invalid.\n"
    "\n", NULL, opts };

  memset(a, 0, sizeof(*a));
  a->conns = 32;
  a->reps = 3;
  a->seconds = 3;
  a->warmup = 1;
  a->pipeline = 8;
  a->mem_reps = 3;
  a->cost_reps = 5;
  a->tls = "1.3";
  a->cipher = "aes-128-gcm";
  a->group = "x25519";
  a->cert_type = "ecdsa-p256";
  a->client_cpu = 1;
  snprintf(client_help, sizeof(client_help), "the client's TLS library: "
           "one fixed\nlibrary for every server (default: %s, the\n"
           "cheapest client per request measured here),\nor same: each "
           "server's own library", "the first built of boringssl, "
           "openssl,\nwolfssl, gnutls, mbedtls");
  first = hb_opts_parse(&spec, argc, argv);
  if(first < argc)
    hb_usage_fail("throughput", "unexpected argument '%s'", argv[first]);
  hb_fe_link_after_parse("throughput");
  if(a->nrate && hb_fe_link_given(HB_LINK_GIVEN_RATE))
    hb_usage_fail("throughput", "--rate-sweep and --rate contradict");
  if(a->nrate && hb_fe_link_given(HB_LINK_GIVEN_PROFILE))
    hb_usage_fail("throughput", "--rate-sweep and --link contradict (give "
                  "--rtt, --loss, ... instead)");
  rm_opts_check("throughput", hosts, &a->rm);
  if(!a->rm.server_host && a->requests)
    hb_usage_fail("throughput", "--requests goes with --hosts or "
                  "--client-hosts");
  if(a->rm.server_host) {
    if(hb_fe_link_wanted() || a->nrate)
      hb_usage_fail("throughput", "over hosts the network is real: no "
                    "emulated link");
    if(curl && !strcmp(curl, "on"))
      hb_usage_fail("throughput", "--curl on: over hosts only our load "
                    "engine runs");
    if(cost && strcmp(cost, "off"))
      hb_usage_fail("throughput", "--cost: not over hosts (yet)");
    curl = "off";
    cost = "off";
    idle = "0"; /* the memory slope needs the server's machine */
  }
  a->curl = curl ? !strcmp(curl, "on") : curl_built;
  if(a->curl && !curl_built)
    hb_usage_fail("throughput", "--curl on: the curl engine was not "
                  "built (libcurl missing at configure time)");
  if(hb_parse_size_list(sizes, 0, a->sizes, HB_MAX_SIZES, &a->nsizes, why,
                        sizeof(why)))
    hb_usage_fail("throughput", "--sizes: %s", why);
  parse_modes(modes, a);
  parse_http(http, a);
  if(a->http2 && a->rm.server_host)
    hb_usage_fail("throughput", "--http 2: not over hosts (yet)");
  if(streams && !a->http2)
    hb_usage_fail("throughput", "--h2-streams: give --http with 2");
  parse_streams(streams ? streams : "1,10,100", a);
  if(a->http2 && !a->http1 && !a->modes[M_KEEPALIVE])
    hb_usage_fail("throughput", "--http 2: HTTP/2 cells are keep-alive: "
                  "add keepalive to --modes");
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
  if(a->cost_from && a->cost_rate)
    hb_usage_fail("throughput", "-R and --cost-rates-from exclude each "
                  "other%s", "");
  if(a->cost_from && !a->ncost)
    hb_usage_fail("throughput", "--cost-rates-from: this run has no cost "
                  "cells (--cost off, over hosts, or no keepalive/1k cell "
                  "to default to)%s", "");
  if(a->cost_from)
    cost_rates_from(a);
  for(i = 0; i < a->ncost; i++)
    if(!a->cost_rate && !a->cost_from &&
       !cell_planned(a, a->cost[i].mode, a->cost[i].size))
      hb_usage_fail("throughput", "--cost %s/%zu: that cell is not in the "
                    "run (--modes, --sizes), so it has no capacity to set "
                    "the rate: add it or give -R", tp_mode_names[a->cost[i].mode],
                    a->cost[i].size);
  if(a->pipeline_given && a->pipeline > 1 && !a->modes[M_KEEPALIVE])
    hb_usage_fail("throughput", "--pipeline needs the keepalive mode");
  n = hb_select_backends("throughput", backend, 0, sel, HB_BACKEND_MAX);
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

/* One backend's capacity cells on one server: our client, then libcurl,
 * for the modes whose server settings are resume (0: off, 1: on). */
static void run_pass(const tp_args *a, const char *backend, int resume,
                     const char *root, const char *tmp, json_t *report)
{
  tp_server t;
  hb_err err = { "" };
  int c, m, i, rc;

  rc = tp_server_start(a, backend, resume, &t, &err);
  if(rc != HB_OK)
    fprintf(stderr, "httpsbench throughput: %s\n", err.msg);
  for(c = 0; c < 1 + a->curl; c++) /* our client, then libcurl */
    for(m = 0; m < M_COUNT; m++) {
      if(!a->modes[m] || (m == M_RESUMED) != resume)
        continue;
      for(i = 0; i < a->nsizes && !hb_interrupted(); i++) {
        const char *client = c ? "curl" : a->client;
        int k;
        /* k = -1: HTTP/1.1; k >= 0: HTTP/2 with streams[k] (our client,
         * keep-alive) */
        for(k = a->http1 ? -1 : 0; k < a->nstreams && !hb_interrupted();
            k++) {
          long h2 = k < 0 ? 0 : a->streams[k];
          if(h2 && (!a->http2 || c || m != M_KEEPALIVE))
            break;
          if(rc != HB_OK)
            tp_error_cell(a, &t, client, a->sizes[i], m, h2, 0, err.msg,
                          report);
          else if(!c && !strcmp(backend, "plain"))
            tp_run_baseline(a, &t, a->sizes[i], m, h2, tmp, report);
          else
            tp_run_cell(a, &t, client, root, a->sizes[i], m, h2, 0, tmp,
                        report);
        }
      }
    }
  if(rc == HB_OK)
    hb_server_stop(&t.s);
}

static void run_cost(const tp_args *a, const char *root, const char *tmp,
                     json_t *report)
{
  int k;

  for(k = 0; k < a->ncost && !hb_interrupted(); k++) {
    const cost_cell *c = &a->cost[k];
    char basis[600];
    double rate = tp_cost_rate(a, report, c, basis, sizeof(basis));

    if(!a->quiet)
      fprintf(stderr, "throughput: cost %s/%zu at %.0f requests/s (%s), "
              "the backends round-robin in each repetition\n",
              tp_mode_names[c->mode], c->size, rate, basis);
    tp_run_cost(a, c, rate, basis, root, tmp, report);
  }
}

/* Goodput of results[from..): body bytes received per second (the
 * cell's bytes_per_s median) in Mbit/s, beside the link's rate (its
 * server-to-client direction carries the bodies), NAN: none. A sweep's
 * point (point > 0) also labels the cells NAME@rateN. */
static void add_goodput(json_t *report, size_t from, double rate,
                        double point)
{
  json_t *res = json_object_get(report, "results");
  size_t i;

  for(i = from; i < json_array_size(res); i++) {
    json_t *r = json_array_get(res, i);
    double bps = hb_res_median(json_object_get(r, "bytes_per_s"));
    if(point > 0) {
      char name[160];
      snprintf(name, sizeof(name), "%s@rate%g", hb_res_str(r, "name"),
               point);
      json_object_set_new(r, "name", json_string(name));
      json_object_set_new(json_object_get(r, "params"), "sweep_rate_mbit",
                          json_real(point));
    }
    if(isnan(bps))
      continue;
    json_object_set_new(r, "goodput_mbit", hb_json_num(bps * 8 / 1e6));
    json_object_set_new(r, "goodput_of_link", rate > 0
                        ? hb_json_num(bps * 8 / 1e6 / rate) : json_null());
  }
}

/* The link's rate server to client (Mbit/s) as configured, else NAN. */
static double link_rate(json_t *link)
{
  json_t *v = json_object_get(json_object_get(json_object_get(link,
                "configured"), "server_to_client"), "rate_mbit");

  return json_is_number(v) ? json_number_value(v) : NAN;
}

/* --rate-sweep's table: goodput per cell and point. */
static void print_goodput(json_t *report)
{
  json_t *r;
  size_t i;
  int head = 0;

  json_array_foreach(json_object_get(report, "results"), i, r) {
    json_t *pt = json_object_get(json_object_get(r, "params"),
                                 "sweep_rate_mbit");
    if(!json_is_number(pt) || !json_is_number(json_object_get(r,
                                                 "goodput_mbit")))
      continue;
    if(!head++)
      printf("\ngoodput over the link (--rate-sweep): body bytes received "
             "per second, medians,\nagainst the link's rate each way\n"
             "%-32s %-10s %10s %14s %8s\n", "cell", "backend",
             "link Mbit/s", "goodput Mbit/s", "of link");
    printf("%-32s %-10s %10g %14.2f %7.1f%%\n", hb_res_str(r, "name"),
           hb_res_str(r, "backend"), json_number_value(pt),
           json_number_value(json_object_get(r, "goodput_mbit")),
           100 * json_number_value(json_object_get(r, "goodput_of_link")));
  }
}

int hb_cmd_throughput(int argc, char **argv)
{
  tp_args a;
  json_t *report;
  hb_cert_paths certs;
  hb_err err = { "" };
  char tmpdir[] = "/tmp/httpsbench.XXXXXX", tmp[64];
  int b, p, failed = 0, client_listed = 0;
  json_t *sweep = NULL;

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
  if(a.nrate)
    sweep = json_array();
  if(a.rm.server_host && tp_remote_prepare(&a, report)) {
    fprintf(stderr, "httpsbench throughput: a host is not reachable or "
            "its engine does not run (see above): nothing measured\n");
    if(a.json)
      hb_report_write(report, a.json, 0, &err);
    json_decref(report);
    rmdir(tmpdir);
    return 1;
  }
  if(a.curl) {
    char path[4200], version[256] = "libcurl";
    char *vargs[] = { path, "version", NULL };
    if(hb_engine_path("curl", path, sizeof(path)) == 0)
      hb_engine_capture(vargs, version, sizeof(version));
    hb_res_add_backend(report, "curl", version);
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
    hb_res_add_backend(report, name, version);
  }
  /* one pass, or one per point of --rate-sweep, each with its link */
  for(p = 0; p < (a.nrate ? a.nrate : 1) && !hb_interrupted(); p++) {
    size_t from = json_array_size(json_object_get(report, "results"));
    if(a.nrate)
      hb_fe_link_set("rate", a.rate_sweep[p]);
    if(hb_fe_link_wanted() && hb_fe_link_start(err.msg, sizeof(err.msg))) {
      fprintf(stderr, "httpsbench throughput: %s\n", err.msg);
      json_decref(report);
      json_decref(sweep);
      rmdir(tmpdir);
      return 1;
    }
    for(b = 0; b < a.nbackends && !hb_interrupted(); b++) {
      const char *name = a.backends[b];
      if(a.idle_hi > 0 && !a.nrate && !hb_interrupted())
        tp_measure_memory(&a, name, certs.root, tmp, report, &failed);
      if(a.modes[M_KEEPALIVE] || a.modes[M_CLOSE])
        run_pass(&a, name, 0, certs.root, tmp, report);
      if(a.modes[M_RESUMED] && !hb_interrupted())
        run_pass(&a, name, 1, certs.root, tmp, report);
    }
    if(!hb_interrupted() && !a.nrate)
      run_cost(&a, certs.root, tmp, report);
    if(a.nrate) {
      json_t *l = hb_fe_link_stop();
      json_object_set_new(l, "sweep_rate_mbit", json_real(a.rate_sweep[p]));
      json_array_append_new(sweep, l);
      add_goodput(report, from, a.rate_sweep[p], a.rate_sweep[p]);
    }
  }
  unlink(tmp);
  if(sweep)
    json_object_set_new(report, "link_sweep", sweep);
  else if(hb_fe_link_wanted()) {
    json_object_set_new(report, "link", hb_fe_link_stop());
    add_goodput(report, 0, link_rate(json_object_get(report, "link")), 0);
  }
  tp_finish(report);
  print_goodput(report);
  fflush(stdout);
  hb_server_log_flush();
  rmdir(tmpdir);
  if(a.requests > 0)
    printf("server pinned to CPU %d, clients to CPU %d; client library: "
           "%s; %ld connections per client host, keep-alive pipelined %ld "
           "deep; %g s warm-up + %ld requests per client host and run, %ld "
           "runs per cell.\n", a.server_cpu, a.client_cpu, a.client
           ? a.client : "each server's own", a.conns, a.pipeline, a.warmup,
           a.requests, a.reps);
  else
    printf("server pinned to CPU %d, client%s to CPU %d; client library: "
           "%s; %ld connections%s, keep-alive pipelined %ld deep; %g s "
           "warm-up + %g s measured per run, %ld runs per cell",
           a.server_cpu, a.rm.server_host ? "s" : "", a.client_cpu, a.client
           ? a.client : "each server's own", a.conns, a.rm.server_host
           ? " per client host" : "", a.pipeline, a.warmup, a.seconds,
           a.reps);
  if(!a.requests && a.ncost)
    printf(" (cost cells: %ld rounds over the backends)", a.cost_reps);
  if(!a.requests)
    printf(".\n");
  if(a.http2)
    printf("HTTP/2 cells (MODE/SIZE/h2xN): N streams open at once per "
           "connection, not pipelined; h2 by ALPN over TLS, h2c by prior "
           "knowledge over plain TCP.\n");
  if(json_object_get(report, "link")) {
    json_t *l = json_object_get(report, "link");
    json_t *m = json_object_get(json_object_get(l, "measured_at_start"),
                                "tcp_connect_ms");
    printf("over the emulated link: RTT %g ms configured, TCP connect "
           "median %.3f ms measured at its start (each cell's own "
           "measurement: link_measured in the report).\n",
           json_number_value(json_object_get(json_object_get(l,
                             "configured"), "rtt_ms")),
           json_number_value(json_object_get(m, "median")));
  }
  failed |= tp_report_failed(report);
  if(a.rm.server_host) {
    json_t *r;
    size_t k;
    printf("over hosts: server on %s, clients on %s (-c %ld each), each "
           "run merged from their histograms.\n", a.rm.server_host,
           a.rm.client_hosts, a.conns);
    json_array_foreach(json_object_get(report, "results"), k, r)
      if(json_is_true(json_object_get(json_object_get(r, "remote"),
                                      "partial")))
        failed = 1; /* a host lost: the report says which */
  }
  if(hb_report_finish(report, "throughput", a.json,
                      hb_interrupted() != 0))
    failed = 1;
  json_decref(report);
  return hb_interrupted() ? HB_EXIT_INTERRUPTED : failed ? 1 : 0;
}

