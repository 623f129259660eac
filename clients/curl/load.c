/* `httpsbench-curl load URL [options]`: our load generator's closed loop
 * (clients/load.c) with libcurl's multi interface doing the work, so the
 * throughput driver can set what a real client library costs per request
 * beside our own client. Same options that matter (-c, -d or -n,
 * --warmup, --marks, --close, --tls, --resume, --cacert, --insecure,
 * --timeout, --json) and the same report: suite "load", one result
 * "requests", backend "curl".
 *
 * One thread, one multi handle, one easy handle per connection; a handle
 * that finished is added again for the next request, and keep-alive
 * connections wait in the multi handle's pool between requests. Latency
 * runs from the request's first byte sent to the response's last byte
 * (curl's TOTAL - PRETRANSFER), as in our generator. */
#include <errno.h>
#include <linux/tcp.h>
#include <math.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "curl_engine.h"
#include "hb/cli.h"
#include "hb/opts.h"
#include "hb/clock.h"
#include "hb/hdr.h"
#include "hb/loadstats.h"
#include "hb/report.h"
#include "hb/sig.h"

#define LO_MAX_WARN 6
#define LO_POLL_MS 100
#define LO_CONNECT_TRIES 3  /* connect failures per connection (-c)
                               before a run that never connected stops */

/* Counters, categories, summary and report: hb/loadstats.h, as our
 * own load generator's. */
typedef hb_load_stats lo_stats;

typedef struct lo_opts {
  cu_opts c;
  const char *url, *json;
  int https, close, resume, marks;
  long conns;
  double duration;       /* seconds measured; 0 with -n */
  double warmup;         /* seconds run before the window (-d) */
  long long requests;    /* -n; 0 with -d */
} lo_opts;

struct lo_run;

typedef struct lo_xfer {
  CURL *h;
  struct lo_run *run;
  curl_off_t body;       /* bytes through the write callback */
  cu_tls_info cur;
  int active;
  char errbuf[CURL_ERROR_SIZE];
} lo_xfer;

/* A socket curl opened: its TCP byte counts when the window began. */
typedef struct lo_sock {
  int open;
  uint64_t in0, out0;
} lo_sock;

typedef struct lo_run {
  const lo_opts *o;
  CURLM *m;
  lo_xfer *x;
  struct curl_slist *hdrs;
  long long claimed;
  lo_stats st;
  lo_sock *socks;        /* by descriptor */
  size_t nsocks;
  hb_load_run run;       /* the outcome as the summary and report take
                            it; cpu_s: this thread's over the window */
  int window;            /* the window began: st covers it */
  int connected;         /* a transfer got a connection once */
  long long connect_fails; /* while not connected */
  int gave_up;
} lo_run;

static const char *const lo_resumes[] = { "on", "off", NULL };

