/* HTTP/2 on one connection (RFC 9113), through an nghttp2 server session:
 * framing, HPACK and flow control are nghttp2's; what is ours is the
 * I/O through the connection's hb_tls_ops table, the requests routed by
 * respond.c's srv_route (the same resources and statuses as HTTP/1.1),
 * and the limits.
 *
 * A connection becomes HTTP/2 when ALPN chose "h2" (TLS) or, on plain
 * TCP with --h2c, when its first bytes are the client preface (prior
 * knowledge). From then on conn.c hands every event here (ST_H2).
 *
 * Output: nghttp2_session_mem_send's pieces are gathered into one
 * SRV_OBUF buffer (one TLS record carries many small frames); a piece
 * larger than the room left is written from nghttp2's memory, which
 * stays valid until the next mem_send, so nothing is copied twice.
 * Response bodies are produced only when the peer's flow-control window
 * and our socket take them: memory per connection is bounded by the
 * stream limit, not by what the peer asks for.
 *
 * Limits (each refusal counted in srv_err):
 * - header list over --h2-max-header-list: 431, the rest of the block
 *   decoded (HPACK state) and dropped;
 * - more than 8 CONTINUATION frames after a HEADERS (nghttp2's
 *   max_continuations), SETTINGS/PING answered faster than the peer
 *   reads them (max_outbound_ack 1000), or more than SRV_H2_CTRL_BURST
 *   SETTINGS+PING frames then SRV_H2_CTRL_RATE per second: GOAWAY
 *   ENHANCE_YOUR_CALM;
 * - RST_STREAM over SRV_H2_RST_BURST then SRV_H2_RST_RATE per second
 *   (rapid reset): GOAWAY ENHANCE_YOUR_CALM (nghttp2's own limiter, at
 *   twice that, is a backstop);
 * - bad frames (stream 0 where not allowed, bad sizes, bad preface):
 *   nghttp2's GOAWAY PROTOCOL_ERROR (or FRAME_SIZE_ERROR, ...). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "hb/clock.h"
#include "server.h"

#define H2_READ 16384          /* bytes per read from the transport */
#define H2_ROUNDS 16           /* reads per event before others' turn */

typedef struct h2_stream {
  struct h2_stream *prev, *next; /* the session's open streams */
  int32_t id;
  char method[8];
  size_t method_len;
  char *path;                  /* malloc'd, path_len bytes */
  size_t path_len;
  size_t hdr_bytes;            /* header list size (RFC 9113 6.5.2) */
  int too_large;               /* over the limit: answer 431 */
  int answered;
  srv_resp r;
  char clen[24];               /* content-length value */
} h2_stream;

struct srv_h2 {
  nghttp2_session *sess;
  srv_conn *c;
  char *obuf;                  /* gathered output, SRV_OBUF bytes,
                                  borrowed from the worker's pool while
                                  there is output (idle: none held) */
  size_t olen, ooff;
  h2_stream *streams;          /* open ones: nghttp2_session_del does
                                  not report them closed */
  const uint8_t *spill;        /* a piece that did not fit */
  size_t spill_len;
  double ctrl_tokens;          /* SETTINGS+PING bucket */
  uint64_t ctrl_t;             /* its last refill, ns */
  double rst_tokens;           /* RST_STREAM bucket */
  uint64_t rst_t;
  int rst_seen;                /* RST_STREAM frames received */
  int refused;                 /* we ended it (a flood, an error) */
};

static void h2_count(srv_conn *c, srv_err e, const char *detail)
{
  srv_count(c->w, e, detail);
}

/* ---- nghttp2 callbacks ---- */

