/* The throughput driver's runs: servers started with the pinned
 * parameters, one load run between the client's marks with the server's
 * snapshots at both, cells of repetitions with what bound them, the plain
 * baseline measured again while it spreads, and the memory slope. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argvec.h"
#include "engine_run.h"
#include "link_fe.h"
#include "hb/certs.h"
#include "hb/report.h"
#include "results.h"
#include "hb/sig.h"
#include "hb/stats.h"
#include "throughput.h"

static void server_h2_args(const tp_args *a, hb_argv *args);

/* Starts backend's server with args and what every server of the run
 * gets (the CPU it burns per request, its HTTP/2 limit), here or on the
 * server host; args is freed. */
static int srv_start(const tp_args *a, const char *backend, hb_argv *args,
                     hb_server *s, hb_err *err)
{
  int rc;

  if(a->server_burn) {
    hb_argv_add(args, "--burn-us");
    hb_argv_addf(args, "%ld", a->server_burn);
  }
  server_h2_args(a, args);
  rc = a->rm.server_host ? rm_server_start(&a->rm, backend, a->server_cpu,
                                           args, s, err)
                         : hb_server_start(backend, args, a->server_cpu, s,
                                           err);
  hb_argv_free(args);
  return rc;
}

/* The server's HTTP/2 limit: at least the most streams a cell asks for
 * (its default, 100, otherwise). */
static void server_h2_args(const tp_args *a, hb_argv *args)
{
  long most = 0;
  int i;

  for(i = 0; a->http2 && i < a->nstreams; i++)
    if(a->streams[i] > most)
      most = a->streams[i];
  if(most > 100) {
    hb_argv_add(args, "--h2-max-streams");
    hb_argv_addf(args, "%ld", most);
  }
}

/* Starts backend's server with the pinned parameters; resume: tickets and
 * session IDs on (resumed mode) or off (everything else). A library that
 * cannot run the pinned version or cipher is started with what it can,
 * and its cells get a suffix and a note: they are not compared. */
