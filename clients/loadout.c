/* The load generator's outcome: a wrk-like summary on the terminal and
 * the JSON report (suite "load", one result "requests"); what libcurl's
 * load generator shares with it is in lib/core/loadstats.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hb/backend.h"
#include "hb/cli.h"
#include "hb/report.h"
#include "load.h"

void ld_print_summary(const ld_shared *sh, const ld_result *r,
                      char warnings[][300], int nwarn)
{
  const ld_opts *o = sh->o;
  const ld_stats *st = &r->st;

  hb_load_print_start(o->rate > 0, o->close, o->requests, o->duration,
                      o->warmup, o->url_text);
  if(o->pipeline > 1)
    printf("pipeline %ld, ", o->pipeline);
  if(o->http2)
    printf("HTTP/2 %s, %ld stream%s per connection, ", st->protocol[0]
           ? st->protocol : "(not negotiated)", o->streams,
           o->streams > 1 ? "s" : "");
  printf("%ld thread%s, %ld connection%s, %s", o->threads,
         o->threads > 1 ? "s" : "", o->conns, o->conns > 1 ? "s" : "",
         sh->ops->name);
  if(o->rate > 0)
    printf(", target %.1f requests/s", o->rate);
  printf("\n");
  hb_load_print(st, &r->run, o->latency, warnings, nwarn);
  if(!st->ok && !r->run.interrupted && !r->gave_up) /* else main says why */
    fprintf(stderr, "httpsbench-%s load: no request succeeded: %s\n",
            hb_linked_backend.name, hb_load_first_error(st));
}

static json_t *out_params(const ld_shared *sh, const char *backend)
{
  const ld_opts *o = sh->o;
  json_t *p = json_object(), *hdrs = json_array();
  int i;

  json_object_set_new(p, "url", json_string(o->url_text));
  json_object_set_new(p, "backend", json_string(backend));
  json_object_set_new(p, "connections", json_integer(o->conns));
  json_object_set_new(p, "threads", json_integer(o->threads));
  if(o->requests)
    json_object_set_new(p, "requests", json_integer(o->requests));
  else
    json_object_set_new(p, "duration_s", json_real(o->duration));
  json_object_set_new(p, "warmup_s", json_real(o->warmup));
  json_object_set_new(p, "pipeline", json_integer(o->pipeline));
  json_object_set_new(p, "http2", json_boolean(o->http2));
  json_object_set_new(p, "streams", json_integer(o->http2 ? o->streams
                                                           : 1));
  json_object_set_new(p, "burn_us", json_integer(o->burn_us));
  json_object_set_new(p, "busy_poll_us", json_integer(o->busy_poll_us));
  json_object_set_new(p, "nap_us", json_integer(o->nap_us));
  /* cfg.hold_finished, asked and done by the library: the client's
   * Finished waits for the request where it ends the handshake (TLS 1.3,
   * resumed TLS 1.2; not a full TLS 1.2 one, where the server's comes
   * last) */
  json_object_set_new(p, "hold_finished", json_boolean(
                      sh->tls && !o->finished_alone &&
                      (sh->ops->supports & HB_TLS_SUP_HOLD_FINISHED)));
  json_object_set_new(p, "model", json_string(o->rate > 0 ? "open"
                                                           : "closed"));
  json_object_set_new(p, "target_rate", hb_json_num(o->rate > 0 ? o->rate
                                                    : NAN));
  json_object_set_new(p, "close", json_boolean(o->close));
  json_object_set_new(p, "tls_version", o->tls_version == HB_TLS_1_2
                      ? json_string("1.2") : o->tls_version == HB_TLS_1_3
                      ? json_string("1.3") : json_null());
  json_object_set_new(p, "cipher", o->cipher && sh->tls
                      ? json_string(o->cipher) : json_null());
  /* Unix times in whole ns: reports keep 10 significant digits of reals */
  json_object_set_new(p, "start_at_ns", o->start_at > 0
                      ? json_integer((json_int_t)(o->start_at * 1e9))
                      : json_null());
  json_object_set_new(p, "started_at_ns",
                      json_integer((json_int_t)(o->started_at * 1e9)));
  json_object_set_new(p, "resume", json_boolean(o->resume));
  json_object_set_new(p, "insecure", json_boolean(o->insecure));
  json_object_set_new(p, "mutual_tls", json_boolean(o->client_cert));
  json_object_set_new(p, "timeout_s", json_real(o->timeout));
  for(i = 0; i < o->nheaders; i++)
    json_array_append_new(hdrs, json_string(o->headers[i]));
  json_object_set_new(p, "headers", hdrs);
  return p;
}

int ld_write_report(int argc, char **argv, const ld_shared *sh,
                    const ld_result *r, char warnings[][300], int nwarn)
{
  const char *backend = sh->tls ? hb_linked_backend.name : "plain";
  json_t *rep = hb_report_new(argc, argv);
  hb_err err = { "" };
  json_t *res;
  int rc;

  if(sh->tls)
    hb_report_add_backend(rep, backend, hb_linked_backend.crypto
                          ? hb_linked_backend.crypto->version()
                          : hb_linked_backend.library);
  else
    hb_report_add_backend(rep, "plain", "kernel TCP");
  res = hb_load_result(rep, backend, out_params(sh, backend), &r->st,
                       &r->run, warnings, nwarn);
  if(sh->o->http2) { /* streams per connection: asked, allowed, used */
    long used = sh->o->streams;

    if(r->st.peer_streams && r->st.peer_streams < (uint32_t)used)
      used = (long)r->st.peer_streams;
    json_object_set_new(res, "http2", json_pack("{s:I,s:o,s:I}",
      "streams_asked", (json_int_t)sh->o->streams,
      "server_max_streams", r->st.peer_streams
      ? json_integer((json_int_t)r->st.peer_streams) : json_null(),
      "streams_per_connection", (json_int_t)used));
  }
  rc = hb_report_write(rep, sh->o->json, r->run.interrupted, &err);
  json_decref(rep);
  if(rc != HB_OK)
    fprintf(stderr, "httpsbench-%s load: %s\n", hb_linked_backend.name,
            err.msg);
  return rc != HB_OK;
}