static int h2_on_begin_headers(nghttp2_session *sess,
                               const nghttp2_frame *frame, void *ud)
{
  srv_h2 *h = ud;
  h2_stream *st;

  if(frame->hd.type != NGHTTP2_HEADERS ||
     frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0;
  st = calloc(1, sizeof(*st));
  if(!st) {
    h2_count(h->c, SRV_ERR_OOM, "HTTP/2 stream");
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
  }
  st->id = frame->hd.stream_id;
  st->r.file = -1;
  st->next = h->streams;
  if(h->streams)
    h->streams->prev = st;
  h->streams = st;
  nghttp2_session_set_stream_user_data(sess, st->id, st);
  SRV_ADD(h->c->w->h2_streams, 1);
  return 0;
}

static int h2_on_header(nghttp2_session *sess, const nghttp2_frame *frame,
                        const uint8_t *name, size_t namelen,
                        const uint8_t *value, size_t valuelen,
                        uint8_t flags, void *ud)
{
  srv_h2 *h = ud;
  h2_stream *st;

  (void)flags;
  if(frame->hd.type != NGHTTP2_HEADERS ||
     frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0;
  st = nghttp2_session_get_stream_user_data(sess, frame->hd.stream_id);
  if(!st || st->too_large)
    return 0;
  st->hdr_bytes += namelen + valuelen + 32;
  if(st->hdr_bytes > h->c->w->s->h2.max_header_list) {
    st->too_large = 1;
    free(st->path);
    st->path = NULL;
    return 0;
  }
  if(namelen == 7 && !memcmp(name, ":method", 7)) {
    if(valuelen < sizeof(st->method)) {
      memcpy(st->method, value, valuelen);
      st->method_len = valuelen;
    }
    else {
      memcpy(st->method, "UNKNOWN", 7); /* routed to 405 */
      st->method_len = 7;
    }
  }
  else if(namelen == 5 && !memcmp(name, ":path", 5) && !st->path) {
    st->path = malloc(valuelen + 1);
    if(!st->path)
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    memcpy(st->path, value, valuelen);
    st->path[valuelen] = '\0';
    st->path_len = valuelen;
  }
  return 0;
}

static const char *h2_status_text(int code)
{
  switch(code) {
  case 200: return "200";
  case 400: return "400";
  case 404: return "404";
  case 405: return "405";
  case 413: return "413";
  case 414: return "414";
  case 431: return "431";
  case 501: return "501";
  default: return "500";
  }
}

static ssize_t h2_read_body(nghttp2_session *sess, int32_t id, uint8_t *buf,
                            size_t len, uint32_t *flags,
                            nghttp2_data_source *src, void *ud)
{
  srv_h2 *h = ud;
  h2_stream *st = src->ptr;
  srv_resp *r = &st->r;
  uint64_t left = r->len - r->off;
  size_t k = left < len ? (size_t)left : len;
  ssize_t n;

  (void)sess;
  (void)id;
  switch(r->kind) {
  case BODY_PATTERN:
    /* k <= 16 KiB, and a period follows any offset in the buffer */
    memcpy(buf, h->c->w->s->pattern + r->off % SRV_PERIOD, k);
    break;
  case BODY_MEM:
    memcpy(buf, r->mem + r->off, k);
    break;
  case BODY_FILE:
    do
      n = pread(r->file, buf, k, (off_t)r->off);
    while(n < 0 && errno == EINTR);
    if(n <= 0) {
      h2_count(h->c, SRV_ERR_FILE, n < 0 ? strerror(errno) :
               "file shrank while being served");
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
    }
    k = (size_t)n;
    break;
  default:
    k = 0;
  }
  r->off += k;
  SRV_ADD(h->c->w->bytes_body, k);
  if(r->off >= r->len)
    *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)k;
}

#define NV(n, v, vl) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, (vl), \
                       NGHTTP2_NV_FLAG_NO_COPY_NAME |                    \
                       NGHTTP2_NV_FLAG_NO_COPY_VALUE }

