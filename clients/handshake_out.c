/* What a handshake run shows: the table on the terminal, the failures and
 * warnings on stderr, and one report result per phase. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake.h"
#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/report.h"
#include "hb/stats.h"

static void ho_achieved_line(const hs_opts *o, const hs_run *run)
{
  char ver[16];

  printf("achieved: ");
  if(o->plain)
    printf("plain TCP");
  else
    printf("%s %s, group %s%s",
           hs_version_name(run->first.version, ver, sizeof(ver)),
           run->first.cipher[0] ? run->first.cipher : "(unknown cipher)",
           run->first.group[0] ? run->first.group : "not reported",
           run->varied ? " (varied across connections)" : "");
  if(o->alpn)
    printf("; ALPN %s, first request %s", run->alpn[0] ? run->alpn
           : "none", run->proto);
  if(o->resume || run->resumed)
    printf("; resumed %ld of %ld offered", run->resumed, run->offered);
  if(o->early_data)
    printf("; early data accepted %ld of %ld sent", run->early_accepted,
           run->early_sent);
  printf("; client CPU %.1f us per connection\n",
         run->cpu_s * 1e6 / (double)run->nok);
}

int hs_stats(const double *samples, size_t n, hb_stats *st, size_t *batches)
{
  /* back-to-back connections share the machine's state (caches, clock
   * frequency, the server's allocator): they are not independent units,
   * consecutive batches of them nearly are */
  return hb_stats_batches(samples, n, HS_BATCHES, st, batches);
}

static void ho_table(const hs_run *run)
{
  hb_stats st;
  char lvl[16];
  size_t k = 0;
  int p;

  printf("%-14s %10s  %21s %6s %10s %10s %10s\n", "phase (us)", "median",
         "CI of median", "level", "p90", "p99", "max");
  for(p = 0; p < HS_NPHASE; p++) {
    if(hs_stats(run->samples[p], run->nok, &st, &k))
      continue;
    hb_fmt_level(st.ci_level, lvl, sizeof(lvl));
    printf("%-14s %10.1f  [%9.1f, %9.1f] %6s %10.1f %10.1f %10.1f\n",
           hs_phase_names[p], st.median, st.ci_low, st.ci_high, lvl,
           hb_hdr_value_at_percentile(run->hdr[p], 90) / 1e3,
           hb_hdr_value_at_percentile(run->hdr[p], 99) / 1e3,
           hb_hdr_max(run->hdr[p]) / 1e3);
  }
  printf("total = the sum of the phases per connection; CI over the "
         "medians of %zu batches of consecutive connections\n", k);
}

static void ho_trace(const hs_run *run)
{
  const char *why = json_string_value(json_object_get(run->trace,
                                                      "reason"));

  if(run->traced)
    hs_trace_print(run->tr, &run->tconn);
  else if(why)
    printf("trace: not available: %s\n", why);
}

int hs_print(const hs_opts *o, const hs_run *run)
{
  int c;

  if(run->status == HB_UNSUPPORTED) {
    printf("handshake %s: unsupported: %s\n", o->label, run->err.msg);
    return 0;
  }
  if(run->status != HB_OK) {
    fprintf(stderr, "handshake: %s\n", run->err.msg);
    return 1;
  }
  printf("handshake %s %s -> %s: %zu of %ld connections ok "
         "(after %ld warm-up)%s\n", run->backend, o->label, o->target,
         run->nok, run->attempted, o->warmup,
         run->interrupted ? ", interrupted" : "");
  if(run->nok) {
    ho_table(run);
    ho_achieved_line(o, run);
  }
  for(c = 0; c < HS_NFAIL; c++)
    if(run->fails[c])
      fprintf(stderr, "handshake: %s: %s (%ld of %ld)\n", hs_fail_names[c],
              run->why[c], run->fails[c], run->attempted);
  if(run->resumed < run->offered)
    fprintf(stderr, "handshake: warning: only %ld of %ld offered sessions "
            "resumed; the rest fell back to full handshakes\n",
            run->resumed, run->offered);
  if(o->early_data && run->early_accepted < run->early_sent)
    fprintf(stderr, "handshake: warning: the server took the early data "
            "of only %ld of %ld connections; the rest sent the request "
            "again after the handshake\n", run->early_accepted,
            run->early_sent);
  if(o->early_data && run->resumed_no_early)
    fprintf(stderr, "handshake: warning: %ld resumed connections sent no "
            "early data (their tickets did not allow it)\n",
            run->resumed_no_early);
  if(o->resume && run->offered < (long)run->nok)
    fprintf(stderr, "handshake: warning: %ld of %zu connections had no "
            "session to offer (the server gave none resumable)\n",
            (long)run->nok - run->offered, run->nok);
  if(run->nok && json_object_get(run->trace, "error"))
    fprintf(stderr, "handshake: warning: the traced connection failed: "
            "%s\n", json_string_value(json_object_get(run->trace,
                                                      "error")));
  if(o->trace)
    ho_trace(run);
  return run->nok ? 0 : 1;
}

static json_t *ho_str(const char *s)
{
  return s && *s ? json_string(s) : json_null();
}

