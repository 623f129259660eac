/* `httpsbench-<backend> load URL [options]`: an HTTP/1.1 or (--http2,
 * through nghttp2) HTTP/2 load generator over plain TCP or the engine's
 * TLS library, closed loop (as wrk) or open loop at a constant rate (as
 * wrk2), latencies in HDR histograms.
 *
 * This file: options, the threads, and the outcome. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/opts.h"
#include "hb/clock.h"
#include "hb/envinfo.h"
#include "hb/report.h"
#include "hb/sig.h"
#include "hb/suites.h"
#include "hb/tls_layer.h"
#include "load.h"
#include "loadconn.h"

#define LD_MAX_WARN 8
#define LD_SLICE_NS 50000000ull /* the main thread looks at signals */
#define LD_CONNECT_TRIES 3      /* connect failures per connection (-c)
                                   before a run that never connected
                                   stops */

static void ld_bad(const char *fmt, const char *arg)
{
  hb_usage_fail("load", fmt, arg);
}

static const char *const ld_tls_versions[] = { "1.2", "1.3", NULL };
static const char *const ld_resumes[] = { "on", "off", NULL };

/* -H: 'Name: value', a name without blanks, no control bytes; appended
 * to dest's (ld_opts) headers. */
static int ld_opt_header(const char *h, void *dest, char *why, size_t size)
{
  ld_opts *o = dest;
  const char *colon = strchr(h, ':');
  const char *p;
  int ok = colon && colon != h;

  if(o->nheaders == LD_MAX_HEADERS) {
    snprintf(why, size, "more than %d headers", LD_MAX_HEADERS);
    return -1;
  }
  for(p = h; ok && *p; p++)
    if(((unsigned char)*p < ' ' && *p != '\t') ||
       (p < colon && (*p == ' ' || *p == '\t')))
      ok = 0;
  if(!ok) {
    snprintf(why, size, "'%s' is not 'Name: value'", h);
    return -1;
  }
  o->headers[o->nheaders++] = h;
  return 0;
}