/* The request is complete: route it as HTTP/1.1 would, answer. */
static int h2_respond(srv_h2 *h, h2_stream *st)
{
  srv_conn *c = h->c;
  hb_http_request q;
  nghttp2_nv nv[5];
  nghttp2_data_provider dp;
  const char *status;
  size_t nnv = 0;
  int rc;

  if(st->answered)
    return 0;
  st->answered = 1;
  SRV_ADD(c->w->requests, 1);
  memset(&q, 0, sizeof(q));
  q.method = st->method;
  q.method_len = st->method_len;
  q.path = st->path ? st->path : "";
  q.path_len = st->path_len;
  q.minor_version = 1;
  q.keep_alive = 1;
  q.content_length = -1;
  if(st->too_large) {
    h2_count(c, SRV_ERR_H2_HEADERS_TOO_LARGE, "HTTP/2 header list over "
             "--h2-max-header-list: 431");
    srv_respond_error(c, 431);
  }
  else if(!st->path || st->path_len > HB_HTTP_MAX_URI) {
    if(st->path)
      h2_count(c, SRV_ERR_URI_TOO_LONG, "HTTP/2 :path over 4096 bytes");
    srv_respond_error(c, st->path ? 414 : 400);
  }
  else
    srv_route(c, &q);
  /* the response is the stream's now; c->r is left clean */
  st->r = c->r;
  memset(&c->r, 0, sizeof(c->r));
  c->r.file = -1;
  c->close_after = 0;
  status = h2_status_text(st->r.status);
  nv[nnv++] = (nghttp2_nv)NV(":status", status, strlen(status));
  nv[nnv++] = (nghttp2_nv)NV("server", "httpsbench", 10);
  nv[nnv++] = (nghttp2_nv)NV("content-type", st->r.ctype, st->r.ctype_len);
  snprintf(st->clen, sizeof(st->clen), "%llu",
           (unsigned long long)st->r.clen);
  nv[nnv++] = (nghttp2_nv)NV("content-length", st->clen, strlen(st->clen));
  if(st->r.status == 405)
    nv[nnv++] = (nghttp2_nv)NV("allow", "GET, HEAD", 9);
  dp.source.ptr = st;
  dp.read_callback = h2_read_body;
  rc = nghttp2_submit_response(h->sess, st->id, nv, nnv,
                               st->r.len ? &dp : NULL);
  if(rc)
    h2_count(c, SRV_ERR_H2_PROTOCOL, nghttp2_strerror(rc));
  return 0;
}

/* A token bucket: burst tokens at most, rate more per second; 1 when
 * one could be taken. */
static int h2_bucket(double *tokens, uint64_t *t, uint64_t now,
                     double burst, double rate)
{
  *tokens += (double)(now - *t) * 1e-9 * rate;
  if(*tokens > burst)
    *tokens = burst;
  *t = now;
  if(*tokens < 1)
    return 0;
  *tokens -= 1;
  return 1;
}

static void h2_refuse(srv_h2 *h, srv_err e, uint32_t code,
                      const char *detail)
{
  if(h->refused)
    return;
  h->refused = 1;
  h2_count(h->c, e, detail);
  nghttp2_session_terminate_session(h->sess, code);
}