int tp_server_start(const tp_args *a, const char *backend, int resume,
                        tp_server *t, hb_err *err)
{
  hb_argv args = HB_ARGV_INIT;
  hb_cert_paths certs;
  int rc = HB_ERROR, attempt;

  memset(t, 0, sizeof(*t));
  t->backend = backend;
  t->pinned = 1;
  t->cipher_pinned = strcmp(a->cipher, "any") != 0;
  if(!strcmp(backend, "plain")) {
    t->tls = "none";
    return srv_start(a, backend, &args, &t->s, err);
  }
  t->tls = a->tls;
  /* over hosts: our set's files by path (the same on the server host),
   * which the clients' root signed */
  if(a->rm.server_host && hb_certs_ensure(a->cert_type, &certs, err))
    return HB_ERROR;
  for(attempt = 0; attempt < 3; attempt++) {
    if(a->rm.server_host) {
      hb_argv_opt(&args, "--cert", certs.chain);
      hb_argv_opt(&args, "--key", certs.key);
    }
    else
      hb_argv_opt(&args, "--cert-type", a->cert_type);
    hb_argv_opt(&args, "--tls", t->tls);
    hb_argv_opt(&args, "--resume", resume ? "on" : "off");
    if(t->cipher_pinned)
      hb_argv_opt(&args, "--cipher", a->cipher);
    if(strcmp(a->group, "any"))
      hb_argv_opt(&args, "--groups", a->group);
    rc = srv_start(a, backend, &args, &t->s, err);
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

void tp_verify_args(const tp_args *a, const char *root, hb_argv *av)
{
  if(a->insecure)
    hb_argv_add(av, "--insecure");
  else
    hb_argv_opt(av, "--cacert", root);
}

/* The client engine's argument vector for one run (rate > 0: open loop). */
static void client_argv(const tp_args *a, const tp_server *t,
                        const char *client, const char *root, size_t size,
                        int mode, long h2, double rate, const char *tmp,
                        hb_argv *av)
{
  char path[4200];
  int plain = !strcmp(t->backend, "plain"), curl = client &&
      !strcmp(client, "curl");

  hb_engine_path(curl ? "curl" : plain ? "plain" : client ? client
                 : t->backend, path, sizeof(path));
  hb_argv_add(av, path);
  hb_argv_add(av, "load");
  hb_argv_addf(av, "%s://%s:%d/bytes/%zu", plain ? "http" : "https",
               hb_fe_link_host(), t->s.port, size);
  hb_argv_add(av, "-c");
  hb_argv_addf(av, "%ld", a->conns);
  hb_argv_add(av, "-d");
  hb_argv_addf(av, "%g", a->seconds);
  hb_argv_opt(av, "--json", tmp);
  hb_argv_add(av, "--marks");
  if(a->warmup > 0) {
    hb_argv_add(av, "--warmup");
    hb_argv_addf(av, "%g", a->warmup);
  }
  if(rate > 0) {
    hb_argv_add(av, "-R");
    hb_argv_addf(av, "%.6g", rate);
  }
  if(mode != M_KEEPALIVE)
    hb_argv_add(av, "--close");
  if(h2) {
    hb_argv_add(av, "--http2");
    hb_argv_add(av, "-m");
    hb_argv_addf(av, "%ld", h2);
  }
  if(!curl) {
    if(mode == M_KEEPALIVE && a->pipeline > 1 && rate <= 0 && !h2) {
      hb_argv_add(av, "--pipeline");
      hb_argv_addf(av, "%ld", a->pipeline);
    }
    if(a->client_burn) {
      hb_argv_add(av, "--burn-us");
      hb_argv_addf(av, "%ld", a->client_burn);
    }
    if(a->nap) {
      hb_argv_add(av, "--nap");
      hb_argv_addf(av, "%ld", a->nap);
    }
  }
  if(!plain) {
    tp_verify_args(a, root, av);
    if(strcmp(t->tls, "any"))
      hb_argv_opt(av, "--tls", t->tls);
    if(!curl) {
      hb_argv_opt(av, "--resume", mode == M_RESUMED ? "on" : "off");
      if(t->cipher_pinned)
        hb_argv_opt(av, "--cipher", a->cipher);
    }
  }
}

static void copy_str(char *dst, size_t size, json_t *v)
{
  snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : "");
}

void tp_run_read(one_run *o, json_t *res, const hb_srv_snap *s0,
                 const hb_srv_snap *s1)
{
  /* the requests the engine counted as answered (2xx): its report's
   * field, which an engine report always has */
  double reqs = hb_res_num(res, "counts", "responses_2xx");
  double wall = hb_res_num(res, "elapsed_s", NULL);
  json_t *tls = json_object_get(res, "tls"), *v;
  const char *k;

  o->bps = hb_res_num(res, "bytes_per_s", NULL);
  o->srv_requests = s1->requests - s0->requests;
  o->srv_us = o->srv_requests > 0 ? (s1->cpu_ns - s0->cpu_ns) / 1e3 /
              o->srv_requests : NAN;
  o->srv_util = s1->t_ns > s0->t_ns ? (s1->cpu_ns - s0->cpu_ns) /
                (s1->t_ns - s0->t_ns) : NAN;
  o->srv_handshakes = s1->handshakes - s0->handshakes;
  o->srv_resumed = s1->resumed - s0->resumed;
  o->achieved_rate = wall > 0 ? reqs / wall : NAN;
  o->handshakes = hb_res_num(res, "counts", "handshakes");
  o->resumed = hb_res_num(res, "counts", "resumed");
  o->wire_in = hb_res_num(res, "counts", "bytes_wire_in");
  o->wire_out = hb_res_num(res, "counts", "bytes_wire_out");
  o->wire_reqs = reqs;
  o->nap_us = hb_res_num(json_object_get(res, "params"), "nap_us", NULL);
  o->hold_finished = json_is_true(json_object_get(
      json_object_get(res, "params"), "hold_finished"));
  copy_str(o->version, sizeof(o->version), json_object_get(tls, "version"));
  copy_str(o->cipher, sizeof(o->cipher), json_object_get(tls, "cipher"));
  copy_str(o->group, sizeof(o->group), json_object_get(tls, "group"));
  if(!o->version[0] && s1->version[0]) { /* the server's view then */
    snprintf(o->version, sizeof(o->version), "%s", s1->version);
    snprintf(o->cipher, sizeof(o->cipher), "%s", s1->cipher);
    snprintf(o->group, sizeof(o->group), "%s", s1->group);
  }
  json_object_foreach(json_object_get(res, "errors"), k, v)
    o->errors += json_is_number(v) ? json_number_value(v) : 0;
  /* the summary only: the encoded histogram (for httpsbench merge of
   * load reports) would make every cell's repetitions 10-50 KiB */
  o->latency = json_deep_copy(json_object_get(res, "latency"));
  json_object_del(o->latency, "histogram");
}

/* One run: the client marks its window; the server is asked for a
 * snapshot at each mark. rate > 0: open loop (cost mode). */
static int load_once(const tp_args *a, const tp_server *t,
                     const char *client, const char *root, size_t size,
                     int mode, long h2, double rate, const char *tmp,
                     one_run *o, hb_err *err)
{
  hb_argv av = HB_ARGV_INIT;
  char *const *argv;
  hb_srv_snap s0, s1;
  double st0, st1, cpu_s;
  double sb0 = 0, sb1 = 0, stt0 = 0, stt1 = 0, cb0 = 0, cb1 = 0;
  double ct0 = 0, ct1 = 0;
  int pid, fd = -1, rc, marks;
  json_t *rep, *res;
  const char *status;

  memset(o, 0, sizeof(*o));
  if(a->rm.server_host)
    return tp_remote_load_once(a, t, client, root, size, mode, o, err);
  client_argv(a, t, client, root, size, mode, h2, rate, tmp, &av);
  argv = hb_argv_get(&av, err);
  if(!argv) {
    hb_argv_free(&av);
    return HB_ERROR;
  }
  unlink(tmp);
  hb_fe_link_side = HB_FE_SIDE_CLIENT; /* in front of the link, if any */
  pid = hb_engine_spawn(argv, a->client_cpu, &fd);
  hb_fe_link_side = HB_FE_SIDE_NONE;
  if(pid < 0) {
    hb_err_set(err, HB_ERROR, "cannot start the client %s", argv[0]);
    hb_argv_free(&av);
    return HB_ERROR;
  }
  hb_argv_free(&av);
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
  tp_run_read(o, res, &s0, &s1);
  o->rps = json_number_value(json_array_get(json_object_get(res, "samples"),
                                            0));
  cpu_s = hb_res_num(res, "cpu", "window_s");
  o->cli_us = o->wire_reqs > 0 ? cpu_s * 1e6 / o->wire_reqs : NAN;
  o->cli_util = hb_res_num(res, "cpu", "util");
  o->srv_h2_streams = s1.h2_streams - s0.h2_streams;
  copy_str(o->protocol, sizeof(o->protocol), json_object_get(res,
           "protocol"));
  o->h2_used = hb_res_num(json_object_get(res, "http2"),
                          "streams_per_connection", NULL);
  o->steal_s = st0 >= 0 && st1 >= 0 ? st1 - st0 : NAN;
  o->srv_cpu_busy = stt1 > stt0 ? (sb1 - sb0) / (stt1 - stt0) : NAN;
  o->cli_cpu_busy = ct1 > ct0 ? (cb1 - cb0) / (ct1 - ct0) : NAN;
  json_decref(rep);
  return HB_OK;
}

/* A series of a cell's runs: its samples and their statistics as a
 * result holds them (no stats member when there are none). */
static json_t *series(const double *v, int n)
{
  json_t *o = json_object();

  hb_result_set_samples(o, v, (size_t)n);
  if(json_is_null(json_object_get(o, "stats")))
    json_object_del(o, "stats");
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
 * process was not means other processes took it (noise). Over hosts cli
 * is the busiest client's, cli_cpu its host's CPU, and oth_cpu, oth the
 * same of the client host with the most CPU not its client's (NAN
 * locally). */
static const char *classify(double srv, double cli, double srv_cpu,
                            double cli_cpu, double oth_cpu, double oth,
                            char *why, size_t size)
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
  if(oth_cpu >= BUSY && oth_cpu - oth > 0.1) {
    snprintf(why, size, "other processes took a client host's CPU: it "
             "was %.0f%% busy, its client %.0f%% of it", oth_cpu * 100,
             oth * 100);
    return "noise";
  }
  snprintf(why, size, "neither was saturated (server %.0f%%, client "
           "%.0f%%): waiting, the network or the schedule set the rate",
           srv * 100, cli * 100);
  return "neither";
}