/* --start-at: a Unix time, 0 < T < 1e11 */
static void ld_parse(int argc, char **argv, ld_opts *o)
{
  static char head[128];
  const char *tls = NULL, *resume = "on";
  long requests = 0, streams = 0;
  char why[300];
  int first;
  const hb_opt opts[] = {
    { NULL, 0, HB_OPT_TEXT, NULL, NULL,
      "  URL                      http://HOST:PORT/path or https://...",
      0, 0, NULL, NULL, NULL },
    { "connections", 'c', HB_OPT_INT, &o->conns, "N",
      "connections kept open (default 32)", 1, 100000, NULL, NULL,
      "a connection count (1..100000)" },
    { "threads", 't', HB_OPT_INT, &o->threads, "N",
      "threads, each its own event loop (default 1)", 1, 1024, NULL, NULL,
      "a thread count (1..1024)" },
    { "duration", 'd', HB_OPT_SECONDS, &o->duration, "S",
      "measure for S seconds (default 10)", 0, 1e6, NULL, NULL,
      "a duration in seconds" },
    { "warmup", 0, HB_OPT_DOUBLE, &o->warmup, "S",
      "with -d: run S seconds first, left out of\nevery figure (counts, "
      "histograms, errors,\nbytes, CPU, elapsed); the run lasts S + -d\n"
      "(default 0)", 0, 3600, NULL, NULL,
      "a number of seconds (0 to 3600)" },
    { "requests", 'n', HB_OPT_INT, &requests, "N",
      "stop after N requests (responses or errors)", 1, 1e12, NULL, NULL,
      "a request count >= 1" },
    { "rate", 'R', HB_OPT_SECONDS, &o->rate, "R",
      "open loop: R requests/s in total on a\nconstant schedule, latency "
      "from the\nscheduled time (default: closed loop, as\nwrk)", 0, 1e9,
      NULL, NULL, "a rate in requests/s > 0" },
    { "close", 0, HB_OPT_FLAG, &o->close, NULL,
      "Connection: close, a new connection (and\nhandshake) per request",
      0, 0, NULL, NULL, NULL },
    { "pipeline", 0, HB_OPT_INT, &o->pipeline, "N",
      "keep-alive closed loop: each connection\nwrites N requests at once, "
      "reads the N\nresponses, then sends N more (1..1024,\ndefault 1); "
      "latency from the batch's write.\nA response with Connection: close "
      "or an\nerror ends the batch: the failed request is\nan error, the "
      "unanswered ones count\nnowhere, and the connection is made again", 1,
      1024, NULL, NULL, "a request count (1..1024)" },
    { "http2", 0, HB_OPT_FLAG, &o->http2, NULL,
      "HTTP/2 (nghttp2): over https, h2 offered by\nALPN, and a server not "
      "selecting it fails\nthe run (error 'protocol'); over http, h2c\nwith "
      "prior knowledge. Each stream is a\nrequest, counted as HTTP/1.1's "
      "are.\nExcludes --close, --pipeline and --hold", 0, 0, NULL, NULL,
      NULL },
    { "streams", 'm', HB_OPT_INT, &streams, "N",
      "--http2: streams open at once per\nconnection (1..1000, default 1; "
      "fewer if the\nserver's SETTINGS_MAX_CONCURRENT_STREAMS is\nlower)",
      1, 1000, NULL, NULL, "a stream count (1..1000)" },
    { "tls", 0, HB_OPT_ENUM, &tls, "1.2|1.3",
      "TLS version (default: the library's)", 0, 0, ld_tls_versions, NULL,
      NULL },
    { "cipher", 0, HB_OPT_ENUM, &o->cipher, "NAME",
      "https: the only AEAD offered, aes-128-gcm,\naes-256-gcm or "
      "chacha20-poly1305 (default:\nthe library's list)", 0, 0,
      hb_tls_cipher_names, NULL, NULL },
    { "resume", 0, HB_OPT_ENUM, &resume, "on|off",
      "resume TLS sessions on reconnects (default\non)", 0, 0, ld_resumes,
      NULL, NULL },
    { "cacert", 0, HB_OPT_STRING, &o->cacert, "FILE",
      "trust anchor for https (verification is on)", 0, 0, NULL, NULL,
      NULL },
    { "insecure", 0, HB_OPT_FLAG, &o->insecure, NULL,
      "https without verifying the server", 0, 0, NULL, NULL, NULL },
    { "client-cert", 0, HB_OPT_STRING, &o->client_cert, "FILE",
      "mutual TLS: our certificate chain (with\n--client-key)", 0, 0, NULL,
      NULL, NULL },
    { "client-key", 0, HB_OPT_STRING, &o->client_key, "FILE",
      "mutual TLS: its private key", 0, 0, NULL, NULL, NULL },
    { "header", 'H', HB_OPT_CALL, o, "'Name: value'",
      "extra request header (repeatable)", 0, 0, NULL, ld_opt_header,
      NULL },
    { "timeout", 0, HB_OPT_SECONDS, &o->timeout, "S",
      "per connect, handshake and response\n(default 10)", 0, 3600, NULL,
      NULL, "a number of seconds (up to 3600)" },
    { "json", 0, HB_OPT_STRING, &o->json, "FILE",
      "write the report (schemas/report.schema.json)", 0, 0, NULL, NULL,
      NULL },
    { "latency", 0, HB_OPT_FLAG, &o->latency, NULL,
      "print the latency percentile spectrum", 0, 0, NULL, NULL, NULL },
    { "marks", 0, HB_OPT_FLAG, &o->marks, NULL,
      "print 'mark start' when the measured window\nbegins and 'mark end' "
      "when the threads stop\n(stdout, flushed; the summary follows)", 0, 0,
      NULL, NULL, NULL },
    { "procstat", 0, HB_OPT_FLAG, &o->procstat, NULL,
      "with --marks, print the host's /proc/stat before\neach mark "
      "('procstat TICK cpu ... cpuN ...': the\nCPUs it may run on): the "
      "host's steal and CPU\nbusy share over the window, for runs over "
      "hosts", 0, 0, NULL, NULL, NULL },
    { "burn-us", 0, HB_OPT_INT, &o->burn_us, "N",
      "after each response, spin until N us of the\nthread's CPU passed "
      "(0..1000000, default 0):\nmakes the client the bottleneck, for "
      "tests", 0, 1000000, NULL, NULL,
      "a number of microseconds (0..1000000)" },
    { "busy-poll", 0, HB_OPT_INT, &o->busy_poll_us, "US",
      "when no socket is ready, poll for up to US\nmicroseconds before "
      "sleeping (0..10000,\ndefault 0). Where idle CPUs halt (no cpuidle\n"
      "driver, as in many VMs) a server sending to\na sleeping client pays "
      "for waking it in\nits own CPU time (loopback delivers in the\n"
      "sender's context); polling keeps the\nclient awake at the cost of "
      "its own CPU,\nreported apart (cpu.busy_poll_s)", 0, 10000, NULL,
      NULL, "a number of microseconds (0..10000)" },
    { "nap", 0, HB_OPT_INT, &o->nap_us, "US",
      "when no socket is ready, sleep US microseconds\non a timer and look "
      "again (1..1000; default:\nsleep in epoll until a socket is ready). "
      "A\nserver sending to a client asleep on a\nsocket wakes it in its "
      "own CPU time (on\nloopback; dear where idle CPUs halt): a\nnapping "
      "client is woken by its own timer.\nEach response may wait up to "
      "US before it is\nread, and its latency counts that", 0, 1000, NULL,
      NULL, "a number of microseconds (0..1000)" },
    { "finished-alone", 0, HB_OPT_FLAG, &o->finished_alone, NULL,
      "https: send the handshake's last flight\n(the client's Finished) "
      "in its own segment,\nas wrk does. Default: it waits and leaves\n"
      "with the request in one write (OpenSSL;\nthe other libraries always "
      "send it alone)", 0, 0, NULL, NULL, NULL },
    { "start-at", 0, HB_OPT_CALL, &o->start_at, "T",
      "wait until Unix time T (seconds, real clock;\nfractions allowed) "
      "before connecting: the\nstart barrier of clients on several hosts\n"
      "(httpsbench load --client-hosts); a T more\nthan 600 s ahead is "
      "refused", 0, 0, NULL, hb_opt_start_at, "a Unix time in seconds" },
    { "stop-on-eof", 0, HB_OPT_FLAG, &o->watch_stdin, NULL,
      "stop as on SIGTERM (partial report) when\nstandard input reaches "
      "its end: a remote\nclient stops when its ssh connection is gone", 0,
      0, NULL, NULL, NULL },
    { "hold", 0, HB_OPT_SECONDS, &o->hold, "S",
      "one request per connection, then keep them\nall open and idle for S "
      "seconds, printing\n'holding N idle connections' (server memory\n"
      "figures)", 0, 3600, NULL, NULL, "a number of seconds (up to 3600)" },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "load", head,
    "Errors are counted by kind (connect, tls, read, write, timeout,\n"
    "status, reset; HTTP/2: stream_reset by error code, goaway,\n"
    "protocol), never as latency. A run that never made a connection\n"
    "stops after 3 connect failures per connection (-c). Exit 0 when\n"
    "requests succeeded, 1 when none did, 2 for bad usage, 130 when\n"
    "interrupted.\n", opts };
  int have_d, have_w, have_m;

  snprintf(head, sizeof(head), "usage: httpsbench-%s load URL [options]\n",
           hb_linked_backend.name);
  o->warmup = -1; /* not given, told apart from --warmup 0 */
  first = hb_opts_parse(&spec, argc, argv);
  have_d = o->duration > 0;
  have_w = o->warmup >= 0;
  have_m = streams > 0;
  if(!have_w)
    o->warmup = 0;
  if(have_m)
    o->streams = streams;
  o->requests = requests;
  o->tls_version = !tls ? 0 : !strcmp(tls, "1.2") ? HB_TLS_1_2
                   : HB_TLS_1_3;
  o->resume = !strcmp(resume, "on");
  if(first >= argc)
    ld_bad("a URL is required%s", "");
  if(first + 1 < argc)
    ld_bad("unexpected argument '%s'", argv[first + 1]);
  o->url_text = argv[first];
  if(ld_url_parse(o->url_text, &o->url, why, sizeof(why)))
    ld_bad("%s", why);
  if(have_d && o->requests)
    ld_bad("-d and -n exclude each other%s", "");
  if(have_w && o->requests)
    ld_bad("--warmup goes with -d: it excludes -n%s", "");
  if(o->hold > 0 && (have_d || o->requests || o->close || o->rate > 0 ||
                     have_w || o->pipeline > 1))
    ld_bad("--hold excludes -d, -n, -R, --close, --warmup and "
           "--pipeline%s", "");
  if(o->pipeline > 1 && (o->close || o->rate > 0))
    ld_bad("--pipeline is for the keep-alive closed loop: it excludes "
           "--close and -R%s", "");
  if(have_m && !o->http2)
    ld_bad("-m: streams are HTTP/2's: give --http2%s", "");
  if(o->http2 && (o->close || o->pipeline > 1 || o->hold > 0))
    ld_bad("--http2 excludes --close, --pipeline and --hold%s", "");
  if(o->hold > 0)
    o->requests = o->conns; /* one request per connection */
  if(!o->requests && !have_d)
    o->duration = 10;
  if(o->threads > o->conns)
    ld_bad("-t: more threads than connections (-c)%s", "");
}