static int h2_on_frame_recv(nghttp2_session *sess,
                            const nghttp2_frame *frame, void *ud)
{
  srv_h2 *h = ud;
  h2_stream *st;

  switch(frame->hd.type) {
  case NGHTTP2_HEADERS:
  case NGHTTP2_DATA:
    if(!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
      return 0;
    st = nghttp2_session_get_stream_user_data(sess, frame->hd.stream_id);
    if(st)
      return h2_respond(h, st);
    return 0;
  case NGHTTP2_SETTINGS:
  case NGHTTP2_PING:
    if(!(frame->hd.flags & NGHTTP2_FLAG_ACK) &&
       !h2_bucket(&h->ctrl_tokens, &h->ctrl_t, h->c->w->now,
                  SRV_H2_CTRL_BURST, SRV_H2_CTRL_RATE))
      h2_refuse(h, SRV_ERR_H2_CTRL_FLOOD, NGHTTP2_ENHANCE_YOUR_CALM,
                "HTTP/2 SETTINGS/PING flood: GOAWAY ENHANCE_YOUR_CALM");
    return 0;
  case NGHTTP2_RST_STREAM:
    /* ours, not nghttp2's limiter (a backstop above it), which says
     * INTERNAL_ERROR where RFC 9113 10.5 suggests ENHANCE_YOUR_CALM */
    h->rst_seen++;
    if(!h2_bucket(&h->rst_tokens, &h->rst_t, h->c->w->now,
                  SRV_H2_RST_BURST, SRV_H2_RST_RATE))
      h2_refuse(h, SRV_ERR_H2_RESET_FLOOD, NGHTTP2_ENHANCE_YOUR_CALM,
                "HTTP/2 RST_STREAM flood (rapid reset): GOAWAY "
                "ENHANCE_YOUR_CALM");
    return 0;
  default:
    return 0;
  }
}

static void h2_stream_free(srv_h2 *h, h2_stream *st)
{
  if(st->prev)
    st->prev->next = st->next;
  else
    h->streams = st->next;
  if(st->next)
    st->next->prev = st->prev;
  if(st->r.owned)
    free(st->r.owned);
  if(st->r.file >= 0)
    close(st->r.file);
  free(st->path);
  free(st);
}

static int h2_on_stream_close(nghttp2_session *sess, int32_t id,
                              uint32_t code, void *ud)
{
  h2_stream *st = nghttp2_session_get_stream_user_data(sess, id);

  (void)code;
  if(!st)
    return 0;
  nghttp2_session_set_stream_user_data(sess, id, NULL);
  h2_stream_free(ud, st);
  return 0;
}

static int h2_on_frame_send(nghttp2_session *sess,
                            const nghttp2_frame *frame, void *ud)
{
  srv_h2 *h = ud;
  uint32_t code;

  (void)sess;
  if(frame->hd.type != NGHTTP2_GOAWAY)
    return 0;
  code = frame->goaway.error_code;
  if(code == NGHTTP2_NO_ERROR || h->refused)
    return 0;
  /* nghttp2 ended it on its own: say why in the counters */
  h->refused = 1;
  if(h->rst_seen >= SRV_H2_RST_BURST)
    h2_count(h->c, SRV_ERR_H2_RESET_FLOOD, "HTTP/2 RST_STREAM flood "
             "(rapid reset): GOAWAY ENHANCE_YOUR_CALM");
  else if(code == NGHTTP2_ENHANCE_YOUR_CALM)
    h2_count(h->c, SRV_ERR_H2_CTRL_FLOOD, "HTTP/2 flood: GOAWAY "
             "ENHANCE_YOUR_CALM");
  else
    h2_count(h->c, SRV_ERR_H2_PROTOCOL, nghttp2_http2_strerror(code));
  return 0;
}

/* ---- the session ---- */

int srv_h2_callbacks(nghttp2_session_callbacks **out)
{
  nghttp2_session_callbacks *cb;

  if(nghttp2_session_callbacks_new(&cb))
    return -1;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb,
    h2_on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, h2_on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb,
    h2_on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb,
    h2_on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb,
    h2_on_frame_send);
  *out = cb;
  return 0;
}

int srv_h2_option(const srv_h2_conf *conf, nghttp2_option **out)
{
  nghttp2_option *opt;

  (void)conf;
  if(nghttp2_option_new(&opt))
    return -1;
  /* the defaults, said here so they are ours to see and change */
  nghttp2_option_set_max_outbound_ack(opt, 1000);
  nghttp2_option_set_max_settings(opt, 32);
  nghttp2_option_set_max_continuations(opt, 8);
  nghttp2_option_set_stream_reset_rate_limit(opt, 2 * SRV_H2_RST_BURST,
                                             2 * SRV_H2_RST_RATE);
  nghttp2_option_set_no_closed_streams(opt, 1);
  *out = opt;
  return 0;
}

void srv_h2_free(srv_conn *c)
{
  srv_h2 *h = c->h2;

  if(!h)
    return;
  nghttp2_session_del(h->sess);
  while(h->streams) { /* the head: no prev, h->streams moves on */
    h2_stream *st = h->streams;

    st->prev = NULL;
    h2_stream_free(h, st);
  }
  if(h->obuf)
    srv_obuf_put(c->w, h->obuf);
  free(h);
  c->h2 = NULL;
}

/* Writes what nghttp2 has to send. FLUSH_* as in conn.c: 0 done, 1
 * blocked (armed), 2 dead (closed). */