static json_t *ho_params(const hs_opts *o, const hs_run *run)
{
  json_t *p = json_object();

  json_object_set_new(p, "tls_version", o->plain ? json_null() :
                      json_string(o->version == HB_TLS_1_3 ? "1.3"
                                                           : "1.2"));
  json_object_set_new(p, "resume", json_string(o->resume == HS_RESUME_ID
                      ? "id" : o->resume == HS_RESUME_TICKET ? "ticket"
                      : "none"));
  json_object_set_new(p, "group", ho_str(o->group));
  json_object_set_new(p, "cert_type", ho_str(o->cert_type));
  json_object_set_new(p, "rsa_kx", json_boolean(o->rsa_kx));
  json_object_set_new(p, "early_data", json_boolean(o->early_data));
  json_object_set_new(p, "mutual_tls", json_boolean(o->client_cert));
  json_object_set_new(p, "connections", json_integer(o->count));
  json_object_set_new(p, "warmup", json_integer(o->warmup));
  json_object_set_new(p, "verify", json_string(o->plain ? "none" :
                      o->insecure ? "insecure" : "chain"));
  json_object_set_new(p, "cacert", ho_str(o->plain ? NULL
                                          : run->cacert));
  json_object_set_new(p, "sni", ho_str(o->plain ? NULL : o->sni));
  json_object_set_new(p, "backend", json_string(run->backend));
  json_object_set_new(p, "engine", json_string(hb_linked_backend.name));
  json_object_set_new(p, "server", json_string(o->target));
  json_object_set_new(p, "path", json_string(o->path));
  json_object_set_new(p, "alpn", ho_str(o->alpn));
  json_object_set_new(p, "timeout_s", json_real(o->timeout));
  json_object_set_new(p, "gap_ms", json_real(o->gap_ms));
  /* the common start of clients on several hosts (remote_hs.c) */
  json_object_set_new(p, "start_at_ns", o->start_at > 0
                      ? json_integer((json_int_t)(o->start_at * 1e9))
                      : json_null());
  json_object_set_new(p, "started_at_ns", o->started_at > 0
                      ? json_integer((json_int_t)(o->started_at * 1e9))
                      : json_null());
  return p;
}

static json_t *ho_achieved(const hs_opts *o, const hs_run *run)
{
  json_t *a = json_object();
  char ver[16];
  int tls = run->nok && !o->plain;

  json_object_set_new(a, "version", tls ? json_string(hs_version_name(
                      run->first.version, ver, sizeof(ver))) : json_null());
  json_object_set_new(a, "cipher", tls ? ho_str(run->first.cipher)
                                       : json_null());
  json_object_set_new(a, "group", tls ? ho_str(run->first.group)
                                      : json_null());
  /* ALPN as the TLS library reports it (null: none negotiated), and the
   * protocol of the first request */
  json_object_set_new(a, "alpn", tls ? ho_str(run->alpn) : json_null());
  json_object_set_new(a, "protocol", run->nok ? ho_str(run->proto)
                                              : json_null());
  json_object_set_new(a, "resumed", json_integer(run->resumed));
  json_object_set_new(a, "offered", json_integer(run->offered));
  if(o->early_data) {
    json_object_set_new(a, "early_data_sent",
                        json_integer(run->early_sent));
    json_object_set_new(a, "early_data_accepted",
                        json_integer(run->early_accepted));
  }
  json_object_set_new(a, "connections_ok", json_integer((json_int_t)
                                                        run->nok));
  json_object_set_new(a, "varied", json_boolean(run->varied));
  return a;
}

static json_t *ho_errors(const hs_run *run, int reasons)
{
  json_t *e = json_object();
  int c;

  for(c = 0; c < HS_NFAIL; c++) {
    if(reasons && run->fails[c])
      json_object_set_new(e, hs_fail_names[c], json_string(run->why[c]));
    else if(!reasons)
      json_object_set_new(e, hs_fail_names[c],
                          json_integer(run->fails[c]));
  }
  return e;
}

void hs_results(const hs_opts *o, const hs_run *run, json_t *report)
{
  const char *backend = run->backend ? run->backend
                                     : hb_linked_backend.name;
  const hb_crypto_ops *C = hb_linked_backend.crypto;
  char name[256], why[700];
  json_t *res, *h;
  int p;

  hb_report_add_backend(report, backend, !strcmp(backend, "plain")
                        ? "kernel TCP" : C ? C->version() : "unknown");
  for(p = 0; p < HS_NPHASE; p++) {
    snprintf(name, sizeof(name), "%s/%s", o->label, hs_phase_names[p]);
    res = hb_report_add_result(report, "handshake", name, backend, "us");
    json_object_set_new(res, "params", ho_params(o, run));
    if(run->status != HB_OK) {
      hb_result_set_status(res, run->status, run->err.msg);
      continue;
    }
    if(run->nok) {
      hb_stats st;
      size_t k;

      /* every raw sample, in connection order; the CI over batches */
      hb_result_set_samples(res, run->samples[p], run->nok);
      if(!hs_stats(run->samples[p], run->nok, &st, &k))
        json_object_set_new(res, "stats", hb_stats_json_batches(&st, k));
      hb_result_set_status(res, HB_OK, NULL);
    }
    else {
      hs_failure(run, why, sizeof(why));
      hb_result_set_status(res, HB_ERROR, why);
    }
    h = run->nok ? hb_hdr_json(run->hdr[p]) : NULL;
    json_object_set_new(res, "histogram", h ? h : json_null());
    json_object_set_new(res, "achieved", ho_achieved(o, run));
    /* what this engine did, so that no reader has to assume it */
    json_object_set_new(res, "engine_connections", json_pack(
      "{s:I, s:I, s:I}", "warmup", (json_int_t)run->warmed, "measured",
      (json_int_t)run->attempted, "traced", (json_int_t)run->trace_made));
    json_object_set_new(res, "errors", ho_errors(run, 0));
    json_object_set_new(res, "error_reasons", ho_errors(run, 1));
    json_object_set_new(res, "client_cpu_us_per_handshake", run->nok ?
                        hb_json_num(run->cpu_s * 1e6 / (double)run->nok)
                        : json_null());
    if(p == HS_TLS)
      json_object_set_new(res, "trace", run->trace ?
                          json_incref(run->trace) : json_null());
  }
}