/* Keeps the checks that need the backend or the file system apart, so the
 * options are fully read (and --help honoured) first. */
static const hb_tls_ops *ld_check(ld_opts *o)
{
  const hb_tls_ops *ops = &hb_plain_tls;
  char why[300];
  hb_err err = { "" };

  if(o->url.https) {
    ops = hb_linked_backend.tls;
    if(!ops || ops == &hb_plain_tls) /* plain's table is TCP only */
      hb_usage_fail("load", "https needs a TLS library: httpsbench-%s has "
                    "none (use httpsbench-openssl, -gnutls, ...)",
                    hb_linked_backend.name);
    if(!o->cacert && !o->insecure)
      ld_bad("https verifies the server: give --cacert FILE (or "
             "--insecure)%s", "");
    if(o->http2 && !(ops->supports & HB_TLS_SUP_ALPN))
      hb_usage_fail("load", "--http2 over https needs ALPN, which "
                    "httpsbench-%s's TLS table lacks",
                    hb_linked_backend.name);
    if(o->cacert && access(o->cacert, R_OK))
      hb_usage_fail("load", "--cacert: cannot read %s: %s", o->cacert,
                    strerror(errno));
    if(!o->client_cert != !o->client_key)
      hb_usage_fail("load", "--client-cert and --client-key go together");
    if(o->client_cert && (access(o->client_cert, R_OK) ||
                          access(o->client_key, R_OK)))
      hb_usage_fail("load", "--client-cert/--client-key: cannot read %s: "
                    "%s", access(o->client_cert, R_OK) ? o->client_cert
                    : o->client_key, strerror(errno));
  }
  else if(o->client_cert || o->client_key)
    hb_usage_fail("load", "--client-cert is for https");
  if(o->procstat && !o->marks)
    ld_bad("--procstat goes with --marks%s", "");
  if(o->nap_us && o->busy_poll_us)
    ld_bad("--nap excludes --busy-poll%s", "");
  if(ld_resolve(o, why, sizeof(why)))
    ld_bad("%s", why);
  if(o->json && hb_report_check_path(o->json, &err) != HB_OK)
    ld_bad("--json: %s", err.msg);
  return ops;
}