static void lo_parse(int argc, char **argv, lo_opts *o)
{
  const char *tls = NULL, *resume = NULL;
  char why[400];
  hb_err err = { "" };
  long requests = 0;
  int first, have_d, have_w;
  const hb_opt opts[] = {
    { "connections", 'c', HB_OPT_INT, &o->conns, "N",
      "concurrent transfers (default 32)", 1, 100000, NULL, NULL,
      "a connection count (1..100000)" },
    { "duration", 'd', HB_OPT_SECONDS, &o->duration, "S",
      "measure for S seconds (default 10)", 0, 1e6, NULL, NULL,
      "a duration in seconds" },
    { "warmup", 0, HB_OPT_DOUBLE, &o->warmup, "S",
      "with -d: run S seconds first, left out of\nevery figure; the run "
      "lasts S + -d (default 0)", 0, 3600, NULL, NULL,
      "a number of seconds (0 to 3600)" },
    { "requests", 'n', HB_OPT_INT, &requests, "N",
      "stop after N requests (responses or errors)", 1, 1e12, NULL, NULL,
      "a request count >= 1" },
    { "close", 0, HB_OPT_FLAG, &o->close, NULL,
      "Connection: close, a new connection per\nrequest", 0, 0, NULL,
      NULL, NULL },
    { "tls", 0, HB_OPT_ENUM, &tls, "1.2|1.3",
      "TLS version (default: the library's)", 0, 0, cu_tls_versions, NULL,
      NULL },
    { "resume", 0, HB_OPT_ENUM, &resume, "on|off",
      "reuse TLS sessions on reconnects (default\non)", 0, 0, lo_resumes,
      NULL, NULL },
    { "cacert", 0, HB_OPT_STRING, &o->c.cacert, "FILE",
      "trust anchor for https (verification is on)", 0, 0, NULL, NULL,
      NULL },
    { "insecure", 0, HB_OPT_FLAG, &o->c.insecure, NULL,
      "https without verifying the server", 0, 0, NULL, NULL, NULL },
    { "timeout", 0, HB_OPT_CALL, &o->c.timeout, "S",
      "per request (default 10)", 0, 0, NULL, cu_opt_timeout, NULL },
    { "json", 0, HB_OPT_STRING, &o->json, "FILE", "write the report", 0, 0,
      NULL, NULL, NULL },
    { "marks", 0, HB_OPT_FLAG, &o->marks, NULL,
      "print 'mark start' when the measured window\nbegins and 'mark end' "
      "when it ends (stdout,\nflushed; the summary follows)", 0, 0, NULL,
      NULL, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "load",
    "usage: httpsbench load --client curl URL [options]\n"
    "       httpsbench-curl load URL [options]\n"
    "Our load generator's closed loop through libcurl's multi interface\n"
    "(one thread, HTTP/1.1), reported like our own (suite \"load\").\n",
    "A run that never made a connection stops after 3 connect failures\n"
    "per connection (-c). Exit 0 when requests succeeded, 1 when none did,\n"
    "2 for bad usage, 130 when interrupted.\n", opts };

  o->duration = 0;
  o->warmup = -1; /* not given */
  first = hb_opts_parse(&spec, argc, argv);
  have_d = o->duration > 0;
  have_w = o->warmup >= 0;
  if(!have_w)
    o->warmup = 0;
  o->requests = requests;
  if(tls)
    o->c.tls_version = !strcmp(tls, "1.2") ? 12 : 13;
  if(resume)
    o->resume = !strcmp(resume, "on");
  if(first >= argc)
    hb_usage_fail("load", "a URL is required");
  if(first + 1 < argc)
    hb_usage_fail("load", "unexpected argument '%s'", argv[first + 1]);
  o->url = argv[first];
  if(cu_url_check(o->url, &o->https, why, sizeof(why)))
    hb_usage_fail("load", "%s", why);
  if(have_d && o->requests)
    hb_usage_fail("load", "-d and -n exclude each other");
  if(have_w && o->requests)
    hb_usage_fail("load", "--warmup goes with -d: it excludes -n");
  if(!o->requests && !have_d)
    o->duration = 10;
  if(o->https && !o->c.cacert && !o->c.insecure)
    hb_usage_fail("load", "https verifies the server: give --cacert FILE "
                  "(or --insecure)");
  if(o->c.cacert && access(o->c.cacert, R_OK))
    hb_usage_fail("load", "--cacert: cannot read %s: %s", o->c.cacert,
                  strerror(errno));
  if(o->json && hb_report_check_path(o->json, &err) != HB_OK)
    hb_usage_fail("load", "--json: %s", err.msg);
}

/* ---- callbacks ---- */

static size_t lo_write(char *data, size_t size, size_t n, void *p)
{
  lo_xfer *x = p;

  x->body += (curl_off_t)(size * n);
  return size * n;
}

static size_t lo_header(char *data, size_t size, size_t n, void *p)
{
  lo_xfer *x = p;

  if(x->run->o->https && !x->cur.have)
    cu_tls_info_get(x->h, &x->cur);
  return size * n;
}

/* A socket's TCP byte counts so far; 0 when the kernel does not say. */
static int lo_tcp_bytes(curl_socket_t fd, uint64_t *in, uint64_t *out)
{
  struct tcp_info ti;
  socklen_t len = sizeof(ti);

  memset(&ti, 0, sizeof(ti));
  if(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
     len < offsetof(struct tcp_info, tcpi_bytes_received) +
           sizeof(ti.tcpi_bytes_received))
    return 0;
  *in = ti.tcpi_bytes_received;
  *out = ti.tcpi_bytes_acked;
  return 1;
}

/* Every socket curl opens is noted, so that the window's start can take
 * the byte counts of those open then. */
static int lo_sockopt(void *p, curl_socket_t fd, curlsocktype purpose)
{
  lo_run *r = p;

  (void)purpose;
  if(fd < 0)
    return CURL_SOCKOPT_OK;
  if((size_t)fd >= r->nsocks) {
    size_t n = (size_t)fd * 2 + 64;
    lo_sock *s = realloc(r->socks, n * sizeof(*s));

    if(!s)
      return CURL_SOCKOPT_OK; /* its bytes count from its start */
    memset(s + r->nsocks, 0, (n - r->nsocks) * sizeof(*s));
    r->socks = s;
    r->nsocks = n;
  }
  r->socks[fd].open = 1;
  r->socks[fd].in0 = r->socks[fd].out0 = 0;
  return CURL_SOCKOPT_OK;
}

/* Every socket curl closes: its TCP byte counts (since the window began)
 * are the wire bytes. */
static int lo_closesocket(void *p, curl_socket_t fd)
{
  lo_run *r = p;
  uint64_t in = 0, out = 0, in0 = 0, out0 = 0;

  if(fd >= 0 && (size_t)fd < r->nsocks && r->socks[fd].open) {
    in0 = r->socks[fd].in0;
    out0 = r->socks[fd].out0;
    r->socks[fd].open = 0;
  }
  if(lo_tcp_bytes(fd, &in, &out)) {
    r->st.wire_in += in > in0 ? in - in0 : 0;
    r->st.wire_out += out > out0 ? out - out0 : 0;
  }
  return close(fd);
}

/* ---- one transfer ---- */

static int lo_category(CURLcode rc, long oserr)
{
  switch(rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
    return HB_LE_CONNECT;
  case CURLE_OPERATION_TIMEDOUT:
    return HB_LE_TIMEOUT;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_SHUTDOWN_FAILED:
    return HB_LE_TLS;
  case CURLE_SEND_ERROR:
    return oserr == ECONNRESET ? HB_LE_RESET : HB_LE_WRITE;
  case CURLE_RECV_ERROR:
    return oserr == ECONNRESET ? HB_LE_RESET : HB_LE_READ;
  default: /* nothing, a partial body, a malformed reply */
    return HB_LE_READ;
  }
}

static void lo_record(hb_hdr *h, curl_off_t later, curl_off_t earlier)
{
  hb_hdr_record(h, later > earlier ? (uint64_t)(later - earlier) * 1000
                : 0);
}

static void lo_done(lo_run *r, lo_xfer *x, CURLcode rc)
{
  static const CURLINFO timers[6] = {
    CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T,
    CURLINFO_APPCONNECT_TIME_T, CURLINFO_PRETRANSFER_TIME_T,
    CURLINFO_STARTTRANSFER_TIME_T, CURLINFO_TOTAL_TIME_T
  };
  lo_stats *st = &r->st;
  curl_off_t t[6], dl = 0, cl = -1;
  long code = 0, conns = 0, oserr = 0, reqsize = 0, head = 0;
  char msg[160];
  int i;

  for(i = 0; i < 6; i++)
    if(curl_easy_getinfo(x->h, timers[i], &t[i]) != CURLE_OK)
      t[i] = 0;
  curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(x->h, CURLINFO_NUM_CONNECTS, &conns);
  curl_easy_getinfo(x->h, CURLINFO_OS_ERRNO, &oserr);
  curl_easy_getinfo(x->h, CURLINFO_REQUEST_SIZE, &reqsize);
  curl_easy_getinfo(x->h, CURLINFO_HEADER_SIZE, &head);
  curl_easy_getinfo(x->h, CURLINFO_SIZE_DOWNLOAD_T, &dl);
  curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
  st->requests++;
  if(reqsize > 0)
    st->sent++;
  st->conns += (uint64_t)conns;
  if(conns > 0 && t[1] > 0)
    lo_record(st->connect, t[1], t[0]);
  if(r->o->https && conns > 0 && t[2] > 0) {
    st->handshakes += (uint64_t)conns;
    st->resumed += x->cur.have && x->cur.resumed;
    lo_record(st->handshake, t[2], t[1]);
    if(!st->have_tls && x->cur.have) {
      snprintf(st->tls_version, sizeof(st->tls_version), "%s",
               x->cur.version);
      snprintf(st->tls_cipher, sizeof(st->tls_cipher), "%s",
               x->cur.cipher);
      snprintf(st->tls_group, sizeof(st->tls_group), "%s", x->cur.group);
      st->have_tls = 1;
    }
  }
  if(conns > 0 || rc == CURLE_OK)
    r->connected = 1;
  if(rc != CURLE_OK) {
    int cat = lo_category(rc, oserr);

    hb_load_fail(st, cat, x->errbuf[0] ? x->errbuf
            : curl_easy_strerror(rc));
    /* nobody listens there: retrying for the whole -d says nothing */
    if(cat == HB_LE_CONNECT && !r->connected &&
       ++r->connect_fails >= LO_CONNECT_TRIES * (long long)r->o->conns)
      r->gave_up = 1;
    return;
  }
  st->responses++;
  st->bytes_in += (uint64_t)head + (uint64_t)dl;
  if(code < 200 || code > 299) {
    snprintf(msg, sizeof(msg), "HTTP status %ld", code);
    hb_load_fail(st, HB_LE_STATUS, msg);
    return;
  }
  /* bytes checked: what we were handed is what curl counted, and what
   * the server announced */
  if(x->body != dl || (cl >= 0 && cl != dl)) {
    snprintf(msg, sizeof(msg), "body of %lld bytes (callback %lld, "
             "Content-Length %lld)", (long long)dl, (long long)x->body,
             (long long)cl);
    st->responses--;
    hb_load_fail(st, HB_LE_READ, msg);
    return;
  }
  st->ok++;
  st->bytes_body += (uint64_t)dl;
  lo_record(st->latency, t[5], t[3]);
  lo_record(st->ttfb, t[4], t[3]);
}

static int lo_claim(lo_run *r)
{
  if(!r->o->requests)
    return 1;
  if(r->claimed >= r->o->requests)
    return 0;
  r->claimed++;
  return 1;
}

static int lo_start(lo_run *r, lo_xfer *x)
{
  x->body = 0;
  x->errbuf[0] = '\0';
  memset(&x->cur, 0, sizeof(x->cur));
  if(curl_multi_add_handle(r->m, x->h) != CURLM_OK)
    return -1;
  x->active = 1;
  return 0;
}

static CURLcode lo_setup(lo_run *r, lo_xfer *x)
{
  const lo_opts *o = r->o;
  CURLcode rc = cu_apply_opts(x->h, &o->c);

#define LO_SET(opt, val) \
  do { if(!rc) rc = curl_easy_setopt(x->h, opt, val); } while(0)
  LO_SET(CURLOPT_URL, o->url);
  LO_SET(CURLOPT_PRIVATE, x);
  LO_SET(CURLOPT_ERRORBUFFER, x->errbuf);
  LO_SET(CURLOPT_WRITEFUNCTION, lo_write);
  LO_SET(CURLOPT_WRITEDATA, x);
  LO_SET(CURLOPT_HEADERFUNCTION, lo_header);
  LO_SET(CURLOPT_HEADERDATA, x);
  LO_SET(CURLOPT_SOCKOPTFUNCTION, lo_sockopt);
  LO_SET(CURLOPT_SOCKOPTDATA, r);
  LO_SET(CURLOPT_CLOSESOCKETFUNCTION, lo_closesocket);
  LO_SET(CURLOPT_CLOSESOCKETDATA, r);
  LO_SET(CURLOPT_USERAGENT, "httpsbench-curl");
  LO_SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  LO_SET(CURLOPT_SSL_SESSIONID_CACHE, o->resume ? 1L : 0L);
  if(o->close) {
    LO_SET(CURLOPT_HTTPHEADER, r->hdrs);
    LO_SET(CURLOPT_FORBID_REUSE, 1L);
  }
#undef LO_SET
  return rc;
}

/* One descriptor per connection plus a few: raise the soft limit. */
static int lo_fd_limit(long conns)
{
  struct rlimit rl;
  rlim_t need = (rlim_t)conns + 64;

  if(getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
    return 0;
  rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
  setrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur < need ? -1 : 0;
}

static int lo_active(const lo_run *r)
{
  long i;
  int n = 0;

  for(i = 0; i < r->o->conns; i++)
    n += r->x[i].active;
  return n;
}

static uint64_t lo_thread_cpu(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The measured window begins (--warmup; at once without): what the
 * warm-up counted goes. Transfers in flight now count in the window when
 * they complete, as those in flight at the deadline do not count at all;
 * a socket open now counts its bytes from here. */
static void lo_window(lo_run *r)
{
  size_t fd;

  hb_load_stats_reset(&r->st);
  for(fd = 0; fd < r->nsocks; fd++)
    if(r->socks[fd].open &&
       !lo_tcp_bytes((curl_socket_t)fd, &r->socks[fd].in0,
                     &r->socks[fd].out0))
      r->socks[fd].in0 = r->socks[fd].out0 = 0;
  r->window = 1;
  if(r->o->marks) {
    printf("mark start\n");
    fflush(stdout);
  }
}

/* The closed loop until the deadline, the request count, a signal, or
 * no connection at all. Transfers in flight at the end are neither
 * successes nor errors. */
static int lo_loop(lo_run *r)
{
  const lo_opts *o = r->o;
  uint64_t start, wstart, end = 0, now, cpu0;
  double u0, s0, u1, s1;
  long i;
  int rc = 0;

  hb_cpu_times(0, &u0, &s0);
  cpu0 = lo_thread_cpu();
  start = hb_now_ns();
  wstart = start + (uint64_t)(o->warmup * 1e9);
  if(!o->requests)
    end = wstart + (uint64_t)(o->duration * 1e9);
  for(i = 0; i < o->conns && !rc; i++)
    if(lo_claim(r))
      rc = lo_start(r, &r->x[i]);
  while(!rc && !hb_interrupted() && !r->gave_up) {
    CURLMsg *msg;
    uint64_t until;
    int running, q, wait;

    now = hb_now_ns();
    if(!r->window && now >= wstart) {
      lo_window(r);
      hb_cpu_times(0, &u0, &s0);
      cpu0 = lo_thread_cpu();
    }
    if(curl_multi_perform(r->m, &running) != CURLM_OK) {
      rc = -1;
      break;
    }
    now = hb_now_ns();
    if(end && now >= end)
      break;
    while((msg = curl_multi_info_read(r->m, &q))) {
      CURL *h = msg->easy_handle;
      CURLcode res = msg->data.result;
      char *priv = NULL;
      lo_xfer *x;

      if(msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv);
      x = (lo_xfer *)priv;
      curl_multi_remove_handle(r->m, h); /* msg is gone after this */
      x->active = 0;
      if(res == CURLE_ABORTED_BY_CALLBACK && hb_interrupted())
        continue;
      lo_done(r, x, res);
      if(!r->gave_up && lo_claim(r) && lo_start(r, x))
        rc = -1;
    }
    if(!lo_active(r))
      break;
    wait = LO_POLL_MS;
    until = r->window ? end : wstart;
    if(until && until <= now)
      wait = 0;
    else if(until && (until - now) / 1000000 < (uint64_t)wait)
      wait = (int)((until - now) / 1000000) + 1;
    if(curl_multi_poll(r->m, NULL, 0, wait, NULL) != CURLM_OK)
      rc = -1;
  }
  now = hb_now_ns();
  r->run.cpu_s = (double)(lo_thread_cpu() - cpu0) / 1e9;
  /* a run that ended in its warm-up (signal, no connection) reports the
   * warm-up */
  r->run.elapsed = (double)(now - (r->window ? wstart : start)) / 1e9;
  hb_cpu_times(0, &u1, &s1);
  r->run.user_s = u1 - u0;
  r->run.sys_s = s1 - s0;
  r->run.interrupted = hb_interrupted() != 0;
  if(r->window && o->marks) {
    printf("mark end\n");
    fflush(stdout);
  }
  for(i = 0; i < o->conns; i++)
    if(r->x[i].active) {
      curl_multi_remove_handle(r->m, r->x[i].h);
      r->x[i].active = 0;
    }
  return rc;
}

/* ---- the outcome ---- */

static void lo_print(const lo_run *r, char warn[][300], int nwarn)
{
  const lo_opts *o = r->o;

  hb_load_print_start(0, o->close, o->requests, o->duration, o->warmup,
                      o->url);
  printf("1 thread, %ld connection%s, libcurl/%s %s\n", o->conns,
         o->conns > 1 ? "s" : "", cu_libcurl_version(), cu_tls_library());
  hb_load_print(&r->st, &r->run, 0, warn, nwarn);
}

static int lo_warnings(const lo_run *r, char w[][300], int fd_short)
{
  const lo_stats *st = &r->st;
  uint64_t errs = 0;
  int i, n = 0;

  for(i = 0; i < HB_LE_COUNT; i++)
    errs += st->errors[i];
  if(errs)
    snprintf(w[n++], 300, "%llu of %llu requests failed (see errors)",
             (unsigned long long)errs, (unsigned long long)st->requests);
  if(r->run.elapsed > 0 && r->run.cpu_s / r->run.elapsed > 0.9)
    snprintf(w[n++], 300, "the curl client used %.0f%% of its thread's "
             "CPU: it may be the bottleneck", 100 * r->run.cpu_s /
             r->run.elapsed);
  if(!r->o->requests && r->window)
    n += hb_load_coarse_warning(st, r->o->conns, r->run.elapsed, w[n]);
  if(r->gave_up)
    snprintf(w[n++], 300, "stopped after %lld connect failures: no "
             "connection was ever made", r->connect_fails);
  else if(!r->window && r->o->warmup > 0)
    snprintf(w[n++], 300, "the run ended in its warm-up: the figures are "
             "the warm-up's");
  if(fd_short)
    snprintf(w[n++], 300, "the open-files limit is below -c %ld: expect "
             "connect errors", r->o->conns);
  if(r->run.interrupted)
    snprintf(w[n++], 300, "interrupted: partial results");
  return n;
}

static json_t *lo_params(const lo_opts *o)
{
  json_t *p = json_object();

  json_object_set_new(p, "url", json_string(o->url));
  json_object_set_new(p, "backend", json_string("curl"));
  json_object_set_new(p, "client", json_string("curl"));
  json_object_set_new(p, "libcurl", json_string(cu_libcurl_version()));
  json_object_set_new(p, "connections", json_integer(o->conns));
  json_object_set_new(p, "threads", json_integer(1));
  if(o->requests)
    json_object_set_new(p, "requests", json_integer(o->requests));
  else
    json_object_set_new(p, "duration_s", json_real(o->duration));
  json_object_set_new(p, "warmup_s", json_real(o->warmup));
  json_object_set_new(p, "pipeline", json_integer(1));
  json_object_set_new(p, "burn_us", json_integer(0));
  json_object_set_new(p, "busy_poll_us", json_integer(0)); /* never polls */
  json_object_set_new(p, "nap_us", json_integer(0)); /* sleeps in curl */
  /* libcurl writes what the library hands it as it comes: the client's
   * Finished leaves in its own segment, before the request */
  json_object_set_new(p, "hold_finished", json_false());
  json_object_set_new(p, "mutual_tls", json_false()); /* no client cert */
  json_object_set_new(p, "cipher", json_null());
  json_object_set_new(p, "model", json_string("closed"));
  json_object_set_new(p, "target_rate", json_null());
  json_object_set_new(p, "close", json_boolean(o->close));
  json_object_set_new(p, "tls_version", o->c.tls_version
                      ? json_string(o->c.tls_version == 12 ? "1.2" : "1.3")
                      : json_null());
  json_object_set_new(p, "resume", json_boolean(o->resume));
  json_object_set_new(p, "insecure", json_boolean(o->c.insecure));
  json_object_set_new(p, "timeout_s", json_real(o->c.timeout));
  json_object_set_new(p, "headers", json_array());
  /* the same params as our load generator's: HTTP/1.1 only, no start
   * barrier (--start-at is ours) */
  json_object_set_new(p, "http2", json_false());
  json_object_set_new(p, "streams", json_integer(1));
  json_object_set_new(p, "start_at_ns", json_null());
  json_object_set_new(p, "started_at_ns", json_null());
  return p;
}

static int lo_report(int argc, char **argv, const lo_run *r,
                     char warn[][300], int nwarn)
{
  json_t *rep = hb_report_new(argc, argv);
  hb_err err = { "" };
  int rc;

  hb_report_add_backend(rep, "curl", cu_tls_library());
  hb_load_result(rep, "curl", lo_params(r->o), &r->st, &r->run, warn,
                 nwarn);
  rc = hb_report_write(rep, r->o->json, r->run.interrupted, &err);
  json_decref(rep);
  if(rc != HB_OK)
    fprintf(stderr, "httpsbench-curl load: %s\n", err.msg);
  return rc != HB_OK;
}

/* The histograms, the multi handle and one easy handle per connection;
 * -1 when out of memory (lo_free releases what was made). */
static int lo_init(lo_run *r)
{
  const lo_opts *o = r->o;
  int rc = hb_load_stats_init(&r->st);
  long i;

  r->m = curl_multi_init();
  r->x = calloc((size_t)o->conns, sizeof(*r->x));
  if(o->close)
    r->hdrs = curl_slist_append(NULL, "Connection: close");
  if(rc || !r->m || !r->x || (o->close && !r->hdrs))
    return -1;
  /* never more connections than transfers: the pool holds -c */
  curl_multi_setopt(r->m, CURLMOPT_MAXCONNECTS, o->conns);
  for(i = 0; i < o->conns; i++) {
    r->x[i].run = r;
    r->x[i].h = curl_easy_init();
    if(!r->x[i].h || lo_setup(r, &r->x[i]) != CURLE_OK)
      return -1;
  }
  return 0;
}

/* Closing the pooled connections adds their wire bytes: done before the
 * outcome is printed. */
static void lo_free(lo_run *r)
{
  long i;

  for(i = 0; r->x && i < r->o->conns; i++)
    if(r->x[i].h) {
      curl_easy_cleanup(r->x[i].h);
      r->x[i].h = NULL;
    }
  if(r->m)
    curl_multi_cleanup(r->m);
  r->m = NULL;
}

int cu_load_main(int argc, char **argv)
{
  lo_opts o;
  lo_run r;
  char warn[LO_MAX_WARN][300];
  int nwarn, fd_short, rc = 1;

  memset(&o, 0, sizeof(o));
  memset(&r, 0, sizeof(r));
  o.conns = 32;
  o.resume = 1;
  o.c.timeout = 10;
  lo_parse(argc, argv, &o);
  r.o = &o;
  r.run.threads = 1;
  r.run.tls = o.https;
  fd_short = lo_fd_limit(o.conns);
  if(lo_init(&r)) {
    fprintf(stderr, "httpsbench-curl load: out of memory\n");
    goto out;
  }
  if(lo_loop(&r)) {
    fprintf(stderr, "httpsbench-curl load: the multi interface failed\n");
    goto out;
  }
  lo_free(&r);
  nwarn = lo_warnings(&r, warn, fd_short);
  lo_print(&r, warn, nwarn);
  if(r.gave_up && !r.run.interrupted)
    fprintf(stderr, "httpsbench-curl load: stopped: no connection to %s "
            "could be made (%lld connect failures; first: %s)\n", o.url,
            r.connect_fails, hb_load_first_error(&r.st));
  else if(!r.st.ok && !r.run.interrupted)
    fprintf(stderr, "httpsbench-curl load: no request succeeded: %s\n",
            hb_load_first_error(&r.st));
  if(o.json && lo_report(argc, argv, &r, warn, nwarn))
    goto out;
  rc = r.run.interrupted ? HB_EXIT_INTERRUPTED : r.st.ok ? 0 : 1;
out:
  lo_free(&r);
  free(r.x);
  curl_slist_free_all(r.hdrs);
  free(r.socks);
  hb_load_stats_free(&r.st);
  return rc;
}