static int h2_flush(srv_conn *c)
{
  srv_h2 *h = c->h2;
  const hb_tls_ops *ops = c->w->s->ops;

  if(!h->obuf) {
    h->obuf = srv_obuf_get(c->w);
    if(!h->obuf) {
      h2_count(c, SRV_ERR_OOM, "HTTP/2 output buffer");
      srv_conn_close(c);
      return 2;
    }
  }
  for(;;) {
    const uint8_t *p;
    size_t len, n;
    hb_err err = { "" };
    hb_io io;

    while(!h->spill_len && h->olen < SRV_OBUF) {
      ssize_t k = nghttp2_session_mem_send(h->sess, &p);

      if(k < 0) {
        h2_count(c, SRV_ERR_H2_PROTOCOL, nghttp2_strerror((int)k));
        srv_conn_close(c);
        return 2;
      }
      if(k == 0)
        break;
      if((size_t)k <= SRV_OBUF - h->olen) {
        memcpy(h->obuf + h->olen, p, (size_t)k);
        h->olen += (size_t)k;
      }
      else {
        h->spill = p;
        h->spill_len = (size_t)k;
      }
    }
    if(h->ooff < h->olen) {
      p = (const uint8_t *)h->obuf + h->ooff;
      len = h->olen - h->ooff;
    }
    else if(h->spill_len) {
      p = h->spill;
      len = h->spill_len;
    }
    else {
      h->olen = h->ooff = 0;
      srv_obuf_put(c->w, h->obuf);
      h->obuf = NULL;
      return 0;
    }
    io = ops->write(c->tls, p, len, &n, &err);
    if(io == HB_IO_OK) {
      if(h->ooff < h->olen) {
        h->ooff += n;
        if(h->ooff == h->olen)
          h->ooff = h->olen = 0;
      }
      else {
        h->spill += n;
        h->spill_len -= n;
      }
      srv_touch(c);
      continue;
    }
    if(io == HB_IO_WANT_WRITE || io == HB_IO_WANT_READ) {
      srv_set_events(c, io == HB_IO_WANT_WRITE ? EPOLLIN | EPOLLOUT :
                     EPOLLIN);
      return 1;
    }
    srv_count(c->w, io == HB_IO_RESET ? SRV_ERR_RESET : SRV_ERR_WRITE,
              err.msg[0] ? err.msg : "peer closed while we wrote");
    srv_conn_close(c);
    return 2;
  }
}

/* A fatal error from mem_recv: why, counted; GOAWAY queued. */
static void h2_recv_failed(srv_h2 *h, ssize_t rc)
{
  switch(rc) {
  case NGHTTP2_ERR_BAD_CLIENT_MAGIC:
    h2_refuse(h, SRV_ERR_H2_PREFACE, NGHTTP2_PROTOCOL_ERROR,
              "HTTP/2: not the client connection preface: GOAWAY "
              "PROTOCOL_ERROR");
    break;
  case NGHTTP2_ERR_FLOODED:
    h2_refuse(h, SRV_ERR_H2_CTRL_FLOOD, NGHTTP2_ENHANCE_YOUR_CALM,
              "HTTP/2 SETTINGS/PING acknowledgements piling up (flood): "
              "GOAWAY ENHANCE_YOUR_CALM");
    break;
  case NGHTTP2_ERR_TOO_MANY_CONTINUATIONS:
    h2_refuse(h, SRV_ERR_H2_CONT_FLOOD, NGHTTP2_ENHANCE_YOUR_CALM,
              "HTTP/2 CONTINUATION flood: GOAWAY ENHANCE_YOUR_CALM");
    break;
  case NGHTTP2_ERR_TOO_MANY_SETTINGS:
    h2_refuse(h, SRV_ERR_H2_CTRL_FLOOD, NGHTTP2_ENHANCE_YOUR_CALM,
              "HTTP/2 SETTINGS with too many entries: GOAWAY "
              "ENHANCE_YOUR_CALM");
    break;
  default:
    h2_refuse(h, SRV_ERR_H2_PROTOCOL, NGHTTP2_PROTOCOL_ERROR,
              nghttp2_strerror((int)rc));
  }
}

/* Feeds bytes to the session; 0 ok, -1 the session cannot go on (a
 * GOAWAY is queued). */
static int h2_feed(srv_h2 *h, const char *buf, size_t n)
{
  ssize_t rc;

  if(h->refused)
    return -1; /* after our GOAWAY: read and dropped */
  rc = nghttp2_session_mem_recv(h->sess, (const uint8_t *)buf, n);
  if(rc < 0) {
    h2_recv_failed(h, rc);
    return -1;
  }
  return 0;
}