/* One descriptor per connection plus a few: raise the soft limit. */
static int ld_fd_limit(long conns)
{
  struct rlimit rl;
  rlim_t need = (rlim_t)conns + 64;

  if(getrlimit(RLIMIT_NOFILE, &rl))
    return 0;
  if(rl.rlim_cur >= need)
    return 0;
  rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
  setrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur < need ? -1 : 0;
}

static int ld_tls_ctx(ld_shared *sh, hb_err *err)
{
  hb_tls_config cfg;

  memset(&cfg, 0, sizeof(cfg));
  cfg.server = 0;
  cfg.min_version = sh->o->tls_version;
  cfg.max_version = sh->o->tls_version;
  cfg.ca_file = sh->o->cacert;
  cfg.verify_peer = !sh->o->insecure;
  cfg.cert_file = sh->o->client_cert;
  cfg.key_file = sh->o->client_key;
  cfg.cipher = sh->tls ? sh->o->cipher : NULL;
  /* http/1.1 too, so a server without h2 says so by choosing it (the
   * run then stops) rather than by a handshake failure or silence */
  cfg.alpn = sh->tls && sh->o->http2 ? "h2,http/1.1" : NULL;
  /* every connection writes its request (or h2 preface) right after its
   * handshake (lc_handshake), so the Finished never waits for long */
  cfg.hold_finished = sh->tls && !sh->o->finished_alone;
  return sh->ops->ctx_new(&cfg, &sh->ctx, err);
}

