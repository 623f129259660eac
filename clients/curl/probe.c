/* `httpsbench-curl probe URL [URL...]`: N requests per URL through
 * libcurl's easy interface, each phase timed by curl's own timers, as a
 * real client sees the endpoint.
 *
 * curl's timers are cumulative from the start of a request; the phases
 * are their differences: dns = NAMELOOKUP, connect = CONNECT - NAMELOOKUP,
 * tls = APPCONNECT - CONNECT, pretransfer = PRETRANSFER - the later of
 * those, ttfb = STARTTRANSFER - PRETRANSFER (request sent to first
 * response byte), transfer = TOTAL - STARTTRANSFER, total = TOTAL. On a
 * reused connection the connection phases are 0. Failed requests are
 * counted by kind and are never samples. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curl_engine.h"
#include "hb/cli.h"
#include "hb/opts.h"
#include "hb/report.h"
#include "hb/sig.h"
#include "hb/stats.h"

#define PR_MAX_URLS 64
#define PR_GIVE_UP 3       /* a URL whose first 3 requests fail is dead */
#define PR_MAX_CODES 8

enum { PP_DNS, PP_CONNECT, PP_TLS, PP_PRETRANSFER, PP_TTFB, PP_TRANSFER,
       PP_TOTAL, PP_COUNT };
static const char *const pr_phase_names[PP_COUNT] = {
  "dns", "connect", "tls", "pretransfer", "ttfb", "transfer", "total"
};
static const char *const pr_phase_timers[PP_COUNT] = {
  "NAMELOOKUP", "CONNECT - NAMELOOKUP", "APPCONNECT - CONNECT",
  "PRETRANSFER - max(NAMELOOKUP, CONNECT, APPCONNECT)",
  "STARTTRANSFER - PRETRANSFER", "TOTAL - STARTTRANSFER", "TOTAL"
};

enum { PE_DNS, PE_CONNECT, PE_TLS, PE_CERT, PE_TIMEOUT, PE_HTTP,
       PE_TRANSFER, PE_COUNT };
static const char *const pr_error_names[PE_COUNT] = {
  "dns", "connect", "tls", "certificate", "timeout", "http", "transfer"
};

typedef struct pr_opts {
  cu_opts c;
  const char *urls[PR_MAX_URLS];
  int nurls;
  long n;
  int reuse;
  int http;              /* 0: curl's default, 11, 2, 3: 2 by prior knowledge */
  const char *json;
  json_t *resolve;       /* the --resolve entries, for params */
} pr_opts;

/* A phase's statistics (hb_stats) and the percentiles beside them. */
typedef struct pr_sum {
  hb_stats st;
  double p90, p99;
} pr_sum;

typedef struct pr_url {
  const char *url;
  int https;
  CURL *h;
  double *ph[PP_COUNT];  /* us, one per successful request */
  size_t nok;
  long requests, connections, handshakes, resumed;
  long errors[PE_COUNT];
  char errmsg[PE_COUNT][CURL_ERROR_SIZE + 64];
  int first_err;         /* category of the first failure, -1: none */
  curl_off_t bytes_body, bytes_head;
  long codes[PR_MAX_CODES][2]; /* status, count */
  int ncodes;
  const char *http_version;
  cu_tls_info tls;       /* of the first successful request */
  cu_tls_info cur;       /* this request's, from the header callback */
  int interrupted;
  pr_sum sum[PP_COUNT];  /* computed once: the CI costs O(n^2) */
  int have_sum[PP_COUNT];
} pr_url;

/* --resolve HOST:PORT:ADDR (repeatable): dest is the JSON array of
 * entries. */
static int pr_opt_resolve(const char *v, void *dest, char *why,
                          size_t size)
{
  if(cu_resolve_check(v)) {
    snprintf(why, size, "'%s' is not HOST:PORT:ADDR", v);
    return -1;
  }
  json_array_append_new((json_t *)dest, json_string(v));
  return 0;
}