/* Bytes on the wire per request, from the load engine's counts of each
 * run's measured window: what its connections read and wrote on their
 * sockets (TLS records over TLS, the HTTP bytes over plain TCP; the
 * curl engine: TCP payload bytes from TCP_INFO), over the 2xx responses
 * it counted. TCP/IP headers are not included. A run whose report has no
 * such counts (an older engine) leaves the fields out. wire_resolution:
 * how far the window's ends can move them (see below). */
static void set_wire(json_t *res, const double *in, const double *out,
                     const double *reqs, int n, long in_flight)
{
  double pin[MAX_REPS], pout[MAX_REPS], sum[MAX_REPS], res_max = 0;
  json_t *c;
  int i;

  for(i = 0; i < n; i++)
    if(!(in[i] >= 0) || !(out[i] >= 0) || !(reqs[i] >= 0))
      return;
  if(!n)
    return;
  for(i = 0; i < n; i++) {
    pin[i] = reqs[i] > 0 ? in[i] / reqs[i] : NAN;
    pout[i] = reqs[i] > 0 ? out[i] / reqs[i] : NAN;
    sum[i] = reqs[i] > 0 ? (in[i] + out[i]) / reqs[i] : NAN;
    if(!(res_max >= (double)in_flight / reqs[i])) /* NaN and inf too */
      res_max = (double)in_flight / reqs[i];
  }
  json_object_set_new(res, "wire_bytes_in_per_request", series(pin, n));
  json_object_set_new(res, "wire_bytes_out_per_request", series(pout, n));
  json_object_set_new(res, "wire_bytes_per_request", series(sum, n));
  c = json_pack("{s:[],s:[],s:[],s:s}", "bytes_in", "bytes_out",
                "requests", "scope", "socket bytes the client read (in) "
                "and wrote (out) in each run's measured window: TLS "
                "records, or HTTP over plain TCP; TCP/IP headers not "
                "included");
  for(i = 0; c && i < n; i++) {
    json_array_append_new(json_object_get(c, "bytes_in"),
                          json_integer((json_int_t)in[i]));
    json_array_append_new(json_object_get(c, "bytes_out"),
                          json_integer((json_int_t)out[i]));
    json_array_append_new(json_object_get(c, "requests"),
                          json_integer((json_int_t)reqs[i]));
  }
  if(c) {
    json_object_set_new(c, "in_flight_max", json_integer(in_flight));
    json_object_set_new(res, "wire_counts", c);
  }
  /* the window's ends: requests in flight when it began count whole,
   * their bytes only from then; those in flight at its end count their
   * bytes, not themselves. Each end moves a run's figures by at most
   * in_flight requests' bytes: this share of them. */
  json_object_set_new(res, "wire_resolution", hb_json_num(res_max));
}