/* --hold: every connection made its one request and stays open, idle;
 * say so on stdout (a driver reads the server's memory now) and wait. */
static void ld_hold(const ld_opts *o, const ld_thread *t)
{
  uint64_t end = hb_now_ns() + (uint64_t)(o->hold * 1e9);
  unsigned long long open = 0, i;

  for(i = 0; i < (unsigned long long)o->threads; i++)
    open += t[i].st.ok;
  printf("holding %llu idle connections\n", open);
  fflush(stdout);
  while(hb_now_ns() < end && !hb_interrupted())
    usleep(10000);
}

/* The main thread sleeps until the measured window begins, in slices so
 * that a signal or a run giving up is seen; 0 when the run stopped
 * first. */
static int ld_wait_window(ld_shared *sh)
{
  for(;;) {
    uint64_t now = hb_now_ns(), until;
    struct timespec ts;

    if(now >= sh->wstart)
      return 1;
    if(hb_interrupted() || atomic_load(&sh->gave_up))
      return 0;
    until = sh->wstart - now > LD_SLICE_NS ? now + LD_SLICE_NS
            : sh->wstart;
    ts.tv_sec = (time_t)(until / 1000000000u);
    ts.tv_nsec = (long)(until % 1000000000u);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
  }
}

/* --marks: a driver reading stdout takes its snapshots at these lines;
 * with --procstat each follows the host's /proc/stat, read at that
 * moment (the window's edge on this host). */
static void ld_mark(const ld_opts *o, const char *what)
{
  char ps[8192];

  if(!o->marks)
    return;
  if(o->procstat && hb_procstat_line(ps, sizeof(ps)) == 0)
    printf("%s\n", ps);
  printf("mark %s\n", what);
  fflush(stdout);
}

/* Runs the threads and merges what they measured into r->st. */
static int ld_run(ld_shared *sh, ld_result *r)
{
  const ld_opts *o = sh->o;
  ld_thread *t = calloc((size_t)o->threads, sizeof(*t));
  double u0, s0, u1, s1;
  uint64_t stop;
  unsigned first = 0;
  long i, started = 0;
  int rc = -1;

  for(i = 0; t && i < o->threads; i++)
    t[i].ep = -1;
  if(!t || hb_load_stats_init(&r->st))
    goto out;
  for(i = 0; i < o->threads; i++) {
    t[i].sh = sh;
    t[i].first = first;
    t[i].n = (unsigned)(o->conns / o->threads +
                        (i < o->conns % o->threads));
    first += t[i].n;
    if(ld_thread_init(&t[i]))
      goto out;
  }
  hb_cpu_times(0, &u0, &s0);
  sh->start = hb_now_ns();
  sh->wstart = sh->start + (uint64_t)(o->warmup * 1e9);
  sh->end = o->requests ? 0
            : sh->wstart + (uint64_t)(o->duration * 1e9);
  for(i = 0; i < o->threads; i++) {
    if(pthread_create(&t[i].tid, NULL, ld_thread_run, &t[i]))
      break;
    started++;
  }
  r->windowed = started == o->threads && ld_wait_window(sh);
  if(r->windowed && o->warmup > 0)
    hb_cpu_times(0, &u0, &s0);
  if(r->windowed)
    ld_mark(o, "start");
  for(i = 0; i < started; i++)
    pthread_join(t[i].tid, NULL);
  stop = hb_now_ns();
  if(r->windowed)
    ld_mark(o, "end");
  /* a run that ended in its warm-up (signal, no connection) reports the
   * warm-up: its threads never reset their counts */
  r->run.elapsed = (double)(stop - (r->windowed ? sh->wstart
                                   : sh->start)) / 1e9;
  hb_cpu_times(0, &u1, &s1);
  r->run.user_s = u1 - u0;
  r->run.sys_s = s1 - s0;
  if(o->hold > 0 && !hb_interrupted())
    ld_hold(o, t);
  r->run.interrupted = hb_interrupted() != 0;
  r->gave_up = atomic_load(&sh->gave_up) != 0;
  r->no_h2 = atomic_load(&sh->no_h2) != 0;
  if(started == o->threads)
    rc = 0;
out:
  for(i = 0; t && i < o->threads; i++) {
    ld_thread_free(&t[i]);
    if(rc == 0) {
      hb_load_stats_merge(&r->st, &t[i].st);
      r->run.cpu_s += t[i].cpu_s;
      r->run.poll_s += (double)t[i].poll_ns / 1e9;
    }
    hb_load_stats_free(&t[i].st);
  }
  free(t);
  return rc;
}

