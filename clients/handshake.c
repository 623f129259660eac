/* `httpsbench-<backend> handshake HOST:PORT`: the cost of setting up an
 * HTTPS connection, phase by phase (set-up, TCP connect, TLS handshake,
 * first request, close), one connection at a time through the linked backend's
 * TLS table, or plain TCP (--plain) as the baseline; then one traced
 * connection for the anatomy of the handshake. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handshake.h"
#include "hb/backend.h"
#include "hb/certs.h"
#include "hb/cli.h"
#include "hb/clock.h"
#include "hb/hdr.h"
#include "hb/opts.h"
#include "hb/report.h"
#include "hb/sig.h"
#include "hb/stats.h"
#include "hb/suites.h"
#include "hb/tls_groups.h"
#include "hb/tls_layer.h"

#define CMD "handshake"

const char *const hs_phase_names[HS_NPHASE] = {
  "setup", "tcp_connect", "tls_handshake", "first_request", "close",
  "total"
};
const char *const hs_fail_names[HS_NFAIL] = {
  "connect", "tls", "read", "write", "timeout", "status", "reset"
};

static const char *const hsm_resume_names[] = { "none", "id", "ticket" };

/* "host:port", "[v6]:port" -> o->host, o->port. */
static int hsm_split(const char *t, hs_opts *o)
{
  const char *host, *port;
  size_t hlen, plen;
  long p;

  if(hb_hostport_split(t, strlen(t), &host, &hlen, &port, &plen) ||
     !hlen || hlen >= sizeof(o->host) || !port ||
     hb_parse_port(port, plen, 1, &p))
    return -1;
  memcpy(o->host, host, hlen);
  o->host[hlen] = '\0';
  snprintf(o->port, sizeof(o->port), "%ld", p);
  return 0;
}

static void hsm_readable(const char *opt, const char *file)
{
  if(access(file, R_OK))
    hb_usage_fail(CMD, "%s: cannot read '%s'", opt, file);
}