/* Requests one run can have in flight at once: connections (of every
 * client host) times the pipeline depth or HTTP/2 streams. */
static long in_flight_max(const tp_args *a, const char *client, int mode,
                          long h2, double rate)
{
  long hosts = 1, depth = 1;
  const char *p;

  if(a->rm.server_host && a->rm.client_hosts)
    for(p = a->rm.client_hosts; *p; p++)
      hosts += *p == ',';
  if(h2)
    depth = h2;
  else if(mode == M_KEEPALIVE && a->pipeline > 1 && rate <= 0 &&
          !(client && !strcmp(client, "curl")))
    depth = a->pipeline;
  return a->conns * hosts * depth;
}

static void set_params(const tp_args *a, const tp_server *t,
                       const char *client, size_t size, int mode, long h2,
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
  json_object_set_new(params, "mode", json_string(tp_mode_names[mode]));
  json_object_set_new(params, "bytes", json_integer((json_int_t)size));
  json_object_set_new(params, "connections", json_integer(a->conns));
  json_object_set_new(params, "seconds", json_real(a->seconds));
  json_object_set_new(params, "warmup_s", json_real(a->warmup));
  json_object_set_new(params, "pipeline", json_integer(
                      mode == M_KEEPALIVE && !h2 ? a->pipeline : 1));
  json_object_set_new(params, "http", json_string(h2 ? "2" : "1.1"));
  json_object_set_new(params, "h2_streams", h2 ? json_integer(h2)
                      : json_null());
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
  json_object_set_new(params, "verify", json_string(plain ? "none"
                      : a->insecure ? "insecure" : "chain"));
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
  /* what the client did when no socket was ready (curl sleeps in its
   * own loop) */
  json_object_set_new(params, "nap_us", json_integer(
                      client && !strcmp(client, "curl") ? 0 : a->nap));
}

/* MODE/SIZE, with /h2xN for HTTP/2 with N streams per connection: the
 * plain baseline of a cell is plain's cell of the same name without the
 * @suffix, so it has the same HTTP version and streams. */
static void cell_name(char *name, size_t size, const char *client,
                      const tp_server *t, int mode, size_t sz, long h2,
                      int cost)
{
  char v[24] = "";

  if(h2)
    snprintf(v, sizeof(v), "/h2x%ld", h2);
  snprintf(name, size, "%s%s%s/%zu%s%s", cost ? "cost:" : "",
           client && !strcmp(client, "curl") ? "curl:" : "",
           tp_mode_names[mode], sz, v, t->suffix);
}