static void ld_warnings(const ld_shared *sh, const ld_result *r,
                        char w[][300], int *nw, int fd_short)
{
  const ld_opts *o = sh->o;
  const ld_stats *st = &r->st;
  double util = r->run.elapsed > 0 ? r->run.cpu_s / (r->run.elapsed *
                                                     (double)o->threads)
                : 0;
  uint64_t errs = 0;
  int i;

  for(i = 0; i < HB_LE_COUNT; i++)
    errs += st->errors[i];
  if(errs && *nw < LD_MAX_WARN)
    snprintf(w[(*nw)++], 300, "%llu of %llu requests failed (see errors)",
             (unsigned long long)errs, (unsigned long long)st->requests);
  if(util > 0.9 && *nw < LD_MAX_WARN)
    snprintf(w[(*nw)++], 300, "the load generator used %.0f%% of its %ld "
             "thread(s)' CPU: it may be the bottleneck (add -t, or cores)",
             util * 100, o->threads);
  if(o->rate > 0 && st->sent && st->late * 100 > st->sent &&
     *nw < LD_MAX_WARN)
    snprintf(w[(*nw)++], 300, "open loop: %llu of %llu sends (%.1f%%) "
             "were over 1 ms behind schedule (worst %.3f ms)",
             (unsigned long long)st->late, (unsigned long long)st->sent,
             100.0 * (double)st->late / (double)st->sent,
             (double)st->max_lag / 1e6);
  if(o->rate <= 0 && !o->requests && r->windowed && *nw < LD_MAX_WARN)
    *nw += hb_load_coarse_warning(st, o->conns, r->run.elapsed, w[*nw]);
  if(o->rate > 0 && r->run.elapsed > 0 && *nw < LD_MAX_WARN) {
    double ach = (double)st->ok / r->run.elapsed;
    double miss = (o->rate - ach) * r->run.elapsed;

    /* each connection may end with one request in flight: short runs
     * miss that much by design */
    if(miss > 0.01 * o->rate * r->run.elapsed && miss > (double)o->conns)
      snprintf(w[(*nw)++], 300, "open loop: achieved %.1f requests/s, "
               "%.1f%% short of the target %.1f", ach,
               100 * (o->rate - ach) / o->rate, o->rate);
  }
  if(r->no_h2 && *nw < LD_MAX_WARN)
    snprintf(w[(*nw)++], 300, "stopped: --http2, and the server did not "
             "select h2 by ALPN (see errors: protocol)");
  else if(r->gave_up && *nw < LD_MAX_WARN)
    snprintf(w[(*nw)++], 300, "stopped after %lld connect failures: no "
             "connection to %s was ever made", sh->connect_budget,
             o->url.hostport);
  else if(!r->windowed && o->warmup > 0 && *nw < LD_MAX_WARN)
    snprintf(w[(*nw)++], 300, "the run ended in its warm-up: the figures "
             "are the warm-up's");
  if(fd_short && *nw < LD_MAX_WARN)
    snprintf(w[(*nw)++], 300, "the open-files limit is below -c %ld: "
             "expect connect errors", o->conns);
  if(r->run.interrupted && *nw < LD_MAX_WARN)
    snprintf(w[(*nw)++], 300, "interrupted: partial results");
}