/* After output: close when the session is over. 1 while it lives. */
static int h2_maybe_done(srv_conn *c)
{
  srv_h2 *h = c->h2;

  if(nghttp2_session_want_read(h->sess) && !h->refused)
    return 1;
  if(nghttp2_session_want_write(h->sess) || h->olen || h->spill_len)
    return 1;
  /* GOAWAY is out: read on for a while so a reset does not eat it */
  srv_conn_finish_close(c, 1);
  return 0;
}

void srv_h2_event(srv_conn *c)
{
  const hb_tls_ops *ops = c->w->s->ops;
  char buf[H2_READ];
  int rounds;

  for(rounds = 0; rounds < H2_ROUNDS; rounds++) {
    hb_err err = { "" };
    size_t n;
    hb_io io = ops->read(c->tls, buf, sizeof(buf), &n, &err);

    if(io == HB_IO_OK) {
      srv_touch(c);
      h2_feed(c->h2, buf, n);
      if(h2_flush(c) == 2)
        return;
      if(c->h2->refused)
        break;
      continue;
    }
    if(io == HB_IO_WANT_READ || io == HB_IO_WANT_WRITE)
      break;
    if(io == HB_IO_CLOSED) {
      srv_conn_close(c);
      return;
    }
    srv_count(c->w, io == HB_IO_RESET ? SRV_ERR_RESET : SRV_ERR_READ,
              err.msg);
    srv_conn_close(c);
    return;
  }
  switch(h2_flush(c)) {
  case 0:
    if(!h2_maybe_done(c))
      return;
    /* a TLS library may hold decrypted bytes after H2_ROUNDS reads:
     * level-triggered EPOLLIN brings us back only for socket bytes, so
     * take another turn through EPOLLOUT (always ready) */
    srv_set_events(c, rounds == H2_ROUNDS ? EPOLLIN | EPOLLOUT : EPOLLIN);
    return;
  default: /* 1: waiting for EPOLLOUT; else the connection closed */
    return;
  }
}

int srv_h2_start(srv_conn *c, const char *pre, size_t n)
{
  srv *s = c->w->s;
  srv_h2 *h = calloc(1, sizeof(*h));
  nghttp2_settings_entry iv[4];
  int rc;

  if(!h) {
    srv_count(c->w, SRV_ERR_OOM, "HTTP/2 session");
    srv_conn_close(c);
    return -1;
  }
  h->c = c;
  h->ctrl_tokens = SRV_H2_CTRL_BURST;
  h->ctrl_t = c->w->now;
  h->rst_tokens = SRV_H2_RST_BURST;
  h->rst_t = c->w->now;
  c->h2 = h;
  c->state = ST_H2;
  if(nghttp2_session_server_new2(&h->sess, s->h2.callbacks, h,
                                             s->h2.option)) {
    h->sess = NULL;
    srv_count(c->w, SRV_ERR_OOM, "HTTP/2 session");
    srv_conn_close(c);
    return -1;
  }
  SRV_ADD(c->w->h2_conns, 1);
  iv[0].settings_id = NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS;
  iv[0].value = s->h2.max_streams;
  iv[1].settings_id = NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE;
  iv[1].value = s->h2.window;
  iv[2].settings_id = NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE;
  iv[2].value = s->h2.max_header_list;
  iv[3].settings_id = NGHTTP2_SETTINGS_ENABLE_PUSH;
  iv[3].value = 0;
  rc = nghttp2_submit_settings(h->sess, NGHTTP2_FLAG_NONE, iv, 4);
  if(!rc && s->h2.window > 65535)
    rc = nghttp2_session_set_local_window_size(h->sess, NGHTTP2_FLAG_NONE,
                                               0, (int32_t)s->h2.window);
  if(rc) {
    srv_count(c->w, SRV_ERR_H2_PROTOCOL, nghttp2_strerror(rc));
    srv_conn_close(c);
    return -1;
  }
  if(n)
    h2_feed(h, pre, n);
  srv_h2_event(c);
  return 0;
}