/* A cell's runs so far, one slot per finished repetition. */
typedef struct tp_acc {
  double rps[MAX_REPS], bps[MAX_REPS], cli[MAX_REPS], srv[MAX_REPS];
  double su[MAX_REPS], cu[MAX_REPS], ach[MAX_REPS];
  double sc[MAX_REPS], cc[MAX_REPS], oc[MAX_REPS], ou[MAX_REPS];
  double win[MAX_REPS], wout[MAX_REPS], wreq[MAX_REPS];
  double errors, steal, hs, res_n, shs, sres, sh2s, used, nap_us;
  int hold_finished;     /* any run's client held its Finished */
  char name[96], version[16], cipher[64], group[32], protocol[16];
  json_t *lat, *link_m, *runs;
  int n, failed, partial;
  hb_err err;
} tp_acc;

static void acc_init(tp_acc *c, const char *client, const tp_server *t,
                     int mode, size_t size, long h2, double rate)
{
  memset(c, 0, sizeof(*c));
  c->used = c->nap_us = NAN;
  cell_name(c->name, sizeof(c->name), client, t, mode, size, h2, rate > 0);
  c->lat = json_array();
  c->link_m = hb_fe_link_measure(); /* the link before the cell, if any */
}

static void acc_free(tp_acc *c)
{
  json_decref(c->lat);
  json_decref(c->link_m);
  json_decref(c->runs);
}

/* One more repetition of the cell into c; a failed run ends the cell
 * (c->failed, c->err). */
static void acc_run(const tp_args *a, const tp_server *t, const char *client,
                    const char *root, size_t size, int mode, long h2,
                    double rate, const char *tmp, tp_acc *c)
{
  one_run o;
  int n = c->n;

  if(!a->quiet)
    fprintf(stderr, "throughput: %s %s run %d/%ld\n", t->backend, c->name,
            n + 1, rate > 0 ? a->cost_reps : a->reps);
  if(load_once(a, t, client, root, size, mode, h2, rate, tmp, &o,
               &c->err)) {
    c->failed = 1;
    json_decref(o.latency);
  }
  if(o.remote) { /* which host did what, even when no run finished */
    if(!c->runs)
      c->runs = json_array();
    json_array_append_new(c->runs, o.remote);
    c->partial |= !c->failed && o.partial;
  }
  if(c->failed)
    return;
  c->rps[n] = o.rps;
  c->bps[n] = o.bps;
  c->cli[n] = rate > 0 ? o.cli_us * 1e3 : o.cli_us;
  c->srv[n] = rate > 0 ? o.srv_us * 1e3 : o.srv_us;
  c->su[n] = o.srv_util;
  c->cu[n] = o.cli_util;
  c->sc[n] = o.srv_cpu_busy;
  c->cc[n] = o.cli_cpu_busy;
  c->oc[n] = o.oth_cpu_busy;
  c->ou[n] = o.oth_util;
  c->ach[n] = o.achieved_rate;
  c->win[n] = o.wire_in;
  c->wout[n] = o.wire_out;
  c->wreq[n] = o.wire_reqs;
  c->errors += o.errors;
  c->steal += isnan(o.steal_s) ? 0 : o.steal_s;
  c->hs += isnan(o.handshakes) ? 0 : o.handshakes;
  c->res_n += isnan(o.resumed) ? 0 : o.resumed;
  c->shs += o.srv_handshakes;
  c->sres += o.srv_resumed;
  c->sh2s += o.srv_h2_streams > 0 ? o.srv_h2_streams : 0;
  if(!c->protocol[0])
    memcpy(c->protocol, o.protocol, sizeof(c->protocol));
  if(!(c->used <= o.h2_used)) /* the fewest any run used */
    c->used = o.h2_used;
  if(!isnan(o.nap_us) && !(c->nap_us >= o.nap_us)) /* the largest */
    c->nap_us = o.nap_us;
  c->hold_finished |= o.hold_finished;
  if(!c->version[0]) {
    memcpy(c->version, o.version, sizeof(c->version));
    memcpy(c->cipher, o.cipher, sizeof(c->cipher));
    memcpy(c->group, o.group, sizeof(c->group));
  }
  json_array_append_new(c->lat, o.latency ? o.latency : json_null());
  c->n++;
}

/* The cell's result from its runs, added to the report (borrowed); c's
 * JSON goes with it. */