int hb_load_main(int argc, char **argv)
{
  ld_opts o;
  ld_shared sh;
  ld_result r;
  char warn[LD_MAX_WARN][300];
  int nwarn = 0, fd_short, rc = 1;
  hb_err err = { "" };

  memset(&o, 0, sizeof(o));
  memset(&sh, 0, sizeof(sh));
  memset(&r, 0, sizeof(r));
  o.conns = 32;
  o.threads = 1;
  o.timeout = 10;
  o.pipeline = 1;
  o.streams = 1;
  ld_parse(argc, argv, &o);
  sh.ops = ld_check(&o);
  sh.o = &o;
  sh.tls = sh.ops != &hb_plain_tls;
  r.run.threads = o.threads;
  r.run.target_rate = o.rate;
  r.run.tls = sh.tls;
  sh.timeout_ns = (uint64_t)(o.timeout * 1e9);
  sh.interval_ns = o.rate > 0 ? (double)o.conns * 1e9 / o.rate : 0;
  atomic_init(&sh.claimed, 0);
  atomic_init(&sh.connected, 0);
  atomic_init(&sh.connect_fails, 0);
  atomic_init(&sh.gave_up, 0);
  atomic_init(&sh.no_h2, 0);
  sh.connect_budget = LD_CONNECT_TRIES * (long long)o.conns;
  if(ld_build_request(&o) || (o.http2 && lh2_prepare(&o))) {
    fprintf(stderr, "httpsbench-%s load: out of memory\n",
            hb_linked_backend.name);
    return 1;
  }
  fd_short = ld_fd_limit(o.conns);
  if(ld_tls_ctx(&sh, &err) != HB_OK) {
    fprintf(stderr, "httpsbench-%s load: %s\n", hb_linked_backend.name,
            err.msg);
    sh.ctx = NULL;
    if(hb_load_stats_init(&r.st))
      goto out;
    snprintf(r.st.errmsg[HB_LE_TLS], sizeof(r.st.errmsg[HB_LE_TLS]), "%s",
             err.msg);
  }
  else if((o.watch_stdin && hb_stop_on_eof(err.msg, sizeof(err.msg))) ||
          hb_start_at(o.start_at, &o.started_at, err.msg,
                      sizeof(err.msg))) {
    fprintf(stderr, "httpsbench-%s load: %s\n", hb_linked_backend.name,
            err.msg);
    goto out;
  }
  else if(ld_run(&sh, &r)) {
    fprintf(stderr, "httpsbench-%s load: cannot start the threads\n",
            hb_linked_backend.name);
    goto out;
  }
  if(sh.ctx) { /* else nothing ran: the line above said why */
    ld_warnings(&sh, &r, warn, &nwarn, fd_short);
    ld_print_summary(&sh, &r, warn, nwarn);
  }
  if(r.no_h2 && !r.run.interrupted)
    fprintf(stderr, "httpsbench-%s load: stopped: %s\n",
            hb_linked_backend.name, r.st.errmsg[HB_LE_PROTOCOL]);
  else if(r.gave_up && !r.run.interrupted)
    fprintf(stderr, "httpsbench-%s load: stopped: no connection to %s "
            "could be made (%lld connect failures; first: %s)\n",
            hb_linked_backend.name, o.url.hostport,
            (long long)atomic_load(&sh.connect_fails),
            hb_load_first_error(&r.st));
  if(o.json && ld_write_report(argc, argv, &sh, &r, warn, nwarn))
    goto out;
  if(r.run.interrupted)
    rc = HB_EXIT_INTERRUPTED;
  else
    rc = r.st.ok ? 0 : 1;
out:
  if(sh.ctx)
    sh.ops->ctx_free(sh.ctx);
  hb_load_stats_free(&r.st);
  lh2_unprepare(&o);
  free(o.req);
  return rc;
}