static void pr_parse(int argc, char **argv, pr_opts *o)
{
  static char tail[512];
  const char *tls = NULL;
  int first, i, https, new_conn = 0, h11 = 0, h2 = 0, h2pk = 0;
  char why[400];
  hb_err err = { "" };
  const hb_opt opts[] = {
    { "requests", 'n', HB_OPT_INT, &o->n, "N",
      "requests per URL (default 20)", 1, 1000000, NULL, NULL,
      "a count (1..1000000)" },
    { "new-connection", 0, HB_OPT_FLAG, &new_conn, NULL,
      "a new connection and full handshake per\nrequest (default; no "
      "session resumption)", 0, 0, NULL, NULL, NULL },
    { "reuse", 0, HB_OPT_FLAG, &o->reuse, NULL,
      "one connection kept alive for all requests", 0, 0, NULL, NULL,
      NULL },
    { "http1.1", 0, HB_OPT_FLAG, &h11, NULL, "HTTP/1.1", 0, 0, NULL, NULL,
      NULL },
    { "http2", 0, HB_OPT_FLAG, &h2, NULL,
      "HTTP/2 (default: curl's, h2 over TLS when\nthe server offers it); "
      "the version spoken is\nin the report (http_version)",
      0, 0, NULL, NULL, NULL },
    { "http2-prior-knowledge", 0, HB_OPT_FLAG, &h2pk, NULL,
      "HTTP/2 without asking: h2c on http:// (no\nUpgrade), h2 by ALPN "
      "over TLS", 0, 0, NULL, NULL, NULL },
    { "tls", 0, HB_OPT_ENUM, &tls, "1.2|1.3", "TLS version", 0, 0,
      cu_tls_versions, NULL, NULL },
    { "cacert", 0, HB_OPT_STRING, &o->c.cacert, "FILE",
      "trust anchor (default: the system's store)", 0, 0, NULL, NULL,
      NULL },
    { "insecure", 0, HB_OPT_FLAG, &o->c.insecure, NULL,
      "no certificate verification", 0, 0, NULL, NULL, NULL },
    { "resolve", 0, HB_OPT_CALL, o->resolve, "HOST:PORT:ADDR",
      "use ADDR for HOST:PORT (repeatable)", 0, 0, NULL, pr_opt_resolve,
      NULL },
    { "timeout", 0, HB_OPT_CALL, &o->c.timeout, "S",
      "per request (default 10)", 0, 0, NULL, cu_opt_timeout, NULL },
    { "json", 0, HB_OPT_STRING, &o->json, "FILE",
      "write the report (suite \"probe\")", 0, 0, NULL, NULL, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "probe",
    "usage: httpsbench probe URL [URL...] [options]\n"
    "Times N requests per URL through libcurl, phase by phase from curl's\n"
    "own timers: dns, connect, tls, pretransfer, ttfb, transfer, total.\n",
    tail, opts };

  snprintf(tail, sizeof(tail),
    "A URL whose first %d requests all fail is given up: its results\n"
    "have status \"error\" with the failures by kind and curl's messages,\n"
    "and the other URLs still run. Exit 0 when every URL answered, 1 when\n"
    "one never did (the report is written all the same), 2 for bad usage,\n"
    "130 when interrupted.\n", PR_GIVE_UP);
  first = hb_opts_parse(&spec, argc, argv);
  if(new_conn && o->reuse)
    hb_usage_fail("probe", "--new-connection and --reuse contradict");
  if(h11 + h2 + h2pk > 1)
    hb_usage_fail("probe", "--http1.1, --http2 and "
                  "--http2-prior-knowledge contradict");
  o->http = h11 ? 11 : h2 ? 2 : h2pk ? 3 : 0;
  if(tls)
    o->c.tls_version = !strcmp(tls, "1.2") ? 12 : 13;
  if(first >= argc)
    hb_usage_fail("probe", "give at least one URL");
  for(i = first; i < argc; i++) {
    if(o->nurls == PR_MAX_URLS)
      hb_usage_fail("probe", "more than %d URLs", PR_MAX_URLS);
    if(cu_url_check(argv[i], &https, why, sizeof(why)))
      hb_usage_fail("probe", "%s", why);
    o->urls[o->nurls++] = argv[i];
  }
  if(o->c.cacert && o->c.insecure)
    hb_usage_fail("probe", "--cacert and --insecure contradict");
  if(o->c.cacert && access(o->c.cacert, R_OK))
    hb_usage_fail("probe", "--cacert: cannot read %s: %s", o->c.cacert,
                  strerror(errno));
  if(o->json && hb_report_check_path(o->json, &err) != HB_OK)
    hb_usage_fail("probe", "--json: %s", err.msg);
}

static size_t pr_write(char *data, size_t size, size_t n, void *p)
{
  return size * n; /* the body is counted by curl, not kept */
}

/* The first header line of a response: the connection is live, so its
 * TLS parameters can be read now (after the transfer it may be gone). */
static size_t pr_header(char *data, size_t size, size_t n, void *p)
{
  pr_url *u = p;

  if(u->https && !u->cur.have)
    cu_tls_info_get(u->h, &u->cur);
  return size * n;
}

static int pr_category(CURLcode rc)
{
  switch(rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return PE_DNS;
  case CURLE_COULDNT_CONNECT:
    return PE_CONNECT;
  case CURLE_OPERATION_TIMEDOUT:
    return PE_TIMEOUT;
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CRL_BADFILE:
    return PE_CERT;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_USE_SSL_FAILED:
  case CURLE_SSL_CLIENTCERT:
    return PE_TLS;
  default:
    return PE_TRANSFER;
  }
}

static void pr_fail(pr_url *u, int cat, const char *msg)
{
  size_t len = strlen(msg);

  u->errors[cat]++;
  if(u->first_err < 0)
    u->first_err = cat;
  if(!u->errmsg[cat][0]) /* curl's messages may end in a newline */
    snprintf(u->errmsg[cat], sizeof(u->errmsg[cat]), "%.*s",
             (int)(len && msg[len - 1] == '\n' ? len - 1 : len), msg);
}

static void pr_code(pr_url *u, long code)
{
  int i;

  for(i = 0; i < u->ncodes; i++)
    if(u->codes[i][0] == code) {
      u->codes[i][1]++;
      return;
    }
  if(u->ncodes < PR_MAX_CODES) {
    u->codes[u->ncodes][0] = code;
    u->codes[u->ncodes++][1] = 1;
  }
}

static double pr_diff(curl_off_t a, curl_off_t b)
{
  return a > b ? (double)(a - b) : 0;
}

/* One finished transfer: counts, or the samples of every phase. */
static void pr_record(pr_url *u, CURLcode rc, const char *errbuf)
{
  static const CURLINFO timers[6] = {
    CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T,
    CURLINFO_APPCONNECT_TIME_T, CURLINFO_PRETRANSFER_TIME_T,
    CURLINFO_STARTTRANSFER_TIME_T, CURLINFO_TOTAL_TIME_T
  };
  curl_off_t t[6], body = 0, base;
  long code = 0, conns = 0, hv = 0, head = 0;
  char msg[CURL_ERROR_SIZE + 64];
  size_t k = u->nok;
  int i;

  for(i = 0; i < 6; i++)
    if(curl_easy_getinfo(u->h, timers[i], &t[i]) != CURLE_OK)
      t[i] = 0;
  curl_easy_getinfo(u->h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(u->h, CURLINFO_NUM_CONNECTS, &conns);
  curl_easy_getinfo(u->h, CURLINFO_HTTP_VERSION, &hv);
  curl_easy_getinfo(u->h, CURLINFO_SIZE_DOWNLOAD_T, &body);
  curl_easy_getinfo(u->h, CURLINFO_HEADER_SIZE, &head);
  u->requests++;
  u->connections += conns;
  /* a handshake happened when a new connection reached APPCONNECT */
  if(u->https && conns > 0 && t[2] > 0) {
    u->handshakes += conns;
    if(u->cur.have && u->cur.resumed)
      u->resumed++;
  }
  if(rc != CURLE_OK) {
    pr_fail(u, pr_category(rc), errbuf[0] ? errbuf
            : curl_easy_strerror(rc));
    return;
  }
  pr_code(u, code);
  if(code >= 400) {
    snprintf(msg, sizeof(msg), "the server answered HTTP %ld", code);
    pr_fail(u, PE_HTTP, msg);
    return;
  }
  base = t[0] > t[1] ? t[0] : t[1];
  base = base > t[2] ? base : t[2];
  u->ph[PP_DNS][k] = (double)t[0];
  u->ph[PP_CONNECT][k] = t[1] ? pr_diff(t[1], t[0]) : 0;
  u->ph[PP_TLS][k] = t[2] ? pr_diff(t[2], t[1]) : 0;
  u->ph[PP_PRETRANSFER][k] = pr_diff(t[3], base);
  u->ph[PP_TTFB][k] = pr_diff(t[4], t[3]);
  u->ph[PP_TRANSFER][k] = pr_diff(t[5], t[4]);
  u->ph[PP_TOTAL][k] = (double)t[5];
  u->nok++;
  u->bytes_body += body;
  u->bytes_head += head;
  u->http_version = cu_http_version_name(hv);
  if(!u->tls.have && u->cur.have)
    u->tls = u->cur;
}

static CURLcode pr_setup(const pr_opts *o, pr_url *u, char *errbuf)
{
  CURLcode rc = cu_apply_opts(u->h, &o->c);
  long hv = o->http == 11 ? CURL_HTTP_VERSION_1_1
            : o->http == 2 ? CURL_HTTP_VERSION_2_0
            : o->http == 3 ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
            : CURL_HTTP_VERSION_NONE;

#define PR_SET(opt, val) \
  do { if(!rc) rc = curl_easy_setopt(u->h, opt, val); } while(0)
  PR_SET(CURLOPT_URL, u->url);
  PR_SET(CURLOPT_ERRORBUFFER, errbuf);
  PR_SET(CURLOPT_WRITEFUNCTION, pr_write);
  PR_SET(CURLOPT_HEADERFUNCTION, pr_header);
  PR_SET(CURLOPT_HEADERDATA, u);
  PR_SET(CURLOPT_USERAGENT, "httpsbench-probe");
  PR_SET(CURLOPT_HTTP_VERSION, hv);
  if(!o->reuse) {
    /* every request from scratch: lookup, connection, full handshake */
    PR_SET(CURLOPT_FRESH_CONNECT, 1L);
    PR_SET(CURLOPT_FORBID_REUSE, 1L);
    PR_SET(CURLOPT_SSL_SESSIONID_CACHE, 0L);
    PR_SET(CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  }
#undef PR_SET
  return rc;
}

/* Runs one URL's requests; -1 when curl could not be set up. */
static int pr_run_url(const pr_opts *o, pr_url *u)
{
  char errbuf[CURL_ERROR_SIZE];
  CURLcode rc;
  long i;

  u->h = curl_easy_init();
  if(!u->h || pr_setup(o, u, errbuf) != CURLE_OK) {
    fprintf(stderr, "httpsbench probe: %s: libcurl refused the options\n",
            u->url);
    return -1;
  }
  for(i = 0; i < o->n; i++) {
    if(hb_interrupted()) {
      u->interrupted = 1;
      break;
    }
    errbuf[0] = '\0';
    memset(&u->cur, 0, sizeof(u->cur));
    rc = curl_easy_perform(u->h);
    if(rc == CURLE_ABORTED_BY_CALLBACK && hb_interrupted()) {
      u->interrupted = 1; /* neither a sample nor an error */
      break;
    }
    pr_record(u, rc, errbuf);
    if(i + 1 == PR_GIVE_UP && !u->nok)
      break;
  }
  return 0;
}

/* Percentile p (0..100) of n sorted values, nearest rank. */
static double pr_pct(const double *sorted, size_t n, double p)
{
  size_t r = (size_t)ceil(p / 100 * (double)n);

  return n ? sorted[r ? r - 1 : 0] : NAN;
}

static int pr_cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static int pr_summary(const double *v, size_t n, pr_sum *s)
{
  double *sorted;

  if(!n || hb_stats_compute(v, n, &s->st))
    return -1;
  sorted = malloc(n * sizeof(*sorted));
  if(!sorted)
    return -1;
  memcpy(sorted, v, n * sizeof(*sorted));
  qsort(sorted, n, sizeof(*sorted), pr_cmp);
  s->p90 = pr_pct(sorted, n, 90);
  s->p99 = pr_pct(sorted, n, 99);
  free(sorted);
  return 0;
}

/* The timeline: each phase starts where the medians before it end. */
static void pr_print(const pr_opts *o, const pr_url *u)
{
  double at = 0;
  char ci[64], lvl[16];
  int i;

  printf("%s\n", u->url);
  printf("  %ld request%s, %zu ok; %s: %ld connection%s", u->requests,
         u->requests == 1 ? "" : "s", u->nok, o->reuse ? "reused"
         : "a new connection each", u->connections,
         u->connections == 1 ? "" : "s");
  if(u->https)
    printf(", %ld TLS handshake%s (%ld resumed)", u->handshakes,
           u->handshakes == 1 ? "" : "s", u->resumed);
  printf("\n");
  if(u->nok) {
    printf("  HTTP/%s", u->http_version);
    for(i = 0; i < u->ncodes; i++)
      printf(" %s%ld x%ld", i ? "" : "status ", u->codes[i][0],
             u->codes[i][1]);
    if(u->tls.have)
      printf(", %s %s%s%s", u->tls.version, u->tls.cipher,
             u->tls.group[0] ? " " : "", u->tls.group);
    printf(", %.0f body bytes per response\n",
           (double)u->bytes_body / (double)u->nok);
    printf("  %-12s %9s %9s %21s %6s %9s %9s %9s\n", "phase (ms)", "at",
           "median", "CI", "level", "p90", "p99", "max");
  }
  for(i = 0; u->nok && i < PP_COUNT; i++) {
    const pr_sum *sp = &u->sum[i];

    if((i == PP_TLS && !u->https) || !u->have_sum[i])
      continue;
    snprintf(ci, sizeof(ci), "[%.3f, %.3f]", sp->st.ci_low / 1e3,
             sp->st.ci_high / 1e3);
    hb_fmt_level(sp->st.ci_level, lvl, sizeof(lvl));
    printf("  %-12s %9.3f %9.3f %21s %6s %9.3f %9.3f %9.3f\n",
           pr_phase_names[i], i == PP_TOTAL ? 0 : at / 1e3,
           sp->st.median / 1e3, ci, lvl, sp->p90 / 1e3, sp->p99 / 1e3,
           sp->st.max / 1e3);
    at += sp->st.median;
  }
  for(i = 0; i < PE_COUNT; i++)
    if(u->errors[i])
      printf("  errors: %s %ld: %s\n", pr_error_names[i], u->errors[i],
             u->errmsg[i]);
  fflush(stdout);
}

/* The parameters every result of a URL shares. */
static json_t *pr_params(const pr_opts *o, const pr_url *u, int phase)
{
  json_t *p = json_object();

  json_object_set_new(p, "url", json_string(u->url));
  json_object_set_new(p, "phase", json_string(pr_phase_names[phase]));
  json_object_set_new(p, "curl_timers", json_string(
                      pr_phase_timers[phase]));
  json_object_set_new(p, "requests", json_integer(o->n));
  json_object_set_new(p, "connection", json_string(o->reuse ? "reuse"
                                                   : "new"));
  json_object_set_new(p, "http", json_string(o->http == 11 ? "1.1"
                      : o->http == 2 ? "2" : o->http == 3
                      ? "2-prior-knowledge" : "default"));
  json_object_set_new(p, "tls_version", o->c.tls_version
                      ? json_string(o->c.tls_version == 12 ? "1.2" : "1.3")
                      : json_null());
  json_object_set_new(p, "cacert", o->c.cacert ? json_string(o->c.cacert)
                      : json_null());
  json_object_set_new(p, "insecure", json_boolean(o->c.insecure));
  json_object_set_new(p, "timeout_s", json_real(o->c.timeout));
  json_object_set(p, "resolve", o->resolve);
  json_object_set_new(p, "libcurl", json_string(cu_libcurl_version()));
  return p;
}

/* What a URL's results carry beside their samples (shared objects). */
static void pr_extras(const pr_url *u, json_t *x)
{
  json_t *e = json_object(), *m = json_object(), *c = json_object();
  char k[16];
  int i;

  json_object_set_new(x, "counts", json_pack(
    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
    "requests", (json_int_t)u->requests, "ok", (json_int_t)u->nok,
    "failed", (json_int_t)(u->requests - (long)u->nok),
    "bytes_body", (json_int_t)u->bytes_body,
    "bytes_headers", (json_int_t)u->bytes_head,
    "connections", (json_int_t)u->connections,
    "handshakes", (json_int_t)u->handshakes,
    "resumed", (json_int_t)u->resumed));
  for(i = 0; i < PE_COUNT; i++) {
    json_object_set_new(e, pr_error_names[i], json_integer(u->errors[i]));
    if(u->errmsg[i][0])
      json_object_set_new(m, pr_error_names[i], json_string(u->errmsg[i]));
  }
  json_object_set_new(x, "errors", e);
  json_object_set_new(x, "error_messages", m);
  for(i = 0; i < u->ncodes; i++) {
    snprintf(k, sizeof(k), "%ld", u->codes[i][0]);
    json_object_set_new(c, k, json_integer(u->codes[i][1]));
  }
  json_object_set_new(x, "status_codes", c);
  json_object_set_new(x, "http_version", u->http_version
                      ? json_string(u->http_version) : json_null());
  json_object_set_new(x, "tls", u->tls.have ? json_pack("{s:s,s:s,s:s}",
    "version", u->tls.version, "cipher", u->tls.cipher,
    "group", u->tls.group) : json_null());
}

static void pr_results(json_t *rep, const pr_opts *o, const pr_url *u,
                       const char *unsupported)
{
  json_t *x = json_object();
  char name[4200];
  int i;

  pr_extras(u, x);
  for(i = 0; i < PP_COUNT; i++) {
    json_t *res, *v, *arr;
    const char *k;
    size_t j;

    if(i == PP_TLS && !u->https)
      continue;
    snprintf(name, sizeof(name), "%s/%s", u->url, pr_phase_names[i]);
    res = hb_report_add_result(rep, "probe", name, "curl", "us");
    json_object_set_new(res, "params", pr_params(o, u, i));
    if(unsupported)
      hb_result_set_status(res, HB_UNSUPPORTED, unsupported);
    else if(u->have_sum[i]) {
      /* as hb_result_set_samples, with the statistics already known */
      arr = json_array();
      for(j = 0; j < u->nok; j++)
        json_array_append_new(arr, hb_json_num(u->ph[i][j]));
      json_object_set_new(res, "samples", arr);
      json_object_set_new(res, "stats", hb_stats_json(&u->sum[i].st));
      hb_result_set_status(res, HB_OK, NULL);
      json_object_set_new(res, "percentiles", json_pack("{s:o,s:o}",
        "p90", hb_json_num(u->sum[i].p90),
        "p99", hb_json_num(u->sum[i].p99)));
    }
    else if(u->first_err >= 0) {
      char why[sizeof(u->errmsg[0]) + 100];
      snprintf(why, sizeof(why), "%s: %s (%ld of %ld requests)",
               pr_error_names[u->first_err], u->errmsg[u->first_err],
               u->errors[u->first_err], u->requests);
      hb_result_set_status(res, HB_ERROR, why);
    }
    else
      hb_result_set_status(res, HB_ERROR, "no request completed");
    json_object_foreach(x, k, v)
      json_object_set(res, k, v);
  }
  json_decref(x);
}

static void pr_url_free(pr_url *u)
{
  int i;

  for(i = 0; i < PP_COUNT; i++)
    free(u->ph[i]);
  if(u->h)
    curl_easy_cleanup(u->h);
}

int cu_probe_main(int argc, char **argv)
{
  pr_opts o;
  pr_url *u = NULL;
  json_t *rep = NULL;
  char unsup[200] = "", why[400];
  hb_err err = { "" };
  size_t j;
  int i, k, rc = 1, interrupted = 0, dead = 0;

  /* whole lines (hb_main): the table shares a pipe or log with stderr */
  memset(&o, 0, sizeof(o));
  o.n = 20;
  o.c.timeout = 10;
  o.resolve = json_array();
  pr_parse(argc, argv, &o);
  for(j = 0; j < json_array_size(o.resolve); j++) {
    struct curl_slist *l = curl_slist_append(o.c.resolve,
      json_string_value(json_array_get(o.resolve, j)));
    if(!l)
      goto out;
    o.c.resolve = l;
  }
  u = calloc((size_t)o.nurls, sizeof(*u));
  if(!u)
    goto out;
  if((o.http == 2 || o.http == 3) && !cu_has_http2()) {
    snprintf(unsup, sizeof(unsup), "this libcurl (%s) was built without "
             "HTTP/2", cu_libcurl_version());
    fprintf(stderr, "httpsbench probe: --http2: %s\n", unsup);
  }
  rep = hb_report_new(argc, argv);
  hb_report_add_backend(rep, "curl", cu_tls_library());
  for(i = 0; i < o.nurls && !interrupted; i++) {
    pr_url *v = &u[i];

    v->url = o.urls[i];
    v->first_err = -1;
    cu_url_check(v->url, &v->https, why, sizeof(why)); /* checked */
    for(k = 0; k < PP_COUNT; k++) {
      v->ph[k] = calloc((size_t)o.n, sizeof(double));
      if(!v->ph[k])
        goto out;
    }
    if(unsup[0]) {
      pr_results(rep, &o, v, unsup);
      continue;
    }
    if(pr_run_url(&o, v))
      goto out;
    interrupted = v->interrupted;
    if(!v->nok && !interrupted && v->requests) {
      /* given up: its results say why (status error, the failures by
       * kind with curl's messages); the other URLs still run */
      fprintf(stderr, "httpsbench probe: %s: %s %ld requests failed: "
              "%s: %s\n", v->url, v->requests < o.n ? "the first" : "all",
              v->requests, pr_error_names[v->first_err],
              v->errmsg[v->first_err]);
      dead = 1;
    }
    if(v->requests) {
      for(k = 0; k < PP_COUNT; k++)
        v->have_sum[k] = (k != PP_TLS || v->https) &&
                         pr_summary(v->ph[k], v->nok, &v->sum[k]) == 0;
      pr_print(&o, v);
      pr_results(rep, &o, v, NULL);
    }
  }
  rc = interrupted ? HB_EXIT_INTERRUPTED : dead ? 1 : 0;
  if(o.json && hb_report_write(rep, o.json, interrupted, &err) != HB_OK) {
    fprintf(stderr, "httpsbench probe: %s\n", err.msg);
    rc = 1;
  }
out:
  for(i = 0; u && i < o.nurls; i++)
    pr_url_free(&u[i]);
  free(u);
  json_decref(rep);
  json_decref(o.resolve);
  curl_slist_free_all(o.c.resolve);
  return rc;
}