static json_t *acc_result(const tp_args *a, const tp_server *t,
                          const char *client, size_t size, int mode,
                          long h2, double rate, tp_acc *c, json_t *report)
{
  char why[200];
  json_t *res, *achieved;
  int n = c->n;
  const char *protocol = c->protocol;

  res = hb_report_add_result(report, "throughput", c->name,
                             client && !strcmp(client, "curl") ? "curl"
                             : t->backend, rate > 0
                             ? "server ns/request" : "requests/s");
  set_params(a, t, client, size, mode, h2, json_object_get(res, "params"));
  if(rate > 0) {
    json_object_set_new(json_object_get(res, "params"), "rate",
                        json_real(rate));
    if(n)
      hb_result_set_samples(res, c->srv, (size_t)n);
    json_object_set_new(res, "server_ns_per_request", series(c->srv, n));
    json_object_set_new(res, "client_ns_per_request", series(c->cli, n));
    json_object_set_new(res, "achieved_rate", series(c->ach, n));
  }
  else {
    if(n)
      hb_result_set_samples(res, c->rps, (size_t)n);
    json_object_set_new(res, "bytes_per_s", series(c->bps, n));
    json_object_set_new(res, "client_cpu_us_per_request",
                        series(c->cli, n));
    json_object_set_new(res, "server_cpu_us_per_request",
                        series(c->srv, n));
  }
  set_wire(res, c->win, c->wout, c->wreq, n, in_flight_max(a, client, mode,
                                                           h2, rate));
  json_object_set_new(res, "server_util", series(c->su, n));
  json_object_set_new(res, "client_util", series(c->cu, n));
  json_object_set_new(res, "server_cpu_busy", series(c->sc, n));
  json_object_set_new(res, "client_cpu_busy", series(c->cc, n));
  json_object_set_new(res, "bound", json_string(n ? classify(
                      median_of(c->su, n), median_of(c->cu, n),
                      median_of(c->sc, n), median_of(c->cc, n),
                      a->rm.server_host ? median_of(c->oc, n) : NAN,
                      a->rm.server_host ? median_of(c->ou, n) : NAN, why,
                      sizeof(why)) : "unknown"));
  json_object_set_new(res, "bound_reason", json_string(n ? why
                      : "no run finished"));
  json_object_set_new(res, "steal_s", json_real(c->steal));
  achieved = json_object();
  json_object_set_new(achieved, "version", c->version[0]
                      ? json_string(c->version) : json_null());
  json_object_set_new(achieved, "cipher", c->cipher[0]
                      ? json_string(c->cipher) : json_null());
  json_object_set_new(achieved, "group", c->group[0]
                      ? json_string(c->group) : json_null());
  json_object_set_new(achieved, "handshakes", json_real(c->hs));
  json_object_set_new(achieved, "resumed", json_real(c->res_n));
  json_object_set_new(achieved, "server_handshakes", json_real(c->shs));
  json_object_set_new(achieved, "server_resumed", json_real(c->sres));
  /* the HTTP version as the load engine spoke it: "h2" only when the TLS
   * library said ALPN selected h2, "h2c" by prior knowledge on plain TCP,
   * "http/1.1" (over TLS without ALPN: our HTTP/1.1 client offers none) */
  json_object_set_new(achieved, "protocol", protocol[0]
                      ? json_string(protocol) : json_null());
  json_object_set_new(achieved, "http", !protocol[0] ? json_null()
                      : json_string(strcmp(protocol, "http/1.1") ? "2"
                                    : "1.1"));
  json_object_set_new(achieved, "alpn", !strcmp(protocol, "h2")
                      ? json_string("h2") : json_null());
  json_object_set_new(achieved, "h2_streams_per_connection", h2 &&
                      !isnan(c->used) ? json_integer((json_int_t)c->used)
                      : json_null());
  json_object_set_new(achieved, "server_h2_streams", json_real(c->sh2s));
  /* how the client waited when no socket was ready, as it reported */
  json_object_set_new(achieved, "client_nap_us", isnan(c->nap_us)
                      ? json_null() : json_real(c->nap_us));
  /* its Finished left with the request (OpenSSL client, load) */
  json_object_set_new(achieved, "client_hold_finished",
                      json_boolean(c->hold_finished));
  json_object_set_new(res, "achieved", achieved);
  json_object_set_new(res, "latency", c->lat);
  json_object_set_new(res, "errors", json_real(c->errors));
  c->lat = NULL;
  if(c->link_m)
    json_object_set_new(res, "link_measured", c->link_m);
  c->link_m = NULL;
  if(c->runs) {
    json_object_set_new(res, "remote", json_pack("{s:s,s:s,s:b,s:o}",
      "server_host", a->rm.server_host, "client_hosts", a->rm.client_hosts,
      "partial", c->partial, "runs", c->runs));
    c->runs = NULL;
    if(c->partial)
      hb_res_warn(res, json_string("partial: a client host gave no "
        "report in some run (see remote.runs[].hosts): the rate is the "
        "other hosts'"));
  }
  hb_result_set_status(res, c->failed ? HB_ERROR : HB_OK, c->err.msg);
  if(c->failed)
    fprintf(stderr, "throughput: %s %s: %s\n", t->backend, c->name,
            c->err.msg);
  return res;
}

