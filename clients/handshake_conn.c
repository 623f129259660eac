/* One timed connection of the handshake client: set-up (socket, TLS
 * object, session), TCP connect, TLS handshake, one HTTP/1.1 request (or
 * HTTP/2 when ALPN selected h2, or h2c with --plain --alpn h2),
 * close (close_notify and the TCP FIN exchange), each phase timed on the
 * monotonic clock, end to end.
 *
 * Everything is non-blocking and waits in poll() against one deadline per
 * connection, so a silent server costs --timeout and no more. A phase that
 * fails ends the connection with a failure category and the library's
 * reason; it is never a latency sample. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "handshake.h"
#include "hb/clock.h"
#include "hb/http.h"
#include "hb/sig.h"

#define HC_BUF 16384

typedef struct hc_state {
  const hb_tls_ops *T;
  hb_tls_conn *c;
  int fd;
  uint64_t deadline;
  double timeout;
  int peer_eof;              /* the response ended with the server's FIN */
  hs_conn *r;
  char buf[HC_BUF];
} hc_state;

static int hc_fail(hs_conn *r, int cat, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static int hc_fail(hs_conn *r, int cat, const char *fmt, ...)
{
  va_list ap;

  r->fail = cat;
  va_start(ap, fmt);
  vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
  va_end(ap);
  return HS_FAILED;
}

/* A failed call (HB_IO_ERROR or HB_IO_RESET). */
#define HC_FAILED(io) ((io) == HB_IO_ERROR || (io) == HB_IO_RESET)

/* A library error: a reset is its own category whatever the phase. */
static int hc_io_fail(hs_conn *r, int cat, hb_io io, const hb_err *e)
{
  if(io == HB_IO_RESET)
    cat = HS_F_RESET;
  return hc_fail(r, cat, "%s", e->msg[0] ? e->msg : "unknown error");
}

/* Waits for events on fd until the connection's deadline. */
static int hc_wait(hc_state *s, short events, const char *phase)
{
  struct pollfd p;
  uint64_t now;
  int rc, ms;

  for(;;) {
    if(hb_interrupted())
      return HS_STOPPED;
    now = hb_now_ns();
    if(now >= s->deadline)
      return hc_fail(s->r, HS_F_TIMEOUT, "timed out after %gs in %s",
                     s->timeout, phase);
    ms = (int)((s->deadline - now + 999999) / 1000000);
    p.fd = s->fd;
    p.events = events;
    p.revents = 0;
    rc = poll(&p, 1, ms);
    if(rc > 0)
      return HS_DONE; /* ready, or an error the next call reports */
    if(rc < 0 && errno != EINTR)
      return hc_fail(s->r, HS_F_CONNECT, "poll: %s", strerror(errno));
  }
}

/* Waits as the library asked; io is WANT_READ or WANT_WRITE. */
static int hc_want(hc_state *s, hb_io io, const char *phase)
{
  return hc_wait(s, io == HB_IO_WANT_WRITE ? POLLOUT : POLLIN, phase);
}

/* Does addr accept a TCP connection within timeout? Used, untimed, only
 * to choose among several addresses of a name (localhost: ::1 and
 * 127.0.0.1, the server listening on one). */
static int hc_probe(const struct addrinfo *ai, double timeout)
{
  struct pollfd p;
  socklen_t len = sizeof(int);
  int fd, soerr = -1;

  fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
              IPPROTO_TCP);
  if(fd < 0)
    return -1;
  if(connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
    soerr = 0;
  else if(errno == EINPROGRESS) {
    p.fd = fd;
    p.events = POLLOUT;
    if(poll(&p, 1, (int)(timeout * 1000)) == 1 &&
       getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
      soerr = -1;
  }
  close(fd);
  return soerr ? -1 : 0;
}

int hs_resolve(const hs_opts *o, hs_target *tg, hb_err *err)
{
  struct addrinfo hints, *res = NULL, *ai;
  int rc;

  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  rc = getaddrinfo(o->host, o->port, &hints, &res);
  if(rc)
    return hb_err_set(err, HB_ERROR, "cannot resolve %s: %s", o->host,
                      gai_strerror(rc));
  /* one address is used as it is: its failures are the measurement's */
  for(ai = res; ai->ai_next; ai = ai->ai_next)
    if(!hc_probe(ai, o->timeout < 2 ? o->timeout : 2))
      break;
  memcpy(&tg->addr, ai->ai_addr, ai->ai_addrlen);
  tg->addrlen = ai->ai_addrlen;
  freeaddrinfo(res);
  return HB_OK;
}

/* Phase 1: the three-way handshake of a non-blocking connect(). */
static int hc_connect(hc_state *s, const hs_target *tg)
{
  int soerr = 0, rc;
  socklen_t len = sizeof(soerr);

  rc = connect(s->fd, (const struct sockaddr *)&tg->addr, tg->addrlen);
  if(rc == 0)
    return HS_DONE;
  if(errno != EINPROGRESS)
    return hc_fail(s->r, errno == ECONNRESET ? HS_F_RESET : HS_F_CONNECT,
                   "connect: %s", strerror(errno));
  rc = hc_wait(s, POLLOUT, "TCP connect");
  if(rc != HS_DONE)
    return rc;
  if(getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
    soerr = errno;
  if(soerr == ETIMEDOUT)
    return hc_fail(s->r, HS_F_TIMEOUT, "connect: %s", strerror(soerr));
  if(soerr)
    return hc_fail(s->r, soerr == ECONNRESET ? HS_F_RESET : HS_F_CONNECT,
                   "connect: %s", strerror(soerr));
  return HS_DONE;
}

/* Phase 2: the library's handshake until it says done. */
static int hc_handshake(hc_state *s)
{
  hb_err e = { "" };
  hb_io io;
  int rc;

  for(;;) {
    io = s->T->handshake(s->c, &e);
    if(io == HB_IO_OK)
      return HS_DONE;
    if(io == HB_IO_CLOSED)
      return hc_fail(s->r, HS_F_TLS, "connection closed during the TLS "
                     "handshake");
    if(HC_FAILED(io))
      return hc_io_fail(s->r, HS_F_TLS, io, &e);
    rc = hc_want(s, io, "TLS handshake");
    if(rc != HS_DONE)
      return rc;
  }
}

static int hc_write_all(hc_state *s, const char *p, size_t len)
{
  hb_err e = { "" };
  size_t n;
  hb_io io;
  int rc;

  while(len) {
    io = s->T->write(s->c, p, len, &n, &e);
    if(io == HB_IO_OK) {
      p += n;
      len -= n;
      continue;
    }
    if(io == HB_IO_CLOSED)
      return hc_fail(s->r, HS_F_WRITE, "server closed the connection "
                     "before the request was sent");
    if(HC_FAILED(io))
      return hc_io_fail(s->r, HS_F_WRITE, io, &e);
    rc = hc_want(s, io, "sending the request");
    if(rc != HS_DONE)
      return rc;
  }
  return HS_DONE;
}

/* Reads more response bytes to buf + have; *n 0 means the server closed
 * the connection (its FIN or close_notify). */
static int hc_read_some(hc_state *s, size_t have, size_t *n)
{
  hb_err e = { "" };
  hb_io io;
  int rc;

  for(;;) {
    io = s->T->read(s->c, s->buf + have, sizeof(s->buf) - have, n, &e);
    if(io == HB_IO_OK)
      return HS_DONE;
    if(io == HB_IO_CLOSED) {
      *n = 0;
      s->peer_eof = 1;
      return HS_DONE;
    }
    if(HC_FAILED(io))
      return hc_io_fail(s->r, HS_F_READ, io, &e);
    rc = hc_want(s, io, "reading the response");
    if(rc != HS_DONE)
      return rc;
  }
}

/* The body after the head: buf[0..have) holds its first bytes. Content
 * is discarded; only its end matters. */
static int hc_read_body(hc_state *s, const hb_http_response *res,
                        size_t have)
{
  hb_http_chunked ck;
  int64_t left = res->content_length;
  size_t n, len;
  ssize_t dr;
  int rc;

  memset(&ck, 0, sizeof(ck));
  if(res->status == 204 || res->status == 304 || res->status < 200)
    return HS_DONE;
  for(;;) {
    if(res->chunked) {
      len = have;
      dr = hb_http_decode_chunked(&ck, s->buf, &len);
      if(dr >= 0)
        return HS_DONE;
      if(dr != HB_HTTP_INCOMPLETE)
        return hc_fail(s->r, HS_F_READ, "bad chunked encoding in the "
                       "response");
    }
    else if(left >= 0) {
      if((uint64_t)left <= have)
        return HS_DONE;
      left -= (int64_t)have;
    }
    rc = hc_read_some(s, 0, &n);
    if(rc != HS_DONE)
      return rc;
    if(!n) {
      if(!res->chunked && left < 0)
        return HS_DONE; /* no length: the body ends with the connection */
      return hc_fail(s->r, HS_F_READ, "server closed the connection "
                     "before the response body was complete");
    }
    have = n;
  }
}

/* The one request of a connection, into req[size]. */
static int hc_request_text(hc_state *s, const hs_opts *o, char *req,
                           size_t size, size_t *len)
{
  int l = snprintf(req, size, "GET %s HTTP/1.1\r\nHost: %s\r\n"
                   "User-Agent: httpsbench\r\nAccept: */*\r\n\r\n",
                   o->path, o->target);

  if(l < 0 || (size_t)l >= size)
    return hc_fail(s->r, HS_F_WRITE, "request too long");
  *len = (size_t)l;
  return HS_DONE;
}

/* --early-data: the request goes out with the ClientHello, when the
 * session allows it (*sent says whether it did). */
static int hc_write_early(hc_state *s, const char *p, size_t len, int *sent)
{
  hb_err e = { "" };
  size_t n;
  hb_io io;
  int rc;

  *sent = 0;
  while(len) {
    io = s->T->write_early(s->c, p, len, &n, &e);
    if(io == HB_IO_OK) {
      if(!n && !*sent)
        return HS_DONE; /* this ticket allows no (or less) early data */
      *sent = 1;
      p += n;
      len -= n;
      continue;
    }
    if(io == HB_IO_CLOSED)
      return hc_fail(s->r, HS_F_TLS, "connection closed while sending "
                     "early data");
    if(HC_FAILED(io))
      return hc_io_fail(s->r, HS_F_TLS, io, &e);
    rc = hc_want(s, io, "sending early data");
    if(rc != HS_DONE)
      return rc;
  }
  return HS_DONE;
}

/* Phase 3: GET path (unless the server took it as early data), read the
 * whole response. */
static int hc_request(hc_state *s, const hs_opts *o, int already_sent)
{
  hb_http_response res;
  char req[1024];
  size_t have = 0, n, len = 0;
  int rc, head;

  if(!already_sent) {
    rc = hc_request_text(s, o, req, sizeof(req), &len);
    if(rc == HS_DONE)
      rc = hc_write_all(s, req, len);
    if(rc != HS_DONE)
      return rc;
  }
  for(;;) {
    if(have == sizeof(s->buf))
      return hc_fail(s->r, HS_F_READ, "response head over %d bytes",
                     HC_BUF);
    rc = hc_read_some(s, have, &n);
    if(rc != HS_DONE)
      return rc;
    if(!n)
      return hc_fail(s->r, HS_F_READ, "server closed the connection "
                     "before the response head was complete");
    have += n;
    head = hb_http_parse_response(s->buf, have, &res);
    if(head > 0)
      break;
    if(head != HB_HTTP_INCOMPLETE)
      return hc_fail(s->r, HS_F_READ, "malformed HTTP response");
  }
  if(res.status < 200 || res.status > 299)
    return hc_fail(s->r, HS_F_STATUS, "HTTP status %d for GET %s",
                   res.status, o->path);
  /* the head may point into buf: take what the body needs first */
  have -= (size_t)head;
  memmove(s->buf, s->buf + head, have);
  return hc_read_body(s, &res, have);
}

/* The first request over HTTP/2 (ALPN h2, or h2c by prior knowledge):
 * one nghttp2 client session, our SETTINGS and one GET, its frames
 * gathered into one write per round, fed what the server sends until the
 * stream closes. */
typedef struct hc_h2 {
  int32_t id;                /* the request's stream */
  int status;                /* its :status */
  int closed;
  uint32_t code;             /* RST_STREAM error code, 0 when none */
} hc_h2;

static int hc_h2_header(nghttp2_session *ss, const nghttp2_frame *f,
                        const uint8_t *name, size_t namelen,
                        const uint8_t *value, size_t valuelen,
                        uint8_t flags, void *ud)
{
  hc_h2 *h = ud;
  size_t i;

  (void)ss;
  (void)flags;
  if(f->hd.stream_id != h->id || namelen != 7 || memcmp(name, ":status", 7))
    return 0;
  h->status = 0;
  for(i = 0; i < valuelen && i < 3; i++)
    h->status = h->status * 10 + (value[i] - '0');
  return 0;
}

static int hc_h2_close(nghttp2_session *ss, int32_t id, uint32_t code,
                       void *ud)
{
  hc_h2 *h = ud;

  (void)ss;
  if(id == h->id) {
    h->closed = 1;
    h->code = code;
  }
  return 0;
}

static void hc_h2_nv(nghttp2_nv *nv, const char *name, const char *value)
{
  /* nghttp2's nv is not const; with NO_COPY it only reads them */
  nv->name = (uint8_t *)name;
  nv->namelen = strlen(name);
  nv->value = (uint8_t *)value;
  nv->valuelen = strlen(value);
  nv->flags = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE;
}

/* Everything nghttp2 has to send, in writes of up to out's size. */
static int hc_h2_flush(hc_state *s, nghttp2_session *ss)
{
  char out[4096];
  size_t have = 0;
  int rc = HS_DONE;

  for(;;) {
    const uint8_t *p;
    ssize_t n = nghttp2_session_mem_send(ss, &p);

    if(n < 0)
      return hc_fail(s->r, HS_F_WRITE, "nghttp2: %s",
                     nghttp2_strerror((int)n));
    if(have && (!n || have + (size_t)n > sizeof(out))) {
      rc = hc_write_all(s, out, have);
      have = 0;
      if(rc != HS_DONE)
        return rc;
    }
    if(!n)
      return HS_DONE;
    if((size_t)n > sizeof(out)) {
      rc = hc_write_all(s, (const char *)p, (size_t)n);
      if(rc != HS_DONE)
        return rc;
    }
    else {
      memcpy(out + have, p, (size_t)n);
      have += (size_t)n;
    }
  }
}

static int hc_request_h2(hc_state *s, const hs_opts *o)
{
  nghttp2_session_callbacks *cb = NULL;
  nghttp2_session *ss = NULL;
  nghttp2_nv nv[6];
  hc_h2 h = { -1, 0, 0, 0 };
  size_t n;
  int rc = HS_DONE, rv;

  rv = nghttp2_session_callbacks_new(&cb);
  if(!rv) {
    nghttp2_session_callbacks_set_on_header_callback(cb, hc_h2_header);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, hc_h2_close);
    rv = nghttp2_session_client_new(&ss, cb, &h);
  }
  if(!rv)
    rv = nghttp2_submit_settings(ss, NGHTTP2_FLAG_NONE, NULL, 0);
  if(!rv) {
    hc_h2_nv(&nv[0], ":method", "GET");
    hc_h2_nv(&nv[1], ":scheme", o->plain ? "http" : "https");
    hc_h2_nv(&nv[2], ":authority", o->target);
    hc_h2_nv(&nv[3], ":path", o->path);
    hc_h2_nv(&nv[4], "user-agent", "httpsbench");
    hc_h2_nv(&nv[5], "accept", "*/*");
    h.id = nghttp2_submit_request(ss, NULL, nv, 6, NULL, NULL);
    if(h.id < 0)
      rv = h.id;
  }
  if(rv) {
    rc = hc_fail(s->r, HS_F_WRITE, "nghttp2: %s", nghttp2_strerror(rv));
    goto out;
  }
  while(!h.closed) {
    ssize_t used;

    rc = hc_h2_flush(s, ss);
    if(rc != HS_DONE)
      goto out;
    rc = hc_read_some(s, 0, &n);
    if(rc != HS_DONE)
      goto out;
    if(!n) {
      rc = hc_fail(s->r, HS_F_READ, "server closed the connection before "
                   "the HTTP/2 response was complete");
      goto out;
    }
    used = nghttp2_session_mem_recv(ss, (const uint8_t *)s->buf, n);
    if(used < 0) {
      rc = hc_fail(s->r, HS_F_READ, "nghttp2: %s",
                   nghttp2_strerror((int)used));
      goto out;
    }
  }
  if(h.code)
    rc = hc_fail(s->r, HS_F_READ, "HTTP/2 stream reset: %s",
                 nghttp2_http2_strerror(h.code));
  else if(h.status < 200 || h.status > 299)
    rc = hc_fail(s->r, HS_F_STATUS, "HTTP status %d for GET %s", h.status,
                 o->path);
out:
  nghttp2_session_del(ss);
  nghttp2_session_callbacks_del(cb);
  return rc;
}

/* Phase 4: close_notify, our FIN, then wait for the server's FIN (or
 * RST): the close as the server sees it. */
static int hc_close(hc_state *s)
{
  hb_err e = { "" };
  hb_io io;
  ssize_t n;
  int rc;

  for(;;) {
    io = s->T->shutdown(s->c, &e);
    if(io == HB_IO_OK || io == HB_IO_CLOSED)
      break;
    if(HC_FAILED(io)) {
      if(s->peer_eof)
        break; /* the server is gone already: nothing left to tell it */
      return hc_io_fail(s->r, HS_F_WRITE, io, &e);
    }
    rc = hc_want(s, io, "sending close_notify");
    if(rc != HS_DONE)
      return rc;
  }
  if(shutdown(s->fd, SHUT_WR) && errno != ENOTCONN)
    return hc_fail(s->r, HS_F_WRITE, "shutdown: %s", strerror(errno));
  for(;;) {
    do
      n = recv(s->fd, s->buf, sizeof(s->buf), 0);
    while(n < 0 && errno == EINTR && !hb_interrupted());
    if(n == 0 || (n < 0 && errno == ECONNRESET))
      return HS_DONE;
    if(n > 0)
      continue; /* the server's close_notify, or late data */
    if(errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return hc_fail(s->r, HS_F_READ, "waiting for the server's FIN: %s",
                     strerror(errno));
    rc = hc_wait(s, POLLIN, "waiting for the server's FIN");
    if(rc != HS_DONE)
      return rc;
  }
}

/* After a response to early data: OpenSSL servers answer it before the
 * client's Finished and send the TLS 1.3 ticket only after that, so it
 * may still be on its way. Waits for it (untimed) up to a second. */
static void hc_await_ticket(hc_state *s, hb_tls_session **next)
{
  uint64_t limit = hb_now_ns() + 1000000000ull, now;
  hb_err e = { "" };
  struct pollfd p;
  size_t n;
  hb_io io;

  if(limit > s->deadline)
    limit = s->deadline;
  while(!*next) {
    io = s->T->read(s->c, s->buf, sizeof(s->buf), &n, &e);
    if(io == HB_IO_CLOSED || HC_FAILED(io))
      return;
    if(s->T->session_get(s->c, next, &e) != HB_OK)
      *next = NULL;
    if(*next || io == HB_IO_OK)
      continue;
    now = hb_now_ns();
    if(hb_interrupted() || now >= limit)
      return;
    p.fd = s->fd;
    p.events = io == HB_IO_WANT_WRITE ? POLLOUT : POLLIN;
    p.revents = 0;
    if(poll(&p, 1, (int)((limit - now) / 1000000) + 1) == 0)
      return;
  }
}

int hs_connect_once(const hb_tls_ops *T, hb_tls_ctx *ctx,
                    const hs_target *tg, const hs_opts *o,
                    hb_tls_session *sess, hs_trace *trace, hs_conn *r)
{
  hc_state s;
  uint64_t t0, t_setup, t_tcp, t_hs, t_req, t_close0, t_end;
  hb_err e = { "" };
  int one = 1, rc;

  memset(r, 0, sizeof(*r));
  s.T = T;
  s.c = NULL;
  s.peer_eof = 0;
  s.r = r;
  s.timeout = o->timeout;

  /* phase 0, set-up: the socket, the TLS object on it and the session
   * offered, before connect() */
  t0 = hb_now_ns();
  s.deadline = t0 + (uint64_t)(o->timeout * 1e9);
  s.fd = socket(tg->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
                SOCK_CLOEXEC, IPPROTO_TCP);
  if(s.fd < 0)
    return hc_fail(r, HS_F_CONNECT, "socket: %s", strerror(errno));
  setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if(T->conn_new(ctx, s.fd, o->sni, &s.c, &e) != HB_OK) {
    rc = hc_fail(r, HS_F_TLS, "%s", e.msg);
    goto out;
  }
  if(sess) {
    if(T->session_set(s.c, sess, &e) != HB_OK) {
      rc = hc_fail(r, HS_F_TLS, "%s", e.msg);
      goto out;
    }
    r->offered = 1;
  }
  t_setup = hb_now_ns();
  if(trace) {
    trace->t0 = t_setup;
    trace->fd = s.fd;
  }
  rc = hc_connect(&s, tg);
  if(rc != HS_DONE)
    goto out;
  t_tcp = hb_now_ns();

  if(o->early_data && sess && T->write_early) {
    char req[1024];
    size_t len = 0;

    rc = hc_request_text(&s, o, req, sizeof(req), &len);
    if(rc == HS_DONE)
      rc = hc_write_early(&s, req, len, &r->early_sent);
    if(rc != HS_DONE)
      goto out;
  }
  rc = hc_handshake(&s);
  if(rc != HS_DONE)
    goto out;
  t_hs = hb_now_ns();
  if(trace) {
    hs_trace_flight_end(trace);
    trace->hs_done = 1;
    trace->fd = -1;
  }
  T->info(s.c, &r->info);
  hb_tls_alpn(T, s.c, r->alpn, sizeof(r->alpn));

  /* early data the server refused is sent again, as 1-RTT data */
  if(!strcmp(r->alpn, "h2") || o->h2c) {
    snprintf(r->proto, sizeof(r->proto), "%s", o->h2c ? "h2c" : "h2");
    rc = hc_request_h2(&s, o);
  }
  else {
    snprintf(r->proto, sizeof(r->proto), "http/1.1");
    rc = hc_request(&s, o, r->early_sent &&
                    r->info.early_data == HB_EARLY_ACCEPTED);
  }
  if(rc != HS_DONE)
    goto out;
  t_req = hb_now_ns();
  /* TLS 1.3 tickets came with the response: take one now, untimed */
  if(T->session_get(s.c, &r->next, &e) != HB_OK)
    r->next = NULL;
  if(!r->next && r->early_sent)
    hc_await_ticket(&s, &r->next);

  t_close0 = hb_now_ns();
  rc = hc_close(&s);
  if(rc != HS_DONE)
    goto out;
  t_end = hb_now_ns();

  /* the phases meet end to end: total is their sum */
  r->ns[HS_SETUP] = t_setup - t0;
  r->ns[HS_TCP] = t_tcp - t_setup;
  r->ns[HS_TLS] = t_hs - t_tcp;
  r->ns[HS_REQ] = t_req - t_hs;
  r->ns[HS_CLOSE] = t_end - t_close0;
  /* the untimed gap (taking the session, waiting for a late ticket) is
   * not the connection's cost */
  r->ns[HS_TOTAL] = (t_req - t0) + (t_end - t_close0);
out:
  if(rc != HS_DONE && r->next) {
    T->session_free(r->next);
    r->next = NULL;
  }
  if(s.c)
    T->conn_free(s.c);
  close(s.fd);
  return rc;
}