static void hsm_parse(int argc, char **argv, hs_opts *o)
{
  static char head[512];
  /* --tls and --resume stay strings, checked below after HOST:PORT
   * and --plain: a line with several faults names the same one */
  const char *tls = NULL, *resume = "none";
  hb_err err = { "" };
  int first, i;
  const hb_opt opts[] = {
    { NULL, 'n', HB_OPT_INT, &o->count, "COUNT",
      "measured connections (default 100)", 1, 1000000, NULL, NULL,
      "a count 1..1000000" },
    { "warmup", 0, HB_OPT_INT, &o->warmup, "N",
      "connections before measuring (default 5)", 0, 100000, NULL, NULL,
      "a count 0..100000" },
    { "tls", 0, HB_OPT_STRING, &tls, "1.2|1.3",
      "protocol version (required unless --plain)", 0, 0, NULL, NULL,
      NULL },
    { "plain", 0, HB_OPT_FLAG, &o->plain, NULL,
      "TCP only, no TLS: the baseline", 0, 0, NULL, NULL, NULL },
    { "group", 0, HB_OPT_STRING, &o->group, "G[:G...]",
      "x25519, p256, p384, p521, x448,\nffdhe2048..8192, x25519mlkem768, "
      "... (or an\nalias: secp256r1, P-256, ...); a colon list\nis offered "
      "in that order (a hybrid and a\nclassical fallback)", 0, 0, NULL,
      NULL, NULL },
    { "rsa-kx", 0, HB_OPT_FLAG, &o->rsa_kx, NULL,
      "TLS 1.2 RSA key transport suites only", 0, 0, NULL, NULL, NULL },
    { "resume", 0, HB_OPT_STRING, &resume, "MODE",
      "none (default), id (TLS 1.2 session ID) or\nticket (TLS 1.2 ticket "
      "/ TLS 1.3 PSK); each\nconnection offers the previous one's session",
      0, 0, NULL, NULL, NULL },
    { "early-data", 0, HB_OPT_FLAG, &o->early_data, NULL,
      "TLS 1.3 with --resume ticket: send the\nrequest as 0-RTT early data "
      "with the\nClientHello; the report counts how much the\nserver "
      "accepted", 0, 0, NULL, NULL, NULL },
    { "cacert", 0, HB_OPT_STRING, &o->cacert, "FILE",
      "trust anchor (verify chain and host name);\ndefault: the suite's "
      "root of --cert-type,\nelse the library's default store", 0, 0, NULL,
      NULL, NULL },
    { "insecure", 0, HB_OPT_FLAG, &o->insecure, NULL,
      "do not verify the server's certificate", 0, 0, NULL, NULL, NULL },
    { "sni", 0, HB_OPT_STRING, &o->sni, "NAME",
      "server name to send and verify (default:\nHOST)", 0, 0, NULL, NULL,
      NULL },
    { "client-cert", 0, HB_OPT_STRING, &o->client_cert, "FILE",
      "mutual TLS: our certificate (with\n--client-key)", 0, 0, NULL, NULL,
      NULL },
    { "client-key", 0, HB_OPT_STRING, &o->client_key, "FILE",
      "mutual TLS: its private key", 0, 0, NULL, NULL, NULL },
    { "path", 0, HB_OPT_STRING, &o->path, "PATH",
      "request path (default /bytes/0)", 0, 0, NULL, NULL, NULL },
    { "alpn", 0, HB_OPT_STRING, &o->alpn, "LIST",
      "offer these ALPN protocols in this order\n(h2, http/1.1); the first "
      "request is HTTP/2\nwhen the server selects h2; the result is in\nthe "
      "report (achieved.alpn). With --plain\nthere is no ALPN: h2 first "
      "means h2c (prior\nknowledge)", 0, 0, NULL, NULL, NULL },
    { "cert-type", 0, HB_OPT_STRING, &o->cert_type, "TYPE",
      "the server's certificate type, for the\nrecord", 0, 0, NULL, NULL,
      NULL },
    { "label", 0, HB_OPT_STRING, &o->label, "NAME",
      "result names NAME/<phase> (default e.g.\ntls1.3-full, tls1.2-ticket, "
      "tcp)", 0, 0, NULL, NULL, NULL },
    { "json", 0, HB_OPT_STRING, &o->json, "FILE", "write the report", 0, 0,
      NULL, NULL, NULL },
    { "trace", 0, HB_OPT_FLAG, &o->trace, NULL,
      "print the traced handshake", 0, 0, NULL, NULL, NULL },
    { "timeout", 0, HB_OPT_SECONDS, &o->timeout, "S",
      "per connection (default 10)", 0, 3600, NULL, NULL,
      "a number of seconds" },
    { "gap", 0, HB_OPT_SECONDS, &o->gap_ms, "MS",
      "idle time before each connection (warm-up\ntoo), outside every "
      "phase: connections as\nspaced as over a link, caches as cold", 0,
      60000, NULL, NULL, "milliseconds in (0, 60000]" },
    { "start-at", 0, HB_OPT_CALL, &o->start_at, "T",
      "begin (warm-up first) at Unix time T\n(seconds, real clock): one "
      "start for clients\non several hosts (handshake --client-hosts)", 0,
      0, NULL, hb_opt_start_at, "a Unix time in seconds" },
    { "stop-on-eof", 0, HB_OPT_FLAG, &o->stop_on_eof, NULL,
      "stop as on SIGTERM (partial report) when\nstandard input ends (the "
      "coordinator's ssh\nconnection closed)", 0, 0, NULL, NULL, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { CMD, head, NULL, opts };

  memset(o, 0, sizeof(*o));
  o->count = 100;
  o->warmup = 5;
  o->path = "/bytes/0";
  o->timeout = 10;
  o->plain = hb_linked_backend.tls == &hb_plain_tls;
  snprintf(head, sizeof(head),
    "usage: httpsbench-%s handshake HOST:PORT [options]\n"
    "Times set-up (socket and TLS object), TCP connect, TLS handshake,\n"
    "first request and close, one connection at a time (total: their\n"
    "sum), then traces one more handshake. A phase's CI is over the\n"
    "medians of %d consecutive batches of connections.\n",
    hb_linked_backend.name, HS_BATCHES);
  first = hb_opts_parse(&spec, argc, argv);
  if(first >= argc)
    hb_usage_fail(CMD, "HOST:PORT is required");
  if(first + 1 < argc)
    hb_usage_fail(CMD, "unexpected argument '%s'", argv[first + 1]);
  o->target = argv[first];
  if(hsm_split(o->target, o))
    hb_usage_fail(CMD, "'%s' is not HOST:PORT", o->target);

  for(i = 0; i < 3 && strcmp(resume, hsm_resume_names[i]); i++)
    ;
  if(i == 3)
    hb_usage_fail(CMD, "--resume: '%s' is not none, id or ticket", resume);
  o->resume = i;
  if(o->plain) {
    if(tls || o->group || o->rsa_kx || o->resume || o->client_cert ||
       o->client_key || o->early_data)
      hb_usage_fail(CMD, "plain TCP takes no --tls, --group, --rsa-kx, "
                    "--resume, --early-data or --client-cert");
  }
  else if(!tls)
    hb_usage_fail(CMD, "--tls 1.2|1.3 is required (or --plain)");
  else if(!strcmp(tls, "1.2"))
    o->version = HB_TLS_1_2;
  else if(!strcmp(tls, "1.3"))
    o->version = HB_TLS_1_3;
  else
    hb_usage_fail(CMD, "--tls: '%s' is not 1.2 or 1.3", tls);
  if(o->group) {
    static char names[HB_GROUPS_MAX * 24];
    const hb_group *g[HB_GROUPS_MAX];
    hb_err gerr = { "" };
    size_t n, k, used = 0;

    if(hb_groups_parse(o->group, g, HB_GROUPS_MAX, &n, &gerr) != HB_OK)
      hb_usage_fail(CMD, "--group: %s", gerr.msg);
    for(k = 0; k < n; k++) /* ours, as reports print them */
      used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
                               k ? ":" : "", g[k]->name);
    o->group = names;
  }
  if(o->rsa_kx && o->version != HB_TLS_1_2)
    hb_usage_fail(CMD, "--rsa-kx needs --tls 1.2");
  if(o->resume == HS_RESUME_ID && o->version != HB_TLS_1_2)
    hb_usage_fail(CMD, "--resume id needs --tls 1.2 (TLS 1.3 resumes "
                  "with tickets only)");
  if(o->early_data && (o->version != HB_TLS_1_3 ||
                       o->resume != HS_RESUME_TICKET))
    hb_usage_fail(CMD, "--early-data needs --tls 1.3 and --resume ticket "
                  "(0-RTT data rides on a resumed session)");
  if(o->alpn) {
    hb_alpn_list l;
    hb_err e = { "" };
    int k, h2 = 0;

    if(hb_alpn_parse(o->alpn, &l, &e) || !l.n)
      hb_usage_fail(CMD, "--alpn: %s", e.msg[0] ? e.msg : "empty list");
    for(k = 0; k < l.n; k++)
      h2 |= !strcmp(l.names[k], "h2");
    o->h2c = o->plain && !strcmp(l.names[0], "h2");
    if(o->early_data && h2)
      hb_usage_fail(CMD, "--early-data sends an HTTP/1.1 request: not "
                    "with h2 in --alpn");
  }
  if(o->cacert && o->insecure)
    hb_usage_fail(CMD, "--cacert and --insecure exclude each other");
  if(o->cacert)
    hsm_readable("--cacert", o->cacert);
  if(!o->client_cert != !o->client_key)
    hb_usage_fail(CMD, "--client-cert and --client-key go together");
  if(o->client_cert) {
    hsm_readable("--client-cert", o->client_cert);
    hsm_readable("--client-key", o->client_key);
  }
  if(o->path[0] != '/' || strpbrk(o->path, " \r\n\t"))
    hb_usage_fail(CMD, "--path: '%s' is not an absolute path without "
                  "spaces", o->path);
  if(o->cert_type && !hb_cert_type_valid(o->cert_type))
    hb_usage_fail(CMD, "--cert-type: '%s' is not one of %s", o->cert_type,
                  HB_CERT_TYPES);
  if(o->label && (!*o->label || strchr(o->label, '/')))
    hb_usage_fail(CMD, "--label: '%s' must be non-empty without '/'",
                  o->label);
  if(o->sni && !*o->sni)
    hb_usage_fail(CMD, "--sni: empty name");
  if(!o->sni)
    o->sni = o->host;
  if(o->json && hb_report_check_path(o->json, &err) != HB_OK)
    hb_usage_fail(CMD, "--json: %s", err.msg);
}

static void hsm_default_label(const hs_opts *o, char *buf, size_t size)
{
  if(o->plain) {
    snprintf(buf, size, "tcp%s", o->h2c ? "-h2c" : "");
    return;
  }
  snprintf(buf, size, "tls%s-%s%s%s%s%s", o->version == HB_TLS_1_3 ? "1.3"
           : "1.2", o->resume ? hsm_resume_names[o->resume] : "full",
           o->early_data ? "-0rtt" : "", o->rsa_kx ? "-rsakx" : "",
           o->client_cert ? "-mtls" : "", o->alpn ? "-alpn" : "");
}

/* What the backend cannot do is "unsupported", said before trying. */
static int hsm_capable(const hs_opts *o, hs_run *run)
{
  const char *lib = hb_linked_backend.library;
  unsigned sup;

  if(!run->T)
    return hb_err_set(&run->err, HB_UNSUPPORTED, "%s has no TLS "
                      "connection table in this build", lib);
  sup = run->T->supports;
  if(o->plain)
    return HB_OK;
  if(o->version == HB_TLS_1_3 && !(sup & HB_TLS_SUP_TLS13))
    return hb_err_set(&run->err, HB_UNSUPPORTED, "%s: no TLS 1.3", lib);
  if(o->group && !(sup & HB_TLS_SUP_GROUPS))
    return hb_err_set(&run->err, HB_UNSUPPORTED, "%s: no key-exchange "
                      "group selection", lib);
  if(o->rsa_kx && !(sup & HB_TLS_SUP_RSA_KX))
    return hb_err_set(&run->err, HB_UNSUPPORTED, "%s: no RSA key "
                      "transport suites", lib);
  if(o->resume == HS_RESUME_TICKET && !(sup & HB_TLS_SUP_TICKETS))
    return hb_err_set(&run->err, HB_UNSUPPORTED, "%s: no session "
                      "tickets", lib);
  if(o->alpn && !(sup & HB_TLS_SUP_ALPN))
    return hb_err_set(&run->err, HB_UNSUPPORTED, "%s: no ALPN", lib);
  if(o->early_data && !(sup & HB_TLS_SUP_EARLY_DATA))
    return hb_err_set(&run->err, HB_UNSUPPORTED, "%s",
                      hb_tls_early_data_gap(run->T));
  return HB_OK;
}

static int hsm_setup(const hs_opts *o, hs_run *run)
{
  hb_cert_paths cp;
  hb_tls_config *cfg = &run->cfg;
  int p, rc;

  run->T = o->plain ? &hb_plain_tls : hb_linked_backend.tls;
  run->backend = o->plain ? "plain" : hb_linked_backend.name;
  rc = hsm_capable(o, run);
  if(rc)
    return rc;
  if(o->cacert)
    snprintf(run->cacert, sizeof(run->cacert), "%s", o->cacert);
  else if(!o->plain && !o->insecure && o->cert_type) {
    rc = hb_certs_ensure(o->cert_type, &cp, &run->err);
    if(rc)
      return rc;
    snprintf(run->cacert, sizeof(run->cacert), "%s", cp.root);
  }
  cfg->min_version = cfg->max_version = o->version;
  cfg->ca_file = run->cacert[0] ? run->cacert : NULL;
  cfg->verify_peer = !o->insecure;
  cfg->groups = o->group;
  cfg->rsa_kx = o->rsa_kx;
  cfg->cert_file = o->client_cert;
  cfg->key_file = o->client_key;
  cfg->alpn = o->plain ? NULL : o->alpn;
  /* server-side switches; a library may use them to offer only the
   * requested kind of resumption */
  cfg->session_cache = o->resume == HS_RESUME_ID;
  cfg->tickets = o->resume == HS_RESUME_TICKET;
  rc = run->T->ctx_new(cfg, &run->ctx, &run->err);
  if(rc)
    return rc;
  rc = hs_resolve(o, &run->tg, &run->err);
  if(rc)
    return rc;
  for(p = 0; p < HS_NPHASE; p++) {
    run->samples[p] = calloc((size_t)o->count, sizeof(double));
    run->hdr[p] = hb_hdr_new();
    if(!run->samples[p] || !run->hdr[p])
      return hb_err_set(&run->err, HB_ERROR, "out of memory");
  }
  return HB_OK;
}

/* One connection of the chain; returns its hs_connect_once result. */
static int hsm_one(const hs_opts *o, hs_run *run, hs_conn *r)
{
  int rc = hs_connect_once(run->T, run->ctx, &run->tg, o,
                           o->resume ? run->sess : NULL, NULL, r);

  /* a failed connection says nothing of the session: keep offering it;
   * one the server declined to renew is gone */
  if(rc == HS_DONE && o->resume) {
    if(run->sess)
      run->T->session_free(run->sess);
    run->sess = r->next;
    r->next = NULL;
  }
  if(r->next)
    run->T->session_free(r->next);
  r->next = NULL;
  return rc;
}

static void hsm_record(hs_run *run, const hs_conn *r)
{
  int p;

  for(p = 0; p < HS_NPHASE; p++) {
    run->samples[p][run->nok] = (double)r->ns[p] / 1e3;
    hb_hdr_record(run->hdr[p], r->ns[p]);
  }
  if(!run->nok) {
    run->first = r->info;
    memcpy(run->alpn, r->alpn, sizeof(run->alpn));
    memcpy(run->proto, r->proto, sizeof(run->proto));
  }
  else if(r->info.version != run->first.version ||
          strcmp(r->info.cipher, run->first.cipher) ||
          strcmp(r->info.group, run->first.group) ||
          strcmp(r->alpn, run->alpn) || strcmp(r->proto, run->proto))
    run->varied = 1;
  run->offered += r->offered;
  run->resumed += r->offered && r->info.resumed;
  run->early_sent += r->early_sent;
  run->early_accepted += r->early_sent &&
                         r->info.early_data == HB_EARLY_ACCEPTED;
  run->resumed_no_early += r->offered && r->info.resumed && !r->early_sent;
  run->nok++;
}

/* --gap: idle before a connection; 0 when interrupted meanwhile */
static int hsm_gap(const hs_opts *o)
{
  struct timespec ts;

  if(o->gap_ms <= 0)
    return !hb_interrupted();
  ts.tv_sec = (time_t)(o->gap_ms / 1000);
  ts.tv_nsec = (long)((o->gap_ms - 1000.0 * (double)ts.tv_sec) * 1e6);
  while(nanosleep(&ts, &ts) && errno == EINTR && !hb_interrupted())
    ;
  return !hb_interrupted();
}

static void hsm_measure(const hs_opts *o, hs_run *run)
{
  double u0, s0, u1, s1;
  hs_conn r;
  long i;
  int rc;

  for(i = 0; i < o->warmup; i++) {
    if(!hsm_gap(o) || hsm_one(o, run, &r) == HS_STOPPED) {
      run->interrupted = 1;
      return;
    }
    run->warmed++;
  }
  hb_cpu_times(0, &u0, &s0);
  for(i = 0; i < o->count; i++) {
    if(!hsm_gap(o)) {
      run->interrupted = 1;
      break;
    }
    rc = hsm_one(o, run, &r);
    if(rc == HS_STOPPED) {
      run->interrupted = 1;
      break;
    }
    run->attempted++;
    if(rc == HS_DONE) {
      hsm_record(run, &r);
      continue;
    }
    if(!run->fails[r.fail]++)
      snprintf(run->why[r.fail], sizeof(run->why[0]), "%s", r.err.msg);
  }
  hb_cpu_times(0, &u1, &s1);
  run->cpu_s = (u1 - u0) + (s1 - s0);
}

/* {"supported": ok, and why not, or why the traced connection failed} */
static json_t *hsm_trace_why(int supported, const char *why)
{
  return json_pack("{s:b, s:s}", "supported", supported,
                   supported ? "error" : "reason", why);
}

/* One more connection, with the message callback, in its own context so
 * the measured ones ran without it. */
static void hsm_trace(const hs_opts *o, hs_run *run)
{
  hb_tls_config cfg = run->cfg;
  hb_tls_ctx *ctx = NULL;
  hb_err err = { "" };
  hs_conn *r = &run->tconn;
  char why[600];
  int rc;

  if(o->plain) {
    run->trace = hsm_trace_why(0, "plain TCP has no TLS handshake");
    return;
  }
  if(!(run->T->supports & HB_TLS_SUP_TRACE)) {
    snprintf(why, sizeof(why), "%s has no handshake message callback",
             hb_linked_backend.library);
    run->trace = hsm_trace_why(0, why);
    return;
  }
  if(run->interrupted) {
    run->trace = hsm_trace_why(1, "not traced: interrupted");
    return;
  }
  if(!run->nok) {
    /* it would fail as they did, costing one more timeout */
    run->trace = hsm_trace_why(1, "not traced: every measured connection "
                               "failed");
    return;
  }
  run->tr = calloc(1, sizeof(*run->tr));
  if(!run->tr) {
    run->trace = hsm_trace_why(1, "out of memory");
    return;
  }
  cfg.on_msg = hs_trace_msg;
  cfg.msg_arg = run->tr;
  if(run->T->ctx_new(&cfg, &ctx, &err) != HB_OK) {
    run->trace = hsm_trace_why(1, err.msg);
    return;
  }
  run->trace_made = 1;
  rc = hs_connect_once(run->T, ctx, &run->tg, o,
                       o->resume ? run->sess : NULL, run->tr, r);
  if(r->next) {
    run->T->session_free(r->next);
    r->next = NULL;
  }
  if(rc == HS_DONE) {
    run->trace = hs_trace_json(run->tr, r);
    run->traced = 1;
  }
  else if(rc == HS_STOPPED) {
    run->interrupted = 1;
    run->trace = hsm_trace_why(1, "interrupted");
  }
  else {
    snprintf(why, sizeof(why), "%s: %s", hs_fail_names[r->fail],
             r->err.msg);
    run->trace = hsm_trace_why(1, why);
  }
  run->T->ctx_free(ctx);
}

/* The reason the run failed: the commonest category's first reason. */
void hs_failure(const hs_run *run, char *buf, size_t size)
{
  int c, best = -1;

  for(c = 0; c < HS_NFAIL; c++)
    if(run->fails[c] && (best < 0 || run->fails[c] > run->fails[best]))
      best = c;
  if(best < 0)
    snprintf(buf, size, "%s", run->interrupted ? "interrupted before "
             "any connection completed" : "no connection completed");
  else
    snprintf(buf, size, "%s: %s (%ld of %ld)", hs_fail_names[best],
             run->why[best], run->fails[best], run->attempted);
}

int hb_handshake_main(int argc, char **argv)
{
  hs_opts o;
  hs_run run;
  char label[128];
  json_t *report;
  hb_err err = { "" };
  int p, rc, code;

  hsm_parse(argc, argv, &o);
  memset(&run, 0, sizeof(run));
  if(!o.label) {
    hsm_default_label(&o, label, sizeof(label));
    o.label = label;
  }
  report = hb_report_new(argc, argv);
  run.status = hsm_setup(&o, &run);
  if(run.status == HB_OK &&
     ((o.stop_on_eof && hb_stop_on_eof(run.err.msg, sizeof(run.err.msg))) ||
      hb_start_at(o.start_at, &o.started_at, run.err.msg,
                  sizeof(run.err.msg))))
    run.status = HB_ERROR;
  if(run.status == HB_OK) {
    hsm_measure(&o, &run);
    hsm_trace(&o, &run);
  }
  if(hb_interrupted())
    run.interrupted = 1;
  code = hs_print(&o, &run);
  hs_results(&o, &run, report);
  if(o.json) {
    rc = hb_report_write(report, o.json, run.interrupted, &err);
    if(rc != HB_OK) {
      fprintf(stderr, "httpsbench-%s: %s\n", hb_linked_backend.name,
              err.msg);
      code = 1;
    }
  }
  json_decref(report);
  json_decref(run.trace);
  free(run.tr);
  if(run.sess)
    run.T->session_free(run.sess);
  if(run.ctx)
    run.T->ctx_free(run.ctx);
  for(p = 0; p < HS_NPHASE; p++) {
    free(run.samples[p]);
    hb_hdr_free(run.hdr[p]);
  }
  if(run.interrupted)
    return HB_EXIT_INTERRUPTED;
  return code;
}