/* Runs a cell's repetitions and adds its result; rate > 0: cost mode.
 * Returns the result (borrowed), or NULL when interrupted unfinished. */
json_t *tp_run_cell(const tp_args *a, const tp_server *t,
                        const char *client, const char *root, size_t size,
                        int mode, long h2, double rate, const char *tmp,
                        json_t *report)
{
  tp_acc *c = malloc(sizeof(*c));
  json_t *res = NULL;
  int r;

  if(!c)
    return NULL;
  acc_init(c, client, t, mode, size, h2, rate);
  for(r = 0; r < a->reps && !c->failed && !hb_interrupted(); r++)
    acc_run(a, t, client, root, size, mode, h2, rate, tmp, c);
  if(hb_interrupted() && !c->failed && c->n < a->reps)
    acc_free(c); /* an unfinished cell is left out */
  else
    res = acc_result(a, t, client, size, mode, h2, rate, c, report);
  free(c);
  return res;
}

/* A cost cell's server CPU per request against plain's, paired by
 * repetition (both ran in the same round of tp_run_cost). */
static void cost_vs_plain(json_t *res, const tp_acc *c, const tp_acc *p)
{
  double ratio[MAX_REPS];
  int r, n = c->n < p->n ? c->n : p->n;

  for(r = 0; r < n; r++)
    ratio[r] = c->srv[r] / p->srv[r];
  json_object_set_new(res, "server_ns_vs_plain", series(ratio, n));
}

/* The cost cell cc for every backend at one rate, round-robin: all the
 * servers are up (idle ones wait in epoll), and repetition r runs each
 * backend once in an order rotated by r, so the machine's slow and fast
 * spells (up to 1.4x between runs here) fall on every library alike
 * instead of on whichever ran then. With plain among the backends, each
 * TLS cell also gets its CPU per request over plain's of the same round
 * (server_ns_vs_plain). */
void tp_run_cost(const tp_args *a, const cost_cell *cc, double rate,
                 const char *basis, const char *root, const char *tmp,
                 json_t *report)
{
  tp_server t[HB_BACKEND_MAX];
  tp_acc *acc = calloc((size_t)a->nbackends, sizeof(*acc));
  int up[HB_BACKEND_MAX], b, r, j, plain = -1;
  hb_err err;

  if(!acc)
    return;
  for(b = 0; b < a->nbackends; b++) {
    up[b] = 0;
    err.msg[0] = 0;
    memset(&t[b], 0, sizeof(t[b]));
    if(!(rate > 0)) {
      t[b].backend = a->backends[b];
      t[b].tls = strcmp(t[b].backend, "plain") ? a->tls : "none";
      tp_error_cell(a, &t[b], a->client, cc->size, cc->mode, 0, 1, basis,
                    report);
      continue;
    }
    if(tp_server_start(a, a->backends[b], cc->mode == M_RESUMED, &t[b],
                       &err) != HB_OK) {
      tp_error_cell(a, &t[b], a->client, cc->size, cc->mode, 0, 1, err.msg,
                    report);
      continue;
    }
    up[b] = 1;
    acc_init(&acc[b], a->client, &t[b], cc->mode, cc->size, 0, rate);
    if(!strcmp(a->backends[b], "plain"))
      plain = b;
  }
  for(r = 0; r < a->cost_reps && !hb_interrupted(); r++)
    for(j = 0; j < a->nbackends && !hb_interrupted(); j++) {
      b = (j + r) % a->nbackends;
      if(up[b] && !acc[b].failed)
        acc_run(a, &t[b], a->client, root, cc->size, cc->mode, 0, rate,
                tmp, &acc[b]);
    }
  for(b = 0; b < a->nbackends; b++) {
    json_t *res;
    if(!up[b])
      continue;
    if(!hb_interrupted() || acc[b].failed || acc[b].n == a->cost_reps) {
      res = acc_result(a, &t[b], a->client, cc->size, cc->mode, 0, rate,
                       &acc[b], report);
      json_object_set_new(json_object_get(res, "params"), "rate_basis",
                          json_string(basis));
      json_object_set_new(json_object_get(res, "params"), "order",
                          json_string("round-robin"));
      if(plain >= 0 && b != plain && acc[b].n && acc[plain].n)
        cost_vs_plain(res, &acc[b], &acc[plain]);
    }
    else
      acc_free(&acc[b]); /* interrupted unfinished: left out */
    hb_server_stop(&t[b].s);
  }
  free(acc);
}

/* A result that says why a cell has no numbers (the server did not
 * start): no row disappears. */
void tp_error_cell(const tp_args *a, const tp_server *t,
                       const char *client, size_t size, int mode, long h2,
                       int cost, const char *why, json_t *report)
{
  char name[96];
  json_t *res;

  cell_name(name, sizeof(name), client, t, mode, size, h2, cost);
  res = hb_report_add_result(report, "throughput", name,
                             client && !strcmp(client, "curl") ? "curl"
                             : t->backend, cost ? "server ns/request"
                             : "requests/s");
  set_params(a, t, client, size, mode, h2, json_object_get(res, "params"));
  hb_result_set_status(res, HB_ERROR, why);
}

/* The plain baseline: measured again while its runs spread by more than
 * BASE_CV_MAX, at most BASE_TRIES times; the last is kept and marked
 * noisy if it still spreads. */
void tp_run_baseline(const tp_args *a, const tp_server *t,
                         size_t size, int mode, long h2, const char *tmp,
                         json_t *report)
{
  json_t *res = NULL;
  double cv = NAN;
  int k;

  for(k = 0; k < BASE_TRIES && !hb_interrupted(); k++) {
    if(res)
      hb_res_remove(report, res);
    res = tp_run_cell(a, t, NULL, NULL, size, mode, h2, 0, tmp, report);
    if(!res || json_object_get(res, "stats") == NULL)
      return;
    cv = hb_res_stat(res, "cv");
    if(!(cv > BASE_CV_MAX) || a->reps < 2)
      break;
    if(!a->quiet && k + 1 < BASE_TRIES)
      fprintf(stderr, "throughput: plain %s spread %.1f%% > %.0f%%: "
              "measuring again\n", hb_res_str(res, "name"), cv * 100,
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
                      long n, int *fd, long *held)
{
  char path[4200], line[256];
  hb_argv av = HB_ARGV_INIT;
  char *const *argv;
  hb_err err = { "" };
  int pid, plain = !strcmp(t->backend, "plain");

  hb_engine_path(plain ? "plain" : a->client ? a->client : t->backend,
                 path, sizeof(path));
  hb_argv_add(&av, path);
  hb_argv_add(&av, "load");
  hb_argv_addf(&av, "%s://%s:%d/bytes/0", plain ? "http" : "https",
               hb_fe_link_host(), t->s.port);
  hb_argv_add(&av, "-c");
  hb_argv_addf(&av, "%ld", n);
  hb_argv_opt(&av, "--hold", "600");
  if(!plain) {
    tp_verify_args(a, root, &av);
    hb_argv_opt(&av, "--tls", t->tls);
  }
  *held = -1;
  argv = hb_argv_get(&av, &err);
  hb_fe_link_side = HB_FE_SIDE_CLIENT;
  pid = argv ? hb_engine_spawn(argv, a->client_cpu, fd) : -1;
  hb_fe_link_side = HB_FE_SIDE_NONE;
  hb_argv_free(&av);
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
void tp_measure_memory(const tp_args *a, const char *backend,
                           const char *root, const char *tmp,
                           json_t *report, int *failed)
{
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
    if(tp_server_start(a, backend, 0, &t, &err) != HB_OK) {
      snprintf(why, sizeof(why), "%s", err.msg);
      break;
    }
    /* warm-up: the library's and the allocator's first-use costs */
    warm.seconds = 0.3;
    warm.warmup = 0;
    warm.conns = 4;
    warm.pipeline = 1;
    warm.client_burn = 0;
    if(load_once(&warm, &t, a->client, root, 0, M_KEEPALIVE, 0, 0, tmp,
                 &o, &err) == HB_OK)
      json_decref(o.latency);
    p1 = hold_start(a, &t, root, a->idle_lo, &f1, &h1);
    ok = p1 > 0 && h1 == a->idle_lo &&
         hb_server_snapshot(&t.s, &s0, &err) == HB_OK &&
         s0.live == (double)a->idle_lo;
    k0 = tcp_mem_bytes();
    if(ok) {
      p2 = hold_start(a, &t, root, a->idle_hi - a->idle_lo, &f2, &h2);
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

